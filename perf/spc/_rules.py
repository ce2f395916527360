"""Special-cause rules, vectorised over many phases (and many series) at once.

Every function here works on flat arrays in which ``seg`` labels a *segment*: one phase of one
series, its points in time order, with missing and excluded points already removed (they neither
break nor extend a run). ``seg`` must be non-decreasing. Because the segment boundary is part of
every comparison, one call handles one chart or a thousand charts stacked end to end: that is how
``perf.spc.batch_latest`` stays free of per-series Python loops.

Sources of the rules (constants live in ``_base`` with their citations):

- runs on one side of the centre line and trends: NHS England, *Making Data Count* (2019, 2023);
  Wheeler, *Understanding Variation* (2000) ch. 5; Western Electric, *Statistical Quality Control
  Handbook* (1956) p. 25-28.
- "k of m beyond a line": Western Electric (1956) rules 2 and 3; Wheeler (2000) detection rule 3.
- runs analysis: Anhøj & Olesen, *PLoS ONE* 9(11) e113825 (2014); Anhøj, *PLoS ONE* 10(3)
  e0121349 (2015).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
RunLengths = tuple[IntArray, IntArray, IntArray]  # from _run_lengths: run id per element, lengths, starts


def _starts(seg: IntArray) -> BoolArray:
    """True where a new segment begins."""
    new = np.ones(seg.shape[0], dtype=bool)
    new[1:] = seg[1:] != seg[:-1]
    return new


def _one_segment(seg: IntArray) -> bool:
    """True when every element is in the same segment: ``seg`` is non-decreasing, so equal ends suffice.

    One chart of one phase is the common case; it skips the segment-boundary comparisons.
    """
    return bool(seg[0] == seg[-1])


def _run_lengths(key: IntArray, seg: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Run id of each element, the length of each run of equal ``key`` within a segment, and where each run starts."""
    n = key.shape[0]
    change = np.empty(n, dtype=bool)
    change[0] = True
    np.not_equal(key[1:], key[:-1], out=change[1:])
    if not _one_segment(seg):
        change[1:] |= seg[1:] != seg[:-1]
    ids = np.cumsum(change, dtype=np.int64)
    ids -= 1
    starts = np.flatnonzero(change)
    lengths = np.empty(starts.shape[0], dtype=np.int64)
    lengths[:-1] = starts[1:] - starts[:-1]
    lengths[-1] = n - starts[-1]
    return ids, lengths, starts


def runs(side: IntArray, seg: IntArray, length: int, *, side_runs: RunLengths | None = None) -> BoolArray:
    """Points in a run of at least ``length`` successive points on one side of the centre line.

    ``side`` is +1 above, -1 below, 0 on the line; a point on the line breaks a run, as in
    NHSRplotthedots (``relative_to_mean == 0`` ends its seven-point run). ``side_runs``, if the
    caller has it, is ``_run_lengths(side, seg)``.
    """
    if side.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    ids, lengths, _ = _run_lengths(side, seg) if side_runs is None else side_runs
    return np.asarray((lengths[ids] >= length) & (side != 0), dtype=bool)


def trends(value: FloatArray, seg: IntArray, length: int) -> tuple[BoolArray, IntArray]:
    """Points in a run of ``length`` points each strictly above (or below) the one before.

    ``length`` counts points, so 7 means 6 successive rises; a tie breaks the trend. Returns the
    flag and the direction of the trend (+1 rising, -1 falling, 0 none) at each point; a point at
    the turn of two trends takes the direction of the one it ends.
    """
    n = value.shape[0]
    flag = np.zeros(n, dtype=bool)
    direction = np.zeros(n, dtype=np.int64)
    if n < 2:
        return flag, direction
    rise, fall = value[1:] > value[:-1], value[1:] < value[:-1]  # NaN-safe: both False
    step = rise.astype(np.int64) - fall
    if not _one_segment(seg):
        step[seg[1:] != seg[:-1]] = 0  # no step across a phase or series boundary
    ids, lengths, _ = _run_lengths(step, seg[1:])
    in_trend = (lengths[ids] >= length - 1) & (step != 0)
    # step k joins point k and point k + 1: both are in the trend
    flag[:-1] |= in_trend
    flag[1:] |= in_trend
    direction[:-1] = np.where(in_trend, step, 0)
    direction[1:] = np.where(in_trend, step, direction[1:])
    return flag, direction


def k_of_m(indicator: BoolArray, seg: IntArray, k: int, m: int, window_also: BoolArray | None = None) -> BoolArray:
    """Points that belong to a window of ``m`` successive points of which ``k`` or more are flagged.

    The caller decides whether every point in the window is flagged (Wheeler's 3 of 4) or only the
    indicated ones (2 of 3, 4 of 5) by combining the result with ``indicator``. ``window_also``,
    given at each window's last point, is a further condition on the window (NHSRplotthedots'
    "all three on the same side of the mean").
    """
    n = indicator.shape[0]
    if n < m:
        return np.zeros(n, dtype=bool)
    counts = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(indicator, dtype=np.int32, out=counts[1:])
    # window_ok[i]: the window of points i .. i + m - 1 qualifies (slices only: no fancy indexing)
    window_ok = counts[m:] - counts[:-m] >= k
    if not _one_segment(seg):
        window_ok &= seg[m - 1 :] == seg[: n - m + 1]
    if window_also is not None:
        window_ok &= window_also[m - 1 :]
    # point j lies in the windows starting at j - m + 1 .. j: a sliding sum over padded starts
    padded = np.zeros(n + 2 * (m - 1) + 1, dtype=np.int32)
    np.cumsum(window_ok, dtype=np.int32, out=padded[m : m + window_ok.shape[0]])
    padded[m + window_ok.shape[0] :] = padded[m + window_ok.shape[0] - 1]
    return np.asarray(padded[m : m + n] - padded[:n] > 0, dtype=bool)


def all_same_side(side: IntArray, seg: IntArray, m: int) -> BoolArray:
    """Windows of ``m`` successive points all on the same side (True at the window's last point)."""
    n = side.shape[0]
    out = np.zeros(n, dtype=bool)
    if n < m:
        return out
    ids, _, first = _run_lengths(side, seg)
    pos = np.arange(n) - first[ids]  # position of each point inside its run
    out[:] = (pos >= m - 1) & (side != 0)
    return out


class RunsAnalysis(NamedTuple):
    """Anhøj's runs analysis, one value per segment."""

    n_useful: IntArray
    longest_run: IntArray
    longest_run_max: IntArray
    crossings: IntArray
    crossings_min: IntArray
    runs_signal: BoolArray


@lru_cache(maxsize=4096)
def crossings_min(n_useful: int) -> int:
    """Lower 5th percentile of Binomial(n - 1, 0.5): fewer crossings than this is a signal.

    Anhøj & Olesen (2014), as qicharts2 ``qbinom(0.05, n.useful - 1, 0.5)``: the smallest k with
    P(X <= k) >= 0.05. Worked out exactly in whole numbers (sum of C(m, i) against 2^m / 20; the
    two are never equal, as 2^m is not a multiple of 5), rather than importing scipy.stats, which
    took the first visitor to a freshly started app 1.5 s.
    """
    if n_useful < 2:
        return 0
    m = n_useful - 1
    whole = 2**m
    total, term, k = 0, 1, 0  # term = C(m, k)
    while True:
        total += term
        if 20 * total >= whole:
            return k
        term = term * (m - k) // (k + 1)
        k += 1


def longest_run_max(n_useful: IntArray) -> IntArray:
    """Anhøj (2014): a run longer than round(log2(n)) + 3 is a signal (round half to even, as R)."""
    safe = np.maximum(n_useful, 1)
    return np.asarray(np.round(np.log2(safe)) + 3, dtype=np.int64)


def runs_analysis(
    side: IntArray, seg: IntArray, n_segments: int, *, points: bool = True, side_runs: RunLengths | None = None
) -> tuple[RunsAnalysis, BoolArray]:
    """Anhøj's runs analysis per segment; points on the centre line are not useful and are ignored.

    Returns the per-segment analysis and (with ``points``) whether each point lies in a run
    longer than its segment's ``longest_run_max`` (the points ``rules="anhoej"`` flags).
    ``side_runs``, if the caller has it, is ``_run_lengths(side, seg)``.
    """
    useful = side != 0
    every = bool(useful.all())
    u_side, u_seg = (side, seg) if every else (side[useful], seg[useful])
    n_useful = np.bincount(u_seg, minlength=n_segments).astype(np.int64)
    longest = np.zeros(n_segments, dtype=np.int64)
    crossings = np.zeros(n_segments, dtype=np.int64)
    in_long = np.zeros(side.shape[0], dtype=bool)
    max_run = longest_run_max(n_useful)
    if u_side.shape[0] > 0:
        ids, lengths, starts = side_runs if every and side_runs is not None else _run_lengths(u_side, u_seg)
        if n_segments == 1:  # one chart of one phase: every run is in segment 0
            longest[0] = lengths.max()
            crossings[0] = lengths.shape[0] - 1
            too_long_run = lengths > max_run[0]
        else:
            run_seg = u_seg[starts]
            first = _starts_of_runs(run_seg)  # runs come in segment order
            longest[run_seg[first]] = np.maximum.reduceat(lengths, first)
            runs_per_seg = np.bincount(run_seg, minlength=n_segments)
            crossings = np.maximum(runs_per_seg - 1, 0).astype(np.int64)
            too_long_run = lengths > max_run[run_seg]
        if points:
            too_long = too_long_run[ids]
            if every:
                in_long = too_long
            else:
                in_long[useful] = too_long
    if n_segments <= 16:  # one chart: a few cached look-ups
        cmin = np.array([crossings_min(int(v)) for v in n_useful], dtype=np.int64)
    else:  # many series: one look-up per distinct length
        distinct, where = np.unique(n_useful, return_inverse=True)
        cmin = np.array([crossings_min(int(v)) for v in distinct], dtype=np.int64)[where.reshape(-1)]
    signal = (n_useful > 0) & ((longest > max_run) | (crossings < cmin))
    return RunsAnalysis(n_useful, longest, max_run, crossings, cmin, signal), in_long


def _starts_of_runs(ids: IntArray) -> IntArray:
    """Index of the first element of each run."""
    change = np.ones(ids.shape[0], dtype=bool)
    change[1:] = ids[1:] != ids[:-1]
    return np.flatnonzero(change)


RULES: dict[str, tuple[str, ...]] = {
    # the rules each convention applies, in the priority that labels a point
    "mdc": ("outside_limits", "trend", "two_of_three", "shift"),
    "wheeler": ("outside_limits", "mr_signal", "three_of_four", "shift"),
    "western_electric": ("outside_limits", "two_of_three", "four_of_five", "shift"),
    "anhoej": ("outside_limits", "shift"),
}
RULE_COLUMNS = ("outside_limits", "trend", "two_of_three", "shift", "three_of_four", "four_of_five")


class Detected(NamedTuple):
    """What the rules found: one boolean per rule and point, the label and its direction."""

    flags: dict[str, BoolArray]
    label: IntArray  # index into RULES[rules] of the rule that labels the point, -1 if none
    direction: IntArray  # +1 high, -1 low, 0 none: the side of the labelling rule's signal
    runs: RunsAnalysis


def detect(
    value: FloatArray,
    centre: FloatArray,
    sigma: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    seg: IntArray,
    n_segments: int,
    in_sequence: BoolArray,
    quiet_segment: BoolArray,
    *,
    rules: str,
    run_length: int,
    trend_length: int,
    two_of_three_includes_outside: bool,
    mr_signal: BoolArray | None = None,
    mr_direction: IntArray | None = None,
) -> Detected:
    """Apply one convention's rules to every point of every segment at once.

    ``in_sequence`` marks the points that take part in runs, trends and k-of-m windows (present
    and not excluded); every present point is tested against the limits. ``quiet_segment`` marks
    segments whose spread is zero: they give no signals at all.
    """
    n = value.shape[0]
    chosen = RULES[rules]
    flags = {name: np.zeros(n, dtype=bool) for name in (*RULE_COLUMNS, "mr_signal")}
    direction_of = {}
    # NaN compares False without a warning, so no errstate (a measurable cost per chart)
    side_all = (value > centre).astype(np.int64) - (value < centre)  # +1, -1, 0 (on the line or NaN)
    flags["outside_limits"] = (value > upper) | (value < lower)
    direction_of["outside_limits"] = side_all

    full = bool(in_sequence.all())
    if full:  # the common case: no gaps, nothing excluded; work on the arrays themselves
        idx = np.empty(0, dtype=np.int64)  # not needed: nothing to scatter back
        v, s, c, sg, side = value, seg, centre, sigma, side_all
    else:
        idx = np.flatnonzero(in_sequence)
        v, s, c, sg, side = value[idx], seg[idx], centre[idx], sigma[idx], side_all[idx]
    # the runs on either side of the centre line serve both the runs analysis and the shift rule
    side_runs = _run_lengths(side, s) if side.shape[0] else None
    runs_result, in_long = runs_analysis(side, s, n_segments, points=rules == "anhoej", side_runs=side_runs)

    def scatter(local: BoolArray) -> BoolArray:
        if full:
            return local
        out = np.zeros(n, dtype=bool)
        out[idx] = local
        return out

    if "shift" in chosen:
        flags["shift"] = scatter(in_long if rules == "anhoej" else runs(side, s, run_length, side_runs=side_runs))
        direction_of["shift"] = side_all
    if "trend" in chosen:
        t_flag, t_dir = trends(v, s, trend_length)
        flags["trend"] = scatter(t_flag)
        direction_of["trend"] = t_dir if full else _scatter_int(t_dir, idx, n)
    if "two_of_three" in chosen:
        # NHS England (2023) and Western Electric count a point beyond the limit too;
        # NHSRplotthedots 0.2.2 counts only points between 2 and 3 sigma, in a window of
        # three all on one side of the mean
        hi, lo = v > c + 2 * sg, v < c - 2 * sg
        also = None
        if rules == "mdc" and not two_of_three_includes_outside:
            u, lw = (upper, lower) if full else (upper[idx], lower[idx])
            hi, lo = hi & ~(v > u), lo & ~(v < lw)
            also = all_same_side(side, s, 3)
        local = (hi & k_of_m(hi, s, 2, 3, also)) | (lo & k_of_m(lo, s, 2, 3, also))
        flags["two_of_three"] = scatter(local)
        direction_of["two_of_three"] = side_all
    if "four_of_five" in chosen:
        hi, lo = v > c + sg, v < c - sg
        flags["four_of_five"] = scatter((hi & k_of_m(hi, s, 4, 5)) | (lo & k_of_m(lo, s, 4, 5)))
        direction_of["four_of_five"] = side_all
    if "three_of_four" in chosen:
        # Wheeler's halfway line: centre +/- 1.5 sigma (= 1.33 x mean moving range)
        hi, lo = v > c + 1.5 * sg, v < c - 1.5 * sg
        in_hi, in_lo = k_of_m(hi, s, 3, 4), k_of_m(lo, s, 3, 4)
        flags["three_of_four"] = scatter(in_hi | in_lo)
        window_dir = np.where(in_hi, 1, np.where(in_lo, -1, 0)).astype(np.int64)
        direction_of["three_of_four"] = window_dir if full else _scatter_int(window_dir, idx, n)
    if mr_signal is not None and mr_direction is not None:
        # a moving range above its limit is a fact of the data under every rule set; it labels a point
        # (and so counts in ``signal``) only where the rule set includes it (Wheeler)
        flags["mr_signal"] = mr_signal & ~quiet_segment[seg]
        direction_of["mr_signal"] = mr_direction

    quiet = quiet_segment[seg]
    label = np.full(n, -1, dtype=np.int64)
    direction = np.zeros(n, dtype=np.int64)
    for rank in range(len(chosen) - 1, -1, -1):  # a loop over rules, not points
        name = chosen[rank]
        flags[name] &= ~quiet
        hit = flags[name]
        label[hit] = rank
        direction[hit] = direction_of[name][hit]
    return Detected(flags, label, direction, runs_result)


def _scatter_int(local: IntArray, idx: IntArray, n: int) -> IntArray:
    out = np.zeros(n, dtype=np.int64)
    out[idx] = local
    return out
