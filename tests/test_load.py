"""Uploads: every bad file is refused with the row, column and reason, and the database is untouched;
a good file loads once, idempotently, with corrections kept in the change log."""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from perf import errors
from perf.intake import check, read, save
from tests import fixtures_db
from tests.fixtures_db import snapshot

db = fixtures_db.db  # the shared fixture, made visible to pytest in this module

NOW = datetime(2024, 6, 12, 10, 0)  # a Wednesday; "future" is judged against it
VALUES_HEADER = "measure_id,period_start,locality_id,value"


def csv_bytes(*lines: str, header: str = VALUES_HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Bad:
    """A file that must be refused, and one problem it must report: row, column and reason."""

    id: str
    filename: str
    data: bytes
    row: int | None
    column: str | None
    reason: str  # a fragment of the reason, in the words the officer reads
    sheet: str | None = None


DEMAND_HEADER = "demand_id,service_id,locality_id,channel,received_at,demand_type,nature,case_id"
WORK_HEADER = "case_id,service_id,locality_id,channel,nature,started_at,completed_at"
BIG_HEADER = b"measure_id,period_start,value\n"
BIG = BIG_HEADER + b"9" * (read.MAX_UPLOAD_BYTES + 1 - len(BIG_HEADER))  # one byte over the limit

BAD_FILES = [
    # wrong or missing columns
    Bad(
        "missing column",
        "v.csv",
        csv_bytes("calls,1", header="measure_id,value"),
        1,
        None,
        "it has no 'period_start' column.",
    ),
    Bad(
        "no value column",
        "v.csv",
        csv_bytes("calls,2024-06-03", header="measure_id,period_start"),
        1,
        None,
        "there is no 'value' column",
    ),
    Bad(
        "unexpected column",
        "v.csv",
        csv_bytes("calls,2024-06-03,,1,red", header=VALUES_HEADER + ",colour"),
        1,
        "colour",
        "'colour' is not a column a file of measure values can have",
    ),
    Bad(
        "duplicated column",
        "v.csv",
        csv_bytes("calls,calls,2024-06-03,1", header="measure,measure_id,period,value"),
        1,
        "measure_id",
        "'measure_id' is a second 'measure_id' column (after 'measure'); keep only one.",
    ),
    Bad(
        "header matches nothing",
        "v.csv",
        csv_bytes("1,2", header="colour,size"),
        1,
        None,
        "the header row doesn't match any kind of file that can be loaded.",
    ),
    Bad(
        "work file without a start",
        "w.csv",
        csv_bytes("101,waste,E05007850", header="case_id,service_id,locality_id"),
        1,
        None,
        "this looks like a file of work records, but it has no 'started_at' column.",
    ),
    # wrong types
    Bad("value not a number", "v.csv", csv_bytes("calls,2024-06-03,,n/a"), 2, "value", "'n/a' is not a number."),
    Bad("decimal comma", "v.csv", csv_bytes('calls,2024-06-03,,"1,5"'), 2, "value", "'1,5' is not a number."),
    Bad(
        "period not a date",
        "v.csv",
        csv_bytes("calls,31/02/2024,,1"),
        2,
        "period_start",
        "'31/02/2024' is not a date; write dates as YYYY-MM-DD",
    ),
    Bad(
        "period with a time",
        "v.csv",
        csv_bytes("calls,2024-06-03 09:30,,1"),
        2,
        "period_start",
        "'2024-06-03 09:30' includes a time of day; a period is a date.",
    ),
    Bad(
        "demand id not whole",
        "d.csv",
        csv_bytes("A17,waste,E05007850,phone,2024-06-01 09:00,value,missed bin,", header=DEMAND_HEADER),
        2,
        "demand_id",
        "'A17' is not a whole number; a demand ID is a number such as 10452.",
    ),
    # blanks
    Bad(
        "blank measure",
        "v.csv",
        csv_bytes(",2024-06-03,,5"),
        2,
        "measure_id",
        "this cell is blank, but every row needs a measure.",
    ),
    Bad(
        "blank value",
        "v.csv",
        csv_bytes("calls,2024-06-03,,"),
        2,
        "value",
        "this cell is blank, but every row needs a value (or a numerator and a denominator).",
    ),
    Bad(
        "denominator without numerator",
        "v.csv",
        csv_bytes("failure_pct,2024-05-01,,,,1000", header=VALUES_HEADER + ",numerator,denominator"),
        2,
        "numerator",
        "this cell is blank, but a denominator needs a numerator.",
    ),
    Bad(
        "numerator without denominator",
        "v.csv",
        csv_bytes("failure_pct,2024-05-01,,,385,", header=VALUES_HEADER + ",numerator,denominator"),
        2,
        "denominator",
        "this cell is blank, but a numerator needs a denominator.",
    ),
    Bad(
        "blank nature",
        "d.csv",
        csv_bytes("2,waste,E05007850,phone,2024-06-01 09:00,value,,", header=DEMAND_HEADER),
        2,
        "nature",
        "this cell is blank, but every row needs a nature of the demand.",
    ),
    # duplicates
    Bad(
        "duplicate period",
        "v.csv",
        csv_bytes("calls,2024-06-03,,1", "calls,03/06/2024,ALL,2"),
        3,
        "period_start",
        "the same measure, period and locality as row 2; each can appear only once.",
    ),
    Bad(
        "duplicate demand id",
        "d.csv",
        csv_bytes(
            "2,waste,E05007850,phone,2024-06-01 09:00,value,missed bin,",
            "2,waste,E05007850,web,2024-06-01 10:00,value,missed bin,",
            header=DEMAND_HEADER,
        ),
        3,
        "demand_id",
        "the same demand ID as row 2; each contact can appear only once.",
    ),
    Bad(
        "duplicate case id",
        "w.csv",
        csv_bytes("101,waste,E05007850,,,2024-05-01,", "101,waste,E05007851,,,2024-05-02,", header=WORK_HEADER),
        3,
        "case_id",
        "the same case ID as row 2; each case can appear only once.",
    ),
    # unknown keys
    Bad(
        "unknown measure",
        "v.csv",
        csv_bytes("calsl,2024-06-03,,1"),
        2,
        "measure_id",
        "'calsl' is not a known measure. Did you mean 'calls'?",
    ),
    Bad(
        "unknown ward",
        "v.csv",
        csv_bytes("calls,2024-06-03,Nowhere,1"),
        2,
        "locality_id",
        "'Nowhere' is not a known ward or locality.",
    ),
    Bad(
        "unknown ward by header 'ward'",
        "v.csv",
        csv_bytes("calls,2024-06-03,Hagley Wesst,1", header="measure,period,ward,value"),
        2,
        "ward",
        "'Hagley Wesst' is not a known ward or locality. Did you mean 'Hagley West'?",
    ),
    Bad(
        "ward for an area-only measure",
        "v.csv",
        csv_bytes("failure_pct,2024-05-01,Hagley West,40"),
        2,
        "locality_id",
        "this measure is recorded for the whole area only",
    ),
    Bad(
        "unknown service",
        "w.csv",
        csv_bytes("101,parking,E05007850,,,2024-05-01,", header=WORK_HEADER),
        2,
        "service_id",
        "'parking' is not a known service.",
    ),
    Bad(
        "unknown demand type",
        "d.csv",
        csv_bytes("2,waste,E05007850,phone,2024-06-01 09:00,fail,missed bin,", header=DEMAND_HEADER),
        2,
        "demand_type",
        "'fail' is not a demand type; use 'value' or 'failure'.",
    ),
    # periods and dates
    Bad(
        "week not starting Monday",
        "v.csv",
        csv_bytes("calls,2024-06-05,,1"),
        2,
        "period_start",
        "2024-06-05 is not the start of a week (weeks start on a Monday); the nearest is 2024-06-03.",
    ),
    Bad(
        "month not on the 1st",
        "v.csv",
        csv_bytes("failure_pct,2024-05-15,,40"),
        2,
        "period_start",
        "2024-05-15 is not the start of a month (months start on the 1st); the nearest is 2024-05-01.",
    ),
    Bad(
        "quarter not on a quarter day",
        "v.csv",
        csv_bytes("cost,2024-02-01,,4000"),
        2,
        "period_start",
        "2024-02-01 is not the start of a quarter (quarters start on 1 January, 1 April, 1 July or 1 October); "
        "the nearest is 2024-01-01.",
    ),
    Bad(
        "future period", "v.csv", csv_bytes("calls,2024-07-01,,1"), 2, "period_start", "'2024-07-01' is in the future."
    ),
    Bad(
        "future contact",
        "d.csv",
        csv_bytes("2,waste,E05007850,phone,2024-06-12 10:30,value,missed bin,", header=DEMAND_HEADER),
        2,
        "received_at",
        "'2024-06-12 10:30' is in the future.",
    ),
    Bad(
        "mistyped year",
        "v.csv",
        csv_bytes("calls,0024-06-03,,1"),
        2,
        "period_start",
        "'0024-06-03' is before 1990; check the year.",
    ),
    Bad(
        "end before start",
        "w.csv",
        csv_bytes("101,waste,E05007850,phone,missed bin,2024-05-02 09:00,2024-05-01 17:00", header=WORK_HEADER),
        2,
        "completed_at",
        "2024-05-01 17:00 is before the start in 'started_at' (2024-05-02 09:00); a case can't end before it starts.",
    ),
    # implausible values
    Bad(
        "huge value",
        "v.csv",
        csv_bytes("calls,2024-06-03,,1e13"),
        2,
        "value",
        "'1e13' is implausibly large (more than 1,000,000,000,000); check the number.",
    ),
    Bad("infinity", "v.csv", csv_bytes("calls,2024-06-03,,inf"), 2, "value", "'inf' is not a number."),
    Bad(
        "percentage over 100",
        "v.csv",
        csv_bytes("failure_pct,2024-05-01,,140"),
        2,
        "value",
        "'140' is not a percentage between 0 and 100.",
    ),
    Bad(
        "negative count",
        "v.csv",
        csv_bytes("failure_pct,2024-05-01,,,-3,10", header=VALUES_HEADER + ",numerator,denominator"),
        2,
        "numerator",
        "'-3' is negative; a count can't be below zero.",
    ),
    Bad(
        "zero denominator",
        "v.csv",
        csv_bytes("failure_pct,2024-05-01,,,0,0", header=VALUES_HEADER + ",numerator,denominator"),
        2,
        "denominator",
        "the denominator is 0, so the value can't be worked out from it.",
    ),
    Bad(
        "text too long",
        "d.csv",
        csv_bytes("2,waste,E05007850,phone,2024-06-01 09:00,value," + "x" * 1001 + ",", header=DEMAND_HEADER),
        2,
        "nature",
        "this cell has 1,001 characters; the limit is 1,000.",
    ),
    # formula injection
    Bad(
        "formula with =",
        "v.csv",
        csv_bytes("calls,2024-06-03,,=1+1"),
        2,
        "value",
        "'=1+1' looks like a spreadsheet formula",
    ),
    Bad(
        "formula HYPERLINK",
        "d.csv",
        csv_bytes(
            '2,waste,E05007850,phone,2024-06-01 09:00,value,"=HYPERLINK(""http://evil"",""x"")",', header=DEMAND_HEADER
        ),
        2,
        "nature",
        "looks like a spreadsheet formula, which could run",
    ),
    Bad(
        "formula with @",
        "v.csv",
        csv_bytes("calls,2024-06-03,@SUM(A1),1"),
        2,
        "locality_id",
        "'@SUM(A1)' looks like a spreadsheet formula",
    ),
    Bad(
        "formula with + (DDE)",
        "d.csv",
        csv_bytes("2,waste,E05007850,+cmd|' /C calc'!A0,2024-06-01 09:00,value,missed bin,", header=DEMAND_HEADER),
        2,
        "channel",
        "looks like a spreadsheet formula",
    ),
    Bad(
        "formula hidden by a tab",
        "v.csv",
        csv_bytes('"\t=1+1",2024-06-03,,1'),
        2,
        "measure_id",
        "'\\t=1+1' looks like a spreadsheet formula",
    ),
    Bad(
        "formula in Excel",
        "v.xlsx",
        xlsx_bytes({"Values": [["measure_id", "period_start", "value"], ["calls", date(2024, 6, 3), "=SUM(1,2)"]]}),
        2,
        "value",
        "'=SUM(1,2)' looks like a spreadsheet formula",
    ),
    # the file itself
    Bad("over 50 MB", "big.csv", BIG, None, None, "big.csv is 50.0 MB; the limit is 50 MB."),
    Bad(
        "not UTF-8 or Windows-1252",
        "v.csv",
        csv_bytes("calls,2024-06-03,,1").replace(b"calls", b"\x81\x8d"),
        None,
        None,
        "v.csv is not text in UTF-8 or Windows-1252 (byte 43 can't be read).",
    ),
    Bad(
        "UTF-16",
        "v.csv",
        "measure_id,period_start,value\ncalls,2024-06-03,1\n".encode("utf-16"),
        None,
        None,
        "v.csv is saved as UTF-16",
    ),
    Bad(
        "several sheets",
        "v.xlsx",
        xlsx_bytes(
            {
                "Values": [["measure_id", "period_start", "value"], ["calls", date(2024, 6, 3), 1]],
                "Notes": [["checked by Sam"]],
                "Empty": [],
            }
        ),
        None,
        None,
        "v.xlsx has 2 sheets with data ('Values', 'Notes'); choose the sheet to load",
    ),
    Bad(
        "sheet that does not exist",
        "v.xlsx",
        xlsx_bytes({"Values": [["measure_id"]]}),
        None,
        None,
        "v.xlsx has no sheet called 'Sheet9'; its sheets are 'Values'.",
        sheet="Sheet9",
    ),
    Bad(
        "chosen sheet is empty",
        "v.xlsx",
        xlsx_bytes({"Values": [["measure_id"]], "Blank": []}),
        None,
        None,
        "Sheet 'Blank' of v.xlsx is empty.",
        sheet="Blank",
    ),
    Bad(
        "old Excel format",
        "v.xls",
        b"\xd0\xcf\x11\xe0" + b"\0" * 100,
        None,
        None,
        "v.xls is an old Excel 97-2003 workbook (.xls)",
    ),
    Bad(
        "not a workbook",
        "v.xlsx",
        b"measure_id,period_start,value\n",
        None,
        None,
        "v.xlsx is not an Excel workbook that can be read (.xlsx).",
    ),
    Bad(
        "wrong file type",
        "v.pdf",
        b"%PDF-1.4",
        None,
        None,
        "v.pdf is not a CSV (.csv) or Excel (.xlsx) file, so it can't be loaded.",
    ),
    Bad(
        "workbook named .csv",
        "v.csv",
        xlsx_bytes({"Values": [["measure_id"]]}),
        None,
        None,
        "v.csv is an Excel workbook, not a CSV file.",
    ),
    Bad("empty file", "v.csv", b"", None, None, "v.csv is empty."),
    Bad(
        "empty workbook",
        "v.xlsx",
        xlsx_bytes({"Sheet1": []}),
        None,
        None,
        "v.xlsx is empty: none of its sheets has any data.",
    ),
    Bad("header only", "v.csv", csv_bytes(), None, None, "v.csv has a header row but no data rows."),
    Bad("broken quoting", "v.csv", csv_bytes('calls,2024-06-03,,"1'), None, None, "Row 2 of v.csv has broken quoting"),
    Bad(
        "value outside every column",
        "v.csv",
        csv_bytes("calls,2024-06-03,,1,oops"),
        2,
        None,
        "this row has 5 cells but the header row names 4 columns; a value is outside every column.",
    ),
]


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda b: b.id)
def test_bad_file_is_refused_with_the_reason_and_nothing_saved(db: duckdb.DuckDBPyConnection, bad: Bad) -> None:
    before = snapshot(db)
    result, done = save.load_upload(db, bad.data, bad.filename, user="amy", sheet=bad.sheet, now=NOW)
    assert done is None and not result.ok
    matching = [p for p in result.problems if bad.reason in p.reason]
    assert matching, [p.message() for p in result.problems]
    assert (matching[0].row, matching[0].column) == (bad.row, bad.column)
    assert result.summary.startswith(f"{bad.filename} was not loaded:")
    assert result.summary.endswith("Nothing was saved.")
    assert snapshot(db) == before


def test_there_are_at_least_25_bad_files() -> None:
    assert len(BAD_FILES) >= 25


def test_every_problem_in_a_file_is_reported_not_just_the_first(db: duckdb.DuckDBPyConnection) -> None:
    data = csv_bytes("calls,2024-06-05,Nowhere,n/a", "foo,2024-06-03,,1", "calls,2024-06-03,,=1+1")
    result = check.validate_upload(db, data, "values.csv", now=NOW)
    assert [p.message() for p in result.problems] == [
        "Row 2, column 'period_start': 2024-06-05 is not the start of a week (weeks start on a Monday); "
        "the nearest is 2024-06-03.",
        "Row 2, column 'locality_id': 'Nowhere' is not a known ward or locality.",
        "Row 2, column 'value': 'n/a' is not a number.",
        "Row 3, column 'measure_id': 'foo' is not a known measure.",
        "Row 4, column 'value': '=1+1' looks like a spreadsheet formula, which could run when the data is "
        "opened in Excel; type the value itself.",
    ]
    assert result.summary == "values.csv was not loaded: 5 problems in 3 rows. Nothing was saved."
    assert list(result.problem_frame().columns) == ["row", "column", "value", "reason"]
    assert result.problem_frame()["value"].tolist()[2] == "n/a"


def test_rows_are_numbered_as_the_spreadsheet_shows_them_past_blank_lines(db: duckdb.DuckDBPyConnection) -> None:
    data = csv_bytes("calls,2024-06-03,,1", ",,,", "calls,2024-06-03,E05007850,x")
    result = check.validate_upload(db, data, "values.csv", now=NOW)
    assert [(p.row, p.column) for p in result.problems] == [(4, "value")]


def test_applying_a_refused_result_raises_with_its_problems(db: duckdb.DuckDBPyConnection) -> None:
    result = check.validate_upload(db, csv_bytes("calls,2024-06-03,,n/a"), "values.csv", now=NOW)
    with pytest.raises(errors.InputError, match="Row 2, column 'value': 'n/a' is not a number."):
        save.apply_upload(db, result, user="amy", now=NOW)


# ----------------------------------------------------------------------------------------------
# Good files

GOOD = csv_bytes(
    "calls,2024-06-03,,41",
    "calls,2024-05-27,ALL,44",  # a correction of 40
    "calls,2024-05-27,Alvechurch South,12",  # unchanged, named by ward
    "failure_pct,2024-05-01,,39.5",
)


def test_good_file_is_accepted_and_summarised(db: duckdb.DuckDBPyConnection) -> None:
    result, done = save.load_upload(db, GOOD, "values.csv", user="amy", now=NOW)
    assert result.ok and result.summary == "4 measure values in values.csv are ready to load."
    assert done is not None
    assert done.summary == "Loaded 4 measure values from values.csv: 2 new, 1 corrected, 1 unchanged."
    stored = db.execute(
        "SELECT value, entered_by FROM measurement WHERE measure_id='calls' AND period_start='2024-06-03'"
    ).fetchall()
    assert stored == [(41.0, "amy")]


def test_reloading_the_same_file_changes_nothing(db: duckdb.DuckDBPyConnection) -> None:
    save.load_upload(db, GOOD, "values.csv", user="amy", now=NOW)
    after_first = snapshot(db)
    _, again = save.load_upload(db, GOOD, "values.csv", user="bob", now=datetime(2024, 6, 12, 11))
    assert again is not None and again.changed == 0
    assert again.summary == "Loaded 4 measure values from values.csv: 0 new, 0 corrected, 4 unchanged."
    assert snapshot(db) == after_first


def test_a_correction_keeps_the_old_value_with_who_and_when(db: duckdb.DuckDBPyConnection) -> None:
    save.load_upload(db, GOOD, "values.csv", user="amy", now=NOW)
    log = db.execute(
        "SELECT table_name, row_key, column_name, old_value, new_value, changed_by, changed_at "
        "FROM change_log ORDER BY change_id"
    ).fetchall()
    assert log[0] == ("measurement", "calls|2024-05-27|ALL", "value", "40.0", "44.0", "amy", NOW)
    assert log[1][:2] == ("measurement", "values.csv") and log[1][4].startswith("Loaded 4 measure values")
    assert len(log) == 2


def test_unchanged_rows_keep_who_entered_them(db: duckdb.DuckDBPyConnection) -> None:
    save.load_upload(db, GOOD, "values.csv", user="amy", now=NOW)
    who = db.execute(
        "SELECT entered_by FROM measurement WHERE measure_id='calls' AND locality_id='E05007850'"
    ).fetchall()
    assert who == [("seed",)]


def test_value_is_worked_out_from_numerator_and_denominator_as_a_percentage(
    db: duckdb.DuckDBPyConnection,
) -> None:
    data = csv_bytes("failure_pct,2024-05-01,,,42,200", header=VALUES_HEADER + ",numerator,denominator")
    _, done = save.load_upload(db, data, "values.csv", user="amy", now=NOW)
    assert done is not None and done.new == 1
    row = db.execute("SELECT value, numerator, denominator FROM measurement WHERE period_start='2024-05-01'")
    assert row.fetchall() == [(21.0, 42.0, 200.0)]


def test_friendly_headers_ward_names_and_uk_dates_are_understood(db: duckdb.DuckDBPyConnection) -> None:
    data = csv_bytes(
        'Calls about missed bins,03/06/2024,hagley west,"1,204"', header="Measure,Week commencing,Ward,Figure"
    )
    result = check.validate_upload(db, data, "values.csv", now=NOW)
    assert result.ok, [p.message() for p in result.problems]
    assert result.frame.iloc[0][["measure_id", "locality_id", "value"]].tolist() == ["calls", "E05007860", 1204.0]
    assert result.frame.iloc[0]["period_start"] == pd.Timestamp("2024-06-03")


def test_windows_1252_file_is_read_and_the_officer_is_told(db: duckdb.DuckDBPyConnection) -> None:
    data = "measure_id,period_start,value\ncost,2024-01-01,£4000\n".encode("cp1252")
    result = check.validate_upload(db, data, "costs.csv", now=NOW)
    assert result.ok and result.frame.iloc[0]["value"] == 4000.0
    assert result.notes == (
        "costs.csv is not UTF-8, so it was read as Windows-1252 (cp1252); check that "
        "characters such as £ and accented names look right.",
    )


def test_semicolon_separated_file_is_read_and_the_officer_is_told(db: duckdb.DuckDBPyConnection) -> None:
    result = check.validate_upload(db, b"measure_id;period_start;value\ncalls;2024-06-03;5\n", "v.csv", now=NOW)
    assert result.ok and result.notes == ("v.csv separates columns with semicolons, so it was read that way.",)


def test_tab_separated_file_is_read_and_the_officer_is_told(db: duckdb.DuckDBPyConnection) -> None:
    result = check.validate_upload(db, b"measure_id\tperiod_start\tvalue\ncalls\t2024-06-03\t5\n", "v.txt", now=NOW)
    assert result.ok and result.notes == ("v.txt separates columns with tabs, so it was read that way.",)


def test_a_result_with_nothing_recognised_cannot_be_applied(db: duckdb.DuckDBPyConnection) -> None:
    empty = check.ValidationResult("v.csv", None, pd.DataFrame(), (), "")
    with pytest.raises(errors.InputError, match="Nothing to load."):
        save.apply_upload(db, empty, user="amy", now=NOW)


def test_excel_file_is_read_as_the_officer_sees_it(db: duckdb.DuckDBPyConnection) -> None:
    data = xlsx_bytes(
        {
            "Values": [
                ["Measure", "Period", "Value"],
                ["failure_pct", datetime(2024, 5, 1), 0.385],
                ["calls", date(2024, 6, 3), 12.0],
            ]
        }
    )
    book = io.BytesIO(data)
    from openpyxl import load_workbook

    wb = load_workbook(book)
    wb["Values"]["C2"].number_format = "0.0%"  # shown as 38.5%, so it is 38.5
    out = io.BytesIO()
    wb.save(out)
    result = check.validate_upload(db, out.getvalue(), "values.xlsx", now=NOW)
    assert result.ok, [p.message() for p in result.problems]
    assert result.raw["Value"].tolist() == ["38.5", "12"]
    assert result.frame["value"].tolist() == [38.5, 12.0]


def test_excel_file_with_several_sheets_loads_the_chosen_one(db: duckdb.DuckDBPyConnection) -> None:
    data = xlsx_bytes(
        {
            "Values": [["measure_id", "period_start", "value"], ["calls", date(2024, 6, 3), 1]],
            "Notes": [["checked by Sam"]],
        }
    )
    refused = check.validate_upload(db, data, "v.xlsx", now=NOW)
    assert refused.sheets == ("Values", "Notes")
    result = check.validate_upload(db, data, "v.xlsx", sheet="Values", now=NOW)
    assert result.ok and len(result.frame) == 1


def test_demand_and_work_files_load_and_correct_by_id(db: duckdb.DuckDBPyConnection) -> None:
    demand = csv_bytes(
        "1,waste,E05007850,phone,2024-05-01 09:30,value,missed bin,100",
        "2,Waste collection,Hagley West,web,01/06/2024 10:00,Failure demand,chasing,100",
        header=DEMAND_HEADER,
    )
    _, done = save.load_upload(db, demand, "demand.csv", user="amy", now=NOW)
    assert done is not None and done.summary == (
        "Loaded 2 demand records from demand.csv: 1 new, 0 corrected, 1 unchanged."
    )
    work = csv_bytes("100,waste,E05007850,phone,missed bin,2024-05-01 09:30,2024-05-04 12:00", header=WORK_HEADER)
    _, done = save.load_upload(db, work, "work.csv", user="amy", now=NOW)
    assert done is not None and (done.new, done.corrected) == (0, 1)
    assert db.execute("SELECT count(*), max(completed_at) FROM work_case").fetchall() == [(1, datetime(2024, 5, 4, 12))]
    logged = db.execute(
        "SELECT row_key, column_name, old_value, new_value FROM change_log "
        "WHERE table_name='work_case' AND column_name IS NOT NULL"
    ).fetchall()
    assert logged == [("100", "completed_at", "2024-05-03 12:00:00", "2024-05-04 12:00:00")]
    again_demand = save.load_upload(db, demand, "demand.csv", user="amy", now=NOW)[1]
    assert again_demand is not None and again_demand.changed == 0
    assert db.execute("SELECT demand_type FROM demand WHERE demand_id = 2").fetchall() == [("failure",)]


def test_one_row_is_summarised_in_the_singular(db: duckdb.DuckDBPyConnection) -> None:
    result, done = save.load_upload(db, csv_bytes("calls,2024-06-03,,1"), "v.csv", user="amy", now=NOW)
    assert result.summary == "1 measure value in v.csv is ready to load."
    assert done is not None and done.summary == "Loaded 1 measure value from v.csv: 1 new, 0 corrected, 0 unchanged."


# ----------------------------------------------------------------------------------------------
# All or nothing, and two sessions at once


def test_a_failure_part_way_through_rolls_everything_back(db: duckdb.DuckDBPyConnection) -> None:
    """A correction is logged first; the row after it breaks a NOT NULL rule, so both are undone."""
    before = snapshot(db)
    frame = pd.DataFrame(
        {
            "measure_id": ["calls", None],
            "period_start": pd.to_datetime(["2024-05-27", "2024-06-03"]),
            "locality_id": ["ALL", "ALL"],
            "value": pd.array([99.0, 1.0], dtype="Float64"),
            "numerator": pd.array([None, None], dtype="Float64"),
            "denominator": pd.array([None, None], dtype="Float64"),
        }
    )
    forged = check.ValidationResult("v.csv", "measure_values", frame, (), "")
    with pytest.raises(duckdb.ConstraintException):
        save.apply_upload(db, forged, user="amy", now=NOW)
    assert snapshot(db) == before


def test_two_sessions_loading_at_once_both_land(db: duckdb.DuckDBPyConnection) -> None:
    files = [
        csv_bytes(*(f"calls,{d},,{i}" for i, d in enumerate(["2024-06-03", "2024-05-20"]))),
        csv_bytes("failure_pct,2024-05-01,,40", "failure_pct,2024-03-01,,37"),
    ]
    results: list[save.LoadResult | BaseException] = []

    def upload(data: bytes) -> None:
        try:
            _, done = save.load_upload(db, data, "v.csv", user="amy", now=NOW)
            assert done is not None
            results.append(done)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=upload, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, save.LoadResult) for r in results), results
    assert db.execute("SELECT count(*) FROM measurement").fetchall() == [(7,)]


def test_two_sessions_loading_the_same_case_file_do_not_duplicate_it(db: duckdb.DuckDBPyConnection) -> None:
    data = csv_bytes(
        *(f"{i},waste,E05007850,phone,2024-06-01 09:00,value,missed bin," for i in range(10, 510)), header=DEMAND_HEADER
    )
    results: list[save.LoadResult] = []
    threads = [
        threading.Thread(target=lambda: results.append(save.load_upload(db, data, "d.csv", user="amy", now=NOW)[1]))
        for _ in range(2)
    ]  # type: ignore[arg-type]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted((r.new, r.unchanged) for r in results) == [(0, 500), (500, 0)]
    assert db.execute("SELECT count(*), count(DISTINCT demand_id) FROM demand").fetchall() == [(501, 501)]


def test_a_clash_with_another_writer_is_refused_cleanly(db: duckdb.DuckDBPyConnection) -> None:
    """Another session is mid-way through changing the same value: this load is refused whole."""
    before = snapshot(db)
    other = db.cursor()
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE measurement SET value = 41 WHERE measure_id = 'calls' AND locality_id = 'ALL'")
    with pytest.raises(
        errors.WriteConflictError,
        match="Someone else saved changes to the same data at the same moment, so nothing was saved. Try again.",
    ):
        save.load_upload(db, GOOD, "values.csv", user="amy", now=NOW)
    other.execute("ROLLBACK")
    assert snapshot(db) == before


# ----------------------------------------------------------------------------------------------
# Small pieces


def test_apply_needs_to_know_who_is_loading(db: duckdb.DuckDBPyConnection) -> None:
    result = check.validate_upload(db, csv_bytes("calls,2024-06-03,,1"), "v.csv", now=NOW)
    with pytest.raises(ValueError, match="user must name who is loading the file"):
        save.apply_upload(db, result, user=" ", now=NOW)


_cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=5))
def test_csv_cells_are_read_back_exactly(rows: list[list[str]]) -> None:
    """Nothing is lost or reinterpreted on reading: every cell comes back as the text written."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return
    buf = io.StringIO()
    csv.writer(buf).writerows([["a", "b", "c"], *rows])
    raw = read.read_upload(buf.getvalue().encode("utf-8"), "x.csv")
    assert raw.frame.values.tolist() == rows


# mostly plain cells (the one-pass reader's case), sometimes a delimiter, quote or line break
_plain_cell = st.one_of(
    st.text(st.sampled_from(list("ab 1.-=")), max_size=4),
    st.text(st.sampled_from(list('a ,;\t\r\n"')), min_size=1, max_size=2),
)


def _read_either(text: str, *, plain: bool) -> tuple[str, object]:
    try:
        raw = read._read_csv(text.encode("utf-8"), "x.csv", False, plain=plain)
    except errors.InputError as exc:
        return "refused", [p.message() for p in exc.problems]
    frame = raw.frame
    return "read", (list(frame.columns), frame.index.tolist(), frame.values.tolist(), raw.notes)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_plain_cell, min_size=1, max_size=4), min_size=1, max_size=6),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_the_one_pass_reader_reads_a_file_exactly_as_the_careful_reader(
    rows: list[list[str]], delimiter: str, newline: str
) -> None:
    """The fast reader for plain national extracts gives the same cells, row numbers, notes and refusals
    (or steps aside): ragged rows, blank rows, quotes, stray carriage returns and other delimiters included."""
    text = newline.join(delimiter.join(r) for r in [["metric", "area_code", "value"][: max(len(rows[0]), 1)], *rows])
    assert _read_either(text, plain=True) == _read_either(text, plain=False)


def test_a_national_extract_is_read_in_one_pass_with_blank_rows_numbered() -> None:
    text = "metric,area_code,period,value\nfms-all,E07000234,2020-01,5\n,,,\n\nfms-all,E07000236,2020-01,7\n"
    assert read._read_plain_csv(text, "x.csv", (), ",", False) is not None  # the one-pass reader read it
    raw = read._read_csv(text.encode(), "x.csv", False)
    assert raw.frame.index.tolist() == [2, 5]
    assert raw.frame.values.tolist() == [
        ["fms-all", "E07000234", "2020-01", "5"],
        ["fms-all", "E07000236", "2020-01", "7"],
    ]
    assert _read_either(text, plain=True) == _read_either(text, plain=False)
