"""perf.drawing.svg: charts drawn as inline SVG, checked on what they draw."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perf import spc
from perf.drawing import svg
from perf.words import vocabulary
from perf.drawing.charts import POINT_STYLE

NS = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """Well-formed XML, or the browser would draw something else."""
    return ET.fromstring(markup)


def weekly(values: list[float], phase_starts: tuple[int, ...] = ()) -> tuple[pd.DataFrame, pd.Series]:
    chart = spc.xmr(values, phase_starts=phase_starts, improvement="up")
    return chart.points, pd.Series(pd.date_range("2024-01-01", periods=len(values), freq="W-MON"))


@given(st.floats(-1e6, 1e6), st.floats(0.001, 1e6))
def test_nice_ticks_cover_the_range_in_round_steps(lo: float, width: float) -> None:
    ticks = svg.nice_ticks(lo, lo + width)
    slack = 1e-9 * (abs(lo) + width)  # floating point, down to numbers too small to halve
    assert ticks[0] <= lo + slack and ticks[-1] >= lo + width - slack
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0], rtol=1e-6)
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))
    assert 2 <= len(ticks) <= 12


def test_an_xmr_chart_draws_every_point_with_its_shape_and_says_what_it_is() -> None:
    values = [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 30, 10, 11, 9, 10]  # one point far above the limits
    points, dates = weekly(values)
    markup = svg.xmr_chart(points, dates, title="Repairs", y_title="Days", label="Control chart of repairs")
    root = parse(markup)
    assert root.get("role") == "img" and root.get("aria-label") == "Control chart of repairs"
    tips = re.findall(r"<title>([^<]*\. Average [^<]*)</title>", markup)
    assert len(tips) == len(values)
    assert tips[10].startswith("11 Mar 2024: 30. ") and tips[10].endswith(
        f"{POINT_STYLE['special_cause_improvement'][0]}."
    )

    # the signal is drawn as the improvement triangle, in its colour; the rest as common-cause circles
    def marks(tag: str, kind: str) -> list[ET.Element]:  # plotted points carry a <title>; the legend's do not
        return [
            el
            for el in root.iter(f"{NS}{tag}")
            if el.get("fill") == POINT_STYLE[kind][1] and el.find(f"{NS}title") is not None
        ]

    assert len(marks("path", "special_cause_improvement")) == 1
    assert len(marks("circle", "common_cause")) == len(values) - 1


def test_limits_are_drawn_per_phase_and_a_redesign_is_marked() -> None:
    points, dates = weekly([20.0] * 4 + [21, 19, 22, 20] + [10, 11, 9, 10, 11, 9, 10, 11], phase_starts=(8,))
    markup = svg.xmr_chart(points, dates, title="T", y_title="Y", phase_labels={1: "New way of working"})
    assert "New way of working" in markup
    centres = [
        el
        for el in parse(markup).iter(f"{NS}polyline")
        if el.get("stroke") == "#333333" and el.get("stroke-dasharray") is None
    ]
    assert len(centres) == 2  # one centre line a phase
    levels = {round(float(pt.split(",")[1]), 1) for el in centres for pt in el.get("points", "").split()}
    assert len(levels) == 2  # each flat at its own phase's average


def test_a_hidden_period_breaks_the_line_and_draws_no_point() -> None:
    points, dates = weekly([5.0, 6, 7, 6, 5, 6, 7, 6])
    points = points.copy()
    points.loc[3, "value"] = np.nan
    markup = svg.xmr_chart(points, dates, title="T", y_title="Y")
    values = [el for el in parse(markup).iter(f"{NS}polyline") if el.get("stroke") == "#9A9A9A"]
    assert sorted(len(el.get("points", "").split()) for el in values) == [3, 4]
    assert len(re.findall(r"\. Average ", markup)) == 7


def test_stacked_bars_stack_each_period_to_its_total() -> None:
    frame = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2025-01-06", "2025-01-06", "2025-01-13", "2025-01-13"]),
            "contacts": [30, 10, 20, 20],
            "type": ["Value demand", "Failure demand"] * 2,
        }
    )
    markup = svg.stacked_bars(
        frame,
        x="period_start",
        y="contacts",
        colour="type",
        title="T",
        y_title="Contacts",
        domain=["Value demand", "Failure demand"],
        palette=list(vocabulary.DEMAND_COLOURS.values()),
    )
    bars = [el for el in parse(markup).iter(f"{NS}rect") if el.find(f"{NS}title") is not None]
    heights = [float(el.get("height", 0)) for el in bars]
    assert len(bars) == 4
    assert heights[0] + heights[1] == pytest.approx(heights[2] + heights[3], abs=0.2)  # both weeks total 40
    assert heights[0] == pytest.approx(3 * heights[1], abs=0.3)
    assert bars[1].find(f"{NS}title").text == "06 Jan 2025: 10 failure demand"  # type: ignore[union-attr]


def test_a_pareto_puts_the_largest_first_and_runs_to_the_whole() -> None:
    natures = pd.DataFrame(
        {
            "nature": ["Chasing", "Not fixed", "Missed"],
            "demand": [60, 30, 10],
            "share": [0.6, 0.3, 0.1],
            "cumulative_share": [0.6, 0.9, 1.0],
        }
    )
    markup = svg.pareto(natures, title="Failure demand by nature")
    root = parse(markup)
    bars = [el for el in root.iter(f"{NS}rect") if el.find(f"{NS}title") is not None]
    assert [b.find(f"{NS}title").text.split(":")[0] for b in bars] == ["Chasing", "Not fixed", "Missed"]  # type: ignore[union-attr]
    assert float(bars[0].get("height", 0)) == pytest.approx(2 * float(bars[1].get("height", 0)), abs=0.2)
    assert "Up to Missed: 100% of failure demand" in markup


def test_bins_keep_every_case_and_the_histogram_marks_the_limit() -> None:
    ages = pd.Series(range(0, 200))
    counts = pd.Series([1] * 200)
    frame = svg.bins(ages, counts, unit="days")
    assert frame["count"].sum() == 200 and len(frame) <= 40
    assert (frame["end"] - frame["start"]).nunique() == 1 and frame["start"].iloc[0] == 0
    markup = svg.histogram(
        frame,
        title="Open cases by age so far",
        x_title="Age (days)",
        y_title="Open cases",
        marker=120,
        marker_label="Upper limit: 120 days",
    )
    assert len([el for el in parse(markup).iter(f"{NS}rect") if el.find(f"{NS}title") is not None]) == len(frame)
    assert "Upper limit: 120 days" in markup


def test_the_tile_map_draws_a_tile_a_ward_darker_for_higher_with_readable_initials() -> None:
    frame = pd.DataFrame(
        {
            "locality_name": ["Alvechurch South", "Hagley West", "Sidemoor"],
            "grid_x": [1, 2, 2],
            "grid_y": [1, 1, 2],
            "value": [1.0, 5.0, 9.0],
            "council": ["Bromsgrove"] * 3,
        }
    )
    markup = svg.tile_map(frame, value_title="reports per 1,000", title="Latest 3 months, by ward")
    tiles = [el for el in parse(markup).iter(f"{NS}rect") if el.get("rx") == "3"]
    assert len(tiles) == 3
    lum = [svg._luminance(el.get("fill", "#000000")) for el in tiles]
    assert lum[0] > lum[1] > lum[2]  # higher figures are darker
    assert "Sidemoor (Bromsgrove): 9 reports per 1,000" in markup
    assert ">AS<" in markup and ">HW<" in markup


@pytest.mark.parametrize("fill", [svg._blue(i / 20) for i in range(21)])
def test_initials_on_every_shade_meet_wcag_aa_contrast(fill: str) -> None:
    ink = {"white": "#ffffff", "black": "#000000"}[svg._ink_on(fill)]
    a, b = sorted([svg._luminance(fill), svg._luminance(ink)], reverse=True)
    assert (a + 0.05) / (b + 0.05) >= 4.5


def _axis_labels(markup: str) -> list[str]:
    return re.findall(r"text-anchor='end' fill='#555555'>([^<]*)</text>", markup)


def test_an_axis_of_days_or_shares_never_runs_below_zero() -> None:
    # a per-case chart: days close to zero with a lower limit far below it (was drawn down to -25 days)
    points, dates = weekly([2.0, 30, 1, 25, 3, 40, 2, 28, 1, 35, 2, 30])
    assert points["lower"].min() < -10
    labels = _axis_labels(svg.xmr_chart(points, dates, title="Days per case", y_title="Days"))
    assert labels and all(not label.startswith(("-", "−")) for label in labels), labels
    assert labels[0] == "0"
    # a failure share near zero (was -10%)
    share = spc.p_chart([1, 9, 0, 12, 2, 10, 1, 11], [40] * 8)
    labels = _axis_labels(svg.xmr_chart(share.points, dates[:8], title="Failure share", y_title="Share"))
    assert all(not label.startswith(("-", "−")) for label in labels), labels


def test_an_axis_of_values_that_can_be_negative_still_goes_below_zero() -> None:
    points, dates = weekly([-5.0, 3, -2, 4, -6, 2, -1, 5, -3, 1])  # e.g. a budget variance
    labels = _axis_labels(svg.xmr_chart(points, dates, title="Variance", y_title="£k"))
    assert any(label.startswith("-") for label in labels)
