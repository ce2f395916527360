"""Seed data the database is built from: the ILLUSTRATIVE generator (``sample``) and the REAL published
files (``realdata``); :func:`build` makes a database of them.

``build`` lives here, not in the store, because a new database starts with the signals its data
already shows (``perf.signals``): the store is the ground every room stands on and imports none.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import duckdb

from perf.config import SEED_DIR, db_path
from perf.errors import DatabaseUnavailableError
from perf.signals import signal_items
from perf.store import TABLES, create_schema


def seed_file(table: str, seed_dir: Path = SEED_DIR) -> Path | None:
    """The shipped seed file for a table (Parquet preferred, then CSV, then gzipped CSV), if there is one."""
    for suffix in (".parquet", ".csv", ".csv.gz"):
        candidate = seed_dir / f"{table}{suffix}"
        if candidate.exists():
            return candidate
    return None


def load_seed_table(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    """Insert a seed file into its table by column name; returns the rows loaded."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv_auto"  # .csv and .csv.gz alike
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    source_cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}(?)", [str(path)]).fetchall()]
    shared = [c for c in columns if c in source_cols]
    col_list = ", ".join(f'"{c}"' for c in shared)
    # table and column names come from the schema whitelist above, never from the file's user
    con.execute(f"INSERT INTO {table} ({col_list}) SELECT {col_list} FROM {reader}(?)", [str(path)])
    count = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count[0]) if count else 0


def build(target: str | Path | None = None, seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Build a database from the seed files, atomically replacing any file at ``target``.

    The new file is built beside the old one and checkpointed, so it has no write-ahead log; the
    old file's log goes before the new file takes its name, so no log is ever left beside a file
    it does not belong to. Refused while another process (the running app) holds the old file.
    Returns the row count of every table, so the caller can report what was built.
    """
    final = Path(target) if target is not None else db_path()
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(final.name + ".tmp")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(tmp))
    try:
        create_schema(con)
        con.execute("BEGIN")
        for table in TABLES:
            counts[table] = 0
            # the illustrative seed files, then the real ones (data/seed/real: perf.seed.realdata writes them)
            for folder in (seed_dir, seed_dir / "real"):
                path = seed_file(table, folder)
                if path:
                    counts[table] = load_seed_table(con, table, path)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('built_at', ?), ('seed_dir', ?)",
            [time.strftime("%Y-%m-%dT%H:%M:%S"), str(seed_dir)],
        )
        # the signals the seed data already shows are the baseline: later loads report what is new
        baseline = signal_items.find(con, user="build", now=datetime.now().replace(microsecond=0), notified=True)
        counts["signal_item"] = len(baseline.new)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    Path(str(tmp) + ".wal").unlink(missing_ok=True)  # empty after the checkpoint
    _let_go_of(final)
    Path(str(final) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, final)
    return counts


def _let_go_of(final: Path) -> None:
    """Make sure no process holds the old file, so nobody writes its log after it is replaced."""
    if not final.exists():
        return
    try:
        duckdb.connect(str(final)).close()  # replays and checkpoints a good log; fails if held
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            raise DatabaseUnavailableError(
                f"{final} is open in another program (the running app, or a load), so it was not replaced. "
                "Stop the app, then build again."
            ) from err
        # a log that does not match, or a damaged file: it is being replaced anyway
    except duckdb.Error:
        pass
