"""A user's series from an uploaded CSV."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _upload(client: TestClient, content: bytes):
    return client.post("/api/series/csv", files={"file": ("series.csv", content, "text/csv")})


def test_first_column_with_a_header(client: TestClient) -> None:
    response = _upload(client, b"value,other\n1.5,x\n2,y\n\n-3e2,z\n")
    assert response.status_code == 200
    assert response.json() == {"series": [1.5, 2.0, -300.0]}


def test_text_in_the_csv_is_422_naming_the_line(client: TestClient) -> None:
    response = _upload(client, b"1\n2\nthree\n4\n")
    assert response.status_code == 422
    assert (
        "line 3" in response.json()["detail"][0]["msg"]
        and "three" in response.json()["detail"][0]["msg"]
    )


def test_non_finite_binary_and_too_short_files_are_422(client: TestClient) -> None:
    assert "finite" in _upload(client, b"1\nnan\n2\n").json()["detail"][0]["msg"]
    assert "UTF-8" in _upload(client, b"\xff\xfe\x00\x01").json()["detail"][0]["msg"]
    assert "at least 3" in _upload(client, b"1\n2\n").json()["detail"][0]["msg"]
    assert client.post("/api/series/csv").status_code == 422


def test_an_uploaded_series_trains(client: TestClient) -> None:
    import math

    series = _upload(client, "\n".join(str(math.sin(t / 3)) for t in range(120)).encode()).json()[
        "series"
    ]
    run = client.post(
        "/api/runs",
        json={
            "preset": "modern",
            "epochs": 2,
            "data": {"series": series, "seq_len": 20, "val_windows": 20},
        },
    )
    assert run.status_code == 201


def test_bytes_that_are_not_csv_are_422_not_500(client: TestClient) -> None:
    # Found by schemathesis: csv.Error (a carriage return inside a field, NUL bytes) was a 500.
    for content in ["ç\U000f441dÜ\rQ\x05".encode(), b"1\n2\x00\n3\n", b'1\n"2\n3']:
        response = _upload(client, content)
        assert response.status_code == 422, (content, response.text)
