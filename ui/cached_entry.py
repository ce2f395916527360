"""st.cache_data wrappers over perf.entry and perf.users for the data pages, keyed on the data version."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from perf import entry, measures, users
from ui.db import data_version, reading


@st.cache_data(show_spinner=False, max_entries=8)
def _timeliness(version: int, today: date) -> pd.DataFrame:
    with reading() as con:
        return entry.timeliness(con, today)


def timeliness(today: date | None = None) -> pd.DataFrame:
    """Every measure's latest period against its frequency (perf.entry.timeliness)."""
    return _timeliness(data_version(), today or date.today())


@st.cache_data(show_spinner=False, max_entries=8)
def _overdue(version: int, today: date) -> pd.DataFrame:
    with reading() as con:
        return entry.overdue(con, today)


def overdue(today: date | None = None) -> pd.DataFrame:
    """The measures that are overdue or have no data, most overdue first (perf.entry.overdue)."""
    return _overdue(data_version(), today or date.today())


@st.cache_data(show_spinner=False, max_entries=8)
def _users(version: int) -> pd.DataFrame:
    with reading() as con:
        return users.list_users(con)


def user_list() -> pd.DataFrame:
    return _users(data_version())


@st.cache_data(show_spinner=False, max_entries=8)
def _purposes(version: int) -> pd.DataFrame:
    with reading() as con:
        return measures.purposes(con)


def all_purposes() -> pd.DataFrame:
    """Strategic and operational purposes a measure can belong to."""
    return _purposes(data_version())
