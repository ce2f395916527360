"""Cached queries over perf.intake.entry and perf.access.users for the data pages, keyed on the data version."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from perf.access import users
from perf.intake import entry
from ui import cached
from ui.db import cached_query, reading


@cached_query(8)
def _timeliness(con: duckdb.DuckDBPyConnection, today: date) -> pd.DataFrame:
    return entry.timeliness(con, today)


def timeliness(today: date | None = None) -> pd.DataFrame:
    """Every measure's latest period against its frequency (perf.intake.entry.timeliness)."""
    return _timeliness(today or date.today())


@cached_query(8)
def _overdue(con: duckdb.DuckDBPyConnection, today: date) -> pd.DataFrame:
    return entry.overdue(con, today)


def overdue(today: date | None = None) -> pd.DataFrame:
    """The measures that are overdue or have no data, most overdue first (perf.intake.entry.overdue)."""
    return _overdue(today or date.today())


def user_list() -> pd.DataFrame:
    """Read fresh on every run, not cached: failed sign-ins and locks are quiet writes that leave the
    data version alone (perf.access.users), and an admin must see the lock state as it is now."""
    with reading() as con:
        return users.list_users(con)


def all_purposes() -> pd.DataFrame:
    """Strategic and operational purposes a measure can belong to (the same query the filters use)."""
    return cached.purposes()
