"""The one door for writes (perf.store.write_transaction): every writer uses it, and it never holds
a small write behind a long load."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import duckdb
import pytest

from perf import errors, store
from perf.analysis import review


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    store.create_schema(c)
    return c


def test_the_error_types_live_in_their_own_module_and_no_one_else_names_them() -> None:
    """One place to import them from: no module of the upload reader re-exports them (it once did)."""
    import re

    from perf.intake import check, read, save

    for module in (check, read, save):
        source = Path(str(module.__file__)).read_text()
        assert not re.search(r"import (\w+) as \1\b", source), module  # the re-export idiom
    assert read.InputError is errors.InputError  # imported for its own use, the same class


def test_a_review_is_saved_through_the_door(con: duckdb.DuckDBPyConnection) -> None:
    before = store.commits()
    review.record(
        con, measure_id="m1", change_date=dt.date(2025, 1, 6), decision="Keep it", actions="", reviewed_by="x"
    )
    assert store.commits() == before + 1


def test_a_failed_write_is_rolled_back_whole(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(RuntimeError, match="boom"), store.write_transaction(con) as cur:
        cur.execute("INSERT INTO meta VALUES ('a', 'b')")
        raise RuntimeError("boom")
    assert con.execute("SELECT count(*) FROM meta WHERE key = 'a'").fetchone() == (0,)


def _hold(
    con: duckdb.DuckDBPyConnection, bulk: bool, entered: threading.Event, release: threading.Event, key: str
) -> None:
    with store.write_transaction(con, bulk=bulk) as cur:
        cur.execute("INSERT INTO meta VALUES (?, 'x')", [key])
        entered.set()
        release.wait(10)


def test_a_small_write_does_not_wait_behind_a_long_load(con: duckdb.DuckDBPyConnection) -> None:
    entered, release = threading.Event(), threading.Event()
    loader = threading.Thread(target=_hold, args=(con, True, entered, release, "load"))
    loader.start()
    try:
        assert entered.wait(5)
        started = time.perf_counter()
        with store.write_transaction(con) as cur:  # a form's write, while the load's transaction is open
            cur.execute("INSERT INTO meta VALUES ('comment', 'y')")
        assert time.perf_counter() - started < 1.0
        # a reader beside both sees the committed comment and not the load's uncommitted row
        keys = {r[0] for r in con.cursor().execute("SELECT key FROM meta").fetchall()}
        assert "comment" in keys and "load" not in keys
    finally:
        release.set()
        loader.join(10)
    assert {r[0] for r in con.execute("SELECT key FROM meta").fetchall()} >= {"comment", "load"}


def test_two_loads_take_turns(con: duckdb.DuckDBPyConnection) -> None:
    entered, release = threading.Event(), threading.Event()
    first = threading.Thread(target=_hold, args=(con, True, entered, release, "first"))
    first.start()
    assert entered.wait(5)
    second_in, go = threading.Event(), threading.Event()
    go.set()
    second = threading.Thread(target=_hold, args=(con, True, second_in, go, "second"))
    second.start()
    try:
        assert not second_in.wait(0.5)  # queued behind the first, not failed
    finally:
        release.set()
        first.join(10)
    assert second_in.wait(5)
    second.join(15)
    assert {r[0] for r in con.execute("SELECT key FROM meta").fetchall()} >= {"first", "second"}
