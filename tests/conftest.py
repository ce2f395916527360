"""Shared fixtures: the sample database every page and integration test reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perf import seed
from perf.config import DEFAULT_DB, SEED_DIR
from perf.output import publish, site

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


@pytest.fixture(autouse=True)
def _no_warm_up_left_running() -> Iterator[None]:
    """A test that saves new figures starts the background warm-up (ui.db.warm); it finishes before the next test
    starts, so it never runs into another test's database (it opens the file the environment names, which the next
    test changes, and a test's teardown closing a file interrupts its queries)."""
    yield
    from ui import db as ui_db

    deadline = time.monotonic() + 180
    while ui_db.warming() and time.monotonic() < deadline:
        time.sleep(0.05)


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


@pytest.fixture(scope="session")
def sample_copy(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample database: the app's pages, tested earlier in this process, may hold the sample open."""
    source = tmp_path_factory.mktemp("sample_copy") / "council.duckdb"
    shutil.copy(sample_db, source)
    return source


@pytest.fixture(scope="session")
def sample_site(sample_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> site.Built:
    """The static site of the published sample (tests/test_site*.py read it; none writes to it)."""
    folder = tmp_path_factory.mktemp("sample_site")
    snap = publish.publish(folder / "snapshots", sample_copy)
    return site.build_site(folder / "public", snap.db, base_url="https://performance.example.gov.uk/")


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


def run_perf(
    *args: str, db: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m perf ARGS`` on ``db`` in a process of its own, as a scheduled job runs it.

    This machine's ``OUTSIDE_IN_`` settings are left out (a developer's mail server gets no test mail);
    ``env`` adds those the test sets.
    """
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OUTSIDE_IN_")}
    return subprocess.run(
        [sys.executable, "-m", "perf", *args],
        cwd=ROOT,
        env={**clean, "OUTSIDE_IN_DB": str(db), "PYTHONPATH": str(ROOT), **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def hold_database(db: Path, seconds: float, *, read_only: bool = False) -> subprocess.Popen[str]:
    """Another process with ``db`` open (DuckDB's file lock) for ``seconds``, returned once it holds it.

    As the app holds the file: the caller kills it, or waits for it to let go.
    """
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'read'); "
            "print('held', flush=True); time.sleep(float(sys.argv[3])); c.close()",
            str(db),
            "read" if read_only else "write",
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder
