"""Attribute charts: p, u and c charts of counts, and Laney's p' and u' for large denominators.

Import the public names from :mod:`perf.spc`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from perf.spc._base import (
    D2,
    SIGMA_LIMITS,
    FloatArray,
    Improvement,
    RuleSet,
    _as_float_array,
    _check_rules_without_mr_chart,
    _moving_ranges,
    _Setup,
    _setup,
    _XmrLimits,
)
from perf.spc._chart import Chart, _build, _quiet_warnings


def _phase_constant(x: FloatArray, s: _Setup) -> FloatArray:
    """Each phase's value of ``x`` where it is the same at every present point, else NaN."""
    present = ~np.isnan(s.value)
    g, v = s.phase[present], x[present]
    # a phase with a point whose limit is unknown (NaN) has no constant; leave those points out of
    # the minimum and maximum, which would otherwise warn on the NaN
    known = ~np.isnan(v)
    unknown = np.bincount(g[~known], minlength=s.n_phases) > 0
    g, v = g[known], v[known]
    lo = np.full(s.n_phases, np.inf)
    hi = np.full(s.n_phases, -np.inf)
    np.minimum.at(lo, g, v)
    np.maximum.at(hi, g, v)
    return np.where(np.isclose(lo, hi, rtol=1e-12, atol=0.0) & ~unknown, lo, np.nan)


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
    _check_rules_without_mr_chart(rules, f"Laney {kind}' chart" if laney else f"{kind} chart")
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
    warnings = []
    zero = int(((n == 0) & ~np.isnan(c)).sum())
    if zero:
        warnings.append(
            f"{zero} period{'s have' if zero > 1 else ' has'} a {size_name[:-1]} of zero and {'are' if zero > 1 else 'is'} treated as missing."
        )
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
        # where the model sigma is zero (every count in the phase zero, or every count its
        # denominator) there is no z-score and sigma_z is NaN, but sigma x sigma_z is still zero:
        # the limits are the centre, as on the plain chart, and the phase is quiet
        sigma = np.where(sigma == 0, 0.0, sigma * sigma_z[ph])
        extra["sigma_z"] = sigma_z
    lower = np.maximum(centre - SIGMA_LIMITS * sigma, 0.0)  # a count or rate is never negative
    upper = centre + SIGMA_LIMITS * sigma
    if kind == "p":
        upper = np.minimum(upper, 1.0)  # a proportion is at most 1
    spread = np.bincount(ph[b], weights=np.nan_to_num(sigma[b]), minlength=s.n_phases)
    quiet = (spread == 0) & (sizes_b > 0)
    no_counts = quiet & (totals == 0)
    warnings += _quiet_warnings(no_counts, "Every count in {where} is zero")
    same = "Every point in {where} has the same expected value with no spread"
    warnings += _quiet_warnings(quiet & ~no_counts, same)
    nan = np.full(s.n_phases, np.nan)
    stats = {
        "centre": centre_ph,
        "lower": _phase_constant(lower, s),
        "upper": _phase_constant(upper, s),
        "mr_mean": nan,
        "mr_upper": nan,
    }
    chart = _build(
        s,
        centre,
        sigma,
        lower,
        upper,
        _moving_ranges(value, ph),
        np.full(value.shape[0], np.nan),
        stats,
        quiet,
        warnings,
        kind=kind,
        two_of_three_includes_outside=two_of_three_includes_outside,
    )
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
    (Laney 2002). Other keywords as :func:`xmr`, but ``rules="wheeler"`` is refused (no
    moving-range chart); ``value`` is the proportion.

    Examples
    --------
    >>> chart = p_chart([12, 15, 8, 10], [50, 50, 50, 50])
    >>> round(float(chart.phases.loc[0, "centre"]), 3)
    0.225
    """
    return _attribute(
        "p",
        counts,
        denominators,
        laney=laney,
        dates=dates,
        phase_starts=phase_starts,
        baseline_points=baseline_points,
        exclude=exclude,
        improvement=improvement,
        target=target,
        rules=rules,
        two_of_three_includes_outside=two_of_three_includes_outside,
        run_length=run_length,
        trend_length=trend_length,
    )


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

    ``laney=True`` gives Laney's u' chart. Other keywords as :func:`xmr`, but ``rules="wheeler"``
    is refused (no moving-range chart); ``value`` is the rate.

    Examples
    --------
    >>> round(float(u_chart([10, 12, 8], [5, 5, 5]).phases.loc[0, "centre"]), 2)
    2.0
    """
    return _attribute(
        "u",
        counts,
        exposures,
        laney=laney,
        dates=dates,
        phase_starts=phase_starts,
        baseline_points=baseline_points,
        exclude=exclude,
        improvement=improvement,
        target=target,
        rules=rules,
        two_of_three_includes_outside=two_of_three_includes_outside,
        run_length=run_length,
        trend_length=trend_length,
    )


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

    Keywords as :func:`xmr`, but ``rules="wheeler"`` is refused (no moving-range chart).

    Examples
    --------
    >>> c_chart([21, 24, 16, 12, 15]).phases.loc[0, "centre"].item()
    17.6
    """
    return _attribute(
        "c",
        counts,
        None,
        laney=False,
        dates=dates,
        phase_starts=phase_starts,
        baseline_points=baseline_points,
        exclude=exclude,
        improvement=improvement,
        target=target,
        rules=rules,
        two_of_three_includes_outside=two_of_three_includes_outside,
        run_length=run_length,
        trend_length=trend_length,
    )
