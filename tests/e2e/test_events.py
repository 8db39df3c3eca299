"""The SSE stream over a real uvicorn server, read with httpx-sse."""

from __future__ import annotations

import json

import httpx
import pytest
from httpx_sse import connect_sse

pytestmark = pytest.mark.e2e


def _events(
    url: str, headers: dict | None = None, limit: int | None = None
) -> list[tuple[str, str, dict]]:
    out = []
    with (
        httpx.Client(timeout=60) as client,
        connect_sse(client, "GET", url, headers=headers or {}) as source,
    ):
        for sse in source.iter_sse():
            out.append((sse.event, sse.id, json.loads(sse.data)))
            if limit is not None and sum(e[0] == "epoch" for e in out) >= limit:
                break
    return out


def _start(server, **body) -> dict:
    response = httpx.post(server.url + "/api/runs", json={"preset": "modern", **body}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def test_stream_carries_every_epoch_in_order_then_the_final_status(live_server) -> None:
    run = _start(live_server, epochs=300)
    events = _events(f"{live_server.url}/api/runs/{run['id']}/events")
    epochs = [e for e in events if e[0] == "epoch"]
    assert [e[2]["epoch"] for e in epochs] == list(range(1, 301))
    assert [e[1] for e in epochs] == [str(i) for i in range(1, 301)]
    assert events[-1][0] == "status" and events[-1][2]["status"] == "completed"
    snapshots = [e for e in events if e[0] == "snapshot"]
    assert snapshots, "at least the final snapshot"
    last_epoch_at = max(i for i, e in enumerate(events) if e[0] == "epoch")
    assert any(e[0] == "snapshot" for e in events[last_epoch_at:]), (
        "a snapshot after the last epoch"
    )
    assert len(snapshots[-1][2]["val"]["prediction"]) == 50


def test_reconnect_with_last_event_id_continues_without_gap_or_duplicate(live_server) -> None:
    run = _start(live_server, epochs=400)
    url = f"{live_server.url}/api/runs/{run['id']}/events"
    first = [e for e in _events(url, limit=50) if e[0] == "epoch"]
    last_id = first[-1][1]
    rest = [e for e in _events(url, headers={"Last-Event-ID": last_id}) if e[0] == "epoch"]
    numbers = [e[2]["epoch"] for e in first + rest]
    assert numbers == list(range(1, 401))


def test_a_late_subscriber_gets_the_full_history(live_server) -> None:
    run = _start(live_server, epochs=40)
    url = f"{live_server.url}/api/runs/{run['id']}/events"
    _events(url)  # wait for the end
    late = _events(url)
    assert [e[2]["epoch"] for e in late if e[0] == "epoch"] == list(range(1, 41))
    assert late[-1][2]["status"] == "completed"
    assert [
        e[2]["epoch"] for e in _events(url, headers={"Last-Event-ID": "35"}) if e[0] == "epoch"
    ] == [36, 37, 38, 39, 40]
