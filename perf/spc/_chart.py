"""The one result type, :class:`Chart`, and how every chart kind assembles it.

A chart kind works out its centre, sigma and limits (``_base``); ``_build`` runs the
rules (``_rules``) and puts points, phases, variation, assurance and warnings together.
Import the public names from :mod:`perf.spc`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from perf.spc import _rules
from perf.spc._base import (
    POINT_TYPES,
    SHORT_PHASE,
    Assurance,
    BoolArray,
    FloatArray,
    Improvement,
    IntArray,
    PointType,
    RuleSet,
    _Setup,
)
from perf.spc._describe import _describe


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


# --- assembling a chart -------------------------------------------------------------------------
_IMPROVEMENT_SIGN = {"up": 1, "down": -1, "neutral": 0}
# POINT_TYPES codes of a special-cause point above and below the centre, by improvement sign
_HIGH_LOW_CODES = {1: (1, 2), -1: (2, 1), 0: (3, 4)}


def _point_type_codes(label: IntArray, direction: IntArray, improvement_sign: IntArray | int) -> IntArray:
    """Index into POINT_TYPES per point; ``improvement_sign`` is +1 up, -1 down, 0 neutral (per point or one)."""
    high = direction >= 0
    if isinstance(improvement_sign, int):  # one chart: the codes for a high and a low point are known
        if_high, if_low = _HIGH_LOW_CODES[improvement_sign]
        special_code = np.where(high, if_high, if_low)
    else:
        imp = np.broadcast_to(np.asarray(improvement_sign, dtype=np.int64), label.shape)
        good = np.where(imp > 0, high, ~high)
        special_code = np.where(imp == 0, np.where(high, 3, 4), np.where(good, 1, 2))
    return np.where(label >= 0, special_code, 0).astype(np.int64)


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
_SPECIAL_CAUSE_DTYPES = {rules: pd.CategoricalDtype(["", *names]) for rules, names in _rules.RULES.items()}


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
    # a view of the cached columns: a caller naming its chart's columns must not name every chart's
    frame: pd.DataFrame = create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n_rows), columns=columns.view())
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
    found = _rules.detect(
        value,
        centre,
        sigma,
        lower,
        upper,
        s.phase,
        s.n_phases,
        s.in_sequence,
        quiet,
        rules=s.rules,
        run_length=s.run_length,
        trend_length=s.trend_length,
        two_of_three_includes_outside=two_of_three_includes_outside,
        mr_signal=mr_signal,
        mr_direction=mr_dir,
    )
    any_signal = found.label >= 0  # a point has a label exactly when one of the chosen rules flags it
    cols: list[tuple[str, Any]] = [] if s.dates is None else [("date", s.dates.array)]
    cols += [
        ("value", value),
        ("phase", s.phase),
        ("centre", centre),
        ("lower", lower),
        ("upper", upper),
        ("moving_range", moving_range),
        ("mr_upper", mr_upper),
        ("mr_signal", found.flags["mr_signal"]),
    ]
    cols += [(name, found.flags[name]) for name in _rules.RULE_COLUMNS]
    type_codes = _point_type_codes(found.label, found.direction, _IMPROVEMENT_SIGN[s.improvement])
    cols += [
        ("signal", any_signal),
        ("special_cause", _categorical(found.label + 1, _special_cause_dtype(s.rules))),
        ("point_type", _categorical(type_codes, POINT_TYPE_DTYPE)),
    ]
    points = _frame(cols, value.shape[0])

    n = value.shape[0]
    present = ~np.isnan(value)
    if s.n_phases == 1:  # the common case: no boundaries to find
        starts, ends = np.zeros(1, dtype=np.int64), np.full(1, n - 1, dtype=np.int64)
    else:
        bounds = np.flatnonzero(np.diff(s.phase)) + 1
        starts = np.concatenate(([0], bounds)).astype(np.int64)
        ends = np.concatenate((bounds - 1, [n - 1])).astype(np.int64)
    counts = np.bincount(s.phase[present], minlength=s.n_phases).astype(np.int64)
    n_present = int(counts.sum())
    runs = found.runs
    phase_cols: list[tuple[str, Any]] = [
        ("phase", np.arange(s.n_phases, dtype=np.int64)),
        ("start", starts),
        ("end", ends),
        ("n", counts),
        ("centre", phase_stats["centre"]),
        ("lower", phase_stats["lower"]),
        ("upper", phase_stats["upper"]),
        ("mr_mean", phase_stats["mr_mean"]),
        ("mr_upper", phase_stats["mr_upper"]),
        ("short", counts < SHORT_PHASE),
        ("n_useful", runs.n_useful),
        ("longest_run", runs.longest_run),
        ("longest_run_max", runs.longest_run_max),
        ("crossings", runs.crossings),
        ("crossings_min", runs.crossings_min),
        ("runs_signal", runs.runs_signal),
    ]
    if s.dates is not None:
        phase_cols += [("start_date", s.dates[starts].array), ("end_date", s.dates[ends].array)]
    phases = _frame(phase_cols, s.n_phases)

    variation: PointType | None = None
    assurance: Assurance | None = None
    if n_present:
        i = n - 1 if present[-1] else int(np.flatnonzero(present)[-1])
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
    missing = n - n_present
    if missing:
        warnings.append(
            f"{missing} period{'s are' if missing > 1 else ' is'} missing; moving ranges next to a gap are left out."
        )
    return Chart(
        points=points,
        phases=phases,
        variation=variation,
        assurance=assurance,
        warnings=warnings,
        improvement=s.improvement,
        target=s.target,
        rules=s.rules,
        kind=kind,
    )


def _quiet_warnings(quiet: BoolArray, opening: str) -> list[str]:
    """A sentence for each phase whose limits have no width (it gives no signals)."""
    out = []
    for p in np.flatnonzero(quiet):
        where = "the chart" if quiet.shape[0] == 1 else f"phase {p + 1}"
        out.append(opening.format(where=where) + ", so the limits have no width; no signals are shown.")
    return out
