"""Whether the public Demand page's tables hold against solving all their sums at once, and what holding costs
(issue #12).

For every date range the sidebar offers, decided across ranges as the page decides them (``perf.access.date_ranges``
with the inputs ``ui.cached_demand._tables_ranges`` / ``_natures_ranges`` / ``_case_totals_ranges`` give it): the
Demand totals by place, service and channel, the natures, and Capability's counts of completed cases, by the rule sum
by sum only (``joint=False``) and with its joint audit (the public rule). For each: how many figures are hidden, how
many of them a joint solve of the range's sums gives back (``perf.access.solvable.determined``; the figures a visitor
has anyway, a view's total its shown periods add up to or a demand type's total, count as shown), and how long the
rule took. One range at a time: the period sums that tie ranges together are the group rule's (``disclosure``).

    .venv/bin/python bench/demand_joint.py [--db data/outside_in.duckdb]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def given_back(
    cells: pd.DataFrame,
    parent: dict[str, str | None],
    hidden: set[tuple[str, str, str]],
    known: set[tuple[str, str, str]],
    count: str,
) -> tuple[int, list[str]]:
    """How many hidden figures (less those a visitor has anyway) a joint solve of the range's sums gives back."""
    from perf.access import case_counts, solvable

    keys = list(
        zip(cells["place"].astype(str), cells["service"].astype(str), cells["channel"].astype(str), strict=True)
    )
    links = case_counts.sum_links(keys, parent)
    flag = np.array([k in hidden and k not in known for k in keys], dtype=bool)
    found = np.flatnonzero(solvable.determined(links, cells[count].to_numpy(dtype="float64"), flag))
    return len(found), [f"{keys[i]} ({int(cells[count].iloc[i])})" for i in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "data" / "outside_in.duckdb"))
    args = parser.parse_args()
    os.environ["OUTSIDE_IN_DB"] = str(Path(args.db).resolve())
    from streamlit import logger

    logger.set_log_level("error")
    from perf import periods
    from perf.access import date_ranges, disclosure
    from ui import cached_demand as cd

    print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    span = cd.data_span()
    end, case_end = span["last_contact"], span["last_case_day"]
    starts = periods.public_range_starts(end)
    parent = cd._demand_cells(starts[-1], end)[1]
    groups = cd._demand_ranges(end)
    cells = {s: disclosure.total_cells(cd._ward_totals(s, end), parent) for s in starts}
    known = {s: set(disclosure.known_totals(disclosure.split_table(groups[s]), sentence=False)) for s in starts}
    between = date_ranges.lone_hidden(groups)
    ncells = {s: disclosure.nature_cells(cd._ward_natures(s, end), parent) for s in starts}
    case_starts = periods.public_range_starts(case_end)
    cap = cd._capability_ranges(case_end)
    case_known = {s: set(disclosure.known_totals(disclosure.split_table(cap[s]), sentence=False)) for s in case_starts}
    wards = {s: cd._case_totals(s, case_end) for s in case_starts}
    ccells = {s: date_ranges.case_cells(w, parent) for s, w in wards.items()}
    cap_between = date_ranges.lone_hidden(cap)
    for joint in (False, True):
        rule = "with the joint audit" if joint else "sum by sum only"
        took: dict[str, float] = {}
        for _ in range(3):  # the best of three: the machine is shared, the floor is the figure
            t0 = time.perf_counter()
            tables = date_ranges.ranges_totals_hidden(
                cells, parent, known, counts=disclosure.DEMAND_COUNTS, between=between, joint=joint
            )[0]
            t1 = time.perf_counter()
            natures = date_ranges.natures_ranges_hidden(ncells, parent, tables, joint=joint)
            t2 = time.perf_counter()
            cases = date_ranges.case_ranges_hidden(wards, parent, case_known, cap_between, joint=joint)
            t3 = time.perf_counter()
            for name, t in (("tables", t1 - t0), ("natures", t2 - t1), ("cases", t3 - t2)):
                took[name] = min(took.get(name, t), t)
        print(
            f"rule {rule}: Demand tables {took['tables']:.2f} s, natures {took['natures']:.2f} s, Capability "
            f"completed cases {took['cases']:.2f} s (4 ranges each, best of 3)"
        )
        for s in starts:
            n, which = given_back(cells[s], parent, tables[s], known[s], "demand")
            types = {k for k in zip(ncells[s]["place"], ncells[s]["service"], ncells[s]["channel"], strict=True)}
            types = {k for k in types if k[2].endswith(disclosure.PART) and k not in natures[s]}
            m, which_n = given_back(ncells[s], parent, natures[s], types, "demand")
            print(
                f"  from {s or 'the first day'}: tables {len(tables[s]):,} of {len(cells[s]):,} hidden, {n} given "
                f"back jointly; natures {len(natures[s]):,} of {len(ncells[s]):,} hidden, {m} given back jointly "
                f"{which_n[:2]}"
            )
        for s in case_starts:
            n, which = given_back(ccells[s], parent, cases[s], case_known[s], "cases")
            print(
                f"  completed cases from {s or 'the first day'}: {len(cases[s]):,} of {len(ccells[s]):,} hidden, {n} "
                f"given back jointly {which[:2]}"
            )
    print("uptime after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
