"""The plain-English sentence that says what a chart says, for officers and councillors alike."""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from perf.words import signal_words, vocabulary

VARIATION_WORDS = {  # a table's or a pack's words: the plain label, the statisticians' term beside it
    kind: f"{style.label} ({'common' if kind == 'common_cause' else 'special'} cause)"
    for kind, style in vocabulary.POINT_TYPES.items()
}
RULE_WORDS = {rule: r.words for rule, r in vocabulary.RULES.items()}  # "outside the limits"
ASSURANCE_WORDS = {kind: style.meaning for kind, style in vocabulary.ASSURANCE.items()}


def format_value(value: float | None, unit: str = "", decimals: int = 0) -> str:
    """A value as a person would say it: thousands separated, the unit attached the usual way."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    text = f"{value:,.{decimals}f}"
    if unit == "%":
        return f"{text}%"
    if unit in {"£", "GBP"}:
        return f"£{text}"
    if text == "1":  # "1 household", "1 day per FTE"; "1.0 days" and "0 homes" stay plural
        unit = singular(unit)
    return f"{text} {unit}".strip()


def singular(unit: str) -> str:
    """The singular of a unit whose first word is a plural noun: 'households' -> 'household',
    'days per FTE' -> 'day per FTE', 'businesses' -> 'business', 'inquiries' -> 'inquiry'."""
    first, _, rest = unit.partition(" ")
    if first.endswith("ies") and len(first) > 4:
        first = first[:-3] + "y"
    elif first.endswith(("sses", "shes", "ches", "xes")):
        first = first[:-2]
    elif first.endswith("s") and not first.endswith("ss") and len(first) > 2:
        first = first[:-1]
    return f"{first} {rest}".strip() if rest else first


def period_label(period_start: Any, frequency: str) -> str:
    """'week of 3 Mar 2025', 'March 2025' or 'Q1 2025-26' (financial quarters, April start)."""
    stamp = pd.Timestamp(period_start)
    if frequency == "week":
        return f"week of {stamp.day} {stamp:%b %Y}"
    if frequency == "year":
        return f"{stamp.year}-{str(stamp.year + 1)[-2:]}" if stamp.month == 4 else f"{stamp.year}"
    if frequency == "quarter":
        fy = stamp.year if stamp.month >= 4 else stamp.year - 1
        q = ((stamp.month - 4) % 12) // 3 + 1
        return f"Q{q} {fy}-{str(fy + 1)[-2:]}"
    return f"{stamp:%B %Y}"


def expected_range(lower: float, upper: float, unit: str = "", decimals: int = 0, *, floor: float | None = 0.0) -> str:
    """'between 0 and 86 homes': limits clipped to what the measure can be (no negative counts, no 104%)."""
    if floor is not None and not math.isnan(lower):
        lower = max(lower, floor)
    if unit == "%":
        upper = min(upper, 100.0)
        return f"between {format_value(lower, '%', decimals)} and {format_value(upper, '%', decimals)}"
    if unit in {"£", "GBP"}:
        return f"between {format_value(lower, unit, decimals)} and {format_value(upper, unit, decimals)}"
    return f"between {lower:,.{decimals}f} and {format_value(upper, unit, decimals)}"


@dataclass(frozen=True)
class _Latest:
    """A measure's latest point, worded: what the sentence and the headline are made from."""

    point: pd.Series
    valid: np.ndarray
    frequency: str
    per: str
    kind: str
    when: str
    value: str
    centre: str
    expect: str


def _latest(measure: Mapping[str, Any], points: pd.DataFrame, dates: pd.Series) -> _Latest | None:
    unit = str(measure.get("unit") or "")
    decimals = int(measure.get("decimals") or 0)
    frequency = str(measure.get("frequency") or "month")
    valid = points["value"].notna().to_numpy()
    if not valid.any():
        return None
    last = points[valid].iloc[-1]
    floor = 0.0 if float(points["value"].min()) >= 0 else None
    return _Latest(
        point=last,
        valid=valid,
        frequency=frequency,
        per=f" a {frequency}" if str(measure.get("aggregation") or "sum") == "sum" else "",
        kind=str(last["point_type"]),
        when=period_label(pd.to_datetime(pd.Series(dates)).reset_index(drop=True)[valid].iloc[-1], frequency),
        value=format_value(float(last["value"]), unit, decimals),
        centre=format_value(float(last["centre"]), unit, decimals),
        expect=expected_range(float(last["lower"]), float(last["upper"]), unit, decimals, floor=floor),
    )


def _window(points: pd.DataFrame, dates: pd.Series, frequency: str) -> tuple[str, bool]:
    """The signals in the shown window in words, and whether they all lie before the latest point's phase."""
    said = signal_words.summary(points, dates, frequency=frequency)
    if not said or "phase" not in points.columns:
        return said, False
    flagged = points["signal"].fillna(False).astype(bool).to_numpy()
    present = points["value"].notna().to_numpy()
    phase = points["phase"].to_numpy()
    now = phase[present][-1]
    return said, bool(not (flagged & (phase == now)).any())


def changed_note(since: Any) -> str:
    """What a chart with stale limits says: 'The system has changed since Mar 2025: these limits no
    longer describe it.' (``since`` is the first period of the sustained shift)."""
    return f"The system has changed since {pd.Timestamp(since):%b %Y}: these limits no longer describe it."


def _phase_start(points: pd.DataFrame, dates: pd.Series, frequency: str) -> str:
    present = points["value"].notna().to_numpy()
    phase = points["phase"].to_numpy()
    first = int(np.flatnonzero(present & (phase == phase[present][-1]))[0])
    return signal_words.span(
        pd.to_datetime(pd.Series(dates)).iloc[first], pd.to_datetime(pd.Series(dates)).iloc[first], frequency
    )


def measure_sentence(
    measure: Mapping[str, Any], points: pd.DataFrame, dates: pd.Series, *, changed_since: Any = None
) -> str:
    """One sentence for a measure's chart: where it sits now, the range to expect, and any signal.

    "Stable" only when no point shown is special cause; otherwise the signals are named with their
    periods ("above the upper limit in Jun 2026, and a run of 9 months below the average (Mar–Nov
    2025): not a stable process"). ``changed_since`` (the start of a sustained shift since the last
    phase began, from :func:`perf.analysis.stale.changed_since`) says the limits no longer describe the system.
    """
    now = _latest(measure, points, dates)
    if now is None:
        return f"{measure.get('name', 'This measure')} has no values yet."
    last, frequency, per, kind, where = now.point, now.frequency, now.per, now.kind, now.when
    latest, centre = now.value, now.centre
    said, before_phase = _window(points, dates, frequency)
    if not said:
        shown = int(now.valid.sum())
        return (
            f"Stable at about {centre}{per}; expect {now.expect}; no signal in the "
            f"{signal_words.plural(shown, frequency)} shown. Latest ({where}): {latest}."
        )
    if kind == "common_cause":
        state = _WORDS[kind]
    else:
        words = _WORDS[kind] if _WORDS[kind].startswith("a signal") else f"a signal: {_WORDS[kind]}"
        rule = RULE_WORDS.get(str(last.get("special_cause") or ""), "")
        state = f"{words} ({rule})" if rule else words
    limits = (
        changed_note(changed_since).removesuffix(".").replace("these limits", f"the limits ({now.expect})") + "."
        if changed_since is not None
        else f"The average is about {centre}{per}, with limits {now.expect}."
    )
    if before_phase:
        opening = f"No signal since the system changed ({_phase_start(points, dates, frequency)}); before then, {said}."
    else:
        opening = f"{_capital(said)}: not a stable process."
    if changed_since is not None:  # the news first: the limits describe a system that has gone
        return f"{limits} {_capital(said)}. Latest ({where}): {latest}, {state}."
    return f"{opening} Latest ({where}): {latest}, {state}. {limits}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def headline(
    measure: Mapping[str, Any], points: pd.DataFrame, dates: pd.Series, *, changed_since: Any = None
) -> tuple[str, str]:
    """A short headline for a shared screen and the detail line under it.

    "47 households in October 2026: a signal of improvement." / "A run of 9 months above the
    average (Feb–Oct 2026): not a stable process. The average is about 42 households a month, ..."
    "Stable" only when no point shown is special cause.
    """
    now = _latest(measure, points, dates)
    if now is None:
        return f"{measure.get('name', 'This measure')} has no values yet.", ""
    per, kind, when, centre, expect = now.per, now.kind, now.when, now.centre, now.expect
    said, before_phase = _window(points, dates, now.frequency)
    in_when = f"the {when}" if now.frequency == "week" else when  # "in the week of 3 Mar 2025"
    if not said:
        return (f"Stable at about {centre}{per}.", f"Expect {expect}; {when}: {now.value}, within normal variation.")
    limits = (
        changed_note(changed_since)
        if changed_since is not None
        else f"The average is about {centre}{per}, with limits {expect}."
    )
    if changed_since is not None:  # the news first: the limits describe a system that has gone
        head = f"{now.value} in {in_when}." if kind == "common_cause" else f"{now.value} in {in_when}: {_WORDS[kind]}."
        return head, f"{limits} {_capital(said)}."
    if before_phase:
        return (
            f"No signal since the system changed ({_phase_start(points, dates, now.frequency)}).",
            f"About {centre}{per}; {when}: {now.value}. Before the change: {said}. {limits}",
        )
    if kind == "common_cause":
        return (
            f"Not a stable process: about {centre}{per}.",
            f"{_capital(said)}. {when[:1].upper() + when[1:]}: {now.value}, within normal variation. {limits}",
        )
    return (f"{now.value} in {in_when}: {_WORDS[kind]}.", f"{_capital(said)}: not a stable process. {limits}")


_WORDS = {kind: style.signal for kind, style in vocabulary.POINT_TYPES.items()}  # "a signal of improvement"


def freshness(latest_period: Any, last_entered: Any, frequency: str) -> str:
    """How fresh a measure's data is, e.g. 'Latest: March 2026, entered 3 Apr 2026'."""
    if latest_period is None or pd.isna(latest_period):
        return "No data yet"
    text = f"Latest: {period_label(latest_period, frequency)}"
    if last_entered is not None and not pd.isna(last_entered):
        entered = pd.Timestamp(last_entered)
        text += f", entered {entered.day} {entered:%b %Y}"
    return text


# a note more than this many of a measure's periods before its latest figure is marked as old:
# a quarter of weekly figures, half a year of monthly ones, a year of quarterly ones, two years
OLD_NOTE_PERIODS = {"week": 13, "month": 6, "quarter": 4, "year": 2}
_MONTHS = {"week": 12 / 52, "month": 1.0, "quarter": 3.0, "year": 12.0}


def note_label(
    period_start: Any, written_at: Any, frequency: str, *, first_shown: Any = None, latest: Any = None
) -> str:
    """Which period a note is about, and whether it is old news: "Note on March 2023 — older than
    this chart", "Note on March 2025 — 19 months before the latest figure", "Note on October 2026".

    A note with no period is dated by when it was written. ``first_shown`` is the chart's first
    period, ``latest`` its latest: a note from before the chart, or more than
    ``OLD_NOTE_PERIODS`` periods before the latest figure, says so.
    """
    about = None if period_start is None or pd.isna(period_start) else pd.Timestamp(period_start)
    written = None if written_at is None or pd.isna(written_at) else pd.Timestamp(written_at)
    if about is not None:
        text, when = f"Note on {'the ' if frequency == 'week' else ''}{period_label(about, frequency)}", about
    elif written is not None:
        text, when = f"Note written {written.day} {written:%b %Y}", written.normalize()
    else:
        return "Note (undated)"
    if first_shown is not None and pd.notna(first_shown) and when < pd.Timestamp(first_shown):
        return f"{text} — older than this chart"
    if latest is not None and pd.notna(latest):
        months = (pd.Timestamp(latest).year - when.year) * 12 + pd.Timestamp(latest).month - when.month
        behind = int(round(months / _MONTHS.get(frequency, 1.0)))
        if behind > OLD_NOTE_PERIODS.get(frequency, 6):
            unit = "month" if frequency == "week" else frequency
            count = months if frequency == "week" else behind
            return f"{text} — {signal_words.plural(count, unit)} before the latest figure"
    return text
