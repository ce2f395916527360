"""Which hidden figures a visitor can work out by solving every shown sum at once.

The public view's small-count rules (:func:`perf.access.disclosure.totals_hidden`,
:func:`perf.access.case_counts.open_hidden`) make sure that no sum (a total and its parts) has exactly one hidden
figure, and that no chain of such sums, worked one at a time, ends in one. A visitor with a spreadsheet is not
bound to one sum at a time: the shown figures and all the sums together are a linear system, and a hidden figure
is given away when every solution of that system agrees on it (two sums ``a + b`` and ``a + b + c`` both shown
give ``c``, though each has two figures hidden). :func:`determined` finds those figures, so the rule can hide more
until there are none.

In algebra: with ``A`` the sums' matrix (a row a sum, +1 for its total, -1 for each part) restricted to the hidden
figures, a hidden figure ``x_j`` is determined exactly when the unit vector ``e_j`` lies in ``A``'s row space, that
is when every vector of ``A``'s null space is 0 at ``j``.

Why exact elimination rather than a floating-point SVD: the sums are very sparse (a figure takes part in three to
six of them) and all hidden figures of a council tend to form one connected system (2,354 figures, 2,552 sums on
the sample), where a dense SVD takes 4 to 8 s and needs a tolerance to call a number zero. Gaussian elimination
over the rationals, picking each time the figure in fewest sums (Markowitz's order, which keeps the fill-in
small), takes about a third of a second and has no tolerance: every coefficient is an exact integer or
fraction. The null space is then probed at a few points: every free figure (a column without a pivot) gets a
random whole number from a fixed seed, and the others follow by back-substitution. A determined figure is 0 in
every null vector, so in every probe, exactly; an undetermined one is a non-zero linear form in the random
numbers and is 0 only by a coincidence of probability below 2**-31 per probe (Schwartz-Zippel). Two probes make a
mistake less likely than 2**-62, and a mistake can only call a figure determined that is not: the rule would
hide one figure more, never one less.
"""

from __future__ import annotations

import heapq
import random
from fractions import Fraction

import numpy as np
import pandas as pd

Number = int | Fraction
PROBES = 2  # null vectors probed; each extra one divides the (already tiny) chance of a false "determined" by 2**31
_SEED = 12  # fixed: the same figures give the same answer every time


def determined(links: pd.DataFrame, values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Which hidden figures the shown figures and the sums (``links``) give back when solved together.

    ``links``: one row per figure in a sum, ``sum`` (an id), ``item`` (the figure's index in ``values``) and
    ``whole`` (True for the sum's total, False for a part; exactly one total a sum). ``values``: every figure, shown
    or hidden (only to check that each sum adds up, so a wrong link is an error, not a silent leak). ``hidden``:
    which figures the public view hides. Returns a boolean array, True for a hidden figure that is determined.

    Example: two shown totals ``10 = a + b`` and ``12 = a + b + c`` give ``c``, though no sum has one figure hidden.

    >>> links = pd.DataFrame({"sum": [0, 0, 0, 1, 1, 1, 1], "item": [0, 2, 3, 1, 2, 3, 4],
    ...                       "whole": [True, False, False, True, False, False, False]})
    >>> values = np.array([10, 12, 6, 4, 2])  # totals 10 and 12, then a, b, c
    >>> determined(links, values, np.array([False, False, True, True, True])).tolist()
    [False, False, False, False, True]
    """
    hidden = np.asarray(hidden, dtype=bool)
    check_sums(links, values)
    out = np.zeros(len(hidden), dtype=bool)
    item = links["item"].to_numpy(dtype=np.int64)
    mine = hidden[item]
    if not mine.any():
        return out
    rows: dict[int, dict[int, Number]] = {}
    for r, c, w in zip(
        links["sum"].to_numpy()[mine].tolist(),
        item[mine].tolist(),
        links["whole"].to_numpy(dtype=bool)[mine].tolist(),
        strict=True,
    ):
        row = rows.setdefault(int(r), {})
        row[c] = row.get(c, 0) + (1 if w else -1)
    pivots, free = _eliminate(rows)
    rng = random.Random(_SEED)
    out[[c for c, _ in pivots]] = True  # a free figure (and one in no sum) is never determined
    for _ in range(PROBES):
        x: dict[int, Number] = {c: rng.randrange(1, 2**31) for c in free}
        for c, row in reversed(pivots):  # each pivot row holds its column and columns solved after it
            rest = sum((v * x[k] for k, v in row.items() if k != c), start=0)
            x[c] = _div(-rest, row[c])
            out[c] &= x[c] == 0
    return out


def check_sums(links: pd.DataFrame, values: np.ndarray) -> None:
    """Every sum has one total and its parts add up to it; else a ValueError naming the sum and its figures."""
    if links.empty:
        return
    value = np.asarray(values, dtype="float64")[links["item"].to_numpy(dtype=np.int64)]
    whole = links["whole"].to_numpy(dtype=bool)
    sums = links["sum"].to_numpy()
    totals = pd.Series(whole.astype(int)).groupby(sums).sum()
    if (totals != 1).any():
        bad = totals.index[(totals != 1).to_numpy()][0]
        raise ValueError(f"sum {bad}: {int(totals[bad])} totals (a sum has exactly one total and its parts)")
    gap = pd.Series(np.where(whole, value, -value)).groupby(sums).sum()
    off = gap.index[(gap.abs() > 1e-6).to_numpy()]
    if len(off):
        bad = off[0]
        members = links.loc[sums == bad, ["item", "whole"]].to_numpy().tolist()
        raise ValueError(f"sum {bad}: its parts do not add up to its total (figure, is total: {members})")


def _div(a: Number, b: Number) -> Number:
    """a / b, an int when it divides (the usual case with sums of +1 and -1), else an exact fraction."""
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    return Fraction(a) / b


def _eliminate(rows: dict[int, dict[int, Number]]) -> tuple[list[tuple[int, dict[int, Number]]], list[int]]:
    """Gaussian elimination of the sums (``rows``: sum -> {figure: coefficient}), exact, in Markowitz's order: the
    figure in fewest remaining sums first, pivoting on its shortest sum (a +1 or -1 first). Returns the pivot rows
    in order (figure, row as it stood), and the free figures (no pivot: each opens a direction of the null space)."""
    cols: dict[int, set[int]] = {}
    for r, row in rows.items():
        for c in row:
            cols.setdefault(c, set()).add(r)
    heap = [(len(s), c) for c, s in cols.items()]
    heapq.heapify(heap)
    done: set[int] = set()
    pivots: list[tuple[int, dict[int, Number]]] = []
    free: list[int] = []
    while heap:
        n, c = heapq.heappop(heap)
        if c in done:
            continue
        if n != len(cols[c]):  # a stale entry: the figure's count of sums changed since it was pushed
            heapq.heappush(heap, (len(cols[c]), c))
            continue
        done.add(c)
        if not cols[c]:
            free.append(c)
            continue
        r = min(cols[c], key=lambda s: (abs(rows[s][c]) != 1, len(rows[s]), s))
        pivot = rows.pop(r)
        for k in pivot:
            cols[k].discard(r)
        for o in list(cols[c]):
            other = rows[o]
            f = _div(other[c], pivot[c])
            for k, v in pivot.items():
                nv = other.get(k, 0) - f * v
                if nv == 0:
                    if k in other:
                        del other[k]
                        cols[k].discard(o)
                else:
                    if k not in other:
                        cols[k].add(o)
                    other[k] = nv
            if not other:
                del rows[o]
        for k in pivot:
            if k not in done:
                heapq.heappush(heap, (len(cols[k]), k))
        pivots.append((c, pivot))
    return pivots, free
