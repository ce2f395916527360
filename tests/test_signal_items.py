"""Signals found on arrival: a load opens an item for a new signal, and a correction that removes it closes it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from perf import store
from perf.intake import entry, save
from perf.signals import signal_answers, signal_items

NOW = datetime(2025, 3, 20, 9, 0)
MONTHS = pd.date_range("2023-01-01", periods=24, freq="MS")
STEADY = np.tile([100.0, 104.0, 98.0, 102.0, 96.0, 101.0], 4)  # limits roughly 87 to 113, no signal


def _db(path: Path, *, improvement: str = "down") -> duckdb.DuckDBPyConnection:
    """One monthly measure for the whole area and one recorded by two wards, two years of steady values."""
    con = duckdb.connect(str(path))
    store.create_schema(con)
    con.executemany(
        "INSERT INTO locality (locality_id, name, kind, parent_id) VALUES (?, ?, ?, ?)",
        [("ALL", "Whole area", "area", None), ("W1", "Ward 1", "ward", "ALL"), ("W2", "Ward 2", "ward", "ALL")],
    )
    con.execute("INSERT INTO purpose (purpose_id, name, kind) VALUES ('P', 'Keep my place clean', 'strategic')")
    for mid, by_ward in (("calls", False), ("tips", True)):
        con.execute(
            "INSERT INTO measure (measure_id, name, purpose_id, kind, unit, frequency, improvement, owner,"
            " by_locality) VALUES (?, ?, 'P', 'strategic', 'reports', 'month', ?, 'Head of Streets (Ann)', ?)",
            [mid, mid.capitalize(), improvement, by_ward],
        )
    rows = [("calls", m.date(), "ALL", v) for m, v in zip(MONTHS, STEADY, strict=True)]
    rows += [("tips", m.date(), w, v / 2) for w in ("W1", "W2") for m, v in zip(MONTHS, STEADY, strict=True)]
    con.executemany("INSERT INTO measurement (measure_id, period_start, locality_id, value) VALUES (?, ?, ?, ?)", rows)
    with store.write_transaction(con) as cur:
        signal_items.find(cur, user="build", now=NOW, notified=True)
    return con


def _items(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM signal_item ORDER BY signal_id").df()


def test_steady_data_opens_no_item(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    assert _items(con).empty
    done = entry.enter_value(con, "calls", date(2025, 1, 1), None, 99, user="amy", now=NOW)
    assert done.new == 1 and done.signals.new == () and _items(con).empty


def test_a_value_far_above_the_limits_opens_one_concerning_item(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    done = entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    items = _items(con)
    assert len(done.signals.new) == 1 and len(items) == 1
    item = items.iloc[0]
    assert (item["measure_id"], item["locality_id"], item["rule"]) == ("calls", "ALL", "outside_limits")
    assert (item["first_period"].date(), item["last_period"].date()) == (date(2025, 1, 1), date(2025, 1, 1))
    assert (item["direction"], item["side"], item["status"]) == ("concerning", "high", "open")
    assert item["found_by"] == "amy" and item["found_at"] == NOW and pd.isna(item["notified_at"])
    assert "1 new signal" in done.summary


def test_the_same_value_again_opens_nothing_more(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    again = entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    assert again.unchanged == 1 and again.signals.new == () and len(_items(con)) == 1


def test_a_low_value_on_a_measure_better_lower_is_improving(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    entry.enter_value(con, "calls", date(2025, 1, 1), None, 40, user="amy", now=NOW)
    assert _items(con)[["direction", "side"]].values.tolist() == [["improving", "low"]]


def test_a_measure_with_no_better_direction_gives_a_neutral_item(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb", improvement="neutral")
    entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    assert _items(con)["direction"].tolist() == ["neutral"]


def test_a_correction_that_removes_the_signal_closes_its_item_saying_so(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    later = datetime(2025, 3, 21, 10, 0)
    fixed = entry.enter_value(con, "calls", date(2025, 1, 1), None, 101, user="bob", now=later)
    item = _items(con).iloc[0]
    assert fixed.signals.closed == (int(item["signal_id"]),)
    assert (item["status"], item["closed_by"], item["closed_at"]) == ("closed", "bob", later)
    assert item["closed_reason"] == signal_items.CORRECTED
    assert "closed" in fixed.summary


def test_a_run_that_grows_keeps_one_item_and_its_periods_grow(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    following = entry.enter_value(con, "calls", date(2025, 2, 1), None, 165, user="amy", now=NOW)
    items = _items(con)
    assert following.signals.new == () and len(items) == 1
    assert items.iloc[0]["last_period"].date() == date(2025, 2, 1)


def test_a_ward_value_opens_an_item_for_that_ward_only(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    entry.enter_value(con, "tips", date(2025, 1, 1), "W1", 90, user="amy", now=NOW)
    entry.enter_value(con, "tips", date(2025, 1, 1), "W2", 50, user="amy", now=NOW)
    items = _items(con)
    assert set(zip(items["measure_id"], items["locality_id"], strict=True)) >= {("tips", "W1")}
    assert ("tips", "W2") not in set(zip(items["measure_id"], items["locality_id"], strict=True))


def test_an_upload_finds_signals_in_the_same_transaction(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    csv = (
        b"measure_id,period_start,locality_id,value\ncalls,2025-01-01,,170\ntips,2025-01-01,W1,51\n"
        b"tips,2025-01-01,W2,49\n"
    )
    _, done = save.load_upload(con, csv, "jan.csv", user="amy", now=NOW)
    assert done is not None and len(done.signals.new) == 1
    assert _items(con)["found_by"].tolist() == ["amy"]


def test_a_refused_upload_opens_no_item(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    csv = b"measure_id,period_start,value\ncalls,2025-01-01,170\ncalls,2025-02-01,n/a\n"
    result, done = save.load_upload(con, csv, "bad.csv", user="amy", now=NOW)
    assert done is None and not result.ok and _items(con).empty


def test_a_signal_answered_is_not_raised_again_as_its_run_goes_on(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    con.execute("UPDATE signal_item SET status = 'closed', closed_reason = 'answered'")
    more = entry.enter_value(con, "calls", date(2025, 2, 1), None, 165, user="amy", now=NOW)
    assert more.signals.new == () and len(_items(con)) == 1


def test_the_sample_database_starts_with_its_current_signals_already_told(sample_db: Path) -> None:
    with store.connect(sample_db) as con:
        items = _items(con)
    assert len(items) > 0 and items["notified_at"].notna().all() and set(items["found_by"]) == {"build"}
    assert (items["status"] == "open").all()


def test_every_measure_is_looked_at_within_a_second_on_the_sample(sample_db: Path, tmp_path: Path) -> None:
    """Not a timing test (bench/signals.py prints the figure): the full look finds what build found."""
    with store.connect(sample_db) as con:
        known = len(_items(con))
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(sample_db.read_bytes())
    with duckdb.connect(str(copy)) as con, store.write_transaction(con) as cur:
        again = signal_items.find(cur, user="x", now=NOW)
    assert again.new == () and again.closed == () and known > 0 and again.series > 300


def test_unsorted_values_are_refused() -> None:
    values = pd.DataFrame(
        {
            "measure_id": ["b", "a"],
            "locality_id": ["ALL", "ALL"],
            "period_start": [date(2024, 1, 1)] * 2,
            "value": [1.0, 2.0],
        }
    )
    watch = pd.DataFrame({"measure_id": ["a", "b"], "improvement": ["up", "up"], "phase_starts": [None, None]})
    with pytest.raises(ValueError, match="sorted"):
        signal_items.runs(values.iloc[[0, 1, 0]], watch)


def test_a_database_built_before_signal_items_gains_their_tables_on_its_next_load(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    assert store.has_table(con, "signal_item")
    for table in ("alert_log", "signal_note", "signal_answer", "signal_item", "owner"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP SEQUENCE signal_seq")
    assert not store.has_table(con, "signal_item")  # what the Signals page asks before it lists any
    assert signal_answers.all_excluded(con).empty  # the Overview and packs chart without the answers
    done = entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    assert len(done.signals.new) == 1 and len(_items(con)) == 1 and store.has_table(con, "signal_item")
    assert store.ensure_schema(con) == []  # nothing more to add
