"""Runs: create, list, read, control, delete, export."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError

from app import schemas
from app.deps import AppSettings, Authorized, Manager, Store
from app.runs import RunNotFound
from app.schemas import json_safe
from rnn_core import checkpoint
from rnn_core.train import (
    PRESETS,
    ConfigError,
    config_from_dict,
    config_to_dict,
    estimate_memory_bytes,
)

router = APIRouter(prefix="/api/runs", tags=["runs"])

RunId = Annotated[int, Path(ge=1, le=2**62, description="the run's id")]

NOT_FOUND = {404: {"model": schemas.ErrorOut, "description": "no run with this id"}}
WRITE_ERRORS = {
    401: {
        "model": schemas.ErrorOut,
        "description": "RNNLAB_TOKEN is set and the bearer token is missing or wrong",
    },
    413: {
        "model": schemas.ErrorOut,
        "description": "the request body is over RNNLAB_MAX_BODY_BYTES",
    },
}
CONFLICT = {
    409: {"model": schemas.ErrorOut, "description": "not allowed in the run's current status"}
}


def build_config(body: schemas.RunCreate, memory_budget_mb: int):
    """Preset + overrides -> a validated TrainConfig, or a 422 naming the field."""
    merged = config_to_dict(PRESETS[body.preset])
    merged.update(body.model_dump(exclude_unset=True, exclude={"preset", "name", "data"}))
    if body.data is not None:
        merged["data"].update(body.data.model_dump(exclude_unset=True))
    try:
        config = config_from_dict(merged)
    except ConfigError as exc:
        loc = ["body", *str(exc.field).split(".")]
        raise RequestValidationError(
            [{"loc": loc, "msg": str(exc), "type": "value_error"}]
        ) from exc
    needed = estimate_memory_bytes(config)
    if needed > memory_budget_mb * 2**20:
        raise RequestValidationError(
            [
                {
                    "loc": ["body"],
                    "msg": f"this run would need about {needed / 2**20:.0f} MB to train, over the "
                    f"{memory_budget_mb} MB budget (RNNLAB_MEMORY_BUDGET_MB); lower hidden_size, "
                    "batch_size, seq_len or the series length",
                    "type": "value_error",
                }
            ]
        )
    return config


@router.post(
    "",
    dependencies=Authorized,
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.RunSummary,
    responses={
        **WRITE_ERRORS,
        429: {"model": schemas.ErrorOut, "description": "the queue of waiting runs is full"},
    },
)
def create_run(body: schemas.RunCreate, manager: Manager, settings: AppSettings) -> dict:
    """Start a run from a preset and overrides; beyond RNNLAB_MAX_RUNS it waits as `queued`."""
    config = build_config(body, settings.memory_budget_mb)
    name = body.name if body.name and body.name.strip() else body.preset
    return manager.create(name, body.preset, config)


@router.get("", response_model=list[schemas.RunSummary])
def list_runs(store: Store) -> list[dict]:
    """Every stored run, newest first (without histories: GET one run for that)."""
    return store.list_runs()


def _history(run_id: int, store, manager) -> list[dict]:
    live = manager.live(run_id)
    if live is not None:
        return list(live.history)
    return store.history(run_id)


@router.get("/{run_id}", response_model=schemas.RunOut, responses=NOT_FOUND)
def get_run(run_id: RunId, store: Store, manager: Manager) -> Response:
    run = store.get_run(run_id)
    if run is None:
        raise RunNotFound(run_id)
    history = _history(run_id, store, manager)
    if history:  # a live run's counters may be ahead of the last batched write
        run["epochs_done"] = max(run["epochs_done"], history[-1]["epoch"])
    # Serialised directly: validating thousands of epochs we wrote ourselves against
    # RunOut would hold the GIL for tens of milliseconds per request.
    body = json.dumps(json_safe({**run, "history": history}), separators=(",", ":"))
    return Response(body, media_type="application/json")


# stop, pause and resume share their contract: a token, a status back, 404 or 409.
CONTROL: dict = {
    "dependencies": Authorized,
    "response_model": schemas.StatusOut,
    "responses": {**WRITE_ERRORS, **NOT_FOUND, **CONFLICT},
}


@router.post("/{run_id}/stop", **CONTROL)
async def stop_run(run_id: RunId, manager: Manager) -> dict:
    """Stop a queued, running or paused run; answers once the worker has stopped."""
    return await run_in_threadpool(manager.stop, run_id)


@router.post("/{run_id}/pause", **CONTROL)
def pause_run(run_id: RunId, manager: Manager) -> dict:
    return manager.pause(run_id)


@router.post("/{run_id}/resume", **CONTROL)
def resume_run(run_id: RunId, manager: Manager) -> dict:
    return manager.resume(run_id)


@router.delete(
    "/{run_id}",
    dependencies=Authorized,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**WRITE_ERRORS, **NOT_FOUND},
)
async def delete_run(run_id: RunId, manager: Manager) -> Response:
    """Delete a run with its history and model, stopping it first."""
    await run_in_threadpool(manager.delete, run_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


CSV_COLUMNS = ["epoch", "train_loss", "val_loss", "val_rmse", "lr", "saturation", "seconds"]


@router.get(
    "/{run_id}/history.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **NOT_FOUND},
)
def history_csv(run_id: RunId, store: Store, manager: Manager) -> Response:
    if store.get_run(run_id) is None:
        raise RunNotFound(run_id)
    history = _history(run_id, store, manager)
    grad_keys = sorted({k for row in history for k in row.get("grad_norms", {})})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS + [f"grad_norm_{k}" for k in grad_keys])
    for row in history:
        values = [row.get(c) for c in CSV_COLUMNS] + [row["grad_norms"].get(k) for k in grad_keys]
        writer.writerow(["" if v is None else v for v in values])
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="rnnlab-run-{run_id}-history.csv"'},
    )


@router.get(
    "/{run_id}/model",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the .npz checkpoint"},
        **NOT_FOUND,
        409: {"model": schemas.ErrorOut, "description": "no finished epoch yet"},
    },
)
def download_model(run_id: RunId, manager: Manager) -> Response:
    model = manager.model(run_id)
    blob = checkpoint.to_bytes(model.params, model.config, model.scaler)
    return Response(
        blob,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="rnnlab-run-{run_id}.npz"'},
    )
