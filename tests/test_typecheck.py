"""The code type-checks: ``mypy --strict`` over the engine (``perf/``, STYLE.md) and over the Streamlit
side (``ui/``, ``app_pages/``, ``app.py``), as ``make typecheck`` runs it.

About 25 s each on a fresh clone (no .mypy_cache), a second or two after that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("paths", [["perf/"], ["ui/", "app_pages/", "app.py"]], ids=["engine", "pages"])
def test_the_code_passes_mypy_strict(paths: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"mypy --strict {' '.join(paths)} failed:\n{result.stdout}{result.stderr}"
