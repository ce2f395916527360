"""An upload checked: which kind of file it is (from the header row), then every cell of every row, against
the database's measures, places and services. Every problem is collected, not just the first, so an
officer can fix the file in one go; each names the row as a spreadsheet shows it (the header is row 1),
the column, the value and the reason in plain English. Nothing is saved here (:mod:`perf.intake.save`).

Three kinds of file are officers' own: measure values (one figure per measure, period and place),
demand records (one customer contact a row) and work records (one case a row); a fourth, published
figures, is checked by :mod:`perf.intake.load_published`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

from perf import store
from perf.errors import InputError, Problem, show
from perf.intake import read
from perf.periods import period_start_problem


MAX_PLAUSIBLE = 1e12  # no council figure (contacts, days, pounds) comes near a million million
EARLIEST = date(1990, 1, 1)  # older dates are almost always a mistyped year (0024, 1924)
MAX_TEXT = 1000  # characters in one text cell; longer is a pasted document, not a category
AREA = "ALL"  # the locality row that stands for the whole area (perf/sql/schema.sql)

NOUNS: dict[read.Kind, tuple[str, str]] = {
    "measure_values": ("measure value", "measure values"),
    "demand": ("demand record", "demand records"),
    "work": ("work record", "work records"),
    "published": ("published figure", "published figures"),
}


@dataclass(frozen=True)
class ValidationResult:
    """What an upload would do, checked in full before anything is saved.

    ``frame`` has the table's columns with proper types, indexed by spreadsheet row; ``raw`` is the
    file as read (all text) for a preview; ``sheets`` lists an Excel file's sheets that have data.
    """

    filename: str
    kind: read.Kind | None
    frame: pd.DataFrame
    problems: tuple[Problem, ...]
    summary: str
    raw: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.kind is not None and not self.problems

    def problem_frame(self) -> pd.DataFrame:
        """The problems as a table for the upload page: row, column, value, reason."""
        return pd.DataFrame(
            [(p.row, p.column, p.value, p.reason) for p in self.problems],
            columns=["row", "column", "value", "reason"],
        ).astype({"row": "Int64"})


def _noun(kind: read.Kind, n: int) -> str:
    return NOUNS[kind][0 if n == 1 else 1]


def _header_problems(headers: Sequence[str], kind: read.Kind) -> tuple[dict[str, str], list[Problem]]:
    found, unexpected, duplicated = read._match_columns(headers, kind)
    problems: list[Problem] = []
    noun = NOUNS[kind][1]
    missing = [c.name for c in read.COLUMNS[kind] if c.required and c.name not in found]
    if missing:
        problems.append(
            Problem(1, None, None, (f"this looks like a file of {noun}, but it has no {_plural_columns(missing)}."))
        )
    if kind == "measure_values" and "value" not in found and not {"numerator", "denominator"} <= found.keys():
        problems.append(
            Problem(
                1,
                None,
                None,
                ("there is no 'value' column (or 'numerator' and 'denominator' columns to work it out from)."),
            )
        )
    for header in unexpected:
        label = header if header.strip() else "(blank)"
        problems.append(
            Problem(
                1,
                label,
                header,
                (
                    f"'{label}' is not a column a file of {noun} can have; expected columns are "
                    f"{read._quoted([c.name for c in read.COLUMNS[kind]])}."
                ),
            )
        )
    for header, name in duplicated:
        problems.append(
            Problem(
                1, header, header, (f"'{header}' is a second '{name}' column (after '{found[name]}'); keep only one.")
            )
        )
    return found, problems


def _plural_columns(names: Sequence[str]) -> str:
    word = "column" if len(names) == 1 else "columns"
    return f"{read._quoted(names)} {word}"


# ----------------------------------------------------------------------------------------------
# Checking cells

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


def neutralise_formula(value: str) -> str:
    """Text made safe for a CSV or Excel export by a leading apostrophe (OWASP 'CSV Injection').

    Example
    -------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    """
    return "'" + value if formula_risk(value) else value


class _Checker:
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
        table = {u: _resolve(u, resolve) for u in uniques}
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


def _resolve(text: str, resolve: Mapping[str, str]) -> str | None:
    return resolve.get(text) or resolve.get(text.lower()) or resolve.get(_squash(text))


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def _resolver(ids: Sequence[str], names: Sequence[str]) -> dict[str, str]:
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


def _suggest(value: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.75)
    return f" Did you mean '{close[0]}'?" if close else ""


# ----------------------------------------------------------------------------------------------
# Validation per kind


@dataclass(frozen=True)
class _Reference:
    """What the database already knows: measures, places and services to check against."""

    measures: pd.DataFrame
    localities: pd.DataFrame
    services: pd.DataFrame

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> _Reference:
        return cls(
            store.query(con, "load_measures"),
            store.query(con, "load_localities"),
            store.query(con, "load_services"),
        )

    def locality_resolver(self) -> dict[str, str]:
        ids = [str(i) for i in self.localities["locality_id"]]
        names = [str(n) for n in self.localities["name"]]
        table = _resolver(ids, names)
        table.setdefault(AREA, AREA)
        table.setdefault(AREA.lower(), AREA)
        return table


# The tables a file is checked against (``_Reference``, ``load_published.check``): a file checked in
# another process (``python -m perf load``) is saved without checking again only while they are unchanged.
REFERENCE_TABLES: tuple[str, ...] = ("measure", "locality", "service", "area", "published_metric")


class ReferenceChangedError(Exception):
    """The reference tables changed since the file was checked: it must be checked again."""


def reference_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Rows and a hash of every reference table, read in one statement (one snapshot), on ``con`` itself
    (a cursor inside a transaction reads that transaction's view)."""
    union = " UNION ALL ".join(
        f"SELECT '{t}' AS t, count(*) AS n, coalesce(sum(hash(x)), 0)::VARCHAR AS h FROM {t} x"
        for t in REFERENCE_TABLES
    )
    rows = con.execute(f"SELECT t, n, h FROM ({union}) ORDER BY t").fetchall()
    return ";".join(f"{t}:{n}:{h}" for t, n, h in rows)


def validate_upload(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    now: datetime | None = None,
) -> ValidationResult:
    """Read and check an upload without saving anything: the page's preview and the CLI's verdict.

    Parameters
    ----------
    con : an open database (read-only is enough)
    data, filename : the uploaded bytes and the file's name (its extension chooses CSV or Excel)
    sheet : the Excel sheet to load when a workbook has several sheets with data
    now : the time future dates are judged against (default: now)
    """
    sheets: tuple[str, ...] = ()
    try:
        raw = read.read_upload(data, filename, sheet=sheet, known_kind=True)
    except InputError as exc:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            sheets = read._sheets_with_data(data)
        return _rejected(filename, None, exc.problems, pd.DataFrame(), (), sheets)
    if raw.sheet is not None:
        sheets = read._sheets_with_data(data)
    result = validate_frame(con, raw.frame, filename, now=now)
    return ValidationResult(
        result.filename,
        result.kind,
        result.frame,
        result.problems,
        result.summary,
        raw.frame,
        (*raw.notes, *result.notes),
        sheets,
    )


def validate_frame(
    con: duckdb.DuckDBPyConnection,
    raw: pd.DataFrame,
    filename: str,
    *,
    now: datetime | None = None,
    kind: read.Kind | None = None,
) -> ValidationResult:
    """Check a frame of text cells (as ``read_upload`` gives) against the database's measures and places."""
    now = now or datetime.now()
    headers = [str(h) for h in raw.columns]
    kind = kind or read.recognise(headers)
    if kind is None:
        return _rejected(filename, None, [read._unrecognised_header()], raw, (), ())
    found, header_problems = _header_problems(headers, kind)
    if header_problems:
        return _rejected(filename, kind, header_problems, raw, (), ())
    ref = _Reference.read(con)
    check = _Checker(raw, found)
    check.formulas()
    check.long_text()
    notes: tuple[str, ...] = ()
    if kind == "measure_values":
        frame = _check_measure_values(check, ref, now)
    elif kind == "published":
        from perf.intake import load_published

        frame = load_published.check(check, con)
        if not check.problems:
            notes = load_published.notes(frame, con)
            worked = [name for name in read.WORKED_OUT if name in found]
            if worked:
                notes = (
                    *notes,
                    f"The columns {read._quoted(worked)} are the chart's working, as Similar councils "
                    "exports it: they are not loaded, and the app works them out again from the figures.",
                )
    elif kind == "demand":
        frame = _check_demand(check, ref, now)
    else:
        frame = _check_work(check, ref, now)
    order = {name: i for i, name in enumerate(c.name for c in read.COLUMNS[kind])}
    by_header = {header: order[name] for name, header in found.items()}
    problems = sorted(check.problems, key=lambda p: (p.row or 0, by_header.get(p.column or "", -1)))
    if problems:
        return _rejected(filename, kind, problems, raw, (), (), frame)
    n = len(frame)
    summary = (
        f"{n:,} {_noun(kind, n)} in {filename} are ready to load."
        if n != 1
        else (f"1 {_noun(kind, 1)} in {filename} is ready to load.")
    )
    return ValidationResult(filename, kind, frame, (), summary, raw, notes)


def _rejected(
    filename: str,
    kind: read.Kind | None,
    problems: Sequence[Problem],
    raw: pd.DataFrame,
    notes: tuple[str, ...],
    sheets: tuple[str, ...],
    frame: pd.DataFrame | None = None,
) -> ValidationResult:
    rows = {p.row for p in problems if p.row is not None and p.row > 1}
    count = len(problems)
    where = f" in {len(rows):,} {'row' if len(rows) == 1 else 'rows'}" if rows else ""
    summary = (
        f"{filename} was not loaded: {count:,} {'problem' if count == 1 else 'problems'}{where}. Nothing was saved."
    )
    return ValidationResult(
        filename, kind, frame if frame is not None else pd.DataFrame(), tuple(problems), summary, raw, notes, sheets
    )


def _unknown(what: str, choices: Sequence[str]) -> Callable[[str], str]:
    return lambda v: f"{show(v)} is not a known {what}.{_suggest(v, choices)}"


def _check_measure_values(check: _Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
    measures = ref.measures.set_index("measure_id")
    ids = [str(i) for i in measures.index]
    check.required("measure_id", "measure")
    check.required("period_start", "period", "(the date the week, month or quarter starts)")
    measure = check.lookup("measure_id", _resolver(ids, [str(n) for n in measures["name"]]), _unknown("measure", ids))
    period = check.timestamps("period_start", date_only=True, now=now)
    frequency = measure.map(measures["frequency"].to_dict())
    has_both = period.notna() & frequency.notna()
    reasons = pd.Series(
        [
            period_start_problem(p.date(), f) if ok else None
            for p, f, ok in zip(period, frequency, has_both, strict=True)
        ],
        index=period.index,
        dtype=object,
    )
    check.flag("period_start", reasons.notna(), reasons)

    place_ids = [str(i) for i in ref.localities["locality_id"]]
    locality_text = check.col("locality_id")
    locality = check.lookup(
        "locality_id",
        ref.locality_resolver(),
        _unknown("ward or locality", [*place_ids, *map(str, ref.localities["name"])]),
    )
    locality = locality.where(locality_text != "", AREA).where(check.unfaulted("locality_id"))
    by_locality = measure.map(measures["by_locality"].astype(bool).to_dict())
    area_only = locality.notna() & (locality != AREA) & (by_locality == False)  # noqa: E712 - NA stays NA
    check.flag(
        "locality_id",
        area_only,
        lambda v: (
            f"{show(v)} is a ward or locality, but this measure is recorded for the whole area only; "
            f"leave the cell blank or write '{AREA}'."
        ),
    )

    value = check.numbers("value")
    numerator = check.numbers("numerator")
    denominator = check.numbers("denominator")
    unit = measure.map(measures["unit"].to_dict())
    percent = (unit == "%").fillna(False).astype(bool)
    check.flag(
        "value",
        percent & ((value < 0) | (value > 100)).fillna(False),
        lambda v: f"{show(v)} is not a percentage between 0 and 100.",
    )
    for column, series in (("numerator", numerator), ("denominator", denominator)):
        check.flag(column, (series < 0).fillna(False), lambda v: f"{show(v)} is negative; a count can't be below zero.")
    value_blank = check.col("value") == ""
    num_blank = check.col("numerator") == ""
    den_blank = check.col("denominator") == ""
    check.flag("numerator", num_blank & ~den_blank, "this cell is blank, but a denominator needs a numerator.")
    check.flag("denominator", den_blank & ~num_blank, "this cell is blank, but a numerator needs a denominator.")
    if check.has("value"):
        check.flag(
            "value",
            value_blank & (num_blank | den_blank),
            "this cell is blank, but every row needs a value (or a numerator and a denominator).",
        )
    zero = value_blank & (denominator == 0).fillna(False)
    check.flag("denominator", zero, "the denominator is 0, so the value can't be worked out from it.")
    derived = numerator / denominator.where(denominator != 0)
    derived = derived.where(~percent, derived * 100)  # a % measure stores 0-100, as its target does
    value = value.where(~value_blank, derived)

    keys = pd.DataFrame({"m": measure, "p": period, "l": locality}).where(
        ~check.bad[[c for c in ("measure_id", "period_start", "locality_id") if check.has(c)]].any(axis=1)
    )
    check.duplicates(
        "period_start",
        keys,
        lambda first: f"the same measure, period and locality as row {first}; each can appear only once.",
    )
    return pd.DataFrame(
        {
            "measure_id": measure.astype(object),
            "period_start": period,
            "locality_id": locality.astype(object),
            "value": value.astype("Float64"),
            "numerator": numerator.astype("Float64"),
            "denominator": denominator.astype("Float64"),
        }
    )


_DEMAND_TYPES = {"value": "value", "value demand": "value", "failure": "failure", "failure demand": "failure"}


def _check_cases_common(check: _Checker, ref: _Reference) -> tuple[pd.Series, pd.Series]:
    service_ids = [str(i) for i in ref.services["service_id"]]
    service = check.lookup(
        "service_id",
        _resolver(service_ids, [str(n) for n in ref.services["name"]]),
        _unknown("service", service_ids),
    )
    place_ids = [str(i) for i in ref.localities["locality_id"]]
    locality = check.lookup(
        "locality_id",
        ref.locality_resolver(),
        _unknown("ward or locality", [*place_ids, *map(str, ref.localities["name"])]),
    )
    return service, locality


def _text(check: _Checker, column: str) -> pd.Series:
    s = check.col(column)
    return s.where(s != "").where(check.unfaulted(column)).astype(object)


def _check_demand(check: _Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
    for col in read.COLUMNS["demand"]:
        if col.required:
            check.required(col.name, col.label)
    demand_id = check.integers("demand_id", "demand ID")
    service, locality = _check_cases_common(check, ref)
    received = check.timestamps("received_at", date_only=False, now=now)
    kinds = check.col("demand_type").str.lower().str.split().str.join(" ").map(_DEMAND_TYPES)
    check.flag(
        "demand_type",
        check.good("demand_type") & kinds.isna(),
        lambda v: f"{show(v)} is not a demand type; use 'value' or 'failure'.",
    )
    case_id = check.integers("case_id", "case ID")
    check.duplicates(
        "demand_id",
        pd.DataFrame({"id": demand_id}),
        lambda first: f"the same demand ID as row {first}; each contact can appear only once.",
    )
    return pd.DataFrame(
        {
            "demand_id": demand_id,
            "service_id": service.astype(object),
            "locality_id": locality.astype(object),
            "channel": _text(check, "channel"),
            "received_at": received,
            "demand_type": kinds.where(check.good("demand_type")).astype(object),
            "nature": _text(check, "nature"),
            "case_id": case_id,
        }
    )


def _check_work(check: _Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
    for col in read.COLUMNS["work"]:
        if col.required:
            check.required(col.name, col.label)
    case_id = check.integers("case_id", "case ID")
    service, locality = _check_cases_common(check, ref)
    started = check.timestamps("started_at", date_only=False, now=now)
    completed = check.timestamps("completed_at", date_only=False, now=now)
    before = (completed < started).fillna(False)
    started_header = check.headers.get("started_at", "started_at")
    check.flag(
        "completed_at",
        before,
        pd.Series(
            [
                f"{c:%Y-%m-%d %H:%M} is before the start in '{started_header}' ({s:%Y-%m-%d %H:%M}); "
                "a case can't end before it starts."
                if b
                else ""
                for c, s, b in zip(completed, started, before, strict=True)
            ],
            index=completed.index,
            dtype=object,
        ),
    )
    check.duplicates(
        "case_id",
        pd.DataFrame({"id": case_id}),
        lambda first: f"the same case ID as row {first}; each case can appear only once.",
    )
    return pd.DataFrame(
        {
            "case_id": case_id,
            "service_id": service.astype(object),
            "locality_id": locality.astype(object),
            "channel": _text(check, "channel"),
            "nature": _text(check, "nature"),
            "started_at": started,
            "completed_at": completed.where(check.unfaulted("completed_at")),
        }
    )
