"""One-off points left out of the limits: the public sees the limits the council's public-view preview draws.

A one-off answered "leave out of the limits" in the council's database is left out by the council's app
and its public-view preview. A published snapshot carries the periods left out (``excluded_period``: the
measure, the place and the periods, nothing an officer wrote), so the public app and the static site
served from the snapshot leave out the same points.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from perf import store
from perf.access import public
from perf.analysis import measures
from perf.output import measure_chart, publish, site
from perf.signals import signal_answers
from tests import tiny_db
from tests.conftest import APP
from tests.test_site_measures import _numbers, _page

CAUSE = "Storm Dudley flooded the Kingsway depot"  # words only the answer holds
OFFICER = "Zebedee Quarrington"  # a name only the answer holds
NAME = "Contacts about street cleaning"  # M_CALLS, by month at the whole area


def _answer_one_off(source: Path) -> None:
    """March 2025 of M_CALLS answered as a one-off with a known cause, left out of the limits."""
    with store.connect(source, read_only=False) as con:
        con.execute(
            "INSERT INTO signal_item (measure_id, locality_id, rule, first_period, last_period, direction, side, "
            "found_at, found_by) VALUES ('M_CALLS', 'ALL', 'beyond_limits', DATE '2025-03-01', DATE '2025-03-01', "
            "'concerning', 'high', TIMESTAMP '2025-04-02 09:00', ?)",
            [OFFICER],
        )
        item = int(con.execute("SELECT max(signal_id) FROM signal_item").fetchall()[0][0])
        signal_answers.answer(
            con,
            item,
            signal_answers.Answer(True, CAUSE, f"{OFFICER} to check the drains", "one_off", exclude_from_limits=True),
            user=OFFICER,
        )


def _limits(at: AppTest) -> list[float]:
    """The average and limits in the Measure page's table behind the chart, period by period."""
    table = at.dataframe[0].value
    return [float(x) for row in table[["Average", "Lower limit", "Upper limit"]].to_numpy() for x in row]


def _measure_page(db: Path, monkeypatch: pytest.MonkeyPatch, *, public_app: bool) -> AppTest:
    """The Measure page over all time: the council's app, nobody signed in (its public-view preview), or the public app."""
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    if public_app:
        monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    else:
        monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["measure"], at.query_params["period"] = NAME, "All time"
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception, at.exception
    return at


def test_the_public_app_and_the_site_on_a_snapshot_leave_out_what_the_preview_leaves_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tiny_db.build(tmp_path / "council.duckdb")
    _answer_one_off(source)
    with store.connect(source) as con:
        m = measures.measure_of(public.catalogue(con, "public"), "M_CALLS")
        data, phases = public.series(con, "M_CALLS", measures.AREA, "public"), public.phases(con, "public", "M_CALLS")
        preview = measure_chart.build(m, data, phases, excluded=signal_answers.excluded(con, "M_CALLS", "ALL"))
        kept = measure_chart.build(m, data, phases)
    assert site.number_rows(preview) != site.number_rows(kept)  # leaving March 2025 out moves the limits
    snap = publish.publish(tmp_path / "snapshots", source)
    with store.connect(snap.db) as con:
        spans = signal_answers.excluded(con, "M_CALLS", "ALL")
    assert [
        (str(a.date()), str(b.date())) for a, b in zip(spans["first_period"], spans["last_period"], strict=True)
    ] == [("2025-03-01", "2025-03-01")]
    # the static site from the snapshot
    assert _numbers(_page(site.build_site(tmp_path / "public", snap.db), "M_CALLS")) == site.number_rows(preview)
    # the public app on the snapshot, and the council's app's public-view preview
    on_snapshot = _limits(_measure_page(tmp_path / "snapshots", monkeypatch, public_app=True))
    council = _limits(_measure_page(source, monkeypatch, public_app=False))
    expected = [round(float(x), 2) for row in preview.points[["centre", "lower", "upper"]].to_numpy() for x in row]
    assert on_snapshot == pytest.approx(expected) and council == pytest.approx(expected)


def test_the_snapshot_holds_no_words_of_the_answer(tmp_path: Path) -> None:
    """The periods only: no cause, action or name from the answer or the item, in any table or Parquet file."""
    source = tiny_db.build(tmp_path / "council.duckdb")
    _answer_one_off(source)
    snap = publish.publish(tmp_path / "snapshots", source)
    assert snap.rows["excluded_period"] == 1
    assert snap.rows["signal_item"] == snap.rows["signal_answer"] == 0
    con = duckdb.connect(str(snap.db), read_only=True)
    try:
        for table in store.TABLES:
            text = repr(con.execute(f"SELECT string_agg(CAST(COLUMNS(*) AS VARCHAR), '|') FROM {table}").fetchall())
            for secret in ("Storm Dudley", "Kingsway", "Quarrington", "drains", "beyond_limits"):
                assert secret not in text, (table, secret)
        columns = [r[0] for r in con.execute("DESCRIBE excluded_period").fetchall()]
    finally:
        con.close()
    assert columns == ["measure_id", "locality_id", "first_period", "last_period"]
    raw = b"".join(p.read_bytes() for p in snap.folder.rglob("*") if p.is_file())
    for secret in (b"Storm Dudley", b"Quarrington"):
        assert secret not in raw


def test_an_unpublished_measures_one_off_is_not_copied(tmp_path: Path) -> None:
    source = tiny_db.build(tmp_path / "council.duckdb")
    with store.connect(source, read_only=False) as con:
        con.execute(
            "INSERT INTO signal_item (measure_id, locality_id, rule, first_period, last_period, direction, side, "
            "found_at, found_by) VALUES (?, 'ALL', 'beyond_limits', DATE '2025-03-01', DATE '2025-03-01', "
            "'concerning', 'high', TIMESTAMP '2025-04-02 09:00', 'officer')",
            [tiny_db.UNPUBLISHED],
        )
        item = int(con.execute("SELECT max(signal_id) FROM signal_item").fetchall()[0][0])
        signal_answers.answer(
            con, item, signal_answers.Answer(True, "A cause.", "", "one_off", exclude_from_limits=True), user="officer"
        )
    assert publish.publish(tmp_path / "snapshots", source).rows["excluded_period"] == 0


def test_without_exclusions_the_snapshot_and_the_site_are_unchanged(tmp_path: Path) -> None:
    """No one-off left out: nothing copied, and the site's limits are the ones kept over every point."""
    source = tiny_db.build(tmp_path / "council.duckdb")
    snap = publish.publish(tmp_path / "snapshots", source)
    assert snap.rows["excluded_period"] == 0
    with store.connect(snap.db) as con:
        assert signal_answers.all_excluded(con).empty
        m = measures.measure_of(public.catalogue(con, "public"), "M_CALLS")
        data, phases = public.series(con, "M_CALLS", measures.AREA, "public"), public.phases(con, "public", "M_CALLS")
        kept = measure_chart.build(m, data, phases)
    assert _numbers(_page(site.build_site(tmp_path / "public", snap.db), "M_CALLS")) == site.number_rows(kept)


def test_a_council_database_reads_its_answers_and_a_snapshot_its_copy_in_one_shape(tmp_path: Path) -> None:
    source = tiny_db.build(tmp_path / "council.duckdb")
    _answer_one_off(source)
    snap = publish.publish(tmp_path / "snapshots", source)
    with store.connect(source) as con:
        council = signal_answers.all_excluded(con)
    with store.connect(snap.db) as con:
        copied = signal_answers.all_excluded(con)
    assert list(council.columns) == list(copied.columns)
    keys = ["measure_id", "locality_id", "first_period", "last_period"]
    pd.testing.assert_frame_equal(council[keys], copied[keys])
    assert council["cause"].tolist() == [CAUSE] and copied["cause"].isna().all()
