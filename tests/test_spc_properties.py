"""Properties any XmR engine must have, checked with hypothesis over many made-up series."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from perf import spc

RULE_COLS = ["outside_limits", "trend", "two_of_three", "shift", "three_of_four", "four_of_five", "mr_signal"]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

values_st = st.lists(st.integers(-500, 500).map(float), min_size=2, max_size=60)
rules_st = st.sampled_from(["mdc", "wheeler", "western_electric", "anhoej"])


def near_a_line(chart: spc.Chart) -> bool:
    """True when a value sits within rounding of a line a rule compares it with."""
    p = chart.points
    sigma = (p["upper"] - p["centre"]) / 3
    lines = [p["centre"] + k * sigma for k in (-3, -2, -1.5, -1, 0, 1, 1.5, 2, 3)]
    scale = max(1.0, float(np.nanmax(np.abs(p["value"]))))
    close = np.zeros(len(p), dtype=bool)
    for line in lines:
        close |= np.isclose(p["value"], line, rtol=0, atol=1e-7 * scale)
    close |= np.isclose(p["moving_range"], p["mr_upper"], rtol=0, atol=1e-7 * scale)
    return bool(close.any())


@SETTINGS
@given(values_st, rules_st)
def test_xmr_limits_are_symmetric_about_the_centre(values, rules):
    p = spc.xmr(values, rules=rules).points
    assert np.allclose(p["upper"] - p["centre"], p["centre"] - p["lower"], equal_nan=True)


@SETTINGS
@given(values_st, st.integers(-10_000, 10_000), rules_st)
def test_shifting_every_value_shifts_the_limits_and_keeps_the_signals(values, shift, rules):
    a = spc.xmr(values, rules=rules)
    b = spc.xmr([v + shift for v in values], rules=rules)
    for col in ("centre", "lower", "upper"):
        assert np.allclose(a.points[col] + shift, b.points[col], equal_nan=True)
    assume(not near_a_line(a) and not near_a_line(b))
    pd.testing.assert_frame_equal(a.points[RULE_COLS], b.points[RULE_COLS])
    assert a.variation == b.variation


@SETTINGS
@given(values_st, st.sampled_from([0.5, 2.0, 3.0, 1000.0]), rules_st)
def test_scaling_every_value_scales_the_limits_and_keeps_the_signals(values, k, rules):
    a = spc.xmr(values, rules=rules)
    b = spc.xmr([v * k for v in values], rules=rules)
    for col in ("centre", "lower", "upper", "moving_range", "mr_upper"):
        assert np.allclose(a.points[col] * k, b.points[col], equal_nan=True)
    assume(not near_a_line(a) and not near_a_line(b))
    pd.testing.assert_frame_equal(a.points[RULE_COLS], b.points[RULE_COLS])


@SETTINGS
@given(
    st.lists(st.integers(-50, 50).map(float), min_size=6, max_size=60),
    st.lists(st.integers(1, 59), max_size=4),
    rules_st,
    st.randoms(use_true_random=False),
)
def test_the_order_of_phase_starts_does_not_matter(values, starts, rules, rnd):
    starts = [s for s in starts if s < len(values)]
    shuffled = list(starts)
    rnd.shuffle(shuffled)
    a = spc.xmr(values, phase_starts=starts, rules=rules)
    b = spc.xmr(values, phase_starts=shuffled, rules=rules)
    pd.testing.assert_frame_equal(a.points, b.points)
    pd.testing.assert_frame_equal(a.phases, b.phases)


@SETTINGS
@given(
    st.lists(st.integers(-50, 50).map(float), min_size=2, max_size=30),
    st.lists(st.integers(-50, 50).map(float), min_size=2, max_size=30),
    rules_st,
)
def test_each_phase_is_judged_as_if_it_stood_alone(first, second, rules):
    together = spc.xmr(first + second, phase_starts=[len(first)], rules=rules).points
    alone = pd.concat([spc.xmr(first, rules=rules).points, spc.xmr(second, rules=rules).points], ignore_index=True)
    cols = ["centre", "lower", "upper", *RULE_COLS, "special_cause", "point_type"]
    pd.testing.assert_frame_equal(together[cols], alone[cols])


@SETTINGS
@given(st.lists(st.one_of(st.integers(-50, 50).map(float), st.just(float("nan"))), min_size=1, max_size=40))
def test_a_missing_value_is_never_a_signal_and_never_breaks(values):
    chart = spc.xmr(values)
    missing = chart.points["value"].isna()
    assert not chart.points.loc[missing, "signal"].any()
    assert (chart.points.loc[missing, "point_type"] == "common_cause").all()
    assert len(chart.points) == len(values)
