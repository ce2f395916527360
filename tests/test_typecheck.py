"""The engine type-checks: ``mypy --strict perf/`` (STYLE.md), as ``make typecheck`` runs it.

About 25 s on a fresh clone (no .mypy_cache), about 1 s after that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_engine_passes_mypy_strict():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "perf/"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, f"mypy --strict perf/ failed:\n{result.stdout}{result.stderr}"
