"""The dashboard opens in a real Chromium on the real server, with no request leaving the machine."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_page_loads_plotly_and_the_loss_chart(page: Page, live_server, tmp_path: Path) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(live_server.url + "/")

    expect(page).to_have_title("rnnlab")
    assert page.evaluate("typeof window.Plotly") == "object"
    expect(page.get_by_test_id("loss-chart").locator(".main-svg").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    assert (tmp_path / "page.png").stat().st_size > 0
    assert hosts == {"127.0.0.1"}, f"requests left the machine: {hosts}"
    assert errors == [], errors  # a CSP violation would show here as a console error
