"""Work handed to whichever process holds the database: loads and unlocks from the command line.

DuckDB lets one process open a file read-write, and the running app keeps it open (readers beside
a writer, through cursors). So ``python -m perf load`` does not fight the app for the file: it puts
the file in ``<database>.inbox/`` and waits for the answer. The app ingests the inbox from a thread
of its own; with no app running, the command itself takes the file and works through the inbox.
Jobs are done one at a time in the order they arrived, so a second load queues behind the first.

A load is checked by the command, in its own process, against a copy of the reference tables the
holder makes (a ``reference`` job: measures, places, services; milliseconds of DuckDB work), and
handed over as a checked Parquet file with a fingerprint of those tables. The holder (the running
app) then only saves it, which is DuckDB work that leaves its pages running; it checks the file
itself only if the reference tables changed in between.

Every step is a rename, so a crash leaves a job either waiting, claimed (done again on the next
start: loads are idempotent upserts, all or nothing) or answered, never half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from perf.errors import InputError, ReferenceChangedError, WriteConflictError

if TYPE_CHECKING:
    from perf.intake.save import LoadResult

JOB = "job.json"
ANSWER = "answer.json"
WORKING = ".working"  # suffix of a job a process has claimed
STALE_SECONDS = 24 * 3600  # answers nobody collected are cleared after a day


@dataclass(frozen=True)
class Answer:
    """What the command would have printed had it held the database itself."""

    code: int
    stdout: str
    stderr: str


def folder(db: Path) -> Path:
    """The inbox beside the database file."""
    return db.with_name(db.name + ".inbox")


def submit(db: Path, job: dict[str, Any], file: Path | None = None, extra: tuple[Path, ...] = ()) -> Path:
    """Put a job (and a copy of its file, and of any ``extra`` files) in the inbox; it appears whole or
    not at all."""
    box = folder(db)
    box.mkdir(exist_ok=True)
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
    tmp = box / f".tmp-{name}"
    tmp.mkdir()
    if file is not None:
        shutil.copyfile(file, tmp / file.name)
        job = {**job, "file": file.name}
    for other in extra:
        shutil.copyfile(other, tmp / other.name)
    (tmp / JOB).write_text(json.dumps(job), encoding="utf-8")
    os.rename(tmp, box / name)
    return box / name


def waiting(db: Path) -> list[Path]:
    """Jobs not yet claimed, oldest first."""
    box = folder(db)
    if not box.is_dir():
        return []
    return sorted(
        p
        for p in box.iterdir()
        if p.is_dir() and not p.name.startswith(".") and not p.name.endswith(WORKING) and not (p / ANSWER).exists()
    )


def pending(db: Path) -> bool:
    """Is there work: a job waiting, or one claimed by a process that died before answering it?"""
    box = folder(db)
    if not box.is_dir():
        return False
    return any(p.is_dir() and not p.name.startswith(".") and not (p / ANSWER).exists() for p in box.iterdir())


def answer(job: Path) -> Answer | None:
    """The job's answer, once a process has done it."""
    for place in (job, job.with_name(job.name + WORKING)):
        path = place / ANSWER
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            return Answer(int(data["code"]), str(data["stdout"]), str(data["stderr"]))
    return None


def withdraw(job: Path) -> bool:
    """Take back a job nobody has claimed (the command gave up waiting); False if it is under way."""
    try:
        os.rename(job, job.with_name("." + job.name + ".withdrawn"))
    except OSError:
        return False
    shutil.rmtree(job.with_name("." + job.name + ".withdrawn"), ignore_errors=True)
    return True


def collect(job: Path) -> None:
    """Remove an answered job once its command has read the answer."""
    for place in (job, job.with_name(job.name + WORKING)):
        shutil.rmtree(place, ignore_errors=True)


def drain(con: duckdb.DuckDBPyConnection, db: Path) -> int:
    """Do every waiting job in order on this (read-write) connection; how many were done.

    A job left claimed by a process that died is claimed again and redone.
    """
    box = folder(db)
    if not box.is_dir():
        return 0
    done = 0
    for orphan in sorted(box.glob(f"*{WORKING}")):
        if not (orphan / ANSWER).exists():
            os.rename(orphan, orphan.with_name(orphan.name[: -len(WORKING)]))
    _clear_stale(box)
    for job in waiting(db):
        claimed = job.with_name(job.name + WORKING)
        try:
            os.rename(job, claimed)
        except OSError:
            continue  # withdrawn a moment ago
        result = _do(con, claimed)
        tmp = claimed / (ANSWER + ".tmp")
        tmp.write_text(
            json.dumps({"code": result.code, "stdout": result.stdout, "stderr": result.stderr}), encoding="utf-8"
        )
        os.replace(tmp, claimed / ANSWER)
        done += 1
    return done


def _clear_stale(box: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for place in box.iterdir():
        try:
            if place.stat().st_mtime < cutoff:
                shutil.rmtree(place, ignore_errors=True)
        except OSError:
            pass


def _do(con: duckdb.DuckDBPyConnection, job: Path) -> Answer:
    spec = json.loads((job / JOB).read_text(encoding="utf-8"))
    kind = spec.get("kind")
    handler: Callable[[duckdb.DuckDBPyConnection, Path, dict[str, Any]], Answer] | None = {
        "load": _load,
        "unlock": _unlock,
        "copy": _copy,
        "meta": _meta,
        "alerts": _alerts,
        "reference": _reference,
    }.get(str(kind))
    if handler is None:
        return Answer(2, "", f"Unknown job {kind!r}. Nothing was saved.\n")
    try:
        return handler(con, job, spec)
    except WriteConflictError as err:
        return Answer(1, "", f"{err}\n")


def _load(con: duckdb.DuckDBPyConnection, job: Path, spec: dict[str, Any]) -> Answer:
    from perf.intake import check, save

    name = str(spec["file"])
    checked = spec.get("checked")
    if checked:  # checked by the command: saved as it is unless the reference tables changed meanwhile
        import pandas as pd

        notes = tuple(str(n) for n in checked["notes"])
        result = check.ValidationResult(
            name,
            checked["kind"],
            pd.read_parquet(job / str(checked["frame"])),
            (),
            str(checked["summary"]),
            notes=notes,
        )
        try:
            return _saved(
                con,
                save.apply_upload(con, result, user=str(spec["user"]), checked_against=str(checked["reference"])),
                "".join(f"Note: {note}\n" for note in notes),
            )
        except ReferenceChangedError:
            pass  # measures, places or services changed since the check: check the file again, here
    data = (job / name).read_bytes()
    # checked outside the write door: readers and other writers carry on meanwhile
    result = check.validate_upload(con, data, name, sheet=spec.get("sheet"))
    err = "".join(f"Note: {note}\n" for note in result.notes)
    if not result.ok:
        err += "".join(f"{p.message()}\n" for p in result.problems) + f"{result.summary}\n"
        return Answer(1, "", err)
    return _saved(con, save.apply_upload(con, result, user=str(spec["user"])), err)


def _saved(con: duckdb.DuckDBPyConnection, done: LoadResult, err: str) -> Answer:
    """A saved load's answer; the owners of any new signal are told now, after the load's transaction."""
    out = f"{done.summary}\n"
    if done.signals.new:  # the owners are told now, after the load's transaction
        told = _tell(con)
        if told.code:
            err += told.stderr
        else:
            out += told.stdout
    return Answer(0, out, err)


def _tell(con: duckdb.DuckDBPyConnection) -> Answer:
    """Send the pending signal digests (perf.signals.alerts); a mail failure is reported, never a failed load."""
    from perf.signals import alerts

    try:
        config = alerts.settings()
    except ValueError as err:
        return Answer(2, "", f"Signal digests not sent: {err}\n")
    delivery = alerts.deliver(con.cursor, con.cursor, config)
    bad = bool(delivery.failures or not delivery.configured)
    return Answer(1 if bad else 0, "" if bad else f"{delivery.summary}\n", f"{delivery.summary}\n" if bad else "")


def _reference(con: duckdb.DuckDBPyConnection, job: Path, spec: dict[str, Any]) -> Answer:
    """Copy the tables a load is checked against into a new file, in one snapshot; the answer is their
    fingerprint (``check.reference_fingerprint``), for the command to check its file against."""
    from perf.intake import check

    out = Path(str(spec["out"]))
    cur = con.cursor()
    try:
        # ATTACH takes no parameters; the path's quotes are doubled
        cur.execute(f"ATTACH '{str(out).replace(chr(39), chr(39) * 2)}' AS outside_in_reference")
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                for table in check.REFERENCE_TABLES:  # names from a fixed list, not from the job
                    cur.execute(f"CREATE TABLE outside_in_reference.{table} AS SELECT * FROM {table}")
                fingerprint = check.reference_fingerprint(cur)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        finally:
            cur.execute("DETACH outside_in_reference")
    finally:
        cur.close()
    return Answer(0, fingerprint, "")


def _alerts(con: duckdb.DuckDBPyConnection, job: Path, spec: dict[str, Any]) -> Answer:
    return _tell(con)


def _unlock(con: duckdb.DuckDBPyConnection, job: Path, spec: dict[str, Any]) -> Answer:
    from perf.access import users

    try:
        users.unlock(con, str(spec["username"]), changed_by=str(spec["user"]))
    except InputError as err:
        return Answer(1, "", "".join(f"{p.message()}\n" for p in err.problems) + "Nothing was changed.\n")
    name = users.normalise_username(str(spec["username"]))
    return Answer(0, f"Unlocked '{name}': they can sign in again now.\n", "")


def _copy(con: duckdb.DuckDBPyConnection, job: Path, spec: dict[str, Any]) -> Answer:
    """A consistent copy of the whole database (one snapshot) for a report, export or publish to read."""
    out = Path(str(spec["out"]))
    cur = con.cursor()
    try:
        catalog = cur.execute("SELECT current_database()").fetchall()[0][0]
        # ATTACH and COPY FROM DATABASE take no parameters; the path's quotes are doubled, the name quoted
        cur.execute(f"ATTACH '{str(out).replace(chr(39), chr(39) * 2)}' AS outside_in_copy")
        try:
            cur.execute(f'COPY FROM DATABASE "{catalog}" TO outside_in_copy')
        finally:
            cur.execute("DETACH outside_in_copy")
    finally:
        cur.close()
    return Answer(0, "", "")


def _meta(con: duckdb.DuckDBPyConnection, job: Path, spec: dict[str, Any]) -> Answer:
    """Set one of the database's settings (``meta``: the dataset's name, its attribution)."""
    from perf import store

    with store.write_transaction(con) as cur:
        store.run(cur, "meta_set", {"key": str(spec["key"]), "value": str(spec["value"])})
    return Answer(0, "", "")


def open_if_free(db: Path) -> duckdb.DuckDBPyConnection | None:
    """The database read-write, or None while another process (the app, another load) holds it."""
    try:
        return duckdb.connect(str(db))
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            return None
        raise


def run(db: Path, job: Path, *, wait_seconds: float, on_queued: Callable[[int], None]) -> Answer:
    """Wait for a submitted job's answer, doing the inbox's work ourselves whenever the file is free.

    ``on_queued(n)`` is called once, with the jobs ahead, if another process holds the database.
    """
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        got = answer(job)
        if got is not None:
            collect(job)
            return got
        con = open_if_free(db)
        if con is not None:
            try:
                drain(con, db)
            finally:
                con.close()
            continue
        if not told:
            ahead = sum(1 for j in waiting(db) if j.name < job.name)
            on_queued(ahead)
            told = True
        if time.monotonic() > deadline and withdraw(job):
            return Answer(
                1,
                "",
                f"Gave up after {wait_seconds:.0f} s waiting for the running app to take the "
                "job, so it was withdrawn. Nothing was saved. Is the app stuck? Try again.\n",
            )
        time.sleep(0.2)


@contextmanager
def readable(db: Path) -> Iterator[Path]:
    """A database file to read: ``db`` itself when no other process holds it, else a consistent copy
    the holder (the running app) makes through the inbox, removed afterwards."""
    from perf import store

    try:
        store.connect(db, read_only=True).close()
    except duckdb.IOException as err:
        if "lock" not in str(err).lower():
            raise
    else:
        yield db
        return
    with tempfile.TemporaryDirectory(dir=db.parent, prefix=".copy-") as tmp:
        out = Path(tmp) / db.name
        got = run(db, submit(db, {"kind": "copy", "out": str(out)}), wait_seconds=1800, on_queued=lambda ahead: None)
        if got.code != 0:
            raise FileNotFoundError(got.stderr.strip() or f"the running app could not copy {db}")
        yield out
