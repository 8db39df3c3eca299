"""SIGKILL mid-training, then a restart on the same data directory."""

from __future__ import annotations

import time

import httpx
import numpy as np
import pytest

from tests.conftest import ServerProcess

pytestmark = pytest.mark.e2e


def test_sigkill_keeps_finished_runs_and_marks_the_training_one_interrupted(tmp_path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    api = server.url + "/api/runs"
    done = httpx.post(api, json={"preset": "modern", "epochs": 30}).json()
    deadline = time.monotonic() + 60
    while httpx.get(f"{api}/{done['id']}").json()["status"] != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    window = np.sin(np.arange(150, 200)).tolist()
    before = httpx.post(f"{api}/{done['id']}/predict", json={"window": window}).json()
    history_before = httpx.get(f"{api}/{done['id']}").json()["history"]

    live = httpx.post(api, json={"preset": "modern", "epochs": 100_000}).json()
    while len(httpx.get(f"{api}/{live['id']}").json()["history"]) < 20:
        time.sleep(0.05)
    time.sleep(1.2)  # let a batched write land
    server.kill()

    server = ServerProcess(tmp_path / "data").start()
    api = server.url + "/api/runs"
    try:
        finished = httpx.get(f"{api}/{done['id']}").json()
        assert finished["status"] == "completed"
        assert finished["history"] == history_before
        after = httpx.post(f"{api}/{done['id']}/predict", json={"window": window}).json()
        assert after == before
        assert httpx.get(f"{api}/{done['id']}/model").status_code == 200
        interrupted = httpx.get(f"{api}/{live['id']}").json()
        assert interrupted["status"] == "interrupted"
        epochs = [e["epoch"] for e in interrupted["history"]]
        assert len(epochs) >= 1 and epochs == list(range(1, len(epochs) + 1))
        # Its last stored weights still answer.
        assert httpx.post(f"{api}/{live['id']}/predict", json={"window": window}).status_code == 200
    finally:
        server.stop()
