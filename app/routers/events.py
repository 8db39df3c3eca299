"""Server-sent events for one run: history first, then live epochs, then the end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import KEEPALIVE_COMMENT, EventSourceResponse, format_sse_event

from app.deps import Manager, Store
from app.routers.runs import NOT_FOUND, RunId
from app.runs import NotTrainedYet, RunNotFound
from app.schemas import json_safe
from app.store import FINAL_STATUSES
from rnn_core.predict import predict
from rnn_core.train import dataset_for

router = APIRouter(prefix="/api/runs", tags=["events"])

RETRY_MS = 1000


def _existing_run(run_id: RunId, store: Store) -> dict:
    # A dependency, so the 404 is answered before the stream starts.
    run = store.get_run(run_id)
    if run is None:
        raise RunNotFound(run_id)
    return run


PING_SECONDS = 15.0
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _event(event: str, data: object, id: str | None = None, retry: int | None = None) -> bytes:
    return format_sse_event(data_str=json.dumps(json_safe(data)), event=event, id=id, retry=retry)


def _epoch_event(row: dict) -> bytes:
    return _event("epoch", row, id=str(row["epoch"]))


def _status_event(status: str, error: str | None) -> bytes:
    return _event("status", {"status": status, "error": error}, retry=RETRY_MS)


def _after(last_event_id: str | None) -> int:
    try:
        return max(0, int(last_event_id or 0))
    except ValueError:
        return 0


@router.get(
    "/{run_id}/events",
    response_class=Response,  # we build the EventSourceResponse ourselves (see below)
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "`epoch`, `snapshot` and `status` events; ends after a final status",
        },
        **NOT_FOUND,
    },
)
def run_events(
    run: Annotated[dict, Depends(_existing_run)],
    store: Store,
    manager: Manager,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse:
    """Every epoch after `Last-Event-ID` (all of them without it), snapshots while the run
    learns, and every status change; the stream ends after the run's final status."""
    # The response is built here rather than by yielding from the route: FastAPI's own
    # keep-alive task can raise BrokenResourceError into the log when a client leaves
    # mid-stream. Starlette's StreamingResponse cancels this generator on disconnect
    # at its one await, which leaves nothing behind.
    after = _after(last_event_id)
    live = manager.live(run["id"])
    if live is None:
        stream = _finished_stream(run, store, manager, after)
    else:
        stream = _live_stream(live, after)
    return EventSourceResponse(stream, headers=HEADERS)


async def _finished_stream(run: dict, store, manager, after: int) -> AsyncIterator[bytes]:
    """The run ended before we came: everything is in the database."""
    for row in await run_in_threadpool(store.history, run["id"], after):
        yield _epoch_event(row)
    snapshot = await run_in_threadpool(_stored_snapshot, manager, run["id"])
    if snapshot is not None:
        yield _event("snapshot", snapshot)
    yield _status_event(run["status"], run["error"])


async def _live_stream(live, sent: int) -> AsyncIterator[bytes]:
    seen_status = len(live.statuses)
    current = live.statuses[seen_status - 1]
    if current["status"] in FINAL_STATUSES:
        seen_status -= 1  # it just ended: send its epochs first, then this final status
    else:
        yield _status_event(current["status"], current["error"])
    seen_snapshot = 0
    while True:
        changed = live.changed  # take it before reading, so no wake-up is missed
        statuses = live.statuses[seen_status:]  # read before the epochs they follow
        for row in live.history[sent:]:
            yield _epoch_event(row)
            sent = row["epoch"]
        if live.snapshot_seq != seen_snapshot and live.snapshot is not None:
            seen_snapshot = live.snapshot_seq
            yield _event("snapshot", live.snapshot)
        for change in statuses:
            yield _status_event(change["status"], change["error"])
            if change["status"] in FINAL_STATUSES:
                return
        seen_status += len(statuses)
        try:
            await asyncio.wait_for(changed.wait(), PING_SECONDS)
        except TimeoutError:
            yield KEEPALIVE_COMMENT


def _stored_snapshot(manager, run_id: int) -> dict | None:
    try:
        model = manager.model(run_id)
    except (NotTrainedYet, RunNotFound):
        return None
    dataset = dataset_for(model.config)
    return json_safe(
        {
            "epoch": model.epoch,
            "train": split_predictions(model, dataset, "train"),
            "val": split_predictions(model, dataset, "val"),
        }
    )


def split_predictions(model, dataset, split: str) -> dict:
    windows = dataset.X_train if split == "train" else dataset.X_val  # (N, T, 1), scaled
    prediction = predict(model.params, windows, model.config.activation)  # (N,), scaled
    return {
        "index": [int(i) for i in dataset.target_index(split)],
        "truth": [float(v) for v in dataset.truth(split)],
        "prediction": [float(v) for v in dataset.scaler.inverse(prediction)],
    }
