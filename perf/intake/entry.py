"""What officers type in rather than upload: a value, commentary, a new measure or a phase, and the
data-quality view of whether each measure is up to date.

A value typed into a form goes through exactly the checks and the change-log path of an upload
(perf.intake.check, perf.intake.save), so the two can never disagree. Problems are raised as ``InputError`` whose messages
start with the form field ("Value: 'abc' is not a number."), so a page can show each beside its field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from perf import store
from perf.errors import InputError, Problem, show
from perf.analysis.measures import AREA
from perf.intake.check import validate_frame
from perf.intake.save import LoadResult, save_rows
from perf.periods import next_period_start, period_start_problem
from perf.store import run, write_transaction

COMMENTARY_MAX = 4000  # characters: about a page; longer belongs in a report, not beside a chart
VISIBILITIES = ("internal", "public")
KINDS = ("strategic", "operational")
FREQUENCIES = ("week", "month", "quarter")
IMPROVEMENTS = ("up", "down", "neutral")
AGGREGATIONS = ("sum", "mean", "ratio")
DQ_NOTES = ("dq_relevant", "dq_well_defined", "dq_timely", "dq_reliable", "dq_verifiable", "dq_accurate")
MEASURE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TEXT_MAX = 2000  # a definition or data-quality note: a paragraph or two
# How long after a period ends its figure may arrive before the measure counts as overdue. A policy
# choice, not a standard: weekly figures a week late, monthly within four weeks (month-end reports),
# quarterly within six weeks (quarterly returns). Councils can pass their own to ``timeliness``.
GRACE_DAYS: Mapping[str, int] = {"week": 7, "month": 28, "quarter": 42}

MEASURE_FIELDS = (
    "name",
    "purpose_id",
    "kind",
    "unit",
    "frequency",
    "improvement",
    "aggregation",
    "target",
    "owner",
    "definition",
    "source",
    "by_locality",
    *DQ_NOTES,
    "published",
    "decimals",
)
# How each form field is named at the start of its message: "Value: 'abc' is not a number."
FIELD_LABELS = {
    "measure_id": "Measure",
    "period_start": "Period",
    "locality_id": "Locality",
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "body": "Commentary",
    "visibility": "Visibility",
    "author": "Author",
    "name": "Name",
    "purpose_id": "Purpose",
    "kind": "Kind",
    "unit": "Unit",
    "frequency": "Frequency",
    "improvement": "Improvement",
    "aggregation": "Aggregation",
    "target": "Target",
    "owner": "Owner",
    "definition": "Definition",
    "source": "Source",
    "by_locality": "By locality",
    "published": "Published",
    "decimals": "Decimals",
    "dq_relevant": "Relevant",
    "dq_well_defined": "Well defined",
    "dq_timely": "Timely",
    "dq_reliable": "Reliable",
    "dq_verifiable": "Verifiable",
    "dq_accurate": "Accurate",
    "starts_on": "Starts on",
    "label": "Label",
    "description": "Description",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _field(column: str, reason: str) -> Problem:
    return Problem(None, column, None, f"{FIELD_LABELS.get(column, column)}: {reason}")


def _text_of(value: object) -> str:
    """A form value as the text an upload cell would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _measure(con: duckdb.DuckDBPyConnection, measure_id: str) -> dict[str, Any] | None:
    frame = store.query(con, "measure_admin_get", {"measure_id": measure_id})
    return None if frame.empty else {str(k): v for k, v in frame.iloc[0].to_dict().items()}


def _parse_day(value: date | str, field: str, problems: list[Problem]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(_field(field, f"{show(str(value))} is not a date; write it as YYYY-MM-DD (e.g. 2024-04-01)."))
        return None


# ----------------------------------------------------------------------------------------------
# Values


def enter_value(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    period_start: date | str,
    locality_id: str | None,
    value: float | str | None,
    numerator: float | str | None = None,
    denominator: float | str | None = None,
    *,
    user: str,
    now: datetime | None = None,
) -> LoadResult:
    """Save one value typed into the entry form, with an upload's checks and change log.

    ``locality_id`` None (or 'ALL') is the whole area. Returns what changed (``new``/``corrected``/
    ``unchanged``); a correction keeps the old value in change_log. Raises InputError.

    Example
    -------
    ``enter_value(con, "calls", date(2024, 6, 3), None, 41, user="amy")``
    """
    if not user.strip():
        raise ValueError("user must name who is entering the value")
    now = now or datetime.now()
    cells = {
        "measure_id": _text_of(measure_id),
        "period_start": _text_of(period_start),
        "locality_id": _text_of(locality_id) or AREA,
        "value": _text_of(value),
        "numerator": _text_of(numerator),
        "denominator": _text_of(denominator),
    }
    raw = pd.DataFrame([cells], index=pd.Index([2], name="row"), dtype=str)
    result = validate_frame(con, raw, "the form", now=now, kind="measure_values")
    if result.problems:
        raise InputError([_field(p.column or "", p.reason) for p in result.problems])
    with write_transaction(con) as cur:
        return save_rows(cur, "measure_values", result.frame, filename="the form", user=user, now=now)


# ----------------------------------------------------------------------------------------------
# Commentary


def add_commentary(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    period_start: date | str | None,
    body: str,
    visibility: str,
    author: str,
    *,
    now: datetime | None = None,
) -> int:
    """Save what an officer says the data means; returns the new commentary_id.

    The body is kept as plain text exactly as written (line breaks kept, ends trimmed): pages must
    show it as text (``st.text`` or escaped), never as HTML. ``period_start`` None is commentary on
    the measure as a whole. ``visibility`` 'public' is shown to everyone, 'internal' to officers.
    """
    now = now or datetime.now()
    problems: list[Problem] = []
    measure = _measure(con, measure_id)
    if measure is None:
        problems.append(_field("measure_id", f"{show(measure_id)} is not a known measure."))
    day: date | None = None
    if period_start is not None and _text_of(period_start).strip():
        day = _parse_day(period_start, "period_start", problems)
        if day is not None and measure is not None:
            wrong = period_start_problem(day, str(measure["frequency"]))
            if wrong:
                problems.append(_field("period_start", wrong))
        if day is not None and day > now.date():
            problems.append(_field("period_start", f"{day.isoformat()} is in the future."))
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        problems.append(_field("body", "write something before saving."))
    elif len(text) > COMMENTARY_MAX:
        problems.append(_field("body", f"{len(text):,} characters is too long; the limit is {COMMENTARY_MAX:,}."))
    if _CONTROL.search(text):
        problems.append(_field("body", "contains invisible control characters; remove them and save again."))
    if visibility not in VISIBILITIES:
        problems.append(_field("visibility", f"must be 'internal' or 'public', got {show(visibility)}."))
    if not author.strip():
        problems.append(_field("author", "say who wrote this (sign in first)."))
    if problems:
        raise InputError(problems)
    with write_transaction(con, changes=("commentary",)) as cur:  # no figure changes: charts stay cached
        out = run(
            cur,
            "commentary_insert",
            {
                "measure_id": measure_id,
                "period_start": day,
                "author": author.strip(),
                "written_at": now,
                "body": text,
                "visibility": visibility,
            },
        )
    ids: list[Any] = out["commentary_id"].tolist()
    return int(ids[0])


# ----------------------------------------------------------------------------------------------
# Measures and phases


def _check_measure(con: duckdb.DuckDBPyConnection, fields: Mapping[str, Any]) -> list[Problem]:
    """Every problem with a measure's fields (the catalogue's CHECK rules, worded for a form)."""
    problems: list[Problem] = []

    def choice(name: str, allowed: tuple[str, ...]) -> None:
        if fields[name] not in allowed:
            options = ", ".join(f"'{a}'" for a in allowed)
            problems.append(_field(name, f"must be one of {options}, got {show(str(fields[name]))}."))

    name = str(fields["name"] or "").strip()
    if not name:
        problems.append(_field("name", "give the measure a name."))
    elif len(name) > 200:
        problems.append(_field("name", f"{len(name):,} characters is too long; the limit is 200."))
    purposes = set(store.query(con, "measure_admin_purposes")["purpose_id"])
    if fields["purpose_id"] not in purposes:
        problems.append(_field("purpose_id", f"{show(str(fields['purpose_id']))} is not a known purpose."))
    choice("kind", KINDS)
    choice("frequency", FREQUENCIES)
    choice("improvement", IMPROVEMENTS)
    choice("aggregation", AGGREGATIONS)
    unit = str(fields["unit"] or "").strip()
    if not unit or len(unit) > 20:
        problems.append(_field("unit", "give a short unit such as 'contacts', 'days', '%' or '£'."))
    target = fields["target"]
    if target is not None and (
        not isinstance(target, int | float)
        or isinstance(target, bool)
        or not math.isfinite(float(target))
        or abs(float(target)) > 1e12
    ):
        problems.append(_field("target", f"{show(str(target))} is not a number."))
    elif target is not None and unit == "%" and not 0 <= float(target) <= 100:
        problems.append(_field("target", f"{target} is not a percentage between 0 and 100."))
    decimals = fields["decimals"]
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 6:
        problems.append(_field("decimals", f"must be a whole number from 0 to 6, got {show(str(decimals))}."))
    for flag in ("by_locality", "published"):
        if not isinstance(fields[flag], bool):
            problems.append(_field(flag, f"must be true or false, got {show(str(fields[flag]))}."))
    for text_field in ("owner", "definition", "source", *DQ_NOTES):
        value = fields[text_field]
        if value is not None and not isinstance(value, str):
            problems.append(_field(text_field, "must be text."))
        elif value is not None and len(value) > TEXT_MAX:
            problems.append(_field(text_field, f"{len(value):,} characters is too long; the limit is {TEXT_MAX:,}."))
    return problems


def add_measure(
    con: duckdb.DuckDBPyConnection,
    *,
    measure_id: str,
    name: str,
    purpose_id: str,
    kind: str,
    unit: str,
    frequency: str,
    improvement: str,
    user: str,
    aggregation: str = "sum",
    target: float | None = None,
    owner: str | None = None,
    definition: str | None = None,
    source: str | None = None,
    by_locality: bool = False,
    dq_relevant: str | None = None,
    dq_well_defined: str | None = None,
    dq_timely: str | None = None,
    dq_reliable: str | None = None,
    dq_verifiable: str | None = None,
    dq_accurate: str | None = None,
    published: bool = False,
    decimals: int = 0,
    now: datetime | None = None,
) -> None:
    """Add a measure to the catalogue with its definition and the six data-quality notes.

    New measures are unpublished until an admin publishes them, so the public never sees a measure
    with no data. The creation is written to change_log. Raises InputError.
    """
    now = now or datetime.now()
    fields: dict[str, Any] = {
        "measure_id": measure_id,
        "name": name,
        "purpose_id": purpose_id,
        "kind": kind,
        "unit": unit,
        "frequency": frequency,
        "improvement": improvement,
        "aggregation": aggregation,
        "target": target,
        "owner": owner,
        "definition": definition,
        "source": source,
        "by_locality": by_locality,
        "dq_relevant": dq_relevant,
        "dq_well_defined": dq_well_defined,
        "dq_timely": dq_timely,
        "dq_reliable": dq_reliable,
        "dq_verifiable": dq_verifiable,
        "dq_accurate": dq_accurate,
        "published": published,
        "decimals": decimals,
    }
    problems: list[Problem] = []
    if not MEASURE_ID.match(measure_id or ""):
        problems.append(
            _field(
                "measure_id",
                (
                    f"{show(measure_id or '')} is not a usable ID; use lower-case letters, digits and hyphens, "
                    "e.g. 'repairs-demand'."
                ),
            )
        )
    elif _measure(con, measure_id) is not None:
        problems.append(_field("measure_id", f"{show(measure_id)} already exists; choose another ID."))
    problems += _check_measure(con, fields)
    if not user.strip():
        raise ValueError("user must name who is adding the measure")
    if problems:
        raise InputError(problems)
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    with write_transaction(con) as cur:
        run(cur, "measure_admin_insert", cleaned)
        run(
            cur,
            "measure_admin_log",
            {
                "table_name": "measure",
                "row_key": measure_id,
                "column_name": None,
                "old_value": None,
                "new_value": "created",
                "user": user,
                "now": now,
            },
        )


def update_measure(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    changes: Mapping[str, Any],
    *,
    user: str,
    now: datetime | None = None,
) -> int:
    """Change some of a measure's fields (not its ID); each change is logged. Returns how many changed."""
    now = now or datetime.now()
    current = _measure(con, measure_id)
    if current is None:
        raise InputError([_field("measure_id", f"{show(measure_id)} is not a known measure.")])
    unknown = sorted(set(changes) - set(MEASURE_FIELDS))
    if unknown:
        raise ValueError(f"update_measure can change {', '.join(MEASURE_FIELDS)}; got {', '.join(unknown)}")
    fields = {k: _plain(current[k]) for k in MEASURE_FIELDS}
    fields.update({k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()})
    problems = _check_measure(con, fields)
    if problems:
        raise InputError(problems)
    changed = [k for k in MEASURE_FIELDS if fields[k] != _plain(current[k])]
    if not changed:
        return 0
    with write_transaction(con) as cur:
        run(cur, "measure_admin_update", {"measure_id": measure_id, **fields})
        for key in changed:
            run(
                cur,
                "measure_admin_log",
                {
                    "table_name": "measure",
                    "row_key": measure_id,
                    "column_name": key,
                    "old_value": _logged(_plain(current[key])),
                    "new_value": _logged(fields[key]),
                    "user": user,
                    "now": now,
                },
            )
    return len(changed)


def _plain(value: object) -> object:
    """A value read back from DuckDB via pandas, as Python (NaN/NA -> None, numpy -> int/float/bool)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _logged(value: object) -> str | None:
    return None if value is None else str(value)


def add_phase(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    starts_on: date | str,
    label: str,
    description: str | None = None,
    *,
    user: str,
    now: datetime | None = None,
) -> None:
    """Record where the system was changed, so limits are worked out again from that period on.

    ``starts_on`` must start one of the measure's periods (so every point belongs to one phase).
    """
    now = now or datetime.now()
    problems: list[Problem] = []
    measure = _measure(con, measure_id)
    if measure is None:
        problems.append(_field("measure_id", f"{show(measure_id)} is not a known measure."))
    day = _parse_day(starts_on, "starts_on", problems)
    if day is not None and measure is not None:
        wrong = period_start_problem(day, str(measure["frequency"]))
        if wrong:
            problems.append(_field("starts_on", wrong))
        elif not store.query(con, "measure_admin_phase_get", {"measure_id": measure_id, "starts_on": day}).empty:
            problems.append(_field("starts_on", f"a phase of this measure already starts on {day.isoformat()}."))
    text = (label or "").strip()
    if not text:
        problems.append(_field("label", "name the change, e.g. 'New repairs triage'."))
    elif len(text) > 80:
        problems.append(_field("label", f"{len(text):,} characters is too long; the limit is 80."))
    if description is not None and len(description) > TEXT_MAX:
        problems.append(
            _field("description", (f"{len(description):,} characters is too long; the limit is {TEXT_MAX:,}."))
        )
    if problems:
        raise InputError(problems)
    with write_transaction(con) as cur:
        run(
            cur,
            "measure_admin_phase_insert",
            {
                "measure_id": measure_id,
                "starts_on": day,
                "label": text,
                "description": description.strip() if description else None,
            },
        )
        run(
            cur,
            "measure_admin_log",
            {
                "table_name": "phase",
                "row_key": f"{measure_id}|{day}",
                "column_name": None,
                "old_value": None,
                "new_value": f"phase '{text}' starts",
                "user": user,
                "now": now,
            },
        )


# ----------------------------------------------------------------------------------------------
# Timeliness


def _long(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def timeliness(
    con: duckdb.DuckDBPyConnection,
    today: date,
    *,
    grace_days: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """For each measure, when it was last updated against its frequency and whether it is overdue.

    A period's figure is due ``grace_days[frequency]`` days after the period ends; a measure is
    overdue once the period after its latest one is past due.

    Columns: measure_id, name, frequency, published, latest_period (the latest period with a value),
    last_entered_at, next_period, due_by (when next_period's figure is due), days_overdue (0 when
    not overdue), status ('timely', 'overdue', 'no data' or 'extract': a real published extract that
    ends, so nothing is due), status_text (a sentence for the page).
    """
    grace = {**GRACE_DAYS, **(grace_days or {})}
    frame = store.query(con, "measure_admin_timeliness")
    rows: list[tuple[date | None, date | None, int, str, str]] = []
    latest_periods: list[Any] = frame["latest_period"].tolist()
    extracts = frame["extract"].fillna(False).astype(bool).tolist()
    for frequency, stamp, extract in zip(
        frame["frequency"].astype(str).tolist(), latest_periods, extracts, strict=True
    ):
        if stamp is None or pd.isna(stamp):
            rows.append((None, None, 0, "no data", "No values yet."))
            continue
        latest = pd.Timestamp(stamp).date()
        if extract:  # a published extract that ends where it ends: nothing further is due
            rows.append(
                (
                    None,
                    None,
                    0,
                    "extract",
                    f"Published extract: the last {frequency} starts {_long(latest)}; no further figures are expected.",
                )
            )
            continue
        following = next_period_start(latest, frequency)
        due_by = next_period_start(following, frequency) + timedelta(days=grace[frequency])
        overdue = today > due_by
        days = (today - due_by).days if overdue else 0
        what = f"latest {frequency} starts {_long(latest)}"
        if overdue:
            text = (
                f"Overdue by {days} {'day' if days == 1 else 'days'}: {what}; the {frequency} starting "
                f"{_long(following)} was due by {_long(due_by)}."
            )
        else:
            text = f"Timely: {what}; the next is due by {_long(due_by)}."
        rows.append((following, due_by, days, "overdue" if overdue else "timely", text))
    out = frame[["measure_id", "name", "frequency", "published", "latest_period", "last_entered_at"]].copy()
    out["latest_period"] = pd.to_datetime(out["latest_period"]).dt.date
    out["next_period"] = [r[0] for r in rows]
    out["due_by"] = [r[1] for r in rows]
    out["days_overdue"] = pd.array([r[2] for r in rows], dtype="Int64")
    out["status"] = [r[3] for r in rows]
    out["status_text"] = [r[4] for r in rows]
    return out.reset_index(drop=True)


def overdue(con: duckdb.DuckDBPyConnection, today: date) -> pd.DataFrame:
    """The measures that are overdue or have no data, most overdue first (the Overview's list)."""
    frame = timeliness(con, today)
    late = frame[~frame["status"].isin(["timely", "extract"])]
    return late.sort_values(["days_overdue", "measure_id"], ascending=[False, True]).reset_index(drop=True)
