"""The plain-English sentence that says what a chart says, for officers and councillors alike."""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

VARIATION_WORDS = {
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause: improving",
    "special_cause_concern": "Special cause: concerning",
    "special_cause_neutral_high": "Special cause: unusually high",
    "special_cause_neutral_low": "Special cause: unusually low",
}
RULE_WORDS = {
    "outside_limits": "outside the limits",
    "trend": "a run of points rising or falling",
    "two_of_three": "two of three points near a limit",
    "shift": "a run of points on one side of the average",
    "three_of_four": "three of four points beyond the halfway line",
    "four_of_five": "four of five points beyond one sigma",
    "mr_signal": "an unusually large jump between periods",
}
ASSURANCE_WORDS = {
    "consistent_pass": "Will consistently meet the target",
    "consistent_fail": "Will consistently miss the target",
    "inconsistent": "Will sometimes meet and sometimes miss the target",
}


def format_value(value: float | None, unit: str = "", decimals: int = 0) -> str:
    """A value as a person would say it: thousands separated, the unit attached the usual way."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    text = f"{value:,.{decimals}f}"
    if unit == "%":
        return f"{text}%"
    if unit in {"£", "GBP"}:
        return f"£{text}"
    return f"{text} {unit}".strip()


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
        point=last, valid=valid, frequency=frequency,
        per=f" a {frequency}" if str(measure.get("aggregation") or "sum") == "sum" else "",
        kind=str(last["point_type"]),
        when=period_label(pd.to_datetime(pd.Series(dates)).reset_index(drop=True)[valid].iloc[-1], frequency),
        value=format_value(float(last["value"]), unit, decimals),
        centre=format_value(float(last["centre"]), unit, decimals),
        expect=expected_range(float(last["lower"]), float(last["upper"]), unit, decimals, floor=floor),
    )  # fmt: skip


def measure_sentence(measure: Mapping[str, Any], points: pd.DataFrame, dates: pd.Series) -> str:
    """One sentence for a measure's chart: where it sits now, the range to expect, and any signal."""
    now = _latest(measure, points, dates)
    if now is None:
        return f"{measure.get('name', 'This measure')} has no values yet."
    last, frequency, per, kind, where = now.point, now.frequency, now.per, now.kind, now.when
    latest, centre, expect = now.value, now.centre, "expect " + now.expect
    if kind == "common_cause":
        recent = points["signal"].fillna(False).astype(bool).to_numpy()[now.valid]
        tail = min(len(recent), 13 if frequency == "week" else 6 if frequency == "month" else 4)
        calm = "" if recent[-tail:].any() else f"; no signal in the last {tail} {frequency}s"
        return f"Stable at about {centre}{per}; {expect}{calm}. Latest ({where}): {latest}."
    words = {
        "special_cause_improvement": "a signal of improvement",
        "special_cause_concern": "a signal of concern",
        "special_cause_neutral_high": "a signal: unusually high",
        "special_cause_neutral_low": "a signal: unusually low",
    }[kind]
    rule = RULE_WORDS.get(str(last.get("special_cause") or ""), "")
    because = f" ({rule})" if rule else ""
    return (f"Latest ({where}): {latest}, {words}{because}. The average in this phase is {centre}{per}; "
            f"{expect} while the system stays as it is.")


def headline(measure: Mapping[str, Any], points: pd.DataFrame, dates: pd.Series) -> tuple[str, str]:
    """A short headline for a shared screen and the detail line under it.

    "47 households in October 2026: a signal of improvement." / "Average 42 households a month;
    expect between 22 and 62 households while the system stays as it is."
    """
    now = _latest(measure, points, dates)
    if now is None:
        return f"{measure.get('name', 'This measure')} has no values yet.", ""
    last, per, kind, when, centre, expect = now.point, now.per, now.kind, now.when, now.centre, now.expect
    if kind == "common_cause":
        return (f"Stable at about {centre}{per}.",
                f"Expect {expect}; {when}: {now.value}, within normal variation.")
    words = {"special_cause_improvement": "a signal of improvement", "special_cause_concern": "a signal of concern",
             "special_cause_neutral_high": "unusually high", "special_cause_neutral_low": "unusually low"}[kind]
    rule = RULE_WORDS.get(str(last.get("special_cause") or ""), "")
    return (f"{now.value} in {when}: {words}.",
            f"{rule[:1].upper() + rule[1:] + '. ' if rule else ''}Average {centre}{per}; expect {expect} while the "
            "system stays as it is.")


def freshness(latest_period: Any, last_entered: Any, frequency: str) -> str:
    """How fresh a measure's data is, e.g. 'Latest: March 2026, entered 3 Apr 2026'."""
    if latest_period is None or pd.isna(latest_period):
        return "No data yet"
    text = f"Latest: {period_label(latest_period, frequency)}"
    if last_entered is not None and not pd.isna(last_entered):
        entered = pd.Timestamp(last_entered)
        text += f", entered {entered.day} {entered:%b %Y}"
    return text
