"""What a chart's signals are and when, in words: "above the upper limit in Jun 2026, and a run of
9 months below the average (Mar–Nov 2025)".

A sentence under a chart must never call a process stable while the chart shows special causes;
when it has signals, it names them and their periods. This module groups a chart's flagged points
into *episodes* (successive points flagged by one rule on one side) and words them. Pure: it reads
the ``points`` frame every chart kind returns (``perf.spc.Chart.points``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

# the rules a chart may flag, in the order a sentence names them (the most striking first)
RULES = ("outside_limits", "shift", "trend", "two_of_three", "three_of_four", "four_of_five", "mr_signal")
_NEAR_LIMIT = ("two_of_three", "three_of_four", "four_of_five")  # said only where no stronger signal is


@dataclass(frozen=True)
class Episode:
    """Successive points flagged by one rule on one side: ``first`` and ``last`` are positions in
    the points given (0-based), ``side`` +1 above the average (or rising), -1 below (or falling)."""

    rule: str
    side: int
    first: int
    last: int
    count: int


def _flags(points: pd.DataFrame, rule: str) -> NDArray[np.bool_]:
    signal: NDArray[np.bool_] = points["signal"].fillna(False).to_numpy(dtype=bool)
    if rule == "mr_signal":  # counts only where the chart's rule set labels a point by it
        return np.asarray(signal & (points["special_cause"].astype(str).to_numpy() == "mr_signal"), dtype=bool)
    if rule not in points.columns:
        return np.zeros(len(points), dtype=bool)
    return np.asarray(signal & points[rule].fillna(False).to_numpy(dtype=bool), dtype=bool)


def episodes(points: pd.DataFrame) -> list[Episode]:
    """Every episode of special cause in ``points``, by rule (in ``RULES`` order), then in time.

    A missing period neither breaks nor extends an episode; an episode stays within one phase.
    Points near a limit (two of three, ...) are left out where a run or a point beyond a limit on
    the same side already flags them: the sentence names the stronger signal.
    """
    value = points["value"].to_numpy(dtype=float)
    centre = points["centre"].to_numpy(dtype=float)
    phase = points["phase"].to_numpy() if "phase" in points.columns else np.zeros(len(points), dtype=int)
    present = np.flatnonzero(~np.isnan(value))
    if present.size == 0:
        return []
    side_of = np.sign(np.nan_to_num(value - centre)).astype(int)
    step = np.zeros(len(points), dtype=int)  # direction from the previous present point
    step[present[1:]] = np.sign(value[present[1:]] - value[present[:-1]]).astype(int)
    if present.size > 1:
        step[present[0]] = step[present[1]]
    strong: dict[int, np.ndarray] = {}
    out: list[Episode] = []
    for rule in RULES:
        flagged = _flags(points, rule)
        if rule == "trend":  # a trend's side is its direction: a peak ends a rise and starts a fall
            out.extend(_trends(flagged, present, step, phase))
            continue
        for side in (1, -1):
            sides = step if rule == "mr_signal" else side_of
            hit = flagged & (sides == side)
            if rule in _NEAR_LIMIT:
                hit &= ~strong.get(side, np.zeros(len(points), dtype=bool))
            elif rule in ("outside_limits", "shift"):
                strong[side] = strong.get(side, np.zeros(len(points), dtype=bool)) | hit
            out.extend(Episode(rule, side, run[0], run[-1], len(run)) for run in _blocks(hit, present, phase))
    order = {rule: k for k, rule in enumerate(RULES)}
    return sorted(out, key=lambda e: (order[e.rule], -e.side, e.first))


def _blocks(hit: np.ndarray, present: np.ndarray, phase: np.ndarray) -> list[list[int]]:
    """Successive flagged points (missing periods skipped), split where a phase starts."""
    out: list[list[int]] = []
    run: list[int] = []
    for i in present:
        if hit[i] and (not run or phase[i] == phase[run[-1]]):
            run.append(int(i))
            continue
        if run:
            out.append(run)
        run = [int(i)] if hit[i] else []
    if run:
        out.append(run)
    return out


def _trends(flagged: np.ndarray, present: np.ndarray, step: np.ndarray, phase: np.ndarray) -> list[Episode]:
    out = []
    for run in _blocks(flagged, present, phase):
        part = [run[0]]
        way = int(step[run[1]]) if len(run) > 1 else int(step[run[0]])
        for i in run[1:]:
            if int(step[i]) != way and len(part) > 1:
                out.append(Episode("trend", way, part[0], part[-1], len(part)))
                part, way = [part[-1]], int(step[i])  # the turning point ends one trend and starts the next
            part.append(i)
        out.append(Episode("trend", way, part[0], part[-1], len(part)))
    return [e for e in out if e.side != 0]


# --- words -----------------------------------------------------------------------------------------
def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 household', '2 households', '1 week', '3 weeks': a count with its noun agreeing."""
    return f"{count:,} {word if count == 1 else many or _plural_noun(word)}"


def _plural_noun(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _quarter(stamp: pd.Timestamp) -> str:
    fy = stamp.year if stamp.month >= 4 else stamp.year - 1
    return f"Q{((stamp.month - 4) % 12) // 3 + 1} {fy}-{str(fy + 1)[-2:]}"


def span(first: pd.Timestamp, last: pd.Timestamp, frequency: str) -> str:
    """The periods from ``first`` to ``last`` (period starts) in few words: 'Jun 2026', 'Mar–May 2025',
    'Nov 2024–Feb 2025', 'the week of 3 Mar 2025', 'Q1 2025-26', 'Q4 2024-25 to Q2 2025-26'."""
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    if frequency == "quarter":
        a, b = _quarter(first), _quarter(last)
        return a if a == b else f"{a} to {b}"
    if frequency == "year":
        a, b = str(first.year), str(last.year)
        return a if a == b else f"{a} to {b}"
    if frequency == "week" and first == last:
        return f"the week of {first.day} {first:%b %Y}"
    if frequency == "day" and first == last:
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    if first.year == last.year:
        return f"{first:%b}–{last:%b %Y}"
    return f"{first:%b %Y}–{last:%b %Y}"


def _when(positions: Sequence[int], dates: pd.Series | None, frequency: str, period: str) -> str:
    first, last = positions[0], positions[-1]
    if dates is None:
        return f"{period} {first + 1}" if first == last else f"{period}s {first + 1}–{last + 1}"
    return span(dates.iloc[first], dates.iloc[last], frequency)


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _clauses(items: Sequence[str]) -> str:
    """Clauses that may hold 'and' themselves: 'a, b, and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + ", and " + items[-1]


def _clause(
    rule: str, side: int, found: Sequence[Episode], dates: pd.Series | None, frequency: str, period: str, opening: int
) -> str:
    """One rule's episodes on one side, in words. ``opening`` is the first shown position: a run
    that starts there may have begun before it, so its length is not given."""
    periods = _plural_noun(period)
    listing = "month" if frequency == "week" and len(found) > 1 else frequency  # 'Mar 2025', not 'the week of ...'
    whens = list(dict.fromkeys(_when((e.first, e.last), dates, listing, period) for e in found))
    coarse = "month" if frequency == "week" else frequency  # 'between Mar 2024 and Oct 2026'
    between = (
        f"between {_when((found[0].first,), dates, coarse, period)} and "
        f"{_when((found[-1].last,), dates, coarse, period)}"
    )
    total = sum(e.count for e in found)
    if rule in ("outside_limits", *_NEAR_LIMIT):
        where = {
            "outside_limits": ("above the upper limit", "below the lower limit"),
            "two_of_three": ("close to the upper limit", "close to the lower limit"),
            "three_of_four": ("nearer the upper limit than the average", "nearer the lower limit than the average"),
            "four_of_five": ("more than one sigma above the average", "more than one sigma below the average"),
        }[rule][0 if side > 0 else 1]
        if len(whens) <= 3:
            return f"{where} in {_listed(whens)}"
        return f"{where} in {plural(total, period)} {between}"
    if rule in ("shift", "trend"):
        ways = {"shift": ("above the average", "below the average"), "trend": ("rising", "falling")}[rule]
        way = ways[0 if side > 0 else 1]
        if len(found) == 1:
            e = found[0]
            if e.first == opening:  # it may have begun before the first period shown
                return f"a run of {periods} {way} (to {_when((e.last,), dates, frequency, period)})"
            return f"a run of {plural(e.count, period)} {way} ({whens[0]})"
        if len(found) <= 3:
            return f"runs of {periods} {way} ({'; '.join(whens)})"
        return f"{len(found)} runs of {periods} {way} {between}"
    jump = "jump up" if side > 0 else "drop"
    if len(found) == 1:
        return f"a {jump} bigger than the process allows ({whens[0]})"
    if len(whens) <= 3:
        return f"{plural(len(found), jump)} bigger than the process allows ({_listed(whens)})"
    return f"{plural(len(found), jump)} bigger than the process allows {between}"


def summary(
    points: pd.DataFrame,
    dates: pd.Series | None = None,
    *,
    frequency: str = "month",
    period: str | None = None,
    most: int = 3,
    episodes_named: int = 4,
) -> str:
    """The signals in ``points`` and when, as one clause ("" when there are none).

    ``dates`` (the period starts, aligned with ``points``) date the episodes; without them they
    are numbered ("weeks 17–23"). ``period`` names a period (default: ``frequency``). Up to ``most``
    kinds of signal, and ``episodes_named`` episodes, are each named; more than that (fourteen
    years of monthly figures can hold dozens) and the clause names the latest and counts the rest:
    "a run of 9 months above the average (Apr–Dec 2020), the latest of 24 signals since Feb 2007".

    Example
    -------
    >>> values = [10.0, 11, 9, 10, 11, 9, 10, 11, 9, 10, 30]
    >>> from perf import spc
    >>> pts = spc.xmr(values).points
    >>> summary(pts, pd.Series(pd.date_range("2025-01-01", periods=11, freq="MS")))
    'above the upper limit in Nov 2025, and a run of months below the average (to Oct 2025)'
    """
    pts = points.reset_index(drop=True)
    found = episodes(pts)
    if not found:
        return ""
    name = period or frequency
    when = None if dates is None else pd.Series(pd.to_datetime(pd.Series(dates))).reset_index(drop=True)
    opening = int(np.flatnonzero(pts["value"].notna().to_numpy())[0])
    groups: list[tuple[int, int, str]] = []  # (latest position, rule order, clause)
    for k, rule in enumerate(RULES):
        for side in (1, -1):
            mine = sorted((e for e in found if e.rule == rule and e.side == side), key=lambda e: e.first)
            if mine:
                groups.append((max(e.last for e in mine), k, _clause(rule, side, mine, when, frequency, name, opening)))
    groups.sort(key=lambda g: (-g[0], g[1]))  # the most recent first
    if len(groups) <= most and len(found) <= episodes_named:
        return _clauses([g[2] for g in groups])
    order = {rule: k for k, rule in enumerate(RULES)}
    latest = min(found, key=lambda e: (-e.last, order[e.rule]))  # the most recent; the strongest of a tie
    earliest = min(e.first for e in found)
    since = (
        f"period {earliest + 1}"
        if when is None
        else span(when.iloc[earliest], when.iloc[earliest], "month" if frequency == "week" else frequency)
    )
    named = _clause(latest.rule, latest.side, [latest], when, frequency, name, opening)
    return f"{named}, the latest of {len(found)} signals since {since}"


def has_signal(points: pd.DataFrame) -> bool:
    """True when any point in ``points`` is special cause."""
    return bool(points["signal"].fillna(False).astype(bool).any())
