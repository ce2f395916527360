"""Check–Plan–Do: each verdict on series designed to earn it, and on the sample data where it must not be said."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from perf import store
from perf.analysis import measures, review


def monthly(values: np.ndarray, start: str = "2022-04-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"))


def weekly(values: np.ndarray, start: str = "2023-01-02") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="W-MON"))


def noise(n: int, seed: int, centre: float = 20.0, sd: float = 1.0) -> np.ndarray:
    return centre + np.random.default_rng(seed).normal(0, sd, n)


def test_a_sustained_drop_in_days_is_an_improvement_with_its_evidence_counted() -> None:
    values = weekly(np.r_[noise(30, 1), noise(20, 2, centre=12)])
    result = review.before_after(values, 30, improvement="down")
    assert result.judgement == "improvement" and result.signal and result.direction == "down"
    old = values.iloc[:30]
    after = values.iloc[30:].to_numpy()
    assert result.old_centre == pytest.approx(old.mean())
    below, beyond = int((after < result.old_centre).sum()), int((after < result.old_lower).sum())
    assert (result.on_side, result.beyond, result.n_after) == (below, beyond, 20)
    text = result.sentence(unit="days", decimals=1)
    assert text.startswith("The change improved the system: a sustained shift from the change shows it.")
    assert (
        f"All 20 weeks since 31 Jul 2023 are below the old average of {old.mean():.1f} days" in text
        if below == 20
        else f"{below} of the 20 weeks since 31 Jul 2023 are below" in text
    )
    assert f"{beyond} are below the old lower limit of {result.old_lower:.1f} days" in text
    assert result.after_range[1] < result.before_range[1] and not result.provisional


def test_the_evidence_counts_points_one_by_one_in_plain_words() -> None:
    before = np.tile([21.0, 23.0], 10)  # average 22.0; moving ranges of 2 give limits 16.68-27.32
    after = np.array([17.0, 16.0, 16.5, 15.5, 16.0, 17.5, 16.0, 22.5, 16.0, 15.0])
    result = review.before_after(weekly(np.r_[before, after], start="2023-11-20"), 20, improvement="down")
    assert result.judgement == "improvement"
    assert result.old_lower == pytest.approx(22 - 2.66 * 2)
    assert result.evidence(unit="days", decimals=1) == (
        "9 of the 10 weeks since 8 Apr 2024 are below the old average of 22.0 days, 7 in a row from the week of "
        "8 Apr 2024; 7 are below the old lower limit of 16.7 days."
    )


def test_one_unusual_period_after_the_date_is_named_and_is_not_a_change() -> None:
    values = noise(36, 4)
    values[28] = 40.0  # one month far above the old limits
    result = review.before_after(monthly(values), 24, improvement="down")
    assert result.judgement == "no_change" and not result.signal
    assert result.one_offs == (28,)
    text = result.sentence(unit="days", decimals=1)
    assert "apart from one unusual month, Aug 2024" in text
    assert "11 of the 12 months since 1 Apr 2024 are within the old limits" in text


def test_a_shift_a_year_after_the_date_is_a_change_elsewhere_with_that_date() -> None:
    values = monthly(np.r_[noise(36, 5), noise(24, 6, centre=14)])
    result = review.before_after(values, 24, improvement="down")  # Apr 2024; the shift came in Apr 2025
    assert result.judgement == "change_elsewhere" and not result.signal
    assert result.elsewhere is not None and result.elsewhere.start == 36 and result.elsewhere.direction == "down"
    text = result.sentence(unit="days", decimals=1)
    assert "the data shows the system moved from Apr 2025 instead (12 months after 1 Apr 2024)" in text
    assert [s.start for s in result.proposals] == [36]


def test_a_date_a_year_after_the_real_shift_is_not_credited_with_it() -> None:
    values = monthly(np.r_[noise(24, 7), noise(36, 8, centre=14)])
    result = review.before_after(values, 32, improvement="down")  # eight months after the shift
    assert result.judgement == "change_elsewhere"
    assert result.elsewhere is not None and result.elsewhere.start == 24
    later = review.before_after(values, 48, improvement="down")  # two years on: the new system is the old
    assert later.judgement == "no_change" and later.baseline_start == 24
    assert "the system in place since Apr 2024, when the data shows it last moved" in later.sentence("days", 1)


def test_four_points_after_is_too_early_and_says_how_many_more_and_when() -> None:
    values = monthly(np.r_[noise(20, 9), [19.0, 18.5, 19.5, 18.8]])
    result = review.before_after(values, 20, improvement="down")
    assert result.judgement == "too_early" and result.more_needed == 3 and not result.signal
    assert result.tell_by() == pd.Timestamp("2024-06-01")  # the 7th month after Dec 2023
    text = result.sentence(unit="days", decimals=1)
    assert "only 4 months since 1 Dec 2023; a sustained signal needs 7 months. 3 more months will tell" in text
    assert "once the figure for Jun 2024 is in" in text
    assert "All 4 months since 1 Dec 2023 are below the old average" in text


def test_wheeler_rules_need_one_more_point_than_mdc() -> None:
    values = monthly(np.r_[noise(20, 9), [19.0, 18.5, 19.5, 18.8]])
    assert review.before_after(values, 20, rules="wheeler").more_needed == 4


def test_sustained_signals_on_both_sides_are_mixed() -> None:
    values = monthly(np.r_[noise(20, 10), noise(14, 11, centre=15), noise(14, 12, centre=25)])
    result = review.before_after(values, 20, improvement="down")
    assert result.judgement == "mixed" and result.signal
    assert result.sentence("days", 1).startswith(
        "Mixed: the points since 1 Dec 2023 show sustained signals on both sides"
    )


def test_limits_from_a_short_baseline_are_provisional() -> None:
    values = monthly(np.r_[noise(8, 13), noise(12, 14, centre=14)])
    result = review.before_after(values, 8, improvement="down")
    assert result.judgement == "improvement" and result.provisional
    assert "The old limits are provisional: they rest on only 8 months" in result.sentence("days", 1)
    long = review.before_after(monthly(np.r_[noise(12, 13), noise(12, 14, centre=14)]), 12, improvement="down")
    assert not long.provisional and "provisional" not in long.sentence("days", 1)


def test_noise_is_no_change_whatever_the_date() -> None:
    values = monthly(noise(48, 15))
    for at in range(12, 41, 4):
        assert review.before_after(values, at, improvement="up").judgement == "no_change", at


def test_a_change_that_worsens_the_measure_is_called_a_deterioration() -> None:
    values = [5.0] * 3 + [6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0, 5.0] + [9.0, 10.0, 9.5, 9.0, 10.0, 9.5, 9.0, 10.0]
    result = review.before_after(values, 11, improvement="down")
    assert result.judgement == "deterioration"
    assert result.period == "period"  # no dates given: the words fall back to "period"


def test_a_neutral_measure_shifts_up_or_down() -> None:
    values = monthly(np.r_[noise(20, 16), noise(12, 17, centre=25)])
    result = review.before_after(values, 20)
    assert result.judgement == "shift" and result.direction == "up"
    assert result.sentence("contacts").startswith("The system shifted up at the change")


def test_repeated_points_beyond_a_limit_are_sustained_before_a_run_could_be() -> None:
    values = monthly(np.r_[noise(20, 18), [5.0, 4.0, 6.0, 5.0]])
    result = review.before_after(values, 20, improvement="down")
    assert result.judgement == "improvement" and result.rule == "outside_limits"
    assert "repeated points beyond an old limit from the change show it" in result.sentence("days")


def test_a_change_needs_points_on_both_sides() -> None:
    with pytest.raises(ValueError, match="at least 2 points before"):
        review.before_after([1.0, 2.0, 3.0], 1)


def test_words_for_periods() -> None:
    assert review.period_label(pd.Timestamp("2025-04-01"), "quarter") == "Apr–Jun 2025"
    assert review.period_label(pd.Timestamp("2025-11-01"), "quarter") == "Nov 2025–Jan 2026"
    assert review.period_label(pd.Timestamp("2025-03-03"), "week") == "the week of 3 Mar 2025"
    assert review.plural(1, "week") == "1 week" and review.plural(2, "week") == "2 weeks"


# --- the sample data: where a change must not be claimed, and where it must ------------------------
@pytest.fixture(scope="module")
def con(sample_db: Path):  # type: ignore[no-untyped-def]
    c = store.connect(sample_db)  # through the app's instance if this process has the file open
    yield c
    c.close()


def judge(con: duckdb.DuckDBPyConnection, measure_id: str, when: str) -> tuple[review.BeforeAfter, str]:
    m = measures.catalogue(con).set_index("measure_id").loc[measure_id]
    data = measures.series(con, measure_id).sort_values("period_start").reset_index(drop=True)
    values = pd.Series(data["value"].astype(float).to_numpy(), index=pd.DatetimeIndex(data["period_start"]))
    result = review.before_after(
        values, int((data["period_start"] < pd.Timestamp(when)).sum()), improvement=m["improvement"]
    )
    return result, result.sentence(str(m["unit"]), int(m["decimals"]))


def test_sample_affordable_homes_at_july_2024_is_no_change_apart_from_one_quarter(con) -> None:  # type: ignore[no-untyped-def]
    result, text = judge(con, "affordable-homes", "2024-07-01")
    assert result.judgement == "no_change"
    assert "apart from one unusual quarter, Apr–Jun 2025" in text
    assert "provisional" in text  # nine quarters before the date


def test_sample_missed_bins_in_march_2025_is_no_change(con) -> None:  # type: ignore[no-untyped-def]
    result, text = judge(con, "missed-bins", "2025-03-03")
    assert result.judgement == "no_change" and "improved" not in text


def test_sample_repairs_a_year_before_the_redesign_points_to_the_redesign(con) -> None:  # type: ignore[no-untyped-def]
    result, text = judge(con, "repairs-end-to-end", "2023-04-01")
    assert result.judgement == "change_elsewhere" and "improved" not in text
    assert result.elsewhere is not None
    moved = result.dates[result.elsewhere.start]
    assert abs((moved - pd.Timestamp("2024-04-01")).days) <= 14  # the redesign's ramp: mid-April
    assert f"the data shows the system moved from the week of {moved.day} Apr 2024 instead" in text


def test_sample_benefits_a_year_before_the_redesign_is_not_an_improvement(con) -> None:  # type: ignore[no-untyped-def]
    result, _ = judge(con, "benefits-failure-demand", "2024-01-06")
    assert result.judgement == "change_elsewhere"
    assert result.elsewhere is not None
    assert abs((result.dates[result.elsewhere.start] - pd.Timestamp("2025-01-06")).days) <= 14


@pytest.mark.parametrize(
    ("measure_id", "when", "old", "lower"),
    [
        ("repairs-end-to-end", "2024-04-01", "22.2 days", "18.1 days"),
        ("benefits-failure-demand", "2025-01-06", "46.9%", "38.7%"),
        ("benefits-change-days", "2025-01-06", "16.2 days", "13.0 days"),
    ],
)
def test_sample_real_redesigns_are_improvements_whose_evidence_names_the_shift(
    con, measure_id, when, old, lower
) -> None:  # type: ignore[no-untyped-def]
    result, text = judge(con, measure_id, when)
    assert result.judgement == "improvement" and result.rule == "shift"
    assert text.startswith("The change improved the system: a sustained shift from the change shows it.")
    assert f"below the old average of {old}" in text and f"below the old lower limit of {lower}" in text
    assert result.on_side >= 0.95 * result.n_after


def test_a_review_is_recorded_and_read_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(tmp_path / "r.duckdb"))
    store.create_schema(con)
    review.record(
        con,
        measure_id="m1",
        change_date=dt.date(2025, 1, 6),
        decision="Make the trial normal",
        actions="<script>alert(1)</script> roll out to all teams",
        reviewed_by="Head of Service",
    )
    got = review.history(con, "m1")
    assert got["decision"].tolist() == ["Make the trial normal"]
    assert got["actions"].iloc[0].startswith("<script>")  # stored as given; pages render it as text
    with pytest.raises(ValueError, match="Write the decision"):
        review.record(con, measure_id="m1", change_date=dt.date(2025, 1, 6), decision="  ", actions="", reviewed_by="x")


def test_a_steady_trend_is_not_credited_to_the_date() -> None:
    months = np.arange(36)
    values = monthly(200 - 1.5 * months + np.random.default_rng(19).normal(0, 2, 36))  # improving all along
    result = review.before_after(values, 24, improvement="down")
    assert result.judgement == "change_elsewhere" and result.moving_before and not result.signal
    text = result.sentence("days")
    assert text.startswith("No sustained change at 1 Apr 2024: the system was already moving down before it.")


def test_repeated_points_beyond_a_limit_well_after_the_date_are_a_change_elsewhere() -> None:
    after = noise(16, 20)
    after[10:13] = [30.0, 31.0, 29.5]  # three months far above, ten months after the date
    result = review.before_after(monthly(np.r_[noise(20, 21), after]), 20, improvement="down")
    assert result.judgement == "change_elsewhere" and result.elsewhere is not None
    assert result.elsewhere.start == 30 and result.elsewhere.direction == "up"


def test_a_later_separate_shift_is_not_credited_to_the_date() -> None:
    values = monthly(np.r_[noise(24, 22), noise(12, 23, centre=20.5), noise(12, 24, centre=28)])
    result = review.before_after(values, 24, improvement="up")
    assert result.judgement == "change_elsewhere" and not result.signal
    assert result.elsewhere is not None and result.elsewhere.start == 36 and result.elsewhere.direction == "up"


def test_the_run_named_in_the_evidence_is_the_whole_run() -> None:
    values = monthly(np.r_[noise(24, 25), noise(10, 26, centre=14), noise(14, 27, centre=8)])
    result = review.before_after(values, 24, improvement="down")
    assert result.judgement == "improvement"
    assert result.run == 24 and "All 24 months since 1 Apr 2024 are below" in result.sentence("days")
