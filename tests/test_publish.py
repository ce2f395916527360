"""Published snapshots: only what the public may see, written whole, opened read-only, swapped atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from perf import store
from perf.output import export, publish
from perf.__main__ import main
from tests import tiny_db
from tests.conftest import APP


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    return tiny_db.build(tmp_path / "council.duckdb")


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _set_meta(db: Path, key: str, value: str) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
    finally:
        con.close()


def test_a_snapshot_holds_only_what_the_public_may_see(source: Path, tmp_path: Path) -> None:
    snap = publish.publish(tmp_path / "site", source)
    db = publish.resolve(tmp_path / "site")
    assert db == snap.db and db.exists()
    # the source has all of these: the snapshot none
    assert _rows(source, f"SELECT count(*) FROM measure WHERE measure_id = '{tiny_db.UNPUBLISHED}'") == [(1,)]
    for sql in (
        f"SELECT * FROM measure WHERE measure_id = '{tiny_db.UNPUBLISHED}' OR NOT published",
        f"SELECT * FROM measurement WHERE measure_id = '{tiny_db.UNPUBLISHED}'",
        f"SELECT * FROM phase WHERE measure_id = '{tiny_db.UNPUBLISHED}'",
        "SELECT * FROM commentary WHERE visibility <> 'public'",
        f"SELECT * FROM commentary WHERE body = '{tiny_db.SECRET_NOTE}'",
        "SELECT * FROM commentary WHERE author <> 'Council officer'",
        "SELECT * FROM measurement WHERE entered_by IS NOT NULL",
        "SELECT * FROM app_user",
        "SELECT * FROM change_log",
        "SELECT * FROM meta WHERE key = 'seed_dir'",
    ):
        assert _rows(db, sql) == [], sql
    assert _rows(source, "SELECT count(*) FROM app_user") == [(1,)]
    for table in set(store.TABLES) - set(publish.COPIES):  # any table not named for copying stays empty,
        assert snap.rows[table] == 0, table  # a new one too (officers' contacts, signals ...)
    # and the public things are all there
    assert sorted(r[0] for r in _rows(db, "SELECT measure_id FROM measure")) == sorted(tiny_db.PUBLISHED)
    assert _rows(db, "SELECT count(*) FROM commentary") == [(2,)]
    assert snap.rows["measure"] == len(tiny_db.PUBLISHED) and snap.rows["app_user"] == 0
    assert _rows(db, "SELECT value FROM meta WHERE key = 'snapshot_version'") == [(snap.version,)]


def test_owners_are_roles_and_reviews_keep_their_dates_only(source: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(source))
    try:
        con.execute("UPDATE measure SET owner = 'Head of Street Scene (Jo Bloggs)' WHERE measure_id = 'M_CALLS'")
        con.execute(
            "INSERT INTO review (measure_id, change_date, decision, actions, reviewed_by, reviewed_at) VALUES "
            "('M_CALLS', DATE '2024-10-01', 'Keep the new rota', 'Jo to brief the crews', 'Jo Bloggs', "
            "TIMESTAMP '2025-01-10 10:00:00')"
        )
    finally:
        con.close()
    db = publish.publish(tmp_path / "site", source).db
    assert _rows(db, "SELECT owner FROM measure WHERE measure_id = 'M_CALLS'") == [("Head of Street Scene",)]
    assert _rows(db, "SELECT change_date, decision, actions, reviewed_by FROM review") == [
        (dt.date(2024, 10, 1), None, None, None)
    ]
    con = duckdb.connect(str(db), read_only=True)
    try:  # the name is nowhere in the snapshot
        for table in store.TABLES:
            text = con.execute(f"SELECT string_agg(CAST(COLUMNS(*) AS VARCHAR), '|') FROM {table}").fetchall()
            assert "Bloggs" not in repr(text), table
    finally:
        con.close()


def test_a_database_built_before_a_table_or_column_existed_still_publishes(source: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(source))
    try:  # as if built by an older release: no review table, and measure without its decimals column
        con.execute("DROP TABLE review")
        con.execute("ALTER TABLE measure DROP COLUMN decimals")
    finally:
        con.close()
    snap = publish.publish(tmp_path / "site", source)
    assert snap.rows["review"] == 0 and snap.rows["measure"] == len(tiny_db.PUBLISHED)
    assert _rows(snap.db, "SELECT DISTINCT decimals FROM measure") == [(0,)]  # the schema's default


def test_the_parquet_is_the_partner_data_with_small_counts_hidden(source: Path, tmp_path: Path) -> None:
    snap = publish.publish(tmp_path / "site", source)
    measurements = pd.read_parquet(snap.folder / "parquet" / "measurements.parquet")
    assert tiny_db.UNPUBLISHED not in set(measurements["measure_id"])
    w1 = measurements[(measurements["measure_id"] == "M_WARD") & (measurements["locality_id"] == "W1")]
    assert len(w1) > 0 and w1["value"].isna().all() and w1["suppressed"].all()  # ward W1's 2s and 3s
    con = store.connect(source)
    try:
        expected = export.published_tables(con)
    finally:
        con.close()
    assert set(p.stem for p in (snap.folder / "parquet").glob("*.parquet")) == set(expected)
    manifest = json.loads((snap.folder / "manifest.json").read_text())
    assert manifest["version"] == snap.version and manifest["rows"]["measure"] == len(tiny_db.PUBLISHED)


def test_a_snapshot_opens_read_only_and_refuses_writes(source: Path, tmp_path: Path) -> None:
    snap = publish.publish(tmp_path / "site", source)
    assert not os.stat(snap.db).st_mode & 0o222  # no write bit for anyone
    con = store.connect(publish.resolve(tmp_path / "site"), read_only=True)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DELETE FROM measure")
    finally:
        con.close()


def test_a_failed_publish_leaves_the_current_version_untouched(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    first = publish.publish(root, source)

    def broken(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "published_tables", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        publish.publish(root, source)
    assert publish.current(root) == first.version
    assert [p.name for p in (root / "versions").iterdir()] == [first.version]
    assert not list(root.glob(".tmp-*"))  # the half-written version is gone


def test_a_reader_of_the_old_version_is_not_broken_by_newer_ones(source: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    publish.publish(root, source)
    old = store.connect(publish.resolve(root), read_only=True)
    try:
        before = old.execute("SELECT value FROM meta WHERE key = 'snapshot_version'").fetchall()
        for _ in range(publish.KEEP + 2):  # enough for the old version to be pruned
            publish.publish(root, source)
        assert len(list((root / "versions").iterdir())) == publish.KEEP + 1
        # the open connection still reads its own version, whole
        assert old.execute("SELECT value FROM meta WHERE key = 'snapshot_version'").fetchall() == before
        assert old.execute("SELECT count(*) FROM measurement").fetchall()[0][0] > 0
    finally:
        old.close()


def test_readers_during_publishing_always_find_one_whole_version(source: Path, tmp_path: Path) -> None:
    """A reader resolving ``current`` while versions are swapped finds a complete snapshot every time."""
    root = tmp_path / "site"
    publish.publish(root, source)
    problems: list[str] = []
    seen: set[str] = set()
    stop = threading.Event()

    def read() -> None:
        for _ in range(2000):  # bounded
            if stop.is_set():
                return
            path = publish.resolve(root)
            try:
                con = duckdb.connect(str(path), read_only=True)
            except duckdb.IOException as err:  # pruned between resolve and open: only KEEP old versions kept
                problems.append(f"{path.parent.name}: {err}")
                continue
            try:
                version = con.execute("SELECT value FROM meta WHERE key = 'snapshot_version'").fetchall()[0][0]
                if version != path.parent.name or con.execute("SELECT count(*) FROM measure").fetchall()[0][0] != 4:
                    problems.append(f"{path}: {version}")
                seen.add(str(version))
            finally:
                con.close()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(4):
            publish.publish(root, source)
    finally:
        stop.set()
        reader.join(timeout=60)
    assert not problems
    assert len(seen) >= 2  # the reader saw the swap happen


def test_the_command_line_publishes_and_says_where(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", "--out", str(tmp_path / "site"), "--db", str(source)]) == 0
    out = capsys.readouterr().out
    assert "Published" in out and "4 measures" in out
    assert main(["publish", "--db", str(source)]) == 2
    assert main(["publish", "--out", str(tmp_path / "x"), "--db", str(tmp_path / "missing.duckdb")]) == 2
    assert "No database" in capsys.readouterr().err


def test_one_page_run_reads_one_version_and_the_next_run_the_newer(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import db

    root = tmp_path / "site"
    first = publish.publish(root, source)
    monkeypatch.setenv("OUTSIDE_IN_DB", str(root))

    def version() -> str:
        with db.reading() as con:
            return str(con.execute("SELECT value FROM meta WHERE key = 'snapshot_version'").fetchall()[0][0])

    db.start_run()
    try:
        assert version() == first.version
        second = publish.publish(root, source)  # published in the middle of a page run
        assert version() == first.version  # the run keeps to the version it started with
    finally:
        db.end_run()
    db.start_run()
    try:
        assert version() == second.version
    finally:
        db.end_run()


def test_the_public_app_on_a_snapshot_picks_up_a_newer_one(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    _set_meta(source, "dataset_name", "Tinytown, first edition")
    publish.publish(root, source)
    monkeypatch.setenv("OUTSIDE_IN_DB", str(root))
    monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "first edition" in captions and "Figures published" in captions
    _set_meta(source, "dataset_name", "Tinytown, second edition")
    publish.publish(root, source)
    at.run()  # the next page run
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "second edition" in captions and "first edition" not in captions
