"""The public Demand and Capability pages' period ladders (months and quarters of every place and service, as the
rule decides them across the date ranges) hold against a visitor who solves all their sums at once: no hidden
count of 1 to 4 is given back (bench/ladders_joint.py builds the figures and sums; perf.access.solvable solves).

The joint solve does give back some hidden figures of 5 or more (second blanks a longer or wider period pins down):
those are a cost of the rule, not a small count shown (a small count the same sums pinned down would be in the
determined set too)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

from perf import periods, store
from perf.access import disclosure
from perf.analysis import demand
from tests.test_disclosure_places import own_ladders

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ladders_joint", ROOT / "bench" / "ladders_joint.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ladders_joint"] = module
    spec.loader.exec_module(module)
    return module


LJ = _bench()
KINDS: dict[str, tuple[Any, Any, tuple[str, ...], str]] = {
    "demand": (disclosure.demand_cells, disclosure.demand_ranges_ladders, disclosure.DEMAND_COUNTS, "last_contact"),
    "capability": (
        disclosure.capability_cells,
        disclosure.capability_ranges_ladders,
        disclosure.CASE_COUNTS,
        "last_case_day",
    ),
}


def small(back: pd.DataFrame) -> list[tuple[str, str, str, str, str, int]]:
    """The hidden counts of 1 to 4 a joint solve gives back."""
    rows = back[back["value"].between(1, 4)]
    found: list[tuple[str, str, str, str, str, int]] = LJ.labels(rows)
    return found


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_hidden_small_period_count_is_given_back_by_solving_every_sum_at_once(kind: str, sample_db: Path) -> None:
    """The four date ranges decided together as the page decides them, and solved together (a period any range
    shows is known in all; each range's sums): none of the ladders' hidden counts of 1 to 4 is given back (so none
    is in any one range alone). Each view's total over each range is an unknown here: taken as shown, as if the
    tables of totals showed every one, two ranges' totals less their shared periods give some back (10 Demand, 2
    Capability on the sample: bench/ladders_joint.py --all-ranges --totals-shown; left to the tables' rule). With each view's own rule (no
    group: a ward or service hidden alone) a joint solve gives many back, so the scan can fail."""
    fetch, rule, counts, last = KINDS[kind]
    con = store.connect(sample_db, read_only=True)
    try:
        end = demand.data_span(con)[last]
        assert end is not None
        starts = periods.public_range_starts(end)
        each = {s: fetch(con, start=s, end=end) for s in starts}
    finally:
        con.close()
    parent = each[None][1]
    together = rule({s: c for s, (c, _) in each.items()}, parent)
    cells = {s: c for s, (c, _) in each.items()}
    fig, back = LJ.given_back_across(cells, together, parent, counts)
    hidden = fig[fig["hidden"] & (fig["length"] != LJ.TOTAL)]
    assert hidden["value"].between(1, 4).sum() > 1000  # there are small counts to give back
    assert small(back) == []
    _, before = LJ.given_back(each[None][0], own_ladders(each[None][0], counts), parent, counts)
    assert len(small(before)) > 10, len(small(before))


def test_a_quarter_is_its_months_when_solved_together() -> None:
    """A hand-made view: months 1 (hidden), 7, 7 and the quarter 15 shown: the quarter less the months gives the
    1; with the quarter hidden too, and no other sum, nothing is given back."""
    starts = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])
    cells = {
        "month": pd.DataFrame({"place": "a", "service": "", "period_start": starts, "cases": [1, 7, 7]}),
        "quarter": pd.DataFrame({"place": "a", "service": "", "period_start": starts[:1], "cases": [15]}),
    }

    def ladder(quarter_hidden: bool) -> dict[tuple[str, str], dict[str, pd.DataFrame]]:
        month = cells["month"][["period_start", "cases"]].assign(suppressed=[True, False, False])
        quarter = cells["quarter"][["period_start", "cases"]].assign(suppressed=[quarter_hidden])
        return {("a", ""): {"month": month, "quarter": quarter}}

    _, back = LJ.given_back(cells, ladder(False), {"a": None}, ("cases",))
    assert small(back) == [("a", "", "month", "2025-01-01", "cases", 1)]
    _, back = LJ.given_back(cells, ladder(True), {"a": None}, ("cases",))
    assert back.empty
