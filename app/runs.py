"""The run manager: trains outside the event loop and fans every epoch out.

Each run trains in its own worker thread (NumPy's matrix products release the GIL,
and a thread shares the latest weights with the predict routes without copying
them across a process boundary). A run's epochs are appended to an in-memory list
that event streams read by index, so a late or reconnecting subscriber gets
exactly the epochs after the one it has: no per-subscriber queue exists to leak
or overflow. The worker wakes the subscribers through the event loop
(`call_soon_threadsafe`) and writes to SQLite in batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.config import Settings
from app.schemas import json_safe
from app.store import FINAL_STATUSES, RunStore
from rnn_core import checkpoint
from rnn_core.train import Trainer, TrainingDiverged, config_to_dict


class RunNotFound(LookupError):
    pass


class Conflict(RuntimeError):
    """The run is not in a status that allows this; `status` is the current one."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


class QueueFull(RuntimeError):
    pass


class NotTrainedYet(RuntimeError):
    pass


@dataclass
class Model:
    """What a prediction needs: weights, activation, window length, scaling."""

    params: dict[str, np.ndarray]
    config: Any  # rnn_core.train.TrainConfig
    scaler: Any  # rnn_core.data.Scaler
    epoch: int


@dataclass(eq=False)
class LiveRun:
    """A run that is queued, running or paused in this process."""

    id: int
    config: Any  # rnn_core.train.TrainConfig
    status: str = "queued"
    error: str | None = None
    history: list[dict] = field(default_factory=list)
    statuses: list[dict] = field(default_factory=list)
    snapshot: dict | None = None
    snapshot_seq: int = 0
    trainer: Any = None
    started: bool = False
    stop_requested: bool = False
    pause_requested: bool = False
    shutting_down: bool = False
    cond: threading.Condition = field(default_factory=threading.Condition)
    done: threading.Event = field(default_factory=threading.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        """Broadcast to every subscriber; runs on the event loop thread."""
        event, self.changed = self.changed, asyncio.Event()
        event.set()


class RunManager:
    def __init__(self, store: RunStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()
        self._live: dict[int, LiveRun] = {}
        self._queue: deque[int] = deque()
        self._running = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self._models: OrderedDict[int, Model] = OrderedDict()  # finished runs' weights
        self._closing = False

    # --- lifecycle ----------------------------------------------------------

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        await asyncio.to_thread(self.store.mark_interrupted)

    def request_shutdown(self) -> None:
        """Stop every worker at its next epoch boundary; their runs end `interrupted`, which
        also ends their event streams. Idempotent; call it on the event loop thread."""
        with self._lock:
            runs = list(self._live.values())
            self._queue.clear()
            self._closing = True
        for run in runs:
            with run.cond:
                run.shutting_down = True
                run.stop_requested = True
                run.cond.notify_all()
            if not run.started:  # still queued
                self._finish(run, "interrupted", "the server stopped before this run started")

    async def shutdown(self, timeout: float = 2.0) -> None:
        self.request_shutdown()
        with self._lock:
            runs = list(self._live.values())
        deadline = time.monotonic() + timeout
        for run in runs:
            await asyncio.to_thread(run.done.wait, max(0.0, deadline - time.monotonic()))
        # Anything still live in the database (a worker that did not stop in time).
        await asyncio.to_thread(self.store.mark_interrupted)

    # --- commands -----------------------------------------------------------

    def create(self, name: str, preset: str, config: Any) -> dict:
        with self._lock:
            if (
                self._running >= self.settings.max_runs
                and len(self._queue) >= self.settings.max_queue
            ):
                raise QueueFull(
                    f"{self._running} runs are training and {len(self._queue)} are queued "
                    f"(the limit); try again when one finishes"
                )
            row = self.store.create_run(name, preset, config_to_dict(config))
            run = LiveRun(id=row["id"], config=config)
            run.statuses.append({"status": "queued", "error": None})
            self._live[run.id] = run
            self._queue.append(run.id)
            self._start_queued_locked()
        return self.store.get_run(run.id) or row

    def stop(self, run_id: int, wait: float = 10.0) -> dict:
        run = self._require_live(run_id, "stop")
        with self._lock:
            if run.id in self._queue:
                self._queue.remove(run.id)
                queued = True
            else:
                queued = False
        if queued:
            self._finish(run, "stopped")
        else:
            with run.cond:
                run.stop_requested = True
                run.cond.notify_all()
            run.done.wait(wait)
        return self._status(run_id)

    def pause(self, run_id: int) -> dict:
        run = self._require_live(run_id, "pause")
        with run.cond:
            if run.status != "running" or run.stop_requested:
                raise Conflict(
                    f"run {run_id} is {run.status}; only a running run can be paused", run.status
                )
            run.pause_requested = True
            self._set_status(run, "paused")
        return self._status(run_id)

    def resume(self, run_id: int) -> dict:
        run = self._require_live(run_id, "resume")
        with run.cond:
            if run.status != "paused":
                raise Conflict(
                    f"run {run_id} is {run.status}; only a paused run can be resumed", run.status
                )
            run.pause_requested = False
            self._set_status(run, "running")
            run.cond.notify_all()
        return self._status(run_id)

    def delete(self, run_id: int) -> None:
        with self._lock:
            run = self._live.get(run_id)
        if run is not None:
            with contextlib.suppress(Conflict):  # it ended on its own meanwhile
                self.stop(run_id)
        if not self.store.delete_run(run_id):
            raise RunNotFound(run_id)
        with self._lock:
            self._models.pop(run_id, None)

    # --- reads --------------------------------------------------------------

    def live(self, run_id: int) -> LiveRun | None:
        with self._lock:
            return self._live.get(run_id)

    def live_count(self) -> int:
        with self._lock:
            return len(self._live)

    def model(self, run_id: int) -> Model:
        """The latest weights: the live trainer's, else the stored model (cached: a run that
        is not live in this process never changes again)."""
        run = self.live(run_id)
        if run is not None:
            trainer = run.trainer
            if trainer is None or not run.history:
                raise NotTrainedYet(f"run {run_id} has no finished epoch yet")
            return Model(
                trainer.snapshot_params(), run.config, trainer.dataset.scaler, len(run.history)
            )
        with self._lock:
            if run_id in self._models:
                self._models.move_to_end(run_id)
                return self._models[run_id]
        stored = self.store.model(run_id)
        if stored is None:
            if self.store.get_run(run_id) is None:
                raise RunNotFound(run_id)
            raise NotTrainedYet(f"run {run_id} has no finished epoch yet")
        epoch, blob = stored
        ckpt = checkpoint.from_bytes(blob)
        model = Model(ckpt.params, ckpt.config, ckpt.scaler, epoch)
        with self._lock:
            if run_id not in self._live and self.store.get_run(run_id) is not None:
                self._models[run_id] = model
                while len(self._models) > 32:
                    self._models.popitem(last=False)
        return model

    # --- the worker ---------------------------------------------------------

    def _start_queued_locked(self) -> None:
        while self._queue and self._running < self.settings.max_runs:
            run = self._live[self._queue.popleft()]
            run.started = True
            self._running += 1
            threading.Thread(
                target=self._work, args=(run,), name=f"run-{run.id}", daemon=True
            ).start()

    def _work(self, run: LiveRun) -> None:
        pending: list[dict] = []
        final, error = "completed", None
        trainer = None
        try:
            trainer = Trainer(run.config)
            with run.cond:
                run.trainer = trainer
                if run.stop_requested:
                    raise _Stopped
                self._set_status(run, "running")
            last_flush = last_snapshot = time.monotonic()
            for result in trainer.epochs():
                row = json_safe(result.to_dict())
                row["t"] = time.time()
                run.history.append(row)
                pending.append(row)
                now = time.monotonic()
                if now - last_snapshot >= self.settings.snapshot_interval:
                    self._take_snapshot(run, trainer)
                    last_snapshot = now
                self._notify(run)
                if now - last_flush >= self.settings.flush_interval:
                    self._flush(run, pending, trainer)
                    pending = []
                    last_flush = now
                with run.cond:
                    while run.pause_requested and not run.stop_requested:
                        if pending:
                            self._flush(run, pending, trainer)
                            pending = []
                        run.cond.wait()
                    if run.stop_requested:
                        raise _Stopped
        except _Stopped:
            final = "interrupted" if run.shutting_down else "stopped"
            error = "the server stopped while this run was live" if run.shutting_down else None
        except TrainingDiverged as exc:
            final, error = "failed", str(exc)
        except Exception as exc:  # a worker that raises leaves its run failed, the server unharmed
            final, error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            try:
                if trainer is not None and run.history:
                    self._flush(run, pending, trainer)
                    self._take_snapshot(run, trainer)
            except Exception as exc:  # noqa: BLE001 - the final status must still be written
                final, error = "failed", f"could not save the run: {type(exc).__name__}: {exc}"
            self._finish(run, final, error)

    def _flush(self, run: LiveRun, pending: list[dict], trainer: Trainer) -> None:
        blob = checkpoint.to_bytes(trainer.snapshot_params(), run.config, trainer.dataset.scaler)
        self.store.append_epochs(run.id, pending, model=(len(run.history), blob))

    def _take_snapshot(self, run: LiveRun, trainer: Any) -> None:
        run.snapshot = json_safe(
            {
                "epoch": len(run.history),
                "train": trainer.predictions("train"),
                "val": trainer.predictions("val"),
            }
        )
        run.snapshot_seq += 1

    def _finish(self, run: LiveRun, status: str, error: str | None = None) -> None:
        with run.cond:
            if run.done.is_set():
                return
            self._set_status(run, status, error)
            run.done.set()
        with self._lock:
            self._live.pop(run.id, None)
            if run.started:
                self._running -= 1
            if not self._closing:
                self._start_queued_locked()

    def _set_status(self, run: LiveRun, status: str, error: str | None = None) -> None:
        run.status, run.error = status, error
        self.store.set_status(run.id, status, error)
        run.statuses.append({"status": status, "error": error})
        self._notify(run)

    def _notify(self, run: LiveRun) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed since the check
                loop.call_soon_threadsafe(run.wake)

    def _require_live(self, run_id: int, action: str) -> LiveRun:
        run = self.live(run_id)
        if run is not None:
            return run
        row = self.store.get_run(run_id)
        if row is None:
            raise RunNotFound(run_id)
        raise Conflict(f"cannot {action} run {run_id}: it is {row['status']}", row["status"])

    def _status(self, run_id: int) -> dict:
        row = self.store.get_run(run_id)
        if row is None:
            raise RunNotFound(run_id)
        return {"id": run_id, "status": row["status"], "error": row["error"]}


class _Stopped(Exception):
    """Raised inside the worker to leave the epoch loop on stop."""


__all__ = [
    "FINAL_STATUSES",
    "Conflict",
    "LiveRun",
    "NotTrainedYet",
    "QueueFull",
    "RunManager",
    "RunNotFound",
]
