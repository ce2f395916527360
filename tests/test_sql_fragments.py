"""perf.store.sql_text: SQL shared by several queries lives once, in a fragment a query includes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from perf import store


@pytest.fixture
def sql_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder of hand-written queries in place of perf/sql (the text cache is cleared either side)."""
    monkeypatch.setattr(store, "SQL_DIR", tmp_path)
    store.sql_text.cache_clear()
    yield tmp_path
    store.sql_text.cache_clear()


def write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.sql").write_text(text, encoding="utf-8")


def test_an_include_is_replaced_by_the_fragments_ctes(sql_dir: Path) -> None:
    write(sql_dir, "_ones", "-- ones: a row of 1\nones AS (SELECT 1 AS x)\n")
    write(sql_dir, "q", "WITH\n/* include: _ones */,\ntwos AS (SELECT x + 1 AS y FROM ones)\nSELECT y FROM twos\n")
    text = store.sql_text("q")
    assert "include" not in text and "a row of 1" not in text  # the fragment's opening notes stay in its file
    assert duckdb.connect().execute(text).fetchall() == [(2,)]


def test_a_condition_can_be_included_in_a_where_clause(sql_dir: Path) -> None:
    write(sql_dir, "_small", "-- small: below $limit\nx < $limit\n")
    write(sql_dir, "q", "SELECT count(*) FROM range(10) AS t(x) WHERE /* include: _small */ AND x > 0\n")
    assert duckdb.connect().execute(store.sql_text("q"), {"limit": 4}).fetchall() == [(3,)]


def test_a_fragment_may_include_another(sql_dir: Path) -> None:
    write(sql_dir, "_ones", "ones AS (SELECT 1 AS x)\n")
    write(sql_dir, "_twos", "/* include: _ones */,\ntwos AS (SELECT x + 1 AS y FROM ones)\n")
    write(sql_dir, "q", "WITH\n/* include: _twos */\nSELECT y FROM twos\n")
    assert duckdb.connect().execute(store.sql_text("q")).fetchall() == [(2,)]


def test_an_include_must_name_a_fragment(sql_dir: Path) -> None:
    write(sql_dir, "other", "SELECT 1\n")
    write(sql_dir, "q", "/* include: other */\n")
    with pytest.raises(ValueError, match="q.sql includes 'other': a fragment's name is '_' then"):
        store.sql_text("q")


def test_an_include_cannot_reach_outside_the_sql_folder(sql_dir: Path) -> None:
    write(sql_dir, "q", "/* include: _../../schema */\n")
    with pytest.raises(ValueError, match="a fragment's name is '_' then lower-case letters"):
        store.sql_text("q")


def test_a_missing_fragment_is_named(sql_dir: Path) -> None:
    write(sql_dir, "q", "WITH\n/* include: _nowhere */\nSELECT 1\n")
    with pytest.raises(ValueError, match="no fragment named '_nowhere'"):
        store.sql_text("q")


def test_a_fragment_that_includes_itself_is_refused(sql_dir: Path) -> None:
    write(sql_dir, "_a", "/* include: _b */\n")
    write(sql_dir, "_b", "/* include: _a */\n")
    write(sql_dir, "q", "/* include: _a */\n")
    with pytest.raises(ValueError, match=r"fragment '_a' includes itself: q -> _a -> _b -> _a"):
        store.sql_text("q")


def test_a_fragment_is_not_a_query_of_its_own() -> None:
    with pytest.raises(ValueError, match="query name must be lower-case letters"):
        store.sql_text("_area")


def test_every_query_expands_and_every_fragment_is_included_somewhere() -> None:
    included: set[str] = set()
    for path in sorted(store.SQL_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        included.update(re.findall(r"/\* include: (\S+) \*/", text))
        if not path.stem.startswith("_"):
            assert "/* include:" not in store.sql_text(path.stem), path.name
    fragments = {p.stem for p in store.SQL_DIR.glob("_*.sql")}
    assert fragments <= included, f"fragments no query includes: {sorted(fragments - included)}"
    assert included <= fragments, f"includes of missing fragments: {sorted(included - fragments)}"
