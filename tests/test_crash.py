"""kill -9 in the middle of a load and of a build, then open the app: the data is all or nothing and
the app answers; a load cut short is done again when the app next holds the file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from perf import store
from perf.intake import inbox
from tests.conftest import run_page

ROOT = Path(__file__).resolve().parent.parent
ROWS = 150_000


def _count(db: Path, sql: str) -> int:
    con = store.connect(db)
    try:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def _demand_file(db: Path, out: Path) -> int:
    """ROWS new demand records, copied from the old ones with new ids; returns the first new id."""
    con = duckdb.connect(str(db))
    try:
        first = int(con.execute("SELECT max(demand_id) FROM demand").fetchone()[0]) + 1  # type: ignore[index]
        con.execute(f"""COPY (SELECT {first} + row_number() OVER () - 1 AS demand_id, service_id, locality_id,
                        channel, strftime(received_at, '%Y-%m-%d %H:%M') AS received_at, demand_type, nature
                        FROM demand LIMIT {ROWS}) TO '{out}' (HEADER)""")
    finally:
        con.close()
    return first


APP = """
import sys, time
from pathlib import Path
from perf import store
from perf.intake import inbox
db = Path(sys.argv[1])
con = store.connect(db, read_only=False)
print("held", flush=True)
while True:
    inbox.drain(con, db)
    time.sleep(0.1)
"""


def test_kill_9_during_a_load_then_the_app_opens_with_all_or_nothing(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "outside_in.duckdb"
    shutil.copyfile(sample_db, db)
    csv = tmp_path / "demand.csv"
    _demand_file(db, csv)
    before = _count(db, "SELECT count(*) FROM demand")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OUTSIDE_IN_DB": str(db)}
    app = subprocess.Popen([sys.executable, "-c", APP, str(db)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert app.stdout is not None and app.stdout.readline().strip() == "held"
    loader = subprocess.Popen(
        [sys.executable, "-m", "perf", "load", str(csv), "--wait", "5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    box = inbox.folder(db)
    deadline = time.monotonic() + 120

    def kind(job: Path) -> str | None:  # a job can be answered and moved between the glob and the read
        try:
            return str(json.loads((job / inbox.JOB).read_text())["kind"])
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def load_claimed() -> bool:  # the command checks the file itself first (after a "reference" job)
        return any(kind(j) == "load" for j in box.glob(f"*{inbox.WORKING}"))

    while not load_claimed() and time.monotonic() < deadline:
        time.sleep(0.01)
    # at once: the file arrives checked, so the app only saves the 150,000 rows (well under a second)
    app.send_signal(signal.SIGKILL)  # the app dies mid-load
    loader.send_signal(signal.SIGKILL)  # the command that asked for the load goes too, or it would finish it
    app.wait()
    loader.communicate(timeout=60)
    claimed = list(box.glob(f"*{inbox.WORKING}"))
    assert claimed and not list(box.glob(f"*/{inbox.ANSWER}")), "the load finished before the kill: not a crash"
    after_crash = _count(db, "SELECT count(*) FROM demand")
    assert after_crash in (before, before + ROWS)  # all or nothing
    # the app starts again (a process of its own, as after a real crash): it finishes the load it had claimed
    again = subprocess.Popen([sys.executable, "-c", APP, str(db)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert again.stdout is not None and again.stdout.readline().strip() == "held"
        deadline = time.monotonic() + 180
        while not list(box.glob(f"*/{inbox.ANSWER}")) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        again.terminate()
        again.wait(timeout=30)
    assert list(box.glob(f"*/{inbox.ANSWER}")), "the restarted app did not redo the load it had claimed"
    assert _count(db, "SELECT count(*) FROM demand") == before + ROWS
    # and the app answers on that file
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    at = run_page("app_pages/demand.py")
    assert at.title[0].value == "Demand"


def test_kill_9_during_a_build_then_the_app_opens_the_old_file_or_the_new(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "outside_in.duckdb"
    shutil.copyfile(sample_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('marker', 'old file')")
    full = _count(db, "SELECT count(*) FROM demand")
    build = subprocess.Popen(
        [sys.executable, "-m", "perf", "build", "--db", str(db)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
    )
    tmp = db.with_name(db.name + ".tmp")
    deadline = time.monotonic() + 60
    while not tmp.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # mid-way through writing the new file
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert tmp.exists(), "the build finished before the kill: not a crash"  # its half-written file is left
    marker = _count(db, "SELECT count(*) FROM meta WHERE key = 'marker'")
    assert _count(db, "SELECT count(*) FROM demand") == full  # the old file whole, or the new one whole
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    at = run_page("app_pages/overview.py")
    assert at.title[0].value == "Overview"
    assert not Path(str(db) + ".wal").exists()
    print(f"after the kill: the {'old' if marker else 'new'} file")
