"""An upload checked: which kind of file it is (from the header row), then every cell of every row, against
the database's measures, places and services. Every problem is collected, not just the first, so an
officer can fix the file in one go; each names the row as a spreadsheet shows it (the header is row 1),
the column, the value and the reason in plain English. Nothing is saved here (:mod:`perf.intake.save`).

Three kinds of file are officers' own: measure values (one figure per measure, period and place),
demand records (one customer contact a row) and work records (one case a row); a fourth, published
figures, is checked by :mod:`perf.intake.load_published`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from perf import store
from perf.analysis.measures import AREA
from perf.errors import InputError, Problem, show
from perf.intake import load_published, read
from perf.intake.cells import Checker, resolver, suggest
from perf.periods import period_start_problem


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

    def localityresolver(self) -> dict[str, str]:
        ids = [str(i) for i in self.localities["locality_id"]]
        names = [str(n) for n in self.localities["name"]]
        table = resolver(ids, names)
        table.setdefault(AREA, AREA)
        table.setdefault(AREA.lower(), AREA)
        return table


# The tables a file is checked against (``_Reference``, ``load_published.check``): a file checked in
# another process (``python -m perf load``) is saved without checking again only while they are unchanged.
REFERENCE_TABLES: tuple[str, ...] = ("measure", "locality", "service", "area", "published_metric")


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
    check = Checker(raw, found)
    check.formulas()
    check.long_text()
    notes: tuple[str, ...] = ()
    if kind == "measure_values":
        frame = _check_measure_values(check, ref, now)
    elif kind == "published":
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
    return lambda v: f"{show(v)} is not a known {what}.{suggest(v, choices)}"


def _check_measure_values(check: Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
    measures = ref.measures.set_index("measure_id")
    ids = [str(i) for i in measures.index]
    check.required("measure_id", "measure")
    check.required("period_start", "period", "(the date the week, month or quarter starts)")
    measure = check.lookup("measure_id", resolver(ids, [str(n) for n in measures["name"]]), _unknown("measure", ids))
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
        ref.localityresolver(),
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


def _check_cases_common(check: Checker, ref: _Reference) -> tuple[pd.Series, pd.Series]:
    service_ids = [str(i) for i in ref.services["service_id"]]
    service = check.lookup(
        "service_id",
        resolver(service_ids, [str(n) for n in ref.services["name"]]),
        _unknown("service", service_ids),
    )
    place_ids = [str(i) for i in ref.localities["locality_id"]]
    locality = check.lookup(
        "locality_id",
        ref.localityresolver(),
        _unknown("ward or locality", [*place_ids, *map(str, ref.localities["name"])]),
    )
    return service, locality


def _text(check: Checker, column: str) -> pd.Series:
    s = check.col(column)
    return s.where(s != "").where(check.unfaulted(column)).astype(object)


def _check_demand(check: Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
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


def _check_work(check: Checker, ref: _Reference, now: datetime) -> pd.DataFrame:
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
