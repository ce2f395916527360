"""Where did a system move? The start of each sustained shift in a series of values.

A system has moved when its points sit on one side of the old average for a run of the rule set's
length (Making Data Count: 7; Wheeler and Western Electric: 8) and stay there: NHS England's
*Making Data Count* advises recalculating limits only for a sustained change, shown by such a run,
never for a single unusual point. "Stay there" is made exact here: of the first twice-the-run
points from the run's start, or a year of them if that is longer, at least 80% lie on its side
(:data:`LASTING_SHARE`): a seasonal swing, which comes back within the year, is not a new system. The old average
is that of the system's first points, frozen once there are :data:`BASELINE` of them or a year of
them, whichever is more (Wheeler: limits from 20 or so points are as good as they get; a year
averages over the seasons).

Pure functions on numbers and positions: the Check–Plan–Do review (``perf.analysis.review``) proposes the
dates found here, and any page can ask whether its limits still describe the system.

Example
-------
>>> [(s.start, s.direction) for s in sustained_shifts([10, 11, 9, 10, 11, 9, 10, 11, 9, 10,
...                                                    5, 6, 4, 5, 6, 4, 5, 6, 4, 5])]
[(10, 'down')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from perf.spc import D2, RUN_LENGTH, RuleSet
from perf.spc._base import _as_float_array  # the charts' own input check: numbers, one-dimensional, finite

Direction = Literal["up", "down"]

BASELINE = 20  # the old average is frozen after this many points (Wheeler, Understanding Variation, 2000)
MIN_BASELINE = 12  # fewer points cannot say where the old system sat (limits on fewer are provisional)
LASTING_SHARE = 0.8  # a shift lasts when this share of the points that follow stays on its side ...
LASTING_SPAN = 2  # ... over this many run lengths from its start, or a year if longer (to the end of the data)
MIN_SIZE = 1.0  # ... and its points average at least this many old sigmas from the old average
# k of the first m points on one side of the average: each as unlikely in a stable process as 7 in a
# row (Grant & Leavenworth, Statistical Quality Control, 7th ed., 1996; Duncan, Quality Control and
# Industrial Statistics, 5th ed., 1986: "7 in a row, 10 of 11, 12 of 14, 14 of 17, 16 of 20")
K_OF_M = ((10, 11), (12, 14), (14, 17), (16, 20))


def run_length(rules: RuleSet | str = "mdc") -> int:
    """Points in a row on one side of the average that make a shift under ``rules``."""
    return RUN_LENGTH.get(str(rules), 8)


@dataclass(frozen=True)
class Shift:
    """A sustained shift: from ``start`` the points sit on one side of the old system's average."""

    start: int  # position of the first point of the new level
    direction: Direction  # "up" or "down" from the old average
    run: int  # points in a row on that side from ``start``
    old_centre: float  # the average of the old system it is judged against
    baseline_start: int  # where the old system's points (its baseline) begin
    baseline_n: int  # how many points set the old average
    on_side: int  # of the ``window`` points from ``start``, how many lie on the shift's side
    window: int  # the points looked at to see that the shift lasts
    new_centre: float  # the average of those ``window`` points

    @property
    def size(self) -> float:
        """How far the level moved: the new average less the old."""
        return self.new_centre - self.old_centre


def lasting_window(rules: RuleSet | str = "mdc", per_year: int | None = None) -> int:
    """Points looked at to see that a shift lasts: two run lengths, or a year of points if longer."""
    return max(LASTING_SPAN * run_length(rules), per_year or 0)


def _side(values: np.ndarray[Any, Any], centre: float) -> np.ndarray[Any, Any]:
    """+1 above, -1 below, 0 on the line (a point on the line breaks a run, as in ``perf.signals``)."""
    return np.sign(values - centre).astype(np.int64)


def _sigma(value: np.ndarray[Any, Any], base: np.ndarray[Any, Any]) -> float:
    """The old system's sigma: mean moving range of successive baseline points / 1.128 (Wheeler)."""
    ranges = np.abs(np.diff(value[base]))
    return float(ranges.mean()) / D2 if ranges.shape[0] else 0.0


def run_at(values: Any, start: int, centre: float) -> tuple[int, int]:
    """The side (+1, -1 or 0) of ``values[start]`` and how many points in a row from it share that side."""
    value = _as_float_array(values, "values")
    present = value[start:][~np.isnan(value[start:])]
    if present.shape[0] == 0:
        return 0, 0
    side = _side(present, centre)
    first = int(side[0])
    if first == 0:
        return 0, 0
    breaks = np.flatnonzero(side != first)
    return first, int(breaks[0]) if breaks.shape[0] else int(side.shape[0])


def shift_at(
    values: Any,
    start: int,
    centre: float,
    *,
    rules: RuleSet | str = "mdc",
    per_year: int | None = None,
    sigma: float | None = None,
    since: int | None = None,
    baseline_start: int = 0,
    baseline_n: int = 0,
) -> Shift | None:
    """The sustained shift that begins at ``start`` against ``centre``, or None.

    Sustained: at least the rule set's run length in a row on one side of ``centre`` from
    ``start``, and at least :data:`LASTING_SHARE` of the points in :func:`lasting_window` from
    ``start`` (``per_year``: points in a year, when known) on that side; with the old system's
    ``sigma``, those points must also average :data:`MIN_SIZE` sigma or more from ``centre`` (the
    size of shift a run rule is built to find; a smaller move stays inside the old variation).
    ``since`` (default ``start``) is where that look begins: a review looks from the change. NaN
    values are skipped.
    """
    value = _as_float_array(values, "values")
    length = run_length(rules)
    side, run = run_at(value, start, centre)
    if side == 0 or run < length:
        return None
    first = start if since is None else min(since, start)
    later = value[first:][~np.isnan(value[first:])][: lasting_window(rules, per_year)]
    on_side = int((_side(later, centre) == side).sum())
    if on_side < LASTING_SHARE * later.shape[0]:
        return None
    if sigma is not None and abs(float(later.mean()) - centre) < MIN_SIZE * sigma:
        return None
    return Shift(
        start=start,
        direction="up" if side > 0 else "down",
        run=run,
        old_centre=float(centre),
        baseline_start=baseline_start,
        baseline_n=baseline_n,
        on_side=on_side,
        window=int(later.shape[0]),
        new_centre=float(later.mean()),
    )


def same_side_from(values: Any, start: int, centre: float, *, rules: RuleSet | str = "mdc") -> tuple[int, int, int]:
    """Do the first points from ``start`` sit on one side of ``centre``: the rule set's run in a row,
    or k of the first m (:data:`K_OF_M`)? Returns (side +1/-1, k, m) for the first rule met, or (0, 0, 0).
    """
    value = _as_float_array(values, "values")
    present = value[start:][~np.isnan(value[start:])]
    side = _side(present, centre)
    length = run_length(rules)
    for k, m in ((length, length), *K_OF_M):
        if side.shape[0] < m:
            break
        for d in (1, -1):
            if int((side[:m] == d).sum()) >= k:
                return d, k, m
    return 0, 0, 0


def _refine(
    value: np.ndarray[Any, Any],
    shift: Shift,
    phase: int,
    *,
    rules: RuleSet | str,
    per_year: int | None,
    sigma: float | None,
) -> Shift:
    """Move a shift's start to the point that best splits old from new, near where its run began.

    A run can begin a point or a few early when the last old points happen to fall on the new
    side. The split that maximises the difference of the two means, weighted as in a two-sample t
    statistic (the CUSUM change-point estimate), over one stretch of data, from two points before
    the run's start to two after its rule length, puts the start where the level changed; it is
    kept only if a sustained shift begins there too. On a gradual change it lands mid-slope.
    """
    end = shift.start + lasting_window(rules, per_year)  # one stretch of data for every split
    best, best_score = shift.start, -1.0
    for start in range(max(phase + 2, shift.start - 2), shift.start + run_length(rules) + 3):
        if start >= value.shape[0] or np.isnan(value[start]):
            continue
        old = value[phase:start][~np.isnan(value[phase:start])]
        new = value[start:end][~np.isnan(value[start:end])]
        if old.shape[0] < 2 or new.shape[0] < 2:
            continue
        score = abs(float(new.mean() - old.mean())) * np.sqrt(
            old.shape[0] * new.shape[0] / (old.shape[0] + new.shape[0])
        )
        if score > best_score + 1e-12:
            best, best_score = start, score
    if best == shift.start:
        return shift
    moved = shift_at(
        value,
        best,
        shift.old_centre,
        rules=rules,
        per_year=per_year,
        sigma=sigma,
        baseline_start=shift.baseline_start,
        baseline_n=shift.baseline_n,
    )
    if moved is not None and moved.direction == shift.direction:
        return moved
    side, run = run_at(value, best, shift.old_centre)
    present_until = np.flatnonzero(~np.isnan(value))
    if side != (1 if shift.direction == "up" else -1) or best < shift.start:
        return shift
    # later in the same run, and the run goes on to where the first one ended: the same shift, started later
    if int((present_until >= best).sum()) > run and int((present_until >= shift.start).sum()) > shift.run:
        return shift
    later = value[best:][~np.isnan(value[best:])][: lasting_window(rules, per_year)]
    return Shift(
        start=best,
        direction=shift.direction,
        run=run,
        old_centre=shift.old_centre,
        baseline_start=shift.baseline_start,
        baseline_n=shift.baseline_n,
        on_side=int((_side(later, shift.old_centre) == side).sum()),
        window=int(later.shape[0]),
        new_centre=float(later.mean()),
    )


def sustained_shifts(
    values: Any,
    *,
    rules: RuleSet | str = "mdc",
    per_year: int | None = None,
    start: int = 0,
    baseline: int = BASELINE,
    min_baseline: int = MIN_BASELINE,
) -> list[Shift]:
    """The start of every sustained shift in ``values``, in order: the dates the system moved.

    Read forward as an analyst would: the old system's average comes from its first points (at
    least ``min_baseline``, frozen at ``baseline``); the first point that begins a sustained shift
    against it (:func:`shift_at`) starts a new system, whose own first points set the next average.
    ``per_year`` (points in a year: 52, 12, 4) lengthens to a year both the look that a shift lasts
    and the points that set the old average, so that a season is not taken for a new system.
    Missing values (NaN) are kept in place and skipped.

    Examples
    --------
    >>> sustained_shifts([5.0, 6, 4, 5, 6, 4, 5, 6, 4, 5, 6, 4])  # noise: no shift
    []
    """
    value = _as_float_array(values, "values")
    present = np.flatnonzero(~np.isnan(value))
    if min_baseline < 2 or baseline < min_baseline:
        raise ValueError(f"need 2 <= min_baseline <= baseline, got {min_baseline} and {baseline}")
    if per_year:  # an old average over a whole year is not pulled by the season it started in
        baseline = max(baseline, per_year)
    found: list[Shift] = []
    phase = int(start)
    length = run_length(rules)
    while True:
        mine = present[present >= phase]
        shift = None
        for k in range(min_baseline, mine.shape[0] - length + 1):
            base = mine[: min(k, baseline)]
            centre = float(value[base].mean())
            shift = shift_at(
                value,
                int(mine[k]),
                centre,
                rules=rules,
                per_year=per_year,
                sigma=_sigma(value, base),
                baseline_start=phase,
                baseline_n=int(base.shape[0]),
            )
            if shift is not None:
                break
        if shift is None:
            return found
        shift = _refine(value, shift, phase, rules=rules, per_year=per_year, sigma=_sigma(value, base))
        found.append(shift)
        phase = shift.start
