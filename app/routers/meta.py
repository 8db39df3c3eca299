"""Health and presets."""

from __future__ import annotations

from fastapi import APIRouter

from app import schemas

router = APIRouter(prefix="/api", tags=["meta"])


@router.get("/health", response_model=schemas.Health)
async def health() -> schemas.Health:
    return schemas.Health(status="ok")


@router.get("/presets", response_model=dict[str, schemas.ConfigOut])
def presets() -> dict[str, dict]:
    from rnn_core.train import PRESETS, config_to_dict

    return {name: config_to_dict(cfg) for name, cfg in PRESETS.items()}
