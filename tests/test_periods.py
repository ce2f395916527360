"""Re-aggregation: weeks to months, months to quarters and financial years, ratios recomputed."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from perf import periods


def months(values: list[float], start: str = "2024-01-01", **extra: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"period_start": pd.date_range(start, periods=len(values), freq="MS"), "value": values, **extra}
    )


def test_months_sum_to_quarters_and_drop_the_unfinished_quarter() -> None:
    out = periods.reaggregate(
        months([1, 2, 3, 4, 5, 6, 7]), frequency="month", granularity="quarter", aggregation="sum"
    )
    assert out["value"].tolist() == [6, 15]
    assert out["period_start"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01")]


def test_ratio_is_recomputed_from_parts_not_averaged() -> None:
    frame = months([50.0, 10.0, 10.0], numerator=[50, 10, 10], denominator=[100, 100, 100])
    frame.loc[0, ["numerator", "denominator"]] = [500, 1000]  # a busy month: 50% of 1000
    out = periods.reaggregate(frame, frequency="month", granularity="quarter", aggregation="ratio")
    assert out["value"].iloc[0] == pytest.approx(100 * 520 / 1200)


def test_financial_year_runs_april_to_march() -> None:
    out = periods.reaggregate(
        months([1.0] * 24, start="2023-04-01"),
        frequency="month",
        granularity="year",
        aggregation="sum",
        year_start="financial",
    )
    assert out["period_start"].tolist() == [pd.Timestamp("2023-04-01"), pd.Timestamp("2024-04-01")]
    assert out["value"].tolist() == [12, 12]
    cal = periods.reaggregate(
        months([1.0] * 24, start="2023-04-01"),
        frequency="month",
        granularity="year",
        aggregation="sum",
        year_start="calendar",
    )
    assert cal["period_start"].tolist() == [pd.Timestamp("2024-01-01")]  # 2023 and 2025 are partial


def test_weeks_roll_into_the_month_of_their_monday_and_means_average() -> None:
    weeks = pd.DataFrame(
        {
            "period_start": pd.date_range("2024-01-01", periods=9, freq="W-MON"),
            "value": [2.0, 4, 6, 8, 10, 10, 10, 10, 10],
        }
    )
    out = periods.reaggregate(weeks, frequency="week", granularity="month", aggregation="mean")
    assert out["value"].tolist() == [6.0, 10.0]  # Jan: 5 Mondays; Feb: 4; Mar: 1 (partial, dropped)


def test_a_weekly_measure_cannot_be_shown_by_day() -> None:
    with pytest.raises(ValueError, match="cannot be shown by week"):
        periods.reaggregate(months([1.0]), frequency="month", granularity="week", aggregation="sum")


def test_choices_never_finer_than_recorded() -> None:
    assert periods.choices("month") == ["month", "quarter", "year"]


@pytest.mark.parametrize(
    ("day", "frequency", "start"),
    [
        (date(2024, 6, 9), "week", date(2024, 6, 3)),
        (date(2024, 2, 29), "month", date(2024, 2, 1)),
        (date(2024, 12, 31), "quarter", date(2024, 10, 1)),
    ],
)
def test_period_start_of_finds_the_monday_or_first(day: date, frequency: str, start: date) -> None:
    assert periods.period_start_of(day, frequency) == start


def test_an_unknown_frequency_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="frequency must be 'week', 'month' or 'quarter', got 'year'"):
        periods.period_start_of(date(2024, 1, 1), "year")
    with pytest.raises(ValueError, match="got 'day'"):
        periods.next_period_start(date(2024, 1, 1), "day")
