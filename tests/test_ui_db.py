"""ui.db.cached_query: each query has its own cache, keyed on its arguments and the data version."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

SCRIPT = """
import streamlit as st
from ui.db import cached_query

calls = st.session_state.setdefault("calls", [])

@cached_query()
def first(con, n):
    calls.append(("first", n))
    return ("first", n, con.execute("SELECT count(*) FROM measure").fetchone()[0])

@cached_query()
def second(con, n):
    calls.append(("second", n))
    return ("second", n)

st.write(repr(first(1)))
st.write(repr(second(1)))
st.write(repr(first(1)))
"""


def test_two_cached_queries_with_the_same_arguments_keep_their_own_results(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent))
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    assert not at.exception, at.exception
    shown = [md.value for md in at.markdown]
    assert shown[0].startswith("('first', 1,") and shown[1] == "('second', 1)" and shown[2] == shown[0]
    at.run()  # a rerun with the same data version opens no connection and calls neither function
    assert at.session_state["calls"] == [("first", 1), ("second", 1)]


RUN_SCRIPT = """
import streamlit as st
from perf import store
from ui import db

opened = st.session_state.setdefault("opened", [])
real_open = db._open


def counting_open(path):
    opened.append(str(path))
    return real_open(path)


db._open = counting_open


@db.cached_query()
def commentary_rows(con):
    return con.execute("SELECT count(*) FROM commentary").fetchone()[0]


@db.cached_query()
def measure_rows(con):
    return con.execute("SELECT count(*) FROM measure").fetchone()[0]


db.start_run()  # as app.py does
try:
    st.write(f"before {commentary_rows()}")
    measure_rows()
    if st.session_state.get("write"):
        with db.writing() as con, store.write_transaction(con) as cur:  # the one door for writes
            cur.execute("DELETE FROM commentary WHERE commentary_id = (SELECT min(commentary_id) FROM commentary)")
        st.session_state["write"] = False
    st.write(f"after {commentary_rows()}")
finally:
    db.end_run()
    db._open = real_open
"""


def test_a_write_in_a_run_is_seen_by_the_rest_of_that_run_and_an_outside_write_by_the_next(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data version is read once a run, so it must be forgotten after a write, and re-read next run."""
    import shutil

    copy = tmp_path / "outside_in.duckdb"
    shutil.copyfile(sample_db, copy)
    monkeypatch.setenv("OUTSIDE_IN_DB", str(copy))
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent))
    at = AppTest.from_string(RUN_SCRIPT, default_timeout=30).run()
    assert not at.exception, at.exception
    start = int(at.markdown[0].value.split()[1])
    assert [md.value for md in at.markdown] == [f"before {start}", f"after {start}"]
    # the process opens the file once (read-write) and every query reads through a cursor of it
    assert at.session_state["opened"] == [str(copy)]
    at.session_state["write"] = True
    at.run()
    assert [md.value for md in at.markdown] == [f"before {start}", f"after {start - 1}"]
    # a write between runs by another thread of the process (the inbox doing a scheduled load)
    from perf import store
    from ui import db

    with store.write_transaction(db.connection()) as cur:
        cur.execute("DELETE FROM commentary WHERE commentary_id = (SELECT min(commentary_id) FROM commentary)")
    at.run()
    assert [md.value for md in at.markdown] == [f"before {start - 2}", f"after {start - 2}"]
    assert len(at.session_state["opened"]) <= 1  # still the one instance
