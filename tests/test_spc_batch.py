"""The batch path (many series at once) gives exactly what xmr() gives one series at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perf import spc

POINT_COLS = [c for c in spc.POINT_COLUMNS if c != "phase"]


def seeded_series(k: int = 40, n: int = 80, seed: int = 3) -> list[np.ndarray]:
    """Series with shifts, trends, outliers and gaps, so every rule has something to find."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(k):
        y = rng.normal(100, 10, n).round(1)
        kind = i % 4
        if kind == 1:
            y[n // 2 :] += 15  # a shift
        elif kind == 2:
            y[-10:] += np.arange(10) * 4  # a trend
        elif kind == 3:
            y[rng.integers(0, n, 3)] += 60  # outliers
        if i % 5 == 0:
            y[rng.integers(0, n, 2)] = np.nan  # gaps
        out.append(y)
    return out


def long_frame(series: list[np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(
        {"series_id": np.repeat(np.arange(len(series)), [len(s) for s in series]), "value": np.concatenate(series)}
    )


@pytest.mark.parametrize("rules", ["mdc", "wheeler", "western_electric", "anhoej"])
@pytest.mark.parametrize(
    "options", [{}, {"screen_outliers": True}, {"moving_range": "median"}, {"baseline_points": 20}]
)
def test_batch_points_equal_xmr_point_for_point(rules, options):
    series = seeded_series()
    batch = spc.batch_points(long_frame(series), rules=rules, improvement="up", **options)
    for i, values in enumerate(series):
        one = spc.xmr(values, rules=rules, improvement="up", **options).points
        mine = batch[batch["series_id"] == i].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[POINT_COLS], one[POINT_COLS], check_dtype=False)


def test_batch_latest_equals_xmr_variation_and_assurance():
    series = seeded_series()
    improvements = ["up", "down", "neutral"]
    frame = long_frame(series)
    frame["improvement"] = [improvements[i % 3] for i in frame["series_id"]]
    frame["target"] = [np.nan if i % 4 == 0 else 95.0 + i for i in frame["series_id"]]
    latest = spc.batch_latest(frame)
    for i, values in enumerate(series):
        target = None if i % 4 == 0 else 95.0 + i
        chart = spc.xmr(values, improvement=improvements[i % 3], target=target)
        row = latest.loc[i]
        assert (row["variation"], row["assurance"]) == (chart.variation, chart.assurance)
        assert row["special_cause"] == chart.points.dropna(subset=["value"])["special_cause"].iat[-1]


def test_batch_phases_come_from_a_phase_column():
    values = [9.0, 11] * 8 + [19.0, 21] * 8
    frame = pd.DataFrame({"series_id": "a", "value": values, "phase": [0] * 16 + [1] * 16})
    pts = spc.batch_points(frame, phase="phase")
    one = spc.xmr(values, phase_starts=[16]).points
    assert pts["phase"].tolist() == one["phase"].tolist()
    pd.testing.assert_frame_equal(pts[POINT_COLS], one[POINT_COLS], check_dtype=False)


def test_interleaved_rows_keep_each_series_in_order():
    a, b = [9.0, 11, 9, 11, 30], [1.0, 2, 3, 4, 5]
    frame = pd.DataFrame({"series_id": ["b", "a"] * 5, "value": [v for pair in zip(b, a, strict=True) for v in pair]})
    latest = spc.batch_latest(frame)
    assert latest.index.tolist() == ["a", "b"]
    assert latest.loc["a", "value"] == 30 and latest.loc["b", "value"] == 5


def test_xmr_many_takes_a_list_of_arrays():
    latest = spc.xmr_many([[9.0, 11] * 6 + [30.0], [5.0] * 10], improvement="down", target=12)
    assert latest["variation"].tolist() == ["special_cause_concern", "common_cause"]
    assert latest["assurance"].tolist() == ["inconsistent", "consistent_pass"]


def test_a_series_with_no_values_has_no_variation():
    frame = pd.DataFrame({"series_id": ["a", "a", "b"], "value": [np.nan, np.nan, 1.0]})
    latest = spc.batch_latest(frame)
    assert latest.loc["a", "variation"] is None and latest.loc["b", "variation"] == "common_cause"


def test_batch_errors_name_the_problem():
    with pytest.raises(ValueError, match="frame has no column 'value'"):
        spc.batch_latest(pd.DataFrame({"series_id": [1], "y": [1.0]}))
    with pytest.raises(ValueError, match="column 'series_id' has a missing series id"):
        spc.batch_latest(pd.DataFrame({"series_id": [1, None], "value": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="improvement must be"):
        spc.batch_latest(pd.DataFrame({"series_id": [1], "value": [1.0], "improvement": ["higher"]}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.one_of(st.integers(0, 30).map(float), st.just(float("nan"))), min_size=1, max_size=30),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["mdc", "wheeler", "western_electric", "anhoej"]),
)
def test_batch_equals_xmr_for_any_series(series, rules):
    batch = spc.batch_points(long_frame([np.asarray(s) for s in series]), rules=rules)
    for i, values in enumerate(series):
        one = spc.xmr(values, rules=rules).points
        mine = batch[batch["series_id"] == i].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[POINT_COLS], one[POINT_COLS], check_dtype=False)
