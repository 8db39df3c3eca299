"""Dependencies with short aliases, so handler signatures read like prose.

They are `async def` on purpose: a plain `def` dependency costs a thread-pool hop per request.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.config import Settings

if TYPE_CHECKING:
    from app.runs import RunManager as _RunManager
    from app.store import RunStore as _RunStore


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> _RunStore:
    return request.app.state.store


async def get_manager(request: Request) -> _RunManager:
    return request.app.state.manager


AppSettings = Annotated[Settings, Depends(get_app_settings)]
Store = Annotated["_RunStore", Depends(get_store)]
Manager = Annotated["_RunManager", Depends(get_manager)]


_bearer = HTTPBearer(
    auto_error=False, description="needed for POST and DELETE when RNNLAB_TOKEN is set"
)


async def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """With RNNLAB_TOKEN set, a state-changing request needs `Authorization: Bearer <token>`."""
    token = request.app.state.settings.token
    if token is None:
        return
    given = credentials.credentials.encode() if credentials is not None else b""
    if not hmac.compare_digest(given, token.get_secret_value().encode()):  # constant time
        raise HTTPException(
            status_code=401,
            detail="this server has a token: send 'Authorization: Bearer <token>' to change state",
            headers={"WWW-Authenticate": "Bearer"},
        )


Authorized = [Depends(require_token)]
