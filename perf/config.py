"""Where the database lives: one environment variable for the app, the command line and the tests."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SEED_DIR = DATA_DIR / "seed"
DEFAULT_DB = DATA_DIR / "outside_in.duckdb"


def db_path() -> Path:
    """The DuckDB file named by OUTSIDE_IN_DB, else data/outside_in.duckdb."""
    return Path(os.environ.get("OUTSIDE_IN_DB") or DEFAULT_DB)


def public_mode() -> bool:
    """True when the app runs as the read-only public view (OUTSIDE_IN_PUBLIC=1)."""
    return os.environ.get("OUTSIDE_IN_PUBLIC", "").strip().lower() in {"1", "true", "yes", "on"}
