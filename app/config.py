"""Settings, read from RNNLAB_* environment variables (never at import time)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_max_runs() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Everything an operator may set. Each field is `RNNLAB_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="RNNLAB_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    data_dir: Path = Path("data")
    max_runs: int = Field(default_factory=_default_max_runs, ge=1, le=64)
    max_queue: int = Field(32, ge=0, le=10_000, description="queued runs beyond max_runs")
    token: SecretStr | None = None
    snapshot_interval: float = Field(0.25, gt=0, description="seconds between snapshots")
    flush_interval: float = Field(0.5, gt=0, description="seconds between epoch writes")
    memory_budget_mb: int = Field(1024, ge=16, description="refuse runs estimated above this")
    max_body_bytes: int = Field(2_000_000, ge=1024, description="largest request body")

    @field_validator("token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        # An empty RNNLAB_TOKEN means "no token", not "the empty token".
        if value is None or (isinstance(value, str) and value.strip() == ""):
            return None
        return value

    @property
    def db_path(self) -> Path:
        return self.data_dir / "rnnlab.sqlite3"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests pass their own to create_app instead."""
    return Settings()
