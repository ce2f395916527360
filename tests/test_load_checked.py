"""`python -m perf load` checks its file in its own process, so the running app's pages do not wait on
the check (issue #12): the app is handed a checked file and only saves it, unless the measures, places
or services it was checked against changed meanwhile, when the app checks it again. A refused file
never reaches the app, and is refused with the same row, column and reason as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb

from perf.intake import check, inbox, save
from tests import fixtures_db
from tests.conftest import run_perf as _perf
from tests.fixtures_db import snapshot

db_path = fixtures_db.db_path  # the shared fixture, made visible to pytest in this module

ROOT = Path(__file__).resolve().parent.parent

# The app's inbox thread, with a note of every job it does and of every file it checks itself
APP = """
import json, sys, time
from pathlib import Path
from perf import store
from perf.intake import check, inbox, save
db, log = Path(sys.argv[1]), Path(sys.argv[2])
real_do, real_validate = inbox._do, check.validate_upload

def do(con, job):
    spec = json.loads((job / inbox.JOB).read_text())
    with log.open("a") as f:
        f.write(json.dumps({"job": spec["kind"], "checked": bool(spec.get("checked"))}) + "\\n")
    return real_do(con, job)

def validate(*args, **kwargs):
    with log.open("a") as f:
        f.write(json.dumps({"checked_in_app": True}) + "\\n")
    return real_validate(*args, **kwargs)

inbox._do, check.validate_upload = do, validate
con = store.connect(db, read_only=False)
print("held", flush=True)
while True:
    inbox.drain(con, db)
    time.sleep(0.1)
"""


def _app(db: Path, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", APP, str(db), str(log)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return snapshot(con)
    finally:
        con.close()


def _log(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_running_app_only_saves_a_file_the_command_checked(db_path: Path, tmp_path: Path) -> None:
    csv = tmp_path / "values.csv"
    csv.write_text(
        "measure,period,ward,value\ncalls,2024-06-03,,41\ncalls,2024-05-27,Alvechurch South,12\n", encoding="utf-8"
    )
    log = tmp_path / "app.log"
    app = _app(db_path, log)
    try:
        done = _perf("load", str(csv), "--user", "nightly-job", db=db_path)
    finally:
        app.kill()
        app.wait()
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Loaded 2 measure values from values.csv: 1 new, 0 corrected, 1 unchanged.\n"
    assert _log(log) == [{"job": "reference", "checked": False}, {"job": "load", "checked": True}]
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute(
            "SELECT value, entered_by FROM measurement WHERE measure_id = 'calls' "
            "AND period_start = '2024-06-03' AND locality_id = 'ALL'"
        ).fetchall() == [(41.0, "nightly-job")]
    finally:
        con.close()


def test_a_bad_row_is_refused_by_the_command_naming_row_column_and_reason(db_path: Path, tmp_path: Path) -> None:
    csv = tmp_path / "values.csv"
    csv.write_text("measure_id,period_start,value\ncalls,2024-06-03,41\ncalls,2024-06-10,n/a\n", encoding="utf-8")
    before = _tables(db_path)
    log = tmp_path / "app.log"
    app = _app(db_path, log)
    try:
        done = _perf("load", str(csv), db=db_path)
    finally:
        app.kill()
        app.wait()
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines()[-2:] == [
        "Row 3, column 'value': 'n/a' is not a number.",
        "values.csv was not loaded: 1 problem in 1 row. Nothing was saved.",
    ]
    assert _log(log) == [{"job": "reference", "checked": False}]  # the app never saw the file
    assert _tables(db_path) == before


def _checked_job(db: Path, csv: Path, tmp_path: Path) -> Path:
    """What the command hands over: the file, checked against the reference tables now, as Parquet."""
    con = duckdb.connect(str(db))
    try:
        fingerprint = check.reference_fingerprint(con)
        result = check.validate_upload(con, csv.read_bytes(), csv.name)
    finally:
        con.close()
    assert result.ok and result.kind is not None
    frame = tmp_path / "checked.parquet"
    result.frame.to_parquet(frame)
    return inbox.submit(
        db,
        {
            "kind": "load",
            "user": "nightly-job",
            "sheet": None,
            "checked": {
                "frame": frame.name,
                "kind": result.kind,
                "reference": fingerprint,
                "summary": result.summary,
                "notes": list(result.notes),
            },
        },
        csv,
        extra=(frame,),
    )


def test_a_load_whose_measures_changed_after_the_check_is_checked_again(db_path: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(db_path))
    con.execute(
        "INSERT INTO measure (measure_id, name, purpose_id, kind, unit, frequency, improvement, by_locality) "
        "VALUES ('skips', 'Skips hired', 'clean', 'operational', 'skips', 'week', 'up', FALSE)"
    )
    con.close()
    csv = tmp_path / "skips.csv"
    csv.write_text("measure_id,period_start,value\nskips,2024-06-03,5\n", encoding="utf-8")
    job = _checked_job(db_path, csv, tmp_path)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("DELETE FROM measure WHERE measure_id = 'skips'")  # gone between the check and the save
        before = snapshot(con)
        assert inbox.drain(con, db_path) == 1
        assert snapshot(con) == before
    finally:
        con.close()
    got = inbox.answer(job)
    assert got is not None and got.code == 1
    assert got.stderr.splitlines() == [
        "Row 2, column 'measure_id': 'skips' is not a known measure.",
        "skips.csv was not loaded: 1 problem in 1 row. Nothing was saved.",
    ]


def test_a_load_whose_reference_tables_did_not_change_is_saved_without_a_second_check(
    db_path: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "values.csv"
    csv.write_text("measure_id,period_start,value\ncalls,2024-06-10,3\n", encoding="utf-8")
    job = _checked_job(db_path, csv, tmp_path)
    csv.write_text("measure_id,period_start,value\ncalls,2024-06-10,not a number\n", encoding="utf-8")
    (inbox.folder(db_path) / job.name / csv.name).write_bytes(csv.read_bytes())  # re-read, it would be refused
    con = duckdb.connect(str(db_path))
    try:
        assert inbox.drain(con, db_path) == 1
        value = con.execute(
            "SELECT value FROM measurement WHERE measure_id = 'calls' AND period_start = '2024-06-10'"
        ).fetchall()
    finally:
        con.close()
    got = inbox.answer(job)
    assert got is not None and got.code == 0, got
    assert value == [(3.0,)]


def test_every_kind_saves_the_same_rows_checked_by_the_command_or_in_the_app(tmp_path: Path) -> None:
    """The checked file goes through Parquet: the rows saved are exactly those of a check in the app."""
    files = {
        "values.csv": "measure_id,period_start,locality_id,value,numerator,denominator\n"
        "failure_pct,2024-05-01,ALL,40.5,405,1000\ncalls,2024-06-03,E05007851,7,,\n",
        "demand.csv": "demand_id,service_id,locality_id,channel,received_at,demand_type,nature\n"
        "2,waste,E05007850,web,2024-05-02 10:15,failure,missed bin again\n"
        "3,Planning,Hagley West,phone,03/05/2024,value,planning advice\n",
        "work.csv": "case_id,service_id,locality_id,channel,nature,started_at,closed_at\n"
        "101,waste,E05007850,phone,missed bin,2024-05-02 09:00,2024-05-04 17:30\n"
        "102,planning,north,web,extension,2024-05-03,\n",
    }
    now = datetime(2024, 6, 12, 10)
    here, there = tmp_path / "here.duckdb", tmp_path / "there.duckdb"
    fixtures_db.make_db(here).close()
    fixtures_db.make_db(there).close()
    for name, body in files.items():
        csv = tmp_path / name
        csv.write_text(body, encoding="utf-8")
        con = duckdb.connect(str(here))
        try:
            _, done = save.load_upload(con, csv.read_bytes(), name, user="nightly-job", now=now)
            assert done is not None
        finally:
            con.close()
        job = _checked_job(there, csv, tmp_path)
        con = duckdb.connect(str(there))
        try:
            inbox.drain(con, there)
        finally:
            con.close()
        got = inbox.answer(job)
        assert got is not None and got.code == 0, got
    rows = {}
    for path in (here, there):
        con = duckdb.connect(str(path), read_only=True)
        try:  # all but when each was saved
            rows[path] = [
                con.execute(sql).fetchall()
                for sql in (
                    "SELECT * EXCLUDE (entered_at) FROM measurement ORDER BY ALL",
                    "SELECT * FROM demand ORDER BY ALL",
                    "SELECT * FROM work_case ORDER BY ALL",
                )
            ]
        finally:
            con.close()
    assert rows[here] == rows[there]
    assert [len(r) for r in rows[there]] == [5, 3, 3]
