"""SQLite persistence: runs, every epoch's result, and each run's latest model.

One file in the data directory, WAL mode, standard library only. One connection
shared by the request threads and the training workers, serialised by a lock:
every statement here is short, and WAL lets readers in other processes go on.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    preset        TEXT NOT NULL,
    status        TEXT NOT NULL,
    config        TEXT NOT NULL,
    error         TEXT,
    created_at    REAL NOT NULL,
    started_at    REAL,
    finished_at   REAL,
    epochs_done   INTEGER NOT NULL DEFAULT 0,
    best_val_rmse REAL,
    best_epoch    INTEGER
);
CREATE TABLE IF NOT EXISTS epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch  INTEGER NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS models (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    epoch  INTEGER NOT NULL,
    blob   BLOB NOT NULL
);
"""

LIVE_STATUSES = ("queued", "running", "paused")
FINAL_STATUSES = ("completed", "stopped", "failed", "interrupted")

_SUMMARY_COLUMNS = (
    "id, name, preset, status, config, error, created_at, started_at, finished_at, "
    "epochs_done, best_val_rmse, best_epoch"
)


class DataDirError(RuntimeError):
    """The data directory cannot hold the database."""


class RunStore:
    """All reads and writes of runs, epochs and models."""

    def __init__(self, path: Path, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path,
                check_same_thread=False,
                isolation_level=None,
                timeout=busy_timeout_ms / 1000,
            )
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise DataDirError(
                f"cannot use data directory {self.path.parent.resolve()}: {exc}"
            ) from exc
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # --- runs ---------------------------------------------------------------

    def create_run(self, name: str, preset: str, config: dict, status: str = "queued") -> dict:
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO runs (name, preset, status, config, created_at) VALUES (?, ?, ?, ?, ?)",
                (name, preset, status, json.dumps(config), now),
            )
            run_id = int(cur.lastrowid or 0)
        run = self.get_run(run_id)
        assert run is not None
        return run

    def get_run(self, run_id: int) -> dict | None:
        rows = self._query(f"SELECT {_SUMMARY_COLUMNS} FROM runs WHERE id = ?", (run_id,))
        return _run_row(rows[0]) if rows else None

    def list_runs(self) -> list[dict]:
        rows = self._query(f"SELECT {_SUMMARY_COLUMNS} FROM runs ORDER BY id DESC")
        return [_run_row(r) for r in rows]

    def set_status(self, run_id: int, status: str, error: str | None = None) -> None:
        now = time.time()
        started = now if status == "running" else None
        finished = now if status in FINAL_STATUSES else None
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET status = ?, error = COALESCE(?, error), "
                "started_at = COALESCE(started_at, ?), finished_at = COALESCE(?, finished_at) "
                "WHERE id = ?",
                (status, error, started, finished, run_id),
            )

    def delete_run(self, run_id: int) -> bool:
        with self._tx() as db:
            cur = db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            return cur.rowcount > 0

    def mark_interrupted(self) -> int:
        """At start-up: runs that were live when the last process died."""
        marks = ",".join("?" * len(LIVE_STATUSES))
        with self._tx() as db:
            cur = db.execute(
                f"UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?), "
                f"error = COALESCE(error, 'the server stopped while this run was live') "
                f"WHERE status IN ({marks})",
                (time.time(), *LIVE_STATUSES),
            )
            return cur.rowcount

    # --- epochs and models --------------------------------------------------

    def append_epochs(
        self, run_id: int, epochs: list[dict], model: tuple[int, bytes] | None = None
    ) -> None:
        """Write a batch of epoch results (and optionally the model) in one transaction."""
        if not epochs and model is None:
            return
        with self._tx() as db:
            exists = db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone()
            if exists is None:  # deleted while training: nothing to keep
                return
            if epochs:
                db.executemany(
                    "INSERT OR REPLACE INTO epochs (run_id, epoch, data) VALUES (?, ?, ?)",
                    [(run_id, e["epoch"], json.dumps(e)) for e in epochs],
                )
                best = min(
                    (e for e in epochs if e.get("val_rmse") is not None),
                    key=lambda e: e["val_rmse"],
                    default=None,
                )
                db.execute(
                    "UPDATE runs SET epochs_done = MAX(epochs_done, ?) WHERE id = ?",
                    (epochs[-1]["epoch"], run_id),
                )
                if best is not None:
                    db.execute(
                        "UPDATE runs SET best_val_rmse = ?, best_epoch = ? WHERE id = ? AND "
                        "(best_val_rmse IS NULL OR best_val_rmse > ?)",
                        (best["val_rmse"], best["epoch"], run_id, best["val_rmse"]),
                    )
            if model is not None:
                db.execute(
                    "INSERT OR REPLACE INTO models (run_id, epoch, blob) VALUES (?, ?, ?)",
                    (run_id, model[0], sqlite3.Binary(model[1])),
                )

    def history(self, run_id: int, after: int = 0) -> list[dict]:
        rows = self._query(
            "SELECT data FROM epochs WHERE run_id = ? AND epoch > ? ORDER BY epoch",
            (run_id, after),
        )
        return [json.loads(r["data"]) for r in rows]

    def model(self, run_id: int) -> tuple[int, bytes] | None:
        rows = self._query("SELECT epoch, blob FROM models WHERE run_id = ?", (run_id,))
        return (int(rows[0]["epoch"]), bytes(rows[0]["blob"])) if rows else None

    def integrity_check(self) -> str:
        return str(self._query("PRAGMA integrity_check")[0][0])


def _run_row(row: sqlite3.Row) -> dict:
    run = dict(row)
    run["config"] = json.loads(run["config"])
    return run
