"""A real `rnnlab serve` subprocess for the benchmarks (same as the tests' fixture)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import ServerProcess  # noqa: E402

__all__ = ["ServerProcess"]
