"""A ward's chart in the public view: the app's Measure page and the static site follow one rule.

- Charted unless most periods are hidden (:func:`perf.access.public.mostly_hidden`): the hidden periods
  are blank points, the average and limits come from the shown ones, and the chart says so
  (:func:`perf.access.public.some_hidden_words`). Mostly hidden: no chart, the same words in both.
- No whole-area total drawn as a ward's target (:meth:`perf.analysis.measures.Measure.target_at`): a
  count's target is for the whole area; a mean's or a ratio's is on the ward's scale and is drawn.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from perf import store
from perf.access import public
from perf.analysis import measures
from perf.output import measure_chart, publish, report, site
from perf.words import narrative
from tests import tiny_db
from tests.conftest import APP, shown

WARD_MEASURE = "Reports of dog fouling"  # M_WARD: a monthly count by ward, W1 2s and 3s, W2 6s and 7s, W3 9s and 10s


def _council(tmp_path: Path, *sql: str) -> Path:
    source = tiny_db.build(tmp_path / "council.duckdb")
    with store.connect(source, read_only=False) as con:
        for statement in sql:
            con.execute(statement)
    return source


def _ward_section(folder: Path, ward: str) -> str:
    page = (folder / f"wards/{ward}.html").read_text(encoding="utf-8")
    return page.split('<h2><a href="../measures/M_WARD.html">')[1].split("</main>")[0]


def _measure_page(db: Path, monkeypatch: pytest.MonkeyPatch, ward: str) -> AppTest:
    """The council's Measure page, nobody signed in (the public-view preview), over all time in ``ward``."""
    monkeypatch.setenv("OUTSIDE_IN_DB", str(db))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["measure"], at.query_params["period"] = WARD_MEASURE, "All time"
    at.query_params["locality"] = ward
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception, at.exception
    return at


def _targets(at: AppTest) -> list[float]:
    """The target lines in the page's control chart (a rule at a fixed value: perf.drawing.charts)."""
    spec: dict[str, Any] = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    return [
        float(layer["encoding"]["y"]["datum"])
        for layer in spec.get("layer", [])
        if "datum" in layer.get("encoding", {}).get("y", {})
    ]


def _site_targets(section: str) -> list[str]:
    return re.findall(r"<title>Target: ([^<]*)</title>", section)


def _sentence(section: str) -> str:
    found = re.search(r'<p class="sentence">(.*?)</p>', section)
    assert found, "no sentence"
    return html.unescape(found.group(1))


# W1 mostly 20s with 6 months of 2s and 3s: a few hidden, the rest charted (W2 and W3 hidden with them
# where a total would give one back)
SOME_HIDDEN = (
    "UPDATE measurement SET value = 20 + (month(period_start) % 3) "
    "WHERE measure_id = 'M_WARD' AND locality_id = 'W1' AND period_start >= DATE '2023-07-01'"
)


def test_a_ward_with_some_periods_hidden_is_charted_by_the_site_as_by_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _council(tmp_path, SOME_HIDDEN)
    with store.connect(source) as con:
        m = measures.measure_of(public.catalogue(con, "public"), "M_WARD")
        data = public.series(con, "M_WARD", "W1", "public")
        built = measure_chart.build(m, data, public.phases(con, "public", "M_WARD"), place="W1")
    hidden = int(data["suppressed"].sum())
    assert 0 < hidden <= len(data) // 2  # some hidden, not most: the old site gave this as a table only
    snap = publish.publish(tmp_path / "snapshots", source)
    section = _ward_section(site.build_site(tmp_path / "public", snap.db).folder, "W1")
    expected = narrative.measure_sentence(m.words(frequency=built.shown_by), built.points, built.dates)
    assert "<svg" in section and _sentence(section) == expected
    assert html.unescape(section).count(public.some_hidden_words(data["suppressed"])) == 1
    # the limits drawn come from the shown periods only: the hidden ones are missing points
    shown_values = data.loc[~data["suppressed"], "value"]
    assert built.chart.points["centre"].iloc[-1] == pytest.approx(shown_values.mean())
    at = _measure_page(source, monkeypatch, "Ward 1")
    said = [shown(md.value).removeprefix("### ") for md in at.markdown if md.value.startswith("### ")]
    assert expected in said
    assert public.some_hidden_words(data["suppressed"]) in [c.value for c in at.caption]


def test_a_ward_with_most_periods_hidden_is_not_charted_by_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tiny_db.build(tmp_path / "council.duckdb")  # W1's counts are all 2s and 3s: all hidden
    with store.connect(source) as con:
        data = public.series(con, "M_WARD", "W1", "public")
    assert public.mostly_hidden(data)
    snap = publish.publish(tmp_path / "snapshots", source)
    section = _ward_section(site.build_site(tmp_path / "public", snap.db).folder, "W1")
    assert "<svg" not in section and html.escape(public.too_few_words("Ward 1")) in section
    at = _measure_page(source, monkeypatch, "Ward 1")
    assert not at.get("vega_lite_chart")
    assert any(public.too_few_words("Ward 1") in shown(i.value) for i in at.info)


def test_a_counts_whole_area_target_is_not_drawn_on_a_wards_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dog-fouling reports are a count (summed over wards): its target of 25 a month is the whole area's."""
    source = _council(tmp_path, "UPDATE measure SET target = 25 WHERE measure_id = 'M_WARD'")
    snap = publish.publish(tmp_path / "snapshots", source)
    folder = site.build_site(tmp_path / "public", snap.db).folder
    assert _site_targets(_ward_section(folder, "W3")) == []
    assert _site_targets((folder / "measures/M_WARD.html").read_text(encoding="utf-8")) == ["25"]
    assert _targets(_measure_page(source, monkeypatch, "Ward 3")) == []
    area = _measure_page(source, monkeypatch, "Whole area")
    assert _targets(area) == [25.0]


def test_a_means_target_is_drawn_on_a_wards_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same measure as days to clear (a mean): a ward's value is on the target's scale, so it is drawn."""
    source = _council(
        tmp_path,
        "UPDATE measure SET target = 8, aggregation = 'mean', unit = 'days', name = 'Days to clear dog fouling' "
        "WHERE measure_id = 'M_WARD'",
    )
    snap = publish.publish(tmp_path / "snapshots", source)
    folder = site.build_site(tmp_path / "public", snap.db).folder
    assert _site_targets(_ward_section(folder, "W3")) == ["8"]
    monkeypatch.setenv("OUTSIDE_IN_DB", str(source))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["measure"], at.query_params["period"] = "Days to clear dog fouling", "All time"
    at.query_params["locality"] = "Ward 3"
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception, at.exception
    assert _targets(at) == [8.0]


def _pack_targets(chart_json: str | None) -> list[float]:
    spec = json.loads(chart_json or "{}")
    found: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            y = node.get("encoding", {}).get("y", {}) if isinstance(node.get("encoding"), dict) else {}
            if isinstance(y, dict) and "datum" in y:
                found.append(float(y["datum"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_a_briefing_pack_for_a_ward_draws_no_whole_area_target_for_a_count(tmp_path: Path) -> None:
    source = _council(tmp_path, "UPDATE measure SET target = 25 WHERE measure_id = 'M_WARD'")
    with store.connect(source) as con:
        ward, area = (
            report.build_pack(
                con, measure_ids=["M_WARD"], start="2024-04-01", end="2025-03-31", locality_id=place
            ).pages[0]
            for place in ("W3", measures.AREA)
        )
    assert _pack_targets(ward.chart_json) == [] and ward.target == "25 reports for the whole area"
    assert _pack_targets(area.chart_json) == [25.0] and area.target == "25 reports"
