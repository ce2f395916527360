"""Published figures in: a long file (area code, period, value, unit, source) loads whole or not at all,
reorganised councils move to their successors only where that is exact, and an exported Values CSV
loads back after an edit.

Why: these figures are shown as real data about named councils; a bad row must be named (row,
column, reason) with nothing saved, and a merged council must never be counted twice or vanish.
"""

from __future__ import annotations

import io
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from perf import store
from perf.analysis import measures
from perf.intake import check, read, save
from perf.output import export
from tests.conftest import run_perf as perf

NOW = datetime(2026, 12, 1, 9, 0)


@pytest.fixture()
def db(sample_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, target)
    return target


def fingerprint(path: Path) -> tuple[object, ...]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return tuple(
            con.execute(sql).fetchone()
            for sql in (
                "SELECT count(*), sum(hash(metric_id || area_code || period_start::VARCHAR || value::VARCHAR)) "
                "FROM published_value",
                "SELECT count(*), string_agg(metric_id, ',' ORDER BY metric_id) FROM published_metric",
                "SELECT count(*) FROM source",
                "SELECT count(*) FROM area",
                "SELECT count(*) FROM published_note",
                "SELECT count(*) FROM change_log",
                "SELECT count(*), sum(hash(measure_id || period_start::VARCHAR || locality_id || value::VARCHAR)) "
                "FROM measurement",
            )
        )
    finally:
        con.close()


GOOD = """Metric,Area code,Area name,Period,Value,Unit,Source
Fly-tipping incidents,E07000234,Bromsgrove,2022/23,410,incidents,DEFRA
Fly-tipping incidents,E07000234,Bromsgrove,2023/24,388,incidents,DEFRA
Fly-tipping incidents,E07000150,Corby,2020/21,100,incidents,DEFRA
Fly-tipping incidents,E07000152,East Northamptonshire,2020/21,200,incidents,DEFRA
Fly-tipping incidents,E07000153,Kettering,2020/21,300,incidents,DEFRA
Fly-tipping incidents,E07000156,Wellingborough,2020/21,400,incidents,DEFRA
Fly-tipping incidents,E07000151,Daventry,2020/21,50,incidents,DEFRA
Fly-tipping incidents,E06000061,North Northamptonshire,2022/23,900,incidents,DEFRA
Claimant Count,E07000150,Corby,2020,3.1,%,ONS
Claimant Count,E07000234,Bromsgrove,2026,2.7,%,ONS
"""

BAD = """Metric,Area code,Period,Value,Unit,Source
Fly-tipping incidents,E07000234,2022/23,410,incidents,DEFRA
Fly-tipping incidents,E0700023,2023/24,388,incidents,DEFRA
Fly-tipping incidents,E07000234,2022/23,12,incidents,DEFRA
Claimant Count,E07000234,2026,lots,%,ONS
Claimant Count,E07000236,2026,2.1,percent,ONS
Fly-tipping incidents,E07009999,2022/23,5,incidents,DEFRA
Street cleanliness,E07000234,2022/23,5,,
Claimant Count,E07000234,2026-13-01,2.0,%,ONS
"""


def test_a_bad_long_file_is_rejected_row_by_row_and_nothing_is_saved(db: Path, tmp_path: Path) -> None:
    before = fingerprint(db)
    path = tmp_path / "lg-inform.csv"
    path.write_text(BAD, encoding="utf-8")
    done = perf("load", str(path), db=db)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    expected = [
        "Row 3, column 'Area code': 'E0700023' is not an ONS area code; a council's code is a letter and eight digits, "
        "such as E07000234.",
        "Row 4, column 'Period': the same measure, area and period as row 2; each can appear only once.",
        "Row 5, column 'Value': 'lots' is not a number.",
        "Row 6, column 'Unit': the unit 'percent' differs from this measure's unit '%'; a measure has one unit.",
        "Row 7, column 'Area code': 'E07009999' is not a council the database knows (today's councils, and those "
        "reorganised since 2019).",
        "Row 8, column 'Unit': this cell is blank, but a new measure needs its unit (such as 'reports' or '%').",
        "Row 8, column 'Source': this cell is blank, but a new measure needs its source (who publishes it), to name "
        "wherever it is shown.",
        "Row 9, column 'Period': '2026-13-01' is not a date; write dates as YYYY-MM-DD (e.g. 2024-04-01) or "
        "DD/MM/YYYY.",
    ]
    for line in expected:
        assert line in lines, (line, lines)
    assert lines[-1] == "lg-inform.csv was not loaded: 8 problems in 7 rows. Nothing was saved."
    assert fingerprint(db) == before


def test_a_new_measure_without_unit_or_source_columns_is_refused(db: Path) -> None:
    with store.connect(db, read_only=False) as con:
        result = check.validate_upload(con, b"area_code,period,value,metric\nE07000234,2024,3,Litter\n", "x.csv")
    assert result.kind == "published" and not result.ok
    assert result.problems[0].row == 2 and result.problems[0].column == "metric"
    assert "needs a 'unit and source' column" in result.problems[0].reason


def test_counts_of_merged_councils_are_summed_rates_end_with_a_note(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    done = perf("load", str(path), "--user", "analyst", db=db)
    assert done.returncode == 0, done.stderr
    assert (
        "Figures for Corby, East Northamptonshire, Kettering and Wellingborough are added together as North "
        "Northamptonshire (E06000061)" in done.stderr
    )
    # Daventry alone is not West Northamptonshire: that year is left out rather than undercounted
    assert "1 period where only some of them have a figure is left out rather than undercounted" in done.stderr
    assert "Corby (E07000150) was replaced by North Northamptonshire" in done.stderr  # the rate's series ends
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("""SELECT area_code, period_start::VARCHAR, value FROM published_value
        WHERE metric_id = 'pub-fly-tipping-incidents' ORDER BY 1, 2""").fetchall()
    assert got == [
        ("E06000061", "2020-04-01", 1000.0),
        ("E06000061", "2022-04-01", 900.0),
        ("E07000234", "2022-04-01", 410.0),
        ("E07000234", "2023-04-01", 388.0),
    ]
    assert con.execute("""SELECT value FROM published_value WHERE metric_id = 'ons-claimant-count'
        AND area_code = 'E07000150' AND period_start = '2020-01-01'""").fetchall() == [(3.1,)]
    assert con.execute("SELECT attribution FROM source WHERE source_id = 'src-defra'").fetchone() == ("Source: DEFRA",)
    assert con.execute(
        "SELECT count(*) FROM published_note WHERE metric_id = 'pub-fly-tipping-incidents'"
    ).fetchone() == (9,)  # both Northamptonshires: 4 + 3 predecessors and 2 successors
    con.close()
    again = perf("load", str(path), db=db)
    assert again.returncode == 0 and "0 new, 0 corrected" in again.stdout


@pytest.mark.parametrize("measure_id", ["fms-rubbish", "repairs-right-first-time"])
def test_an_edited_values_export_loads_back(db: Path, measure_id: str) -> None:
    with store.connect(db, read_only=False) as con:
        row = measures.catalogue(con).set_index("measure_id").loc[measure_id]
        facts = {str(k): v for k, v in row.items()}
        series = measures.series(con, measure_id, "ALL")
        exported = export.to_csv_bytes(
            export.values_for_upload(
                series, measure_id=measure_id, locality_id="ALL", attribution=measures.attribution(facts)
            )
        )
        table = pd.read_csv(io.BytesIO(exported), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert list(table.columns[:6]) == [
            "measure_id",
            "period_start",
            "locality_id",
            "value",
            "numerator",
            "denominator",
        ]
        assert ("source" in table.columns) == (measure_id == "fms-rubbish")
        table.loc[3, "value"] = "7"  # an analyst's correction in Excel
        if table.loc[3, "numerator"]:
            table.loc[3, ["numerator", "denominator"]] = ""
        edited = table.to_csv(index=False).encode("utf-8")
        result = check.validate_upload(con, edited, f"{measure_id}.csv", now=NOW)
        assert result.ok, result.problems[:3]
        done = save.apply_upload(con, result, user="analyst", now=NOW)
        assert (done.new, done.corrected) == (0, 1)
        assert done.unchanged == len(table) - 1
        stored = measures.series(con, measure_id, "ALL")
    assert float(stored["value"].iloc[3]) == 7.0


@pytest.mark.parametrize(
    "metric_id, since", [("fms-all", None), ("ons-gross-median-weekly-pay", None), ("fms-b26", "2018-01-01")]
)
def test_the_similar_councils_csv_loads_back_as_the_same_figures(db: Path, metric_id: str, since: str | None) -> None:
    """Export = upload: the Similar councils CSV, loaded into a database without that measure's figures,
    gives back the same figures, the same charts and the same CSV, with its source named in every row."""
    from perf.analysis import similar

    window = None if since is None else pd.Timestamp(since)
    with store.connect(db, read_only=False) as con:
        group = similar.group(con, "E07000234")
        before = similar.compare(con, metric_id, group, since=window)
        exported = export.to_csv_bytes(similar.figures(before))
        table = pd.read_csv(io.BytesIO(exported), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert list(table.columns[:7]) == list(similar.UPLOAD_COLUMNS)
        assert table["source"].str.len().gt(0).all() and table["area_code"].iloc[0] == "E07000234"
        # a fresh database: the measure is known, its figures are not
        con.execute("DELETE FROM published_value WHERE metric_id = ?", [metric_id])
        result = check.validate_upload(con, exported, "similar-councils.csv", now=NOW)
        assert result.ok, result.problems[:3]
        assert result.kind == "published"
        assert any("are the chart's working" in n and "'centre'" in n for n in result.notes)
        done = save.apply_upload(con, result, user="analyst", now=NOW)
        assert (done.new, done.corrected) == (len(table), 0)
        after = similar.compare(con, metric_id, group, since=window)
    assert after.codes == before.codes
    if since is None:  # the whole series came back: the same charts, sentences and file
        assert after.sentences == before.sentences
        assert export.to_csv_bytes(similar.figures(after)) == exported
    else:  # only the periods shown came back: their figures are the same
        pd.testing.assert_series_equal(after.points["published"], before.points["published"])


def test_the_working_columns_are_the_ones_the_loader_leaves_out() -> None:
    from perf.analysis import similar

    assert set(similar.WORKING_COLUMNS) == set(read.WORKED_OUT)
    assert {c.name for c in read.COLUMNS["published"]} >= set(similar.UPLOAD_COLUMNS)
