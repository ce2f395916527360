"""Many XmR charts at once: every series of a long frame in one pass of numpy operations.

Segments (series x phase) replace the phases of one chart, so each rule compares neighbours only
within a segment; results equal :func:`perf.spc.xmr` on each series. Import the public names
from :mod:`perf.spc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from perf.spc import _rules
from perf.spc._base import (
    POINT_TYPES,
    RUN_LENGTH,
    SIGMA_LIMITS,
    TREND_LENGTH,
    Improvement,
    IntArray,
    MovingRange,
    RuleSet,
    _as_float_array,
    _check_choice,
    _XmrLimits,
)
from perf.spc._chart import (
    _IMPROVEMENT_SIGN,
    POINT_TYPE_DTYPE,
    _categorical,
    _frame,
    _point_type_codes,
    _special_cause_dtype,
)


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
    # a moving range above its limit, under every rule set (it labels points under Wheeler's alone)
    with np.errstate(invalid="ignore"):
        mr_signal = (lim.moving_range > mr_upper) & ~quiet[seg]
    mr_dir = np.zeros(n, dtype=np.int64)
    mr_dir[1:] = np.nan_to_num(np.sign(np.diff(val))).astype(np.int64)
    found = _rules.detect(
        val,
        centre,
        sigma,
        lower,
        upper,
        seg,
        n_seg,
        present,
        quiet,
        rules=rules,
        run_length=int(run_length) if run_length is not None else RUN_LENGTH.get(rules, 8),
        trend_length=int(trend_length) if trend_length is not None else TREND_LENGTH,
        two_of_three_includes_outside=two_of_three_includes_outside,
        mr_signal=mr_signal,
        mr_direction=mr_dir,
    )
    imp_series = _per_series(frame, "improvement", improvement, "neutral", first_rows)
    for v in set(imp_series.tolist()):
        _check_choice("improvement", v, get_args(Improvement))
    tgt_series = _per_series(frame, "target", target, np.nan, first_rows).astype(float)
    imp_sign = np.array([_IMPROVEMENT_SIGN[str(v)] for v in imp_series], dtype=np.int64)
    return {
        "sid": sid,
        "labels": labels,
        "present": present,
        "value": val,
        "phase": phase_no,
        "centre": centre,
        "lower": lower,
        "upper": upper,
        "mr_upper": mr_upper,
        "moving_range": lim.moving_range,
        "found": found,
        "chosen": _rules.RULES[rules],
        "imp_sign": imp_sign,
        "target": tgt_series,
    }


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
        frame,
        series=series,
        value=value,
        phase=phase,
        improvement=improvement,
        target=target,
        rules=rules,
        screen_outliers=screen_outliers,
        two_of_three_includes_outside=two_of_three_includes_outside,
        run_length=run_length,
        trend_length=trend_length,
        moving_range=moving_range,
        baseline_points=baseline_points,
    )
    found: _rules.Detected = a["found"]
    any_signal = np.zeros(a["value"].shape[0], dtype=bool)
    for name in a["chosen"]:
        any_signal |= found.flags[name]
    type_code = _point_type_codes(found.label, found.direction, a["imp_sign"][a["sid"]])
    cols: list[tuple[str, Any]] = [
        (series, a["labels"].to_numpy()[a["sid"]]),
        ("value", a["value"]),
        ("phase", a["phase"]),
        ("centre", a["centre"]),
        ("lower", a["lower"]),
        ("upper", a["upper"]),
        ("moving_range", a["moving_range"]),
        ("mr_upper", a["mr_upper"]),
        ("mr_signal", found.flags["mr_signal"]),
        *[(name, found.flags[name]) for name in _rules.RULE_COLUMNS],
        ("signal", any_signal),
        ("special_cause", _categorical(found.label + 1, _special_cause_dtype(rules))),
        ("point_type", _categorical(type_code, POINT_TYPE_DTYPE)),
    ]
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
        frame,
        series=series,
        value=value,
        phase=phase,
        improvement=improvement,
        target=target,
        rules=rules,
        screen_outliers=screen_outliers,
        two_of_three_includes_outside=two_of_three_includes_outside,
        run_length=run_length,
        trend_length=trend_length,
        moving_range=moving_range,
        baseline_points=baseline_points,
    )
    n_series = len(a["labels"])
    found: _rules.Detected = a["found"]
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
            tgt > upper,
            np.where(imp > 0, "consistent_fail", "consistent_pass"),
            np.where(tgt < lower, np.where(imp > 0, "consistent_pass", "consistent_fail"), "inconsistent"),
        ).astype(object)
    assurance[np.isnan(tgt) | (imp == 0) | ~np.isfinite(lower) | ~np.isfinite(upper) | ~has] = None
    names = np.asarray(("", *a["chosen"]), dtype=object)
    codes = _point_type_codes(found.label[pick], found.direction[pick], imp[has])
    variation = np.full(n_series, None, dtype=object)
    variation[has] = np.asarray(POINT_TYPES, dtype=object)[codes]
    special_cause = np.full(n_series, "", dtype=object)
    special_cause[has] = names[found.label[pick] + 1]
    out = pd.DataFrame(
        {
            "value": at(a["value"], np.nan),
            "centre": at(a["centre"], np.nan),
            "lower": lower,
            "upper": upper,
            "special_cause": special_cause,
        },
        index=pd.Index(a["labels"], name=series),
    )
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
