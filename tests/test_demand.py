"""perf.analysis.demand on a tiny hand-made database: every expected number below is counted by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from perf import store
from perf.analysis import demand
from tests.geography import add_localities

# The geography: tests/geography.py (ALL > C1 > L1 > W1, W2; C2 > W3).
POPULATION = {"W1": 1000, "W2": 3000, "W3": 2000}

# Week of Monday 4 August 2025 for service S1: 6 value and 3 failure contacts.
WEEK_ONE = [
    ("S1", "W1", "phone", "2025-08-04 09:00", "value", "Report a repair"),
    ("S1", "W1", "phone", "2025-08-05 10:00", "value", "Report a repair"),
    ("S1", "W1", "web", "2025-08-06 11:00", "value", "Book a visit"),
    ("S1", "W1", "web", "2025-08-07 12:00", "failure", "Progress chasing"),
    ("S1", "W2", "phone", "2025-08-08 13:00", "failure", "Progress chasing"),
    ("S1", "W2", "email", "2025-08-09 14:00", "value", "Report a repair"),
    ("S1", "W3", "phone", "2025-08-10 15:00", "failure", "Not fixed"),
    ("S1", "W3", "phone", "2025-08-10 23:59", "value", "Book a visit"),
    ("S1", "W3", "web", "2025-08-04 00:00", "value", "Report a repair"),
]
# Nothing in the week of 11 August; two contacts in the week of 18 August; one for S2.
LATER = [
    ("S1", "W1", "phone", "2025-08-18 09:00", "failure", "Progress chasing"),
    ("S1", "W3", "web", "2025-08-20 09:00", "value", "Report a repair"),
    ("S2", "W1", "phone", "2025-08-06 09:00", "value", "Missed bin"),
]


def make_db(path: Path, rows: list[tuple[str, ...]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    store.create_schema(con)
    add_localities(con)
    for lid, people in POPULATION.items():
        con.execute("INSERT INTO demographic VALUES (?, 2021, 'population_total', ?, 'test')", [lid, people])
    con.execute("INSERT INTO demographic VALUES ('W1', 2019, 'population_total', 999999, 'older figure')")
    con.execute("INSERT INTO service VALUES ('S1', 'Housing repairs', 'P1', 10, 30), ('S2', 'Bins', 'P2', NULL, NULL)")
    con.execute("INSERT INTO purpose (purpose_id, name, kind) VALUES ('P1', 'Fix my home', 'operational')")
    con.execute(
        "INSERT INTO measure (measure_id, name, purpose_id, kind, unit, frequency, improvement) "
        "VALUES ('M1', 'Repairs demand', 'P1', 'operational', 'contacts', 'week', 'down')"
    )
    con.execute("INSERT INTO phase VALUES ('M1', '2025-08-18', 'New triage', NULL)")
    for i, (sid, ward, channel, at, kind, nature) in enumerate(rows, start=1):
        con.execute("INSERT INTO demand VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", [i, sid, ward, channel, at, kind, nature])
    return con


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return make_db(tmp_path / "demand.duckdb", WEEK_ONE + LATER)


def week(frame: pd.DataFrame, monday: str) -> pd.Series:
    return frame.set_index("period_start").loc[pd.Timestamp(monday)]


def test_a_week_with_known_counts_is_split_into_value_and_failure(con: duckdb.DuckDBPyConnection) -> None:
    row = week(demand.demand_by_period(con, service_id="S1"), "2025-08-04")
    assert (row["value_demand"], row["failure_demand"], row["demand"]) == (6, 3, 9)
    assert row["failure_share"] == pytest.approx(3 / 9)


def test_a_week_without_contacts_is_a_zero_not_a_gap(con: duckdb.DuckDBPyConnection) -> None:
    weeks = demand.demand_by_period(con, service_id="S1")
    assert list(weeks["period_start"].dt.strftime("%Y-%m-%d")) == ["2025-08-04", "2025-08-11", "2025-08-18"]
    assert week(weeks, "2025-08-11")["demand"] == 0
    assert np.isnan(week(weeks, "2025-08-11")["failure_share"])


def test_a_week_cut_short_by_the_range_or_the_data_is_marked_incomplete(con: duckdb.DuckDBPyConnection) -> None:
    weeks = demand.demand_by_period(con, service_id="S1", start=date(2025, 8, 6))
    assert list(weeks["complete"]) == [False, True, False]  # starts mid-week; data ends on a Wednesday
    assert week(weeks, "2025-08-04")["demand"] == 6  # only 6 to 10 August counted


def test_the_end_date_includes_the_whole_of_that_day(con: duckdb.DuckDBPyConnection) -> None:
    weeks = demand.demand_by_period(con, service_id="S1", end=date(2025, 8, 10))
    assert weeks["demand"].sum() == 9  # the 23:59 contact on the 10th is in


def test_a_council_covers_every_ward_beneath_it(con: duckdb.DuckDBPyConnection) -> None:
    north = week(demand.demand_by_period(con, service_id="S1", locality_id="C1"), "2025-08-04")
    assert north["demand"] == 6  # W1 (4) and W2 (2), two levels down
    riverside = week(demand.demand_by_period(con, service_id="S1", locality_id="L1"), "2025-08-04")
    assert riverside["demand"] == 6
    ward = week(demand.demand_by_period(con, service_id="S1", locality_id="W2"), "2025-08-04")
    assert (ward["value_demand"], ward["failure_demand"]) == (1, 1)
    everywhere = week(demand.demand_by_period(con, service_id="S1", locality_id="ALL"), "2025-08-04")
    assert everywhere["demand"] == 9


def test_all_services_together_include_every_service(con: duckdb.DuckDBPyConnection) -> None:
    assert week(demand.demand_by_period(con), "2025-08-04")["demand"] == 10


def test_rates_per_1000_residents_use_the_latest_population_of_the_wards(con: duckdb.DuckDBPyConnection) -> None:
    row = week(demand.demand_by_period(con, service_id="S1", locality_id="L1"), "2025-08-04")
    assert row["population"] == 4000  # W1 1,000 (2021, not the 2019 figure) + W2 3,000
    assert row["demand_per_1000"] == pytest.approx(6 / 4000 * 1000)
    assert row["failure_demand_per_1000"] == pytest.approx(2 / 4000 * 1000)


def test_months_and_quarters_start_on_their_first_day(con: duckdb.DuckDBPyConnection) -> None:
    months = demand.demand_by_period(con, service_id="S1", granularity="month")
    assert list(months["period_start"]) == [pd.Timestamp("2025-08-01")]
    assert months["period_end"].iloc[0] == pd.Timestamp("2025-08-31")
    quarters = demand.demand_by_period(con, service_id="S1", granularity="quarter")
    assert quarters["period_end"].iloc[0] == pd.Timestamp("2025-09-30")
    assert quarters["demand"].iloc[0] == 11


def test_by_locality_rolls_wards_up_and_gives_rates(con: duckdb.DuckDBPyConnection) -> None:
    places = demand.demand_by_locality(con, service_id="S1", level="locality", end=date(2025, 8, 10))
    got = places.set_index("locality_id")
    # W3 has no locality above it, so it stands for itself
    assert set(got.index) == {"L1", "W3"}
    assert (got.loc["L1", "demand"], got.loc["L1", "failure_demand"], got.loc["L1", "population"]) == (6, 2, 4000)
    assert got.loc["L1", "locality_name"] == "Riverside"
    assert got.loc["W3", "demand_per_1000"] == pytest.approx(3 / 2000 * 1000)


def test_by_council_and_filtered_to_one_council(con: duckdb.DuckDBPyConnection) -> None:
    councils = demand.demand_by_locality(con, service_id="S1", level="council", end=date(2025, 8, 10))
    assert dict(zip(councils["locality_id"], councils["demand"], strict=True)) == {"C1": 6, "C2": 3}
    north_wards = demand.demand_by_locality(con, service_id="S1", locality_id="C1", level="ward")
    assert set(north_wards["locality_id"]) == {"W1", "W2"}


def test_by_channel_counts_each_channel(con: duckdb.DuckDBPyConnection) -> None:
    channels = demand.totals(demand.demand_by_channel(con, service_id="S1", end=date(2025, 8, 10)), "channel")
    got = channels.set_index("channel")
    assert got["demand"].to_dict() == {"email": 1, "phone": 5, "web": 3}
    assert got.loc["web", "failure_share"] == pytest.approx(1 / 3)
    assert channels["share_of_demand"].sum() == pytest.approx(1.0)


def test_totals_recompute_rates_from_summed_counts(con: duckdb.DuckDBPyConnection) -> None:
    places = demand.totals(demand.demand_by_locality(con, service_id="S1", level="ward"), "locality_id")
    w1 = places.set_index("locality_id").loc["W1"]
    assert (w1["demand"], w1["population"]) == (5, 1000)
    assert w1["demand_per_1000"] == pytest.approx(5.0)
    assert w1["locality_name"] == "Abbey"


def test_totals_names_the_columns_it_can_group_by() -> None:
    with pytest.raises(ValueError, match="by must be a column of the frame"):
        demand.totals(pd.DataFrame({"channel": [], "value_demand": [], "failure_demand": []}), "ward")


def test_the_pareto_ranks_failure_demand_and_accumulates_to_all_of_it(con: duckdb.DuckDBPyConnection) -> None:
    pareto = demand.nature_pareto(con, service_id="S1", demand_type="failure")
    assert list(pareto["nature"]) == ["Progress chasing", "Not fixed"]
    assert list(pareto["rank"]) == [1, 2]
    assert list(pareto["demand"]) == [3, 1]
    assert list(pareto["cumulative_share"]) == pytest.approx([0.75, 1.0])


def test_the_pareto_puts_failure_first_then_value(con: duckdb.DuckDBPyConnection) -> None:
    pareto = demand.nature_pareto(con, service_id="S1", end=date(2025, 8, 10))
    assert pareto["demand_type"].iloc[0] == "failure"
    failure = pareto[pareto["demand_type"] == "failure"]
    assert list(failure["nature"]) == ["Progress chasing", "Not fixed"]  # 2 and 1
    value = pareto[pareto["demand_type"] == "value"]
    assert list(value["nature"]) == ["Report a repair", "Book a visit"]  # 4 and 2
    assert list(value["share"]) == pytest.approx([4 / 6, 2 / 6])


def test_the_pareto_breaks_ties_by_name(tmp_path: Path) -> None:
    rows = [("S1", "W1", "web", "2025-08-04 09:00", "failure", n) for n in ("Repeat", "Chasing", "Repeat", "Chasing")]
    pareto = demand.nature_pareto(make_db(tmp_path / "ties.duckdb", rows))
    assert list(pareto["nature"]) == ["Chasing", "Repeat"]
    assert list(pareto["cumulative_share"]) == pytest.approx([0.5, 1.0])


def test_a_service_s_phases_come_from_the_measures_that_share_its_purpose(con: duckdb.DuckDBPyConnection) -> None:
    phases = demand.service_phases(con, "S1")
    assert list(phases["starts_on"]) == [pd.Timestamp("2025-08-18")]
    assert list(phases["label"]) == ["New triage"]
    assert demand.service_phases(con, "S2").empty
    assert demand.service_phases(con, None).empty


def test_one_change_marked_on_two_measures_is_one_phase(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO measure (measure_id, name, purpose_id, kind, unit, frequency, improvement) "
        "VALUES ('M2', 'Repairs failure demand', 'P1', 'operational', '%', 'month', 'down')"
    )
    con.execute(
        "INSERT INTO phase VALUES ('M2', '2025-08-01', 'New triage', NULL), ('M1', '2026-03-02', 'Later', NULL)"
    )
    phases = demand.service_phases(con, "S1")
    assert list(phases["starts_on"].dt.strftime("%Y-%m-%d")) == ["2025-08-18", "2026-03-02"]


def test_a_change_date_starts_a_phase_in_the_period_that_contains_it() -> None:
    weeks = pd.date_range("2025-08-04", periods=4, freq="W-MON")
    assert demand.phase_positions(weeks, [date(2025, 8, 13)]) == [1]
    assert demand.phase_positions(weeks, [date(2025, 8, 1), date(2025, 9, 30)]) == []  # outside the chart


def test_the_cost_of_failure_demand_prices_time_at_the_service_rate(con: duckdb.DuckDBPyConnection) -> None:
    cost = demand.failure_demand_cost(con, granularity="month")
    s1 = cost.set_index("service_id").loc["S1"]
    assert s1["failure_demand"] == 4
    assert s1["hours"] == pytest.approx(4 * 10 / 60)
    assert s1["cost"] == pytest.approx(4 * 10 / 60 * 30)


def test_the_cost_can_be_tried_with_other_figures(con: duckdb.DuckDBPyConnection) -> None:
    everyone = demand.failure_demand_cost(con, handling_minutes=15, cost_per_hour=40)
    assert everyone["cost"].sum() == pytest.approx(4 * 15 / 60 * 40)
    one = demand.failure_demand_cost(con, cost_per_hour={"S1": 60.0})
    assert one.set_index("service_id").loc["S1", "cost"] == pytest.approx(4 * 10 / 60 * 60)


def test_a_negative_cost_rate_is_refused() -> None:
    with pytest.raises(ValueError, match=r"cost_per_hour must be a number of 0 or more, got -5"):
        demand._check_positive("cost_per_hour", -5)


def test_a_per_service_override_is_checked(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match=r"handling_minutes\['S1'\] must be a number of 0 or more"):
        demand.failure_demand_cost(con, handling_minutes={"S1": float("nan")})


def test_an_unknown_granularity_is_refused_with_the_choices(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="granularity must be 'day', 'week', 'month' or 'quarter', got 'year'"):
        demand.demand_by_period(con, granularity="year")  # type: ignore[arg-type]


def test_a_range_that_ends_before_it_starts_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match=r"start \(2025-08-10\) must not be after end \(2025-08-01\)"):
        demand.demand_by_period(con, start=date(2025, 8, 10), end=date(2025, 8, 1))


def test_an_unknown_level_and_demand_type_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="level must be 'ward', 'locality' or 'council', got 'parish'"):
        demand.demand_by_locality(con, level="parish")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="demand_type must be 'value' or 'failure', got 'both'"):
        demand.nature_pareto(con, demand_type="both")  # type: ignore[arg-type]


def test_an_empty_database_gives_empty_frames(tmp_path: Path) -> None:
    con = make_db(tmp_path / "empty.duckdb", [])
    assert demand.demand_by_period(con).empty
    assert demand.nature_pareto(con).empty
    assert demand.demand_by_locality(con).empty
    assert demand.failure_demand_cost(con).empty


# --- charts and sentences ---------------------------------------------------------------------------
def weekly_frame(totals: list[int], failure_share: float = 0.4) -> pd.DataFrame:
    failure = [round(t * failure_share) for t in totals]
    return pd.DataFrame(
        {
            "period_start": pd.date_range("2023-01-02", periods=len(totals), freq="W-MON"),
            "value_demand": [t - f for t, f in zip(totals, failure, strict=True)],
            "failure_demand": failure,
            "complete": True,
        }
    )


def steady(n: int, level: int = 1150, seed: int = 4) -> list[int]:
    rng = np.random.default_rng(seed)
    return [int(x) for x in rng.normal(level, 30, n).round()]


def test_the_sentence_says_stable_demand_its_level_failure_share_and_top_cause() -> None:
    natures = pd.DataFrame(
        {
            "demand_type": ["failure", "failure", "value"],
            "nature": ["Progress chasing", "Not fixed", "Report a repair"],
            "demand": [300, 100, 900],
        }
    )
    text = demand.demand_sentence(weekly_frame(steady(20), 0.38), natures)
    assert text.startswith("Demand is stable at about 1,1")
    assert "contacts a week; 38% is failure demand, mostly progress chasing." in text


def test_the_sentence_names_the_largest_cause_when_it_is_not_most() -> None:
    natures = pd.DataFrame(
        {"demand_type": ["failure"] * 3, "nature": ["Progress chasing", "Not fixed", "Repeat"], "demand": [40, 35, 25]}
    )
    text = demand.demand_sentence(weekly_frame(steady(20)), natures)
    assert text.endswith("most often progress chasing (40% of it).")


def test_the_sentence_says_when_the_latest_week_is_unusually_high() -> None:
    text = demand.demand_sentence(weekly_frame(steady(20) + [2000]))
    assert text.startswith("Demand is unusually high: 2,000 contacts last week, against about 1,1")


def test_the_sentence_judges_demand_against_its_own_phase_after_a_redesign() -> None:
    frame = weekly_frame(steady(20, 1500) + steady(20, 1000, seed=5))
    assert demand.demand_sentence(frame).startswith("Demand is unusually low: ")  # against the old level
    redesign = frame["period_start"].iloc[20]
    assert demand.demand_sentence(frame, phase_starts=[redesign]).startswith(
        "Demand is stable at about 994 contacts a week"
    )


def test_the_sentence_leaves_out_part_weeks_and_says_when_there_is_no_demand() -> None:
    frame = weekly_frame(steady(20) + [10])
    frame.loc[frame.index[-1], "complete"] = False
    assert demand.demand_sentence(frame).startswith("Demand is stable")
    assert demand.demand_sentence(weekly_frame([0, 0])) == "No demand was recorded in the weeks shown."


def test_the_cost_sentence_says_when_no_rate_is_set() -> None:
    cost = pd.DataFrame({"period_start": [pd.Timestamp("2025-08-01")], "cost": [np.nan]})
    assert demand.cost_sentence(cost, service_name="Bins") == (
        "The cost of failure demand in bins cannot be estimated: no handling time or cost rate is set."
    )


def test_the_demand_chart_leaves_out_part_periods_and_marks_the_redesign(con: duckdb.DuckDBPyConnection) -> None:
    chart = demand.demand_chart(con, service_id="S1")
    assert list(chart.points["period_start"]) == [pd.Timestamp("2025-08-04"), pd.Timestamp("2025-08-11")]
    assert list(chart.points["demand"]) == [9, 0]
    assert list(chart.points["phase"]) == [0, 0]  # the 18 August change is in the part week left out


def test_seasonality_finds_a_yearly_cycle_in_weekly_demand() -> None:
    weeks = np.arange(156)
    totals = (1000 + 200 * np.sin(2 * np.pi * weeks / 52) + np.random.default_rng(1).normal(0, 10, 156)).round()
    result = demand.decompose(weekly_frame([int(t) for t in totals]).assign(demand=totals), granularity="week")
    assert result.frame is not None and result.is_seasonal
    assert result.strength is not None and result.strength > 0.9
    adjusted = result.frame["seasonally_adjusted"]
    assert adjusted.std() < 0.25 * result.frame["demand"].std()  # the cycle is taken out


def test_seasonality_needs_two_full_cycles() -> None:
    frame = weekly_frame(steady(60)).assign(demand=steady(60))
    result = demand.decompose(frame, granularity="week")
    assert result.frame is None and not result.is_seasonal
    assert result.reason == "seasonality needs at least 104 complete weeks (two cycles); there are 60."


def test_the_seasonally_adjusted_chart_says_when_there_is_too_little_data(con: duckdb.DuckDBPyConnection) -> None:
    chart = demand.demand_chart(con, service_id="S1", seasonally_adjusted=True)
    assert chart.warnings[-1].startswith("Not seasonally adjusted: seasonality needs at least 104")


def test_the_failure_share_chart_is_a_laney_p_prime_chart_with_the_service_phases(tmp_path: Path) -> None:
    rows = []
    for w in range(12):
        monday = pd.Timestamp("2025-06-02") + pd.Timedelta(weeks=w)
        n_fail = 40 if w < 11 else 10
        for i in range(100):
            kind = "failure" if i < n_fail else "value"
            rows.append(("S1", "W1", "phone", str(monday + pd.Timedelta(hours=i)), kind, "x"))
    con = make_db(tmp_path / "share.duckdb", rows)
    chart = demand.failure_share_chart(con, service_id="S1", phase_starts=[date(2025, 8, 11)])
    points = chart.points
    assert len(points) == 12 and list(points["phase"]) == [0] * 10 + [1] * 2
    assert (points["lower"] >= 0).all()
    assert points["value"].iloc[0] == pytest.approx(0.4)
    assert list(points["failure_demand"].iloc[:2]) == [40, 40]


def test_the_cost_sentence_names_the_last_whole_month_not_the_one_under_way() -> None:
    c = pd.DataFrame({"period_start": pd.to_datetime(["2025-07-01", "2025-08-01"]), "cost": [12000.0, 500.0]})
    assert demand.cost_sentence(c, last_day=date(2025, 8, 10)) == (
        "Failure demand cost about £12,000 in July 2025, and £12,500 over the 2 months shown."
    )


def test_the_sentence_says_one_contact_not_one_contacts() -> None:
    text = demand.demand_sentence(weekly_frame([1]))
    assert text.startswith("Demand was 1 contact in one week")


def test_a_signal_earlier_in_the_periods_shown_is_never_called_stable() -> None:
    values = steady(8) + [1600, 700] + steady(15, seed=6)  # two unusual weeks in the middle, then ordinary ones
    text = demand.demand_sentence(weekly_frame(values))
    assert text.startswith("Demand is not stable: ")
    assert "above the upper limit in the week of" in text and "below the lower limit in the week of" in text
