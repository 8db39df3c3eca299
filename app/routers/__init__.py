"""The routers, one per resource, gathered here."""

from app.routers import events, meta, pages, predict, runs, series

api_routers = [meta.router, runs.router, events.router, predict.router, series.router]

__all__ = ["api_routers", "pages"]
