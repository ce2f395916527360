"""The app's one DuckDB instance: opened read-write once per process, shared by threads through cursors.

DuckDB keeps several versions of a row (MVCC), so a cursor reading a page's data never waits for a
writer, and a writer never waits for readers; there is no lock in the app around reading at all.
Writes go through the one door, ``perf.store.write_transaction``, whose lock is held only while
the rows change. Another process cannot open the file while the app holds it, so a scheduled
``python -m perf load`` puts its file in the inbox (``perf.intake.inbox``) and a thread here ingests it.
The public view opens its file read-only (a published snapshot, ``perf.output.publish``, that several
replicas share). See docs/data_layer.md.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import duckdb
import streamlit as st

from perf import store
from perf.intake import inbox
from perf.output import publish
from perf.config import db_path, public_mode
from perf.errors import DatabaseUnavailableError

T = TypeVar("T")
P = ParamSpec("P")
LOG = logging.getLogger("outside_in.db")
OPEN_WAIT_SECONDS = 60.0  # at start-up only: a command-line load that holds the file finishes first
INBOX_POLL_SECONDS = 0.5


RETIRE_SECONDS = 120.0  # an instance replaced by a newer file is closed once page runs have let go


class _Instance:
    """The open database: which file (path and inode, so a rebuilt file is noticed) and its connection."""

    def __init__(self, key: tuple[str, int], con: duckdb.DuckDBPyConnection, writable: bool) -> None:
        self.key, self.con, self.writable = key, con, writable
        self.retired_at = 0.0
        self.configured = str(db_path())  # OUTSIDE_IN_DB as set: a snapshot link or a file, before resolving


_OPENING = threading.Lock()  # held only while a file is opened, never while it is used
_current: _Instance | None = None
_retired: list[_Instance] = []


def _key(path: Path) -> tuple[str, int]:
    try:
        return str(path), os.stat(path).st_ino
    except FileNotFoundError as exc:
        raise DatabaseUnavailableError(
            f"No database at {path}. Build the sample data with `python -m perf build` (or `make run`), "
            "or set OUTSIDE_IN_DB to your council's database."
        ) from exc


def connection() -> duckdb.DuckDBPyConnection:
    """The process's connection to this run's database (reopened when the file is replaced)."""
    global _current
    key = _key(_path())
    held = _current
    if held is not None and held.key == key:
        return held.con
    with _OPENING:
        held = _current
        if held is not None and held.key == key:
            return held.con
        now = time.monotonic()
        for old in [r for r in _retired if now - r.retired_at > RETIRE_SECONDS]:
            _retired.remove(old)
            old.con.close()
        if held is not None:  # another file, a newer snapshot, or this one rebuilt
            held.retired_at = now
            if Path(held.key[0]) == Path(key[0]):
                held.con.close()  # the same path: DuckDB keeps one instance per path, so it must go now
            else:
                _retired.append(held)  # a page run may still be reading the older snapshot
        _current = None
        con, writable = _open(Path(key[0]))
        _current = _Instance(key, con, writable)
        if writable:
            _start_inbox()
        if held is not None and held.configured == _current.configured:  # a newer snapshot, or the file rebuilt
            warm()  # (not another council's file: a test or a tool pointing the process elsewhere)
        return con


def _open(path: Path) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """Read-write (read-only in the public view); waits while a command-line load finishes with the file."""
    deadline = time.monotonic() + OPEN_WAIT_SECONDS
    pause = 0.05
    while True:
        try:
            if public_mode():
                return store.connect(path, read_only=True), False
            con = store.connect(path, read_only=False)
            return con, True
        except duckdb.ConnectionException as err:
            # this process already has the file open read-only (a test, a report): read through that
            if "different configuration" not in str(err):
                raise
            return store.connect(path, read_only=True), False
        except duckdb.IOException as err:
            if "lock" not in str(err).lower():
                raise DatabaseUnavailableError(store.open_problem(path, err)) from err
            if time.monotonic() + pause > deadline:
                raise DatabaseUnavailableError(
                    f"{path} is held by another program (another copy of the app, or a command still "
                    "loading a file), so the app cannot open it. Stop the other program; run the public view "
                    "on a published snapshot (`python -m perf publish`), not on the council's file."
                ) from err
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


# ----------------------------------------------------------------------------------------------
# The inbox: loads and unlocks from the command line, done by this process while it holds the file

_inbox_started = False


def _start_inbox() -> None:
    global _inbox_started
    if _inbox_started:
        return
    _inbox_started = True
    threading.Thread(target=_inbox_loop, name="outside-in-inbox", daemon=True).start()


def _inbox_loop() -> None:
    while True:
        time.sleep(INBOX_POLL_SECONDS)
        held = _current
        if held is None or not held.writable:
            continue
        try:
            path = Path(held.key[0])
            if inbox.pending(path):
                before = data_version(store.FIGURES)
                done = inbox.drain(held.con, path)
                LOG.info("inbox: %d job(s) done for %s", done, path)
                if data_version(store.FIGURES) != before:  # a load saved new figures: work out what pages will ask
                    warm()
        except Exception:  # noqa: BLE001 - the thread must outlive one bad job; the job's answer says why
            LOG.exception("inbox: a job failed")


# ----------------------------------------------------------------------------------------------
# Warming: what the first visitor after new data would wait for, worked out in the background

_warmers: dict[str, Callable[[], object]] = {}
_WARM_STATE = threading.Lock()  # guards the two flags below only: never held while the warmers run
_warming = False
_warm_again = False


def warm_after_new_data(fn: Callable[[], object]) -> None:
    """Call ``fn`` (cached page work, e.g. the public Demand page's date ranges) in the background whenever new
    figures are saved: a load taken from the inbox, an upload or a save in the app (:func:`writing`) that
    changes the figures' data version, a newer snapshot. ``fn`` fills the caches the first visitor would
    otherwise wait for; registered once by name (app.py registers on every run)."""
    _warmers[f"{fn.__module__}.{fn.__qualname__}"] = fn


def warm() -> None:
    """Run the warmers in a background thread, now; if they are running already, once more when they finish
    (for the newest data). Nothing is held while they run: they read through cursors like any page, and a
    visitor asking for the same value meanwhile waits only for it (st.cache_data computes a key once)."""
    global _warming, _warm_again
    if not _warmers or os.environ.get("OUTSIDE_IN_WARM", "").strip() == "0":  # off: bench/load_test.py --no-warm
        return
    with _WARM_STATE:
        if _warming:
            _warm_again = True
            return
        _warming = True
    threading.Thread(target=_warm_loop, name="outside-in-warm", daemon=True).start()


def _warm_loop() -> None:
    global _warming, _warm_again
    while True:
        started = time.perf_counter()
        for name, fn in list(_warmers.items()):
            try:
                fn()
            except Exception:  # noqa: BLE001 - a page asking for it will compute it again and show any error
                LOG.exception("warm: %s failed", name)
        LOG.info("warm: %d warmer(s) in %.1f s", len(_warmers), time.perf_counter() - started)
        with _WARM_STATE:
            if not _warm_again:
                _warming = False
                return
            _warm_again = False


def warming() -> bool:
    """True while the warmers run (tests and benches wait for them)."""
    with _WARM_STATE:
        return _warming


# ----------------------------------------------------------------------------------------------
# Reading and writing

_run = threading.local()  # each script run has its own thread


def start_run() -> None:
    """Begin a script run (app.py calls this first): which file, and its data version, once for the run.

    A published snapshot's ``current`` link is followed here (``perf.output.publish.resolve``), so a page is
    drawn from one version however often the link moves meanwhile.
    """
    _run.path = publish.resolve(db_path())
    _run.state = _read_state()


def end_run() -> None:
    """End a script run (app.py calls this, however the run ends)."""
    _run.state, _run.path = None, None


def _path() -> Path:
    """The file this run reads: resolved once at its start, else now."""
    path: Path | None = getattr(_run, "path", None)
    return path if path is not None else publish.resolve(db_path())


_State = tuple[str, tuple[int, int], int, int, dict[str, int]]


def data_version(reads: tuple[str, ...] | None = None) -> int:
    """Changes whenever this process commits a write, or the file changes or is replaced.

    ``reads``: the only tables the caller's data comes from; then only a write that may have changed
    one of them (or the file itself) changes the version.
    """
    state: _State | None = getattr(_run, "state", None)
    path, stamp, total, unscoped, tables = state if state is not None else _read_state()
    if reads is None:
        return hash((path, stamp, total))
    return hash((path, stamp, unscoped, tuple(tables.get(t, 0) for t in reads)))


def _read_state() -> _State:
    """The file (path, inode: a rebuild or a newer snapshot) and this process's commits through the
    write door, in all and per table. Only this process can write the file while it holds it
    read-write, and every write goes through the door, so neither the write-ahead log's time nor the
    file's is part of it: a failed sign-in (a quiet write) empties no cache, and nor does DuckDB
    writing a long load's rows to the file as it goes (which emptied every cache on every run for the
    half minute of a 500k-row load: issue #12's load test). A file this process only reads (the
    public view's snapshot) keeps its modification time in the version."""
    path = _path()
    held = _current
    try:
        info = os.stat(path)
        # the app's own file, held (or about to be opened) read-write by this process
        writer = not public_mode() and (held is None or held.writable or held.key[0] != str(path))
        stamp = (info.st_ino, 0 if writer else info.st_mtime_ns)
    except FileNotFoundError:
        stamp = (0, 0)
    total, unscoped, tables = store.commit_counts()
    return str(path), stamp, total, unscoped, tables


@contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the shared connection: its own snapshot of the data, never waiting for a writer."""
    cur = connection().cursor()
    try:
        yield cur
    finally:
        cur.close()


@contextmanager
def writing() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor to write through (``perf.store.write_transaction`` on it is the door); later queries in
    this run see the change."""
    held = connection()
    if _current is not None and not _current.writable:
        raise DatabaseUnavailableError("This view of the data is read-only, so nothing can be saved here.")
    before = data_version(store.FIGURES)
    cur = held.cursor()
    try:
        yield cur
    finally:
        cur.close()
        _run.state = None
        if data_version(store.FIGURES) != before:  # an upload saved new figures (not a note or a sign-in)
            warm()


def cached_query(
    max_entries: int = 64,
    reads: tuple[str, ...] | None = None,
) -> Callable[[Callable[Concatenate[duckdb.DuckDBPyConnection, P], T]], Callable[P, T]]:
    """Cache a query ``fn(con, *args)`` on its arguments and the data version.

    The decorated function is called without ``con``: a rerun with the same arguments runs no
    query, and any write (here or through the inbox) gives a new data version; with ``reads`` (the
    only tables it reads, e.g. ``store.FIGURES``), only a write that may change one of them.
    """

    def wrap(fn: Callable[Concatenate[duckdb.DuckDBPyConnection, P], T]) -> Callable[P, T]:
        def run(version: int, *args: Any, **kwargs: Any) -> T:
            with reading() as con:
                return fn(con, *args, **kwargs)

        return _versioned(fn, run, max_entries, reads)

    return wrap


def cached_result(
    max_entries: int = 64,
    reads: tuple[str, ...] | None = None,
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Cache ``fn(*args)``, work done on cached queries' results, on its arguments and the data version.

    For what a page would otherwise redo on every rerun (hiding small counts for the public view,
    drawing forty small charts): it changes only when its arguments or the data do. ``reads``: the
    tables of every cached query it uses, as for ``cached_query``.
    """

    def wrap(fn: Callable[P, T]) -> Callable[P, T]:
        def run(version: int, *args: Any, **kwargs: Any) -> T:
            return fn(*args, **kwargs)

        return _versioned(fn, run, max_entries, reads)

    return wrap


_COMPUTED: Counter[str] = Counter()  # how often each cached function was worked out: cache misses


def computed(fn: Callable[..., object]) -> int:
    """How many times ``fn`` (a :func:`cached_query` or :func:`cached_result`) was worked out in this process,
    rather than read from its cache: a warmed value is read, so the count does not move."""
    return _COMPUTED[f"{fn.__module__}.{fn.__qualname__}"]


def _versioned(
    fn: Callable[..., T], run: Callable[..., T], max_entries: int, reads: tuple[str, ...] | None
) -> Callable[P, T]:
    # st.cache_data keys a function on its module, qualified name and source: give each wrapped
    # function its own name, or every function wrapped here would share one cache
    unknown = sorted(set(reads or ()) - set(store.TABLES))
    if unknown:
        raise ValueError(f"{fn.__qualname__} reads unknown tables {unknown}")

    def counted(*args: Any, **kwargs: Any) -> T:
        _COMPUTED[f"{fn.__module__}.{fn.__qualname__}"] += 1  # a miss: st.cache_data calls this only then
        return run(*args, **kwargs)

    counted.__module__, counted.__qualname__, counted.__name__ = (
        fn.__module__,
        f"{fn.__qualname__}__cached",
        fn.__name__,
    )
    cached = st.cache_data(show_spinner=False, max_entries=max_entries)(counted)

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        return cached(data_version(reads), *args, **kwargs)

    return call
