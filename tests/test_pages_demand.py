"""The Demand and Capability pages through a router (AppTest) on the sample data: sentence first,
charts with the engine's numbers, filters that change them, and an explicit empty state.

Pages run through app.py once it lists them; until then through a router that does what app.py
does for them (the shared sidebar filters, then the page), so the pages are tested either way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perf import capability, demand, store
from tests.conftest import APP, ROOT

DEMAND = str(ROOT / "app_pages" / "demand.py")
CAPABILITY = str(ROOT / "app_pages" / "capability.py")
ROUTER = f'''
import streamlit as st
from ui import filters
nav = st.navigation([
    st.Page({str(ROOT / "app_pages" / "overview.py")!r}, title="Overview", default=True),
    st.Page({DEMAND!r}, title="Demand", url_path="demand"),
    st.Page({CAPABILITY!r}, title="Capability", url_path="capability"),
])
st.session_state["_scope"] = filters.sidebar()
nav.run()
'''


def _app(tmp_path: Path) -> tuple[str, bool]:
    """app.py when it routes to these pages, else a router file doing the same."""
    text = Path(APP).read_text(encoding="utf-8")
    if "app_pages/demand.py" in text and "app_pages/capability.py" in text:
        return APP, True
    router = tmp_path / "router.py"
    router.write_text(ROUTER, encoding="utf-8")
    return str(router), False


def run_page(tmp_path: Path, page: str, **params: str) -> AppTest:
    script, via_app = _app(tmp_path)
    at = AppTest.from_file(script, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page if not via_app else str(Path(page).relative_to(ROOT))).run()
    assert not at.exception, at.exception
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def test_the_demand_page_says_its_sentence_first_then_draws_its_charts(app_env: Path, tmp_path: Path) -> None:
    at = run_page(tmp_path, DEMAND, period="All time")
    assert at.title[0].value == "Demand"
    sentence = at.subheader[0].value
    assert sentence.startswith("Demand ") and "% is failure demand" in sentence
    assert len(at.get("vega_lite_chart")) >= 4
    assert any("Laney p′ chart" in c.value for c in at.caption)  # the page says which chart and why


def test_the_demand_page_failure_share_matches_the_engine(app_env: Path, tmp_path: Path) -> None:
    at = run_page(tmp_path, DEMAND, period="All time")
    with store.connect(app_env) as con:
        periods = demand.demand_by_period(con)
        share = float(periods["failure_demand"].sum() / periods["demand"].sum())
    assert f"{share:.0%} is failure demand" in at.subheader[0].value


def test_choosing_a_service_changes_the_demand_page(app_env: Path, tmp_path: Path) -> None:
    with store.connect(app_env) as con:
        service = demand.services(con).iloc[0]
        periods = demand.demand_by_period(con, service_id=str(service["service_id"]))
    at = run_page(tmp_path, DEMAND, period="All time")
    at.selectbox(key="service").set_value(str(service["service_id"])).run()
    assert not at.exception
    share = float(periods["failure_demand"].sum() / periods["demand"].sum())
    assert f"{share:.0%} is failure demand" in at.subheader[0].value
    assert str(service["name"]) in at.caption[0].value


def test_the_capability_page_gives_the_range_or_says_it_is_not_predictable(app_env: Path, tmp_path: Path) -> None:
    at = run_page(tmp_path, CAPABILITY, period="All time")
    assert at.title[0].value == "Capability"
    sentence = at.subheader[0].value
    assert sentence.startswith("This system will deliver a case in") or sentence.startswith("This system is not predictable")
    with store.connect(app_env) as con:
        expected = capability.capability_chart(con).sentence()
    assert sentence == expected
    assert specs(at)  # the capability chart is drawn


def test_working_days_change_the_capability_sentence(app_env: Path, tmp_path: Path) -> None:
    at = run_page(tmp_path, CAPABILITY, period="All time")
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
    at = run_page(tmp_path, DEMAND)
    assert "No demand recorded" in at.info[0].value
    at = run_page(tmp_path, CAPABILITY)
    assert "No cases were completed" in at.info[0].value
