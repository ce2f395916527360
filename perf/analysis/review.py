"""Check–Plan–Do: did a change to the system shift it? A verdict a Head of Service can defend.

Hold the limits of the old system (the points before the change) and ask whether the points
after it show a *sustained* signal against them that *starts at the change*: a shift (the rule
set's run length in a row on one side of the old average, Making Data Count 7, Wheeler 8) that
lasts (:mod:`perf.spc.shifts`), or repeated points beyond one old limit. This is the evidence NHS
England's *Making Data Count* asks for before limits are recalculated (a sustained change, never
one unusual point); a single unusual period is named, never taken as proof. ``docs/methods.md``
("Check–Plan–Do verdicts") states the rule and its sources; ``bench/verdicts.py`` measures how
often it claims a change in noise and finds a real one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from perf import spc, store
from perf.spc import shifts
from perf.spc import Improvement

Judgement = Literal["improvement", "deterioration", "shift", "no_change", "too_early", "change_elsewhere", "mixed"]
JUDGEMENTS: tuple[Judgement, ...] = (
    "improvement", "deterioration", "shift", "no_change", "too_early", "change_elsewhere", "mixed",
)  # fmt: skip
CLAIMS_A_CHANGE: frozenset[str] = frozenset({"improvement", "deterioration", "shift", "mixed"})
EARLY = 2  # a signal "starts at the change" when its run begins within the first EARLY + 1 points
BEYOND_REPEATED = 3  # points beyond the same old limit that count as a sustained signal on their own
PROVISIONAL_BELOW = spc.SHORT_PHASE  # old limits from fewer points are provisional (12, NHSRplotthedots)
PERIOD_DAYS = {"week": 7, "month": 30.44, "quarter": 91.3, "year": 365.25}
PER_YEAR = {"week": 52, "month": 12, "quarter": 4, "year": 1}


def period_of(dates: pd.DatetimeIndex) -> str:
    """ "week", "month", "quarter" or "year", from the usual gap between dates."""
    if len(dates) < 2:
        return "period"
    gap = float(np.median(np.diff(dates.to_numpy().astype("datetime64[D]")).astype(float)))
    return "week" if gap <= 8 else "month" if gap <= 32 else "quarter" if gap <= 95 else "year"


def plural(n: int, word: str) -> str:
    """'1 week', '2 weeks'."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def period_label(when: pd.Timestamp, period: str) -> str:
    """How a council names one period: 'Apr–Jun 2025', 'Mar 2025', 'w/c 3 Mar 2025'."""
    if period == "quarter":
        end = when + pd.DateOffset(months=2)
        return f"{when:%b}–{end:%b %Y}" if when.year == end.year else f"{when:%b %Y}–{end:%b %Y}"
    if period == "month":
        return f"{when:%b %Y}"
    if period == "year":
        return f"{when:%Y}"
    if period == "week":
        return f"the week of {when.day} {when:%b %Y}"
    return f"{when.day} {when:%b %Y}"


def day_label(when: pd.Timestamp | dt.date) -> str:
    """'1 Apr 2024' (no leading zero)."""
    return f"{when.day} {when:%b %Y}"


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class BeforeAfter:
    """The change judged: the old system's limits held, then limits recalculated per phase.

    ``judgement`` is one of :data:`JUDGEMENTS`; :meth:`sentence` says it with its evidence in
    words, for the page, the decision log and packs.
    """

    held: spc.Chart  # limits from the old system's points, held across the change
    recalculated: spc.Chart  # limits recalculated from the change
    change_at: int  # position of the first point after the change
    before_mean: float
    after_mean: float
    before_range: tuple[float, float]
    after_range: tuple[float, float]
    signal: bool  # does the verdict claim the system changed at the date?
    rule: str  # "shift", "outside_limits" or "" (the sustained evidence)
    direction: str  # "up", "down" or ""
    judgement: Judgement
    dates: pd.DatetimeIndex  # one per value (positions as days from 2000 when none were given)
    period: str  # "week", "month", "quarter", "year" or "period"
    baseline_start: int  # the old system's first point (after any earlier shift)
    old_centre: float
    old_lower: float
    old_upper: float
    provisional: bool  # the old limits rest on fewer than 12 points
    n_after: int  # points since the change
    on_side: int  # of them, how many on the signal's side of the old average
    beyond: int  # of them, how many beyond the old limit on that side
    run_start: int | None  # where the sustained run begins (position), if any
    run: int  # its length
    more_needed: int  # too_early: how many more periods before the data can tell
    elsewhere: shifts.Shift | None  # change_elsewhere: where the sustained shift begins
    moving_before: bool  # change_elsewhere: the old system was already moving before the date
    one_offs: tuple[int, ...]  # points since the change beyond an old limit that are not sustained
    floor: float  # 0 when values cannot go below zero (counts, days), else -inf
    proposals: tuple[shifts.Shift, ...] = field(default=())  # every sustained shift in the series

    @property
    def change_date(self) -> pd.Timestamp:
        return pd.Timestamp(self.dates[self.change_at])

    def tell_by(self) -> pd.Timestamp:
        """too_early: the start of the period whose figure lets the data tell."""
        last = pd.Timestamp(self.dates[-1])
        steps = max(self.more_needed, 0)
        if self.period in ("month", "quarter", "year"):
            months = {"month": 1, "quarter": 3, "year": 12}[self.period]
            return last + pd.DateOffset(months=months * steps)
        return last + pd.Timedelta(days=PERIOD_DAYS.get(self.period, 1) * steps)

    def evidence(self, unit: str = "", decimals: int = 0) -> str:
        """The counts behind the verdict: '9 of the 10 weeks since 1 Apr 2024 are below …'."""
        f = _formatter(unit, decimals)
        p = self.period
        since = f"since {day_label(self.change_date)}"
        if self.direction:
            side = "below" if self.direction == "down" else "above"
            limit = self.old_lower if self.direction == "down" else self.old_upper
            limit_word = "lower" if self.direction == "down" else "upper"
            who, verb = _k_of(self.on_side, self.n_after, p)
            text = f"{who} {since} {verb} {side} the old average of {f(self.old_centre)}"
            if self.run_start is not None and 2 <= self.run < self.n_after:
                start = pd.Timestamp(self.dates[self.run_start])
                text += f", {self.run:,} in a row from {period_label(start, p)}"
            verb = "is" if self.beyond == 1 else "are"
            limit_text = f"the old {limit_word} limit of {f(limit)}"
            if math.isfinite(limit) and limit > self.floor:
                text += (
                    f"; {self.beyond:,} {verb} {side} {limit_text}" if self.beyond else f"; none is {side} {limit_text}"
                )
            return text + "."
        inside = self.n_after - len(self.one_offs)
        system = ""
        if self.baseline_start > 0:
            system = (
                f" (the system in place since {period_label(pd.Timestamp(self.dates[self.baseline_start]), p)},"
                f" when the data shows it last moved)"
            )
        who, verb = _k_of(inside, self.n_after, p)
        return (
            f"{who} {since} {verb} within the old limits, "
            f"{_span(max(self.old_lower, self.floor), self.old_upper, unit, decimals)}, around the old average "
            f"of {f(self.old_centre)}{system}."
        )

    def headline(self) -> str:
        """The verdict in a few words, for a heading."""
        when = day_label(self.change_date)
        way = "up" if self.direction == "up" else "down"
        return {
            "improvement": f"The change of {when} improved the system",
            "deterioration": f"The system got worse after {when}",
            "shift": f"The system shifted {way} at {when}",
            "mixed": f"Mixed: signals both ways after {when}",
            "too_early": f"Too early to tell whether {when} changed the system",
            "change_elsewhere": f"No sustained change at {when}: the system moved at another time",
            "no_change": f"No change at {when}",
        }[self.judgement]

    def sentence(self, unit: str = "", decimals: int = 0) -> str:
        """What the review found, with its evidence: the words for the page and the decision log."""
        f = _formatter(unit, decimals)
        p = self.period
        when = day_label(self.change_date)
        move = f"The average moved from {f(self.before_mean)} to {f(self.after_mean)}."
        j = self.judgement
        if j in ("improvement", "deterioration", "shift"):
            head = {
                "improvement": "The change improved the system",
                "deterioration": "The system got worse after the change",
                "shift": f"The system shifted {'up' if self.direction == 'up' else 'down'} at the change",
            }[j]
            how = (
                "a sustained shift from the change shows it"
                if self.rule == "shift"
                else "repeated points beyond an old limit from the change show it"
            )
            text = f"{head}: {how}. {self.evidence(unit, decimals)} {move}"
        elif j == "mixed":
            text = (
                f"Mixed: the points since {when} show sustained signals on both sides of the old average. "
                f"{self.evidence(unit, decimals)} {move}"
            )
        elif j == "too_early":
            text = (
                f"Too early to tell: only {plural(self.n_after, p)} since {when}; a sustained signal needs "
                f"{plural(self.run_needed, p)}. {plural(self.more_needed, 'more ' + p)} will tell, once the "
                f"figure for {period_label(self.tell_by(), p)} is in. {self.evidence(unit, decimals)}"
            )
        elif j == "change_elsewhere" and self.moving_before:
            s = self.elsewhere
            assert s is not None
            start = pd.Timestamp(self.dates[s.start])
            way = "up" if s.direction == "up" else "down"
            text = (
                f"No sustained change at {when}: the system was already moving {way} before it. The points "
                f"from {period_label(start, p)} average {f(s.new_centre)}, against {f(s.old_centre)} before "
                f"then, so the points after {when} carry on a movement that began before the change. Look "
                f"for what changed around {period_label(start, p)}, or chart the trend."
            )
        elif j == "change_elsewhere":
            s = self.elsewhere
            assert s is not None
            start = pd.Timestamp(self.dates[s.start])
            gap = s.start - self.change_at
            where = f"{plural(abs(gap), p)} {'after' if gap > 0 else 'before'} {when}"
            side = "above" if s.direction == "up" else "below"
            text = (
                f"No sustained change at {when}: the data shows the system moved from "
                f"{period_label(start, p)} instead ({where}): {plural(s.run, p)} in a row {side} the average "
                f"of {f(s.old_centre)} before it, and "
                f"{'all' if s.on_side == s.window else f'{s.on_side:,} of the'} {plural(s.window, p)} from then "
                f"{'is' if s.window == 1 else 'are'} {side} it. Judge that date instead."
            )
        else:
            text = f"No change: the points since {when} sit within the old system's variation"
            if self.one_offs:
                labels = [period_label(pd.Timestamp(self.dates[i]), p) for i in self.one_offs[:3]]
                more = "" if len(self.one_offs) <= 3 else f" and {len(self.one_offs) - 3} more"
                count = "one" if len(self.one_offs) == 1 else f"{len(self.one_offs)}"
                text += (
                    f", apart from {count} unusual {p if len(self.one_offs) == 1 else p + 's'}, {_list(labels)}{more}"
                )
            text += f". {self.evidence(unit, decimals)}"
        if self.provisional and j != "change_elsewhere":
            text += (
                f" The old limits are provisional: they rest on only {plural(self.baseline_n, p)} "
                f"(12 or more make them reliable)."
            )
        return text

    @property
    def run_needed(self) -> int:
        return shifts.run_length(self.held.rules)

    @property
    def baseline_n(self) -> int:
        return int(np.isfinite(self.held.points["value"].to_numpy()[: self.change_at - self.baseline_start]).sum())


def _formatter(unit: str, decimals: int) -> Any:
    def f(x: float) -> str:
        text = f"{x:,.{decimals}f}"
        return f"{text}%" if unit == "%" else f"{text} {unit}".strip()

    return f


def _k_of(k: int, n: int, word: str) -> tuple[str, str]:
    """Subject and verb: ('9 of the 10 weeks', 'are'), ('All 12 weeks', 'are'), ('1 of the 9 quarters', 'is')."""
    if n == 1:
        return f"The only {word}", "is" if k == 1 else "is not"
    if k == n:
        return f"All {n:,} {word}s", "are"
    return f"{k:,} of the {n:,} {word}s", "is" if k == 1 else "are"


def _span(low: float, high: float, unit: str, decimals: int) -> str:
    """'0–66 homes', '38.7%–55.1%'."""
    if unit == "%":
        return f"{low:,.{decimals}f}%–{high:,.{decimals}f}%"
    return f"{low:,.{decimals}f}–{high:,.{decimals}f} {unit}".strip()


def _range(phase: pd.Series, floor: float) -> tuple[float, float]:
    return max(float(phase["lower"]), floor), float(phase["upper"])


def _dates_of(values: Any, dates: Any, n: int) -> pd.DatetimeIndex:
    if dates is None and isinstance(values, pd.Series) and isinstance(values.index, pd.DatetimeIndex):
        dates = values.index
    if dates is None:
        return pd.DatetimeIndex(pd.Timestamp("2000-01-01") + pd.to_timedelta(np.arange(n), unit="D"))
    idx = pd.DatetimeIndex(pd.to_datetime(list(dates)))
    if len(idx) != n:
        raise ValueError(f"dates must have one entry per value: {len(idx)} dates for {n} values")
    return idx


def _beyond(value: np.ndarray[Any, Any], limit: float, direction: int) -> np.ndarray[Any, Any]:
    with np.errstate(invalid="ignore"):
        return (value < limit) if direction < 0 else (value > limit)


def _sustained_from(
    value: np.ndarray[Any, Any],
    c: int,
    centre: float,
    lower: float,
    upper: float,
    rules: spc.RuleSet,
    per_year: int | None,
    base_start: int,
    base_n: int,
) -> tuple[str, int, int, int] | None:
    """The sustained signal starting at the change: (rule, direction, run start, run length), or None."""
    present = np.flatnonzero(~np.isnan(value))
    after = present[present >= c]
    for p in after[: EARLY + 1]:
        if p > after[0] and np.sign(value[p - 1] - centre) == np.sign(value[p] - centre):
            continue  # not the start of a run: the run from the point before was already tried
        found = shifts.shift_at(
            value,
            int(p),
            centre,
            rules=rules,
            per_year=per_year,
            sigma=(upper - centre) / spc.SIGMA_LIMITS,
            since=c,
            baseline_start=base_start,
            baseline_n=base_n,
        )
        if found is not None:
            return "shift", (1 if found.direction == "up" else -1), int(p), found.run
    # k of the first m points since the change on one side (10 of 11, 12 of 14, ...), lasting and large
    d, k, m = shifts.same_side_from(value, c, centre, rules=rules)
    if d:
        window = after[: max(shifts.lasting_window(rules, per_year), m)]
        sigma = (upper - centre) / spc.SIGMA_LIMITS
        on = np.sign(value[window] - centre) == d
        if on.mean() >= shifts.LASTING_SHARE and abs(float(value[window].mean()) - centre) >= shifts.MIN_SIZE * sigma:
            first_on = int(after[int(np.argmax(np.sign(value[after] - centre) == d))])
            return "shift", d, first_on, shifts.run_at(value, first_on, centre)[1]
    # repeated points beyond one old limit, beginning at the change, on a side that lasts
    first = after[: shifts.run_length(rules)]
    for d, limit in ((-1, lower), (1, upper)):
        if not math.isfinite(limit):
            continue
        hits = first[_beyond(value[first], limit, d)]
        if hits.shape[0] >= max(BEYOND_REPEATED, math.ceil(first.shape[0] / 2)) and hits[0] in after[: EARLY + 1]:
            window = after[: shifts.lasting_window(rules, per_year)]
            if (np.sign(value[window] - centre) == d).mean() >= shifts.LASTING_SHARE:
                side, run = shifts.run_at(value, int(hits[0]), centre)
                return "outside_limits", d, int(hits[0]), run
    return None


def _opposite_later(
    value: np.ndarray[Any, Any],
    c: int,
    centre: float,
    sigma: float,
    direction: int,
    rules: spc.RuleSet,
    per_year: int | None,
) -> bool:
    """Is there a sustained shift to the other side of the old average later, after the change?"""
    present = np.flatnonzero(~np.isnan(value))
    for p in present[present >= c]:
        found = shifts.shift_at(value, int(p), centre, rules=rules, per_year=per_year, sigma=sigma)
        if found is not None and (1 if found.direction == "up" else -1) == -direction:
            return True
    return False


def _already_moving(
    value: np.ndarray[Any, Any], c: int, base_start: int, centre: float, direction: int, rules: spc.RuleSet
) -> shifts.Shift | None:
    """A signal that began before the change: the rule set's run length of points just before it
    already sit on the signal's side of the old average (a trend, or an earlier change). Returns
    where that stretch began, as a shift, or None."""
    present = np.flatnonzero(~np.isnan(value[base_start:c])) + base_start
    length = shifts.run_length(rules)
    last = present[-length:]
    if last.shape[0] < length or not (np.sign(value[last] - centre) == direction).all():
        return None
    begin = int(last[0])
    for i in present[::-1]:
        if np.sign(value[i] - centre) != direction:
            break
        begin = int(i)
    tail = value[begin:][~np.isnan(value[begin:])]
    side, run = shifts.run_at(value, begin, centre)
    earlier = value[base_start:begin][~np.isnan(value[base_start:begin])]
    return shifts.Shift(
        start=begin,
        direction="up" if direction > 0 else "down",
        run=run,
        old_centre=float(earlier.mean()) if earlier.shape[0] >= 2 else centre,
        baseline_start=base_start,
        baseline_n=int(present.shape[0]),
        on_side=int((np.sign(tail - centre) == direction).sum()),
        window=int(tail.shape[0]),
        new_centre=float(tail.mean()),
    )


def _repeated_beyond_later(
    value: np.ndarray[Any, Any],
    after: np.ndarray[Any, Any],
    centre: float,
    lower: float,
    upper: float,
    rules: spc.RuleSet,
    base_start: int,
    *,
    from_change: bool = False,
) -> shifts.Shift | None:
    """Repeated points beyond one old limit that begin later than the change (or at it, with
    ``from_change``): at least BEYOND_REPEATED within a run length of points. Where they begin, or None."""
    length = shifts.run_length(rules)
    for d, limit in ((-1, lower), (1, upper)):
        if not math.isfinite(limit):
            continue
        hits = np.flatnonzero(_beyond(value[after], limit, d))
        for i in range(hits.shape[0] - BEYOND_REPEATED + 1):
            if hits[i + BEYOND_REPEATED - 1] - hits[i] < length:
                begin = int(after[hits[i]])
                if begin <= int(after[0]) + EARLY and not from_change:
                    continue
                tail = value[begin:][~np.isnan(value[begin:])]
                return shifts.Shift(
                    start=begin,
                    direction="up" if d > 0 else "down",
                    run=shifts.run_at(value, begin, centre)[1],
                    old_centre=centre,
                    baseline_start=base_start,
                    baseline_n=0,
                    on_side=int((np.sign(tail - centre) == d).sum()),
                    window=int(tail.shape[0]),
                    new_centre=float(tail.mean()),
                )
    return None


TREND_TEST = 2.5  # half-averages this many standard errors apart: the old system was already moving


def _trend_before(
    value: np.ndarray[Any, Any], c: int, base_start: int, centre: float, sigma: float, direction: int
) -> shifts.Shift | None:
    """Was the old system already moving the signal's way? Wheeler's half-averages of the points
    before the change (Understanding SPC, "charts for trended data"), compared with the standard
    error of their difference from the moving-range sigma. Returns the later half as a shift, or None."""
    present = np.flatnonzero(~np.isnan(value[base_start:c])) + base_start
    half = present.shape[0] // 2
    if half < 4 or not sigma > 0:
        return None
    first, second = value[present[:half]], value[present[-half:]]
    diff = float(second.mean() - first.mean())
    if diff * direction < TREND_TEST * sigma * np.sqrt(2 / half):
        return None
    begin = int(present[-half])
    tail = value[begin:][~np.isnan(value[begin:])]
    return shifts.Shift(
        start=begin,
        direction="up" if direction > 0 else "down",
        run=shifts.run_at(value, begin, centre)[1],
        old_centre=float(first.mean()),
        baseline_start=base_start,
        baseline_n=half,
        on_side=int((np.sign(tail - float(first.mean())) == direction).sum()),
        window=int(tail.shape[0]),
        new_centre=float(tail.mean()),
    )


def before_after(
    values: Any, change_at: int, *, improvement: Improvement = "neutral", rules: spc.RuleSet = "mdc", dates: Any = None
) -> BeforeAfter:
    """Judge a change at position ``change_at`` (the first point of the new system).

    ``values`` may be a Series with a DatetimeIndex, or pass ``dates``: the verdict then names
    periods and says when a too-early verdict can be decided.
    """
    series = pd.Series(values, dtype=float).reset_index(drop=True)
    n = len(series)
    if not 2 <= change_at <= n - 1:
        raise ValueError(
            f"the change must leave at least 2 points before it and 1 after, got position {change_at} of {n}"
        )
    when = _dates_of(values, dates, n)
    period = (
        period_of(when)
        if dates is not None or isinstance(values, pd.Series) and isinstance(values.index, pd.DatetimeIndex)
        else "period"
    )
    per_year = PER_YEAR.get(period)
    value = series.to_numpy()
    length = shifts.run_length(rules)
    found = tuple(shifts.sustained_shifts(value, rules=rules, per_year=per_year))
    # the old system is the one in place before the change: since the last shift well before it
    base_start, unsettled = 0, None
    for s in found:
        if s.start < change_at - EARLY:
            if change_at - s.start >= shifts.MIN_BASELINE:
                base_start, unsettled = s.start, None
            else:  # the system moved too recently to know its limits: the date cannot be judged alone
                unsettled = s
    held = spc.xmr(
        series.iloc[base_start:].reset_index(drop=True),
        baseline_points=change_at - base_start,
        improvement=improvement,
        rules=rules,
    )
    old = held.phases.iloc[0]
    centre, lower, upper = float(old["centre"]), float(old["lower"]), float(old["upper"])
    base_n = int(np.isfinite(value[base_start:change_at]).sum())
    phase_starts = sorted({change_at, *([base_start] if base_start else [])})
    recalculated = spc.xmr(series, phase_starts=phase_starts, improvement=improvement, rules=rules)
    phases = recalculated.phases
    floor = 0.0 if float(np.nanmin(value)) >= 0 else -np.inf  # counts and days cannot go below zero
    before_phase = phases.iloc[-2]
    after_phase = phases.iloc[-1]

    present_after = np.flatnonzero(~np.isnan(value[change_at:])) + change_at
    n_after = int(present_after.shape[0])
    # the signal at the change is judged on the points before the system's next move, if the data
    # shows one more than a run length later: a later, separate shift is not the change's doing
    later_moves = [s.start for s in found if s.start > change_at + length]
    until = value.copy()
    if later_moves:
        until[min(later_moves) :] = np.nan
    sustained = (
        None
        if unsettled is not None
        else _sustained_from(until, change_at, centre, lower, upper, rules, per_year, base_start, base_n)
    )
    outside = _beyond(value[present_after], lower, -1) | _beyond(value[present_after], upper, 1)
    rule, direction, run_start, run, more, elsewhere = "", 0, None, 0, 0, None
    one_offs: tuple[int, ...] = ()
    judgement: Judgement
    moving_before = False
    sigma = (upper - centre) / spc.SIGMA_LIMITS
    # which way the points since the change lean: the signal's side, or the majority's
    signs = np.sign(value[present_after] - centre)
    leaning = (
        sustained[1]
        if sustained is not None
        else 1
        if (signs > 0).sum() > (signs < 0).sum()
        else -1
        if (signs < 0).sum() > (signs > 0).sum()
        else 0
    )
    already = None
    if leaning and n_after >= 2:
        already = _already_moving(value, change_at, base_start, centre, leaning, rules) or _trend_before(
            value, change_at, base_start, centre, sigma, leaning
        )
    if already is not None and (
        sustained is not None or unsettled is not None or (signs == leaning).mean() >= shifts.LASTING_SHARE
    ):
        sustained = None  # the points before the date had already moved: the change did not start it
        moving_before = True
    else:
        already = None
    if sustained is not None:
        rule, direction, run_start, run = sustained
        run = shifts.run_at(value, run_start, centre)[1]  # the whole run, past any later move
        if _opposite_later(value, change_at, centre, sigma, direction, rules, per_year):
            judgement = "mixed"
        elif improvement == "neutral":
            judgement = "shift"
        else:
            judgement = "improvement" if (direction > 0) == (improvement == "up") else "deterioration"
    else:
        # a shift after the date, or one so recent before it that the date sits in its first year
        recent = shifts.lasting_window(rules, per_year)
        away = [s for s in found if s.start > change_at + EARLY or change_at - recent < s.start < change_at - EARLY]
        near = [s for s in found if abs(s.start - change_at) <= EARLY]
        later = _repeated_beyond_later(
            value,
            present_after,
            centre,
            lower,
            upper,
            rules,
            base_start,
            from_change=unsettled is not None or bool(near),
        )
        if already is not None:
            elsewhere, judgement = already, "change_elsewhere"
        elif unsettled is not None:
            elsewhere, judgement = unsettled, "change_elsewhere"
        elif away and not near:
            elsewhere = min(away, key=lambda s: (abs(s.start - change_at), s.start))
            judgement = "change_elsewhere"
        elif later is not None:
            elsewhere, judgement = later, "change_elsewhere"
        elif n_after < length:
            judgement, more = "too_early", length - n_after
        else:
            judgement = "no_change"
            one_offs = tuple(int(i) for i in present_after[outside])
        if judgement != "no_change":
            one_offs = ()
    lean = direction
    if judgement == "too_early":  # say which way the few points lean, without claiming it
        signs = np.sign(value[present_after] - centre)
        lean = 1 if (signs > 0).sum() > (signs < 0).sum() else -1 if (signs < 0).sum() > (signs > 0).sum() else 0
    if lean:
        on_side = int((np.sign(value[present_after] - centre) == lean).sum())
        beyond = int(_beyond(value[present_after], lower if lean < 0 else upper, lean).sum())
    else:
        on_side, beyond = 0, 0
    return BeforeAfter(
        held=held,
        recalculated=recalculated,
        change_at=change_at,
        before_mean=float(before_phase["centre"]),
        after_mean=float(after_phase["centre"]),
        before_range=_range(before_phase, floor),
        after_range=_range(after_phase, floor),
        signal=judgement in CLAIMS_A_CHANGE,
        rule=rule,
        direction="up" if lean > 0 else "down" if lean < 0 else "",
        judgement=judgement,
        dates=when,
        period=period,
        baseline_start=base_start,
        old_centre=centre,
        old_lower=lower,
        old_upper=upper,
        provisional=base_n < PROVISIONAL_BELOW,
        n_after=n_after,
        on_side=on_side,
        beyond=beyond,
        run_start=run_start,
        run=run,
        more_needed=more,
        elsewhere=elsewhere,
        moving_before=moving_before and judgement == "change_elsewhere",
        one_offs=one_offs,
        floor=floor,
        proposals=found,
    )


FINDING_MARK = "\n\nFinding: "  # the page keeps the verdict after the actions: "Finding: <headline>. <sentence>"


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and bool(pd.isna(value))) else str(value)


@dataclass(frozen=True)
class Recorded:
    """One recorded review, typed once where it is read (:func:`history`, or the public's dates only).

    The public's copy (perf.access.public.reviews) has no decision, actions or reviewers: they read "".

    >>> r = Recorded.from_row({"measure_id": "M1", "change_date": "2026-04-01", "reviewed_at": "2026-09-02 10:00"})
    >>> r.reviewed, r.change_date, r.decision, r.finding
    (datetime.date(2026, 9, 2), datetime.date(2026, 4, 1), '', ('', ''))
    """

    measure_id: str
    change_date: dt.date
    reviewed: dt.date
    decision: str = ""
    actions: str = ""
    reviewed_by: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | pd.Series) -> Recorded:
        return cls(
            measure_id=str(row["measure_id"]),
            change_date=pd.Timestamp(row["change_date"]).date(),
            reviewed=pd.Timestamp(row["reviewed_at"]).date(),
            decision=_text(row.get("decision")).strip(),
            actions=_text(row.get("actions")),
            reviewed_by=_text(row.get("reviewed_by")),
        )

    @property
    def finding(self) -> tuple[str, str]:
        """The verdict's headline and its evidence as the review page worded them; ("", "") without one."""
        _, headline, evidence = split_finding(self.actions)
        return headline, evidence


def recorded(frame: pd.DataFrame) -> list[Recorded]:
    """Every review row of ``frame`` (:func:`history`, perf.access.public.reviews), in order: newest first."""
    return [Recorded.from_row(row) for _, row in frame.iterrows()]


def split_finding(actions: str) -> tuple[str, str, str]:
    """(actions, verdict headline, evidence sentence) of a recorded review; the last two are "" when the
    review was saved without a finding."""
    text, mark, finding = str(actions or "").partition(FINDING_MARK)
    if not mark:
        return text, "", ""
    headline, _, sentence = finding.partition(". ")
    return text, headline.strip(), sentence.strip()


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    measure_id: str,
    change_date: dt.date,
    decision: str,
    actions: str,
    reviewed_by: str,
    now: dt.datetime | None = None,
) -> None:
    """Keep the review's decision and actions beside the measure (plain text, never markup)."""
    decision, actions = decision.strip(), actions.strip()
    if not decision:
        raise ValueError("Write the decision the review reached before saving.")
    if len(decision) > 4000 or len(actions) > 4000:
        raise ValueError("Decision and actions are limited to 4,000 characters each.")
    with store.write_transaction(con) as cur:
        store.run(
            cur,
            "review_insert",
            {
                "measure_id": measure_id,
                "change_date": change_date,
                "decision": decision,
                "actions": actions,
                "reviewed_by": reviewed_by or "unknown",
                "reviewed_at": (now or dt.datetime.now()).replace(microsecond=0),
            },
        )


def history(con: duckdb.DuckDBPyConnection, measure_id: str) -> pd.DataFrame:
    """Earlier reviews of a measure, newest first."""
    return store.query(con, "review_list", {"measure_id": measure_id})
