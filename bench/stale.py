"""How often does "The system has changed since …: these limits no longer describe it" appear where
it must not, and how often where it must?

Prints figures (no pass/fail), for the rule on main (``perf.analysis.stale.changed_since``, a lasting shift
against the last phase's limits still running at the latest point) and, beside it, the rule it
replaced (a run of 7 on one side of the centre line reaching the latest point). Goals (issue 11):
at most 5% flagged on independent noise; at least 90% of sustained 2-sigma shifts flagged when they
began 10 or more points before the end; seasonal series without a level change are reported.
Run: ``.venv/bin/python bench/stale.py [--trials N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perf import spc  # noqa: E402
from perf.analysis import stale  # noqa: E402
from tests.noise import ar1, seasonal, shifted  # noqa: E402

WEEKS = pd.Series(pd.date_range("2020-01-06", periods=200, freq="W-MON"))
MONTHS = pd.Series(pd.date_range("2010-01-01", periods=200, freq="MS"))


def old_rule(values: np.ndarray) -> bool:
    """The replaced rule: 7 in a row on one side of the centre line, reaching the latest point."""
    side = np.sign(values - values.mean())
    return bool(side.shape[0] >= 7 and abs(side[-7:].sum()) == 7)


def flag(values: np.ndarray, dates: pd.Series) -> bool:
    """Does the app say the limits are stale (one phase, limits from all the points)?"""
    chart = spc.xmr(100 + 10 * values)
    return stale.changed_since(chart.points, dates[: values.shape[0]]) is not None


def share(
    make: Callable[[np.random.Generator, int], np.ndarray], dates: pd.Series, trials: int, seed: int
) -> tuple[float, float]:
    """Share flagged by the rule on main and by the old rule, over ``trials`` series of 24-150 points."""
    rng = np.random.default_rng(seed)
    new = old = 0
    for _ in range(trials):
        values = make(rng, int(rng.integers(24, 151)))
        new += flag(values, dates)
        old += old_rule(values)
    return new / trials, old / trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    args = parser.parse_args()
    cases: list[tuple[str, Callable[[np.random.Generator, int], np.ndarray], pd.Series]] = [
        ("independent normal noise (weekly)", lambda r, n: ar1(r, n, 0.0), WEEKS),
        ("independent normal noise (monthly)", lambda r, n: ar1(r, n, 0.0), MONTHS),
        ("AR(1) noise, rho 0.3 (weekly)", lambda r, n: ar1(r, n, 0.3), WEEKS),
        ("AR(1) noise, rho 0.3 (monthly)", lambda r, n: ar1(r, n, 0.3), MONTHS),
        ("seasonal: sine 1.5 sigma, period 52, weekly", lambda r, n: seasonal(r, n, 52), WEEKS),
        ("seasonal: sine 1.5 sigma, period 12, monthly", lambda r, n: seasonal(r, n, 12), MONTHS),
        ("shift 2 sigma, 10+ points before the end (weekly)", lambda r, n: shifted(r, n, 2.0), WEEKS),
        ("shift 2 sigma, 10+ points before the end (monthly)", lambda r, n: shifted(r, n, 2.0), MONTHS),
        ("shift 1.5 sigma, 10+ points before the end (weekly)", lambda r, n: shifted(r, n, 1.5), WEEKS),
        ("shift 1 sigma, 10+ points before the end (weekly)", lambda r, n: shifted(r, n, 1.0), WEEKS),
    ]
    print(f"Share of series (24-150 points, {args.trials} each) flagged 'the system has changed'")
    print(f"{'series':54s} {'now':>6s} {'old rule':>9s}")
    for seed, (name, make, dates) in enumerate(cases):
        started = time.perf_counter()
        new, old = share(make, dates, args.trials, seed)
        print(f"{name:54s} {new:6.1%} {old:9.1%}   ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
