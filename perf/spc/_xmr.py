"""Charts of individual values: XmR, run chart, trended XmR and seasonal relatives."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, get_args

import numpy as np
import pandas as pd

from perf.spc._base import (
    SIGMA_LIMITS,
    Improvement,
    MovingRange,
    RuleSet,
    _as_float_array,
    _check_choice,
    _group_median,
    _moving_ranges,
    _setup,
    _check_rules_without_mr_chart,
    _XmrLimits,
)
from perf.spc._chart import Chart, _build, _quiet_warnings


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
        value,
        dates=dates,
        phase_starts=phase_starts,
        baseline_points=baseline_points,
        exclude=exclude,
        improvement=improvement,
        target=target,
        rules=rules,
        run_length=run_length,
        trend_length=trend_length,
    )
    lim = _XmrLimits(value, s.phase, s.n_phases, s.base, moving_range=moving_range, screen_outliers=screen_outliers)
    ph = s.phase
    centre = lim.centre[ph]
    sigma = lim.sigma[ph]
    lower = centre - SIGMA_LIMITS * sigma
    upper = centre + SIGMA_LIMITS * sigma
    mr_upper = lim.mr_upper[ph]
    quiet = lim.mr_centre == 0
    warnings = _quiet_warnings(quiet, "Every moving range in {where} is zero")
    # comparisons with NaN are False and raise no warning: no errstate needed on this hot path
    mr_signal = (lim.moving_range > mr_upper) & ~quiet[ph]  # under every rule set; Wheeler's alone label by it
    stats = {
        "centre": lim.centre,
        "lower": lim.centre - SIGMA_LIMITS * lim.sigma,
        "upper": lim.centre + SIGMA_LIMITS * lim.sigma,
        "mr_mean": lim.mr_centre,
        "mr_upper": lim.mr_upper,
    }
    return _build(
        s,
        centre,
        sigma,
        lower,
        upper,
        lim.moving_range,
        mr_upper,
        stats,
        quiet,
        warnings,
        kind="xmr",
        two_of_three_includes_outside=two_of_three_includes_outside,
        mr_signal=mr_signal,
    )


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
    ``rules="anhoej"`` flags the points in a run that is too long. ``rules="wheeler"`` is refused:
    a run chart has neither limits nor a moving-range chart.

    Examples
    --------
    >>> run_chart([3, 1, 2, 5, 4]).phases.loc[0, "centre"].item()
    3.0
    """
    _check_rules_without_mr_chart(rules, "run chart")
    value = _as_float_array(values, "values")
    s = _setup(
        value,
        dates=dates,
        phase_starts=phase_starts,
        baseline_points=baseline_points,
        exclude=exclude,
        improvement=improvement,
        target=target,
        rules=rules,
        run_length=run_length,
        trend_length=trend_length,
    )
    centre_ph = _group_median(value[s.base], s.phase[s.base], s.n_phases)
    nan_pts = np.full(value.shape[0], np.nan)
    nan_ph = np.full(s.n_phases, np.nan)
    stats = {"centre": centre_ph, "lower": nan_ph, "upper": nan_ph, "mr_mean": nan_ph, "mr_upper": nan_ph}
    return _build(
        s,
        centre_ph[s.phase],
        nan_pts,
        nan_pts,
        nan_pts,
        _moving_ranges(value, s.phase),
        nan_pts,
        stats,
        np.zeros(s.n_phases, dtype=bool),
        [],
        kind="run",
    )


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
    trended data"). The trend rule is off: the chart expects the trend. ``rules="wheeler"`` tests
    the moving ranges against 3.268 x their mean, as on an XmR chart.

    Examples
    --------
    >>> chart = trended_xmr([1, 2, 3, 4, 5, 6])
    >>> chart.points["centre"].round(6).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    """
    value = _as_float_array(values, "values")
    s = _setup(
        value,
        dates=dates,
        phase_starts=(),
        baseline_points=None,
        exclude=(),
        improvement=improvement,
        target=target,
        rules=rules,
        run_length=None,
        trend_length=None,
    )
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
    mr_upper = np.full(value.shape[0], lim.mr_upper[0])
    mr_signal = (lim.moving_range > mr_upper) & ~quiet[s.phase]  # under every rule set, as on an XmR chart
    stats = {
        "centre": np.array([np.nan]),
        "lower": np.array([np.nan]),
        "upper": np.array([np.nan]),
        "mr_mean": lim.mr_centre,
        "mr_upper": lim.mr_upper,
    }
    chart = _build(
        s,
        centre,
        sigma,
        centre - SIGMA_LIMITS * sigma,
        centre + SIGMA_LIMITS * sigma,
        lim.moving_range,
        mr_upper,
        stats,
        quiet,
        _quiet_warnings(quiet, "Every moving range in {where} is zero"),
        kind="trended_xmr",
        mr_signal=mr_signal,
    )
    chart.phases["slope"] = slope
    return chart


def deseasonalise(
    values: Any, season_length: int, *, baseline_points: int | None = None
) -> tuple[pd.Series, list[float]]:
    """Divide out seasonal relatives so an XmR chart can judge what is left.

    Xmrit's published factors (Xmrit user manual, "Seasonality", xmrit.com/manual): the factor for
    a position in the season is the mean of the values at that position divided by the mean of
    all of them, and each value is divided by its position's factor. Wheeler's seasonal relatives
    (Making Sense of Data, 2003) divide each value by its own cycle's mean first; the two agree when
    the level is steady and differ a little under a trend; we follow Xmrit, which councils are
    likelier to check against. Only complete cycles within the first ``baseline_points`` values
    (all values by default) set the factors. Returns the adjusted values and the factors.

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
        factors = np.nanmean(table, axis=0) / np.nanmean(table)
    if not np.isfinite(factors).all() or (factors <= 0).any():
        raise ValueError("deseasonalise needs positive values in every season position")
    adjusted = value / factors[np.arange(value.shape[0]) % m]
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(adjusted, index=index, name="deseasonalised"), [float(f) for f in factors]
