"""The live event stream, driven directly: order and ending at the edges of a run's life."""

from __future__ import annotations

import asyncio

from app.routers.events import _live_stream
from app.runs import LiveRun
from tests.conftest import run_async


def _collect(live: LiveRun, after: int = 0) -> list[str]:
    async def run() -> list[str]:
        return [chunk.decode() async for chunk in _live_stream(live, after)]

    return run_async(lambda: asyncio.wait_for(run(), timeout=5))


def _epoch(n: int) -> dict:
    return {"epoch": n, "train_loss": 1.0 / n}


def test_a_run_that_just_ended_sends_its_epochs_before_its_final_status() -> None:
    # Found by the soak: a subscriber that came between the final status and the run
    # leaving memory got "completed" first and stopped before any epoch.
    live = LiveRun(id=1, config=None, history=[_epoch(1), _epoch(2)])
    live.statuses += [{"status": s, "error": None} for s in ("queued", "running", "completed")]
    chunks = _collect(live)
    kinds = [c.split("\n")[0] for c in chunks]
    assert kinds == ["event: epoch", "event: epoch", "event: status"]
    assert '"completed"' in chunks[-1]


def test_a_running_run_sends_its_status_then_history_after_last_event_id() -> None:
    live = LiveRun(id=1, config=None, history=[_epoch(1), _epoch(2), _epoch(3)])
    live.statuses += [{"status": s, "error": None} for s in ("queued", "running")]

    async def run() -> list[str]:
        stream = _live_stream(live, 1)
        out = [(await anext(stream)).decode() for _ in range(3)]
        live.statuses.append({"status": "stopped", "error": None})
        live.wake()
        out += [chunk.decode() async for chunk in stream]
        return out

    chunks = run_async(lambda: asyncio.wait_for(run(), timeout=5))
    assert '"running"' in chunks[0]
    assert [c.split("\n")[2] for c in chunks[1:3]] == ["id: 2", "id: 3"]
    assert '"stopped"' in chunks[-1] and len(chunks) == 4
