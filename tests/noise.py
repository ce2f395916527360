"""Noise with a known answer, for the tests and benchmarks that measure how often a rule fires.

One copy for ``tests/test_stale.py``, ``bench/stale.py`` and ``bench/verdicts.py``: the same seed gives
the same series in each, so a figure in a bench and a bound in a test speak of the same data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Values = np.ndarray[Any, np.dtype[np.float64]]


def ar1(rng: np.random.Generator, n: int, rho: float) -> Values:
    """AR(1) noise with unit marginal variance (rho = 0: independent normal noise)."""
    e = rng.normal(0, 1, n)
    out = np.empty(n)
    out[0] = e[0]
    for i in range(1, n):
        out[i] = rho * out[i - 1] + np.sqrt(1 - rho**2) * e[i]
    return out


def seasonal(rng: np.random.Generator, n: int, period: int, amplitude: float = 1.5) -> Values:
    """A sine of ``amplitude`` noise sigmas and ``period`` points, random phase, on normal noise: no level change."""
    return amplitude * np.sin(2 * np.pi * (np.arange(n) / period + rng.uniform())) + rng.normal(0, 1, n)


def shifted(rng: np.random.Generator, n: int, size: float, before_end: int = 10) -> Values:
    """Normal noise with a sustained ``size``-sigma shift (random sign) starting between point 12 and
    ``before_end`` points before the end."""
    at = int(rng.integers(12, n - before_end + 1))
    return rng.normal(0, 1, n) + np.where(np.arange(n) >= at, size * rng.choice([-1, 1]), 0.0)
