"""New figures warm the public Demand and Capability date ranges in the background (issue #12): the first public
visitor after a `perf load` used to wait ~5 s for the four date ranges' small-count rule to be worked out
(``ui.cached_demand._demand_ranges``, ``_capability_ranges``). A load taken from the inbox, or an upload in the
app, now works them out in a thread of their own; a note or a sign-in (no new figures) does not.

Real pieces throughout: the app's one instance and its inbox thread (``ui.db``), `python -m perf load` in
another process, and the Demand page run through app.py afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from perf import store
from perf.intake import entry
from tests import tiny_db
from tests.conftest import run_page
from ui import cached_demand
from ui import db as ui_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A council's database held by this process as the running app holds it (its inbox thread taking loads),
    with the app's warmer registered (app.py does it on every run)."""
    path = tiny_db.build(tmp_path / "council.duckdb")
    monkeypatch.setenv("OUTSIDE_IN_DB", str(path))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    ui_db.warm_after_new_data(cached_demand.warm_public_ranges)
    ui_db.connection()  # opened read-write: the inbox thread runs
    _settled()  # opening after another test's file may warm once: done before a test counts what was worked out
    yield path
    _settled()
    held = ui_db._current
    if held is not None and held.key[0] == str(path):  # let the next test's file be opened afresh
        held.con.close()
        ui_db._current = None


def _settled(timeout: float = 120.0) -> None:
    """Wait until the warmers have finished."""
    deadline = time.monotonic() + timeout
    while ui_db.warming():
        assert time.monotonic() < deadline, "the warmers did not finish"
        time.sleep(0.1)


def _ranges_computed() -> tuple[int, int]:
    return ui_db.computed(cached_demand._demand_ranges), ui_db.computed(cached_demand._capability_ranges)


def _wait_for(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_load_from_the_inbox_warms_the_public_date_ranges_before_anyone_visits(council: Path, tmp_path: Path) -> None:
    before = cached_demand.data_span()
    assert before["last_contact"] == date(2025, 3, 1)
    csv = tmp_path / "contacts.csv"  # a week of new contacts, after the last day so far: the ranges' end moves
    csv.write_text(
        "demand_id,service_id,locality_id,channel,received_at,demand_type,nature\n"
        + "".join(f"{9000 + i},S1,W3,phone,2025-03-1{i % 7} 10:00,value,missed bin\n" for i in range(12)),
        encoding="utf-8",
    )
    computed = _ranges_computed()
    env = {**os.environ, "OUTSIDE_IN_DB": str(council), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "perf", "load", str(csv)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "is open in the running app, so the app will do this" in done.stderr  # the inbox thread took it
    # no page has run: the warmer worked out both pages' ranges for the new data, once each
    _wait_for(lambda: _ranges_computed() == (computed[0] + 1, computed[1] + 1) and not ui_db.warming())
    after = cached_demand.data_span()
    assert after["last_contact"] == date(2025, 3, 16)
    warmed = _ranges_computed()
    demand_ranges = cached_demand._demand_ranges(after["last_contact"])  # read from the cache: not worked out again
    cached_demand._capability_ranges(after["last_case_day"])
    assert _ranges_computed() == warmed
    assert set(demand_ranges) == {None, *demand_ranges} and len(demand_ranges) == 4  # the four date ranges
    # and the first public visit of the Demand page (the sidebar's default range), through app.py, works none of
    # them out either, nor the rules every view of that range shares (its natures and totals tables)
    shared = [ui_db.computed(f) for f in (cached_demand._natures_hidden, cached_demand._totals_hidden)]
    assert shared[0] >= 1 and shared[1] >= 1
    own = ui_db.computed(cached_demand.by_period)
    at = run_page("app_pages/demand.py")
    assert any(t.value == "Demand" for t in at.title)
    assert _ranges_computed() == warmed
    assert [ui_db.computed(f) for f in (cached_demand._natures_hidden, cached_demand._totals_hidden)] == shared
    assert ui_db.computed(cached_demand.by_period) > own  # the page did run its own view's queries


def test_an_upload_in_the_app_warms_them_and_a_note_does_not(council: Path) -> None:
    end = cached_demand.data_span()["last_contact"]
    cached_demand._demand_ranges(end)  # a visitor has worked them out for the data as it is
    computed = _ranges_computed()
    with ui_db.writing() as con:  # a note: no new figures, nothing to warm
        entry.add_commentary(con, "M_CALLS", None, "A note", "internal", "olive", now=datetime(2025, 3, 20, 10))
    time.sleep(1.0)
    assert not ui_db.warming() and _ranges_computed() == computed
    with ui_db.writing() as con:  # a page's upload of contacts (the one door for writes)
        with store.write_transaction(con, changes=("demand",)) as cur:
            cur.execute(
                "INSERT INTO demand VALUES (9999, 'S1', 'W2', 'phone', TIMESTAMP '2025-03-01 11:00', 'value', "
                "'missed bin', NULL)"
            )
    _wait_for(lambda: _ranges_computed()[0] == computed[0] + 1 and not ui_db.warming())
    warmed = _ranges_computed()
    cached_demand._demand_ranges(end)  # the new data version's value is there
    assert _ranges_computed() == warmed


def test_a_newer_snapshot_warms_them_in_the_public_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A public replica reads a published snapshot: when `perf publish` makes a newer one current, the first page
    run that opens it starts the warmers, and the ranges are worked out for it without a Demand visit."""
    from perf.output import publish

    source = tiny_db.build(tmp_path / "council.duckdb")
    snapshots = tmp_path / "snapshots"
    publish.publish(snapshots, source)
    monkeypatch.setenv("OUTSIDE_IN_DB", str(snapshots))
    monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    ui_db.warm_after_new_data(cached_demand.warm_public_ranges)
    first = ui_db.connection()  # the replica's snapshot, read-only
    try:
        _settled()
        computed = _ranges_computed()
        publish.publish(snapshots, source)  # a newer version becomes current
        ui_db.connection()  # a page run opens it
        _wait_for(lambda: _ranges_computed() == (computed[0] + 1, computed[1] + 1) and not ui_db.warming())
        span = cached_demand.data_span()
        warmed = _ranges_computed()
        cached_demand._demand_ranges(span["last_contact"])
        cached_demand._capability_ranges(span["last_case_day"])
        assert _ranges_computed() == warmed
    finally:
        _settled()
        held = ui_db._current
        if held is not None and held.con is not first:
            held.con.close()
        ui_db._current = None
