"""`rnnlab serve` refuses what would be unsafe or cannot work, in one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", *args],
        env={**os.environ, "RNNLAB_TOKEN": "", **(env or {})},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_non_loopback_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    result = _serve("--host", "0.0.0.0", "--port", "1", "--data-dir", str(tmp_path))
    assert result.returncode != 0
    assert "RNNLAB_TOKEN" in result.stderr and "--insecure" in result.stderr


def test_an_unwritable_data_dir_refuses_to_start_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    bad = blocker / "data"
    result = _serve("--port", "1", "--data-dir", str(bad))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(blocker) in lines[0]
