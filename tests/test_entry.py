"""Forms: a typed value goes through the upload's checks and change log; commentary is plain text;
measures and phases are checked field by field; timeliness says which measures are overdue."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from perf import errors
from perf.intake import entry
from tests import fixtures_db
from tests.fixtures_db import snapshot

db = fixtures_db.db  # the shared fixture, made visible to pytest in this module

NOW = datetime(2024, 6, 12, 10, 0)


def messages(exc: pytest.ExceptionInfo[errors.InputError]) -> list[str]:
    return [p.message() for p in exc.value.problems]


# ----------------------------------------------------------------------------------------------
# Entering a value


def test_a_typed_value_is_saved_with_who_entered_it(db: duckdb.DuckDBPyConnection) -> None:
    done = entry.enter_value(db, "calls", date(2024, 6, 3), None, 41, user="amy", now=NOW)
    assert (done.new, done.corrected) == (1, 0)
    assert db.execute(
        "SELECT value, locality_id, entered_by, entered_at FROM measurement WHERE period_start = '2024-06-03'"
    ).fetchall() == [(41.0, "ALL", "amy", NOW)]


def test_a_typed_correction_keeps_the_old_value(db: duckdb.DuckDBPyConnection) -> None:
    done = entry.enter_value(db, "calls", "2024-05-27", "Alvechurch South", "13", user="bob", now=NOW)
    assert done.corrected == 1
    assert db.execute("SELECT row_key, old_value, new_value, changed_by FROM change_log").fetchall() == [
        ("calls|2024-05-27|E05007850", "12.0", "13.0", "bob")
    ]


def test_a_typed_value_is_refused_with_field_messages_and_nothing_saved(db: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(db)
    with pytest.raises(errors.InputError) as exc:
        entry.enter_value(db, "calls", date(2024, 6, 5), "Nowhere", "abc", user="amy", now=NOW)
    assert messages(exc) == [
        "Period: 2024-06-05 is not the start of a week (weeks start on a Monday); the nearest is 2024-06-03.",
        "Locality: 'Nowhere' is not a known ward or locality.",
        "Value: 'abc' is not a number.",
    ]
    assert snapshot(db) == before


def test_a_typed_formula_is_refused(db: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(errors.InputError, match="Value: '=2\\*3' looks like a spreadsheet formula"):
        entry.enter_value(db, "calls", date(2024, 6, 3), None, "=2*3", user="amy", now=NOW)


def test_entering_a_value_needs_a_user(db: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="user must name who is entering the value"):
        entry.enter_value(db, "calls", date(2024, 6, 3), None, 1, user="", now=NOW)


# ----------------------------------------------------------------------------------------------
# Commentary


def test_commentary_is_kept_as_plain_text_exactly(db: duckdb.DuckDBPyConnection) -> None:
    body = "Calls rose after the <b>storm</b>;\r\n<script>alert(1)</script> & more. "
    new_id = entry.add_commentary(db, "calls", date(2024, 5, 27), body, "public", "amy", now=NOW)
    stored = db.execute(
        "SELECT body, visibility, author, written_at, period_start FROM commentary WHERE commentary_id = ?", [new_id]
    ).fetchall()
    assert stored == [
        (
            "Calls rose after the <b>storm</b>;\n<script>alert(1)</script> & more.",
            "public",
            "amy",
            NOW,
            date(2024, 5, 27),
        )
    ]


def test_commentary_on_the_whole_measure_has_no_period(db: duckdb.DuckDBPyConnection) -> None:
    new_id = entry.add_commentary(db, "calls", None, "Counting changed in April.", "internal", "amy", now=NOW)
    assert db.execute("SELECT period_start FROM commentary WHERE commentary_id = ?", [new_id]).fetchall() == [(None,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", None, "x", "public", "amy"), "Measure: 'nope' is not a known measure."),
        (
            ("calls", "2024-06-04", "x", "public", "amy"),
            "Period: 2024-06-04 is not the start of a week (weeks start on a Monday); the nearest is 2024-06-03.",
        ),
        (
            ("calls", "June", "x", "public", "amy"),
            "Period: 'June' is not a date; write it as YYYY-MM-DD (e.g. 2024-04-01).",
        ),
        (("calls", date(2024, 7, 1), "x", "public", "amy"), "Period: 2024-07-01 is in the future."),
        (("calls", None, "   \n ", "public", "amy"), "Commentary: write something before saving."),
        (("calls", None, "x" * 4001, "public", "amy"), "Commentary: 4,001 characters is too long; the limit is 4,000."),
        (
            ("calls", None, "bad\x00byte", "public", "amy"),
            "Commentary: contains invisible control characters; remove them and save again.",
        ),
        (("calls", None, "x", "secret", "amy"), "Visibility: must be 'internal' or 'public', got 'secret'."),
        (("calls", None, "x", "public", " "), "Author: say who wrote this (sign in first)."),
    ],
)
def test_commentary_is_refused_with_the_reason(
    db: duckdb.DuckDBPyConnection, args: tuple[object, ...], message: str
) -> None:
    before = snapshot(db)
    with pytest.raises(errors.InputError) as exc:
        entry.add_commentary(db, *args, now=NOW)  # type: ignore[arg-type]
    assert messages(exc) == [message]
    assert snapshot(db) == before


# ----------------------------------------------------------------------------------------------
# Measures and phases

NEW_MEASURE = dict(
    measure_id="flytip-days",
    name="Fly-tips cleared: days",
    purpose_id="clean",
    kind="operational",
    unit="days",
    frequency="month",
    improvement="down",
    aggregation="mean",
    target=2.0,
    owner="Street Scene Manager",
    definition="Median calendar days from report to clearance.",
    source="Street scene system",
    by_locality=True,
    dq_relevant="What residents notice.",
    dq_well_defined="Clock starts at the first report.",
    dq_timely="Monthly, by the 5th working day.",
    dq_reliable="System-generated.",
    dq_verifiable="Re-runnable.",
    dq_accurate="Crews close jobs on site.",
    decimals=1,
)


def test_a_measure_is_added_unpublished_with_its_quality_notes_and_logged(db: duckdb.DuckDBPyConnection) -> None:
    entry.add_measure(db, **NEW_MEASURE, user="admin1", now=NOW)  # type: ignore[arg-type]
    row = db.execute(
        "SELECT published, dq_accurate, target, by_locality FROM measure WHERE measure_id = 'flytip-days'"
    ).fetchall()
    assert row == [(False, "Crews close jobs on site.", 2.0, True)]
    assert db.execute("SELECT table_name, row_key, new_value, changed_by FROM change_log").fetchall() == [
        ("measure", "flytip-days", "created", "admin1")
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"measure_id": "Fly Tips!"},
            "Measure: 'Fly Tips!' is not a usable ID; use lower-case letters, digits and "
            "hyphens, e.g. 'repairs-demand'.",
        ),
        ({"measure_id": "calls"}, "Measure: 'calls' already exists; choose another ID."),
        ({"name": " "}, "Name: give the measure a name."),
        ({"name": "x" * 201}, "Name: 201 characters is too long; the limit is 200."),
        ({"owner": 42}, "Owner: must be text."),
        ({"purpose_id": "fun"}, "Purpose: 'fun' is not a known purpose."),
        ({"kind": "tactical"}, "Kind: must be one of 'strategic', 'operational', got 'tactical'."),
        ({"frequency": "day"}, "Frequency: must be one of 'week', 'month', 'quarter', got 'day'."),
        ({"improvement": "higher"}, "Improvement: must be one of 'up', 'down', 'neutral', got 'higher'."),
        ({"aggregation": "median"}, "Aggregation: must be one of 'sum', 'mean', 'ratio', got 'median'."),
        ({"unit": ""}, "Unit: give a short unit such as 'contacts', 'days', '%' or '£'."),
        ({"target": float("nan")}, "Target: 'nan' is not a number."),
        ({"unit": "%", "target": 120.0}, "Target: 120.0 is not a percentage between 0 and 100."),
        ({"decimals": 9}, "Decimals: must be a whole number from 0 to 6, got '9'."),
        ({"published": "yes"}, "Published: must be true or false, got 'yes'."),
        ({"dq_timely": "x" * 2001}, "Timely: 2,001 characters is too long; the limit is 2,000."),
    ],
)
def test_a_measure_is_refused_with_the_reason(
    db: duckdb.DuckDBPyConnection, change: dict[str, object], message: str
) -> None:
    before = snapshot(db)
    with pytest.raises(errors.InputError) as exc:
        entry.add_measure(db, **{**NEW_MEASURE, **change}, user="admin1", now=NOW)  # type: ignore[arg-type]
    assert messages(exc) == [message]
    assert snapshot(db) == before


def test_changing_a_measure_logs_each_field(db: duckdb.DuckDBPyConnection) -> None:
    changed = entry.update_measure(
        db,
        "calls",
        {"target": 30.0, "dq_timely": "Weekly, Monday noon.", "name": "Calls about missed bins"},
        user="admin1",
        now=NOW,
    )
    assert changed == 2
    assert db.execute("SELECT column_name, old_value, new_value FROM change_log ORDER BY column_name").fetchall() == [
        ("dq_timely", None, "Weekly, Monday noon."),
        ("target", None, "30.0"),
    ]
    assert entry.update_measure(db, "calls", {"target": 30.0}, user="admin1", now=NOW) == 0


def test_changing_a_measure_is_checked(db: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(errors.InputError, match="Measure: 'nope' is not a known measure."):
        entry.update_measure(db, "nope", {"target": 1.0}, user="admin1")
    with pytest.raises(errors.InputError, match="Frequency: must be one of"):
        entry.update_measure(db, "calls", {"frequency": "fortnight"}, user="admin1")
    with pytest.raises(ValueError, match="update_measure can change name, .*; got measure_id"):
        entry.update_measure(db, "calls", {"measure_id": "x"}, user="admin1")


def test_adding_a_measure_needs_a_user(db: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="user must name who is adding the measure"):
        entry.add_measure(db, **NEW_MEASURE, user=" ")  # type: ignore[arg-type]


def test_a_phase_is_recorded_and_logged(db: duckdb.DuckDBPyConnection) -> None:
    entry.add_phase(db, "calls", date(2024, 4, 1), " New triage ", "Calls answered by the crew.", user="amy", now=NOW)
    assert db.execute("SELECT label, description FROM phase WHERE starts_on = '2024-04-01'").fetchall() == [
        ("New triage", "Calls answered by the crew.")
    ]
    assert db.execute("SELECT row_key, new_value FROM change_log").fetchall() == [
        ("calls|2024-04-01", "phase 'New triage' starts")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "2024-04-01", "x"), "Measure: 'nope' is not a known measure."),
        (
            ("calls", "2024-04-03", "x"),
            "Starts on: 2024-04-03 is not the start of a week (weeks start on a Monday); the nearest is 2024-04-01.",
        ),
        (("calls", "soon", "x"), "Starts on: 'soon' is not a date; write it as YYYY-MM-DD (e.g. 2024-04-01)."),
        (("calls", "2024-01-01", "x"), "Starts on: a phase of this measure already starts on 2024-01-01."),
        (("calls", "2024-04-01", ""), "Label: name the change, e.g. 'New repairs triage'."),
        (("calls", "2024-04-01", "x" * 81), "Label: 81 characters is too long; the limit is 80."),
        (("calls", "2024-04-01", "x", "y" * 2001), "Description: 2,001 characters is too long; the limit is 2,000."),
    ],
)
def test_a_phase_is_refused_with_the_reason(
    db: duckdb.DuckDBPyConnection, args: tuple[object, ...], message: str
) -> None:
    with pytest.raises(errors.InputError) as exc:
        entry.add_phase(db, *args, user="amy", now=NOW)  # type: ignore[arg-type]
    assert messages(exc) == [message]


# ----------------------------------------------------------------------------------------------
# Timeliness


def test_timeliness_says_which_measures_are_overdue(db: duckdb.DuckDBPyConnection) -> None:
    frame = entry.timeliness(db, date(2024, 6, 12)).set_index("measure_id")
    # calls: latest week 27 May; the week of 3 Jun ends 10 Jun, due 7 days later (17 Jun)
    assert frame.loc["calls", "status"] == "timely"
    assert frame.loc["calls", "status_text"] == (
        "Timely: latest week starts 27 May 2024; the next is due by 17 Jun 2024."
    )
    # failure_pct: latest month April; May ends 1 Jun, due 28 days later (29 Jun)
    assert frame.loc["failure_pct", "due_by"] == date(2024, 6, 29)
    assert frame.loc["cost", "status"] == "no data"
    assert frame.loc["cost", "status_text"] == "No values yet."


def test_a_measure_becomes_overdue_the_day_after_it_is_due(db: duckdb.DuckDBPyConnection) -> None:
    frame = entry.timeliness(db, date(2024, 6, 20)).set_index("measure_id")
    assert frame.loc["calls", "days_overdue"] == 3
    assert frame.loc["calls", "status_text"] == (
        "Overdue by 3 days: latest week starts 27 May 2024; the week starting 3 Jun 2024 was due by 17 Jun 2024."
    )
    assert (
        entry.timeliness(db, date(2024, 6, 18))
        .set_index("measure_id")
        .loc["calls", "status_text"]
        .startswith("Overdue by 1 day:")
    )
    assert entry.timeliness(db, date(2024, 6, 17)).set_index("measure_id").loc["calls", "status"] == "timely"


def test_grace_days_can_be_set_by_the_council(db: duckdb.DuckDBPyConnection) -> None:
    frame = entry.timeliness(db, date(2024, 6, 12), grace_days={"week": 0}).set_index("measure_id")
    assert frame.loc["calls", "due_by"] == date(2024, 6, 10)
    assert frame.loc["calls", "status"] == "overdue"


def test_the_overview_lists_overdue_measures_most_overdue_first(db: duckdb.DuckDBPyConnection) -> None:
    late = entry.overdue(db, date(2024, 8, 1))
    assert late["measure_id"].tolist() == ["calls", "failure_pct", "cost"]
