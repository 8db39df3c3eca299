"""With RNNLAB_TOKEN set, the page asks for the token once and keeps it for the session."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ServerProcess

pytestmark = pytest.mark.e2e

TOKEN = "page-token"


@pytest.fixture
def token_server(tmp_path):
    server = ServerProcess(tmp_path / "data", env={"RNNLAB_TOKEN": TOKEN}).start()
    yield server
    server.stop()


def _start(page: Page) -> None:
    page.locator("input[name=epochs]").fill("5")
    page.get_by_test_id("start-button").click()


def test_the_page_asks_for_the_token_once_per_session(page: Page, token_server) -> None:
    page.goto(token_server.url + "/")
    token_form = page.locator("#token-form")
    expect(token_form).to_be_hidden()

    _start(page)
    expect(token_form).to_be_visible()
    page.locator("#token-input").fill("wrong")
    page.locator("#token-input").press("Enter")
    expect(token_form).to_be_visible()  # the 401 asks again
    page.locator("#token-input").fill(TOKEN)
    page.locator("#token-input").press("Enter")
    expect(token_form).to_be_hidden()
    expect(page.get_by_test_id("status")).to_contain_text("completed", timeout=30_000)
    assert len(httpx.get(token_server.url + "/api/runs").json()) == 1

    page.reload()
    _start(page)
    expect(page.get_by_test_id("status")).to_contain_text("completed", timeout=30_000)
    expect(token_form).to_be_hidden()
    assert len(httpx.get(token_server.url + "/api/runs").json()) == 2
