"""The running app keeps its hold on the database file after it writes (issue #12).

DuckDB guards a file with a POSIX lock, which is per process and dropped when the process closes ANY
descriptor of that file: one ``shutil.copy``, hash or header read of the database in the app would
silently let another process in to read a stale file, or write beside the app. So, against a real
``streamlit run`` server: after an upload through the browser (and a failed sign-in, a quiet write),
another process can open the file neither read-write nor read-only (a lock error naming the server),
a command-line load goes through the inbox, and what both wrote is read back through the holder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from perf import store
from perf.access import users
from perf.intake import inbox
from tests.browser.conftest import ROOT, running, wait_ready

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"

OPEN_FROM_ANOTHER_PROCESS = """
import json, sys, duckdb
out = {}
for mode in ("read_write", "read_only"):
    try:
        duckdb.connect(sys.argv[1], read_only=(mode == "read_only")).close()
        out[mode] = "opened"
    except duckdb.Error as err:
        out[mode] = str(err)
print(json.dumps(out))
"""


def from_another_process(db: Path) -> dict[str, str]:
    got = subprocess.run(
        [sys.executable, "-c", OPEN_FROM_ANOTHER_PROCESS, str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    return dict(json.loads(got.stdout))


def holder(message: str) -> str:
    """The command line of the process DuckDB names as holding the lock."""
    found = re.search(r"PID (\d+)", message)
    assert found, message
    return Path(f"/proc/{found.group(1)}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def read_back(db: Path, sql: str) -> object:
    """Read what the app wrote, through a consistent copy the holder makes (perf.intake.inbox.readable)."""
    with inbox.readable(db) as copy:
        assert copy != db, "nobody held the file: the app had let go of it"
        con = duckdb.connect(str(copy), read_only=True)
        try:
            row = con.execute(sql).fetchone()
        finally:
            con.close()
    return None if row is None else row[0]


def test_after_the_app_writes_no_other_process_opens_the_file_and_the_writes_are_read_back(
    sample_db: Path, tmp_path: Path, browser: object
) -> None:
    db = tmp_path / "outside_in.duckdb"
    shutil.copyfile(sample_db, db)
    con = store.connect(db, read_only=False)
    try:
        users.create_user(
            con,
            "amy",
            PASSWORD,
            "officer",
            display_name="Amy Example",
            created_by="test",
            cost=users.ScryptCost(2**10, 8, 1),
        )
    finally:
        con.close()
    assert from_another_process(db) == {"read_write": "opened", "read_only": "opened"}  # free before the app

    with running(db, private=False) as url:  # the server holds this very file
        context = browser.new_context(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
        page = context.new_page()
        try:
            page.goto(f"{url}/account")
            wait_ready(page)
            main = page.locator('[data-testid="stMain"]')
            main.get_by_role("textbox", name="Username").fill("amy")
            main.get_by_role("textbox", name="Password").fill("not the password")  # a quiet write
            main.get_by_role("button", name="Sign in").click()
            main.get_by_text(users.WRONG).wait_for(timeout=60_000)
            main.get_by_role("textbox", name="Password").fill(PASSWORD)
            main.get_by_role("button", name="Sign in").click()
            page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for(timeout=60_000)
            page.locator(".st-key-menu").get_by_text("Upload", exact=True).click()
            main.locator("h1", has_text="Upload").wait_for(timeout=30_000)
            csv = tmp_path / "values.csv"
            csv.write_text(
                "measure_id,period_start,locality_id,value\nrepairs-demand,2019-04-08,,15\n", encoding="utf-8"
            )
            main.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
            main.get_by_role("button", name="Accept and load").click()
            main.get_by_text("Loaded 1 measure value from values.csv").wait_for(timeout=60_000)
            wait_ready(page)
        finally:
            context.close()

        # the app still holds the file: another process is refused both ways, with DuckDB's lock error
        refused = from_another_process(db)
        for mode in ("read_write", "read_only"):
            assert "lock" in refused[mode].lower(), refused
            assert "streamlit run" in holder(refused[mode]), refused[mode]
        ino = os.stat(db).st_ino
        held = [line for line in Path("/proc/locks").read_text().splitlines() if f":{ino} " in line]
        assert len(held) == 1 and " WRITE " in held[0], held

        # a command-line load is handed to the app through the inbox, and succeeds
        more = tmp_path / "more.csv"
        more.write_text("measure_id,period_start,locality_id,value\nrepairs-demand,2019-04-15,,16\n", encoding="utf-8")
        env = {**os.environ, "OUTSIDE_IN_DB": str(db)}
        loaded = subprocess.run(
            [sys.executable, "-m", "perf", "load", str(more)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=300,
        )
        assert loaded.returncode == 0, loaded.stderr
        assert "running app" in loaded.stdout + loaded.stderr, loaded  # it said the app does the load

        # both writes, read back through the holder; the lock is still the app's
        assert (
            read_back(
                db,
                "SELECT value FROM measurement WHERE measure_id = 'repairs-demand' AND "
                "period_start = '2019-04-08' AND locality_id = 'ALL'",
            )
            == 15
        )
        assert (
            read_back(
                db,
                "SELECT value FROM measurement WHERE measure_id = 'repairs-demand' AND "
                "period_start = '2019-04-15' AND locality_id = 'ALL'",
            )
            == 16
        )
        assert "lock" in from_another_process(db)["read_only"].lower()

    # once the app has stopped, everything it committed is in the file itself
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute(
            "SELECT count(*) FROM measurement WHERE measure_id = 'repairs-demand' AND locality_id = "
            "'ALL' AND (period_start, value) IN (('2019-04-08'::DATE, 15), ('2019-04-15'::DATE, 16))"
        ).fetchone() == (2,)
    finally:
        con.close()
