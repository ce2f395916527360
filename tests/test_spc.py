"""perf.spc: XmR limits, phases, Making Data Count rules, variation, assurance and the sentence.

Reference values are pinned with their source in a comment; data are tiny and hand-made.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from perf import spc

# Wheeler, Making Sense of Data (2003), p. 382, "Data Set to Use When Verifying Software"
WHEELER_VERIFY = [5045, 4350, 4350, 3975, 4290, 4430, 4485, 4285, 3980, 3925, 3645, 3760, 3300, 3685, 3463, 5200]
# Wheeler, Making Sense of Data, p. 130, fig. 9.9: AM premedication peak flow rates, days 1-18
PEAK_FLOW = [120, 140, 100, 150, 260, 150, 100, 120, 300, 300, 275, 300, 140, 170, 150, 150, 190, 180]
# R: set.seed(123); rnorm(20) -- the data of NHSRplotthedots tests/testthat/test-ptd_spc_standard.R
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def stable(n: int = 20) -> list[float]:
    """Alternating values: no runs, no trends, nothing near the limits."""
    return [10.0 + (1 if i % 2 else -1) for i in range(n)]


# --- limits ------------------------------------------------------------------------------------
def test_wheeler_verifying_data_set_gives_his_limits_unscreened():
    chart = spc.xmr(WHEELER_VERIFY)
    phase = chart.phases.iloc[0]
    # Wheeler p. 382: mean 4135.5, average moving range 355.93, limits 3188.72 and 5082.28, URL 1163.19
    assert phase["centre"] == pytest.approx(4135.5)
    assert round(phase["mr_mean"], 2) == 355.93
    assert round(phase["lower"], 2) == 3188.72
    assert round(phase["upper"], 2) == 5082.28
    assert round(phase["mr_upper"], 2) == 1163.19


def test_wheeler_verifying_moving_ranges_are_the_published_ones():
    mr = spc.xmr(WHEELER_VERIFY).points["moving_range"].tolist()
    assert np.isnan(mr[0])
    assert mr[1:] == [695, 0, 375, 315, 140, 55, 200, 305, 55, 280, 115, 460, 385, 222, 1737]


def test_wheeler_peak_flow_limits():
    phase = spc.xmr(PEAK_FLOW).phases.iloc[0]
    # Making Sense of Data p. 130: mean 183.1, mR 52.4; limits 43.7 and 322.5 in the book, which
    # rounds the average moving range first; unrounded: 43.8 and 322.3, URL 171.1
    assert round(phase["centre"], 1) == 183.1
    assert round(phase["mr_mean"], 1) == 52.4
    assert round(phase["lower"], 1) == 43.8
    assert round(phase["upper"], 1) == 322.3
    assert round(phase["mr_upper"], 1) == 171.1


def test_limits_by_hand():
    # mean 3; moving ranges 2, 2, 2, 2 -> mean 2; limits 3 +/- 5.32; URL 6.536
    chart = spc.xmr([1.0, 3, 5, 3, 3 + 0.0])
    phase = chart.phases.iloc[0]
    assert phase["centre"] == pytest.approx(3.0)
    assert phase["mr_mean"] == pytest.approx(1.5)  # 2, 2, 2, 0
    assert phase["lower"] == pytest.approx(3 - 2.66 * 1.5)
    assert phase["upper"] == pytest.approx(3 + 2.66 * 1.5)
    assert phase["mr_upper"] == pytest.approx(3.268 * 1.5)


@pytest.mark.parametrize(
    ("data", "screen", "expected"),
    [
        # NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md (r1, r2, r3): mean, lpl, upl
        (RNORM_123, True, (0.1416238, -3.01138, 3.294627)),
        ([*RNORM_123[:14], 10.0, *RNORM_123[15:]], True, (0.6694159, -2.383666, 3.722497)),
        ([*RNORM_123[:14], 10.0, *RNORM_123[15:]], False, (0.6694159, -4.596625, 5.935457)),
    ],
    ids=["r1-screened", "r2-outlier-screened", "r3-outlier-unscreened"],
)
def test_limits_match_nhsrplotthedots_snapshots(data, screen, expected):
    phase = spc.xmr(data, screen_outliers=screen).phases.iloc[0]
    assert (phase["centre"], phase["lower"], phase["upper"]) == pytest.approx(expected, abs=5e-7)


def test_missing_value_is_kept_and_its_moving_ranges_leave_the_average():
    chart = spc.xmr([1.0, 3, np.nan, 5, 3])
    pts = chart.points
    assert len(pts) == 5 and np.isnan(pts["value"].iat[2])
    assert pts["moving_range"].isna().tolist() == [True, False, True, True, False]
    assert chart.phases["mr_mean"].iat[0] == pytest.approx(2.0)  # |3-1| and |3-5|
    assert chart.phases["centre"].iat[0] == pytest.approx(3.0)
    assert pts["point_type"].iat[2] == "common_cause" and not pts["signal"].iat[2]
    assert any("1 period is missing" in w for w in chart.warnings)


# --- phases --------------------------------------------------------------------------------------
def test_each_phase_has_its_own_limits():
    a, b = stable(12), [v + 100 for v in stable(12)]
    chart = spc.xmr(a + b, phase_starts=[12])
    assert chart.phases["centre"].tolist() == pytest.approx([10.0, 110.0])
    assert chart.phases[["start", "end", "n"]].values.tolist() == [[0, 11, 12], [12, 23, 12]]
    assert chart.points["phase"].tolist() == [0] * 12 + [1] * 12
    assert not chart.points["signal"].any()  # no moving range joins the two phases
    assert np.isnan(chart.points["moving_range"].iat[12])


def test_phase_starts_may_be_dates_when_dates_are_given():
    dates = pd.date_range("2024-01-01", periods=24, freq="W-MON")
    chart = spc.xmr(stable(24), dates=dates, phase_starts=[dates[12]])
    assert chart.points["phase"].iat[12] == 1 and chart.points["phase"].iat[11] == 0
    assert chart.points["date"].iat[0] == dates[0]
    assert chart.phases["start_date"].iat[1] == dates[12]


def test_a_short_phase_warns():
    chart = spc.xmr(stable(20), phase_starts=[15])
    assert chart.phases["short"].tolist() == [False, True]
    assert any("Phase 2 has only 5 points" in w for w in chart.warnings)


# --- Making Data Count rules ---------------------------------------------------------------------
def test_seven_rising_points_are_an_upward_trend():
    chart = spc.xmr([5.0, 1, 2, 3, 4, 5, 6, 7], improvement="up")
    pts = chart.points
    assert pts["trend"].tolist() == [False] + [True] * 7
    assert pts["special_cause"].iat[-1] == "trend"
    # the first trending points sit below the mean, but a rising trend is an improvement
    assert pts["point_type"].iat[1] == "special_cause_improvement"


def test_six_rising_points_are_not_a_trend_and_a_tie_breaks_one():
    assert not spc.xmr([1.0, 2, 3, 4, 5, 6, 0, 0]).points["trend"].any()
    assert not spc.xmr([1.0, 2, 3, 4, 4, 5, 6, 7]).points["trend"].any()


def test_seven_points_below_the_mean_are_a_shift():
    values = [12.0, 11, 12, 11, 12, 11, 9, 8, 9, 8, 9, 8, 9]
    pts = spc.xmr(values, improvement="up").points
    assert pts["shift"].tolist() == [False] * 6 + [True] * 7
    assert set(pts["point_type"].iloc[6:]) == {"special_cause_concern"}


def test_a_point_on_the_mean_breaks_a_shift():
    # limits from the first four points (mean 10); then 12, 12, 12, 10 (on the line), 12, 12, 12
    broken = spc.xmr([11.0, 9, 11, 9, 12, 12, 12, 10, 12, 12, 12], baseline_points=4, run_length=4)
    unbroken = spc.xmr([11.0, 9, 11, 9, 12, 12, 12, 12, 12, 12, 12], baseline_points=4, run_length=4)
    assert not broken.points["shift"].any()
    assert unbroken.points["shift"].tolist() == [False] * 4 + [True] * 7


def test_two_of_three_beyond_two_sigma_flags_only_those_points():
    # limits from the first 16 points: mean 10, mR 2, sigma 2.66 * 2 / 3, two sigma at 13.55
    values = [*stable(16), 14.0, 10.5, 14.0, *stable(4)]
    pts = spc.xmr(values, baseline_points=16).points
    assert pts["two_of_three"].iloc[16:19].tolist() == [True, False, True]
    assert pts["special_cause"].iat[16] == "two_of_three"
    assert pts["two_of_three"].sum() == 2


def test_two_of_three_on_opposite_sides_is_not_a_signal():
    # NHSRplotthedots test-ptd_spc_standard.R: symmetric data, then 5.5 and -5.5
    values = [1.0, -1] * 8
    values[14], values[15] = 5.5, -5.5
    pts = spc.xmr(values).points
    assert pts["point_type"].iloc[-2:].tolist() == ["common_cause", "common_cause"]


def test_two_of_three_counts_points_beyond_the_limits_only_under_nhs_england_2023():
    # limits from the first 20 points: 4.68 .. 15.32, two sigma at 13.55
    values = [*stable(20), 30.0, 14.2, 9.0]
    new = spc.xmr(values, baseline_points=20, two_of_three_includes_outside=True).points
    old = spc.xmr(values, baseline_points=20, two_of_three_includes_outside=False).points
    assert new["outside_limits"].iat[20] and new["two_of_three"].iloc[20:22].all()
    assert old["outside_limits"].iat[20] and not old["two_of_three"].any()


def test_the_label_follows_the_priority_outside_trend_two_of_three_shift():
    pts = spc.xmr(WHEELER_VERIFY).points
    assert pts["special_cause"].iat[15] == "outside_limits"
    assert pts["special_cause"].iat[12] == "two_of_three"  # also in the shift
    assert pts["special_cause"].iat[13] == "shift"


@pytest.mark.parametrize(
    ("values", "warning"),
    [
        ([], "The chart has no values, so there are no limits yet."),
        ([4.0], "The chart has only 1 value, so there are no limits yet."),
    ],
)
def test_too_few_values_for_limits_warn(values, warning):
    chart = spc.xmr(values)
    assert warning in chart.warnings
    assert not chart.points["signal"].any()


def test_a_zero_moving_range_gives_no_signals_and_a_warning():
    chart = spc.xmr([5.0] * 15)
    assert not chart.points["signal"].any()
    assert chart.variation == "common_cause"
    assert any("zero" in w for w in chart.warnings)


# --- variation and assurance ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("improvement", "last", "expected"),
    [
        ("up", 30.0, "special_cause_improvement"),
        ("down", 30.0, "special_cause_concern"),
        ("neutral", 30.0, "special_cause_neutral_high"),
        ("neutral", -10.0, "special_cause_neutral_low"),
        ("up", 10.0, "common_cause"),
    ],
)
def test_variation_is_the_latest_point_type(improvement, last, expected):
    assert spc.xmr([*stable(15), last], improvement=improvement).variation == expected


def test_variation_skips_a_trailing_missing_value():
    assert spc.xmr([*stable(15), 30.0, np.nan], improvement="up").variation == "special_cause_improvement"


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        # limits 10 +/- 5.32 -> 4.68 .. 15.32 (NHSRplotthedots ptd_calculate_assurance_type)
        ("up", 20.0, "consistent_fail"),
        ("down", 20.0, "consistent_pass"),
        ("up", 2.0, "consistent_pass"),
        ("down", 2.0, "consistent_fail"),
        ("up", 10.0, "inconsistent"),
        ("neutral", 20.0, None),
        ("up", None, None),
    ],
)
def test_assurance_against_the_latest_limits(improvement, target, expected):
    assert spc.xmr(stable(20), improvement=improvement, target=target).assurance == expected


# --- the sentence --------------------------------------------------------------------------------
def test_describe_a_stable_process():
    text = spc.xmr([1100.0, 1200] * 13).describe(unit="contacts", period_name="week")
    assert text == (
        "Stable at about 1,150 contacts a week; expect between 884 and 1,416; no signal in the last 26 weeks."
    )


def test_describe_a_signal_and_a_target():
    text = spc.xmr([*stable(15), 30.0], improvement="down", target=12).describe(period_name="week")
    assert text == (
        "The latest week (30.0) is a concern: above the upper limit; the average has been about "
        "11.2 a week (expect between 2.5 and 19.9); it will meet the target of 12.0 in some weeks "
        "and miss it in others."
    )


# --- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"improvement": "higher"}, "improvement must be 'up', 'down' or 'neutral', got 'higher'"),
        ({"rules": "nelson"}, "rules must be 'mdc', 'wheeler', 'western_electric' or 'anhoej'"),
        ({"moving_range": "mode"}, "moving_range must be 'mean' or 'median', got 'mode'"),
        ({"phase_starts": [99]}, "phase_starts position 99 is outside 0..19"),
        ({"exclude": ["x"]}, "exclude must be 0-based positions"),
        ({"baseline_points": 1}, "baseline_points must be 2 or more, got 1"),
        ({"target": float("nan")}, "target must be a finite number or None"),
        ({"run_length": 1}, "run_length must be 2 or more"),
        ({"dates": pd.date_range("2024-01-01", periods=3)}, "dates must have one entry per value"),
    ],
)
def test_bad_arguments_raise_a_value_error_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        spc.xmr(stable(20), **kwargs)


def test_dates_must_increase_and_excluded_dates_must_exist():
    dates = pd.date_range("2024-01-01", periods=20, freq="W-MON")
    with pytest.raises(ValueError, match="dates must be in increasing order"):
        spc.xmr(stable(20), dates=dates[::-1])
    with pytest.raises(ValueError, match="exclude date 2024-01-02 is not one of the dates"):
        spc.xmr(stable(20), dates=dates, exclude=["2024-01-02"])


def test_values_must_be_one_dimensional():
    with pytest.raises(ValueError, match=r"values must be one-dimensional, got shape \(2, 2\)"):
        spc.xmr([[1.0, 2.0], [3.0, 4.0]])


def test_describe_says_when_the_last_signal_was():
    values = [*stable(16), 30.0, *stable(5)]
    text = spc.xmr(values).describe(period_name="week")
    assert text.startswith("At about") and "the last signal was 5 weeks ago" in text


def test_describe_a_run_chart_without_limits():
    assert spc.run_chart([3.0, 1, 2, 5, 4]).describe() == "Stable at about 3.00; no signal in the last 5 periods."


def test_values_must_be_numbers():
    with pytest.raises(ValueError, match="values must be numbers"):
        spc.xmr(["a", "b"])
    with pytest.raises(ValueError, match="values must be finite numbers or NaN"):
        spc.xmr([1.0, float("inf")])
