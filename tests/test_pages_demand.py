"""The Demand and Capability pages through app.py (AppTest) on the sample data: sentence first,
charts with the engine's numbers, filters that change them, and an explicit empty state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perf import capability, demand, store
from tests.conftest import APP

DEMAND = "app_pages/demand.py"
CAPABILITY = "app_pages/capability.py"


def run_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def test_the_demand_page_says_its_sentence_first_then_draws_its_charts(app_env: Path) -> None:
    at = run_page(DEMAND, period="All time")
    assert at.title[0].value == "Demand"
    sentence = at.subheader[0].value
    assert sentence.startswith("Demand ") and "% is failure demand" in sentence
    assert len(at.get("vega_lite_chart")) >= 4
    assert any("Laney p′ chart" in c.value for c in at.caption)  # the page says which chart and why


def test_the_demand_page_failure_share_matches_the_engine(app_env: Path) -> None:
    at = run_page(DEMAND, period="All time")
    with store.connect(app_env) as con:
        periods = demand.demand_by_period(con)
        share = float(periods["failure_demand"].sum() / periods["demand"].sum())
    assert f"{share:.0%} is failure demand" in at.subheader[0].value


def test_choosing_a_service_changes_the_demand_page(app_env: Path) -> None:
    with store.connect(app_env) as con:
        service = demand.services(con).iloc[0]
        periods = demand.demand_by_period(con, service_id=str(service["service_id"]))
    at = run_page(DEMAND, period="All time")
    at.selectbox(key="service").set_value(str(service["service_id"])).run()
    assert not at.exception
    share = float(periods["failure_demand"].sum() / periods["demand"].sum())
    assert f"{share:.0%} is failure demand" in at.subheader[0].value
    assert str(service["name"]) in at.caption[0].value


def test_the_capability_page_gives_the_range_or_says_it_is_not_predictable(app_env: Path) -> None:
    at = run_page(CAPABILITY, period="All time")
    assert at.title[0].value == "Capability"
    sentence = at.subheader[0].value
    assert sentence.startswith("This system will deliver a case in") or sentence.startswith("This system is not predictable")
    with store.connect(app_env) as con:
        expected = capability.capability_chart(con).sentence()
    assert sentence == expected
    assert specs(at)  # the capability chart is drawn


def test_working_days_change_the_capability_sentence(app_env: Path) -> None:
    at = run_page(CAPABILITY, period="All time")
    at.segmented_control(key="days").set_value("Working days").run()
    assert not at.exception
    with store.connect(app_env) as con:
        expected = capability.capability_chart(con, day_count="working").sentence()
    assert at.subheader[0].value == expected
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
