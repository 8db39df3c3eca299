"""Server figures, printed in one run against a real uvicorn subprocess.

    python benchmarks/bench_server.py

| figure | target |
|---|---|
| GET /api/health p99 while two modern runs train vs idle | <= 20 ms |
| predict (one window) req/s over bare JSON route req/s | >= 0.6 |
| 100 concurrent SSE subscribers to one run: epochs lost | 0 |
| epoch finished -> event received, p50 / p99 | <= 10 ms / <= 50 ms |
| epochs/s of a modern run through the server vs fit() alone | >= 0.8 |
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from httpx_sse import aconnect_sse, connect_sse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._server import ServerProcess  # noqa: E402

LONG = {"preset": "modern", "epochs": 100_000}


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def health_latencies(client: httpx.Client, n: int = 400) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        client.get("/api/health").raise_for_status()
        out.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.002)
    return out


def requests_per_second(client: httpx.Client, send, seconds: float = 3.0) -> float:
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        send(client).raise_for_status()
        n += 1
    return n / (time.perf_counter() - t0)


def wait_status(client: httpx.Client, run_id: int, statuses: set[str]) -> dict:
    """Poll the list of summaries (no histories), as lightly as a dashboard would."""
    while True:
        run = next(r for r in client.get("/api/runs").json() if r["id"] == run_id)
        if run["status"] in statuses:
            return run
        time.sleep(0.2)


async def sse_subscribers(url: str, run_id: int, n: int, epochs: int) -> list[list[int]]:
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def one() -> list[int]:
            got = []
            async with aconnect_sse(client, "GET", f"/api/runs/{run_id}/events") as source:
                async for sse in source.aiter_sse():
                    if sse.event == "epoch":
                        got.append(json.loads(sse.data)["epoch"])
                    elif sse.event == "status" and json.loads(sse.data)["status"] in {
                        "completed",
                        "failed",
                        "stopped",
                    }:
                        break
            return got

        tasks = [asyncio.create_task(one()) for _ in range(n)]
        await asyncio.sleep(0.5)  # everyone connected
        start = await client.post(f"/api/runs/{run_id}/resume")
        start.raise_for_status()
        return await asyncio.gather(*tasks)


def main() -> None:
    from rnn_core.train import PRESETS, fit

    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", log=Path(tmp) / "server.log").start()
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                # 1. health latency, idle vs two runs training
                idle = health_latencies(client)
                runs = [client.post("/api/runs", json=LONG).json() for _ in range(2)]
                time.sleep(1.0)
                busy = health_latencies(client)
                for run in runs:
                    client.post(f"/api/runs/{run['id']}/stop")
                print(
                    f"health p50/p99 idle:          {percentile(idle, 50):6.2f} / {percentile(idle, 99):6.2f} ms"
                )
                print(
                    f"health p50/p99 two runs busy: {percentile(busy, 50):6.2f} / {percentile(busy, 99):6.2f} ms   (target p99 <= 20 ms)"
                )

                # 2. predict throughput vs the bare JSON route
                trained = client.post("/api/runs", json={"preset": "modern", "epochs": 20}).json()
                wait_status(client, trained["id"], {"completed"})
                window = np.sin(np.arange(150, 200)).tolist()
                bare = requests_per_second(client, lambda c: c.get("/api/health"))
                pred = requests_per_second(
                    client,
                    lambda c: c.post(f"/api/runs/{trained['id']}/predict", json={"window": window}),
                )
                print(
                    f"bare JSON route: {bare:7.0f} req/s; predict one window: {pred:7.0f} req/s; "
                    f"ratio {pred / bare:.2f}   (target >= 0.6)"
                )

                # 3 + 4. 100 subscribers; latency from the epoch's server timestamp to receipt
                epochs = 2000
                run = client.post("/api/runs", json={"preset": "modern", "epochs": epochs}).json()
                wait_status(client, run["id"], {"running"})
                client.post(f"/api/runs/{run['id']}/pause")  # subscribers connect first
                received = asyncio.run(sse_subscribers(server.url, run["id"], 100, epochs))
                lost = sum(epochs - len(set(r)) for r in received)
                dup = sum(len(r) - len(set(r)) for r in received)
                print(
                    f"100 SSE subscribers x {epochs} epochs: lost {lost}, duplicated {dup}   (target 0)"
                )

                latencies = []
                run = client.post("/api/runs", json={"preset": "modern", "epochs": 1000}).json()
                with connect_sse(client, "GET", f"/api/runs/{run['id']}/events") as source:
                    for sse in source.iter_sse():
                        now = time.time()
                        data = json.loads(sse.data)
                        if sse.event == "epoch":
                            latencies.append((now - data["t"]) * 1000)
                        elif sse.event == "status" and data["status"] in {"completed", "failed"}:
                            break
                print(
                    f"epoch -> event received p50/p99: {percentile(latencies, 50):.2f} / "
                    f"{percentile(latencies, 99):.2f} ms over {len(latencies)} epochs   (target <= 10 / <= 50 ms)"
                )

                # 5. epochs/s through the server vs fit() alone
                n = 1500
                run = client.post("/api/runs", json={"preset": "modern", "epochs": n}).json()
                done = wait_status(client, run["id"], {"completed"})
                server_eps = n / (done["finished_at"] - done["started_at"])
        finally:
            server.stop()

    import dataclasses

    t0 = time.perf_counter()
    fit(dataclasses.replace(PRESETS["modern"], epochs=n))
    alone_eps = n / (time.perf_counter() - t0)
    print(
        f"modern run epochs/s: server {server_eps:.0f}, fit() alone {alone_eps:.0f}, "
        f"ratio {server_eps / alone_eps:.2f}   (target >= 0.8)"
    )


if __name__ == "__main__":
    main()
