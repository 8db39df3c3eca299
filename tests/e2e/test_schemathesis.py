"""schemathesis against the running server's /openapi.json, every check, every route but SSE."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ServerProcess

pytestmark = pytest.mark.e2e

TOKEN = "fuzz-token"


def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    # With a token, so the `ignored_auth` check has something to check.
    server = ServerProcess(
        tmp_path / "data", env={"RNNLAB_TOKEN": TOKEN, "RNNLAB_MAX_QUEUE": "1000"}
    ).start()
    try:
        st = Path(sys.executable).parent / "st"
        result = subprocess.run(
            [
                str(st),
                "--config-file",
                str(Path(__file__).with_name("schemathesis.toml")),
                "run",
                server.url + "/openapi.json",
                "--checks",
                "all",
                "--exclude-path-regex",
                "/events$",
                "--seed",
                "1",
                "--max-examples",
                "25",
                "--workers",
                "1",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-time",
                "240",
                "--generation-database",
                "none",
                "-H",
                f"Authorization: Bearer {TOKEN}",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "Exception in ASGI application" not in server.log()
