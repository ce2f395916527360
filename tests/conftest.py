"""Shared fixtures: the sample database every page and integration test reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perf import seed
from perf.config import DEFAULT_DB, SEED_DIR

# A page that fails must fail its test, not hide behind the visitor's "quote reference" message
# (ui.errors.run_page); tests of that message unset this.
os.environ["OUTSIDE_IN_RAISE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture(autouse=True)
def _fresh_sign_in_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no failed sign-ins counted against any client (the throttle is per process)."""
    from perf.access import users

    monkeypatch.setattr(users, "THROTTLE", users.Throttle())


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample database: OUTSIDE_IN_DB (or data/outside_in.duckdb) when built, else built now."""
    named = Path(os.environ.get("OUTSIDE_IN_DB") or DEFAULT_DB)
    if not named.is_absolute():
        named = ROOT / named
    if named.exists():
        return named
    if not any(SEED_DIR.glob("*")):
        pytest.fail("no seed files in data/seed: run `python -m perf.seed.sample`")
    target = tmp_path_factory.mktemp("db") / "outside_in.duckdb"
    seed.build(target)
    return target


@pytest.fixture()
def app_env(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the sample database for an AppTest run."""
    monkeypatch.setenv("OUTSIDE_IN_DB", str(sample_db))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    return sample_db


def run_page(page: str, **params: str) -> AppTest:
    """Open ``page`` through app.py with these URL parameters, as a shared link would; fail on any error."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def shown(value: str) -> str:
    """The words a page's Markdown puts on screen: perf.words.text's escapes and word joiners taken out."""
    import re

    return re.sub(r"\\(.)", r"\1", value).replace("\u2060", "")
