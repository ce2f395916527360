"""ui.db.cached_query: each query has its own cache, keyed on its arguments and the data version."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

SCRIPT = '''
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
'''


def test_two_cached_queries_with_the_same_arguments_keep_their_own_results(app_env: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent))
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    assert not at.exception, at.exception
    shown = [md.value for md in at.markdown]
    assert shown[0].startswith("('first', 1,") and shown[1] == "('second', 1)" and shown[2] == shown[0]
    at.run()  # a rerun with the same data version opens no connection and calls neither function
    assert at.session_state["calls"] == [("first", 1), ("second", 1)]
