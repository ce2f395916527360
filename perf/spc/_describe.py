"""The plain-English sentence under a chart, for a briefing: ``Chart.describe()``."""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import pandas as pd

from perf.words import signal_words, vocabulary
from perf.spc._base import RUN_LENGTH, TREND_LENGTH, Assurance, Improvement, RuleSet


class Chart(Protocol):
    """What a sentence reads of a chart (``_chart.Chart`` has it): no import back to ``_chart``."""

    @property
    def points(self) -> pd.DataFrame: ...
    @property
    def assurance(self) -> Assurance | None: ...
    @property
    def improvement(self) -> Improvement: ...
    @property
    def target(self) -> float | None: ...
    @property
    def rules(self) -> RuleSet: ...
    @property
    def kind(self) -> str: ...


_TYPE_WORDS = {kind: style.words for kind, style in vocabulary.POINT_TYPES.items() if kind != "common_cause"}


def _decimals(scale: float) -> int:
    """Enough decimals to tell the limits apart: 0 for a spread in the hundreds, 1 for tens, ..."""
    if not math.isfinite(scale) or scale <= 0:
        return 0
    return int(min(3, max(0, 2 - math.floor(math.log10(scale)))))


def _fmt(x: float, decimals: int, kind: str) -> str:
    if kind == "p":
        return f"{x * 100:,.{max(decimals - 2, 0)}f}%"
    return f"{x:,.{decimals}f}"


def _describe(
    chart: Chart, unit: str | None, decimals: int | None, period_name: str | None, per_period: bool | None
) -> str:
    pts = chart.points
    present = pts["value"].notna().to_numpy()
    if not present.any():
        return "No data yet."
    period = period_name or "period"
    periods = period + "s"
    rate = (period_name is not None) if per_period is None else per_period
    i = int(np.flatnonzero(present)[-1])
    last = pts.iloc[i]
    phase = pts["phase"].to_numpy()
    in_phase = (phase == last["phase"]) & present
    unit_words = f" {unit}" if unit else ""
    per = f" a {period}" if rate else ""

    spread = float(last["upper"]) - float(last["lower"])
    if not math.isfinite(spread):
        spread = abs(float(last["centre"]))
    places = _decimals(spread) if decimals is None else decimals

    def num(x: float) -> str:
        return _fmt(x, places, chart.kind)

    centre = f"about {num(float(last['centre']))}{unit_words}{per}"
    has_limits = math.isfinite(float(last["lower"])) and math.isfinite(float(last["upper"]))
    expect = f"expect between {num(float(last['lower']))} and {num(float(last['upper']))}" if has_limits else ""
    words = {"trend": TREND_LENGTH, "run": RUN_LENGTH.get(chart.rules, 8), "period": period, "periods": periods}
    sig = pts["signal"].to_numpy() & in_phase
    sig_idx = np.flatnonzero(sig)
    anywhere = bool((pts["signal"].to_numpy() & present).any())
    dates = pts["date"] if "date" in pts.columns else None
    frequency = period_name if period_name in ("week", "month", "quarter", "year") else "month"
    said = signal_words.summary(pts, dates, frequency=frequency, period=period)
    if last["signal"]:
        reason = vocabulary.RULES[str(last["special_cause"])]
        high = (
            str(last["point_type"]).endswith(("_high",))
            or (chart.improvement == "up" and last["point_type"] == "special_cause_improvement")
            or (chart.improvement == "down" and last["point_type"] == "special_cause_concern")
        )
        why = (reason.above if high else reason.below).format(**words)
        text = (
            f"The latest {period} ({num(float(last['value']))}{unit_words}) is "
            f"{_TYPE_WORDS[str(last['point_type'])]}: {why}; the average has been {centre}"
        )
        text += f" ({expect})" if expect else ""
        # other signals than the latest point's own: named, with when
        earlier = pts["signal"].to_numpy() & present
        j = i
        while j > 0 and earlier[j - 1] and pts["phase"].iloc[j - 1] == last["phase"]:
            j -= 1
        earlier[j:] = False
        if earlier.any():
            text += f"; not a stable process: {said}"
    elif not anywhere:
        since = int(in_phase[: i + 1].sum())
        text = f"Stable at {centre}"
        text += f"; {expect}" if expect else ""
        text += f"; no signal in the last {since} {periods if since != 1 else period}"
    elif sig_idx.shape[0] == 0:  # signals only before the latest system change
        text = f"No signal since the system changed ({int(in_phase[: i + 1].sum())} {periods} ago): {centre}"
        text += f"; {expect}" if expect else ""
        text += f"; before then, {said}"
    else:
        since = int(in_phase[sig_idx[-1] + 1 : i + 1].sum())
        text = f"At {centre}"
        text += f"; {expect}" if expect else ""
        text += f"; the last signal was {since} {periods if since != 1 else period} ago; not a stable process: {said}"
    if chart.assurance is not None and chart.target is not None:
        t = num(chart.target)
        text += {
            "consistent_pass": f"; it will meet the target of {t} every {period} without change",
            "consistent_fail": f"; it will not meet the target of {t} unless the system changes",
            "inconsistent": f"; it will meet the target of {t} in some {periods} and miss it in others",
        }[chart.assurance]
    return text + "."
