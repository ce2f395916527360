"""perf.spc beyond the XmR defaults: the other rule sets, options, attribute, run and trended charts.

Golden values come from Montgomery's worked examples (tests/golden/spc_montgomery.json, the same
examples qicharts2 tests against) and Anhøj's published threshold table.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from perf import spc
from perf.spc import _rules as signals  # Anhøj's thresholds, tested against their published tables

GOLDEN: dict[str, Any] = json.loads((Path(__file__).parent / "golden" / "spc_montgomery.json").read_text())


def stable(n: int = 20) -> list[float]:
    """9, 11, 9, 11, ...: mean 10, every moving range 2, limits 4.68 to 15.32."""
    return [10.0 + (1 if i % 2 else -1) for i in range(n)]


def limits(chart: spc.Chart, phase: int = 0) -> tuple[float, float, float]:
    row = chart.phases.iloc[phase]
    return float(row["centre"]), float(row["lower"]), float(row["upper"])


# --- Montgomery (qicharts2's reference examples) -----------------------------------------------
def test_p_chart_example_7_1_trial_limits_and_out_of_control_samples():
    case = GOLDEN["p_example_7_1"]
    counts = case["counts"][: case["trial"]["n"]]
    chart = spc.p_chart(counts, [case["size"]] * len(counts))
    t = case["trial"]
    assert limits(chart) == pytest.approx((t["centre"], t["lower"], t["upper"]), abs=5e-5)
    assert np.flatnonzero(chart.points["outside_limits"]).tolist() == t["outside"]


def test_p_chart_example_7_1_revised_with_exclusions_and_a_new_phase():
    case = GOLDEN["p_example_7_1"]
    counts = case["counts"]
    r, a = case["revised"], case["after_adjustment"]
    chart = spc.p_chart(counts, [case["size"]] * len(counts), exclude=r["exclude"], phase_starts=[a["phase_start"]])
    assert limits(chart, 0) == pytest.approx((r["centre"], r["lower"], r["upper"]), abs=5e-5)
    assert limits(chart, 1) == pytest.approx((a["centre"], a["lower"], a["upper"]), abs=5e-5)
    # the excluded samples are still tested against the revised limits
    assert chart.points["outside_limits"].iloc[r["exclude"]].all()


def test_p_chart_with_varying_sample_sizes_table_7_4():
    case = GOLDEN["p_table_7_4"]
    chart = spc.p_chart(case["counts"], case["sizes"])
    assert round(chart.phases["centre"].iat[0], 3) == case["centre"]
    assert np.isnan(chart.phases["lower"].iat[0])  # limits vary by point
    pts = chart.points.assign(size=case["sizes"])
    for size, (lo, hi) in case["limits_by_size"].items():
        row = pts[pts["size"] == int(size)].iloc[0]
        assert (round(row["lower"], 3), round(row["upper"], 3)) == (lo, hi)


def test_c_chart_example_7_3_trial_then_revised_and_frozen():
    case = GOLDEN["c_example_7_3"]
    t, r = case["trial"], case["revised"]
    trial = spc.c_chart(case["counts"])
    # the book rounds c-bar to 19.85 before taking the limits, so allow 0.01
    assert limits(trial) == pytest.approx((t["centre"], t["lower"], t["upper"]), abs=1e-2)
    assert np.flatnonzero(trial.points["outside_limits"]).tolist() == t["outside"]
    # freeze: hold the revised limits over later samples (the later counts here are made up)
    later = [16, 18, 12, 15, 24, 21, 28, 20]
    frozen = spc.c_chart(case["counts"] + later, exclude=r["exclude"], baseline_points=26)
    assert limits(frozen) == pytest.approx((r["centre"], r["lower"], r["upper"]), abs=1e-2)
    assert frozen.points["centre"].iloc[-1] == pytest.approx(r["centre"], abs=5e-3)


def test_u_chart_example_7_4():
    case = GOLDEN["u_example_7_4"]
    chart = spc.u_chart(case["counts"], [case["size"]] * len(case["counts"]))
    assert limits(chart) == pytest.approx((case["centre"], case["lower"], case["upper"]), abs=5e-3)
    assert not chart.points["outside_limits"].any()


def test_individuals_chart_example_6_5():
    case = GOLDEN["i_example_6_5"]
    chart = spc.xmr(case["values"])
    assert limits(chart) == pytest.approx((case["centre"], case["lower"], case["upper"]), abs=5e-3)
    assert chart.phases["mr_mean"].iat[0] == pytest.approx(case["mr_mean"], abs=5e-3)


# --- Anhøj's runs analysis --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "longest", "crossings"),
    [(10, 6, 2), (24, 8, 8), (30, 8, 10)],  # Anhøj & Olesen 2014, table 1; n = 24 is their worked row
)
def test_anhoej_thresholds(n, longest, crossings):
    assert signals.longest_run_max(np.array([n]))[0] == longest
    assert signals.crossings_min(n) == crossings


def test_the_fewest_crossings_match_the_binomial_quantile_for_every_length_up_to_2000():
    """Worked out in whole numbers; R's qbinom (here scipy's binom.ppf) is the published definition."""
    from scipy.stats import binom

    for n in range(2, 2001):
        assert signals.crossings_min(n) == int(binom.ppf(0.05, n - 1, 0.5)), n


def test_runs_analysis_counts_runs_and_crossings_ignoring_points_on_the_median():
    # median 3; the 3s are on the line and ignored: useful sides - - + + - + + + -> 4 runs, 3 crossings
    chart = spc.run_chart([1.0, 2, 3, 4, 5, 2, 3, 4, 4, 5, 1])
    row = chart.phases.iloc[0]
    assert row["centre"] == 3.0
    assert (row["n_useful"], row["longest_run"], row["crossings"]) == (9, 3, 4)


def test_anhoej_rules_flag_a_run_that_is_too_long_and_too_few_crossings():
    chart = spc.run_chart([1.0] * 10 + [5.0] * 10, rules="anhoej")
    row = chart.phases.iloc[0]
    assert (row["longest_run"], row["longest_run_max"], row["crossings"], row["crossings_min"]) == (10, 7, 1, 6)
    assert row["runs_signal"]
    assert chart.points["shift"].all() and chart.points["special_cause"].eq("shift").all()


# --- Wheeler, Western Electric ------------------------------------------------------------------
def test_wheeler_flags_a_moving_range_above_its_limit():
    # limits from the first 20 points: URL 3.268 x 2 = 6.536; 14 -> 5 is a range of 9, both inside
    chart = spc.xmr([*stable(20), 14.0, 5.0], baseline_points=20, rules="wheeler")
    pts = chart.points
    assert pts["mr_signal"].tolist() == [False] * 21 + [True]
    assert pts["special_cause"].iat[21] == "mr_signal" and pts["signal"].iat[21]
    assert pts["point_type"].iat[21] == "special_cause_neutral_low"
    mdc = spc.xmr([*stable(20), 14.0, 5.0], baseline_points=20).points
    assert mdc["mr_signal"].tolist() == [False] * 21 + [True]  # a fact of the data under every rule set ...
    assert not mdc["signal"].iat[21] and mdc["special_cause"].iat[21] != "mr_signal"  # ... a signal only under Wheeler


def test_wheeler_three_of_four_beyond_the_halfway_line_flags_all_four():
    # halfway line 10 + 1.33 x 2 = 12.66
    pts = spc.xmr([*stable(20), 13.0, 13.0, 9.0, 13.0], baseline_points=20, rules="wheeler").points
    assert pts["three_of_four"].tolist() == [False] * 20 + [True] * 4
    assert pts["point_type"].iat[22] == "special_cause_neutral_high"  # the window is high


def test_wheeler_and_western_electric_shifts_need_eight_points():
    values = [*stable(11), *([11.5] * 7), 9.0]  # the baseline ends below its mean of 9.9
    for rules in ("wheeler", "western_electric"):
        assert not spc.xmr(values, baseline_points=11, rules=rules).points["shift"].any()
        assert spc.xmr([*values[:-1], 11.5], baseline_points=11, rules=rules).points["shift"].sum() == 8


WHEELER_REFUSED = (
    "rules for a {chart} must be 'mdc', 'western_electric' or 'anhoej', got 'wheeler': Wheeler's rules "
    "include a moving range above its limit, and a {chart} has no moving-range chart"
)


@pytest.mark.parametrize(
    ("chart", "call"),
    [
        ("run chart", lambda: spc.run_chart(stable(8), rules="wheeler")),
        ("p chart", lambda: spc.p_chart([1, 2, 3], [10, 10, 10], rules="wheeler")),
        ("Laney p' chart", lambda: spc.p_chart([1, 2, 3], [10, 10, 10], laney=True, rules="wheeler")),
        ("u chart", lambda: spc.u_chart([1, 2, 3], [10, 10, 10], rules="wheeler")),
        ("Laney u' chart", lambda: spc.u_chart([1, 2, 3], [10, 10, 10], laney=True, rules="wheeler")),
        ("c chart", lambda: spc.c_chart([1, 2, 3], rules="wheeler")),
    ],
    ids=str,
)
def test_wheeler_rules_are_refused_for_a_chart_without_a_moving_range_chart(chart, call):
    with pytest.raises(ValueError, match="^" + re.escape(WHEELER_REFUSED.format(chart=chart)) + "$"):
        call()


def test_trended_xmr_with_wheeler_rules_flags_a_moving_range_above_its_limit():
    values = [float(i) for i in range(20)]
    values[10] = 13.0  # moving ranges: 1s, then 4 and 2; mean 23/19, URL 3.268 x 23/19 = 3.96
    pts = spc.trended_xmr(values, rules="wheeler").points
    assert pts["mr_signal"].tolist() == [False] * 10 + [True] + [False] * 9
    assert pts["mr_upper"].iat[10] == pytest.approx(3.268 * 23 / 19)
    assert not pts["outside_limits"].iat[10]  # 13 is inside the trended limits: only the jump flags it
    assert pts["special_cause"].iat[10] == "mr_signal" and pts["point_type"].iat[10] == "special_cause_neutral_high"
    mdc = spc.trended_xmr(values).points
    assert mdc["mr_signal"].tolist() == pts["mr_signal"].tolist() and not mdc["signal"].iat[10]


def test_western_electric_four_of_five_beyond_one_sigma_flags_only_those():
    # one sigma = 2.66 x 2 / 3 = 1.77, line at 11.77; two sigma at 13.55 is not reached
    pts = spc.xmr([*stable(20), 12.0, 12.0, 9.0, 12.0, 12.0], baseline_points=20, rules="western_electric").points
    assert pts["four_of_five"].iloc[20:].tolist() == [True, True, False, True, True]
    assert not pts["two_of_three"].any() and not pts["trend"].any()


def test_rules_outside_the_chosen_set_stay_false():
    pts = spc.xmr([5.0, 1, 2, 3, 4, 5, 6, 7], rules="western_electric").points
    assert not pts["trend"].any() and not pts["three_of_four"].any() and not pts["mr_signal"].any()


# --- options -------------------------------------------------------------------------------------
def test_median_moving_range_uses_wheelers_median_factors():
    chart = spc.xmr([1.0, 3, 5, 3, 3], moving_range="median")  # moving ranges 2, 2, 2, 0: median 2
    row = chart.phases.iloc[0]
    assert (row["mr_mean"], row["lower"], row["upper"]) == pytest.approx((2.0, 3 - 6.29, 3 + 6.29))
    assert row["mr_upper"] == pytest.approx(3.865 * 2)


def test_screening_drops_a_large_moving_range_once():
    values = [*stable(20)]
    values[10] = 40.0  # moving ranges 29 and 29 among 2s
    screened = spc.xmr(values, screen_outliers=True).phases["mr_mean"].iat[0]
    assert screened == pytest.approx(2.0)
    assert spc.xmr(values).phases["mr_mean"].iat[0] == pytest.approx((17 * 2 + 29 + 29) / 19)


def test_an_excluded_point_is_still_tested_but_shapes_nothing():
    values = stable(20)
    values[10] = 30.0  # in place of a 9
    chart = spc.xmr(values, exclude=[10])
    centre = (200 - 9) / 19
    assert limits(chart) == pytest.approx((centre, centre - 5.32, centre + 5.32))
    assert chart.points["outside_limits"].iat[10]
    # its two moving ranges leave the average; they are still shown
    assert chart.points["moving_range"].iat[10] == pytest.approx(19.0)


def test_exclude_may_be_dates():
    dates = pd.date_range("2024-04-01", periods=20, freq="MS")
    values = stable(20)
    values[3] = 30.0  # in place of an 11
    chart = spc.xmr(values, dates=dates, exclude=[dates[3]])
    assert chart.phases["centre"].iat[0] == pytest.approx((200 - 11) / 19)


def test_baseline_points_hold_the_limits_for_the_rest_of_the_phase():
    chart = spc.xmr([*stable(12), *[v + 3 for v in stable(12)]], baseline_points=12)
    assert limits(chart) == pytest.approx((10.0, 4.68, 15.32))
    assert chart.points["shift"].iloc[12:].all()


def test_a_series_with_a_datetime_index_supplies_the_dates():
    series = pd.Series(stable(14), index=pd.date_range("2024-01-07", periods=14, freq="W"))
    assert spc.xmr(series).points["date"].iat[0] == pd.Timestamp("2024-01-07")


# --- attribute charts -----------------------------------------------------------------------------
def test_laney_p_prime_scales_sigma_by_the_spread_of_z_scores():
    counts = np.array([300, 420, 350, 390, 280, 410, 330, 360])
    sizes = np.array([1000, 1100, 1050, 980, 1020, 1000, 990, 1010])
    chart = spc.p_chart(counts, sizes, laney=True)
    p = counts / sizes
    pbar = counts.sum() / sizes.sum()
    sigma = np.sqrt(pbar * (1 - pbar) / sizes)
    z = (p - pbar) / sigma
    sigma_z = np.abs(np.diff(z)).mean() / 1.128  # Laney 2002: mR-bar of z / d2
    assert chart.phases["sigma_z"].iat[0] == pytest.approx(sigma_z)
    assert chart.points["upper"].to_numpy() == pytest.approx(pbar + 3 * sigma * sigma_z)
    # the plain p chart's limits are far too tight for these large denominators
    assert spc.p_chart(counts, sizes).points["outside_limits"].sum() >= 4
    assert not chart.points["outside_limits"].any()


def test_laney_u_prime_runs():
    chart = spc.u_chart([30, 42, 35, 39, 28, 41], [10, 11, 10, 10, 10, 10], laney=True)
    assert chart.phases["sigma_z"].iat[0] > 0 and chart.kind == "u"


def test_a_zero_denominator_is_a_missing_period():
    chart = spc.p_chart([1, 2, 0, 3], [10, 10, 0, 10])
    assert np.isnan(chart.points["value"].iat[2])
    assert any("denominator of zero" in w for w in chart.warnings)


ALL_ZERO = "Every count in {where} is zero, so the limits have no width; no signals are shown."


def test_a_p_chart_of_all_zeros_has_no_signals():
    chart = spc.p_chart([0] * 12, [10] * 12)
    assert not chart.points["signal"].any()
    assert chart.warnings == [ALL_ZERO.format(where="the chart")]


@pytest.mark.parametrize("chart", [spc.p_chart, spc.u_chart], ids=["p", "u"])
def test_a_laney_chart_of_all_zeros_is_quiet_with_limits_at_zero(chart):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning may escape
        result = chart([0] * 12, [10] * 12, laney=True)
    assert result.points[["centre", "lower", "upper"]].to_numpy().tolist() == [[0.0, 0.0, 0.0]] * 12
    assert not result.points["signal"].any()
    assert result.warnings == [ALL_ZERO.format(where="the chart")]


def test_a_laney_phase_of_all_zeros_leaves_the_next_phase_its_own_limits():
    counts = [0] * 12 + [30, 42, 35, 39, 28, 41, 33, 36, 31, 40, 29, 38]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart = spc.p_chart(counts, [100] * 24, laney=True, phase_starts=[12])
    assert chart.phases[["lower", "upper"]].iloc[0].tolist() == [0.0, 0.0]
    assert np.isnan(chart.phases["sigma_z"].iat[0]) and chart.phases["sigma_z"].iat[1] > 0
    assert chart.phases["upper"].iat[1] > chart.phases["centre"].iat[1]
    assert not chart.points["signal"].iloc[:12].any()
    assert chart.warnings == [ALL_ZERO.format(where="phase 1")]


def test_a_laney_phase_of_one_value_has_no_limits_and_no_numpy_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart = spc.p_chart([1, 2, 3, 4], [10] * 4, laney=True, phase_starts=[3])
    assert np.isnan(chart.phases["lower"].iat[1]) and np.isnan(chart.phases["upper"].iat[1])
    assert "Phase 2 has only 1 value, so there are no limits yet." in chart.warnings


def test_p_chart_describes_in_percent():
    text = spc.p_chart([38, 40, 36, 39, 37, 41, 38, 37] * 2, [100] * 16).describe(period_name="week")
    assert text.startswith("Stable at about 38.2%")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: spc.p_chart([5, 1], [4, 10]), "counts must not exceed their denominators"),
        (lambda: spc.p_chart([-1, 1], [4, 10]), "counts must not be negative"),
        (lambda: spc.u_chart([1, 1], [-4, 10]), "exposures must not be negative"),
        (lambda: spc.p_chart([1, 1], [10]), "denominators must have one entry per count"),
        (lambda: spc.trended_xmr([1, 2, 3]), "trended_xmr needs at least 4 values, got 3"),
        (lambda: spc.deseasonalise([1, 2, 3], 4), "at least one complete season of 4 values"),
        (lambda: spc.deseasonalise([1, 2, 3], 1), "season_length must be 2 or more"),
        (lambda: spc.deseasonalise([0, 2, 0, 2], 2), "positive values in every season position"),
    ],
)
def test_attribute_and_helper_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- trended XmR and seasonal data -----------------------------------------------------------------
def test_trended_xmr_uses_half_averages():
    values = [1.0, 3, 2, 4, 6, 5, 7, 9, 8, 10]
    chart = spc.trended_xmr(values)
    # first half mean 3.2 at position 2, second half 7.8 at position 7: slope 0.92
    assert chart.phases["slope"].iat[0] == pytest.approx(0.92)
    assert chart.points["centre"].iat[0] == pytest.approx(3.2 - 2 * 0.92)
    width = 2.66 * 15 / 9  # moving ranges 2,1,2,2,1,2,2,1,2
    assert (chart.points["upper"] - chart.points["centre"]).to_numpy() == pytest.approx(width)
    assert not chart.points["trend"].any()  # the trend is expected


def test_trended_xmr_leaves_out_the_middle_point_when_n_is_odd():
    chart = spc.trended_xmr([1.0, 2, 100, 4, 5])
    assert chart.phases["slope"].iat[0] == pytest.approx((4.5 - 1.5) / 3)


def test_deseasonalise_uses_xmrit_factors_position_mean_over_overall_mean():
    # under a trend the conventions differ: Xmrit's factor = mean at the position / overall mean
    values = [10.0, 30.0, 20.0, 40.0, 30.0, 50.0]
    adjusted, factors = spc.deseasonalise(values, 2)
    assert factors == pytest.approx([20 / 30, 40 / 30])
    assert adjusted.tolist() == pytest.approx([15, 22.5, 30, 30, 45, 37.5])


def test_deseasonalise_with_a_baseline():
    values = [10.0, 20, 10, 20, 30, 60]
    adjusted, factors = spc.deseasonalise(values, 2, baseline_points=4)
    assert factors == pytest.approx([2 / 3, 4 / 3])
    assert adjusted.tolist() == pytest.approx([15, 15, 15, 15, 45, 45])


# --- the frames ------------------------------------------------------------------------------------
def test_charts_do_not_share_a_columns_object():
    # _frame caches each layout's columns Index; every frame gets its own view of it (8e4c046)
    a, b = spc.xmr(stable(12)), spc.xmr(stable(12))
    a.points.columns.name = "x"
    a.phases.columns.name = "x"
    assert b.points.columns.name is None and b.phases.columns.name is None
    frame = pd.DataFrame({"series_id": ["s"] * 12, "value": stable(12)})
    first, second = spc.batch_points(frame), spc.batch_points(frame)
    first.columns.name = "x"
    assert second.columns.name is None
