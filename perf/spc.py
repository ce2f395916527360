"""Process-behaviour charts: limits per phase, special-cause rules, variation and assurance.

One result type, :class:`Chart`, for every chart kind (XmR, p, u, c, run, trended XmR). The
statistics are vectorised with numpy; the rules live in :mod:`perf.signals`. Every constant below
carries its source; ``docs/methods.md`` collects them and lists where we depart from
NHSRplotthedots and the NHS England *Making Data Count* tool.

Example
-------
>>> chart = xmr([5045, 4350, 4350, 3975, 4290, 4430, 4485, 4285,
...              3980, 3925, 3645, 3760, 3300, 3685, 3463, 5200])
>>> print(chart.phases.loc[0, ["centre", "lower", "upper"]].astype(float).round(2).tolist())
[4135.5, 3188.72, 5082.28]
>>> chart.variation
'special_cause_neutral_high'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from perf import signals

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
    *signals.RULE_COLUMNS, "signal", "special_cause", "point_type",
)  # fmt: skip
PHASE_COLUMNS = (
    "phase", "start", "end", "n", "centre", "lower", "upper", "mr_mean", "mr_upper", "short",
    "n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min", "runs_signal",
)  # fmt: skip


@dataclass(frozen=True)
class Chart:
    """A process-behaviour chart: every point with its limits and signals, and each phase.

    ``points`` has one row per input value, in input order: ``value``, ``phase`` (0, 1, ...),
    ``centre``, ``lower``, ``upper``, ``moving_range``, ``mr_upper``, ``mr_signal``, a boolean per
    rule (``outside_limits``, ``trend``, ``two_of_three``, ``shift``, ``three_of_four``,
    ``four_of_five``; False where the rule is not in the convention), ``signal`` (any rule),
    ``special_cause`` (the rule that labels the point, "" if none) and ``point_type``; plus
    ``date`` when dates were given. ``phases`` has one row per phase (see ``PHASE_COLUMNS``).
    """

    points: pd.DataFrame
    phases: pd.DataFrame
    variation: PointType | None
    assurance: Assurance | None
    warnings: list[str] = field(default_factory=list)
    improvement: Improvement = "neutral"
    target: float | None = None
    rules: RuleSet = "mdc"
    kind: str = "xmr"

    def describe(
        self,
        *,
        unit: str | None = None,
        decimals: int | None = None,
        period_name: str | None = None,
        per_period: bool | None = None,
    ) -> str:
        """One plain-English sentence for a briefing, e.g. "Stable at about 1,150 a week; ...".

        ``per_period`` (default: True when ``period_name`` is given) says "a week" after the
        average; pass False for measures that are not counts per period (days to complete).
        """
        return _describe(self, unit, decimals, period_name, per_period)


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


def _positions(
    given: Sequence[Any] | Any, n: int, dates: pd.DatetimeIndex | None, name: str
) -> IntArray:
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
    phase = np.searchsorted(starts, np.arange(n), side="right").astype(np.int64)
    present = ~np.isnan(value)
    excluded = np.zeros(n, dtype=bool)
    excluded[_positions(exclude, n, idx, "exclude")] = True
    base = present & ~excluded
    if baseline_points is not None:
        first = np.concatenate(([0], starts))
        base &= (np.arange(n) - first[phase]) < int(baseline_points)
    return _Setup(
        value=value,
        dates=idx,
        phase=phase,
        n_phases=int(starts.shape[0]) + 1,
        base=base,
        in_sequence=present & ~excluded,
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
            mr[1:] = np.abs(np.diff(value))
            mr[~same] = np.nan
        # a moving range enters the average only when both its points are in the baseline
        use = same.copy()
        use[1:] &= base[1:] & base[:-1]
        use &= ~np.isnan(mr)
        self.moving_range = mr
        self.centre = _group_mean(value[base], seg[base], n_seg)
        self.n_mr = np.bincount(seg[use], minlength=n_seg)
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


# --- assembling a chart -------------------------------------------------------------------------
_IMPROVEMENT_SIGN = {"up": 1, "down": -1, "neutral": 0}


def _point_type_codes(label: IntArray, direction: IntArray, improvement_sign: IntArray | int) -> IntArray:
    """Index into POINT_TYPES per point; ``improvement_sign`` is +1 up, -1 down, 0 neutral (per point or one)."""
    imp = np.broadcast_to(np.asarray(improvement_sign, dtype=np.int64), label.shape)
    high = direction >= 0
    good = np.where(imp > 0, high, ~high)
    special_code = np.where(imp == 0, np.where(high, 3, 4), np.where(good, 1, 2))
    return np.where(label >= 0, special_code, 0).astype(np.int64)


def _point_types(label: IntArray, direction: IntArray, improvement: str) -> NDArray[np.object_]:
    codes = _point_type_codes(label, direction, _IMPROVEMENT_SIGN[improvement])
    return np.asarray(POINT_TYPES, dtype=object)[codes]


def _assurance(target: float | None, improvement: str, lower: float, upper: float) -> Assurance | None:
    """NHS England Making Data Count assurance icons, as NHSRplotthedots ptd_calculate_assurance_type."""
    if target is None or improvement == "neutral" or not (math.isfinite(lower) and math.isfinite(upper)):
        return None
    if target > upper:
        return "consistent_fail" if improvement == "up" else "consistent_pass"
    if target < lower:
        return "consistent_pass" if improvement == "up" else "consistent_fail"
    return "inconsistent"


_LAYOUTS: dict[tuple[tuple[str, Any], ...], tuple[pd.Index, list[tuple[tuple[int, ...], IntArray]]]] = {}
POINT_TYPE_DTYPE = pd.CategoricalDtype(list(POINT_TYPES))
_SPECIAL_CAUSE_DTYPES = {rules: pd.CategoricalDtype(["", *names]) for rules, names in signals.RULES.items()}


def _special_cause_dtype(rules: str) -> pd.CategoricalDtype:
    return _SPECIAL_CAUSE_DTYPES[rules]


def _categorical(codes: IntArray, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """A fixed vocabulary (point types, rule names) as a categorical: cheap to build, compares as str."""
    return pd.Categorical.from_codes(codes.astype(np.int8), dtype=dtype, validate=False)


def _frame(cols: list[tuple[str, Any]], n_rows: int) -> pd.DataFrame:
    """A DataFrame from (name, 1-D array) pairs, built a block per dtype.

    ``pd.DataFrame(dict)`` inspects every column and costs about 1 ms for a chart's 17 columns;
    stacking same-typed numpy columns into one block each (pandas.api.internals, public since
    pandas 3.0) costs a fraction of that, which is what lets a thousand charts build in under a
    second. The layout (which columns share a block) is worked out once per set of columns.
    """
    from pandas.api.internals import create_dataframe_from_blocks  # type: ignore[import-not-found,unused-ignore]

    key = tuple((name, arr.dtype if isinstance(arr, np.ndarray) else None) for name, arr in cols)
    layout = _LAYOUTS.get(key)
    if layout is None:
        groups: dict[Any, list[int]] = {}
        for i, (_, dtype) in enumerate(key):
            groups.setdefault(dtype if dtype is not None else ("ext", i), []).append(i)
        layout = _LAYOUTS.setdefault(
            key,
            (
                pd.Index([name for name, _ in key]),
                [(tuple(where), np.asarray(where, dtype=np.int64)) for where in groups.values()],
            ),
        )
    columns, parts = layout
    blocks: list[tuple[Any, IntArray]] = []
    for where, place in parts:
        first = cols[where[0]][1]
        if not isinstance(first, np.ndarray):
            blocks.append((first, place))
        else:
            blocks.append((np.array([cols[i][1] for i in where]), place))  # one C call, no dispatch
    frame: pd.DataFrame = create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n_rows), columns=columns)
    return frame


def _build(
    s: _Setup,
    centre: FloatArray,
    sigma: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    moving_range: FloatArray,
    mr_upper: FloatArray,
    phase_stats: dict[str, FloatArray],
    quiet: BoolArray,
    warnings: list[str],
    *,
    kind: str,
    two_of_three_includes_outside: bool = True,
    mr_signal: BoolArray | None = None,
) -> Chart:
    """Run the rules and put points, phases, variation, assurance and warnings together."""
    value = s.value
    mr_dir = None
    if mr_signal is not None:
        mr_dir = np.zeros(value.shape[0], dtype=np.int64)
        mr_dir[1:] = np.nan_to_num(np.sign(np.diff(value))).astype(np.int64)
    found = signals.detect(
        value, centre, sigma, lower, upper, s.phase, s.n_phases, s.in_sequence, quiet,
        rules=s.rules, run_length=s.run_length, trend_length=s.trend_length,
        two_of_three_includes_outside=two_of_three_includes_outside,
        mr_signal=mr_signal, mr_direction=mr_dir,
    )  # fmt: skip
    chosen = signals.RULES[s.rules]
    any_signal = np.zeros(value.shape[0], dtype=bool)
    for name in chosen:
        any_signal |= found.flags[name]
    cols: list[tuple[str, Any]] = [] if s.dates is None else [("date", s.dates.array)]
    cols += [
        ("value", value), ("phase", s.phase), ("centre", centre), ("lower", lower), ("upper", upper),
        ("moving_range", moving_range), ("mr_upper", mr_upper), ("mr_signal", found.flags["mr_signal"]),
    ]  # fmt: skip
    cols += [(name, found.flags[name]) for name in signals.RULE_COLUMNS]
    type_codes = _point_type_codes(found.label, found.direction, _IMPROVEMENT_SIGN[s.improvement])
    cols += [
        ("signal", any_signal),
        ("special_cause", _categorical(found.label + 1, _special_cause_dtype(s.rules))),
        ("point_type", _categorical(type_codes, POINT_TYPE_DTYPE)),
    ]
    points = _frame(cols, value.shape[0])

    n = value.shape[0]
    present = ~np.isnan(value)
    bounds = np.flatnonzero(np.diff(s.phase)) + 1
    starts = np.concatenate(([0], bounds)).astype(np.int64)
    ends = np.concatenate((bounds - 1, [n - 1])).astype(np.int64)
    counts = np.bincount(s.phase[present], minlength=s.n_phases).astype(np.int64)
    runs = found.runs
    phase_cols: list[tuple[str, Any]] = [
        ("phase", np.arange(s.n_phases, dtype=np.int64)), ("start", starts), ("end", ends), ("n", counts),
        ("centre", phase_stats["centre"]), ("lower", phase_stats["lower"]),
        ("upper", phase_stats["upper"]), ("mr_mean", phase_stats["mr_mean"]),
        ("mr_upper", phase_stats["mr_upper"]), ("short", counts < SHORT_PHASE),
        ("n_useful", runs.n_useful), ("longest_run", runs.longest_run),
        ("longest_run_max", runs.longest_run_max), ("crossings", runs.crossings),
        ("crossings_min", runs.crossings_min), ("runs_signal", runs.runs_signal),
    ]  # fmt: skip
    if s.dates is not None:
        phase_cols += [("start_date", s.dates[starts].array), ("end_date", s.dates[ends].array)]
    phases = _frame(phase_cols, s.n_phases)

    last = np.flatnonzero(present)
    variation: PointType | None = None
    assurance: Assurance | None = None
    if last.shape[0]:
        i = int(last[-1])
        variation = POINT_TYPES[int(type_codes[i])]
        assurance = _assurance(s.target, s.improvement, float(lower[i]), float(upper[i]))
    warnings = list(warnings)
    for p in np.flatnonzero(counts < SHORT_PHASE):
        where = "The chart" if s.n_phases == 1 else f"Phase {p + 1}"
        if counts[p] < 2:
            has = "no values" if counts[p] == 0 else "only 1 value"
            warnings.append(f"{where} has {has}, so there are no limits yet.")
        else:
            warnings.append(
                f"{where} has only {counts[p]} points; limits from fewer than {SHORT_PHASE} points are unreliable."
            )
    missing = int((~present).sum())
    if missing:
        warnings.append(
            f"{missing} period{'s are' if missing > 1 else ' is'} missing; "
            "moving ranges next to a gap are left out."
        )
    return Chart(
        points=points, phases=phases, variation=variation, assurance=assurance, warnings=warnings,
        improvement=s.improvement, target=s.target, rules=s.rules, kind=kind,
    )  # fmt: skip


def xmr(
    values: Any,
    *,
    dates: Any = None,
    phase_starts: Any = (),
    baseline_points: int | None = None,
    exclude: Any = (),
    improvement: Improvement = "neutral",
    target: float | None = None,
    rules: RuleSet = "mdc",
    screen_outliers: bool = False,
    two_of_three_includes_outside: bool = True,
    run_length: int | None = None,
    trend_length: int | None = None,
    moving_range: MovingRange = "mean",
) -> Chart:
    """XmR (individuals and moving range) chart with natural process limits per phase.

    Parameters
    ----------
    values : sequence of numbers or Series; NaN is a missing period (kept, never a signal).
    dates : optional dates, one per value; adds a ``date`` column and lets ``phase_starts`` and
        ``exclude`` be dates.
    phase_starts : positions (or dates) where the system was changed; limits are recalculated.
    baseline_points : each phase's limits come from its first n points and are held after.
    exclude : positions (or dates) left out of centre, limits and runs, still tested against limits.
    improvement : "up", "down" or "neutral". target : a number or None (for assurance).
    rules : "mdc", "wheeler", "western_electric" or "anhoej" (see ``docs/methods.md``).
    screen_outliers : drop moving ranges >= 3.267 x their mean before the limits (NHSRplotthedots).
    two_of_three_includes_outside : count points beyond the limits in "2 of 3" (NHS England 2023).
    run_length, trend_length : override the number of points in a shift or a trend.
    moving_range : "mean" (2.66, 3.268) or "median" (3.145, 3.865).

    Returns
    -------
    Chart

    Examples
    --------
    >>> chart = xmr([10, 12, 11, 13, 12, 11, 30], improvement="down")
    >>> chart.points["special_cause"].iloc[-1], chart.variation
    ('outside_limits', 'special_cause_concern')
    """
    _check_choice("moving_range", moving_range, get_args(MovingRange))
    value = _as_float_array(values, "values")
    if dates is None and isinstance(values, pd.Series) and isinstance(values.index, pd.DatetimeIndex):
        dates = values.index
    s = _setup(
        value, dates=dates, phase_starts=phase_starts, baseline_points=baseline_points,
        exclude=exclude, improvement=improvement, target=target, rules=rules,
        run_length=run_length, trend_length=trend_length,
    )  # fmt: skip
    lim = _XmrLimits(
        value, s.phase, s.n_phases, s.base, moving_range=moving_range, screen_outliers=screen_outliers
    )
    ph = s.phase
    centre = lim.centre[ph]
    sigma = lim.sigma[ph]
    lower = centre - SIGMA_LIMITS * sigma
    upper = centre + SIGMA_LIMITS * sigma
    mr_upper = lim.mr_upper[ph]
    quiet = lim.mr_centre == 0
    warnings = _quiet_warnings(quiet, "Every moving range in {where} is zero")
    # comparisons with NaN are False and raise no warning: no errstate needed on this hot path
    mr_signal = (lim.moving_range > mr_upper) & ~quiet[ph] if rules == "wheeler" else None
    stats = {
        "centre": lim.centre, "lower": lim.centre - SIGMA_LIMITS * lim.sigma,
        "upper": lim.centre + SIGMA_LIMITS * lim.sigma, "mr_mean": lim.mr_centre,
        "mr_upper": lim.mr_upper,
    }  # fmt: skip
    return _build(
        s, centre, sigma, lower, upper, lim.moving_range, mr_upper, stats, quiet, warnings,
        kind="xmr", two_of_three_includes_outside=two_of_three_includes_outside, mr_signal=mr_signal,
    )  # fmt: skip


def _quiet_warnings(quiet: BoolArray, opening: str) -> list[str]:
    """A sentence for each phase whose limits have no width (it gives no signals)."""
    out = []
    for p in np.flatnonzero(quiet):
        where = "the chart" if quiet.shape[0] == 1 else f"phase {p + 1}"
        out.append(opening.format(where=where) + ", so the limits have no width; no signals are shown.")
    return out


def _phase_constant(x: FloatArray, s: _Setup) -> FloatArray:
    """Each phase's value of ``x`` where it is the same at every present point, else NaN."""
    present = ~np.isnan(s.value)
    g, v = s.phase[present], x[present]
    lo = np.full(s.n_phases, np.inf)
    hi = np.full(s.n_phases, -np.inf)
    np.minimum.at(lo, g, v)
    np.maximum.at(hi, g, v)
    return np.where(np.isclose(lo, hi, rtol=1e-12, atol=0.0), lo, np.nan)


def _moving_ranges(value: FloatArray, phase: IntArray) -> FloatArray:
    mr = np.full(value.shape[0], np.nan)
    if value.shape[0] > 1:
        mr[1:] = np.where(phase[1:] == phase[:-1], np.abs(np.diff(value)), np.nan)
    return mr


def _attribute(
    kind: str,
    counts: Any,
    sizes: Any,
    *,
    laney: bool,
    dates: Any,
    phase_starts: Any,
    baseline_points: int | None,
    exclude: Any,
    improvement: Improvement,
    target: float | None,
    rules: RuleSet,
    two_of_three_includes_outside: bool,
    run_length: int | None,
    trend_length: int | None,
) -> Chart:
    """p, u and c charts (Montgomery, Introduction to SQC, 8th ed., 7.2-7.3), Laney p' and u'."""
    c = _as_float_array(counts, "counts")
    size_name = "denominators" if kind == "p" else "exposures"
    n = np.ones_like(c) if sizes is None else _as_float_array(sizes, size_name)
    if n.shape != c.shape:
        raise ValueError(f"{size_name} must have one entry per count: {n.shape[0]} for {c.shape[0]} counts")
    with np.errstate(invalid="ignore"):
        if (c < 0).any():
            raise ValueError("counts must not be negative")
        if (n < 0).any():
            raise ValueError(f"{size_name} must not be negative")
        if kind == "p" and (c > n).any():
            raise ValueError("counts must not exceed their denominators in a p chart")
        value = np.where(n > 0, c / np.where(n > 0, n, 1.0), np.nan)
    s = _setup(
        value, dates=dates, phase_starts=phase_starts, baseline_points=baseline_points,
        exclude=exclude, improvement=improvement, target=target, rules=rules,
        run_length=run_length, trend_length=trend_length,
    )  # fmt: skip
    warnings = []
    zero = int(((n == 0) & ~np.isnan(c)).sum())
    if zero:
        warnings.append(f"{zero} period{'s have' if zero > 1 else ' has'} a {size_name[:-1]} of zero and {'are' if zero > 1 else 'is'} treated as missing.")
    ph, b = s.phase, s.base
    # centre: pooled rate for p and u (sum of counts / sum of sizes), mean count for c
    totals = np.bincount(ph[b], weights=c[b], minlength=s.n_phases)
    sizes_b = np.bincount(ph[b], weights=n[b], minlength=s.n_phases)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre_ph = totals / sizes_b
    centre = centre_ph[ph]
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "p":
            sigma = np.sqrt(centre * (1 - centre) / n)  # binomial (Montgomery 7.2)
        else:
            sigma = np.sqrt(centre / n)  # Poisson: u (Montgomery 7.3.1); c has n = 1
    sigma = np.where(n > 0, sigma, np.nan)
    extra: dict[str, FloatArray] = {}
    if laney:
        # Laney (2002): sigma_z = mean moving range of the z-scores / d2 (1.128), within each phase
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (value - centre) / sigma
        lim = _XmrLimits(z, ph, s.n_phases, b & np.isfinite(z))
        sigma_z = lim.mr_centre / D2
        sigma = sigma * sigma_z[ph]
        extra["sigma_z"] = sigma_z
    lower = np.maximum(centre - SIGMA_LIMITS * sigma, 0.0)  # a count or rate is never negative
    upper = centre + SIGMA_LIMITS * sigma
    if kind == "p":
        upper = np.minimum(upper, 1.0)  # a proportion is at most 1
    spread = np.bincount(ph[b], weights=np.nan_to_num(sigma[b]), minlength=s.n_phases)
    quiet = (spread == 0) & (sizes_b > 0)
    warnings += _quiet_warnings(quiet, "Every point in {where} has the same expected value with no spread")
    nan = np.full(s.n_phases, np.nan)
    stats = {
        "centre": centre_ph, "lower": _phase_constant(lower, s), "upper": _phase_constant(upper, s),
        "mr_mean": nan, "mr_upper": nan,
    }  # fmt: skip
    chart = _build(
        s, centre, sigma, lower, upper, _moving_ranges(value, ph), np.full(value.shape[0], np.nan),
        stats, quiet, warnings, kind=kind, two_of_three_includes_outside=two_of_three_includes_outside,
    )  # fmt: skip
    for name, col in extra.items():
        chart.phases[name] = col
    return chart


def p_chart(
    counts: Any,
    denominators: Any,
    *,
    laney: bool = False,
    dates: Any = None,
    phase_starts: Any = (),
    baseline_points: int | None = None,
    exclude: Any = (),
    improvement: Improvement = "neutral",
    target: float | None = None,
    rules: RuleSet = "mdc",
    two_of_three_includes_outside: bool = True,
    run_length: int | None = None,
    trend_length: int | None = None,
) -> Chart:
    """p chart of counts out of denominators (e.g. failure demand out of all demand).

    Limits p-bar +/- 3 sqrt(p-bar (1 - p-bar) / n_i), clipped to [0, 1]; ``laney=True`` gives
    Laney's p' chart, whose limits widen by the spread of the z-scores, for large denominators
    (Laney 2002). Other keywords as :func:`xmr`; ``value`` is the proportion.

    Examples
    --------
    >>> chart = p_chart([12, 15, 8, 10], [50, 50, 50, 50])
    >>> round(float(chart.phases.loc[0, "centre"]), 3)
    0.225
    """
    return _attribute(
        "p", counts, denominators, laney=laney, dates=dates, phase_starts=phase_starts,
        baseline_points=baseline_points, exclude=exclude, improvement=improvement, target=target,
        rules=rules, two_of_three_includes_outside=two_of_three_includes_outside,
        run_length=run_length, trend_length=trend_length,
    )  # fmt: skip


def u_chart(
    counts: Any,
    exposures: Any,
    *,
    laney: bool = False,
    dates: Any = None,
    phase_starts: Any = (),
    baseline_points: int | None = None,
    exclude: Any = (),
    improvement: Improvement = "neutral",
    target: float | None = None,
    rules: RuleSet = "mdc",
    two_of_three_includes_outside: bool = True,
    run_length: int | None = None,
    trend_length: int | None = None,
) -> Chart:
    """u chart of counts per unit of exposure: u-bar +/- 3 sqrt(u-bar / n_i), never below 0.

    ``laney=True`` gives Laney's u' chart. Other keywords as :func:`xmr`; ``value`` is the rate.

    Examples
    --------
    >>> round(float(u_chart([10, 12, 8], [5, 5, 5]).phases.loc[0, "centre"]), 2)
    2.0
    """
    return _attribute(
        "u", counts, exposures, laney=laney, dates=dates, phase_starts=phase_starts,
        baseline_points=baseline_points, exclude=exclude, improvement=improvement, target=target,
        rules=rules, two_of_three_includes_outside=two_of_three_includes_outside,
        run_length=run_length, trend_length=trend_length,
    )  # fmt: skip


def c_chart(
    counts: Any,
    *,
    dates: Any = None,
    phase_starts: Any = (),
    baseline_points: int | None = None,
    exclude: Any = (),
    improvement: Improvement = "neutral",
    target: float | None = None,
    rules: RuleSet = "mdc",
    two_of_three_includes_outside: bool = True,
    run_length: int | None = None,
    trend_length: int | None = None,
) -> Chart:
    """c chart of counts in equal areas of opportunity: c-bar +/- 3 sqrt(c-bar), never below 0.

    Examples
    --------
    >>> c_chart([21, 24, 16, 12, 15]).phases.loc[0, "centre"].item()
    17.6
    """
    return _attribute(
        "c", counts, None, laney=False, dates=dates, phase_starts=phase_starts,
        baseline_points=baseline_points, exclude=exclude, improvement=improvement, target=target,
        rules=rules, two_of_three_includes_outside=two_of_three_includes_outside,
        run_length=run_length, trend_length=trend_length,
    )  # fmt: skip


def run_chart(
    values: Any,
    *,
    dates: Any = None,
    phase_starts: Any = (),
    baseline_points: int | None = None,
    exclude: Any = (),
    improvement: Improvement = "neutral",
    target: float | None = None,
    rules: RuleSet = "mdc",
    run_length: int | None = None,
    trend_length: int | None = None,
) -> Chart:
    """Run chart: the median per phase, no limits; shifts and trends under ``rules``.

    ``phases`` carries Anhøj's runs analysis (longest run, crossings) whatever ``rules`` says;
    ``rules="anhoej"`` flags the points in a run that is too long.

    Examples
    --------
    >>> run_chart([3, 1, 2, 5, 4]).phases.loc[0, "centre"].item()
    3.0
    """
    value = _as_float_array(values, "values")
    s = _setup(
        value, dates=dates, phase_starts=phase_starts, baseline_points=baseline_points,
        exclude=exclude, improvement=improvement, target=target, rules=rules,
        run_length=run_length, trend_length=trend_length,
    )  # fmt: skip
    centre_ph = _group_median(value[s.base], s.phase[s.base], s.n_phases)
    nan_pts = np.full(value.shape[0], np.nan)
    nan_ph = np.full(s.n_phases, np.nan)
    stats = {"centre": centre_ph, "lower": nan_ph, "upper": nan_ph, "mr_mean": nan_ph, "mr_upper": nan_ph}
    return _build(
        s, centre_ph[s.phase], nan_pts, nan_pts, nan_pts, _moving_ranges(value, s.phase), nan_pts,
        stats, np.zeros(s.n_phases, dtype=bool), [], kind="run",
    )  # fmt: skip


def trended_xmr(
    values: Any,
    *,
    improvement: Improvement = "neutral",
    dates: Any = None,
    target: float | None = None,
    rules: RuleSet = "mdc",
) -> Chart:
    """XmR chart around a trend line fitted by Wheeler's half-averages.

    The central line joins the averages of the first and second halves (the middle point is left
    out when n is odd), placed at the mean position of each half; the limits run parallel at
    +/- 2.66 x the mean moving range (Wheeler & Chambers, Understanding SPC, 2nd ed., "charts for
    trended data"). The trend rule is off: the chart expects the trend.

    Examples
    --------
    >>> chart = trended_xmr([1, 2, 3, 4, 5, 6])
    >>> chart.points["centre"].round(6).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    """
    value = _as_float_array(values, "values")
    s = _setup(
        value, dates=dates, phase_starts=(), baseline_points=None, exclude=(),
        improvement=improvement, target=target, rules=rules, run_length=None, trend_length=None,
    )  # fmt: skip
    s = replace(s, trend_length=value.shape[0] + 2)  # no trend can be that long
    pos = np.flatnonzero(~np.isnan(value))
    if pos.shape[0] < 4:
        raise ValueError(f"trended_xmr needs at least 4 values, got {pos.shape[0]}")
    half = pos.shape[0] // 2
    first, second = pos[:half], pos[-half:]
    t1, t2 = first.mean(), second.mean()
    y1, y2 = value[first].mean(), value[second].mean()
    slope = (y2 - y1) / (t2 - t1)
    centre = y1 + slope * (np.arange(value.shape[0]) - t1)
    lim = _XmrLimits(value, s.phase, 1, s.base)
    sigma = np.full(value.shape[0], lim.sigma[0])
    quiet = lim.mr_centre == 0
    stats = {
        "centre": np.array([np.nan]), "lower": np.array([np.nan]), "upper": np.array([np.nan]),
        "mr_mean": lim.mr_centre, "mr_upper": lim.mr_upper,
    }  # fmt: skip
    chart = _build(
        s, centre, sigma, centre - SIGMA_LIMITS * sigma, centre + SIGMA_LIMITS * sigma,
        lim.moving_range, np.full(value.shape[0], lim.mr_upper[0]), stats, quiet,
        _quiet_warnings(quiet, "Every moving range in {where} is zero"), kind="trended_xmr",
    )  # fmt: skip
    chart.phases["slope"] = slope
    return chart


def deseasonalise(
    values: Any, season_length: int, *, baseline_points: int | None = None
) -> tuple[pd.Series, list[float]]:
    """Divide out seasonal relatives so an XmR chart can judge what is left.

    Each value is divided by the average of its own complete season cycle; the ratios are averaged
    for each position in the season and scaled to average 1 (Wheeler, Making Sense of Data, 2003,
    "seasonal relatives"). Only complete cycles within the first ``baseline_points`` values (all
    values by default) set the factors. Returns the adjusted values and the factors.

    Examples
    --------
    >>> adjusted, factors = deseasonalise([10, 20, 10, 20], 2)
    >>> [round(f, 4) for f in factors], adjusted.tolist()
    ([0.6667, 1.3333], [15.0, 15.0, 15.0, 15.0])
    """
    value = _as_float_array(values, "values")
    if isinstance(season_length, bool) or int(season_length) < 2:
        raise ValueError(f"season_length must be 2 or more, got {season_length!r}")
    m = int(season_length)
    used = value if baseline_points is None else value[: int(baseline_points)]
    cycles = used.shape[0] // m
    if cycles < 1:
        raise ValueError(f"deseasonalise needs at least one complete season of {m} values, got {used.shape[0]}")
    table = used[: cycles * m].reshape(cycles, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = table / np.nanmean(table, axis=1, keepdims=True)
        factors = np.nanmean(ratios, axis=0)
    if not np.isfinite(factors).all() or (factors <= 0).any():
        raise ValueError("deseasonalise needs positive values in every season position")
    factors = factors / factors.mean()
    adjusted = value / factors[np.arange(value.shape[0]) % m]
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(adjusted, index=index, name="deseasonalised"), [float(f) for f in factors]


# --- many series at once ---------------------------------------------------------------------------
def _batch(
    frame: pd.DataFrame,
    *,
    series: str,
    value: str,
    phase: str | None,
    improvement: Improvement | None,
    target: float | None,
    rules: RuleSet,
    screen_outliers: bool,
    two_of_three_includes_outside: bool,
    run_length: int | None,
    trend_length: int | None,
    moving_range: MovingRange,
    baseline_points: int | None,
) -> dict[str, Any]:
    """XmR limits and rules for every series in a long frame, vectorised across series.

    Rows must be in time order within each series; series may be interleaved (a stable sort by
    series keeps each one's order). Returns the arrays the callers need, sorted by series.
    """
    _check_choice("rules", rules, get_args(RuleSet))
    _check_choice("moving_range", moving_range, get_args(MovingRange))
    for name in (series, value):
        if name not in frame.columns:
            raise ValueError(f"frame has no column {name!r}; its columns are {list(frame.columns)}")
    codes, labels = pd.factorize(frame[series], sort=True)
    if (codes < 0).any():
        raise ValueError(f"column {series!r} has a missing series id")
    codes = codes.astype(np.int64)
    # rows usually come grouped by series already: sort only when they do not
    order = None if bool((codes[1:] >= codes[:-1]).all()) else np.argsort(codes, kind="stable")
    sid = codes if order is None else codes[order]
    raw = frame[value].to_numpy()
    val = _as_float_array(raw if order is None else raw[order], value)
    n = val.shape[0]
    new_seg = np.ones(n, dtype=bool)
    if n:
        new_seg[1:] = sid[1:] != sid[:-1]
        if phase is not None:
            ph_in = frame[phase].to_numpy()
            ph_in = ph_in if order is None else ph_in[order]
            new_seg[1:] |= ph_in[1:] != ph_in[:-1]
    seg = (np.cumsum(new_seg) - 1).astype(np.int64)
    n_seg = int(seg[-1]) + 1 if n else 0
    seg_start = np.flatnonzero(new_seg)
    series_start = np.ones(n, dtype=bool)
    series_start[1:] = sid[1:] != sid[:-1]
    first_rows = np.flatnonzero(series_start)  # sorted position of each series' first row
    phase_no = seg - seg[first_rows][sid] if n else seg
    first_rows = first_rows if order is None else order[first_rows]  # ... as a row of the frame
    present = ~np.isnan(val)
    base = present.copy()
    if baseline_points is not None:
        base &= (np.arange(n) - seg_start[seg]) < int(baseline_points)
    lim = _XmrLimits(val, seg, n_seg, base, moving_range=moving_range, screen_outliers=screen_outliers)
    centre, sigma = lim.centre[seg], lim.sigma[seg]
    lower, upper = centre - SIGMA_LIMITS * sigma, centre + SIGMA_LIMITS * sigma
    mr_upper = lim.mr_upper[seg]
    quiet = lim.mr_centre == 0
    mr_signal = mr_dir = None
    if rules == "wheeler":
        with np.errstate(invalid="ignore"):
            mr_signal = (lim.moving_range > mr_upper) & ~quiet[seg]
        mr_dir = np.zeros(n, dtype=np.int64)
        mr_dir[1:] = np.nan_to_num(np.sign(np.diff(val))).astype(np.int64)
    found = signals.detect(
        val, centre, sigma, lower, upper, seg, n_seg, present, quiet, rules=rules,
        run_length=int(run_length) if run_length is not None else RUN_LENGTH.get(rules, 8),
        trend_length=int(trend_length) if trend_length is not None else TREND_LENGTH,
        two_of_three_includes_outside=two_of_three_includes_outside,
        mr_signal=mr_signal, mr_direction=mr_dir,
    )  # fmt: skip
    n_series = len(labels)
    imp_series = _per_series(frame, "improvement", improvement, "neutral", first_rows)
    for v in set(imp_series.tolist()):
        _check_choice("improvement", v, get_args(Improvement))
    tgt_series = _per_series(frame, "target", target, np.nan, first_rows).astype(float)
    imp_sign = np.array([_IMPROVEMENT_SIGN[str(v)] for v in imp_series], dtype=np.int64)
    return {
        "sid": sid, "labels": labels, "present": present, "value": val, "phase": phase_no,
        "centre": centre, "lower": lower, "upper": upper, "mr_upper": mr_upper,
        "moving_range": lim.moving_range, "found": found, "chosen": signals.RULES[rules],
        "imp_sign": imp_sign, "target": tgt_series,
    }  # fmt: skip


def _per_series(frame: pd.DataFrame, column: str, given: Any, default: Any, first_rows: IntArray) -> NDArray[Any]:
    """A setting per series: the keyword if given, else the frame's column (first row), else the default."""
    if given is not None:
        return np.full(first_rows.shape[0], given, dtype=object)
    if column in frame.columns:
        out = frame[column].take(first_rows).to_numpy(dtype=object)  # pick, then convert: cheap
        return np.where(pd.isna(out), default, out)
    return np.full(first_rows.shape[0], default, dtype=object)


def batch_points(
    frame: pd.DataFrame,
    *,
    series: str = "series_id",
    value: str = "value",
    phase: str | None = None,
    improvement: Improvement | None = None,
    target: float | None = None,
    rules: RuleSet = "mdc",
    screen_outliers: bool = False,
    two_of_three_includes_outside: bool = True,
    run_length: int | None = None,
    trend_length: int | None = None,
    moving_range: MovingRange = "mean",
    baseline_points: int | None = None,
) -> pd.DataFrame:
    """Every point of many XmR charts at once: the columns of ``Chart.points`` plus ``series``.

    ``frame`` is long: one row per series and period, in time order within each series. An
    optional ``phase`` column labels phases (a change of label starts a new phase); optional
    ``improvement`` and ``target`` columns (first row of each series) apply when the keywords
    are None. Results equal :func:`xmr` on each series, computed without a loop over series.
    """
    a = _batch(
        frame, series=series, value=value, phase=phase, improvement=improvement, target=target,
        rules=rules, screen_outliers=screen_outliers,
        two_of_three_includes_outside=two_of_three_includes_outside, run_length=run_length,
        trend_length=trend_length, moving_range=moving_range, baseline_points=baseline_points,
    )  # fmt: skip
    found: signals.Detected = a["found"]
    any_signal = np.zeros(a["value"].shape[0], dtype=bool)
    for name in a["chosen"]:
        any_signal |= found.flags[name]
    type_code = _point_type_codes(found.label, found.direction, a["imp_sign"][a["sid"]])
    cols: list[tuple[str, Any]] = [
        (series, a["labels"].to_numpy()[a["sid"]]), ("value", a["value"]), ("phase", a["phase"]),
        ("centre", a["centre"]), ("lower", a["lower"]), ("upper", a["upper"]),
        ("moving_range", a["moving_range"]), ("mr_upper", a["mr_upper"]),
        ("mr_signal", found.flags["mr_signal"]),
        *[(name, found.flags[name]) for name in signals.RULE_COLUMNS],
        ("signal", any_signal),
        ("special_cause", _categorical(found.label + 1, _special_cause_dtype(rules))),
        ("point_type", _categorical(type_code, POINT_TYPE_DTYPE)),
    ]  # fmt: skip
    return _frame(cols, a["value"].shape[0])


def batch_latest(
    frame: pd.DataFrame,
    *,
    series: str = "series_id",
    value: str = "value",
    phase: str | None = None,
    improvement: Improvement | None = None,
    target: float | None = None,
    rules: RuleSet = "mdc",
    screen_outliers: bool = False,
    two_of_three_includes_outside: bool = True,
    run_length: int | None = None,
    trend_length: int | None = None,
    moving_range: MovingRange = "mean",
    baseline_points: int | None = None,
) -> pd.DataFrame:
    """Each series' latest variation and assurance, for an overview of hundreds of measures.

    Takes the same frame and keywords as :func:`batch_points`. Returns one row per series
    (indexed by the series id): ``value`` (the latest present value), ``centre``, ``lower``,
    ``upper`` (its limits), ``special_cause``, ``variation`` and ``assurance``; a series with no
    present value has None for ``variation``.

    Examples
    --------
    >>> frame = pd.DataFrame({"series_id": ["a"] * 8 + ["b"] * 8,
    ...                       "value": [9, 11] * 4 + [9, 11] * 3 + [9, 30]})
    >>> batch_latest(frame, improvement="up")["variation"].tolist()
    ['common_cause', 'special_cause_improvement']
    """
    a = _batch(
        frame, series=series, value=value, phase=phase, improvement=improvement, target=target,
        rules=rules, screen_outliers=screen_outliers,
        two_of_three_includes_outside=two_of_three_includes_outside, run_length=run_length,
        trend_length=trend_length, moving_range=moving_range, baseline_points=baseline_points,
    )  # fmt: skip
    n_series = len(a["labels"])
    found: signals.Detected = a["found"]
    # the last present row of each series: rows are grouped by series, so it is where the
    # series id of the present rows changes next
    idx = np.flatnonzero(a["present"])
    sid_present = a["sid"][idx]
    ends = np.flatnonzero(np.r_[sid_present[1:] != sid_present[:-1], True]) if idx.shape[0] else idx
    last = np.full(n_series, -1, dtype=np.int64)
    last[sid_present[ends]] = idx[ends]
    has = last >= 0
    pick = last[has]

    def at(x: NDArray[Any], fill: Any) -> NDArray[Any]:
        out = np.full(n_series, fill, dtype=object if isinstance(fill, str) or fill is None else float)
        out[has] = x[pick]
        return out

    lower, upper = at(a["lower"], np.nan), at(a["upper"], np.nan)
    imp, tgt = a["imp_sign"], a["target"]
    with np.errstate(invalid="ignore"):
        assurance = np.where(
            tgt > upper, np.where(imp > 0, "consistent_fail", "consistent_pass"),
            np.where(tgt < lower, np.where(imp > 0, "consistent_pass", "consistent_fail"), "inconsistent"),
        ).astype(object)  # fmt: skip
    assurance[np.isnan(tgt) | (imp == 0) | ~np.isfinite(lower) | ~np.isfinite(upper) | ~has] = None
    names = np.asarray(("", *a["chosen"]), dtype=object)
    codes = _point_type_codes(found.label[pick], found.direction[pick], imp[has])
    variation = np.full(n_series, None, dtype=object)
    variation[has] = np.asarray(POINT_TYPES, dtype=object)[codes]
    special_cause = np.full(n_series, "", dtype=object)
    special_cause[has] = names[found.label[pick] + 1]
    out = pd.DataFrame(
        {
            "value": at(a["value"], np.nan), "centre": at(a["centre"], np.nan),
            "lower": lower, "upper": upper, "special_cause": special_cause,
        },
        index=pd.Index(a["labels"], name=series),
    )  # fmt: skip
    # object columns, so a missing variation or assurance is None, as on Chart
    out["variation"] = pd.Series(variation, index=out.index, dtype=object)
    out["assurance"] = pd.Series(assurance, index=out.index, dtype=object)
    return out


def xmr_many(series_values: Sequence[Any], **options: Any) -> pd.DataFrame:
    """:func:`batch_latest` for a list of value arrays (series ids 0, 1, ...)."""
    lengths = [len(v) for v in series_values]
    frame = pd.DataFrame(
        {
            "series_id": np.repeat(np.arange(len(lengths)), lengths),
            "value": np.concatenate([np.asarray(v, dtype=float) for v in series_values]) if lengths else [],
        }
    )
    return batch_latest(frame, **options)


# --- the plain-English sentence ----------------------------------------------------------------
_REASONS = {
    "outside_limits": ("above the upper limit", "below the lower limit"),
    "trend": ("part of a run of {trend} rising {periods}", "part of a run of {trend} falling {periods}"),
    "two_of_three": ("two of three {periods} close to the upper limit", "two of three {periods} close to the lower limit"),
    "shift": ("part of a run of {run} or more {periods} above the average", "part of a run of {run} or more {periods} below the average"),
    "three_of_four": ("three of four {periods} nearer the upper limit than the average", "three of four {periods} nearer the lower limit than the average"),
    "four_of_five": ("four of five {periods} more than one sigma above the average", "four of five {periods} more than one sigma below the average"),
    "mr_signal": ("a jump up from the {period} before, bigger than the process allows", "a drop from the {period} before, bigger than the process allows"),
}  # fmt: skip
_TYPE_WORDS = {
    "special_cause_improvement": "an improvement",
    "special_cause_concern": "a concern",
    "special_cause_neutral_high": "unusually high",
    "special_cause_neutral_low": "unusually low",
}


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
    if last["signal"]:
        reason = _REASONS[str(last["special_cause"])]
        high = str(last["point_type"]).endswith(("_high",)) or (
            chart.improvement == "up" and last["point_type"] == "special_cause_improvement"
        ) or (chart.improvement == "down" and last["point_type"] == "special_cause_concern")
        why = reason[0 if high else 1].format(**words)
        text = (
            f"The latest {period} ({num(float(last['value']))}{unit_words}) is "
            f"{_TYPE_WORDS[str(last['point_type'])]}: {why}; the average has been {centre}"
        )
        text += f" ({expect})" if expect else ""
    else:
        since = int(in_phase[: i + 1].sum()) if sig_idx.shape[0] == 0 else int(in_phase[sig_idx[-1] + 1 : i + 1].sum())
        text = f"Stable at {centre}" if sig_idx.shape[0] == 0 else f"At {centre}"
        text += f"; {expect}" if expect else ""
        if sig_idx.shape[0] == 0:
            text += f"; no signal in the last {since} {periods if since != 1 else period}"
        else:
            text += f"; the last signal was {since} {periods if since != 1 else period} ago"
    if chart.assurance is not None and chart.target is not None:
        t = num(chart.target)
        text += {
            "consistent_pass": f"; it will meet the target of {t} every {period} without change",
            "consistent_fail": f"; it will not meet the target of {t} unless the system changes",
            "inconsistent": f"; it will meet the target of {t} in some {periods} and miss it in others",
        }[chart.assurance]
    return text + "."
