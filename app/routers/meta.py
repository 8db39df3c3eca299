"""Health, presets and process statistics."""

from __future__ import annotations

import asyncio
import os
import threading

from fastapi import APIRouter

from app import schemas
from app.deps import Manager
from rnn_core.train import PRESETS, config_to_dict

router = APIRouter(prefix="/api", tags=["meta"])


@router.get("/health", response_model=schemas.Health)
async def health() -> schemas.Health:
    return schemas.Health(status="ok")


@router.get("/presets", response_model=dict[str, schemas.ConfigOut])
def presets() -> dict[str, dict]:
    return {name: config_to_dict(cfg) for name, cfg in PRESETS.items()}


@router.get("/stats", response_model=schemas.Stats)
async def stats(manager: Manager) -> dict:
    """Counts that show whether anything leaks: asyncio tasks, threads, open files, live runs."""
    try:
        fds = len(os.listdir("/proc/self/fd"))
    except OSError:
        fds = None
    return {
        "tasks": len(asyncio.all_tasks()),
        "threads": threading.active_count(),
        "open_fds": fds,
        "live_runs": manager.live_count(),
    }
