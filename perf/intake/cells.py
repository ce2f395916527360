"""A file's cells checked column by column: every problem collected with its row, column, value and reason.

Shared by every kind of upload (:mod:`perf.intake.check` for officers' own files,
:mod:`perf.intake.load_published` for published figures), so it sits below both and imports neither.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

import pandas as pd

from perf.errors import Problem, show

MAX_PLAUSIBLE = 1e12  # no council figure (contacts, days, pounds) comes near a million million
EARLIEST = date(1990, 1, 1)  # older dates are almost always a mistyped year (0024, 1924)
MAX_TEXT = 1000  # characters in one text cell; longer is a pasted document, not a category


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_THOUSANDS = r"[+-]?£?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?"
_INTEGER = r"\d{1,18}"
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_TIME_FORMATS = ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M", " %H:%M:%S.%f", "T%H:%M:%S.%f")
_DATE_HINT = "write dates as YYYY-MM-DD (e.g. 2024-04-01) or DD/MM/YYYY"


def formula_risk(value: str) -> bool:
    """True for text a spreadsheet would run as a formula (OWASP 'CSV Injection').

    A cell starting with '=' is always refused; '+', '-' or '@' only when what follows is not a
    number (so -5 and +3.2 are fine); a leading tab or carriage return hides such a prefix.

    Example
    -------
    >>> [formula_risk(v) for v in ["=1+1", "-5", "@SUM(A1)", "+44 1527", "hello"]]
    [True, False, True, True, False]
    """
    if not value:
        return False
    first = value[0]
    if first in "\t\r":
        return True
    if first == "=":
        return True
    if first in "+-@":
        rest = value[1:].strip()
        return bool(rest) and re.fullmatch(_NUMBER, rest.replace(",", "")) is None
    return False


class Checker:
    """Checks the cells of one file column by column, vectorised; a cell is faulted once at most."""

    def __init__(self, raw: pd.DataFrame, found: Mapping[str, str]) -> None:
        self.headers = dict(found)  # canonical -> header as written
        self.raw = pd.DataFrame({name: raw[header] for name, header in found.items()}, index=raw.index)
        self.text = self.raw.apply(lambda s: s.str.strip())
        self.bad = pd.DataFrame(False, index=raw.index, columns=self.raw.columns)
        self.problems: list[Problem] = []

    def has(self, column: str) -> bool:
        return column in self.text.columns

    def col(self, column: str) -> pd.Series:
        if self.has(column):
            return pd.Series(self.text[column])
        return pd.Series("", index=self.text.index, dtype=str)

    def unfaulted(self, column: str) -> pd.Series:
        """Rows where this column's cell has no problem (all rows for a column the file lacks)."""
        if not self.has(column):
            return pd.Series(True, index=self.text.index)
        return pd.Series(~self.bad[column])

    def good(self, column: str) -> pd.Series:
        """Rows where the cell is filled in and not yet faulted."""
        if not self.has(column):
            return pd.Series(False, index=self.text.index)
        return pd.Series((self.text[column] != "") & ~self.bad[column])

    def flag(
        self,
        column: str,
        mask: pd.Series,
        reason: str | Callable[[str], str] | pd.Series,
        *,
        as_typed: bool = False,
    ) -> None:
        """Fault the masked cells of a column; a callable reason gets the cell stripped of spaces
        unless ``as_typed`` (a leading tab is the point of a formula-injection message)."""
        if not self.has(column):
            return
        mask = mask.fillna(False).astype(bool) & ~self.bad[column]
        if not mask.any():
            return
        self.bad.loc[mask, column] = True
        values = self.raw.loc[mask, column]
        header = self.headers[column]
        for row, value in zip(values.index.tolist(), values.tolist(), strict=True):
            if isinstance(reason, str):
                text = reason
            elif isinstance(reason, pd.Series):
                text = str(reason.at[row])
            else:
                text = reason(value if as_typed else value.strip())
            self.problems.append(Problem(int(row), header, value, text))

    def formulas(self) -> None:
        for column in self.raw.columns:
            suspect = self.raw[column].str.match(r"[=+\-@\t\r]")  # cheap filter before the full rule
            risky = pd.Series(False, index=self.raw.index)
            risky.loc[suspect] = self.raw[column][suspect].map(formula_risk).astype(bool)
            self.flag(
                column,
                risky,
                lambda v: (
                    f"{show(v)} looks like a spreadsheet formula, which could run when the data is opened in "
                    "Excel; type the value itself."
                ),
                as_typed=True,
            )

    def required(self, column: str, label: str, hint: str = "") -> None:
        extra = f" {hint}" if hint else ""
        self.flag(column, self.col(column) == "", f"this cell is blank, but every row needs a {label}.{extra}")

    def long_text(self) -> None:
        for column in self.raw.columns:
            long = self.text[column].str.len() > MAX_TEXT
            self.flag(column, long, lambda v: f"this cell has {len(v):,} characters; the limit is {MAX_TEXT:,}.")

    def numbers(self, column: str) -> pd.Series:
        """Parsed floats (NaN where blank or faulted); '1,234', '£5' and '85%' are read as shown."""
        s = self.col(column)
        cleaned = s.where(~s.str.fullmatch(_THOUSANDS), s.str.replace(",", "", regex=False))
        cleaned = cleaned.str.replace(r"^([+-]?)£", r"\1", regex=True).str.replace(r"%$", "", regex=True)
        ok = cleaned.str.fullmatch(_NUMBER)
        self.flag(column, self.good(column) & ~ok, lambda v: f"{show(v)} is not a number.")
        parsed = pd.to_numeric(cleaned.where(ok & self.good(column)), errors="coerce").astype("Float64")
        huge = parsed.abs() > MAX_PLAUSIBLE
        self.flag(
            column, huge, lambda v: f"{show(v)} is implausibly large (more than 1,000,000,000,000); check the number."
        )
        return parsed.where(self.good(column))

    def integers(self, column: str, label: str) -> pd.Series:
        s = self.col(column)
        cleaned = s.str.replace(r"\.0+$", "", regex=True)  # 10452.0 from a spreadsheet is 10452
        ok = cleaned.str.fullmatch(_INTEGER)
        self.flag(
            column,
            self.good(column) & ~ok,
            lambda v: f"{show(v)} is not a whole number; a {label} is a number such as 10452.",
        )
        return pd.to_numeric(cleaned.where(self.good(column)), errors="coerce").astype("Int64")

    def timestamps(self, column: str, *, date_only: bool, now: datetime) -> pd.Series:
        """Parsed datetimes (NaT where blank or faulted): UK and ISO forms, never US month-first."""
        s = self.col(column)
        parsed = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
        todo = self.good(column)
        for day_format in _DATE_FORMATS:
            for time_format in _TIME_FORMATS:
                if not todo.any():
                    break
                attempt = pd.to_datetime(s[todo], format=day_format + time_format, errors="coerce")
                parsed.loc[attempt.index] = parsed.loc[attempt.index].fillna(attempt.astype("datetime64[us]"))
                todo = todo & parsed.isna()
        self.flag(column, self.good(column) & parsed.isna(), lambda v: f"{show(v)} is not a date; {_DATE_HINT}.")
        if date_only:
            timed = parsed.notna() & (parsed != parsed.dt.normalize())
            self.flag(column, timed, lambda v: f"{show(v)} includes a time of day; a period is a date.")
        early = parsed < pd.Timestamp(EARLIEST)
        self.flag(column, early, lambda v: f"{show(v)} is before {EARLIEST.year}; check the year.")
        limit = pd.Timestamp(now.date()) if date_only else pd.Timestamp(now)
        future = parsed > limit
        self.flag(column, future, lambda v: f"{show(v)} is in the future.")
        return parsed.where(self.good(column))

    def lookup(self, column: str, resolve: Mapping[str, str], reason: Callable[[str], str]) -> pd.Series:
        """Ids resolved through ``resolve`` (id, lower-case id or name -> id); unknown ones faulted."""
        s = self.col(column)
        uniques = s[self.good(column)].unique()
        table = {u: look_up(u, resolve) for u in uniques}
        ids = s.map(table)
        self.flag(column, self.good(column) & ids.isna(), reason)
        return ids.where(self.good(column))

    def duplicates(self, column: str, keys: pd.DataFrame, reason: Callable[[int], str]) -> None:
        complete = keys.notna().all(axis=1)
        keyed = keys[complete]
        dup = keyed.duplicated(keep="first")
        if not dup.any():
            return
        first_row = keyed.reset_index().groupby(list(keyed.columns), dropna=False)["row"].transform("first")
        first_row.index = keyed.index
        reasons = first_row.map(lambda r: reason(int(r)))
        mask = pd.Series(False, index=keys.index)
        mask.loc[dup[dup].index] = True
        self.flag(column, mask, reasons.reindex(keys.index))


def look_up(text: str, resolve: Mapping[str, str]) -> str | None:
    return resolve.get(text) or resolve.get(text.lower()) or resolve.get(_squash(text))


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def resolver(ids: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """Exact id, then id ignoring case, then name ignoring case (names used by two ids are left out)."""
    table: dict[str, str] = {}
    name_count: dict[str, int] = {}
    for name in names:
        key = _squash(str(name))
        name_count[key] = name_count.get(key, 0) + 1
    for ident, name in zip(ids, names, strict=True):
        key = _squash(str(name))
        if name_count[key] == 1:
            table.setdefault(key, ident)
    for ident in ids:
        table[ident.lower()] = ident
    for ident in ids:
        table[ident] = ident
    return table


def suggest(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.75)
    return f" Did you mean '{close[0]}'?" if close else ""
