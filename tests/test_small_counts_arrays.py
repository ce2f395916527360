"""The small-count rule on arrays (perf.access.small_counts.suppress_small_counts) decides as its first, pandas
version did (kept here as the reference): the same cells hidden, the same second blanks (the smallest eligible count
of a group with one blank, the first of equals), on random tables with several groupings, missing keys, counts that
are missing or zero, and rows not eligible. The public Demand and Capability rule runs it on every view's periods
(disclosure._Periods), so it was made array-fast; the zip, the measures' place tree and the pages share it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from perf.access import small_counts


def reference(
    frame: pd.DataFrame,
    counts: Sequence[str],
    *,
    eligible: pd.Series | None = None,
    groups: Sequence[Sequence[str]] = (),
) -> pd.DataFrame:
    """suppress_small_counts as first written, in pandas (commit b5f6cab)."""
    out = frame.copy().reset_index(drop=True)
    ok = pd.Series(True, index=out.index) if eligible is None else pd.Series(eligible).reset_index(drop=True)
    values = out[list(counts)].apply(pd.to_numeric, errors="coerce")
    small = ((values >= 1) & (values < small_counts.SMALL_COUNT)).any(axis=1) & ok
    flag = small.copy()
    size = values.where(values > 0).min(axis=1, skipna=True)
    for _ in range(10):
        changed = False
        for cols in groups:
            keys = [out[c] for c in cols] if cols else [pd.Series(0, index=out.index)]
            blanks = flag.astype(int).groupby(keys, dropna=False).transform("sum")
            candidates = ok & ~flag & (blanks == 1) & size.notna() & (size > 0)
            if not candidates.any():
                continue
            pick = size[candidates].groupby([k[candidates] for k in keys], dropna=False).idxmin()
            flag.loc[pick.to_numpy()] = True
            changed = True
        if not changed:
            break
    for col in counts:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64").mask(flag, np.nan)
    out["suppressed"] = flag.astype(bool)
    return out


def table(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = pd.DataFrame(
        {
            "place": rng.choice(["a", "b", "c", None], n),
            "service": rng.choice(["x", "y", ""], n),
            "period": rng.integers(0, 6, n),
            "value": pd.array(rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 30], n), dtype="Int64"),
            "failure": rng.choice([0.0, 2.0, 7.0, 12.0, np.nan], n),
        }
    )
    f.loc[rng.random(n) < 0.05, "value"] = pd.NA
    return f


GROUPINGS: list[list[list[str]]] = [
    [],
    [[]],
    [["place"]],
    [["place", "service"]],
    [["period", "place"], ["period", "service"]],
    [["service"], [], ["place", "period"]],
]


@pytest.mark.parametrize("groups", GROUPINGS, ids=lambda g: "+".join("/".join(c) or "all" for c in g) or "none")
def test_the_array_rule_decides_as_the_pandas_one(groups: list[list[str]]) -> None:
    second = 0
    for seed in range(25):
        f = table(seed, int(np.random.default_rng(seed).integers(0, 60)))
        for counts in (["value"], ["value", "failure"]):
            for eligible in (None, pd.Series(np.random.default_rng(seed + 1).random(len(f)) < 0.8)):
                want = reference(f, counts, eligible=eligible, groups=groups)
                got = small_counts.suppress_small_counts(f, counts, eligible=eligible, groups=groups)
                pd.testing.assert_frame_equal(got, want, obj=f"seed {seed} {counts}")
                small = (f[counts].apply(pd.to_numeric).ge(1) & f[counts].apply(pd.to_numeric).lt(5)).any(axis=1)
                second += int(want["suppressed"].sum() - (small & (eligible if eligible is not None else True)).sum())
    assert groups == [] or second > 0  # the cases did call for second blanks


def test_an_empty_table_hides_nothing() -> None:
    f = table(0, 0)
    got = small_counts.suppress_small_counts(f, ["value"], groups=[["place"]])
    pd.testing.assert_frame_equal(got, reference(f, ["value"], groups=[["place"]]))
