"""What holding the public open-case rule against a joint linear solve costs (issue #12).

On the database's open cases (every place, service, channel and two-week age bar, as the public Capability page
decides them, ``perf.access.case_counts.open_hidden``): how many figures the rule hides sum by sum only and with
its audit of all the sums solved at once (``perf.access.solvable``), how many hidden figures a joint solve gives
back from each, and how long the rule and one audit take (best of ``--repeat``, cold caches do not matter here:
the figures are read once). ``--scan`` adds the attacker's scan of tests/test_disclosure_capability_counts.py (a
dense SVD of the page's own figures and sums, another method than the rule's), which takes a minute or two.

    .venv/bin/python bench/open_cases_joint.py [--db data/outside_in.duckdb] [--repeat 5] [--scan]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf import store  # noqa: E402
from perf.access import case_counts, solvable  # noqa: E402
from perf.analysis import demand  # noqa: E402


def best(repeat: int, fn: object) -> tuple[float, object]:
    """The fastest of ``repeat`` runs of ``fn()`` (the machine is shared: the floor is the figure), and its result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "data" / "outside_in.duckdb"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scan", action="store_true", help="also the attacker's scan (a dense SVD; slow)")
    args = parser.parse_args()
    print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with store.connect(Path(args.db), read_only=True) as con:
        last = demand.data_span(con)["last_case_day"]
        parent = case_counts.parents(con)
        cells = case_counts.open_cells(case_counts.open_by_ward(con, as_at=last), parent)
    keys = list(
        zip(cells["place"].astype(str), cells["service"].astype(str), cells["channel"].astype(str), strict=True)
    )
    links = case_counts.sum_links(keys, parent, [d + case_counts.PART for d in case_counts.AGE_BANDS])
    size = cells["open_cases"].to_numpy(dtype="float64")
    hidden_in = (size >= 1) & (size < case_counts.SMALL_COUNT)
    print(
        f"open cases as at {last}: {len(keys):,} figures with cases (views' counts, channels, calendar and working "
        f"bars), {int(hidden_in.sum()):,} of them 1 to 4; {links['sum'].nunique():,} sums"
    )
    t_peel, peel = best(args.repeat, lambda: case_counts.open_hidden(cells, parent, joint=False))
    t_joint, joint = best(args.repeat, lambda: case_counts.open_hidden(cells, parent))
    flags = {name: np.array([k in h for k in keys]) for name, h in (("sum by sum", peel), ("with the audit", joint))}
    for name, flag in flags.items():
        t_audit, found = best(args.repeat, lambda flag=flag: solvable.determined(links, size, flag))
        print(
            f"rule {name}: {int(flag.sum()):,} of {len(keys):,} figures hidden ({flag.mean():.1%}); a joint solve "
            f"gives back {int(found.sum())} of them (audit {t_audit:.3f} s)"  # type: ignore[union-attr]
        )
    extra = sorted(joint - peel)  # type: ignore[operator]
    print(
        f"cost to visitors: {len(extra)} more figures hidden ({len(peel):,} -> {len(joint):,}), "  # type: ignore[arg-type]
        f"e.g. {[tuple(k) for k in extra[:3]]}"
    )
    print(f"open_hidden: {t_peel:.3f} s sum by sum only, {t_joint:.3f} s with the audit (best of {args.repeat})")
    if args.scan:
        from tests.test_disclosure_capability_counts import open_data, open_solved

        t0 = time.perf_counter()
        data = open_data(Path(args.db))
        before, _ = open_solved(data, joint=False)
        after, margin = open_solved(data, joint=True)
        print(
            f"attacker's scan (dense SVD of the page's figures and sums): {len(before)} hidden counts given back "
            f"sum-by-sum rule, {len(after)} with the audit; smallest undetermined null-space norm {margin:.3f} "
            f"({time.perf_counter() - t0:.0f} s)"
        )
    print("uptime after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
