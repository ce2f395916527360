"""Short-lived DuckDB connections behind a process-wide readers–writer lock.

DuckDB locks the file per process: a read-only and a read-write connection cannot be open in
one process at once, and another process (``python -m perf load`` run by a scheduler) cannot
write while the app holds the file. So the app opens a connection per cached query and closes
it straight after; st.cache_data keyed on the file's modification time means most page runs
open none at all, and a load from any process invalidates every cached query.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from perf import publish, store
from perf.config import db_path

T = TypeVar("T")


class _ReadersWriterLock:
    """Many readers or one writer; a waiting writer is not starved by new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    def acquire_read(self) -> None:
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1

    def release_read(self) -> None:
        with self._cond:
            self._readers -= 1
            self._cond.notify_all()

    @contextmanager
    def read(self) -> Iterator[None]:
        self.acquire_read()
        try:
            yield
        finally:
            self.release_read()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


_LOCK = _ReadersWriterLock()


_run = threading.local()  # each script run has its own thread


def start_run() -> None:
    """Begin a script run (app.py calls this first): read the data version once for the run.

    A page asks for the version with every cached query, dozens of times a run; each read stats
    the file. A write in this run (``writing()``) forgets it, so later queries see the new data.
    The run's queries that miss the cache share one read-only connection, opened when first
    needed (a DuckDB connection takes ~20 ms to open) and closed by ``end_run()``.
    """
    end_run()
    _run.active = True
    _run.path = publish.resolve(db_path())  # a published snapshot's current version, fixed for this run
    _run.version = _read_version()


def end_run() -> None:
    """End a script run (app.py calls this, however the run ends): close its connection, if it opened one."""
    con: duckdb.DuckDBPyConnection | None = getattr(_run, "con", None)
    _run.active, _run.version, _run.con, _run.path = False, None, None, None
    if con is not None:
        try:
            con.close()
        finally:
            _LOCK.release_read()


def data_version() -> int:
    """Changes whenever the database file (or its write-ahead log) changes, or another file is named."""
    version: int | None = getattr(_run, "version", None)
    return _read_version() if version is None else version


def _path() -> Path:
    """The file this run reads: resolved once at its start (``perf.publish.resolve``), else now."""
    path: Path | None = getattr(_run, "path", None)
    return path if path is not None else publish.resolve(db_path())


def _read_version() -> int:
    """The path is part of the key: two copies of a database (two snapshots) can share a modification time."""
    path = _path()
    stamps = [os.stat(p).st_mtime_ns for p in (path, Path(str(path) + ".wal")) if p.exists()]
    return hash((str(path.resolve()), max(stamps) if stamps else 0))


def _open(read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting briefly while another process (a scheduled load) holds it."""
    return store.connect_waiting(_path(), read_only=read_only, seconds=10.0)


@contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection: the script run's own (see ``start_run``), or one for this query alone."""
    if getattr(_run, "active", False):
        if getattr(_run, "con", None) is None:
            _LOCK.acquire_read()
            try:
                _run.con = _open(read_only=True)
            except BaseException:
                _LOCK.release_read()
                raise
        yield _run.con
        return
    with _LOCK.read():
        con = _open(read_only=True)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def writing() -> Iterator[duckdb.DuckDBPyConnection]:
    """The one read-write connection, while no reader in this process holds the file."""
    active = getattr(_run, "active", False)
    end_run()  # this run's own read connection would keep the writer waiting on itself
    _run.active = active
    with _LOCK.write():
        con = _open(read_only=False)
        try:
            yield con
        finally:
            con.close()
            _run.version = None


def cached_query(max_entries: int = 64) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache a query ``fn(con, *args)`` on its arguments and the data version.

    The decorated function is called without ``con``: a rerun with the same arguments opens no
    connection, and a load from any process (a new data version) refreshes every cached query.
    """
    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        def run(version: int, *args: Any, **kwargs: Any) -> T:
            with reading() as con:
                return fn(con, *args, **kwargs)

        return _versioned(fn, run, max_entries)

    return wrap


def cached_result(max_entries: int = 64) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache ``fn(*args)``, work done on cached queries' results, on its arguments and the data version.

    For what a page would otherwise redo on every rerun (hiding small counts for the public view,
    drawing forty small charts): it changes only when its arguments or the data do.
    """
    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        def run(version: int, *args: Any, **kwargs: Any) -> T:
            return fn(*args, **kwargs)

        return _versioned(fn, run, max_entries)

    return wrap


def _versioned(fn: Callable[..., T], run: Callable[..., T], max_entries: int) -> Callable[..., T]:
    # st.cache_data keys a function on its module, qualified name and source: give each wrapped
    # function its own name, or every function wrapped here would share one cache
    run.__module__, run.__qualname__, run.__name__ = fn.__module__, f"{fn.__qualname__}__cached", fn.__name__
    cached = st.cache_data(show_spinner=False, max_entries=max_entries)(run)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> T:
        return cached(data_version(), *args, **kwargs)

    return call
