"""Soak: 200 short runs back to back with 20 SSE clients watching; resident memory before/after.

    python benchmarks/soak.py [--runs 200] [--clients 20]

Target: the server's resident memory grows by at most 20 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._server import ServerProcess  # noqa: E402

FINAL = {"completed", "stopped", "failed", "interrupted"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def watch(client: httpx.AsyncClient, run_id: int) -> int:
    epochs = 0
    async with aconnect_sse(client, "GET", f"/api/runs/{run_id}/events") as source:
        async for sse in source.aiter_sse():
            if sse.event == "epoch":
                epochs += 1
            elif sse.event == "status" and json.loads(sse.data)["status"] in FINAL:
                break
    return epochs


async def soak(url: str, runs: int, clients: int) -> tuple[int, float]:
    seen = 0
    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        for i in range(runs):
            r = await client.post(
                "/api/runs", json={"preset": "modern", "epochs": 20, "name": f"soak {i}"}
            )
            r.raise_for_status()
            run_id = r.json()["id"]
            counts = await asyncio.gather(*(watch(client, run_id) for _ in range(clients)))
            seen += sum(counts)
            await client.delete(f"/api/runs/{run_id}")
    return seen, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", log=Path(tmp) / "server.log").start()
        try:
            # Warm up: the first runs load NumPy paths, templates, the SQLite cache.
            asyncio.run(soak(server.url, 10, args.clients))
            before = rss_mb(server.proc.pid)
            seen, seconds = asyncio.run(soak(server.url, args.runs, args.clients))
            after = rss_mb(server.proc.pid)
        finally:
            server.stop()
    print(
        f"{args.runs} runs x {args.clients} SSE clients in {seconds:.1f} s, {seen} epoch events received"
    )
    print(
        f"resident memory: before {before:.1f} MB, after {after:.1f} MB, growth {after - before:+.1f} MB "
        f"(target <= 20 MB)"
    )


if __name__ == "__main__":
    main()
