"""Demand and capability at council scale: 10 million contacts and 3 million cases.

Builds a temporary DuckDB file (generated in SQL), then times the three queries the Demand and
Capability pages lean on, each three ways:

- perf: the functions the pages call (aggregation in DuckDB, one row per week comes back);
- pandas, read and aggregate: the raw rows read from the same file into pandas, then grouped (what
  an app that pulls case rows into pandas would do);
- pandas in memory: the same grouping on frames already loaded (the read not counted).

Results are checked equal, and the peak memory of the perf path is measured in a process of its
own. Targets (issue 4): each perf query under 0.5 s, at least 10x the read-and-aggregate path,
faster than pandas in memory, peak memory under 1 GB.

    .venv/bin/python bench/demand_capability.py [--contacts 10000000] [--cases 3000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf import store  # noqa: E402
from perf.analysis import capability, demand  # noqa: E402

FIRST_DAY = "2019-07-01"
DAYS = 6 * 365  # six years of data
REPEATS = 3
TARGET_SECONDS = 0.5
TARGET_RATIO = 10.0
TARGET_MEMORY_MB = 1024

# English bank holidays 2019-2025 (GOV.UK bank-holidays list, England and Wales).
BANK_HOLIDAYS = """
2019-01-01 2019-04-19 2019-04-22 2019-05-06 2019-05-27 2019-08-26 2019-12-25 2019-12-26
2020-01-01 2020-04-10 2020-04-13 2020-05-08 2020-05-25 2020-08-31 2020-12-25 2020-12-28
2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-12-27 2021-12-28
2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 2022-09-19 2022-12-26 2022-12-27
2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25 2023-12-26
2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 2024-12-26
2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26
""".split()


def build(path: Path, contacts: int, cases: int) -> float:
    """Generate the database in SQL: a geography of 2 councils and 39 wards, 6 services, and
    contacts and cases spread over six years with a failure share and durations per service."""
    started = time.perf_counter()
    con = duckdb.connect(str(path))
    store.create_schema(con)
    con.execute(
        "INSERT INTO locality (locality_id, name, kind, parent_id) VALUES "
        "('ALL', 'Everywhere', 'area', NULL), ('C1', 'Council one', 'council', 'ALL'), "
        "('C2', 'Council two', 'council', 'ALL'), ('L1', 'North', 'locality', 'C1'), "
        "('L2', 'Centre', 'locality', 'C1'), ('L3', 'South', 'locality', 'C1')"
    )
    # 30 wards in three localities of council one, 9 directly under council two
    con.execute("""
        INSERT INTO locality (locality_id, name, kind, parent_id)
        SELECT printf('W%02d', i), printf('Ward %02d', i), 'ward',
               CASE WHEN i <= 10 THEN 'L1' WHEN i <= 20 THEN 'L2' WHEN i <= 30 THEN 'L3' ELSE 'C2' END
        FROM range(1, 40) t(i)""")
    con.execute("""INSERT INTO demographic SELECT locality_id, 2021, 'population_total',
                   2000 + hash(locality_id) % 6000, 'bench' FROM locality WHERE kind = 'ward'""")
    con.execute("""INSERT INTO service SELECT 'S' || i, 'Service ' || i, NULL, 5 + i, 25 + i
                   FROM range(1, 7) t(i)""")
    con.executemany("INSERT INTO bank_holiday VALUES (?, 'bank holiday')", [[d] for d in BANK_HOLIDAYS])
    # Contacts arrive in time order (as a real feed does); each gets a service, ward, channel and
    # type from independent hashes; the failure share differs by service (25% to 50%).
    con.execute(f"""
        INSERT INTO demand
        SELECT i AS demand_id,
               'S' || (1 + hash(i, 1) % 6) AS service_id,
               printf('W%02d', 1 + hash(i, 2) % 39) AS locality_id,
               ['phone', 'web', 'email', 'face-to-face'][1 + (hash(i, 3) % 4)::INTEGER] AS channel,
               TIMESTAMP '{FIRST_DAY}' + to_seconds((i * ({DAYS} * 86400 // {contacts}))::BIGINT) AS received_at,
               CASE WHEN hash(i, 4) % 100 < 20 + 5 * (1 + hash(i, 1) % 6) THEN 'failure' ELSE 'value' END,
               'nature ' || (hash(i, 5) % 12) AS nature,
               i // 3 AS case_id
        FROM range({contacts}) t(i)""")
    # Cases: exponential end-to-end times with a mean of 3 to 18 days by service; those that would
    # finish after the data ends are still open.
    con.execute(f"""
        INSERT INTO work_case
        SELECT case_id, service_id, locality_id, channel, nature, started_at,
               CASE WHEN finish <= TIMESTAMP '{FIRST_DAY}' + INTERVAL {DAYS} DAY THEN finish END
        FROM (
            SELECT i AS case_id,
                   'S' || (1 + hash(i, 11) % 6) AS service_id,
                   printf('W%02d', 1 + hash(i, 12) % 39) AS locality_id,
                   ['phone', 'web', 'email', 'face-to-face'][1 + (hash(i, 13) % 4)::INTEGER] AS channel,
                   'nature ' || (hash(i, 15) % 12) AS nature,
                   TIMESTAMP '{FIRST_DAY}' + to_seconds((i * ({DAYS} * 86400 // {cases}))::BIGINT) AS started_at,
                   TIMESTAMP '{FIRST_DAY}' + to_seconds((i * ({DAYS} * 86400 // {cases}))::BIGINT)
                     + to_seconds((-ln(((hash(i, 14) % 1000000) + 1) / 1000001.0)
                                   * 3 * (1 + hash(i, 11) % 6) * 86400)::BIGINT) AS finish
            FROM range({cases}) t(i)
        )""")
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - started


# --- the three queries, three ways -------------------------------------------------------------------
def perf_weekly_by_type_and_locality(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return demand.demand_by_locality(con, granularity="week", level="ward")


def perf_failure_share_per_week(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return demand.demand_by_period(con, granularity="week")


def perf_weekly_end_to_end_by_service(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return capability.end_to_end_by_period(con, granularity="week", by="service")


PERF: dict[str, Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]] = {
    "weekly demand by type and locality": perf_weekly_by_type_and_locality,
    "failure share per week": perf_failure_share_per_week,
    "weekly end-to-end percentiles per service": perf_weekly_end_to_end_by_service,
}


def _monday(stamps: pd.Series) -> np.ndarray:
    """Monday of each timestamp's week, vectorised (1970-01-01 was a Thursday)."""
    days = stamps.to_numpy().astype("datetime64[D]").astype(np.int64)
    return (days - (days + 3) % 7).astype("datetime64[D]")


def read_demand(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT received_at, locality_id, demand_type FROM demand").df()


def read_cases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT service_id, started_at, completed_at FROM work_case WHERE completed_at IS NOT NULL").df()


def pandas_weekly_by_type_and_locality(rows: pd.DataFrame) -> pd.DataFrame:
    counts = (
        rows.assign(period_start=_monday(rows["received_at"]))
        .groupby(["period_start", "locality_id", "demand_type"], observed=True)
        .size()
        .unstack("demand_type", fill_value=0)
        .reset_index()
    )
    return counts.rename(columns={"value": "value_demand", "failure": "failure_demand"})


def pandas_failure_share_per_week(rows: pd.DataFrame) -> pd.DataFrame:
    week = _monday(rows["received_at"])
    failure = (rows["demand_type"] == "failure").to_numpy()
    out = (
        pd.DataFrame({"period_start": week, "failure": failure})
        .groupby("period_start")["failure"]
        .agg(["sum", "size"])
        .reset_index()
    )
    out["failure_share"] = out["sum"] / out["size"]
    return out.rename(columns={"sum": "failure_demand", "size": "demand"})


def pandas_weekly_end_to_end_by_service(rows: pd.DataFrame) -> pd.DataFrame:
    started = rows["started_at"].to_numpy().astype("datetime64[D]")
    completed = rows["completed_at"].to_numpy().astype("datetime64[D]")
    frame = pd.DataFrame(
        {
            "group_id": rows["service_id"],
            "period_start": _monday(rows["completed_at"]),
            "days": (completed - started).astype(np.int64),
        }
    )
    grouped = frame.groupby(["group_id", "period_start"])["days"]
    out = grouped.agg(["size", "mean"]).rename(columns={"size": "cases"})
    out["median"] = grouped.quantile(0.5)
    out["p90"] = grouped.quantile(0.9)
    return out.reset_index()


PANDAS: dict[
    str, tuple[Callable[[duckdb.DuckDBPyConnection], pd.DataFrame], Callable[[pd.DataFrame], pd.DataFrame]]
] = {
    "weekly demand by type and locality": (read_demand, pandas_weekly_by_type_and_locality),
    "failure share per week": (read_demand, pandas_failure_share_per_week),
    "weekly end-to-end percentiles per service": (read_cases, pandas_weekly_end_to_end_by_service),
}


def check_equal(name: str, ours: pd.DataFrame, theirs: pd.DataFrame) -> bool:
    """The same numbers both ways, on the rows both have (perf also keeps empty weeks as zeros)."""
    if name == "weekly demand by type and locality":
        keys, cols = ["period_start", "locality_id"], ["value_demand", "failure_demand"]
    elif name == "failure share per week":
        ours = ours[ours["demand"] > 0]
        keys, cols = ["period_start"], ["failure_demand", "demand", "failure_share"]
    else:
        keys, cols = ["group_id", "period_start"], ["cases", "mean", "median", "p90"]
    a = ours[keys + cols].copy()
    b = theirs[keys + cols].copy()
    for frame in (a, b):
        frame["period_start"] = pd.to_datetime(frame["period_start"]).astype("datetime64[us]")
        for k in keys:
            if k != "period_start":
                frame[k] = frame[k].astype(str)
    merged = a.merge(b, on=keys, how="outer", suffixes=("_perf", "_pandas"), indicator=True)
    if not (merged["_merge"] == "both").all() or len(a) != len(b):
        return False
    return all(
        np.allclose(merged[f"{c}_perf"].astype(float), merged[f"{c}_pandas"].astype(float), rtol=1e-9, atol=1e-9)
        for c in cols
    )


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Median wall seconds and median CPU seconds (all of this process's threads) over ``repeats``
    runs, and the last result. CPU time shows the work done, which other users of the machine's two
    cores do not inflate the way they inflate wall time."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), result


def perf_only(db: Path) -> None:
    """Run the perf path alone (in its own process) and report its peak memory."""
    con = store.connect(db, read_only=True)
    rows = {name: len(fn(con)) for name, fn in PERF.items()}
    print(json.dumps({"peak_mb": peak_memory_mb(), "rows": rows}))


def peak_memory_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own address space; on
    Linux ru_maxrss keeps the high-water mark of the parent it was forked from, across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=10_000_000)
    parser.add_argument("--cases", type=int, default=3_000_000)
    parser.add_argument("--keep", help="build (or reuse) the database in this folder instead of a temporary one")
    parser.add_argument("--perf-only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.perf_only:
        perf_only(Path(args.perf_only))
        return 0

    with tempfile.TemporaryDirectory(prefix="outside_in_bench_") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"bench_{args.contacts}_{args.cases}.duckdb"
        if db.exists() and args.keep:
            print(f"Reusing {db}")
        else:
            db.unlink(missing_ok=True)
            seconds = build(db, args.contacts, args.cases)
            print(
                f"Built {args.contacts:,} contacts and {args.cases:,} cases in {seconds:.1f} s "
                f"({db.stat().st_size / 1e6:,.0f} MB)"
            )
        probe = subprocess.run(
            [sys.executable, __file__, "--perf-only", str(db)], capture_output=True, text=True, check=True
        )
        peak = json.loads(probe.stdout.strip().splitlines()[-1])["peak_mb"]
        con = store.connect(db, read_only=True)
        threads = con.execute("SELECT current_setting('threads')").fetchone()
        load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
        print(
            f"DuckDB {duckdb.__version__}, pandas {pd.__version__}, threads {threads[0] if threads else '?'}; "
            f"median of {REPEATS} runs for perf and in-memory, one run for read-and-aggregate; "
            f"load average {' '.join(load)} on {os.cpu_count()} cores\n"
        )

        loaded: dict[str, pd.DataFrame] = {}
        header = (
            f"{'query':<44}{'perf s':>8}{'read+agg s':>12}{'in-mem s':>10}"
            f"{'x read':>8}{'x mem':>8}{'rows':>8}  equal | cpu s: {'perf':>6}{'read+agg':>10}{'in-mem':>8}"
            f"{'x read':>8}{'x mem':>7}"
        )
        print(header)
        print("-" * len(header))
        ok = True
        for name, perf_fn in PERF.items():
            perf_fn(con)  # warm: the first call pays for planning and the file cache
            perf_s, perf_cpu, ours = timed(lambda f=perf_fn: f(con), REPEATS)
            reader, agg = PANDAS[name]
            read_s, read_cpu, rows = timed(lambda r=reader: r(con), 1)
            agg_s, agg_cpu, theirs = timed(lambda a=agg, r=rows: a(r), 1)
            read_s, read_cpu = read_s + agg_s, read_cpu + agg_cpu
            loaded[reader.__name__] = rows
            mem_s, mem_cpu, theirs = timed(lambda a=agg, r=rows: a(r), REPEATS)
            equal = check_equal(name, ours, theirs)
            ok &= equal and perf_s < TARGET_SECONDS and read_s / perf_s >= TARGET_RATIO and perf_s < mem_s
            print(
                f"{name:<44}{perf_s:>8.3f}{read_s:>12.2f}{mem_s:>10.3f}"
                f"{read_s / perf_s:>7.0f}x{mem_s / perf_s:>7.1f}x{len(ours):>8,}  {equal!s:<5} |        "
                f"{perf_cpu:>6.3f}{read_cpu:>10.2f}{mem_cpu:>8.3f}{read_cpu / perf_cpu:>7.0f}x"
                f"{mem_cpu / perf_cpu:>6.1f}x"
            )
            del rows
        loaded.clear()
        con.close()

        ok &= peak < TARGET_MEMORY_MB
        print(f"\nPeak memory of the perf path (all three queries, in a process of its own, VmHWM): {peak:,.0f} MB")
        print(
            f"Targets: each perf query < {TARGET_SECONDS} s, >= {TARGET_RATIO:.0f}x read+agg, faster than "
            f"in-memory pandas, < {TARGET_MEMORY_MB} MB: {'all met' if ok else 'NOT all met'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
