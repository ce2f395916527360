"""A ward's chart in the public view: the app's Measure page and the static site follow one rule.

- Charted when at most a tenth of its periods are hidden (:func:`perf.access.public.withheld`): the hidden
  periods are blank points, the average and limits come from the shown ones, and the chart says so
  (:func:`perf.access.public.some_hidden_words`). More than a tenth hidden: no chart and no sentence of an
  average in the app, the site or a pack, the same words in each (:func:`perf.access.public.too_few_words`).
- No whole-area total drawn as a ward's target (:meth:`perf.analysis.measures.Measure.target_at`): a
  count's target is for the whole area; a mean's or a ratio's is on the ward's scale and is drawn.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
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


# W1 20s from July 2023, 2s and 3s before: 15 of its 36 months hidden (42%), which the app and the site used to
# chart from the 21 months shown ("about 21 a month"), a month in the public view read as a busy month
MANY_HIDDEN = (
    "UPDATE measurement SET value = 20 + (month(period_start) % 3) "
    "WHERE measure_id = 'M_WARD' AND locality_id = 'W1' AND period_start >= DATE '2023-07-01'"
)
# W1 20s but for its first three months (2s and 3s): 3 of 36 hidden, at most a tenth
FEW_HIDDEN = (
    "UPDATE measurement SET value = 20 + (month(period_start) % 3) "
    "WHERE measure_id = 'M_WARD' AND locality_id = 'W1' AND period_start >= DATE '2022-07-01'"
)


def _public_w1(source: Path) -> tuple[pd.DataFrame, measure_chart.MeasureChart]:
    with store.connect(source) as con:
        m = measures.measure_of(public.catalogue(con, "public"), "M_WARD")
        data = public.series(con, "M_WARD", "W1", "public")
        built = measure_chart.build(m, data, public.phases(con, "public", "M_WARD"), place="W1")
    return data, built


def _plain_sentence(built: measure_chart.MeasureChart) -> str:
    return narrative.measure_sentence(built.measure.words(frequency=built.shown_by), built.points, built.dates)


def _w1_pack(source: Path) -> report.MeasurePage:
    with store.connect(source) as con:
        pack = report.build_pack(
            con, measure_ids=["M_WARD"], start="2022-04-01", end="2025-03-31", locality_id="W1", public_only=True
        )
    return pack.pages[0]


def test_a_ward_with_a_few_periods_hidden_is_charted_by_the_site_the_app_and_the_pack_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _council(tmp_path, FEW_HIDDEN)
    data, built = _public_w1(source)
    hidden = int(data["suppressed"].sum())
    assert hidden == 3 and len(data) == 36  # at most a tenth: charted, the plain sentence said
    assert built.withheld("Ward 1") is None
    snap = publish.publish(tmp_path / "snapshots", source)
    section = _ward_section(site.build_site(tmp_path / "public", snap.db).folder, "W1")
    expected = _plain_sentence(built)
    assert "about 21 reports a month" in expected
    assert "<svg" in section and _sentence(section) == expected
    assert html.unescape(section).count(public.some_hidden_words(data["suppressed"])) == 1
    # the limits drawn come from the shown periods only: the hidden ones are missing points
    shown_values = data.loc[~data["suppressed"], "value"]
    assert built.chart.points["centre"].iloc[-1] == pytest.approx(shown_values.mean())
    at = _measure_page(source, monkeypatch, "Ward 1")
    said = [shown(md.value).removeprefix("### ") for md in at.markdown if md.value.startswith("### ")]
    assert expected in said
    assert public.some_hidden_words(data["suppressed"]) in [c.value for c in at.caption]
    page = _w1_pack(source)
    assert page.chart_json is not None and page.sentence == expected
    assert ("Public view", public.some_hidden_words(data["suppressed"])) in page.quality  # said, as the app says it


def test_a_ward_with_more_than_a_tenth_hidden_is_not_charted_or_averaged_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """15 of 36 months hidden: the shown 20s would say "about 21 a month" of a ward whose other months had 2 or 3.
    The app's Measure page, the static site and the pack say why instead, in the same words, and nowhere the
    sentence of the months shown."""
    source = _council(tmp_path, MANY_HIDDEN)
    data, built = _public_w1(source)
    assert int(data["suppressed"].sum()) == 15 and len(data) == 36  # under half: the old rule charted it
    plain = _plain_sentence(built)
    assert "about 21 reports a month" in plain  # what was said: the shown months' average
    words = public.too_few_words("Ward 1", data["suppressed"], "month")
    assert words.startswith("15 of the 36 months for Ward 1 are not shown") and built.withheld("Ward 1") == words
    snap = publish.publish(tmp_path / "snapshots", source)
    section = _ward_section(site.build_site(tmp_path / "public", snap.db).folder, "W1")
    assert "<svg" not in section and html.escape(words) in section
    assert plain not in html.unescape(section) and 'class="sentence"' not in section
    at = _measure_page(source, monkeypatch, "Ward 1")
    assert not at.get("vega_lite_chart")
    assert [shown(i.value) for i in at.info if words in shown(i.value)]
    assert not [md for md in at.markdown if plain in shown(md.value)]
    page = _w1_pack(source)
    assert page.chart_json is None and page.sentence == words
    # officers (nothing hidden) still get the chart and its sentence
    with store.connect(source) as con:
        officer = report.build_pack(
            con, measure_ids=["M_WARD"], start="2022-04-01", end="2025-03-31", locality_id="W1", public_only=False
        ).pages[0]
    assert officer.chart_json is not None and "The system has changed since Jul 2023" in officer.sentence


def test_a_ward_with_most_periods_hidden_is_not_charted_by_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tiny_db.build(tmp_path / "council.duckdb")  # W1's counts are all 2s and 3s: all hidden
    with store.connect(source) as con:
        data = public.series(con, "M_WARD", "W1", "public")
    assert public.too_few_shown(data["suppressed"])
    snap = publish.publish(tmp_path / "snapshots", source)
    section = _ward_section(site.build_site(tmp_path / "public", snap.db).folder, "W1")
    words = public.too_few_words("Ward 1", data["suppressed"], "month")
    assert "<svg" not in section and html.escape(words) in section
    at = _measure_page(source, monkeypatch, "Ward 1")
    assert not at.get("vega_lite_chart")
    assert any(words in shown(i.value) for i in at.info)


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
