"""Caches of figures are kept while officers write about them (issue #12's load test: an officer saving
commentary every second made every chart be worked out again each second for every visitor).

A write that says which tables it changes moves the data version only of caches that read one of
them; the pages cached on ``store.FIGURES`` are drawn here from a database without the ``NOTES``
tables at all, so none of their cached queries can read one."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from perf import store
from perf.intake import entry
from tests.conftest import run_page
from tests.fixtures_db import db_path  # noqa: F401 - the fixture
from ui import db as ui_db


def test_commentary_moves_the_version_of_notes_only(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db_path))
    con = duckdb.connect(str(db_path))
    try:
        figures, everything = ui_db.data_version(store.FIGURES), ui_db.data_version()
        entry.add_commentary(con, "calls", None, "A note", "internal", "olive", now=datetime(2024, 6, 12, 10))
        assert ui_db.data_version(store.FIGURES) == figures
        assert ui_db.data_version(("commentary",)) != ui_db.data_version(("measurement",))
        assert ui_db.data_version() != everything
        with store.write_transaction(con) as cur:  # a write that does not say what it changes
            cur.execute("UPDATE measure SET name = 'Calls' WHERE measure_id = 'calls'")
        assert ui_db.data_version(store.FIGURES) != figures
        figures = ui_db.data_version(store.FIGURES)
        with store.write_transaction(con, changes=("demand", "change_log")) as cur:
            cur.execute("DELETE FROM demand")
        assert ui_db.data_version(store.FIGURES) != figures
        with pytest.raises(ValueError, match="unknown tables"):
            with store.write_transaction(con, changes=("no_such_table",)):
                pass
    finally:
        con.close()


def test_every_note_table_is_a_table_and_figures_are_the_rest() -> None:
    assert set(store.NOTES) <= set(store.TABLES)
    assert set(store.FIGURES) == set(store.TABLES) - set(store.NOTES)
    assert {"measurement", "demand", "work_case", "measure", "phase"} <= set(store.FIGURES)


@pytest.fixture(scope="module")
def figures_only(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample database less every table in store.NOTES."""
    path = tmp_path_factory.mktemp("figures") / "figures_only.duckdb"
    shutil.copyfile(sample_db, path)
    con = duckdb.connect(str(path))
    try:
        for table in store.NOTES:  # names from the schema's whitelist
            con.execute(f"DROP TABLE {table}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


# (the Purpose, Measure and Review pages show commentary too, through caches of every table)
@pytest.mark.parametrize(
    "page", ["app_pages/overview.py", "app_pages/locality.py", "app_pages/demand.py", "app_pages/capability.py"]
)
def test_pages_cached_on_figures_read_no_note_table(
    page: str, figures_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTSIDE_IN_DB", str(figures_only))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    at = run_page(page)  # fails on any exception: a query of a table that is not there
    assert at.title
