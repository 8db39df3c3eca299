"""Faults: SIGTERM with runs training, and a database held busy by another process."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time

import httpx
import pytest

from tests.conftest import ServerProcess

pytestmark = pytest.mark.e2e

LONG = {"preset": "modern", "epochs": 100_000}


def _wait_epochs(api: str, run_id: int, n: int) -> None:
    deadline = time.monotonic() + 60
    while len(httpx.get(f"{api}/{run_id}").json()["history"]) < n:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_sigterm_stops_within_5_s_and_marks_runs_interrupted(tmp_path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    api = server.url + "/api/runs"
    runs = [httpx.post(api, json=LONG).json() for _ in range(2)]
    for run in runs:
        _wait_epochs(api, run["id"], 5)
    # An open event stream must not hold the shutdown.
    stream = httpx.Client(timeout=30)
    response = stream.send(
        stream.build_request("GET", f"{api}/{runs[0]['id']}/events"), stream=True
    )
    assert response.status_code == 200
    t0 = time.monotonic()
    code = server.stop(signal.SIGTERM, timeout=10)
    elapsed = time.monotonic() - t0
    response.close()
    stream.close()
    assert elapsed <= 5.0, f"took {elapsed:.1f} s to stop"
    assert code in (0, -signal.SIGTERM), server.log()  # uvicorn re-raises the signal it caught
    assert "Traceback" not in server.log(), server.log()
    db = sqlite3.connect(tmp_path / "data" / "rnnlab.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        statuses = dict(db.execute("SELECT id, status FROM runs").fetchall())
        assert statuses == {run["id"]: "interrupted" for run in runs}
        for run in runs:
            (n,) = db.execute(
                "SELECT COUNT(*) FROM epochs WHERE run_id = ?", (run["id"],)
            ).fetchone()
            assert n >= 5
    finally:
        db.close()


def test_requests_wait_for_a_busy_database_rather_than_fail(fresh_server) -> None:
    held = threading.Event()

    def hold_write_lock() -> None:  # a second process would do the same through the file lock
        db = sqlite3.connect(fresh_server.data_dir / "rnnlab.sqlite3", isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(1.5)
        db.execute("COMMIT")
        db.close()

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    assert held.wait(10)
    t0 = time.monotonic()
    response = httpx.post(
        fresh_server.url + "/api/runs", json={"preset": "modern", "epochs": 2}, timeout=30
    )
    waited = time.monotonic() - t0
    holder.join()
    assert response.status_code == 201, response.text
    assert waited >= 1.0, "the request should have waited for the lock"
