"""perf.analysis.capability on hand-made cases around the Summer bank holiday, Monday 25 August 2025."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from perf import store
from perf.analysis import capability
from tests.geography import add_localities


# case_id, service, ward, channel, started_at, completed_at   -> calendar days, working days
CASES = [
    (1, "S1", "W1", "phone", "2025-08-22 10:00", "2025-08-26 16:00"),  # Fri -> Tue over the holiday: 4, 1
    (2, "S1", "W1", "web", "2025-08-18 09:00", "2025-08-18 17:00"),  # same day: 0, 0
    (3, "S1", "W2", "phone", "2025-08-21 09:00", "2025-08-28 09:00"),  # Thu -> Thu: 7, 4
    (4, "S1", "W3", "web", "2025-08-23 12:00", "2025-09-01 08:00"),  # Sat -> Mon: 9, 5
    (5, "S1", "W3", "phone", "2025-08-20 09:00", None),  # open: at 1 Sep aged 12 days, 7 working days
    (6, "S2", "W1", "phone", "2025-08-26 09:00", "2025-08-27 09:00"),  # another service: 1, 1
]
CALENDAR = {1: 4, 2: 0, 3: 7, 4: 9, 6: 1}
WORKING = {1: 1, 2: 0, 3: 4, 4: 5, 6: 1}


def make_db(path: Path, cases: list[tuple[object, ...]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    store.create_schema(con)
    add_localities(con)
    con.execute(
        "INSERT INTO bank_holiday VALUES ('2025-08-25', 'Summer bank holiday'), ('2025-12-25', 'Christmas Day')"
    )
    con.execute("INSERT INTO service VALUES ('S1', 'Housing repairs', 'P1', 10, 30), ('S2', 'Bins', 'P2', 5, 25)")
    con.execute("INSERT INTO purpose (purpose_id, name, kind) VALUES ('P1', 'Fix my home', 'operational')")
    con.execute(
        "INSERT INTO measure (measure_id, name, purpose_id, kind, unit, frequency, improvement) "
        "VALUES ('M1', 'Days to repair', 'P1', 'operational', 'days', 'week', 'down')"
    )
    for case in cases:
        con.execute("INSERT INTO work_case VALUES (?, ?, ?, ?, 'Repair', ?, ?)", list(case))
    return con


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return make_db(tmp_path / "cases.duckdb", CASES)


def test_working_days_leave_out_weekends_and_the_bank_holiday(con: duckdb.DuckDBPyConnection) -> None:
    cases = capability.completed_cases(con).set_index("case_id")
    assert cases["end_to_end_days"].to_dict() == CALENDAR
    assert cases["end_to_end_working_days"].to_dict() == WORKING


def test_cases_come_in_completion_order_and_only_completed_ones(con: duckdb.DuckDBPyConnection) -> None:
    cases = capability.completed_cases(con, service_id="S1")
    assert list(cases["case_id"]) == [2, 1, 3, 4]
    assert capability.count_completed(con, service_id="S1") == 4


def test_the_date_range_applies_to_the_completion_day(con: duckdb.DuckDBPyConnection) -> None:
    cases = capability.completed_cases(con, start=date(2025, 8, 26), end=date(2025, 8, 28))
    assert list(cases["case_id"]) == [1, 6, 3]


def test_a_place_filter_covers_the_wards_beneath_it(con: duckdb.DuckDBPyConnection) -> None:
    assert list(capability.completed_cases(con, locality_id="L1", service_id="S1")["case_id"]) == [2, 1, 3]
    assert list(capability.completed_cases(con, locality_id="C2")["case_id"]) == [4]


def test_an_open_case_is_work_in_progress_with_its_age_so_far(con: duckdb.DuckDBPyConnection) -> None:
    wip = capability.work_in_progress(con, service_id="S1")
    assert wip["as_at"].iloc[0] == pd.Timestamp("2025-09-01")  # the last day in the data
    assert list(zip(wip["age_days"], wip["open_cases"], strict=True)) == [(12, 1)]
    working = capability.work_in_progress(con, service_id="S1", day_count="working")
    assert list(working["age_days"]) == [7]


def test_a_case_completed_after_the_date_was_still_open_on_it(con: duckdb.DuckDBPyConnection) -> None:
    wip = capability.work_in_progress(con, service_id="S1", as_at=date(2025, 8, 29))
    # case 4 (started Sat 23rd, done 1 Sep) aged 6; case 5 aged 9; cases 1-3 were done by then
    assert dict(zip(wip["age_days"], wip["open_cases"], strict=True)) == {6: 1, 9: 1}
    oldest = capability.oldest_open_cases(con, service_id="S1", as_at=date(2025, 8, 29))
    assert list(oldest["case_id"]) == [5, 4]
    assert list(oldest["age_working_days"]) == [6, 4]  # Thu, Fri, Tue-Fri after the 20th; Tue-Fri after the 23rd


def test_the_capability_chart_draws_each_of_a_few_cases_with_wheeler_limits(con: duckdb.DuckDBPyConnection) -> None:
    result = capability.capability_chart(con, service_id="S1")
    assert result.mode == "case"
    pts = result.points
    assert list(pts["case_id"]) == [2, 1, 3, 4]
    assert list(pts["end_to_end_days"]) == [0, 4, 7, 9]
    # mean 5; moving ranges 4, 3, 2 -> mean 3; upper 5 + 2.66 x 3 = 12.98; lower 5 - 7.98 -> 0
    assert pts["centre"].iloc[0] == pytest.approx(5.0)
    assert pts["upper"].iloc[0] == pytest.approx(12.98)
    assert pts["lower"].iloc[0] == 0.0
    rng = result.predictable_range
    assert (rng.mean, rng.upper, rng.lower, rng.cases) == (pytest.approx(5.0), pytest.approx(12.98), 0.0, 4)


def test_limits_are_never_below_zero(con: duckdb.DuckDBPyConnection) -> None:
    result = capability.capability_chart(con, max_cases=1)
    assert (result.points["lower"] >= 0).all()
    assert (result.phases["lower"] >= 0).all()
    assert (capability.capability_breakdown(con, by="service")["lower"] >= 0).all()


def test_the_predictable_range_is_said_in_words(con: duckdb.DuckDBPyConnection) -> None:
    result = capability.capability_chart(con, service_id="S1")
    assert capability.capability_sentence(result) == (
        "This system will deliver a case in anything up to 13 days; on average 5 days."
    )
    working = capability.capability_chart(con, service_id="S1", day_count="working")
    # 0, 1, 4, 5: mean 2.5; moving ranges 1, 3, 1 -> 5/3; upper 2.5 + 2.66 x 5/3 = 6.93
    assert (
        working.sentence()
        == "This system will deliver a case in anything up to 7 working days; on average 2.5 working days."
    )


def test_a_lower_limit_above_zero_is_said_as_a_range() -> None:
    rng = capability.PredictableRange(mean=10.2, lower=3.4, upper=17.0, cases=40, predictable=True)
    assert rng.sentence() == "This system will deliver a case in anywhere between 3 and 17 days; on average 10 days."


def test_a_system_with_signals_is_said_to_be_unpredictable(tmp_path: Path) -> None:
    days = [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 60]  # the last case is far beyond the limits
    cases = [
        (
            i,
            "S1",
            "W1",
            "phone",
            str(pd.Timestamp("2025-06-02") + pd.Timedelta(days=i)),
            str(pd.Timestamp("2025-06-02") + pd.Timedelta(days=i + d)),
        )
        for i, d in enumerate(days)
    ]
    result = capability.capability_chart(make_db(tmp_path / "odd.duckdb", cases))
    assert result.points["signal"].iloc[-1]
    assert not result.predictable_range.predictable
    assert result.sentence().startswith("This system is not predictable at the moment")
    assert "Cases took 10 days on average." in result.sentence()


def test_only_recent_signals_make_a_system_unpredictable(tmp_path: Path) -> None:
    days = [3] * 8 + [4, 12] * 8  # a run of 8 quick cases below the average, then steady alternation
    cases = [
        (
            i,
            "S1",
            "W1",
            "phone",
            str(pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=2 * i)),
            str(pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=2 * i, days=d)),
        )
        for i, d in enumerate(days)
    ]
    result = capability.capability_chart(make_db(tmp_path / "settled.duckdb", cases))
    assert result.points["signal"].iloc[:9].all() and not result.points["signal"].iloc[9:].any()  # run of 9 below
    assert result.predictable_range.predictable  # the run ended more than half a year before the last case
    assert result.sentence().startswith("This system will deliver a case in anything up to")


def test_many_cases_are_drawn_as_weekly_median_and_90th_percentile(con: duckdb.DuckDBPyConnection) -> None:
    result = capability.capability_chart(con, service_id="S1", max_cases=3)
    assert result.mode == "period"
    pts = result.points
    assert list(pts["period_start"]) == [
        pd.Timestamp("2025-08-18"),
        pd.Timestamp("2025-08-25"),
        pd.Timestamp("2025-09-01"),
    ]
    assert list(pts["cases"]) == [1, 2, 1]
    assert pts["median"].iloc[1] == pytest.approx(5.5)  # 4 and 7
    assert pts["p90"].iloc[1] == pytest.approx(4 + 0.9 * 3)
    assert result.predictable_range.upper == pytest.approx(12.98)  # still from every case


def test_weekly_percentiles_match_pandas_per_service(con: duckdb.DuckDBPyConnection) -> None:
    got = capability.end_to_end_by_period(con, by="service")
    cases = capability.completed_cases(con)
    cases["week"] = cases["completed_at"].dt.to_period("W-SUN").dt.start_time
    want = cases.groupby(["service_id", "week"])["end_to_end_days"].quantile(0.9)
    for _, row in got.iterrows():
        assert row["p90"] == pytest.approx(want.loc[(row["group_id"], row["period_start"])])
    assert set(got["group_name"]) == {"Housing repairs", "Bins"}


def test_phases_split_the_cases_at_the_change_and_compare_before_with_after(con: duckdb.DuckDBPyConnection) -> None:
    comparison = capability.compare_phases(con, service_id="S1", change_on=date(2025, 8, 27))
    assert (comparison.before["cases"], comparison.after["cases"]) == (2, 2)  # 0, 4 | 7, 9
    assert comparison.change_in_mean == pytest.approx(8.0 - 2.0)
    assert comparison.change_in_upper == pytest.approx((8 + 2.66 * 2) - (2 + 2.66 * 4))
    assert comparison.sentence() == (
        "After the change on 27 August 2025, cases took 8 days on average instead of 2, "
        "and up to 13 days instead of 13."
    )
    table = comparison.table().set_index("measure")
    assert table.loc["Average", "change"] == pytest.approx(6.0)


def test_a_comparison_with_nothing_after_the_change_says_so(con: duckdb.DuckDBPyConnection) -> None:
    comparison = capability.compare_phases(con, service_id="S1", change_on=date(2026, 1, 5))
    assert comparison.sentence() == (
        "No cases were completed after the change on 5 January 2026, so the two cannot be compared."
    )


def test_the_chart_takes_the_service_redesign_dates_as_phases(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO phase VALUES ('M1', '2025-08-27', 'New triage', NULL)")
    result = capability.capability_chart(con, service_id="S1")
    assert list(result.points["phase"]) == [0, 0, 1, 1]
    assert result.phase_labels == ("New triage",)
    assert result.predictable_range.since == date(2025, 8, 27)
    assert result.predictable_range.mean == pytest.approx(8.0)


def test_breakdowns_by_service_channel_and_place(con: duckdb.DuckDBPyConnection) -> None:
    services = capability.capability_breakdown(con, by="service").set_index("group_id")
    assert services.loc["S1", "cases"] == 4 and services.loc["S1", "open_cases"] == 1
    assert services.loc["S1", "mean"] == pytest.approx(5.0)
    assert services.loc["S1", "group_name"] == "Housing repairs"
    channels = capability.capability_breakdown(con, by="channel").set_index("group_id")
    assert channels.loc["web", "cases"] == 2 and channels.loc["web", "median"] == pytest.approx(4.5)
    places = capability.capability_breakdown(con, by="locality").set_index("group_id")
    assert places.loc["L1", "cases"] == 4  # 1, 2, 3 and the Bins case 6
    assert places.loc["W3", "open_cases"] == 1  # no locality above Castle: it stands for itself


def test_an_empty_scope_says_nothing_was_completed(tmp_path: Path) -> None:
    result = capability.capability_chart(make_db(tmp_path / "none.duckdb", []))
    assert result.points.empty
    assert result.sentence() == "No cases were completed in the period shown, so the system's capability is not known."
    assert capability.work_in_progress(make_db(tmp_path / "none2.duckdb", []), as_at=date(2025, 1, 1)).empty


def test_an_unknown_day_count_breakdown_or_limit_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="day_count must be 'calendar' or 'working', got 'business'"):
        capability.capability_chart(con, day_count="business")  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match="by must be 'service', 'channel', 'ward', 'locality' or 'council', got 'team'"
    ):
        capability.capability_breakdown(con, by="team")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit must be a whole number of 0 or more, got -1"):
        capability.completed_cases(con, limit=-1)


def test_working_days_need_no_bank_holidays_to_work(tmp_path: Path) -> None:
    con = make_db(tmp_path / "noholidays.duckdb", CASES)
    con.execute("DELETE FROM bank_holiday")
    cases = capability.completed_cases(con).set_index("case_id")
    assert cases.loc[1, "end_to_end_working_days"] == 2  # Mon 25th counts when it is not a holiday
    assert np.array_equal(cases["end_to_end_days"].to_numpy(), np.array([CALENDAR[i] for i in cases.index]))


def test_weekly_end_to_end_rolls_wards_up_to_localities_and_councils(con: duckdb.DuckDBPyConnection) -> None:
    places = capability.end_to_end_by_period(con, by="council", granularity="month", day_count="working")
    got = places.set_index("group_id")
    assert got.loc["C1", "cases"] == 4 and got.loc["C2", "cases"] == 1  # cases 1, 2, 3, 6 | 4
    assert got.loc["C1", "mean"] == pytest.approx((1 + 0 + 4 + 1) / 4)
    assert got.loc["C2", "group_name"] == "South Council"
    wards = capability.end_to_end_by_period(con, by="ward", granularity="month").set_index("group_id")
    assert wards.loc["W2", "median"] == 7 and wards.loc["W2", "group_name"] == "Bridge"


def test_a_day_of_one_is_said_in_the_singular() -> None:
    one = capability.PredictableRange(mean=1.0, lower=0.0, upper=1.04, cases=20, predictable=True)
    assert one.sentence() == "This system will deliver a case in anything up to 1 day; on average 1 day."
    unsure = capability.PredictableRange(
        mean=1.0, lower=0.0, upper=3.0, cases=20, predictable=False, day_count="working"
    )
    assert unsure.sentence().endswith("Cases took 1 working day on average.")
