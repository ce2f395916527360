"""The shipped seed files build a consistent database, and the generator is reproducible.

Why: every page and test reads this data, so broken keys or totals would show up everywhere as
confusing failures; this test points at the data instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from perf import seed, store
from perf.seed import sample
from perf.config import SEED_DIR
from tests.conftest import hold_database

STRATEGIC_NAMES = {
    "Help me to find somewhere to live in my locality",
    "Help me run a successful business",
    "Help me to be financially independent",
    "Help me to live my life independently",
    "Provide good things for me to do, see and visit",
    "Keep my place safe and looking good",
    "Enable others to work/do what they need to do (to meet their purpose)",
}


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    if not any(SEED_DIR.glob("*.parquet")):
        pytest.fail("no seed files in data/seed: run `python -m perf.seed.sample`")
    target = tmp_path_factory.mktemp("build") / "t.duckdb"
    counts = seed.build(target)
    assert counts["demand"] > 0
    connection = store.connect(target)
    yield connection
    connection.close()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return None if row is None else row[0]


def test_row_counts(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "SELECT count(*) FROM measure") >= 20
    assert one(con, "SELECT count(*) FROM demand") >= 200_000
    assert one(con, "SELECT count(DISTINCT service_id) FROM demand") >= 4
    assert one(con, "SELECT count(*) FROM locality WHERE kind = 'ward'") == 39
    assert one(con, "SELECT count(*) FROM locality WHERE kind = 'area'") == 1
    assert one(con, "SELECT count(*) FROM council") == 2
    names = {r[0] for r in con.execute("SELECT name FROM purpose WHERE kind = 'strategic'").fetchall()}
    assert names == STRATEGIC_NAMES
    assert one(con, "SELECT count(*) FROM phase") >= 2
    assert one(con, "SELECT count(DISTINCT frequency) FROM measure") == 3
    assert one(con, "SELECT count(*) FROM measure WHERE NOT published") >= 1
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert meta["dataset"] == "illustrative"
    assert "Open Government Licence" in meta["attribution"]


def test_keys(con: duckdb.DuckDBPyConnection) -> None:
    orphans = {
        "measurement.measure_id": "SELECT count(*) FROM measurement WHERE measure_id NOT IN (SELECT measure_id FROM measure)",
        "measure.purpose_id": "SELECT count(*) FROM measure WHERE purpose_id NOT IN (SELECT purpose_id FROM purpose)",
        "purpose.parent_id": "SELECT count(*) FROM purpose WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT purpose_id FROM purpose)",
        "phase.measure_id": "SELECT count(*) FROM phase WHERE measure_id NOT IN (SELECT measure_id FROM measure)",
        "commentary.measure_id": "SELECT count(*) FROM commentary WHERE measure_id NOT IN (SELECT measure_id FROM measure)",
        "service.purpose_id": "SELECT count(*) FROM service WHERE purpose_id NOT IN (SELECT purpose_id FROM purpose)",
        "demand.case_id": "SELECT count(*) FROM demand WHERE case_id IS NOT NULL AND case_id NOT IN (SELECT case_id FROM work_case)",
        "demand.service_id": "SELECT count(*) FROM demand WHERE service_id NOT IN (SELECT service_id FROM service)",
        "work_case.service_id": "SELECT count(*) FROM work_case WHERE service_id NOT IN (SELECT service_id FROM service)",
        "locality.parent_id": "SELECT count(*) FROM locality WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT locality_id FROM locality)",
    }
    for table in ("measurement", "demand", "work_case", "demographic"):
        orphans[f"{table}.locality_id"] = (
            f"SELECT count(*) FROM {table} WHERE locality_id NOT IN (SELECT locality_id FROM locality)"
        )
    for what, sql in orphans.items():
        assert one(con, sql) == 0, what
    assert one(con, "SELECT count(*) FROM work_case WHERE completed_at < started_at") == 0
    assert one(con, "SELECT count(*) - count(DISTINCT case_id) FROM work_case") == 0
    assert one(con, "SELECT count(*) - count(DISTINCT demand_id) FROM demand") == 0
    # a contact never precedes the start of its case
    assert (
        one(
            con,
            """SELECT count(*) FROM demand d JOIN work_case c USING (case_id)
                       WHERE d.received_at < c.started_at""",
        )
        == 0
    )
    # failure contacts mostly attach to a case; every value contact does
    assert one(con, "SELECT count(*) FROM demand WHERE demand_type = 'value' AND case_id IS NULL") == 0
    linked = one(con, "SELECT avg((case_id IS NOT NULL)::INT) FROM demand WHERE demand_type = 'failure'")
    assert linked > 0.9
    # wards have distinct tiles on the map
    assert one(con, "SELECT count(*) - count(DISTINCT (grid_x, grid_y)) FROM locality WHERE kind = 'ward'") == 0


def test_periods_end_at_the_last_complete_period(con: duckdb.DuckDBPyConnection) -> None:
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert meta["data_to"] == sample.DATA_TO.isoformat()
    last = dict(
        con.execute("""SELECT m.frequency, max(v.period_start) FROM measurement v JOIN measure m
                                USING (measure_id) GROUP BY 1""").fetchall()
    )
    assert last == {"week": date(2026, 11, 16), "month": date(2026, 10, 1), "quarter": date(2026, 7, 1)}
    assert one(con, "SELECT max(received_at) FROM demand") < pd.Timestamp("2026-11-23")
    years = one(
        con,
        """SELECT min(n) FROM (SELECT measure_id, max(period_start) - min(period_start) AS n
                        FROM measurement GROUP BY 1)""",
    )
    assert years >= 3 * 365  # date - date is a number of days in DuckDB


def test_totals_agree_with_their_parts(con: duckdb.DuckDBPyConnection) -> None:
    bad = one(
        con,
        """
        WITH parts AS (
            SELECT v.measure_id, v.period_start, m.aggregation,
                   sum(v.value) AS s, 100.0 * sum(v.numerator) / nullif(sum(v.denominator), 0) AS r
            FROM measurement v JOIN measure m USING (measure_id)
            WHERE m.by_locality AND v.locality_id <> 'ALL' GROUP BY ALL)
        SELECT count(*) FROM parts p JOIN measurement t
          ON t.measure_id = p.measure_id AND t.period_start = p.period_start AND t.locality_id = 'ALL'
        WHERE (p.aggregation = 'sum' AND abs(t.value - p.s) > 1e-9)
           OR (p.aggregation = 'ratio' AND abs(t.value - p.r) > 1e-3)""",
    )
    assert bad == 0
    # ratio values are numerator / denominator * 100
    assert (
        one(
            con,
            """SELECT count(*) FROM measurement v JOIN measure m USING (measure_id)
                       WHERE m.aggregation = 'ratio' AND v.denominator > 0
                         AND abs(v.value - 100.0 * v.numerator / v.denominator) > 1e-3""",
        )
        == 0
    )
    # case-level demand and the demand measures are the same numbers
    assert one(
        con,
        """SELECT value FROM measurement WHERE measure_id = 'repairs-demand'
                       AND locality_id = 'ALL' AND period_start = DATE '2024-06-03'""",
    ) == one(
        con,
        """
        SELECT count(*) FROM demand WHERE service_id = 'housing_repairs'
        AND received_at >= DATE '2024-06-03' AND received_at < DATE '2024-06-10'""",
    )


def test_demographic_sums_equal_census_totals(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        SELECT l.council_id, d.indicator, sum(d.value)
        FROM demographic d JOIN locality l USING (locality_id)
        WHERE l.kind = 'ward' AND d.year = 2021 AND d.indicator IN ('population_total', 'households')
        GROUP BY ALL""").fetchall()
    got = {(c, i): v for c, i, v in rows}
    assert got == {
        ("E07000234", "population_total"): 99183,
        ("E07000234", "households"): 41264,
        ("E07000236", "population_total"): 87036,
        ("E07000236", "households"): 36378,
    }
    bands = one(
        con,
        """
        SELECT count(*) FROM (
            SELECT locality_id, sum(value) FILTER (WHERE indicator IN
                   ('population_0_15', 'population_16_64', 'population_65_plus')) AS bands,
                   any_value(value) FILTER (WHERE indicator = 'population_total') AS total
            FROM demographic WHERE year = 2021 GROUP BY 1) WHERE bands IS NOT NULL AND bands <> total""",
    )
    assert bands == 0


def test_redesigns_shift_their_measures(con: duckdb.DuckDBPyConnection) -> None:
    """A Check-Plan-Do review must find a real shift at each redesign."""
    rows = con.execute("""
        SELECT p.measure_id, m.improvement,
               avg(v.value) FILTER (WHERE v.period_start < p.starts_on) AS before,
               avg(v.value) FILTER (WHERE v.period_start >= p.starts_on + INTERVAL 10 WEEK) AS after
        FROM phase p JOIN measure m USING (measure_id) JOIN measurement v USING (measure_id)
        WHERE v.locality_id = 'ALL' AND m.improvement <> 'neutral' GROUP BY ALL""").fetchall()
    assert len(rows) >= 4
    for measure_id, improvement, before, after in rows:
        change = (after - before) / before
        assert (change < -0.15) if improvement == "down" else (change > 0.1), (measure_id, before, after)


def test_bank_holidays() -> None:
    days = {date.fromisoformat(d): n for d, n in sample.BANK_HOLIDAYS}
    assert len(days) == len(sample.BANK_HOLIDAYS)
    assert {date(2022, 9, 19), date(2022, 6, 2), date(2022, 6, 3), date(2023, 5, 8)} <= set(days)
    assert all(d.weekday() < 5 for d in days)
    for year in range(2021, 2028):
        assert sum(d.year == year for d in days) == (10 if year == 2022 else 9 if year == 2023 else 8)


def _frames(folder: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        out[path.name] = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return out


def test_generator_is_deterministic(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    counts = sample.generate(a, seed=7, scale=0.02)
    sample.generate(b, seed=7, scale=0.02)
    sample.generate(c, seed=8, scale=0.02)
    assert counts["demand"] > 1000
    names = sorted(p.name for p in a.iterdir() if p.is_file())
    assert names == sorted(p.name for p in b.iterdir() if p.is_file())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    real = sorted(p.name for p in (a / "real").iterdir())  # the real seed files, written beside them
    assert real == sorted(p.name for p in (b / "real").iterdir()) and "published_value.parquet" in real
    for name in real:
        assert (a / "real" / name).read_bytes() == (b / "real" / name).read_bytes(), name
    assert (a / "demand.parquet").read_bytes() != (c / "demand.parquet").read_bytes()
    fa, fb = _frames(a), _frames(b)
    for name in names:
        pd.testing.assert_frame_equal(fa[name], fb[name])
    # the small variant builds too
    built = seed.build(tmp_path / "small.duckdb", seed_dir=a)
    assert built["demand"] == counts["demand"]


def test_a_writer_waits_for_a_reader_in_another_process_to_let_go(tmp_path) -> None:
    """The app holds the file only while a query runs; a scheduled load waits rather than failing."""
    import time as clock

    from perf import store

    db = tmp_path / "lock.duckdb"
    seed.build(db, seed_dir=tmp_path)  # empty schema
    holder = hold_database(db, 1.5, read_only=True)
    started = clock.monotonic()
    con = store.connect_waiting(db, read_only=False, seconds=20)
    waited = clock.monotonic() - started
    con.close()
    holder.wait(timeout=10)
    assert waited > 0.2  # it really had to wait for the other process


def test_a_writer_gives_up_with_the_lock_error_after_its_time(tmp_path) -> None:
    import duckdb
    import pytest

    from perf import store

    db = tmp_path / "lock.duckdb"
    seed.build(db, seed_dir=tmp_path)
    holder = hold_database(db, 5)
    try:
        with pytest.raises(duckdb.IOException, match="(?i)lock"):
            store.connect_waiting(db, read_only=False, seconds=0.5)
    finally:
        holder.kill()


def test_real_measures_are_marked_real_and_attributed(con: duckdb.DuckDBPyConnection) -> None:
    """The FixMyStreet measures are real with a source; every illustrative measure stays marked illustrative."""
    real = con.execute("SELECT measure_id, source_id FROM measure WHERE is_real ORDER BY 1").fetchall()
    assert [r[0] for r in real] == ["fms-all", "fms-dog-fouling", "fms-potholes", "fms-rubbish", "fms-street-lights"]
    assert {r[1] for r in real} == {"fixmystreet-wards"}
    assert one(con, "SELECT count(*) FROM measure WHERE NOT is_real") == 36
    assert (
        one(
            con,
            "SELECT count(*) FROM source WHERE source_id = 'fixmystreet-wards' "
            "AND attribution LIKE '%mySociety / FixMyStreet%ODC-By 1.0%'",
        )
        == 1
    )
    # Bromsgrove's 2019 monthly totals as mySociety's SOURCES.md gives them (summed from its wards)
    y2019 = con.execute("""SELECT sum(v.value) FROM measurement v JOIN locality l USING (locality_id)
        WHERE v.measure_id = 'fms-all' AND l.council_id = 'E07000234' AND l.kind = 'ward'
        AND year(v.period_start) = 2019 GROUP BY month(v.period_start) ORDER BY month(v.period_start)""").fetchall()
    assert len(y2019) == 12
    # the definition and data-quality notes say it is one channel and includes county work
    text = one(con, "SELECT definition || dq_relevant FROM measure WHERE measure_id = 'fms-all'")
    assert "one channel" in text and "county" in text.lower()
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert "FixMyStreet" in meta["real_data"]
