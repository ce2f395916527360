"""Saving from a form: as the signed-in user, in one transaction, each refusal under its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import duckdb
import streamlit as st

from perf import errors
from perf.access import users

from ui import auth
from ui.db import writing

T = TypeVar("T")


def show_problems(err: errors.InputError, slots: Mapping[str, Any]) -> None:
    """Each problem under its own field; anything without a field under the form (slot "")."""
    by_field: dict[str, list[str]] = {}
    for p in err.problems:
        column = p.column or ""
        by_field.setdefault(column if column in slots else "", []).append(p.reason)
    for field, reasons in by_field.items():
        slots[field].error("  \n".join(auth.plain(r) for r in reasons), icon=":material/error:")


def save_as(
    action: str, change: Callable[[duckdb.DuckDBPyConnection, users.User], T], slots: Mapping[str, Any] | None = None
) -> T | None:
    """Make ``change`` as the signed-in user, who may ``action`` (checked again at the moment of
    writing); on refused input nothing is saved, each reason is shown and None comes back."""
    who = auth.require(action)
    try:
        with writing() as con:
            return change(con, who)
    except errors.InputError as err:
        show_problems(err, slots or {"": st})
    except errors.WriteConflictError as err:
        st.error(str(err))
    return None


def saved(
    action: str,
    change: Callable[[duckdb.DuckDBPyConnection, users.User], object],
    slots: Mapping[str, Any] | None = None,
) -> bool:
    """:func:`save_as` for a change that returns nothing (a note, an answer, a phase): True once saved."""

    def run(con: duckdb.DuckDBPyConnection, who: users.User) -> bool:
        change(con, who)
        return True

    return save_as(action, run, slots) is True
