"""A tiny hand-made database for the upload, entry and user tests, independent of the sample data.

Import the fixtures into a test module (``from tests.fixtures_db import db, db_path``) so pytest
finds them. ``snapshot`` reads every table in full, to prove a rejected load changed nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from perf import store

# 2024-06-12 is a Wednesday; tests judge "future" against this moment.
NOW = "2024-06-12 10:00:00"

FIXTURE_SQL = """
INSERT INTO council VALUES ('E07000234', 'Bromsgrove District Council', 'Bromsgrove', 99000, 42000, 'test');
INSERT INTO locality (locality_id, name, kind, parent_id, council_id) VALUES
    ('ALL', 'Whole area', 'area', NULL, NULL),
    ('E07000234', 'Bromsgrove', 'council', 'ALL', 'E07000234'),
    ('north', 'North Bromsgrove', 'locality', 'E07000234', 'E07000234'),
    ('E05007850', 'Alvechurch South', 'ward', 'north', 'E07000234'),
    ('E05007851', 'Alvechurch Village', 'ward', 'north', 'E07000234'),
    ('E05007860', 'Hagley West', 'ward', 'north', 'E07000234');
INSERT INTO purpose (purpose_id, name, kind) VALUES ('clean', 'Keep my place clean', 'strategic');
INSERT INTO measure (measure_id, name, purpose_id, kind, unit, frequency, improvement, by_locality) VALUES
    ('calls', 'Calls about missed bins', 'clean', 'operational', 'contacts', 'week', 'down', TRUE),
    ('failure_pct', 'Failure demand share', 'clean', 'strategic', '%', 'month', 'down', FALSE),
    ('cost', 'Cost of clearing fly-tips', 'clean', 'operational', '£', 'quarter', 'down', FALSE);
INSERT INTO measurement VALUES
    ('calls', DATE '2024-05-27', 'ALL', 40, NULL, NULL, 'seed', TIMESTAMP '2024-05-28 09:00'),
    ('calls', DATE '2024-05-27', 'E05007850', 12, NULL, NULL, 'seed', TIMESTAMP '2024-05-28 09:00'),
    ('failure_pct', DATE '2024-04-01', 'ALL', 38.5, 385, 1000, 'seed', TIMESTAMP '2024-05-02 09:00');
INSERT INTO service (service_id, name) VALUES ('waste', 'Waste collection'), ('planning', 'Planning');
INSERT INTO demand VALUES
    (1, 'waste', 'E05007850', 'phone', TIMESTAMP '2024-05-01 09:30', 'value', 'missed bin', 100);
INSERT INTO work_case VALUES
    (100, 'waste', 'E05007850', 'phone', 'missed bin', TIMESTAMP '2024-05-01 09:30', TIMESTAMP '2024-05-03 12:00');
INSERT INTO phase VALUES ('calls', DATE '2024-01-01', 'Before redesign', NULL);
"""


def make_db(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a new database with the schema and a few known rows."""
    con = duckdb.connect(str(path))
    store.create_schema(con)
    con.execute(FIXTURE_SQL)
    return con


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, so two snapshots are equal only if nothing changed."""
    cur = con.cursor()
    try:
        # table names come from the schema whitelist, never from a test's input
        return {table: sorted(cur.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in store.TABLES}
    finally:
        cur.close()


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    """A database file with the fixture rows, closed so another process can open it."""
    path = tmp_path / "test.duckdb"
    make_db(path).close()
    return path


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open read-write connection to a fresh fixture database."""
    con = make_db(tmp_path / "test.duckdb")
    yield con
    con.close()
