"""Check–Plan–Do: did a change to the system shift it? Before and after, judged on signals.

The test is the one Making Data Count teaches: hold the limits of the old system (the points
before the change) and see whether the points after it signal against them (a shift, a trend,
a point outside). Only then recalculate limits from the change date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from perf import spc, store
from perf.spc import Improvement

RULE_WORDS = {
    "outside_limits": "a point outside the old limits",
    "shift": "a run of points on one side of the old average",
    "trend": "a run of points rising or falling",
    "two_of_three": "two of three points close to an old limit",
    "three_of_four": "three of four points beyond the halfway line",
    "four_of_five": "four of five points beyond one sigma",
}


@dataclass(frozen=True)
class BeforeAfter:
    """The change judged: the old system's limits held, then limits recalculated per phase."""

    held: spc.Chart            # limits from the 'before' points, held across the change
    recalculated: spc.Chart    # limits recalculated from the change
    change_at: int             # position of the first point after the change
    before_mean: float
    after_mean: float
    before_range: tuple[float, float]
    after_range: tuple[float, float]
    signal: bool               # did the points after the change signal against the old limits?
    rule: str                  # the rule that shows it ("" if none)
    direction: str             # "up", "down" or ""
    judgement: str             # "improvement", "deterioration", "shift" (neutral) or "no_signal"

    def sentence(self, unit: str = "", decimals: int = 0) -> str:
        """What the review found, in a sentence for the decision log."""
        def f(x: float) -> str:
            text = f"{x:,.{decimals}f}"
            return f"{text}%" if unit == "%" else f"{text} {unit}".strip()

        move = f"The average moved from {f(self.before_mean)} to {f(self.after_mean)}"
        ranges = (f"; the range to expect went from {f(self.before_range[0])}–{f(self.before_range[1])} "
                  f"to {f(self.after_range[0])}–{f(self.after_range[1])}")
        if not self.signal:
            return (f"No signal: the points since the change sit within the old system's variation. "
                    f"{move}{ranges}, but that is within normal variation.")
        verdict = {"improvement": "The change improved the system", "deterioration": "The system got worse",
                   "shift": "The system shifted"}[self.judgement]
        return f"{verdict}: {RULE_WORDS.get(self.rule, self.rule)} shows it. {move}{ranges}."


def _range(phase: pd.Series, floor: float) -> tuple[float, float]:
    return max(float(phase["lower"]), floor), float(phase["upper"])


def before_after(values: Any, change_at: int, *, improvement: Improvement = "neutral",
                 rules: spc.RuleSet = "mdc") -> BeforeAfter:
    """Judge a change at position ``change_at`` (the first point of the new system)."""
    series = pd.Series(values, dtype=float).reset_index(drop=True)
    if not 2 <= change_at <= len(series) - 1:
        raise ValueError(f"the change must leave at least 2 points before it and 1 after, got position {change_at} "
                         f"of {len(series)}")
    held = spc.xmr(series, baseline_points=change_at, improvement=improvement, rules=rules)
    recalculated = spc.xmr(series, phase_starts=[change_at], improvement=improvement, rules=rules)
    after = held.points.iloc[change_at:]
    flagged = after[after["signal"].fillna(False).astype(bool)]
    phases = recalculated.phases
    floor = 0.0 if float(series.min()) >= 0 else -np.inf  # counts and days cannot go below zero
    before_mean, after_mean = float(phases["centre"].iloc[0]), float(phases["centre"].iloc[-1])
    signal = not flagged.empty
    rule = str(flagged["special_cause"].iloc[0]) if signal else ""
    direction = ""
    if signal:
        old_centre = float(held.points["centre"].iloc[0])
        direction = "up" if float(np.nanmean(flagged["value"])) > old_centre else "down"
    if not signal:
        judgement = "no_signal"
    elif improvement == "neutral":
        judgement = "shift"
    else:
        judgement = "improvement" if direction == improvement else "deterioration"
    return BeforeAfter(
        held=held, recalculated=recalculated, change_at=change_at,
        before_mean=before_mean, after_mean=after_mean,
        before_range=_range(phases.iloc[0], floor), after_range=_range(phases.iloc[-1], floor),
        signal=signal, rule=rule, direction=direction, judgement=judgement,
    )


def record(con: duckdb.DuckDBPyConnection, *, measure_id: str, change_date: dt.date, decision: str,
           actions: str, reviewed_by: str) -> None:
    """Keep the review's decision and actions beside the measure (plain text, never markup)."""
    decision, actions = decision.strip(), actions.strip()
    if not decision:
        raise ValueError("Write the decision the review reached before saving.")
    if len(decision) > 4000 or len(actions) > 4000:
        raise ValueError("Decision and actions are limited to 4,000 characters each.")
    with store.write_transaction(con) as cur:
        cur.execute(store.sql_text("review_insert"), {
            "measure_id": measure_id, "change_date": change_date, "decision": decision, "actions": actions,
            "reviewed_by": reviewed_by or "unknown", "reviewed_at": dt.datetime.now().replace(microsecond=0)})


def history(con: duckdb.DuckDBPyConnection, measure_id: str) -> pd.DataFrame:
    """Earlier reviews of a measure, newest first."""
    return store.query(con, "review_list", {"measure_id": measure_id})
