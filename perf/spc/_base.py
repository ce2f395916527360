"""The footing every process-behaviour chart stands on: vocabulary, checked inputs, XmR limits.

Type aliases and constants (each with its source; ``docs/methods.md`` collects them), the
checks and set-up shared by every chart kind, and the XmR limits vectorised over segments (the
phases of one series or of many). Import the public names from :mod:`perf.spc`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from perf.spc import _rules

Improvement = Literal["up", "down", "neutral"]
RuleSet = Literal["mdc", "wheeler", "western_electric", "anhoej"]
MovingRange = Literal["mean", "median"]
PointType = Literal[
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
]
Assurance = Literal["consistent_pass", "consistent_fail", "inconsistent"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# --- constants, each with its source --------------------------------------------------------
D2 = 1.128  # bias correction d2 for ranges of two values (Wheeler & Chambers, Understanding SPC, table A.1)
NATURAL_LIMIT_FACTOR = 2.66  # 3 / d2 = 3 / 1.128 (Wheeler, Understanding Variation, 2000, p. 59)
MR_UPPER_FACTOR = 3.268  # D4 for n = 2: upper range limit = 3.268 x mean moving range (Wheeler 2000)
MEDIAN_LIMIT_FACTOR = 3.145  # 3 / d4 with d4 = 0.954 (Wheeler & Chambers, Understanding SPC, 2nd ed., ch. 6)
MEDIAN_MR_UPPER_FACTOR = 3.865  # upper limit for moving ranges from the median (Wheeler & Chambers, ch. 6)
MR_SCREEN_FACTOR = 3.267  # moving ranges >= 3.267 x mean are screened (Nelson 1982; NHSRplotthedots)
SIGMA_LIMITS = 3.0  # limits at three sigma (Shewhart 1931; Montgomery, Intro. to SQC, 8th ed., 6.2)
SHORT_PHASE = 12  # fewer points warn that limits are unreliable (NHSRplotthedots warning_threshold)
RUN_LENGTH = {"mdc": 7, "wheeler": 8, "western_electric": 8}  # MDC (2019); Wheeler 2000 rule 4; WECo 1956 rule 4
TREND_LENGTH = 7  # 7 points = 6 successive rises or falls (NHS England, Making Data Count, 2019)

POINT_TYPES: tuple[PointType, ...] = get_args(PointType)
POINT_COLUMNS = (
    "value", "phase", "centre", "lower", "upper", "moving_range", "mr_upper", "mr_signal",
    *_rules.RULE_COLUMNS, "signal", "special_cause", "point_type",
)  # fmt: skip
PHASE_COLUMNS = (
    "phase", "start", "end", "n", "centre", "lower", "upper", "mr_mean", "mr_upper", "short",
    "n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min", "runs_signal",
)  # fmt: skip


# --- input checks ---------------------------------------------------------------------------
def _as_float_array(values: Any, name: str) -> FloatArray:
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=float, na_value=np.nan)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers (NaN for a missing period): {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(f"{name} must be finite numbers or NaN, got an infinite value")
    return arr


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(f"{name} must be {options}, got {value!r}")


# Wheeler's rules read the moving-range chart too (a moving range above its limit), and the mR
# chart is the second half of the XmR chart (Wheeler, Understanding Variation, 2000). p, u and c
# charts are single charts with limits from a binomial or Poisson model and no range chart
# (Montgomery, Intro. to SQC, 8th ed., ch. 7); a run chart has no limits of either kind.
RULES_WITHOUT_MR_CHART: tuple[RuleSet, ...] = tuple(r for r in get_args(RuleSet) if r != "wheeler")


def _check_rules_without_mr_chart(rules: object, chart: str) -> None:
    """Refuse ``rules="wheeler"`` for a chart that has no moving-range chart (``chart`` names it)."""
    if rules == "wheeler":
        allowed = RULES_WITHOUT_MR_CHART
        options = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(
            f"rules for a {chart} must be {options}, got 'wheeler': Wheeler's rules include a moving "
            f"range above its limit, and a {chart} has no moving-range chart"
        )


def _positions(given: Sequence[Any] | Any, n: int, dates: pd.DatetimeIndex | None, name: str) -> IntArray:
    """0-based positions from positions or (with ``dates``) dates.

    A phase start dated between periods starts at the next period; an excluded date must be one
    of the dates.
    """
    items = list(given) if not isinstance(given, (str, int, np.integer)) else [given]
    out: list[int] = []
    for item in items:
        if dates is not None and not isinstance(item, (int, np.integer)):
            when = pd.Timestamp(item)
            at = int(dates.searchsorted(when))
            if name == "exclude" and (at >= n or dates[at] != when):
                raise ValueError(f"exclude date {when.date()} is not one of the dates")
            out.append(at)
            continue
        if not isinstance(item, (int, np.integer)) or isinstance(item, bool):
            raise ValueError(f"{name} must be 0-based positions (or dates when dates is given), got {item!r}")
        if not 0 <= int(item) < n:
            raise ValueError(f"{name} position {int(item)} is outside 0..{n - 1}")
        out.append(int(item))
    return np.asarray(sorted(set(out)), dtype=np.int64)


def _dates(dates: Any, n: int) -> pd.DatetimeIndex | None:
    if dates is None:
        return None
    idx = pd.DatetimeIndex(pd.to_datetime(list(dates) if not isinstance(dates, pd.Index) else dates))
    if len(idx) != n:
        raise ValueError(f"dates must have one entry per value: {len(idx)} dates for {n} values")
    if not idx.is_monotonic_increasing:
        raise ValueError("dates must be in increasing order")
    return idx


@dataclass(frozen=True)
class _Setup:
    """The checked inputs shared by every chart kind."""

    value: FloatArray
    dates: pd.DatetimeIndex | None
    phase: IntArray
    n_phases: int
    base: BoolArray  # present, not excluded, within the baseline: enters centre and limits
    in_sequence: BoolArray  # present and not excluded: enters runs, trends and windows
    improvement: Improvement
    target: float | None
    rules: RuleSet
    run_length: int
    trend_length: int


def _setup(
    value: FloatArray,
    *,
    dates: Any,
    phase_starts: Any,
    baseline_points: int | None,
    exclude: Any,
    improvement: str,
    target: float | None,
    rules: str,
    run_length: int | None,
    trend_length: int | None,
) -> _Setup:
    n = value.shape[0]
    _check_choice("improvement", improvement, get_args(Improvement))
    _check_choice("rules", rules, get_args(RuleSet))
    if target is not None and not (isinstance(target, (int, float)) and math.isfinite(target)):
        raise ValueError(f"target must be a finite number or None, got {target!r}")
    if baseline_points is not None and (isinstance(baseline_points, bool) or int(baseline_points) < 2):
        raise ValueError(f"baseline_points must be 2 or more, got {baseline_points!r}")
    for name, length in (("run_length", run_length), ("trend_length", trend_length)):
        if length is not None and (isinstance(length, bool) or int(length) < 2):
            raise ValueError(f"{name} must be 2 or more, got {length!r}")
    idx = _dates(dates, n)
    starts = _positions(phase_starts, n, idx, "phase_starts")
    starts = starts[(starts > 0) & (starts < n)]
    if starts.shape[0]:
        phase = np.searchsorted(starts, np.arange(n), side="right").astype(np.int64)
    else:  # one phase, the common case: skip the search
        phase = np.zeros(n, dtype=np.int64)
    in_sequence = ~np.isnan(value)  # present ...
    in_sequence[_positions(exclude, n, idx, "exclude")] = False  # ... and not excluded
    base = in_sequence.copy()
    if baseline_points is not None:
        first = np.concatenate(([0], starts))
        base &= (np.arange(n) - first[phase]) < int(baseline_points)
    return _Setup(
        value=value,
        dates=idx,
        phase=phase,
        n_phases=int(starts.shape[0]) + 1,
        base=base,
        in_sequence=in_sequence,
        improvement=improvement,  # type: ignore[arg-type]
        target=None if target is None else float(target),
        rules=rules,  # type: ignore[arg-type]
        run_length=int(run_length) if run_length is not None else RUN_LENGTH.get(rules, 8),
        trend_length=int(trend_length) if trend_length is not None else TREND_LENGTH,
    )


# --- XmR limits, vectorised over segments (phases of one or many series) ---------------------
def _group_median(x: FloatArray, g: IntArray, n_groups: int) -> FloatArray:
    """Median of ``x`` within each group, without a Python loop over groups."""
    order = np.lexsort((x, g))
    xs = x[order]
    counts = np.bincount(g, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    lo = np.minimum(starts + (counts - 1) // 2, max(xs.shape[0] - 1, 0))
    hi = np.minimum(starts + counts // 2, max(xs.shape[0] - 1, 0))
    if xs.shape[0] == 0:
        return np.full(n_groups, np.nan)
    return np.where(counts > 0, (xs[lo] + xs[hi]) / 2, np.nan)


def _group_mean(x: FloatArray, g: IntArray, n_groups: int) -> FloatArray:
    counts = np.bincount(g, minlength=n_groups)
    sums = np.bincount(g, weights=x, minlength=n_groups)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


class _XmrLimits:
    """Centre, sigma and moving-range statistics per segment, plus each point's moving range."""

    def __init__(
        self,
        value: FloatArray,
        seg: IntArray,
        n_seg: int,
        base: BoolArray,
        *,
        moving_range: str = "mean",
        screen_outliers: bool = False,
    ) -> None:
        n = value.shape[0]
        mr = np.full(n, np.nan)
        same = np.zeros(n, dtype=bool)
        if n > 1:
            same[1:] = seg[1:] == seg[:-1]
            mr[1:] = np.abs(value[1:] - value[:-1])  # np.diff, without its Python overhead
            mr[~same] = np.nan
        # a moving range enters the average only when both its points are in the baseline
        use = same.copy()
        use[1:] &= base[1:] & base[:-1]
        use &= ~np.isnan(mr)
        self.moving_range = mr
        self.centre = _group_mean(value[base], seg[base], n_seg)
        if moving_range == "median":
            mr_centre = _group_median(mr[use], seg[use], n_seg)
            factor, mr_factor = MEDIAN_LIMIT_FACTOR, MEDIAN_MR_UPPER_FACTOR
        else:
            mr_centre = _group_mean(mr[use], seg[use], n_seg)
            if screen_outliers:
                # NHSRplotthedots: keep moving ranges below 3.267 x their mean, average once more
                use &= mr < MR_SCREEN_FACTOR * mr_centre[seg]
                mr_centre = _group_mean(mr[use], seg[use], n_seg)
            factor, mr_factor = NATURAL_LIMIT_FACTOR, MR_UPPER_FACTOR
        self.mr_centre = mr_centre
        self.sigma = factor * mr_centre / SIGMA_LIMITS
        self.mr_upper = mr_factor * mr_centre


def _moving_ranges(value: FloatArray, phase: IntArray) -> FloatArray:
    mr = np.full(value.shape[0], np.nan)
    if value.shape[0] > 1:
        mr[1:] = np.where(phase[1:] == phase[:-1], np.abs(np.diff(value)), np.nan)
    return mr
