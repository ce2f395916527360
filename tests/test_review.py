"""Check–Plan–Do: a real shift is found and named; noise is not mistaken for a change."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pytest

from perf import review, store


def test_a_redesign_that_lowers_days_is_an_improvement_shown_by_a_rule() -> None:
    rng = np.random.default_rng(1)
    before = 20 + rng.normal(0, 1.5, 30)
    after = 9 + rng.normal(0, 1.0, 20)
    result = review.before_after(np.r_[before, after], 30, improvement="down")
    assert result.signal and result.judgement == "improvement" and result.direction == "down"
    assert result.rule in review.RULE_WORDS
    assert result.before_mean == pytest.approx(before.mean())
    assert result.after_mean == pytest.approx(after.mean())
    assert result.after_range[1] < result.before_range[1]
    assert "improved" in result.sentence(unit="days")


def test_noise_after_a_change_is_not_called_a_signal() -> None:
    values = [10, 11, 9, 10, 12, 9, 10, 11, 10, 9, 11, 10, 9, 10, 11, 10]
    result = review.before_after(values, 10, improvement="up")
    assert not result.signal and result.judgement == "no_signal"
    assert result.sentence().startswith("No signal")


def test_a_change_that_worsens_the_measure_is_called_a_deterioration() -> None:
    values = [5.0] * 3 + [6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0, 5.0] + [9.0, 10.0, 9.5, 9.0, 10.0, 9.5, 9.0, 10.0]
    result = review.before_after(values, 11, improvement="down")
    assert result.judgement == "deterioration"


def test_a_change_needs_points_on_both_sides() -> None:
    with pytest.raises(ValueError, match="at least 2 points before"):
        review.before_after([1.0, 2.0, 3.0], 1)


def test_a_review_is_recorded_and_read_back(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "r.duckdb"))
    store.create_schema(con)
    review.record(con, measure_id="m1", change_date=dt.date(2025, 1, 6), decision="Make the trial normal",
                  actions="<script>alert(1)</script> roll out to all teams", reviewed_by="Head of Service")
    got = review.history(con, "m1")
    assert got["decision"].tolist() == ["Make the trial normal"]
    assert got["actions"].iloc[0].startswith("<script>")  # stored as given; pages render it as text
    with pytest.raises(ValueError, match="Write the decision"):
        review.record(con, measure_id="m1", change_date=dt.date(2025, 1, 6), decision="  ", actions="",
                      reviewed_by="x")
