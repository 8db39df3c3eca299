"""Every route of the runs resource and every error code it documents."""

from __future__ import annotations

import csv
import dataclasses
import io
import time

from fastapi.testclient import TestClient

from rnn_core.model import PARAM_NAMES
from rnn_core.train import EpochResult
from tests.app.conftest import wait_epochs, wait_for

LONG = {"preset": "modern", "epochs": 100_000}


def test_health_and_presets(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    presets = client.get("/api/presets").json()
    tutorial = presets["tutorial"]
    assert (tutorial["hidden_size"], tutorial["activation"], tutorial["init"]) == (
        100,
        "sigmoid",
        "uniform01",
    )
    assert (tutorial["optimizer"], tutorial["learning_rate"], tutorial["batch_size"]) == (
        "sgd",
        1e-4,
        1,
    )
    assert (tutorial["truncate"], tutorial["clip_value"], tutorial["epochs"]) == (5, 10, 25)
    assert presets["modern"]["activation"] == "tanh"


def test_create_run_trains_to_completion(client: TestClient) -> None:
    response = client.post("/api/runs", json={"preset": "modern", "epochs": 5, "name": "first"})
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["name"] == "first" and run["config"]["epochs"] == 5
    assert run["status"] in {"queued", "running", "completed"}
    done = wait_for(client, run["id"], {"completed"})
    assert [e["epoch"] for e in done["history"]] == [1, 2, 3, 4, 5]
    first = done["history"][0]
    assert set(first) == {f.name for f in dataclasses.fields(EpochResult)} | {"t"}
    assert set(first["grad_norms"]) == set(PARAM_NAMES)
    assert done["error"] is None and done["epochs_done"] == 5


def test_overrides_and_data_reach_the_config(client: TestClient) -> None:
    body = {
        "preset": "tutorial",
        "hidden_size": 8,
        "truncate": None,
        "epochs": 1,
        "data": {"kind": "square", "seq_len": 10},
    }
    run = client.post("/api/runs", json=body).json()
    assert run["config"]["hidden_size"] == 8
    assert run["config"]["truncate"] is None
    assert run["config"]["activation"] == "sigmoid"
    assert run["config"]["data"]["kind"] == "square" and run["config"]["data"]["seq_len"] == 10


def test_bad_fields_get_422_naming_the_field(client: TestClient) -> None:
    cases = [
        ({"hidden_size": 0}, "hidden_size"),
        ({"hidden_size": "8"}, "hidden_size"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"activation": "softmax"}, "activation"),
        ({"preset": "nope"}, "preset"),
        ({"bogus": 1}, "bogus"),
        ({"data": {"seq_len": 0}}, "seq_len"),
        ({"data": {"n_points": 60, "seq_len": 50, "val_windows": 50}}, "data"),
        ({"data": {"series": [1.0, 2.0, 3.0, 4.0], "seq_len": 3, "val_windows": 1}}, "data"),
    ]
    before = len(client.get("/api/runs").json())
    for body, field in cases:
        response = client.post("/api/runs", json={"preset": "modern", **body})
        assert response.status_code == 422, (body, response.text)
        detail = response.json()["detail"]
        assert any(field in [str(p) for p in d["loc"]] for d in detail), (body, detail)
    assert len(client.get("/api/runs").json()) == before


def test_memory_budget_refuses_huge_runs(make_client) -> None:
    client = make_client(memory_budget_mb=16)
    body = {
        "preset": "modern",
        "hidden_size": 512,
        "batch_size": 4096,
        "data": {"n_points": 100_000, "seq_len": 1000},
    }
    response = client.post("/api/runs", json=body)
    assert response.status_code == 422
    assert "MB" in response.json()["detail"][0]["msg"]


def test_unknown_run_is_404_everywhere(client: TestClient) -> None:
    for method, path in [
        ("get", "/api/runs/999"),
        ("post", "/api/runs/999/stop"),
        ("post", "/api/runs/999/pause"),
        ("post", "/api/runs/999/resume"),
        ("delete", "/api/runs/999"),
        ("get", "/api/runs/999/events"),
        ("get", "/api/runs/999/predictions"),
        ("get", "/api/runs/999/history.csv"),
        ("get", "/api/runs/999/model"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path, response.text)
        assert "999" in response.json()["detail"]
    assert client.post("/api/runs/999/predict", json={"window": [0.0]}).status_code == 404


def test_invalid_transitions_are_409_with_the_status(client: TestClient) -> None:
    run = client.post("/api/runs", json={"preset": "modern", "epochs": 2}).json()
    wait_for(client, run["id"], {"completed"})
    for action in ("resume", "pause", "stop"):
        response = client.post(f"/api/runs/{run['id']}/{action}")
        assert response.status_code == 409
        assert response.json()["status"] == "completed"
        assert "completed" in response.json()["detail"]


def test_pause_resume_and_stop_take_effect_within_an_epoch(client: TestClient) -> None:
    run = client.post("/api/runs", json=LONG).json()
    wait_epochs(client, run["id"], 3)
    assert client.post(f"/api/runs/{run['id']}/pause").json()["status"] == "paused"
    time.sleep(0.2)  # one epoch at most may finish after the pause
    n = len(client.get(f"/api/runs/{run['id']}").json()["history"])
    time.sleep(0.3)
    assert len(client.get(f"/api/runs/{run['id']}").json()["history"]) == n
    assert client.post(f"/api/runs/{run['id']}/pause").status_code == 409
    assert client.post(f"/api/runs/{run['id']}/resume").json()["status"] == "running"
    wait_epochs(client, run["id"], n + 3)
    stopped = client.post(f"/api/runs/{run['id']}/stop").json()
    assert stopped["status"] == "stopped"
    after = client.get(f"/api/runs/{run['id']}").json()
    time.sleep(0.2)
    assert client.get(f"/api/runs/{run['id']}").json()["history"] == after["history"]
    assert after["status"] == "stopped" and len(after["history"]) >= n + 3


def test_runs_beyond_the_limit_queue_first_in_first_out(make_client) -> None:
    client = make_client(max_runs=1, max_queue=2)
    first = client.post("/api/runs", json=LONG).json()
    second = client.post("/api/runs", json=LONG).json()
    third = client.post("/api/runs", json={"preset": "modern", "epochs": 2}).json()
    assert second["status"] == "queued" and third["status"] == "queued"
    full = client.post("/api/runs", json=LONG)
    assert full.status_code == 429 and "queued" in full.json()["detail"]
    # A queued run has no weights yet.
    assert (
        client.post(f"/api/runs/{second['id']}/predict", json={"window": [0.0] * 50}).status_code
        == 409
    )
    assert client.get(f"/api/runs/{second['id']}/model").status_code == 409
    client.post(f"/api/runs/{first['id']}/stop")
    wait_for(client, second["id"], {"running"})
    assert client.get(f"/api/runs/{third['id']}").json()["status"] == "queued"
    client.post(f"/api/runs/{second['id']}/stop")
    wait_for(client, third["id"], {"completed"})
    # Stopping a queued run works too.
    fourth = client.post("/api/runs", json=LONG).json()
    fifth = client.post("/api/runs", json=LONG).json()
    assert client.post(f"/api/runs/{fifth['id']}/stop").json()["status"] == "stopped"
    client.post(f"/api/runs/{fourth['id']}/stop")


def test_list_is_newest_first_and_delete_removes_everything(client: TestClient) -> None:
    a = client.post("/api/runs", json={"preset": "modern", "epochs": 2}).json()
    b = client.post("/api/runs", json=LONG).json()
    ids = [r["id"] for r in client.get("/api/runs").json()]
    assert ids.index(b["id"]) < ids.index(a["id"])
    wait_epochs(client, b["id"], 1)
    assert client.delete(f"/api/runs/{b['id']}").status_code == 204  # stops it first
    assert client.get(f"/api/runs/{b['id']}").status_code == 404
    assert client.delete(f"/api/runs/{b['id']}").status_code == 404
    wait_for(client, a["id"], {"completed"})
    assert client.delete(f"/api/runs/{a['id']}").status_code == 204
    assert all(r["id"] not in {a["id"], b["id"]} for r in client.get("/api/runs").json())


def test_history_csv_and_model_export(client: TestClient) -> None:
    from rnn_core import checkpoint

    run = client.post("/api/runs", json={"preset": "modern", "epochs": 4}).json()
    wait_for(client, run["id"], {"completed"})
    response = client.get(f"/api/runs/{run['id']}/history.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert float(rows[-1]["val_rmse"]) > 0 and "grad_norm_W_hh" in rows[0]
    model = client.get(f"/api/runs/{run['id']}/model")
    assert model.status_code == 200
    ckpt = checkpoint.from_bytes(model.content)
    assert ckpt.config.epochs == 4 and set(ckpt.params) == {"W_xh", "W_hh", "b_h", "W_hy", "b_y"}
