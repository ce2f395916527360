"""An upload saved: the whole checked file in one transaction through the write door, or nothing at all.

Loading is an idempotent upsert: the same file twice changes nothing, and a corrected value keeps the
old one in ``change_log``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from perf.errors import InputError, Problem, ReferenceChangedError
from perf.intake import check, load_published, read
from perf.signals import signal_items
from perf.store import run, write_transaction


TABLE: dict[read.Kind, str] = {
    "measure_values": "measurement",
    "demand": "demand",
    "work": "work_case",
    "published": "published_value",
}


@dataclass(frozen=True)
class LoadResult:
    """What a load changed: rows new to the database, corrected, and already there unchanged."""

    filename: str
    kind: read.Kind
    new: int
    corrected: int
    unchanged: int
    signals: signal_items.Found = field(default_factory=signal_items.Found)  # items opened or closed

    @property
    def rows(self) -> int:
        return self.new + self.corrected + self.unchanged

    @property
    def changed(self) -> int:
        return self.new + self.corrected

    @property
    def summary(self) -> str:
        """``Loaded 120 measure values from values.csv: 100 new, 20 corrected, 0 unchanged.``"""
        return (
            f"Loaded {self.rows:,} {check._noun(self.kind, self.rows)} from {self.filename}: "
            f"{self.new:,} new, {self.corrected:,} corrected, {self.unchanged:,} unchanged."
        ) + self.signals.summary


# ----------------------------------------------------------------------------------------------
# Saving


def apply_upload(
    con: duckdb.DuckDBPyConnection,
    result: check.ValidationResult,
    *,
    user: str,
    now: datetime | None = None,
    checked_against: str | None = None,
) -> LoadResult:
    """Save a checked upload in one transaction; the same file twice changes nothing.

    Corrections write the old and new value to change_log with who and when; a load that changed
    anything adds one change_log line naming the file. Raises InputError if the result has
    problems and WriteConflictError if another session wrote the same rows at the same moment.
    ``checked_against``: the ``reference_fingerprint`` the file was checked against in another
    process; if the tables now differ, ReferenceChangedError and nothing is saved.
    """
    if not result.ok or result.kind is None:
        raise InputError(result.problems or [Problem(None, None, None, "Nothing to load.")])
    if not user.strip():
        raise ValueError("user must name who is loading the file")
    now = now or datetime.now()
    # case records change only their table and the log: measure values may open signals, so say nothing
    changes = {"demand": ("demand", "change_log"), "work": ("work_case", "change_log")}.get(result.kind)
    with write_transaction(con, bulk=True, changes=changes) as cur:
        if checked_against is not None and check.reference_fingerprint(cur) != checked_against:
            raise ReferenceChangedError(result.filename)
        done = save_rows(cur, result.kind, result.frame, filename=result.filename, user=user, now=now)
        if done.changed:
            run(
                cur,
                "load_log_upload",
                {
                    "table_name": TABLE[result.kind],
                    "row_key": result.filename,
                    "summary": done.summary,
                    "user": user,
                    "now": now,
                },
            )
    return done


def save_rows(
    cur: duckdb.DuckDBPyConnection,
    kind: read.Kind,
    frame: pd.DataFrame,
    *,
    filename: str,
    user: str,
    now: datetime,
) -> LoadResult:
    """The upsert itself, on a cursor already inside a transaction (see ``write_transaction``)."""
    if kind == "published":
        return LoadResult(filename, kind, *load_published.save(cur, frame, filename=filename, user=user, now=now))
    prefix = {"measure_values": "load_measurement", "demand": "load_demand", "work": "load_work"}[kind]
    incoming = frame.reset_index(drop=True)
    cur.register("incoming", incoming)
    try:
        counts = run(cur, f"{prefix}_counts").iloc[0]
        new, corrected, unchanged = (int(counts["new"]), int(counts["corrected"]), int(counts["unchanged"]))
        if corrected:
            run(cur, f"{prefix}_log", {"user": user, "now": now})
        found = signal_items.Found()
        if kind == "measure_values":
            if new or corrected:
                changed = run(cur, "load_measurement_changed")
                run(cur, "load_measurement_upsert", {"user": user, "now": now})
                # in the same transaction: the values and the signals they show are saved together
                found = signal_items.find(cur, user=user, now=now, changed=changed)
        else:
            if corrected:
                run(cur, f"{prefix}_delete")
            if new or corrected:
                run(cur, f"{prefix}_insert")
    finally:
        try:
            cur.unregister("incoming")
        except duckdb.Error:
            pass  # an aborted transaction refuses even this; the original error is what matters
    return LoadResult(filename, kind, new, corrected, unchanged, found)


def load_upload(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    filename: str,
    *,
    user: str,
    sheet: str | None = None,
    now: datetime | None = None,
) -> tuple[check.ValidationResult, LoadResult | None]:
    """Check then save in one call (the command line's path); nothing is saved when rejected."""
    result = check.validate_upload(con, data, filename, sheet=sheet, now=now)
    if not result.ok:
        return result, None
    return result, apply_upload(con, result, user=user, now=now)
