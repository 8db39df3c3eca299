"""Dependencies with short aliases, so handler signatures read like prose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from app.config import Settings

if TYPE_CHECKING:
    from app.runs import RunManager as _RunManager
    from app.store import RunStore as _RunStore


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> _RunStore:
    return request.app.state.store


def get_manager(request: Request) -> _RunManager:
    return request.app.state.manager


AppSettings = Annotated[Settings, Depends(get_app_settings)]
Store = Annotated["_RunStore", Depends(get_store)]
Manager = Annotated["_RunManager", Depends(get_manager)]
