"""The command line a scheduled job runs: `python -m perf load FILE` says what it did on one line,
or lists every problem on stderr, exits non-zero and leaves the database exactly as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from perf import __main__ as cli
from perf.intake import read
from tests import fixtures_db
from tests.conftest import run_perf as perf
from tests.fixtures_db import snapshot

db_path = fixtures_db.db_path  # the shared fixture, made visible to pytest in this module

ROOT = Path(__file__).resolve().parent.parent


def tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return snapshot(con)
    finally:
        con.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_accepted_file_exits_0_with_a_one_line_summary(db_path: Path, tmp_path: Path) -> None:
    # 2024 dates: the fixture's measures are weekly and monthly, and these are all in the past
    path = write(
        tmp_path,
        "values.csv",
        "measure,period,ward,value\ncalls,2024-06-03,,41\ncalls,2024-05-27,,44\ncalls,2024-05-27,Alvechurch South,12\n",
    )
    done = perf("load", str(path), "--user", "nightly-job", db=db_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Loaded 3 measure values from values.csv: 1 new, 1 corrected, 1 unchanged.\n"
    assert done.stderr == ""
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT changed_by FROM change_log WHERE column_name = 'value'").fetchall() == [("nightly-job",)]
    con.close()


def test_loading_it_again_changes_nothing(db_path: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "values.csv", "measure_id,period_start,value\ncalls,2024-06-03,41\n")
    assert perf("load", str(path), db=db_path).returncode == 0
    before = tables(db_path)
    again = perf("load", str(path), db=db_path)
    assert again.stdout == "Loaded 1 measure value from values.csv: 0 new, 0 corrected, 1 unchanged.\n"
    assert tables(db_path) == before


def test_a_refused_file_lists_every_problem_and_saves_nothing(db_path: Path, tmp_path: Path) -> None:
    before = tables(db_path)
    path = write(
        tmp_path,
        "values.csv",
        "measure_id,period_start,value\ncalls,2024-06-03,41\ncalls,2024-06-10,n/a\nnope,2024-06-03,=1+1\n",
    )
    done = perf("load", str(path), db=db_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "Row 3, column 'value': 'n/a' is not a number.",
        "Row 4, column 'measure_id': 'nope' is not a known measure.",
        "Row 4, column 'value': '=1+1' looks like a spreadsheet formula, which could run when the data is "
        "opened in Excel; type the value itself.",
        "values.csv was not loaded: 3 problems in 2 rows. Nothing was saved.",
    ]
    assert tables(db_path) == before


def test_a_windows_1252_file_loads_with_a_note_on_stderr(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    path.write_bytes("measure_id,period_start,value\ncost,2024-01-01,£4000\n".encode("cp1252"))
    done = perf("load", str(path), db=db_path)
    assert done.returncode == 0
    assert done.stdout == "Loaded 1 measure value from costs.csv: 1 new, 0 corrected, 0 unchanged.\n"
    assert done.stderr.startswith("Note: costs.csv is not UTF-8, so it was read as Windows-1252 (cp1252)")


def test_a_workbook_with_several_sheets_needs_sheet(db_path: Path, tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Values"
    book["Values"].append(["measure_id", "period_start", "value"])
    book["Values"].append(["calls", "2024-06-03", 7])
    book.create_sheet("Notes").append(["checked"])
    path = tmp_path / "values.xlsx"
    book.save(path)
    refused = perf("load", str(path), db=db_path)
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0] == (
        "values.xlsx has 2 sheets with data ('Values', 'Notes'); choose the sheet to load, or save the one "
        "you want as its own file."
    )
    chosen = perf("load", str(path), "--sheet", "Values", db=db_path)
    assert chosen.returncode == 0 and chosen.stdout.startswith("Loaded 1 measure value from values.xlsx")


def test_a_file_over_50_mb_is_refused_before_it_is_read(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(read.MAX_UPLOAD_BYTES + 1)  # sparse: no 50 MB written to disk
    done = perf("load", str(path), db=db_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "huge.csv is 50.0 MB; the limit is 50 MB. Split it into smaller files (for example one per year) "
        "and load each.",
        "huge.csv was not loaded. Nothing was saved.",
    ]


def test_a_missing_file_or_database_is_a_message_not_a_traceback(db_path: Path, tmp_path: Path) -> None:
    missing = perf("load", str(tmp_path / "nope.csv"), db=db_path)
    assert (missing.returncode, missing.stderr) == (1, f"No file at {tmp_path / 'nope.csv'}. Nothing was saved.\n")
    path = write(tmp_path, "v.csv", "measure_id,period_start,value\ncalls,2024-06-03,1\n")
    no_db = perf("load", str(path), db=tmp_path / "none.duckdb")
    assert no_db.returncode == 1
    assert no_db.stderr == f"No database at {tmp_path / 'none.duckdb'}. Build one with `python -m perf build` first.\n"
    assert not (tmp_path / "none.duckdb").exists()


# ----------------------------------------------------------------------------------------------
# create-admin


def test_create_admin_reads_the_password_from_stdin(db_path: Path) -> None:
    done = perf(
        "create-admin",
        "Boss",
        "--display-name",
        "The Boss",
        "--password-stdin",
        db=db_path,
        stdin="a long enough password\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Created admin 'boss'.\n"
    con = duckdb.connect(str(db_path), read_only=True)
    row = con.execute("SELECT username, display_name, role, password_hash FROM app_user").fetchall()
    con.close()
    assert row[0][:3] == ("boss", "The Boss", "admin")
    assert row[0][3].startswith("scrypt$n=131072,r=8,p=1$") and "a long enough password" not in row[0][3]


def test_create_admin_refuses_a_weak_password(db_path: Path) -> None:
    before = tables(db_path)
    done = perf("create-admin", "boss", "--password-stdin", db=db_path, stdin="short\n")
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["Password: use at least 12 characters.", "No user was created."]
    assert tables(db_path) == before


def test_create_admin_prompts_twice_and_refuses_a_mismatch(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["a long enough password", "a long enough passw0rd"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["create-admin", "boss", "--db", str(db_path)]) == 1
    assert capsys.readouterr().err == "The two passwords differ. No user was created.\n"


def test_create_admin_prompts_for_the_password(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts: list[str] = []

    def answer(prompt: str = "") -> str:
        prompts.append(prompt)
        return "a long enough password"

    monkeypatch.setattr("getpass.getpass", answer)
    assert cli.main(["create-admin", "boss", "--db", str(db_path)]) == 0
    assert prompts == ["Password: ", "Password again: "]
    assert capsys.readouterr().out == "Created admin 'boss'.\n"
    again = cli.main(["create-admin", "boss", "--db", str(db_path)])
    assert again == 1
    assert capsys.readouterr().err == "Username: 'boss' is already taken.\nNo user was created.\n"


def test_create_admin_needs_a_database(tmp_path: Path) -> None:
    done = perf("create-admin", "boss", "--password-stdin", db=tmp_path / "none.duckdb", stdin="x" * 12)
    assert done.returncode == 1 and done.stderr.startswith("No database at ")


HOLDER = """
import sys, time
from pathlib import Path
from perf import store
from perf.intake import inbox
db = Path(sys.argv[1])
con = store.connect(db, read_only=False)   # as the running app holds the file
print("held", flush=True)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    if sys.argv[3] == "drain":
        inbox.drain(con, db)                 # what the app's inbox thread does
    time.sleep(0.2)
con.close()
"""


def hold(db: Path, seconds: float, drain: bool) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(seconds), "drain" if drain else "no"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_two_loads_while_the_app_holds_the_database_are_both_done_in_turn(db_path: Path, tmp_path: Path) -> None:
    """The app keeps the file open; a scheduled load is handed to it (the inbox) and a second one queues."""
    first = write(tmp_path, "a.csv", "measure_id,period_start,value\ncalls,2024-06-03,1\n")
    second = write(tmp_path, "b.csv", "measure_id,period_start,value\ncalls,2024-06-10,2\n")
    app = hold(db_path, 30, drain=True)
    try:
        env = {**os.environ, "OUTSIDE_IN_DB": str(db_path), "PYTHONPATH": str(ROOT)}
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "perf", "load", str(f)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for f in (first, second)
        ]
        outs = [r.communicate(timeout=60) for r in runs]
    finally:
        app.kill()
        app.wait()
    assert [r.returncode for r in runs] == [0, 0], outs
    assert outs[0][0] == "Loaded 1 measure value from a.csv: 1 new, 0 corrected, 0 unchanged.\n"
    assert outs[1][0] == "Loaded 1 measure value from b.csv: 1 new, 0 corrected, 0 unchanged.\n"
    assert all("is open in the running app, so the app will do this" in err for _, err in outs)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute(
            "SELECT value FROM measurement WHERE measure_id = 'calls' AND locality_id = 'ALL' "
            "AND period_start IN ('2024-06-03', '2024-06-10') ORDER BY period_start"
        ).fetchall() == [(1.0,), (2.0,)]
    finally:
        con.close()
    assert not any(p.name[0] != "." for p in (db_path.parent / (db_path.name + ".inbox")).iterdir())


def test_a_load_nobody_takes_is_withdrawn_and_saves_nothing(db_path: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "v.csv", "measure_id,period_start,value\ncalls,2024-06-03,1\n")
    before = tables(db_path)
    other = hold(db_path, 30, drain=False)  # a program that holds the file and never answers
    try:
        done = perf("load", str(path), "--wait", "1", db=db_path)
    finally:
        other.kill()
        other.wait()
    assert done.returncode == 1
    assert "Gave up after 1 s waiting for the running app" in done.stderr and "Nothing was saved." in done.stderr
    assert tables(db_path) == before
    assert perf("load", str(path), db=db_path).returncode == 0  # nothing left queued to do it twice


def test_unlock_from_the_command_line_while_the_app_runs(db_path: Path) -> None:
    from perf import store
    from perf.access import users

    con = store.connect(db_path, read_only=False)
    try:
        users.create_user(
            con, "boss", "a long enough password", "admin", created_by="t", cost=users.ScryptCost(2**10, 8, 1)
        )
        for i in range(users.MAX_FAILED):  # from many browsers: one alone is stopped before it can lock
            users.sign_in(con, "boss", "wrong password!!", client=f"c{i}", cost=users.ScryptCost(2**10, 8, 1))
        assert users.get_user(con, "boss") is not None
        locked = con.execute("SELECT locked_until FROM app_user WHERE username = 'boss'").fetchone()
        assert locked is not None and locked[0] is not None
    finally:
        con.close()
    app = hold(db_path, 30, drain=True)
    try:
        done = perf("unlock", "Boss", db=db_path)
        missing = perf("unlock", "nobody", db=db_path)
    finally:
        app.kill()
        app.wait()
    assert done.returncode == 0 and done.stdout == "Unlocked 'boss': they can sign in again now.\n"
    assert missing.returncode == 1 and "there is no user 'nobody'" in missing.stderr
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT failed_attempts, locked_until FROM app_user WHERE username = 'boss'").fetchone() == (
            0,
            None,
        )
    finally:
        con.close()


def test_an_export_while_the_app_holds_the_database_reads_a_copy_the_app_makes(db_path: Path, tmp_path: Path) -> None:
    app = hold(db_path, 60, drain=True)
    try:
        done = perf("export", "--out", str(tmp_path / "partners.zip"), db=db_path)
    finally:
        app.kill()
        app.wait()
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "partners.zip").stat().st_size > 0
    assert not list(db_path.parent.glob(".copy-*"))  # the copy is removed afterwards
