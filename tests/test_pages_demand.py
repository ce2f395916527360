"""The Demand and Capability pages through app.py (AppTest) on the sample data: sentence first,
charts with the engine's numbers, filters that change them, and an explicit empty state."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perf import store
from perf.analysis import capability, demand
from perf.drawing import svg
from tests.conftest import run_page, shown

DEMAND = "app_pages/demand.py"
CAPABILITY = "app_pages/capability.py"


def svgs(at: AppTest) -> list[str]:
    """The charts the page drew as inline SVG (perf.drawing.svg), in page order."""
    return [md.value for md in at.markdown if md.value.startswith("<figure class='oi-chart'")]


def points_in(markup: str) -> list[str]:
    """Each control-chart point's hover text ('12 Mar 2024: 31.5. Average 30, limits ...')."""
    return re.findall(r"<title>([^<]*\. Average [^<]*)</title>", markup)


def test_the_demand_page_says_its_sentence_first_then_draws_its_charts(app_env: Path) -> None:
    at = run_page(DEMAND, period="All time")
    assert at.title[0].value == "Demand"
    sentence = at.subheader[0].value
    assert sentence.startswith("Demand ") and "% is failure demand" in sentence
    charts = svgs(at)
    assert len(charts) == 4 and all("aria-label='" in c for c in charts)  # each with its text alternative
    assert any("Laney p′ chart" in c.value for c in at.caption)  # the page says which chart and why


def test_the_demand_page_charts_draw_the_engines_numbers(app_env: Path) -> None:
    at = run_page(DEMAND, period="All time")
    share_chart, pareto_chart = svgs(at)[1], svgs(at)[2]
    with store.connect(app_env) as con:  # nobody signed in: the public view, by month (it shows no weeks)
        share = demand.failure_share_chart(con, granularity="month").points
        natures = demand.nature_pareto(con)
    drawn = points_in(share_chart)
    assert len(drawn) == int(share["value"].notna().sum())
    last = share.dropna(subset=["value"]).iloc[-1]
    assert drawn[-1].startswith(f"{last['period_start']:%d %b %Y}: {svg._num(float(last['value']) * 100)}.")
    biggest = natures[natures["demand_type"] == "failure"].iloc[0]
    assert (
        f"{html.escape(str(biggest['nature']), quote=True)}: {svg._num(float(biggest['demand']))} contacts"
        in pareto_chart
    )


def test_the_demand_page_failure_share_matches_the_engine(app_env: Path) -> None:
    at = run_page(DEMAND, period="All time")
    with store.connect(app_env) as con:
        periods = demand.demand_by_period(con)
        share = float(periods["failure_demand"].sum() / periods["demand"].sum())
    assert f"{share:.0%} is failure demand" in shown(at.subheader[0].value)


def test_choosing_a_service_changes_the_demand_page(app_env: Path) -> None:
    with store.connect(app_env) as con:
        service = demand.services(con).iloc[0]
        periods = demand.demand_by_period(con, service_id=str(service["service_id"]))
    at = run_page(DEMAND, period="All time")
    at.selectbox(key="service").set_value(str(service["service_id"])).run()
    assert not at.exception
    share = float(periods["failure_demand"].sum() / periods["demand"].sum())
    assert f"{share:.0%} is failure demand" in shown(at.subheader[0].value)
    assert str(service["name"]) in shown(at.caption[0].value)


def test_the_capability_page_gives_the_range_or_says_it_is_not_predictable(app_env: Path) -> None:
    at = run_page(CAPABILITY, period="All time")
    assert at.title[0].value == "Capability"
    sentence = shown(at.subheader[0].value)
    assert sentence.startswith("This system will deliver a case in") or sentence.startswith(
        "This system is not predictable"
    )
    with store.connect(app_env) as con:  # nobody signed in: judged on the public chart, by month
        monthly = capability.capability_chart(con, max_cases=0, granularity="month", public_only=True)
        expected = capability.judged_on(capability.capability_chart(con), monthly.points).sentence()
    assert sentence == expected
    charts = svgs(at)
    assert charts and "control chart of end-to-end time" in charts[0]
    with store.connect(app_env) as con:  # nobody signed in: the public view, a month's median a point (no weeks)
        drawn = capability.capability_chart(con, max_cases=0, granularity="month", public_only=True).points
    assert len(points_in(charts[0])) == int(drawn["value"].notna().sum())  # one point a month


def test_working_days_change_the_capability_sentence(app_env: Path) -> None:
    at = run_page(CAPABILITY, period="All time")
    at.segmented_control(key="days").set_value("Working days").run()
    assert not at.exception
    with store.connect(app_env) as con:  # the public view: judged on its chart by month
        kw = {"day_count": "working", "public_only": True}
        monthly = capability.capability_chart(con, max_cases=0, granularity="month", **kw)  # type: ignore[arg-type]
        expected = capability.judged_on(capability.capability_chart(con, **kw), monthly.points).sentence()  # type: ignore[arg-type]
    assert shown(at.subheader[0].value) == expected
    assert "working days" in expected


def test_the_pages_say_when_there_is_nothing_to_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.duckdb"
    con = store.connect(empty, read_only=False)
    store.create_schema(con)
    con.execute("INSERT INTO locality (locality_id, name, kind) VALUES ('ALL', 'Everywhere', 'area')")
    con.close()
    monkeypatch.setenv("OUTSIDE_IN_DB", str(empty))
    at = run_page(DEMAND)
    assert "No demand recorded" in at.info[0].value
    at = run_page(CAPABILITY)
    assert "No cases were completed" in at.info[0].value
