"""Predictions from a run's weights, in the user's units, and their errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import wait_for


def _trained(client: TestClient, **body) -> dict:
    run = client.post("/api/runs", json={"preset": "modern", "epochs": 30, **body}).json()
    return wait_for(client, run["id"], {"completed"})


def test_window_windows_and_forecast(client: TestClient) -> None:
    run = _trained(client)
    url = f"/api/runs/{run['id']}/predict"
    t = np.arange(200)
    window = np.sin(t[150:200]).tolist()
    one = client.post(url, json={"window": window})
    assert one.status_code == 200, one.text
    assert abs(one.json()["prediction"] - math.sin(200)) < 0.2
    many = client.post(url, json={"windows": [window, np.sin(t[100:150]).tolist()]}).json()
    assert len(many["predictions"]) == 2
    assert many["predictions"][0] == pytest.approx(one.json()["prediction"], rel=1e-5)
    fc = client.post(url, json={"series": np.sin(t).tolist(), "steps": 5}).json()
    assert len(fc["forecast"]) == 5
    assert fc["forecast"][0] == pytest.approx(one.json()["prediction"], rel=1e-5)  # float32 model


def test_predictions_per_split(client: TestClient) -> None:
    run = _trained(client)
    val = client.get(f"/api/runs/{run['id']}/predictions", params={"split": "val"}).json()
    assert len(val["index"]) == len(val["truth"]) == len(val["prediction"]) == 50
    assert val["index"][0] == 150 and abs(val["truth"][0] - math.sin(150)) < 1e-12
    train = client.get(f"/api/runs/{run['id']}/predictions", params={"split": "train"}).json()
    assert len(train["index"]) == 100 and train["index"][0] == 50
    assert (
        client.get(f"/api/runs/{run['id']}/predictions", params={"split": "test"}).status_code
        == 422
    )


def test_user_series_predictions_come_back_in_user_units(client: TestClient) -> None:
    series = (1000 + 50 * np.sin(np.arange(120) * 0.5)).tolist()
    run = _trained(client, data={"series": series, "seq_len": 20, "val_windows": 20})
    val = client.get(f"/api/runs/{run['id']}/predictions").json()
    assert abs(val["truth"][0] - series[100]) < 1e-9
    assert all(900 < p < 1100 for p in val["prediction"])
    prediction = client.post(
        f"/api/runs/{run['id']}/predict", json={"window": series[-20:]}
    ).json()["prediction"]
    assert 900 < prediction < 1100


def test_bad_predict_bodies_are_422_with_the_reason(client: TestClient) -> None:
    run = _trained(client, epochs=1)
    url = f"/api/runs/{run['id']}/predict"
    short = client.post(url, json={"window": [0.0] * 49})
    assert short.status_code == 422 and "50" in str(short.json()["detail"])
    assert client.post(url, json={"windows": [[0.0] * 50, [0.0] * 3]}).status_code == 422
    assert client.post(url, json={"windows": [[0.0] * 50] * 1001}).status_code == 422
    assert client.post(url, json={"series": [0.0] * 50, "steps": 10_001}).status_code == 422
    assert client.post(url, json={"series": [0.0] * 50, "steps": 0}).status_code == 422
    assert client.post(url, json={}).status_code == 422
    nan = client.post(
        url,
        content=b'{"window": [NaN' + b", 0.0" * 49 + b"]}",
        headers={"content-type": "application/json"},
    )
    assert nan.status_code == 422


def test_a_worker_that_raises_leaves_the_run_failed(client: TestClient, monkeypatch) -> None:
    from rnn_core import train

    def broken(self):
        yield from ()
        raise RuntimeError("boom in the worker")

    monkeypatch.setattr(train.Trainer, "epochs", broken)
    run = client.post("/api/runs", json={"preset": "modern", "epochs": 3}).json()
    failed = wait_for(client, run["id"], {"failed"})
    assert "boom in the worker" in failed["error"]
    monkeypatch.undo()
    assert client.get("/api/health").json() == {"status": "ok"}
    ok = client.post("/api/runs", json={"preset": "modern", "epochs": 2}).json()
    assert wait_for(client, ok["id"], {"completed"})["status"] == "completed"


def test_a_diverging_run_fails_with_its_reason(client: TestClient) -> None:
    body = {
        "preset": "modern",
        "optimizer": "sgd",
        "learning_rate": 10.0,
        "activation": "relu",
        "init": "normal",
        "clip_norm": None,
        "clip_value": None,
        "lr_schedule": "constant",
        "epochs": 200,
    }
    run = client.post("/api/runs", json=body).json()
    failed = wait_for(client, run["id"], {"failed"})
    assert "diverged at epoch" in failed["error"]


def test_a_series_shorter_than_the_window_is_422_not_500(client: TestClient) -> None:
    # Found by schemathesis: forecast raised ValueError, answered 500.
    run = _trained(client, epochs=1)
    response = client.post(
        f"/api/runs/{run['id']}/predict", json={"series": [1.0, 2.0], "steps": 3}
    )
    assert response.status_code == 422
    assert "seq_len" in str(response.json()["detail"])


def test_an_overflowing_forecast_is_valid_json_with_nulls(client: TestClient) -> None:
    run = _trained(client, epochs=1, activation="relu", init="normal")
    response = client.post(
        f"/api/runs/{run['id']}/predict", json={"series": [1e300] * 50, "steps": 3}
    )
    assert response.status_code == 200
    assert all(v is None or math.isfinite(v) for v in response.json()["forecast"])


def test_a_body_that_is_not_json_is_422(client: TestClient) -> None:
    # Found by schemathesis: FastAPI answered an undocumented 400.
    response = client.post(
        "/api/runs", content=b"2\x1f,sm;&", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"][0]["msg"]


def test_405_names_every_method_of_the_path(client: TestClient) -> None:
    # Found by schemathesis: Starlette's Allow listed the first route's methods only.
    response = client.request("OPTIONS", "/api/runs")
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
