"""Domain exceptions -> HTTP answers with a message that says what is wrong."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.runs import Conflict, NotTrainedYet, QueueFull, RunNotFound


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI schema declares for `path` (a 405's Allow header)."""
    allowed: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            allowed |= {m.upper() for m in operations if m.lower() in _HTTP_METHODS}
    return sorted(allowed)


_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path only.
            allowed = _allowed_methods(request.app, request.url.path)
            if allowed:
                return JSONResponse(
                    {"detail": f"{request.method} is not allowed here; use {', '.join(allowed)}"},
                    status_code=405,
                    headers={"Allow": ", ".join(allowed)},
                )
        if exc.status_code == 400:  # FastAPI's answer to a body that is not JSON
            detail = [
                {
                    "loc": ["body"],
                    "msg": f"the body is not valid JSON: {exc.detail}",
                    "type": "json_invalid",
                }
            ]
            return JSONResponse({"detail": detail}, status_code=422)
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _unprocessable(request: Request, exc: RequestValidationError) -> JSONResponse:
        # loc, msg and type only: echoing the input back could be megabytes, or a NaN that
        # JSON cannot carry.
        detail = [
            {
                "loc": list(e.get("loc", ())),
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(RunNotFound)
    async def _not_found(request: Request, exc: RunNotFound) -> JSONResponse:
        return JSONResponse({"detail": f"no run with id {exc.args[0]}"}, status_code=404)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "status": exc.status}, status_code=409)

    @app.exception_handler(NotTrainedYet)
    async def _not_trained(request: Request, exc: NotTrainedYet) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(QueueFull)
    async def _queue_full(request: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=429)
