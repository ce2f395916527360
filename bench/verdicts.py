"""How often does the Check–Plan–Do verdict claim a change that is not there, and find one that is?

Prints figures (no pass/fail): the issue's goals are at most 5% false claims on independent noise
and at least 90% of sustained 2-sigma shifts found in the right direction with 8 or more points
after. Run: ``.venv/bin/python bench/verdicts.py [--trials N]``.

A *claim* is a verdict that says the system changed at the date: improvement, deterioration,
shift or mixed (``perf.analysis.review.CLAIMS_A_CHANGE``). "change_elsewhere" claims nothing about the date
and is counted apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perf.analysis import review  # noqa: E402
from tests.noise import ar1  # noqa: E402


def simulate(trials: int, *, rho: float = 0.0, shift: float = 0.0, seed: int = 2026) -> Counter[str]:
    """Verdicts on noise (12-40 points before, 8-40 after) with ``shift`` sigmas added at the change."""
    rng = np.random.default_rng(seed)
    found: Counter[str] = Counter()
    for _ in range(trials):
        before, after = int(rng.integers(12, 41)), int(rng.integers(8, 41))
        noise = ar1(rng, before + after, rho) if rho else rng.normal(0, 1, before + after)
        values = 100 + 10 * noise
        values[before:] += 10 * shift
        improvement = "up" if rng.random() < 0.5 else "down"
        result = review.before_after(values, before, improvement=improvement)  # type: ignore[arg-type]
        found[result.judgement] += 1
        if shift and result.judgement in ("improvement", "deterioration"):
            right = (result.judgement == "improvement") == (improvement == "up")
            found["right_direction" if right else "wrong_direction"] += 1
    return found


def share(c: Counter[str], keys: set[str] | frozenset[str], n: int) -> str:
    return f"{100 * sum(c[k] for k in keys) / n:5.1f}%"


def sample_sweep() -> None:
    """Every measure without a redesign, every month start as the change date."""
    import duckdb

    from perf import config
    from perf.analysis import measures

    con = duckdb.connect(str(config.db_path()), read_only=True)
    catalogue = measures.catalogue(con)
    redesigned = set(con.sql("SELECT DISTINCT measure_id FROM phase").df()["measure_id"])
    total: Counter[str] = Counter()
    print("\nSample data: measures without a redesign, every month as the change date")
    print(f"{'measure':32} {'dates':>5} {'claims':>7} {'elsewhere':>9} {'too early':>9}")
    for _, m in catalogue.iterrows():
        if m["measure_id"] in redesigned:
            continue
        data = measures.series(con, m["measure_id"]).sort_values("period_start").reset_index(drop=True)
        values = pd.Series(data["value"].astype(float).to_numpy(), index=pd.DatetimeIndex(data["period_start"]))
        months = pd.date_range(data["period_start"].iloc[0], data["period_start"].iloc[-1], freq="MS")
        here: Counter[str] = Counter()
        for when in months:
            position = int((data["period_start"] < when).sum())
            if not 2 <= position <= len(data) - 1:
                continue
            here[review.before_after(values, position, improvement=m["improvement"]).judgement] += 1
        n = sum(here.values())
        total.update(here)
        print(
            f"{m['measure_id']:32} {n:5d} {share(here, review.CLAIMS_A_CHANGE, n):>7} "
            f"{share(here, {'change_elsewhere'}, n):>9} {share(here, {'too_early'}, n):>9}"
        )
    n = sum(total.values())
    print(
        f"{'all':32} {n:5d} {share(total, review.CLAIMS_A_CHANGE, n):>7} "
        f"{share(total, {'change_elsewhere'}, n):>9} {share(total, {'too_early'}, n):>9}"
    )
    print("\nAt the real redesigns:")
    for mid, when in (
        ("repairs-end-to-end", "2024-04-01"),
        ("benefits-change-days", "2025-01-06"),
        ("benefits-failure-demand", "2025-01-06"),
        ("repairs-end-to-end", "2023-04-01"),
    ):
        m = catalogue.set_index("measure_id").loc[mid]
        data = measures.series(con, mid).sort_values("period_start").reset_index(drop=True)
        values = pd.Series(data["value"].astype(float).to_numpy(), index=pd.DatetimeIndex(data["period_start"]))
        result = review.before_after(
            values, int((data["period_start"] < pd.Timestamp(when)).sum()), improvement=m["improvement"]
        )
        print(f"  {mid} at {when}: {result.judgement}: {result.sentence(str(m['unit']), int(m['decimals']))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--no-sample", action="store_true", help="skip the sweep over the sample database")
    args = parser.parse_args()
    n = args.trials
    started = time.perf_counter()
    print(f"{n} trials each; 12-40 points before the change, 8-40 after; change date at random")
    print(f"{'series':34} {'claims':>7} {'elsewhere':>9} {'no change':>9}")
    for label, rho in (("independent normal noise", 0.0), ("AR(1) noise, rho = 0.3", 0.3)):
        c = simulate(n, rho=rho)
        print(
            f"{label:34} {share(c, review.CLAIMS_A_CHANGE, n):>7} {share(c, {'change_elsewhere'}, n):>9} "
            f"{share(c, {'no_change'}, n):>9}"
        )
    print(f"\n{'sustained shift at the change':34} {'found, right way':>16} {'wrong way':>9} {'other claim':>11}")
    for size in (1.0, 1.5, 2.0):
        c = simulate(n, shift=size, seed=7)
        print(
            f"{size:.1f} sigma{'':28} {100 * c['right_direction'] / n:15.1f}% {100 * c['wrong_direction'] / n:8.1f}% "
            f"{share(c, {'mixed', 'shift'}, n):>11}"
        )
    print(f"\n({time.perf_counter() - started:.1f} s)")
    if not args.no_sample:
        sample_sweep()


if __name__ == "__main__":
    main()
