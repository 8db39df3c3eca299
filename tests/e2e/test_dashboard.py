"""The dashboard in a real Chromium on the real server: start, watch, stop, reload, compare."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
LONG = "100000"  # epochs: a run that is still training whenever the test looks

# Number of points of the loss chart's trace called `name` (read from the Plotly graph div).
TRACE_LENGTH = """name => {
  const trace = document.querySelector('[data-testid=loss-chart]').data.find(t => t.name === name);
  return trace ? trace.x.length : -1;
}"""
TRACE_X = """name => Array.from(
  document.querySelector('[data-testid=loss-chart]').data.find(t => t.name === name).x)"""

OVERLAYS = """() => document.querySelector('[data-testid=loss-chart]').data
  .filter(t => t.name.startsWith('#')).length"""


def open_page(page: Page, server, query: str = "") -> None:
    page.goto(f"{server.url}/{query}")
    # the presets have filled the form
    expect(page.locator("[name=hidden_size]")).not_to_have_value("")


def start_run(page: Page, preset: str = "modern", epochs: str | None = None, name: str = "") -> int:
    page.get_by_test_id("preset-select").select_option(preset)
    if epochs is not None:
        page.locator("[name=epochs]").fill(epochs)
    if name:
        page.locator("[name=name]").fill(name)
    page.get_by_test_id("start-button").click()
    page.wait_for_url("**/?run=*")
    return int(page.url.rsplit("=", 1)[1])


def trace_length(page: Page, name: str) -> int:
    return page.evaluate(TRACE_LENGTH, name)


def wait_trace_length(page: Page, name: str, condition: str, timeout: float = 30_000) -> int:
    """Wait until `condition` (JS, over `len`) holds for the loss chart's trace `name`."""
    page.wait_for_function(
        f"name => {{ const len = ({TRACE_LENGTH})(name); return {condition}; }}",
        arg=name,
        timeout=timeout,
    )
    return trace_length(page, name)


def run_json(server, run_id: int) -> dict:
    return httpx.get(f"{server.url}/api/runs/{run_id}", timeout=30).json()


def stop_via_api(server, run_id: int) -> None:
    httpx.post(f"{server.url}/api/runs/{run_id}/stop", timeout=30)


def test_modern_run_is_drawn_epoch_by_epoch_to_completion(
    page: Page, live_server, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1400, "height": 1100})
    open_page(page, live_server)

    start_run(page, "modern", epochs="200", name="modern, 200 epochs")

    expect(page.get_by_test_id("status")).to_have_text("completed", timeout=60_000)
    wait_trace_length(page, "train (raw)", "len === 200")
    assert trace_length(page, "val (raw)") == 200
    predictions = page.get_by_test_id("prediction-chart")
    page.wait_for_function(
        """() => {
          const names = document.querySelector('[data-testid=prediction-chart]').data.map(t => t.name);
          return names.includes('truth') && names.some(n => n.startsWith('prediction'));
        }"""
    )
    expect(predictions.locator(".scatterlayer .trace")).to_have_count(2)
    expect(page.get_by_test_id("progress")).to_contain_text("200 / 200")
    expect(page.get_by_test_id("saturation-note")).to_have_count(0)

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    if os.environ.get("RNNLAB_UPDATE_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(shot, ROOT / "docs" / "screenshot.png")
    assert errors == []


def test_hidden_size_zero_shows_the_servers_message_and_creates_no_run(
    page: Page, fresh_server
) -> None:
    open_page(page, fresh_server)
    before = len(httpx.get(f"{fresh_server.url}/api/runs").json())
    page.locator("[name=hidden_size]").fill("0")
    page.locator("[name=seq_len]").fill("7")

    page.get_by_test_id("start-button").click()

    error = page.get_by_test_id("form-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("hidden_size")
    expect(error).to_contain_text("greater than or equal to 1")
    # shown next to the field it names, and the form keeps what was typed
    expect(page.locator(".field:has([name=hidden_size]) [data-testid=form-error]")).to_be_visible()
    expect(page.locator("[name=hidden_size]")).to_have_value("0")
    expect(page.locator("[name=seq_len]")).to_have_value("7")
    assert len(httpx.get(f"{fresh_server.url}/api/runs").json()) == before


def test_stop_mid_run_keeps_every_trained_epoch_on_the_chart(page: Page, live_server) -> None:
    open_page(page, live_server)
    run_id = start_run(page, "modern", epochs=LONG)
    try:
        wait_trace_length(page, "train (raw)", "len >= 20")
        page.get_by_test_id("stop-button").click()
        expect(page.get_by_test_id("status")).to_have_text("stopped", timeout=30_000)
    finally:
        stop_via_api(live_server, run_id)

    history = run_json(live_server, run_id)["history"]
    assert len(history) > 0
    n = wait_trace_length(page, "train (raw)", f"len === {len(history)}")
    assert trace_length(page, "val (raw)") == n
    expect(page.get_by_test_id("stop-button")).to_be_disabled()


def test_reload_mid_run_restores_the_history_and_keeps_growing(page: Page, live_server) -> None:
    open_page(page, live_server)
    run_id = start_run(page, "modern", epochs=LONG)
    try:
        wait_trace_length(page, "train (raw)", "len >= 30")

        page.reload()
        expect(page).to_have_url(f"{live_server.url}/?run={run_id}")
        # the full history arrives first, then live epochs
        done = len(run_json(live_server, run_id)["history"])
        wait_trace_length(page, "train (raw)", f"len >= {done}")
        after_reload = trace_length(page, "train (raw)")
        wait_trace_length(page, "train (raw)", f"len > {after_reload + 20}")
        expect(page.get_by_test_id("status")).to_have_text("running")
    finally:
        stop_via_api(live_server, run_id)

    for name in ("train (raw)", "val (raw)"):
        xs = page.evaluate(TRACE_X, name)
        assert xs[0] == 1
        assert xs == list(range(1, len(xs) + 1)), "duplicate or missing epochs"


def test_tutorial_preset_shows_the_saturation_note(page: Page, live_server) -> None:
    open_page(page, live_server)
    expect(page.get_by_test_id("saturation-note")).to_have_count(0)

    start_run(page, "tutorial")

    note = page.get_by_test_id("saturation-note")
    expect(note).to_be_visible(timeout=60_000)
    expect(note).to_contain_text("modern preset")
    expect(page.get_by_test_id("status")).to_have_text("completed", timeout=60_000)
    expect(note).to_be_visible()


def test_two_ticked_runs_overlay_their_loss_curves(page: Page, live_server) -> None:
    ids = []
    for epochs in (10, 20):
        response = httpx.post(
            f"{live_server.url}/api/runs",
            json={"preset": "modern", "epochs": epochs, "name": f"overlay {epochs}"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    for run_id in ids:
        with httpx.Client(timeout=120) as client:
            # the event stream ends after the final status
            client.get(f"{live_server.url}/api/runs/{run_id}/events")

    open_page(page, live_server)
    run_list = page.get_by_test_id("run-list")
    for run_id in ids:
        row = run_list.locator(f"li[data-run-id='{run_id}']")
        expect(row).to_contain_text("completed")
        row.get_by_role("checkbox").check()

    for run_id, epochs in zip(ids, (10, 20), strict=True):
        page.wait_for_function(
            """([prefix, n]) => document.querySelector('[data-testid=loss-chart]').data
                 .some(t => t.name.startsWith(prefix) && t.x.length === n)""",
            arg=[f"#{run_id} ", epochs],
            timeout=60_000,
        )
    assert page.evaluate(OVERLAYS) == 2
    # and they are drawn: one SVG path per overlaid curve
    expect(page.get_by_test_id("loss-chart").locator(".scatterlayer .trace")).to_have_count(2)

    run_list.locator(f"li[data-run-id='{ids[0]}']").get_by_role("checkbox").uncheck()
    page.wait_for_function(f"() => ({OVERLAYS})() === 1")


def test_a_run_name_with_markup_is_shown_as_text_and_runs_nothing(page: Page, live_server) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    name = "<img src=x onerror=alert(1)>"
    open_page(page, live_server)

    run_id = start_run(page, "modern", epochs="5", name=name)

    row = page.get_by_test_id("run-list").locator(f"li[data-run-id='{run_id}']")
    expect(row.locator(".run-name")).to_have_text(name)
    expect(page.get_by_test_id("progress")).to_contain_text(name)
    expect(row).to_contain_text("completed", timeout=30_000)
    assert page.get_by_test_id("run-list").locator("img").count() == 0
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
