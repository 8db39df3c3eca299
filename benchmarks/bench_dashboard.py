"""The dashboard under a fast run, in headless Chromium against a real server.

    python benchmarks/bench_dashboard.py [--epochs 2000]

| figure | target |
|---|---|
| longest main-thread task while a 2,000-epoch modern run is watched start to end | <= 100 ms |
| epochs of that run missing from the loss chart | 0 |
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._server import ServerProcess  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

# Installed before any page script runs: every long task (> 50 ms) of the page's life.
OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""

TRACE_LENGTHS = """() => Object.fromEntries(
  document.querySelector('[data-testid=loss-chart]').data.map(t => [t.name, t.x.length]))"""
TRAIN_X = """() => Array.from(
  document.querySelector('[data-testid=loss-chart]').data.find(t => t.name === 'train (raw)').x)"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data").start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.add_init_script(OBSERVE_LONG_TASKS)
                page.goto(server.url + "/")
                page.wait_for_function(
                    "() => document.querySelector('[name=hidden_size]').value !== ''"
                )
                page.wait_for_load_state("networkidle")
                page.evaluate("window.__longTasks.length = 0")  # page load is not the figure

                page.get_by_test_id("preset-select").select_option("modern")
                page.locator("[name=epochs]").fill(str(args.epochs))
                t0 = time.perf_counter()
                page.get_by_test_id("start-button").click()
                page.wait_for_function(
                    "() => document.querySelector('[data-testid=status]').textContent === 'completed'",
                    timeout=600_000,
                )
                page.wait_for_function(
                    f"() => ({TRACE_LENGTHS})()['val (raw)'] >= {args.epochs}", timeout=30_000
                )
                seconds = time.perf_counter() - t0
                page.wait_for_timeout(300)  # let the last frame's task be observed
                long_tasks = page.evaluate("window.__longTasks")
                lengths = page.evaluate(TRACE_LENGTHS)
                xs = page.evaluate(TRAIN_X)
                browser.close()
        finally:
            server.stop()

    on_chart = min(lengths["train (raw)"], lengths["val (raw)"])
    complete = xs == list(range(1, args.epochs + 1)) and on_chart == args.epochs
    longest = max(long_tasks, default=0.0)
    print(f"modern run of {args.epochs} epochs watched in headless Chromium ({seconds:.1f} s)")
    print(
        f"longest main-thread task: {longest:.0f} ms "
        f"({len(long_tasks)} tasks over 50 ms; target <= 100 ms)"
    )
    print(
        f"epochs on the loss chart: {on_chart} of {args.epochs} "
        f"(all present, in order, no duplicates: {'yes' if complete else 'NO'})"
    )


if __name__ == "__main__":
    main()
