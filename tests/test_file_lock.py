"""Nothing in the app's process opens the database file behind DuckDB's back (issue #12).

DuckDB's lock on the file is a POSIX lock: per process, and dropped as soon as the process closes ANY
descriptor of the file, so a copy, hash, header read or fsync of the database in the app would let
another process read a stale file or write beside the app. Pages that write (an upload, an entered
value, a failed sign-in) run through app.py here with an audit hook watching every ``open`` Python
makes; afterwards the lock is still this process's (``/proc/locks``). The browser test
(tests/browser/test_file_lock_browser.py) checks the same from another process against a real server.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from perf import store
from perf.access import users
from tests.conftest import APP
from ui.auth import SESSION_KEY

PASSWORD = "a long enough password"
_WATCHED: set[str] = set()
_SEEN: list[str] = []


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _WATCHED or not args or isinstance(args[0], int):
        return
    try:
        path = os.path.realpath(os.fsdecode(args[0]))
    except (TypeError, ValueError):
        return
    if path in _WATCHED:
        _SEEN.append(path)


sys.addaudithook(_hook)  # hooks cannot be removed; it does nothing unless a test watches a file


@pytest.fixture()
def watched(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    db = tmp_path / "outside_in.duckdb"
    shutil.copyfile(sample_db, db)
    con = store.connect(db, read_only=False)
    try:
        users.create_user(
            con, "amy", PASSWORD, "officer", display_name="Amy", created_by="test", cost=users.ScryptCost(2**10, 8, 1)
        )
    finally:
        con.close()
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    _SEEN.clear()
    _WATCHED.update({os.path.realpath(db), os.path.realpath(str(db) + ".wal")})
    try:
        yield db
    finally:
        _WATCHED.clear()


def page(name: str, who: str | None = "amy") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if who is not None:
        at.session_state[SESSION_KEY] = who
    at.switch_page(f"app_pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def my_locks(db: Path) -> list[str]:
    ino = os.stat(db).st_ino
    return [
        line
        for line in Path("/proc/locks").read_text().splitlines()
        if f":{ino} " in line and line.split()[4] == str(os.getpid())
    ]


def test_the_watch_sees_a_copy_of_the_file(watched: Path, tmp_path: Path) -> None:
    """The control: the hazard this file guards against is seen when it happens."""
    shutil.copyfile(watched, tmp_path / "copy.duckdb")
    assert _SEEN == [os.path.realpath(watched)]


def test_pages_that_write_never_open_the_file_themselves_and_the_lock_stays_held(watched: Path) -> None:
    at = page("upload")
    csv = b"measure_id,period_start,locality_id,value\nrepairs-demand,2019-04-08,,15\n"
    at.file_uploader[0].upload("values.csv", csv, "text/csv").run()
    next(b for b in at.button if b.label == "Accept and load").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Loaded 1 measure value from values.csv")

    at = page("enter")
    at.selectbox(key="v_measure").select("recycling-rate")
    at.date_input(key="v_period").set_value(pd.Timestamp("2019-04-01").date())
    at.text_input(key="v_value").input("41.5")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Saved:")

    at = AppTest.from_file(APP, default_timeout=120).run()  # a failed sign-in is a (quiet) write too
    at.switch_page("app_pages/sign_in.py").run()
    at.text_input[0].input("amy")
    at.text_input[1].input("not the password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [users.WRONG]

    page("overview")
    page("review")
    assert _SEEN == [], f"the app opened its own database file {len(_SEEN)} time(s), dropping DuckDB's lock"
    held = my_locks(watched)
    assert len(held) == 1 and " WRITE " in held[0], held  # DuckDB's lock, still this process's
