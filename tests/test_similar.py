"""Similar councils' engine: code changes, population of the year, the group's median and MAD, phases.

Why: each of these is easy to get quietly wrong (a reorganised council double counted or dropped, a
rate on today's population, a band that is really a standard deviation), and the page shows them as
real figures about named councils.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perf import spc, store
from perf.analysis import published, similar


def frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "period_start", "value"]).assign(
        period_start=lambda f: pd.to_datetime(f["period_start"])
    )


# --- code changes ---------------------------------------------------------------------------------


def test_successor_follows_chains() -> None:
    assert published.successor("E07000190") == "E06000066"  # Taunton Deane -> SWT (2019) -> Somerset (2023)
    assert published.successor("E07000150") == "E06000061"  # Corby -> North Northamptonshire
    assert published.successor("E07000234") == "E07000234"  # Bromsgrove: unchanged


def test_counts_move_to_the_successor_as_the_sum_of_predecessors() -> None:
    corby_etc = ["E07000150", "E07000152", "E07000153", "E07000156"]
    rows = [(c, "2020-01-01", float(i + 1)) for i, c in enumerate(corby_etc)]
    moved, notes = published.to_current(frame(rows + [("E07000234", "2020-01-01", 9.0)]), additive=True)
    got = dict(zip(moved["area_code"], moved["value"], strict=True))
    assert got == {"E06000061": 10.0, "E07000234": 9.0}
    assert set(notes) == {*corby_etc, "E06000061"}
    assert "added together as North Northamptonshire" in notes["E07000150"]


def test_a_period_missing_a_predecessor_is_left_out_not_undercounted() -> None:
    rows = [
        ("E07000150", "2020-01-01", 1.0),
        ("E07000152", "2020-01-01", 2.0),
        ("E07000153", "2020-01-01", 3.0),
        ("E07000156", "2020-01-01", 4.0),
        ("E07000150", "2020-02-01", 5.0),
    ]  # February: only Corby
    moved, notes = published.to_current(frame(rows), additive=True)
    assert moved["period_start"].tolist() == [pd.Timestamp("2020-01-01")]
    assert "1 period where only some of them have a figure is left out" in notes["E06000061"]
    # where a missing row means zero (FixMyStreet), February is Corby's 5 plus three zeros
    moved, _ = published.to_current(frame(rows), additive=True, missing_is_zero=True)
    assert moved["value"].tolist() == [10.0, 5.0]


def test_the_successors_own_figure_is_never_added_to_its_predecessors() -> None:
    rows = [
        ("E06000060", "2020-01-01", 100.0),
        ("E07000004", "2020-01-01", 30.0),
        ("E07000005", "2020-01-01", 20.0),
        ("E07000006", "2020-01-01", 10.0),
        ("E07000007", "2020-01-01", 40.0),
    ]
    moved, notes = published.to_current(frame(rows), additive=True)
    assert moved["value"].tolist() == [100.0]  # not 200
    assert "successor's own figure" in notes["E06000060"]


def test_a_rate_is_never_added_up_its_series_ends_with_a_note() -> None:
    rows = [("E07000150", "2020-01-01", 2.5), ("E07000152", "2020-01-01", 3.5), ("E06000061", "2022-01-01", 3.0)]
    moved, notes = published.to_current(frame(rows), additive=False, name="percentage")
    assert sorted(moved["area_code"]) == ["E06000061", "E07000150", "E07000152"]
    assert moved["value"].sum() == pytest.approx(9.0)
    assert "can't be added up" in notes["E07000150"] and "series ends" in notes["E07000150"]


# --- population of the year -------------------------------------------------------------------------


def test_population_is_interpolated_between_censuses_and_says_which_it_used() -> None:
    census = pd.DataFrame({"area_code": ["A", "A"], "year": [2011, 2021], "population": [1000.0, 2000.0]})
    pop = published.population_by_year(census, [2009, 2011, 2016, 2021, 2024]).set_index("year")
    assert pop["population"].tolist() == [1000.0, 1000.0, 1500.0, 2000.0, 2000.0]
    assert pop.loc[2016, "basis"] == "interpolated between Census 2011 and 2021"
    assert pop.loc[2009, "basis"].startswith("Census 2011") and pop.loc[2024, "basis"].startswith("Census 2021")


def test_rate_uses_the_population_of_its_own_year() -> None:
    census = pd.DataFrame({"area_code": ["A", "A"], "year": [2011, 2021], "population": [1000.0, 2000.0]})
    pop = published.population_by_year(census, [2011, 2016])
    rates = published.per_thousand(
        frame([("A", "2011-05-01", 3.0), ("A", "2016-05-01", 3.0), ("B", "2016-05-01", 1.0)]), pop
    )
    assert rates["value"].tolist() == [3.0, 2.0]  # 3 per 1,000 on 1,000; 3 per 1,500 = 2 per 1,000; B: no population


# --- the group's middle and spread ---------------------------------------------------------------


def test_median_and_mad_are_exact_and_unscaled() -> None:
    values = frame(
        [(c, "2020-01-01", v) for c, v in zip("ABCDE", [1.0, 2.0, 3.0, 4.0, 100.0], strict=True)]
        + [("A", "2020-02-01", 5.0), ("B", "2020-02-01", 7.0)]
    )
    band = published.median_mad(values).set_index("period_start")
    jan, feb = band.loc[pd.Timestamp("2020-01-01")], band.loc[pd.Timestamp("2020-02-01")]
    assert (jan["median"], jan["mad"], jan["councils"]) == (3.0, 1.0, 5)  # |x-3| = 2,1,0,1,97 -> median 1
    assert (jan["low"], jan["high"]) == (2.0, 4.0)
    assert (feb["median"], feb["mad"], feb["councils"]) == (6.0, 1.0, 2)


def test_neighbours_of_the_same_tier_keep_their_rank_order() -> None:
    neighbours = pd.DataFrame(
        {
            "area_code": "E07000234",
            "basis": "global",
            "rank": [1, 2, 3, 4],
            "neighbour_code": ["E06000037", "E07000084", "W06000021", "E07000089"],
        }
    )
    assert published.neighbour_group(neighbours, "E07000234") == ["E07000234", "E07000084", "E07000089"]
    assert published.neighbour_group(neighbours, "E07000234", same_tier=False, most=3) == [
        "E07000234",
        "E06000037",
        "E07000084",
    ]


# --- phases where a level shifted for good -------------------------------------------------------


def test_a_sustained_shift_starts_a_new_phase_and_a_stable_series_keeps_one() -> None:
    rng = np.random.default_rng(1)
    step = np.r_[rng.normal(10, 1, 30), rng.normal(20, 1, 30)]
    flat = rng.normal(10, 1, 60)
    values = pd.DataFrame({"area_code": ["A"] * 60 + ["B"] * 60, "value": np.r_[step, flat]})
    phase = similar.auto_phases(values, per_year=12)
    a, b = phase[:60], phase[60:]
    assert a.max() == 1 and int(np.argmax(a == 1)) == 30  # the new level, from the point it began
    assert b.max() == 0
    # and the limits of each phase are the XmR limits of that phase alone
    pts = spc.batch_points(values.assign(phase=phase), series="area_code", phase="phase")
    alone = spc.xmr(step[30:])
    assert pts["centre"].iloc[45] == pytest.approx(float(alone.points["centre"].iloc[0]))


def test_bromsgrove_and_its_same_tier_neighbours_on_real_data(sample_db: Path) -> None:
    with store.connect(sample_db) as con:
        codes = similar.group(con, "E07000234")
        result = similar.compare(con, "fms-all", codes)
    assert codes[0] == "E07000234" and all(c.startswith("E07") for c in codes) and 2 < len(codes) <= 16
    assert result.codes[0] == "E07000234"
    brom = result.points[result.points["area_code"] == "E07000234"]
    assert len(brom) == 167  # every month Feb 2007 - Dec 2020, zeros filled
    # December 2020: 13 reports (mySociety's file) on 99,100 residents (Census 2021 interpolated to 2020)
    dec = brom[brom["period_start"] == pd.Timestamp("2020-12-01")]["value"].iloc[0]
    expected_pop = 93637 + (99100 - 93637) * 0.9
    assert dec * expected_pop / 1000 == pytest.approx(round(dec * expected_pop / 1000), abs=1e-6)
    assert "interpolated between Census 2011 and 2021 for 2012–2020" in result.population_used
    assert any("FixMyStreet" in s for s in result.sources)
    assert result.sentences["E07000234"].startswith(
        ("Stable at about", "Not a stable process", "No signal since", "0.", "1.")
    )
    assert "per 1,000" in result.sentences["E07000234"]
    figures = similar.figures(result)
    assert {"area_code", "period_start", "value", "unit", "source"} <= set(figures.columns)
    assert not any(word in " ".join(figures.columns) for word in ("rank", "position", "rag"))


def test_stable_is_said_only_when_no_point_shown_is_special_cause(sample_db: Path) -> None:
    """Every council's sentence, over every window the sidebar offers: 'stable' only with no signal shown."""
    said_stable = said_signal = said_few = 0
    with store.connect(sample_db) as con:
        codes = similar.group(con, "E07000234") + similar.group(con, "E07000236")[1:4]
        for metric_id in ("fms-all", "fms-b26", "fms-b6", "ons-gross-median-weekly-pay", "ons-claimant-count"):
            latest = pd.Timestamp(similar.metrics(con).set_index("metric_id").at[metric_id, "last_period"])
            for months in (None, 36, 12):
                since = None if months is None else latest - pd.DateOffset(months=months) + pd.Timedelta(days=1)
                result = similar.compare(con, metric_id, codes, since=since)
                for code in result.codes:
                    shown = result.points[result.points["area_code"] == code]
                    assert since is None or shown["period_start"].min() >= since
                    sentence = result.sentences[code].lower()
                    stable = "stable" in sentence.replace("not a stable process", "")
                    signal = shown["signal"].fillna(False).astype(bool).any()
                    if sentence.startswith("few reports"):  # most months empty: no claim either way
                        assert not stable and (shown["published"] == 0).mean() > 0.5
                        said_few += 1
                        continue
                    assert stable == (not signal), (metric_id, code, months, sentence)
                    said_stable += stable
                    said_signal += not stable
    assert said_stable > 5 and said_signal > 5 and said_few > 5  # every case was met


def test_rare_reports_are_said_to_be_few_and_small_rates_keep_two_significant_figures(sample_db: Path) -> None:
    """Dog fouling reports are a fraction of one a month: not 'about 0.00 per 1,000', nor a run of zeros read
    as a signal; a council with most months reported still gets its chart read."""
    assert similar.enough_decimals(pd.Series([0.0, 0.012, 0.02, 0.0]), 2) == 3
    assert similar.enough_decimals(pd.Series([0.16, 0.3]), 2) == 2
    assert similar.enough_decimals(pd.Series([0.0, 0.0]), 1) == 1
    with store.connect(sample_db) as con:
        result = similar.compare(con, "fms-b6", similar.group(con, "E07000236"), since=pd.Timestamp("2018-01-01"))
    said = result.sentences["E07000236"]
    shown = result.points[result.points["area_code"] == "E07000236"]
    zeros, total = int((shown["published"] == 0).sum()), len(shown)
    assert said == (
        f"Few reports: none in {zeros} of the {total} months shown ({int(shown['published'].sum())} "
        f"report{'s' if shown['published'].sum() != 1 else ''} in all), too few for a monthly chart to "
        "say much."
    )
    assert not any("0.00 per 1,000" in s for s in result.sentences.values())
