"""create_app(): the FastAPI application, its lifespan and its routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import errors
from app.config import Settings, get_settings
from app.middleware import BodyLimit, SecurityHeaders
from app.routers import api_routers, pages

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from app.runs import RunManager
    from app.store import RunStore

    settings: Settings = app.state.settings
    store = RunStore(settings.db_path)
    manager = RunManager(store, settings)
    await manager.start()
    app.state.store = store
    app.state.manager = manager
    try:
        yield
    finally:
        await manager.shutdown()
        store.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="rnnlab",
        version="0.1.0",
        summary="A live lab for recurrent neural networks written from scratch in NumPy.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load their assets from a CDN: off. /openapi.json stays.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    errors.install(app)
    app.state.templates = Jinja2Templates(directory=ROOT / "templates")
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.include_router(pages.router)
    for router in api_routers:
        app.include_router(router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: every response, 413s included
    return app
