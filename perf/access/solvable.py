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
    check_sums(links, values)
    return _System(links, hidden).determined()


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


class _System:
    """The sums over the hidden figures, eliminated once (exact, Markowitz's order), kept so that a question about one
    more hidden figure is a back-substitution, not a new elimination."""

    def __init__(self, links: pd.DataFrame, hidden: np.ndarray) -> None:
        self.hidden = np.asarray(hidden, dtype=bool)
        self.item = links["item"].to_numpy(dtype=np.int64)
        self.sign = np.where(links["whole"].to_numpy(dtype=bool), 1, -1)
        self.sum = links["sum"].to_numpy(dtype=np.int64)
        rows: dict[int, dict[int, Number]] = {}
        mine = self.hidden[self.item]
        for r, c, v in zip(self.sum[mine].tolist(), self.item[mine].tolist(), self.sign[mine].tolist(), strict=True):
            row = rows.setdefault(r, {})
            row[c] = row.get(c, 0) + v
        rows = {r: {c: v for c, v in row.items() if v} for r, row in rows.items()}
        self.sums = set(rows)  # the sums that hold a hidden figure
        self.pivots: list[tuple[int, int, dict[int, Number]]] = []  # (figure, sum, the sum's row as it stood)
        self.steps: dict[int, list[tuple[int, Number]]] = {}  # pivot sum: (other sum, factor), other -= factor * pivot
        self.free: list[int] = []
        self.spent: list[int] = []  # sums eliminated to nothing: a right-hand side must be 0 there
        self._eliminate(rows)

    def _eliminate(self, rows: dict[int, dict[int, Number]]) -> None:
        """Gaussian elimination, exact, in Markowitz's order: the figure in fewest remaining sums first, pivoting on
        its shortest sum (a +1 or -1 first). A figure left in no sum is free (a direction of the null space)."""
        cols: dict[int, set[int]] = {}
        for r, row in rows.items():
            for c in row:
                cols.setdefault(c, set()).add(r)
        heap = [(len(s), c) for c, s in cols.items()]
        heapq.heapify(heap)
        done: set[int] = set()
        while heap:
            n, c = heapq.heappop(heap)
            if c in done:
                continue
            if n != len(cols[c]):  # a stale entry: the figure's count of sums changed since it was pushed
                heapq.heappush(heap, (len(cols[c]), c))
                continue
            done.add(c)
            if not cols[c]:
                self.free.append(c)
                continue
            r = min(cols[c], key=lambda s: (abs(rows[s][c]) != 1, len(rows[s]), s))
            pivot = rows.pop(r)
            for k in pivot:
                cols[k].discard(r)
            for o in list(cols[c]):
                other = rows[o]
                f = _div(other[c], pivot[c])
                self.steps.setdefault(r, []).append((o, f))
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
                    self.spent.append(o)
            for k in pivot:
                if k not in done:
                    heapq.heappush(heap, (len(cols[k]), k))
            self.pivots.append((c, r, pivot))

    def _back(self, x: dict[int, Number], rhs: dict[int, Number], until: int | None = None) -> dict[int, Number]:
        """Back-substitution: each pivot row holds its figure and figures solved after it (``until``: stop there)."""
        for c, r, row in reversed(self.pivots):
            rest = sum((v * x[k] for k, v in row.items() if k != c), start=0)
            x[c] = _div(rhs.get(r, 0) - rest, row[c])
            if c == until:
                break
        return x

    def determined(self) -> np.ndarray:
        """The hidden figures every null vector is 0 at: PROBES null vectors from random free values (module doc)."""
        out = np.zeros(len(self.hidden), dtype=bool)
        out[[c for c, _, _ in self.pivots]] = True  # a free figure (and one in no sum) is never determined
        rng = random.Random(_SEED)
        for _ in range(PROBES):
            x = self._back({c: rng.randrange(1, 2**31) for c in self.free}, {})
            for c, v in x.items():
                if v != 0:
                    out[c] = False
        return out

    def freed_by(self, figure: int, shown: int) -> bool:
        """Would hiding the ``shown`` figure too leave the determined hidden ``figure`` undetermined? Only if the new
        unknown can move: its column ``a`` lies in the hidden figures' column space (``A x = -a`` has a solution;
        a sum holding it and no hidden figure would pin it), and then the solutions' value at ``figure`` (the same
        for all, since every null vector is 0 there) is not 0."""
        column: dict[int, int] = {}
        at = np.flatnonzero(self.item == shown)
        for r, v in zip(self.sum[at].tolist(), self.sign[at].tolist(), strict=True):
            column[r] = column.get(r, 0) + v
        if any(r not in self.sums for r, v in column.items() if v):
            return False
        rhs: dict[int, Number] = {r: -v for r, v in column.items() if v}
        for _, r, _ in self.pivots:  # the elimination's steps, in order, on the right-hand side
            if rhs.get(r, 0):
                for o, f in self.steps.get(r, ()):
                    rhs[o] = rhs.get(o, 0) - f * rhs[r]
        if any(rhs.get(o, 0) for o in self.spent):
            return False
        return self._back(dict.fromkeys(self.free, 0), rhs, until=figure)[figure] != 0


def breaks(
    links: pd.DataFrame,
    values: np.ndarray,
    hidden: np.ndarray,
    rank: np.ndarray,
    eligible: np.ndarray,
    *,
    tries: int = 3,
) -> np.ndarray:
    """What to hide more so that the figures :func:`determined` finds are no longer given back. For each, the
    ``eligible`` shown figures of the sums that hold it (or, where those hold none, of the sums that hold their
    figures, and so on outwards) are tried in ``rank`` order (e.g. smallest first), up to ``tries`` of them: the first
    whose hiding would leave the figure undetermined is hidden (a back-substitution each, on the one elimination),
    else the first; once one is picked for a sum, other figures it holds wait for the next round. Trying hides less:
    on the sample's open cases 26 figures more instead of 44 to protect 17. The rule that calls it runs again after
    hiding them (which may hide more sum by sum) and audits again, until nothing is determined. Returns a boolean
    array of the figures to hide; a ``RuntimeError`` if figures are given away and nothing can be hidden (the rule
    would otherwise loop or leak).

    >>> links = pd.DataFrame({"sum": [0, 0, 0, 1, 1, 1, 1], "item": [0, 2, 3, 1, 2, 3, 4],
    ...                       "whole": [True, False, False, True, False, False, False]})
    >>> values, hidden = np.array([10, 12, 6, 4, 2]), np.array([False, False, True, True, True])
    >>> breaks(links, values, hidden, values, np.ones(5, dtype=bool)).tolist()  # 12: then c = 12 - a - b, unknown
    [False, True, False, False, False]
    """
    check_sums(links, values)
    system = _System(links, hidden)
    found = system.determined()
    more = np.zeros(len(system.hidden), dtype=bool)
    if not found.any():
        return more
    hidden, rank = system.hidden, np.asarray(rank)
    item, key = links["item"].to_numpy(dtype=np.int64), links["sum"].to_numpy()
    touched: set[int] = set()  # sums given a new hidden figure this round
    for h in np.flatnonzero(found):
        near = np.array([h])
        while True:
            sums = np.unique(key[np.isin(item, near)])
            members = np.unique(item[np.isin(key, sums)])
            shown = members[~hidden[members] & eligible[members]]
            if len(shown) or len(members) == len(near):
                break
            near = members
        if not len(shown) or touched & set(sums.tolist()):
            continue
        shown = shown[np.argsort(rank[shown], kind="stable")]
        pick = next((int(c) for c in shown[:tries] if system.freed_by(int(h), int(c))), int(shown[0]))
        more[pick] = True
        touched |= set(sums.tolist())
    if not more.any():
        raise RuntimeError(f"{int(found.sum())} hidden figures are given back by sums with nothing left to hide")
    return more
