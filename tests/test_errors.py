"""No traceback reaches a visitor: a failing page says sorry with a reference, the log has the details;
a database left with a write-ahead log from another file still opens; a rebuild leaves no stale log."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from perf import seed, store
from tests.conftest import hold_database, run_perf

ROOT = Path(__file__).resolve().parent.parent

FAILING_PAGE = """
from ui import errors


class Page:
    def run(self):
        raise RuntimeError("secret detail: /srv/outside-in/perf/store.py line 12, pid 4242")


errors.run_page(Page())
"""


def test_a_failing_page_shows_a_reference_and_logs_the_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("OUTSIDE_IN_RAISE", raising=False)
    monkeypatch.syspath_prepend(str(ROOT))
    with caplog.at_level(logging.ERROR, logger="outside_in.pages"):
        at = AppTest.from_string(FAILING_PAGE, default_timeout=30).run()
    assert not at.exception  # nothing for Streamlit to show as a traceback
    message = at.error[0].value
    assert "could not be shown" in message and "secret" not in message and "store.py" not in message
    found = re.search(r"reference \*\*([0-9A-F]{8})\*\*", message)
    assert found is not None
    logged = caplog.text
    assert f"reference {found.group(1)}" in logged and "secret detail" in logged and "Traceback" in logged


def test_streamlit_shows_no_error_details_anywhere() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def _crash_leaving_a_wal(path: Path) -> None:
    """A process that commits a write and dies before its checkpoint (kill -9), leaving path.wal."""
    code = (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute('PRAGMA disable_checkpoint_on_shutdown'); "
        "c.execute(\"INSERT INTO meta VALUES ('crash', 'x')\"); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    assert Path(str(path) + ".wal").exists()


def test_a_wal_from_another_file_is_set_aside_and_the_database_opens(tmp_path: Path) -> None:
    db = tmp_path / "o.duckdb"
    seed.build(db, seed_dir=tmp_path)  # an empty schema
    _crash_leaving_a_wal(db)
    other = tmp_path / "other.duckdb"
    seed.build(other, seed_dir=tmp_path)
    os.replace(other, db)  # someone copied a file over it by hand, leaving the old log
    with pytest.raises(duckdb.IOException, match="WAL does not match"):
        duckdb.connect(str(db)).close()  # what every page showed before
    con = store.connect(db, read_only=False)
    try:
        assert con.execute("SELECT count(*) FROM meta WHERE key = 'crash'").fetchone() == (0,)
    finally:
        con.close()
    assert list(tmp_path.glob("o.duckdb.wal.unmatched-*"))  # kept beside it, not deleted


def test_a_build_after_a_crash_leaves_no_stale_wal(tmp_path: Path) -> None:
    db = tmp_path / "o.duckdb"
    seed.build(db, seed_dir=tmp_path)
    _crash_leaving_a_wal(db)  # the app died with a write in its log
    seed.build(db, seed_dir=tmp_path)
    assert not Path(str(db) + ".wal").exists()
    with duckdb.connect(str(db)) as con:  # opens: no "WAL does not match"
        assert con.execute("SELECT count(*) FROM meta WHERE key = 'crash'").fetchone() == (0,)


def test_a_build_is_refused_while_the_app_holds_the_file(tmp_path: Path) -> None:
    db = tmp_path / "o.duckdb"
    seed.build(db, seed_dir=tmp_path)
    holder = hold_database(db, 30)
    try:
        done = run_perf("build", "--db", str(db), db=db)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1 and "is open in another program" in done.stderr and "Stop the app" in done.stderr
    assert "Traceback" not in done.stderr
