"""The cross-place small-count rule as first written (perf.access.disclosure.group_ladders before it was made
fast, commit 8263b90): one view at a time in pandas, 7-8 s for one date range of the sample. Kept here
only as the reference the fast one must agree with, decision for decision (tests/test_group_rule_pinned.py).
The rule's later step, no hidden period its view's shown figures give back, is written here again on its own
(``rebuild``: a union-find over days, one view at a time), so the pin still compares two implementations.

Run ``.venv/bin/python -m tests.group_rule_reference`` to write tests/golden/group_rule_sample.json again
from THIS code (never from perf's), when the sample data changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perf.access import disclosure, small_counts
from perf.access.disclosure import LADDER, View, published_ladder

GOLDEN = Path(__file__).parent / "golden" / "group_rule_sample.json"
# The date ranges the public Demand page offers (ui.filters.PERIOD_MONTHS), counted back from the sample's
# last contact as ui.cached_demand.case_scope does, and one odd range (a mid-month start, an end mid-quarter).
RANGES: dict[str, tuple[str | None, str | None]] = {
    "all": (None, "2026-11-22"),
    "12m": ("2025-11-23", "2026-11-22"),
    "2y": ("2024-11-23", "2026-11-22"),
    "3y": ("2023-11-23", "2026-11-22"),
    "odd": ("2023-02-15", "2025-08-09"),
}


def reference_group_ladders(
    cells: dict[str, pd.DataFrame],
    parent: dict[str, str | None],
    *,
    counts: Sequence[str],
    rows: Callable[[pd.DataFrame], pd.DataFrame],
    size: str,
    flag: str = "suppressed",
    rebuild: bool = True,
) -> dict[View, dict[str, pd.DataFrame]]:
    """perf.access.disclosure.group_ladders as of commit 8263b90, and, with ``rebuild`` (as the rule has it since
    the rebuild change), no hidden period a view's own shown figures give back (:func:`worked_out`): such a
    period counts as seen when siblings are compared, and one that is a second blank, or holds a hidden shorter
    one, has the smallest shown period of the shortest length its view offers inside it hidden too (or, with
    none, the smallest shown period of its own length). ``rebuild=False`` is the rule before that change."""
    raw = {g: {(str(p), str(s)): f.reset_index(drop=True)
               for (p, s), f in cells[g].groupby(["place", "service"], sort=False)} for g in LADDER}  # fmt: skip
    by = {g: {(str(p), str(s)): f.drop(columns=["place", "service"]).reset_index(drop=True)
              for (p, s), f in rows(cells[g]).groupby(["place", "service"], sort=False)} for g in LADDER}  # fmt: skip
    views = list(by[LADDER[-1]])
    if not views:
        return {}
    blank = list(counts)
    forced: dict[View, dict[str, set[pd.Timestamp]]] = {v: {} for v in views}

    def ladder_of(v: View) -> dict[str, pd.DataFrame]:
        def fetch(g: str) -> pd.DataFrame:
            extra = forced[v].get(g)
            if not extra:
                return by[g][v]
            f = raw[g][v].copy()
            f.loc[pd.to_datetime(f["period_start"]).isin(extra), list(counts)] = 1
            return rows(f).drop(columns=["place", "service"])

        if not forced[v] and not any(by[g][v][flag].any() for g in LADDER):
            return {g: by[g][v] for g in LADDER}
        return published_ladder(fetch, blank=blank, flag=flag)

    ladders = {v: ladder_of(v) for v in views}
    for _ in range(50):
        touched: set[View] = set()
        seen = {v: worked_out(ladders[v], raw, v, flag) if rebuild else None for v in views}
        more_of: dict[View, dict[str, set[pd.Timestamp]]] = {v: {} for v in views}
        for g in LADDER:
            parts = []
            for v in views:
                offered = g in ladders[v]
                base = ladders[v][g] if offered else by[g][v]
                hidden = base[flag].to_numpy(dtype=bool) if offered else np.full(len(base), True)
                mine = seen[v]
                if mine is not None:
                    hidden = hidden & ~mine[g]
                n = pd.to_numeric(raw[g][v][size], errors="coerce").fillna(0).to_numpy(dtype="float64")
                parts.append(pd.DataFrame({"period_start": base["period_start"].to_numpy(), "place": v[0],
                                           "service": v[1], "parent": parent.get(v[0]) or "",
                                           "kind": "all" if v[1] == "" else "each", "offered": offered,
                                           "hidden": hidden, "_n": np.where(hidden, 1.0, n)}))  # fmt: skip
            table = pd.concat(parts, ignore_index=True)
            done = small_counts.suppress_small_counts(
                table, ["_n"], groups=[["period_start", "parent", "service"], ["period_start", "place", "kind"]]
            )
            more = table[done["suppressed"].to_numpy() & ~table["hidden"].to_numpy()]
            for (p, s), picked in more.groupby(["place", "service"], sort=False):
                more_of[(str(p), str(s))].setdefault(g, set()).update(pd.to_datetime(picked["period_start"]))
        if rebuild:
            broken: dict[View, set[tuple[str, pd.Timestamp]]] = {v: set() for v in views}
            for c in LADDER:
                for v in views:
                    mine = seen[v]
                    assert mine is not None
                    for f, day in _breaks(ladders[v], raw[c][v], mine[c], forced[v].get(c, set()), raw, v, c,
                                          counts, size, flag, broken[v]):  # fmt: skip
                        more_of[v].setdefault(f, set()).add(day)
        for v in views:
            for g, days in more_of[v].items():
                new_days = days - forced[v].get(g, set())
                if new_days:
                    forced[v].setdefault(g, set()).update(new_days)
                    touched.add(v)
        if not touched:
            break
        for v in touched:
            ladders[v] = ladder_of(v)
    return ladders


STEP = {"week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3)}
CALENDAR = {"week": "7D", "month": "MS", "quarter": "QS"}


def _span(ladder: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The days every offered length's list covers: the latest first period's start, the earliest last one's end."""
    offered = [g for g in LADDER if g in ladder and not ladder[g].empty]
    lo = max(pd.Timestamp(ladder[g]["period_start"].min()) for g in offered)
    hi = min(pd.Timestamp(ladder[g]["period_start"].max()) + STEP[g] for g in offered)
    return lo, hi


def worked_out(
    ladder: dict[str, pd.DataFrame], raw: dict[str, dict[View, pd.DataFrame]], v: View, flag: str
) -> dict[str, np.ndarray]:
    """For each length, each of the view's periods (``raw``'s rows): a visitor cannot see it (hidden, or its length
    not offered) but can add and take away the view's shown figures to get it: its first day and its end are
    joined by a chain of shown periods of the lengths offered, periods not listed between listed ones (none
    there), and the view's total, in one union-find over days (clipped to :func:`_span`)."""
    lo, hi = _span(ladder)
    up: dict[pd.Timestamp, pd.Timestamp] = {}

    def find(x: pd.Timestamp) -> pd.Timestamp:
        while up.get(x, x) != x:
            x = up[x]
        return x

    def join(a: pd.Timestamp, b: pd.Timestamp) -> None:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            ra, rb = find(a), find(b)
            if ra != rb:
                up[ra] = rb

    join(lo, hi)
    for g, frame in ladder.items():
        starts = list(pd.to_datetime(frame["period_start"]))
        for day, hidden in zip(starts, frame[flag].astype(bool), strict=True):
            if not hidden:
                join(day, day + STEP[g])
        ordered = sorted(starts)
        for a, b in zip(ordered[:-1], ordered[1:], strict=True):
            for day in pd.date_range(a + STEP[g], b, freq=CALENDAR[g]):
                if day + STEP[g] <= b:
                    join(day, day + STEP[g])
    out = {}
    for g in LADDER:
        starts = pd.to_datetime(raw[g][v]["period_start"]) if v in raw[g] else pd.Series(dtype="datetime64[ns]")
        if g in ladder:
            unseen = ladder[g][flag].to_numpy(dtype=bool)
        else:
            unseen = np.full(len(starts), True)
        flags = []
        for day, not_seen in zip(starts, unseen, strict=True):
            a, b = max(day, lo), min(day + STEP[g], hi)
            flags.append(bool(not_seen and a < b and find(a) == find(b)))
        out[g] = np.array(flags, dtype=bool)
    return out


def _breaks(
    ladder: dict[str, pd.DataFrame],
    periods: pd.DataFrame,
    seen: np.ndarray,
    forced: set[pd.Timestamp],
    raw: dict[str, dict[View, pd.DataFrame]],
    v: View,
    c: str,
    counts: Sequence[str],
    size: str,
    flag: str,
    picked: set[tuple[str, pd.Timestamp]],
) -> list[tuple[str, pd.Timestamp]]:
    """The periods to hide so that the view's worked-out periods of length ``c`` that must stay unknown no
    longer are: (length, first day) of the smallest shown period inside each, shortest length first, not one
    already ``picked`` (added to it)."""
    lo, hi = _span(ladder)
    values = periods[list(counts)].apply(pd.to_numeric, errors="coerce")
    small = ((values >= 1) & (values < small_counts.SMALL_COUNT)).any(axis=1).to_numpy()
    hidden_here = ladder[c][flag].to_numpy(dtype=bool) if c in ladder else np.full(len(periods), False)
    out: list[tuple[str, pd.Timestamp]] = []
    for i, day in enumerate(pd.to_datetime(periods["period_start"])):
        if not seen[i] or small[i] or not (hidden_here[i] or day in forced):
            continue
        a, b = max(day, lo), min(day + STEP[c], hi)
        for f in (*LADDER[: LADDER.index(c)], c):
            if f not in ladder:
                continue
            frame = ladder[f]
            n = pd.to_numeric(raw[f][v][size], errors="coerce").fillna(0).to_numpy()
            best = None
            for j, start in enumerate(pd.to_datetime(frame["period_start"])):
                if bool(frame[flag].iloc[j]) or (f, start) in picked or n[j] <= 0:
                    continue
                if f != c and not (max(start, lo) >= a and min(start + STEP[f], hi) <= b):
                    continue
                if best is None or n[j] < n[best]:
                    best = j
            if best is not None:
                start = pd.Timestamp(frame["period_start"].iloc[best])
                picked.add((f, start))
                out.append((f, start))
                break
    return out


def reference_demand_group_ladders(
    cells: dict[str, pd.DataFrame], parent: dict[str, str | None]
) -> dict[View, dict[str, pd.DataFrame]]:
    """perf.access.disclosure.demand_group_ladders as of commit 8263b90, on the reference above."""

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return disclosure.suppress(
            frame, disclosure.DEMAND_COUNTS, derived=disclosure.DEMAND_DERIVED, groups=[["place", "service"]]
        )

    return reference_group_ladders(cells, parent, counts=disclosure.DEMAND_COUNTS, rows=rows, size="demand")


Decisions = dict[str, dict[str, list[str]]]


def decisions(ladders: dict[View, dict[str, pd.DataFrame]], flag: str = "suppressed") -> Decisions:
    """What the rule decided, as text: for each view ("place|service"), each length offered and its hidden
    periods' first days (a length not offered is absent)."""
    return {
        f"{p}|{s}": {
            g: [str(d.date()) for d in pd.to_datetime(f.loc[f[flag].astype(bool), "period_start"])]
            for g, f in ladder.items()
        }
        for (p, s), ladder in sorted(ladders.items())
    }


def cells_digest(cells: dict[str, pd.DataFrame]) -> str:
    """A fingerprint of the counts the rule starts from: a changed sample must not pass as the pinned one."""
    h = hashlib.sha256()
    for g in LADDER:
        f = cells[g][["place", "service", "period_start", "value_demand", "failure_demand", "demand"]]
        h.update(pd.util.hash_pandas_object(f, index=False).to_numpy().tobytes())
    return h.hexdigest()


def day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def main() -> None:
    """Write the pinned decisions of the reference for the sample's date ranges."""
    from perf import store

    con = store.connect(Path("data/outside_in.duckdb"), read_only=True)
    out: dict[str, Any] = {}
    try:
        for name, (start, end) in RANGES.items():
            cells, parent = disclosure.demand_cells(con, start=day(start), end=day(end))
            out[name] = {
                "digest": cells_digest(cells),
                "decisions": decisions(reference_demand_group_ladders(cells, parent)),
            }
            print(name, sum(len(v) for d in out[name]["decisions"].values() for v in d.values()), "hidden")
    finally:
        con.close()
    GOLDEN.write_text(dumps(out))


def dumps(pinned: dict[str, Any]) -> str:
    """The pinned decisions as JSON, a view to a line (a changed decision shows as a changed line)."""
    lines = []
    for name, pin in pinned.items():
        views = ",\n".join(f"    {json.dumps(v)}: {json.dumps(d, sort_keys=True)}" for v, d in pin["decisions"].items())
        lines.append(
            f'  {json.dumps(name)}: {{\n    "digest": {json.dumps(pin["digest"])},\n    "decisions": {{\n{views}\n    }}}}'
        )
    return "{\n" + ",\n".join(lines) + "\n}\n"


if __name__ == "__main__":
    main()
