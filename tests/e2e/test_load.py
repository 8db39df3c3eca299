"""Load: SSE clients that come and go, and many clients changing runs at once."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from tests.conftest import run_async

pytestmark = pytest.mark.e2e

FINAL = {"completed", "stopped", "failed", "interrupted"}


def _proc_counts(pid: int) -> tuple[int, int]:
    import os

    threads = len(os.listdir(f"/proc/{pid}/task"))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return threads, fds


KEYS = ("tasks", "threads", "open_fds")


def _settle(server, baseline: dict, timeout: float = 25.0) -> dict:
    """Wait for the counts to come back down (idle thread-pool workers retire after 10 s)."""
    deadline = time.monotonic() + timeout
    while True:
        stats = httpx.get(server.url + "/api/stats").json()
        if all(stats[k] <= baseline[k] for k in KEYS) or time.monotonic() > deadline:
            return stats
        time.sleep(0.2)


def test_500_sse_cycles_leave_nothing_behind(fresh_server) -> None:
    api = fresh_server.url + "/api/runs"
    run = httpx.post(api, json={"preset": "modern", "epochs": 100_000}).json()
    while len(httpx.get(f"{api}/{run['id']}").json()["history"]) < 10:
        time.sleep(0.05)

    async def cycles(n: int) -> None:
        rng = random.Random(0)
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(
            base_url=fresh_server.url, timeout=30, limits=limits
        ) as client:

            async def one(i: int) -> None:
                async with client.stream("GET", f"/api/runs/{run['id']}/events") as response:
                    assert response.status_code == 200
                    n = 0
                    async for _ in response.aiter_bytes():
                        n += 1
                        # half are cut at once, half after a few chunks
                        if i % 2 == 0 or n >= rng.randint(1, 5):
                            break

            for start in range(0, n, 25):
                await asyncio.gather(*(one(i) for i in range(start, start + 25)))

    run_async(lambda: cycles(25))  # warm up: the thread pool grows to its working size once
    baseline = httpx.get(fresh_server.url + "/api/stats").json()
    run_async(lambda: cycles(500))
    httpx.post(f"{api}/{run['id']}/stop")
    after = _settle(fresh_server, baseline)
    assert all(after[k] <= baseline[k] for k in KEYS), (baseline, after)
    assert "Exception in ASGI application" not in fresh_server.log()
    assert "Traceback" not in fresh_server.log()


def test_20_clients_changing_runs_for_30_s_get_no_5xx(fresh_server) -> None:
    seconds = 30

    async def chaos() -> list[int]:
        statuses: list[int] = []
        async with httpx.AsyncClient(base_url=fresh_server.url, timeout=60) as client:

            async def worker(seed: int) -> None:
                rng = random.Random(seed)
                mine: list[int] = []
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    action = rng.choice(
                        ["create", "create", "stop", "pause", "resume", "delete", "read"]
                    )
                    if action == "create" or not mine:
                        body = {
                            "preset": rng.choice(["modern", "tutorial"]),
                            "epochs": rng.choice([5, 50, 100_000]),
                        }
                        r = await client.post("/api/runs", json=body)
                        if r.status_code == 201:
                            mine.append(r.json()["id"])
                    elif action == "delete":
                        r = await client.delete(f"/api/runs/{mine.pop(rng.randrange(len(mine)))}")
                    elif action == "read":
                        r = await client.get(f"/api/runs/{rng.choice(mine)}")
                    else:
                        r = await client.post(f"/api/runs/{rng.choice(mine)}/{action}")
                    statuses.append(r.status_code)
                    await asyncio.sleep(rng.uniform(0, 0.05))

            await asyncio.gather(*(worker(i) for i in range(20)))
        return statuses

    statuses = run_async(chaos)
    assert statuses and all(s < 500 for s in statuses), sorted(set(statuses))
    assert set(statuses) <= {200, 201, 204, 404, 409, 429}, sorted(set(statuses))

    api = fresh_server.url + "/api/runs"
    for run in httpx.get(api).json():
        if run["status"] not in FINAL:
            r = httpx.post(f"{api}/{run['id']}/stop", timeout=30)
            assert r.status_code in (200, 409)
    for run in httpx.get(api).json():
        full = httpx.get(f"{api}/{run['id']}").json()
        assert full["status"] in FINAL, full["status"]
        epochs = [e["epoch"] for e in full["history"]]
        assert epochs == list(range(1, len(epochs) + 1))
        if full["status"] == "completed":
            assert (
                len(epochs) == full["config"]["epochs"] or full["config"]["early_stopping_patience"]
            )
    assert "Traceback" not in fresh_server.log()
