"""Benchmark perf.spc: 1,000 seeded weekly series x 260 points, MDC rules, against PyPI peers.

Prints the time for all series through ``xmr()`` (full Chart results), through the batch path
(``batch_latest``, vectorised across series), and through each peer library on the same series,
with the share of points on which each peer's special-cause flag agrees with ours. Peers are
optional (bench/requirements.txt); one that fails to install or import is reported and skipped.

    .venv/bin/python bench/spc.py [--series 1000] [--points 260] [--peer-series N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from perf import spc  # noqa: E402

SEED = 20240603


def make_series(k: int, n: int, seed: int = SEED) -> list[np.ndarray]:
    """Weekly-looking series: a level and noise, and in most of them a shift, a trend or outliers."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(k):
        level = rng.uniform(20, 2000)
        y = rng.normal(level, level * rng.uniform(0.03, 0.12), n)
        sd = level * 0.08
        kinds = rng.random(3)
        if kinds[0] < 0.5:  # a shift: the system was changed
            at = rng.integers(n // 4, n - 10)
            y[at:] += rng.choice([-1, 1]) * rng.uniform(0.5, 2.5) * sd
        if kinds[1] < 0.35:  # a trend over a stretch of weeks
            start = rng.integers(0, n - 30)
            length = rng.integers(8, 30)
            y[start : start + length] += np.arange(length) * rng.choice([-1, 1]) * rng.uniform(0.1, 0.6) * sd
            y[start + length :] += (length - 1) * 0.0
        if kinds[2] < 0.4:  # outliers: a bank holiday, a system outage
            y[rng.integers(0, n, rng.integers(1, 4))] += rng.choice([-1, 1]) * rng.uniform(3, 6) * sd
        out.append(np.round(np.maximum(y, 0), 1))
    return out


def time_it(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall-clock seconds and the result; CPU seconds of the last call are in CPU_LAST."""
    global CPU_LAST
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    CPU_LAST = time.process_time() - cpu
    return time.perf_counter() - start, result


CPU_LAST = 0.0


# --- peers: each returns one boolean per point (special cause by that library's own rules) -------
def peer_controlchartspy(series: list[np.ndarray]) -> list[np.ndarray]:
    import controlchartspy

    dates = pd.date_range("2020-01-06", periods=len(series[0]), freq="W-MON")
    settings = {  # the Making Data Count rules, as its defaults name them, at our lengths
        "astronomical": True,
        "shift": True,
        "trend": True,
        "two_in_three": True,
        "shift_n": 7,
        "trend_n": 7,
        "improvement_direction": "increase",
    }
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for y in series:
            frame = pd.DataFrame({"week": dates[: len(y)], "value": y})
            res = controlchartspy.spc(
                frame,
                "week",
                "value",
                spc_settings={"outliers_in_limits": True},
                outlier_settings=settings,
                return_objs="limits",
            )
            lim = pd.DataFrame(res.limits)
            flags = np.zeros(len(y), dtype=bool)
            for col in ("astpoint", "trend", "shift", "two_in_three"):
                flags |= (lim[col] != "none").to_numpy()
            out.append(flags)
    return out


def peer_abspc(series: list[np.ndarray]) -> list[np.ndarray]:
    import abspc

    out = []
    for y in series:
        limits = abspc.calculate_control_limits(pd.DataFrame({"value": y}), "XmR")
        out.append(abspc.detect_special_causes(limits)["special_cause"].to_numpy(dtype=bool))
    return out


def peer_statprocon(series: list[np.ndarray]) -> list[np.ndarray]:
    from statprocon import XmR

    out = []
    for y in series:
        chart = XmR([float(v) for v in y])
        flags = np.array(chart.rule_1_x_indices_beyond_limits(), dtype=bool)
        flags |= np.array(chart.rule_1_mr_indices_beyond_limits(), dtype=bool)
        flags |= np.array(chart.rule_2_runs_about_central_line(), dtype=bool)
        flags |= np.array(chart.rule_3_runs_near_limits(), dtype=bool)
        out.append(flags)
    return out


def peer_pyspc(series: list[np.ndarray]) -> list[np.ndarray]:
    os.environ.setdefault("MPLBACKEND", "Agg")
    import pyspc

    class _NoAxes:  # pyspc's rules draw on matplotlib axes as they go; we only want the points
        def plot(self, *args: Any, **kwargs: Any) -> None:
            return None

    rules = pyspc.rules()  # its BASIC set: beyond 3 sigma, 7 on one side
    out = []
    for y in series:
        values, centre, lcl, ucl, _ = pyspc.xmr().plot(list(y), 1)
        flags = np.zeros(len(y), dtype=bool)
        flags[rules.plot_violation_points(_NoAxes(), list(values), centre, lcl, ucl)] = True
        out.append(flags)
    return out


PEERS: dict[str, tuple[Callable[[list[np.ndarray]], list[np.ndarray]], str, str]] = {
    # name: (runner, the convention of ours closest to it, what the peer applies)
    "controlchartspy": (peer_controlchartspy, "mdc", "MDC: outside, 7 shift, 7 trend, 2 of 3; 3/1.128"),
    "abspc": (peer_abspc, "mdc", "outside, 8 shift, 6 trend, NHSR 2 of 3; 3/1.128"),
    "statprocon": (peer_statprocon, "wheeler", "Wheeler: outside (X and mR), 8 run, 3 of 4; Decimal"),
    "pyspc": (peer_pyspc, "mdc", "outside, 7th+ point on one side; 3/1.128"),
}


def agreement(ours: list[np.ndarray], theirs: list[np.ndarray]) -> tuple[float, float]:
    """Share of points, and of series' latest points, on which the two flags agree."""
    a, b = np.concatenate(ours), np.concatenate(theirs)
    latest = np.mean([o[-1] == t[-1] for o, t in zip(ours, theirs, strict=True)])
    return float((a == b).mean()), float(latest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--points", type=int, default=260)
    parser.add_argument("--peer-series", type=int, default=None, help="run peers on the first N series only")
    args = parser.parse_args()
    series = make_series(args.series, args.points)
    k, n = len(series), args.points
    print(f"perf.spc benchmark: {k:,} series x {n} weekly points (seed {SEED}), MDC rules")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")

    targets = [float(np.median(y)) for y in series]  # a target per measure, as the Overview has
    spc.xmr(series[0])  # warm up imports and caches
    xmr_runs, xmr_cpus = [], []
    for _ in range(3):  # best of 3, as for the batch path: a single pass is at the mercy of the load
        t_run, charts = time_it(
            lambda: [spc.xmr(y, improvement="up", target=t) for y, t in zip(series, targets, strict=True)]
        )
        xmr_runs.append(t_run)
        xmr_cpus.append(CPU_LAST)
    t_xmr, cpu_xmr = min(xmr_runs), min(xmr_cpus)
    frame = pd.DataFrame({"series_id": np.repeat(np.arange(k), n), "value": np.concatenate(series)})
    frame["improvement"] = "up"
    frame["target"] = np.repeat(targets, n)
    spc.batch_latest(frame.head(n))
    runs, cpus = [], []
    for _ in range(5):
        runs.append(time_it(lambda: spc.batch_latest(frame))[0])
        cpus.append(CPU_LAST)
    t_batch, cpu_batch = min(runs), min(cpus)
    latest = spc.batch_latest(frame)
    points = spc.batch_points(frame)

    ours = {rules: [c.points["signal"].to_numpy() for c in charts] for rules in ("mdc",)}
    same_points = all(
        np.array_equal(g, c.points["signal"].to_numpy())
        for g, c in zip(np.split(points["signal"].to_numpy(), k), charts, strict=True)
    )
    same_latest = all(
        (row.variation, row.assurance) == (c.variation, c.assurance)
        for row, c in zip(latest.itertuples(), charts, strict=True)
    )
    signalled = np.concatenate(ours["mdc"]).mean()
    print(f"\n{'path':<34}{'seconds':>9}{'cpu s':>8}{'per series':>13}  target")
    print(
        f"{'xmr() one chart at a time':<34}{t_xmr:>9.3f}{cpu_xmr:>8.3f}{t_xmr / k * 1e3:>10.3f} ms  < 1 s"
        f"  (best of 3; all 3: {', '.join(f'{r:.3f}' for r in xmr_runs)})"
    )
    print(
        f"{'batch_latest() all at once':<34}{t_batch:>9.3f}{cpu_batch:>8.3f}{t_batch / k * 1e3:>10.3f} ms  < 0.1 s"
        f"  (best of 5; all 5: {', '.join(f'{r:.3f}' for r in runs)})"
    )
    print(f"identical signals on both paths: points {same_points}, latest variation and assurance {same_latest}")
    print(f"points with a signal (MDC): {signalled:.1%}")

    peer_k = args.peer_series or k
    peer_series = series[:peer_k]
    print(
        f"\n{'peer':<17}{'seconds':>9}{'cpu s':>8}{'per series':>13}{'agree (points)':>16}{'agree (latest)':>16}  vs ours  rules"
    )
    peer_times: dict[str, float] = {}
    for name, (runner, convention, applies) in PEERS.items():
        try:
            t_peer, flags = time_it(lambda runner=runner: runner(peer_series))
        except Exception as exc:  # a peer that will not install, import or run is reported, not fatal
            print(
                f"{name:<17}{'-':>9}{'-':>8}{'-':>13}{'-':>16}{'-':>16}  unavailable: {type(exc).__name__}: {exc}"[:170]
            )
            continue
        mine = (
            ours["mdc"][:peer_k]
            if convention == "mdc"
            else [spc.xmr(y, rules=convention).points["signal"].to_numpy() for y in peer_series]
        )
        pts, last = agreement(mine, flags)
        peer_times[name] = t_peer * k / peer_k
        scale = f"{t_peer / peer_k * 1e3:>10.3f} ms"
        print(
            f"{name:<17}{t_peer:>9.3f}{CPU_LAST:>8.3f}{scale:>13}{pts:>16.2%}{last:>16.2%}  {convention:<8} {applies}"
        )
    if peer_k != k:
        print(f"(peers ran on the first {peer_k:,} series; their seconds are for those)")
    if peer_times:
        fastest = min(peer_times, key=peer_times.__getitem__)
        print(
            f"\nbatch path vs the fastest peer ({fastest}, {peer_times[fastest]:.3f} s for {k:,} series): "
            f"{peer_times[fastest] / t_batch:.0f}x faster; xmr() path: {peer_times[fastest] / t_xmr:.1f}x"
        )


if __name__ == "__main__":
    main()
