"""The one door to DuckDB: connecting, building from seed files, and running named SQL.

Every query lives as a file in ``perf/sql/`` and is run with bound parameters; user text is never
formatted into SQL. Table names cannot be bound, so the few places that need one take them from
``TABLES`` (a whitelist read from the schema).

SQL that several queries share (the place tree, the working-day calendar, the cases in scope) lives
once, in a fragment file whose name starts with ``_``: one or more CTEs with no comma after the
last, or a condition. A query pulls it in with ``/* include: _fragment */`` where it belongs (with
its own comma after, if more CTEs follow); :func:`sql_text` puts the fragment's text there, less
the comment lines that open it (fragments may include others). Still plain SQL with bound
parameters: nothing is formatted in at run time, and the text is read once per process.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from perf.config import db_path
from perf.errors import CONFLICT_MESSAGE, WriteConflictError

SQL_DIR = Path(__file__).resolve().parent / "sql"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FRAGMENT = re.compile(r"^_[a-z][a-z0-9_]*$")
_INCLUDE = re.compile(r"/\* include: (\S+) \*/")
_HEADER = re.compile(r"\A(?:[ \t]*--[^\n]*\n)+")


@cache
def sql_text(name: str) -> str:
    """The text of ``perf/sql/<name>.sql`` with its includes expanded; names are checked so no path
    can be smuggled in (and a fragment, ``_name``, is not a query of its own)."""
    if not _NAME.match(name):
        raise ValueError(f"query name must be lower-case letters, digits and underscores, got {name!r}")
    return _expand(_read(name, "query"), (name,))


def _read(name: str, what: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise ValueError(f"no {what} named {name!r} in {SQL_DIR}")
    return path.read_text(encoding="utf-8")


def _expand(text: str, chain: tuple[str, ...]) -> str:
    """Replace each ``/* include: _fragment */`` with that fragment's text, itself expanded."""

    def splice(match: re.Match[str]) -> str:
        fragment = match.group(1)
        if not _FRAGMENT.match(fragment):
            raise ValueError(
                f"{chain[-1]}.sql includes {fragment!r}: a fragment's name is '_' then "
                "lower-case letters, digits and underscores"
            )
        if fragment in chain:
            raise ValueError(f"fragment {fragment!r} includes itself: {' -> '.join((*chain, fragment))}")
        text = _HEADER.sub("", _read(fragment, "fragment"))  # the fragment's own notes stay in its file
        return _expand(text, (*chain, fragment)).rstrip("\n")

    return _INCLUDE.sub(splice, text)


def _schema_tables() -> tuple[str, ...]:
    return tuple(re.findall(r"CREATE TABLE (\w+)", sql_text("schema")))


TABLES: tuple[str, ...] = _schema_tables()


LOG = logging.getLogger("outside_in.store")
_WAL_MISMATCH = "WAL does not match"


def connect(path: str | Path | None = None, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the council's database (OUTSIDE_IN_DB by default).

    A write-ahead log that belongs to another file (a crash, then the file replaced) is set aside
    beside it, named ``.wal.unmatched-<time>``, and the file opened without it: the log cannot be
    applied to this file anyway. Read-only in a process that already has the file open read-write
    (the app) reads through that instance: DuckDB keeps one per file and process.
    """
    target = Path(path) if path is not None else db_path()
    if read_only and not target.exists():
        raise FileNotFoundError(
            f"No database at {target}. Build the sample one with `python -m perf build` or `make run`."
        )
    try:
        return _connect(target, read_only)
    except duckdb.IOException as err:
        if _WAL_MISMATCH not in str(err):
            raise
    aside = target.with_name(f"{target.name}.wal.unmatched-{time.strftime('%Y%m%dT%H%M%S')}")
    os.replace(Path(str(target) + ".wal"), aside)
    LOG.warning(
        "%s had a write-ahead log from another file (a crash before a rebuild?); it was moved to %s "
        "and the database opened without it",
        target,
        aside,
    )
    return _connect(target, read_only)


def _connect(target: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(target), read_only=read_only)
    except duckdb.ConnectionException as err:
        if not read_only or "different configuration" not in str(err):
            raise
        return duckdb.connect(str(target), read_only=False)


def open_problem(path: Path, err: Exception) -> str:
    """What to tell someone when the database file cannot be opened for a reason other than a lock."""
    return (
        f"The database {path} cannot be opened ({err}). If it was damaged, rebuild the sample with "
        "`python -m perf build`, or restore the council's copy from its backup."
    )


def connect_waiting(
    path: str | Path | None = None, *, read_only: bool = True, seconds: float = 10.0
) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting while another process briefly holds its lock.

    DuckDB locks the file per process; the app holds it only while a query runs, so a
    scheduled load (or the app, during a load) gets in after a short wait rather than failing.
    """
    deadline = time.monotonic() + seconds
    pause = 0.05
    while True:
        try:
            return connect(path, read_only=read_only)
        except duckdb.IOException as err:
            if "lock" not in str(err).lower() or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def run(cur: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run a named query on this cursor (inside its transaction), unlike :func:`query`'s fresh cursor."""
    result = cur.execute(sql_text(name), dict(params or {}))
    try:
        return result.df()
    except duckdb.Error:
        return pd.DataFrame()  # statements that return nothing


def query(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run the named query with ``$name`` parameters and return a DataFrame.

    A cursor per call keeps this safe when one connection is shared by Streamlit's threads.
    """
    cur = con.cursor()
    try:
        return cur.execute(sql_text(name), dict(params or {})).df()
    finally:
        cur.close()


def scalar(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> Any:
    """The first column of the first row of a named query, or None."""
    cur = con.cursor()
    try:
        row = cur.execute(sql_text(name), dict(params or {})).fetchone()
    finally:
        cur.close()
    return None if row is None else row[0]


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the database has ``table``: one built before the table was added lacks it until
    ``ensure_schema`` (a load, or a rebuild) makes it."""
    return bool(scalar(con, "table_exists", {"name": table}))


# ----------------------------------------------------------------------------------------------
# The one door for writes: every insert, update and delete in the app and the command line goes
# through write_transaction. DuckDB (one read-write instance per process, shared by threads through
# cursors) lets readers carry on beside a writer; two writers to the same rows would make one fail,
# and the case tables have no key to catch a duplicate insert, so writers in this process take
# turns, in two lanes: uploads and loads ("bulk", seconds each) queue behind one another, while a
# form's small write (commentary, a value, a failed sign-in) never waits behind a 500k-row load.
# Nothing slow (password hashing, reading or checking a file, drawing) is done inside the door.

_EDIT_LANE = threading.RLock()
_BULK_LANE = threading.RLock()
_COUNT_LOCK = threading.Lock()
_commits = 0
_unscoped = 0  # commits that did not say which tables they changed: every cached read is out of date
_table_commits: dict[str, int] = {}  # commits that said so, per table changed

# Tables no figure is drawn from: what officers write about the figures, who may sign in, what was
# sent and changed. A page's figures are cached on the other tables only (ui.db.cached_query's
# ``reads``), so an officer saving commentary every second does not make every chart be worked out
# again (issue #12's load test); tests/test_data_versions.py draws those pages without these tables.
NOTES: tuple[str, ...] = ("commentary", "review", "change_log", "signal_answer", "signal_note", "alert_log", "app_user")
FIGURES: tuple[str, ...] = tuple(t for t in TABLES if t not in NOTES)


def commits() -> int:
    """How many write transactions this process has committed: part of the app's data version."""
    return _commits


def commit_counts() -> tuple[int, int, dict[str, int]]:
    """All commits, those that did not say which tables they changed, and per table for those that did."""
    with _COUNT_LOCK:
        return _commits, _unscoped, dict(_table_commits)


@contextmanager
def write_transaction(
    con: duckdb.DuckDBPyConnection,
    *,
    bulk: bool = False,
    quiet: bool = False,
    changes: Collection[str] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor in one transaction: committed whole, or rolled back whole on any error.

    ``quiet`` for a write no page shows (a failed sign-in counted): it does not change the data
    version, so it does not empty every page's cache. ``changes``: the only tables the write changes,
    so caches of other tables are kept (None: it may change any).

    Writes in the same lane wait their turn; a clash with a writer in the other lane (the same
    measurement row corrected by an upload and a form at once) becomes WriteConflictError.
    """
    global _commits, _unscoped
    unknown = sorted(set(changes or ()) - set(TABLES))
    if unknown:
        raise ValueError(f"unknown tables {unknown}")
    with _BULK_LANE if bulk else _EDIT_LANE:
        cur = con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute("COMMIT")
            except duckdb.TransactionException as exc:
                _rollback(cur)
                raise WriteConflictError(CONFLICT_MESSAGE) from exc
            except BaseException:
                _rollback(cur)
                raise
        finally:
            cur.close()
    if not quiet:
        with _COUNT_LOCK:
            _commits += 1
            if changes is None:
                _unscoped += 1
            for table in changes or ():
                _table_commits[table] = _table_commits.get(table, 0) + 1


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass  # a failed COMMIT has already ended the transaction


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of the data model in an empty database."""
    con.execute(sql_text("schema"))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the tables and sequences of the data model that an older database lacks (one built
    before they were added); returns their names. Nothing that exists is touched."""
    tables = {str(r[0]) for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    sequences = {str(r[0]) for r in con.execute("SELECT sequence_name FROM duckdb_sequences()").fetchall()}
    text = "\n".join(line.split("--")[0] for line in sql_text("schema").splitlines())
    made = []
    for statement in text.split(";"):
        found = re.search(r"CREATE (TABLE|SEQUENCE) (\w+)", statement)
        if found and found.group(2) not in (tables if found.group(1) == "TABLE" else sequences):
            con.execute(statement)
            made.append(found.group(2))
    return made


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in every table of the data model."""
    out: dict[str, int] = {}
    for table in TABLES:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # whitelisted name
        out[table] = int(row[0]) if row else 0
    return out
