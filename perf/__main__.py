"""Command line: ``python -m perf build`` (and later load, report) against OUTSIDE_IN_DB."""

from __future__ import annotations

import argparse
import sys
import time

from perf import store
from perf.config import db_path


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    counts = store.build(args.db or None)
    seconds = time.perf_counter() - started
    for table, rows in counts.items():
        print(f"{table:>14}: {rows:,}")
    print(f"Built {args.db or db_path()} in {seconds:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perf", description="Outside-In command line")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the database from the shipped seed files")
    b.add_argument("--db", help="database file (default: OUTSIDE_IN_DB or data/outside_in.duckdb)")
    b.set_defaults(func=_build)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
