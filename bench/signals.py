"""Benchmark the signal finder (perf.signals.signal_items) on the sample database.

Prints the time to look at every series of every measure (the whole area and each ward, a full
look as ``python -m perf build`` does), and the time a typical load adds: one month's values for
one ward-recorded measure, found and saved inside the load's transaction. Each figure is the
median of several runs on a copy of the database, rolled back after each run.

    .venv/bin/python bench/signals.py [--db data/outside_in.duckdb] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from perf.intake import check, read, save  # noqa: E402
from perf.signals import signal_items  # noqa: E402
from perf.config import db_path  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(db_path()))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.duckdb"
        shutil.copyfile(args.db, copy)
        con = duckdb.connect(str(copy))
        now = datetime.now()
        full, cpu, series, points = [], [], 0, 0
        for _ in range(args.runs):
            cur = con.cursor()
            cur.execute("BEGIN")
            started, used = time.perf_counter(), time.process_time()
            found = signal_items.find(cur, user="bench", now=now)
            full.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            series, points = found.series, found.points
            cur.execute("ROLLBACK")
        latest = con.execute(
            "SELECT max(period_start) FROM measurement WHERE measure_id = 'flytipping-reports'"
        ).fetchone()
        month = latest[0] if latest else None
        rows = con.execute(
            "SELECT measure_id, period_start, locality_id, value * 1.5 AS value FROM measurement "
            "WHERE measure_id = 'flytipping-reports' AND period_start = ?",
            [month],
        ).df()
        csv = rows.to_csv(index=False).encode()
        one_load = []
        for _ in range(args.runs):
            cur = con.cursor()
            cur.execute("BEGIN")
            result = check.validate_frame(cur, read.read_upload(csv, "bench.csv").frame, "bench.csv", now=now)
            started = time.perf_counter()
            done = save.save_rows(cur, "measure_values", result.frame, filename="bench.csv", user="bench", now=now)
            one_load.append(time.perf_counter() - started)
            cur.execute("ROLLBACK")
        con.close()
    print(
        f"Every measure: {series} series, {points:,} points looked at in {statistics.median(full) * 1000:.0f} ms "
        f"wall, {statistics.median(cpu) * 1000:.0f} ms CPU (median of {args.runs}; goal < 1000 ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"A load of {len(rows)} ward values (one month of fly-tipping reports, corrected up by half): "
        f"{statistics.median(one_load) * 1000:.0f} ms to save and find signals; "
        f"{len(done.signals.new)} new, {len(done.signals.extended)} moved, {len(done.signals.closed)} closed"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
