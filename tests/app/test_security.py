"""Who may change what, security headers, and the body size limit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.conftest import wait_for


def test_every_response_has_the_security_headers(client: TestClient) -> None:
    for path in ["/", "/api/health", "/api/runs/999", "/static/style.css", "/vendor/plotly.min.js"]:
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert headers["x-content-type-options"] == "nosniff"


def test_token_guards_post_and_delete_but_not_reads(make_client) -> None:
    client = make_client(token="s3cret")
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/runs").status_code == 200
    assert client.get("/api/presets").status_code == 200
    body = {"preset": "modern", "epochs": 2}
    assert client.post("/api/runs", json=body).status_code == 401
    assert (
        client.post("/api/runs", json=body, headers={"Authorization": "Bearer wrong"}).status_code
        == 401
    )
    assert (
        client.post("/api/runs", json=body, headers={"Authorization": "Basic s3cret"}).status_code
        == 401
    )
    ok = client.post("/api/runs", json=body, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 201
    run_id = ok.json()["id"]
    wait_for(client, run_id, {"completed"})
    for path in [
        f"/api/runs/{run_id}/stop",
        f"/api/runs/{run_id}/pause",
        f"/api/runs/{run_id}/resume",
    ]:
        assert client.post(path).status_code == 401
    assert (
        client.post(f"/api/runs/{run_id}/predict", json={"window": [0.0] * 50}).status_code == 401
    )
    assert client.delete(f"/api/runs/{run_id}").status_code == 401
    assert (
        client.delete(f"/api/runs/{run_id}", headers={"Authorization": "Bearer s3cret"}).status_code
        == 204
    )


def test_an_empty_token_counts_as_no_token(make_client) -> None:
    client = make_client(token="")
    assert client.app.state.settings.token is None
    assert client.post("/api/runs", json={"preset": "modern", "epochs": 1}).status_code == 201


def test_a_body_over_the_limit_is_413(make_client) -> None:
    client = make_client(max_body_bytes=4096)
    response = client.post("/api/runs", json={"preset": "modern", "name": "x" * 5000})
    assert response.status_code == 413
    assert "4096" in response.json()["detail"]
    assert "content-security-policy" in response.headers


def test_the_page_asks_for_the_token_when_the_server_has_one(make_client) -> None:
    assert 'data-auth-required="true"' in make_client(token="t").get("/").text
