"""Localities: per-1,000 rates, profiles and one chart per area with its own limits."""

from __future__ import annotations

import pandas as pd
import pytest

from perf.analysis import places


def demo() -> pd.DataFrame:
    rows = []
    for ward, pop in [("w1", 2000), ("w2", 4000)]:
        rows += [
            (ward, ward.upper(), "l1", 2021, "population_total", pop, "x"),
            (ward, ward.upper(), "l1", 2021, "population_0_15", pop * 0.2, "x"),
            (ward, ward.upper(), "l1", 2021, "population_16_64", pop * 0.6, "x"),
            (ward, ward.upper(), "l1", 2021, "population_65_plus", pop * 0.2, "x"),
        ]
    return pd.DataFrame(
        rows, columns=["locality_id", "locality_name", "parent_id", "year", "indicator", "value", "source"]
    )


def test_per_thousand_divides_by_each_wards_residents() -> None:
    values = pd.DataFrame({"locality_id": ["w1", "w2"], "value": [10.0, 10.0]})
    rates = places.per_thousand(values, places.population(demo()))
    assert rates.tolist() == [5.0, 2.5]


def test_profile_sums_wards_and_gives_shares() -> None:
    prof = places.profile(demo())
    assert prof["residents"].tolist() == [1200, 3600, 1200]
    assert prof["share"].sum() == pytest.approx(1.0)


def test_small_multiples_give_each_area_its_own_limits() -> None:
    dates = pd.date_range("2024-01-01", periods=6, freq="MS")
    frame = pd.DataFrame(
        {
            "locality_id": ["w1"] * 6 + ["w2"] * 6,
            "locality_name": ["W1"] * 6 + ["W2"] * 6,
            "period_start": list(dates) * 2,
            "value": [1, 2, 1, 2, 1, 2, 10, 20, 10, 20, 10, 20],
        }
    )
    out = places.small_multiples(frame)
    centres = out.groupby("locality_id")["centre"].first()
    assert centres["w1"] == pytest.approx(1.5) and centres["w2"] == pytest.approx(15)
    # mean moving range 1 and 10: limits 1.5 ± 2.66 and 15 ± 26.6 (Wheeler's 2.66)
    assert out.loc[out["locality_id"] == "w1", "upper"].iloc[0] == pytest.approx(1.5 + 2.66)
    assert out.loc[out["locality_id"] == "w2", "upper"].iloc[0] == pytest.approx(15 + 26.6)


def test_latest_by_area_sums_the_latest_periods() -> None:
    dates = pd.date_range("2024-01-01", periods=3, freq="MS")
    frame = pd.DataFrame(
        {"locality_id": ["w1"] * 3, "locality_name": ["W1"] * 3, "period_start": dates, "value": [1.0, 2.0, 3.0]}
    )
    assert places.latest_by_area(frame, periods=2)["value"].tolist() == [5.0]


def test_each_area_rolls_up_to_quarters_on_its_own() -> None:
    dates = pd.date_range("2024-01-01", periods=6, freq="MS")
    frame = pd.DataFrame(
        {
            "locality_id": ["w1"] * 6 + ["w2"] * 6,
            "locality_name": ["W1"] * 6 + ["W2"] * 6,
            "period_start": list(dates) * 2,
            "value": [1.0] * 6 + [2.0] * 6,
            "numerator": None,
            "denominator": None,
        }
    )
    out = places.reaggregate_areas(frame, frequency="month", granularity="quarter", aggregation="sum")
    assert out.groupby("locality_id")["value"].apply(list).to_dict() == {"w1": [3.0, 3.0], "w2": [6.0, 6.0]}
    assert set(out["locality_name"]) == {"W1", "W2"}


def test_phase_labels_pair_with_the_phases_drawn_not_the_rows_recorded() -> None:
    """A change on the first period draws no phase: the next change's label must not shift onto it."""
    import pandas as pd

    from perf.analysis import measures

    dates = pd.Series(pd.date_range("2024-01-01", periods=12, freq="MS"))
    rows = pd.DataFrame(
        {
            "starts_on": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-09-01"]),
            "label": ["Baseline", "Redesign", "Second redesign"],
        }
    )
    positions, labels = measures.phase_labels(dates, rows)
    assert positions == [5, 8]
    assert labels == {1: "Redesign", 2: "Second redesign"}
    # a change beyond the data draws nothing, and a duplicate period keeps the first label
    rows2 = pd.DataFrame(
        {"starts_on": pd.to_datetime(["2024-03-01", "2024-03-01", "2030-01-01"]), "label": ["A", "B", "C"]}
    )
    assert measures.phase_labels(dates, rows2) == ([2], {1: "A"})
