"""The sentence a councillor reads: numbers as people say them, limits clipped to what is possible."""

from __future__ import annotations

import pandas as pd

from perf import spc
from perf.drawing import charts, svg
from perf.words import narrative


def test_values_are_said_with_their_units() -> None:
    assert narrative.format_value(1234.4, "contacts", 0) == "1,234 contacts"
    assert narrative.format_value(38.24, "%", 1) == "38.2%"
    assert narrative.format_value(41000, "£", 0) == "£41,000"
    assert narrative.format_value(float("nan")) == "no value"


def test_period_labels_use_financial_quarters() -> None:
    assert narrative.period_label("2025-04-01", "quarter") == "Q1 2025-26"
    assert narrative.period_label("2026-01-01", "quarter") == "Q4 2025-26"
    assert narrative.period_label("2025-03-03", "week") == "week of 3 Mar 2025"
    assert narrative.period_label("2025-03-01", "month") == "March 2025"


def test_a_stable_count_never_expects_a_negative_number() -> None:
    values = [5.0, 40, 10, 35, 8, 42, 12, 30, 9, 38]
    dates = pd.date_range("2024-01-01", periods=len(values), freq="MS")
    chart = spc.xmr(values)
    assert chart.points["lower"].iloc[-1] < 0  # the raw limit is below zero...
    text = narrative.measure_sentence(
        {"unit": "homes", "frequency": "month", "aggregation": "sum"}, chart.points, dates
    )
    assert text.startswith("Stable at about 23 homes a month; expect between 0 and ")  # ...the sentence is not
    assert "Latest (October 2024): 38 homes." in text
    drawn = charts.xmr_frame(chart.points, dates)
    assert drawn["lower"].min() == 0


def test_a_signal_is_named_with_its_rule() -> None:
    values = [10.0, 11, 9, 10, 11, 9, 10, 11, 9, 10, 30]
    chart = spc.xmr(values, improvement="down")
    text = narrative.measure_sentence(
        {"unit": "days", "frequency": "week", "aggregation": "mean"},
        chart.points,
        pd.date_range("2025-01-06", periods=11, freq="W-MON"),
    )
    assert "a signal of concern (outside the limits)" in text
    assert " a week" not in text  # days are not counted per week


def test_freshness_says_the_latest_period_and_entry_date() -> None:
    assert (
        narrative.freshness(pd.Timestamp("2026-03-01"), pd.Timestamp("2026-04-03 10:00"), "month")
        == "Latest: March 2026, entered 3 Apr 2026"
    )
    assert narrative.freshness(None, None, "month") == "No data yet"


def test_briefing_headline_is_short_and_the_detail_carries_the_range() -> None:
    values = [10.0, 11, 9, 10, 11, 9, 10, 11, 9, 10, 30]
    chart = spc.xmr(values, improvement="down")
    dates = pd.date_range("2025-01-01", periods=11, freq="MS")
    head, detail = narrative.headline(
        {"unit": "days", "frequency": "month", "aggregation": "mean"}, chart.points, dates
    )
    assert head == "30 days in November 2025: a signal of concern."
    assert detail.startswith("Above the upper limit in Nov 2025")  # what the signal is, and when
    steady, _ = narrative.headline(
        {"unit": "contacts", "frequency": "week", "aggregation": "sum"}, spc.xmr(values[:10]).points, dates[:10]
    )
    assert steady == "Stable at about 10 contacts a week."


def test_charts_export_offline_as_png_and_svg() -> None:
    values = [10.0, 11, 9, 10, 12, 9, 10, 11]
    figure = charts.xmr_chart(
        spc.xmr(values).points, pd.date_range("2025-01-01", periods=8, freq="MS"), title="Test chart", y_title="days"
    )
    png = charts.to_png(figure)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    svg = charts.to_svg(figure)
    assert svg.lstrip().startswith("<svg") and "Test chart" in svg


def test_a_sparkline_is_a_small_svg_line_scaled_to_its_values() -> None:
    line = svg.sparkline(pd.Series([1.0, 3.0, float("nan"), 2.0]), label="Trend <of> contacts", width=100, height=20)
    assert line.startswith('<svg role="img" aria-label="Trend &lt;of&gt; contacts"')
    points = line.split('points="')[1].split('"')[0].split()
    assert len(points) == 3  # the missing value is left out
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[1] == min(ys) and ys[0] == max(ys)  # highest value drawn highest (smallest y)
    assert svg.sparkline(pd.Series([], dtype=float), label="x") == ""


def test_a_note_says_its_period_and_whether_it_is_older_than_the_chart() -> None:
    window = {"first_shown": "2023-12-01", "latest": "2026-10-01"}
    assert narrative.note_label("2023-03-01", None, "month", **window) == "Note on March 2023 — older than this chart"
    assert (
        narrative.note_label("2025-03-01", None, "month", **window)
        == "Note on March 2025 — 19 months before the latest figure"
    )
    assert narrative.note_label("2026-08-01", None, "month", **window) == "Note on August 2026"  # current news
    assert narrative.note_label("2026-04-01", None, "month", **window) == "Note on April 2026"  # 6 months: not old
    assert narrative.note_label("2026-08-03", None, "week", **window) == "Note on the week of 3 Aug 2026"
    assert (
        narrative.note_label("2026-03-02", None, "week", **window)
        == "Note on the week of 2 Mar 2026 — 7 months before the latest figure"
    )
    assert (
        narrative.note_label(None, pd.Timestamp("2022-05-08 12:26"), "month", **window)
        == "Note written 8 May 2022 — older than this chart"
    )  # a note on the measure as a whole: dated when written
    assert (
        narrative.note_label("2025-04-01", None, "quarter", latest="2026-07-01")
        == "Note on Q1 2025-26 — 5 quarters before the latest figure"
    )
