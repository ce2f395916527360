"""The Demand and Capability pages' filters as one typed value (perf.analysis.demand.CaseFilter):
the same answers as the keywords it replaces, and one cache entry per distinct filter."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from perf import store
from perf.analysis import capability, demand
from perf.analysis.demand import CaseFilter


def test_a_filter_gives_the_queries_their_keywords(sample_db: Path) -> None:
    f = CaseFilter(None, None, date(2025, 4, 1), date(2026, 3, 31))
    with store.connect(sample_db) as con:
        by_value = demand.demand_by_period(con, **f.where(), granularity="month")
        by_keyword = demand.demand_by_period(con, start=date(2025, 4, 1), end=date(2026, 3, 31), granularity="month")
        assert by_value.equals(by_keyword) and len(by_value) == 12
        open_then = capability.work_in_progress(con, **f.as_at())
        assert open_then.equals(capability.work_in_progress(con, as_at=date(2026, 3, 31)))
    assert f.whole_history() == CaseFilter()
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = None  # type: ignore[misc]  # a filter is a value: it cannot change under a cache


def test_equal_filters_share_a_cache_entry_and_different_ones_do_not(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """st.cache_data hashes the frozen dataclass by its fields (no ISO strings needed)."""
    import streamlit as st

    from ui import cached_demand as cd

    st.cache_data.clear()  # another test in this process may have cached the same filter already
    asked: list[dict[str, Any]] = []
    real = demand.demand_by_period

    def counted(con: Any, **kw: Any) -> Any:
        asked.append(kw)
        return real(con, **kw)

    monkeypatch.setattr(demand, "demand_by_period", counted)
    first = cd.by_period(CaseFilter("waste", None, date(2025, 4, 1), date(2026, 3, 31)), "month")
    again = cd.by_period(CaseFilter("waste", None, date(2025, 4, 1), date(2026, 3, 31)), "month")  # a new, equal value
    assert not first.empty and first.equals(again) and len(asked) == 1
    cd.by_period(CaseFilter("waste", None, date(2025, 4, 2), date(2026, 3, 31)), "month")
    cd.by_period(CaseFilter("waste", None, date(2025, 4, 1), date(2026, 3, 31)), "week")
    assert len(asked) == 3
    assert asked[1]["start"] == date(2025, 4, 2) and asked[2]["granularity"] == "week"
