"""perf.access.public, the one filter of the public view, on the sample data and on cases made to break it.

Each public claim is checked beside the officer's view of the same thing, so a test cannot pass
because the data had nothing to hide.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from perf import periods, store
from perf.access import public, small_counts
from perf.analysis import measures
from perf.output import report

COFTON = "w-bdc-cofton"
HOMELESS = "homeless-approaches"


@pytest.fixture(scope="module")
def con(sample_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect(sample_db)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def every_cell(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    ids = list(public.catalogue(con, "public")["measure_id"])
    return public.cells(con, ids, "public")


def small(values: pd.Series) -> pd.Series:
    return (values >= 1) & (values < public.SMALL_COUNT)


def test_cofton_homelessness_approaches_show_no_count_under_five(con: duckdb.DuckDBPyConnection) -> None:
    officer = public.series(con, HOMELESS, COFTON, "officer")
    shown = public.series(con, HOMELESS, COFTON, "public")
    assert small(officer["value"]).sum() >= 20  # the issue: 32 of 55 months between 1 and 4
    assert not small(shown["value"]).any()
    assert shown["suppressed"].sum() >= small(officer["value"]).sum()
    kept = ~shown["suppressed"]
    assert (shown.loc[kept, "value"].to_numpy() == officer.loc[kept, "value"].to_numpy()).all()


def test_the_rolled_up_series_are_measure_series(con: duckdb.DuckDBPyConnection) -> None:
    """The cells the filter works on are the figures the pages always showed (measure_series)."""
    cells = public.cells(con, [HOMELESS, "repairs-failure-demand"], "officer")
    for place in ("ALL", "c-bromsgrove", "l-bromsgrove-east", COFTON):
        for mid in (HOMELESS, "repairs-failure-demand"):
            direct = measures.series(con, mid, place)
            mine = cells[(cells["locality_id"] == place) & (cells["measure_id"] == mid)]
            assert len(mine) == len(direct), (mid, place)
            assert np.allclose(mine["value"].to_numpy(), direct["value"].to_numpy(), equal_nan=True)


def test_no_small_count_is_shown_for_any_ward_or_locality(every_cell: pd.DataFrame) -> None:
    counting = every_cell.apply(lambda r: small_counts.is_count_unit(r["unit"], r["aggregation"]), axis=1)
    # real figures their source already publishes by small area (FixMyStreet) are shown as published
    areas = every_cell["locality_kind"].isin(public.SMALL_AREAS) & ~every_cell["open_data"].astype(bool)
    opened = every_cell[every_cell["open_data"].astype(bool) & every_cell["locality_kind"].isin(public.SMALL_AREAS)]
    assert small(opened["value"]).any() and not opened["suppressed"].any()
    assert not small(every_cell.loc[counting & areas, "value"]).any()
    ratios = every_cell[(every_cell["aggregation"] == "ratio") & areas]
    assert not small(ratios["numerator"]).any() and not small(ratios["denominator"]).any()
    assert every_cell["suppressed"].sum() > 10_000


def test_no_hidden_count_can_be_worked_out_from_its_parent(every_cell: pd.DataFrame) -> None:
    """A parent's total less its shown children gives one hidden child back only if it is alone:
    then the parent itself must be hidden (and is protected among its own siblings)."""
    hidden = every_cell.groupby(["measure_id", "period_start", "parent_id"])["suppressed"].sum()
    alone = hidden[hidden == 1].reset_index()
    parents = every_cell.set_index(["measure_id", "period_start", "locality_id"])["suppressed"]
    keys = pd.MultiIndex.from_frame(alone[["measure_id", "period_start", "parent_id"]])
    assert parents.reindex(keys).fillna(False).all()


def test_a_quarter_holding_a_hidden_month_is_hidden(con: duckdb.DuckDBPyConnection) -> None:
    months = public.series(con, HOMELESS, COFTON, "public")
    quarters = periods.reaggregate(months, frequency="month", granularity="quarter", aggregation="sum")
    assert quarters["suppressed"].any() and quarters.loc[quarters["suppressed"], "value"].isna().all()
    officer = periods.reaggregate(
        public.series(con, HOMELESS, COFTON, "officer"), frequency="month", granularity="quarter", aggregation="sum"
    )
    # every quarter shown is the officers' figure: a sum of months shown, never of hidden ones
    shown = quarters[~quarters["suppressed"]].merge(officer, on="period_start", suffixes=("", "_all"))
    assert (shown["value"] == shown["value_all"]).all()


@pytest.fixture()
def seeded(sample_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A copy of the sample data with an unpublished measure's phase, an internal review and a note."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, path)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO phase VALUES ('staff-sickness', DATE '2025-06-01', 'Secret sickness redesign', 'x')")
    con.execute(
        "UPDATE measure SET purpose_id = (SELECT purpose_id FROM measure WHERE measure_id = 'benefits-demand') "
        "WHERE measure_id = 'staff-sickness'"
    )
    con.execute(
        "INSERT INTO review (measure_id, change_date, decision, actions, reviewed_by, reviewed_at) VALUES "
        "('benefits-demand', DATE '2025-01-06', 'Keep it quietly', 'Tell nobody', "
        "'Olive Officer (saved by olive)', TIMESTAMP '2026-11-01 10:00')"
    )
    yield con
    con.close()


def test_the_public_never_see_an_unpublished_measures_phase(seeded: duckdb.DuckDBPyConnection) -> None:
    from perf.analysis import demand

    assert "Secret sickness redesign" in set(public.phases(seeded, "officer")["label"])
    assert "Secret sickness redesign" not in set(public.phases(seeded, "public")["label"])
    service = str(
        demand.services(seeded)
        .query("purpose_id.notna()")
        .merge(measures.catalogue(seeded)[["purpose_id", "measure_id"]], on="purpose_id")
        .query("measure_id == 'staff-sickness'")["service_id"]
        .iloc[0]
    )
    assert "Secret sickness redesign" in set(demand.service_phases(seeded, service)["label"])
    assert "Secret sickness redesign" not in set(demand.service_phases(seeded, service, public_only=True)["label"])


def test_the_public_see_a_reviews_dates_only(seeded: duckdb.DuckDBPyConnection) -> None:
    officer = public.reviews(seeded, "benefits-demand", "officer")
    shown = public.reviews(seeded, "benefits-demand", "public")
    assert "Keep it quietly" in set(officer["decision"])
    assert len(shown) == len(officer) and list(shown.columns) == list(public.REVIEW_COLUMNS)


def test_public_commentary_and_owners_name_no_officer(con: duckdb.DuckDBPyConnection) -> None:
    notes = public.commentary(con, "repairs-demand", "public")
    assert not notes.empty and set(notes["author"]) == {public.PUBLIC_AUTHOR}
    cat = public.catalogue(con, "public")
    assert not cat["owner"].str.contains(r"\(", regex=True).any()
    assert "Housing Options Manager" in set(cat["owner"])
    assert public.owner_role("Head of Housing") == "Head of Housing"


def test_a_public_pack_shows_no_small_count_and_names_no_officer(con: duckdb.DuckDBPyConnection) -> None:
    pack = report.build_pack(
        con,
        purpose_id=None,
        measure_ids=[HOMELESS],
        locality_id=COFTON,
        public_only=True,
        start="2025-11-01",
        end="2026-10-31",
    )
    page = pack.pages[0]
    assert "Priya Sandhu" not in page.owner and page.owner == "Housing Options Manager"
    assert page.commentary_by is None or "Council officer" in page.commentary_by
    assert "Latest (October 2026): 1 households" not in page.sentence
    officer = report.build_pack(
        con, purpose_id=None, measure_ids=[HOMELESS], locality_id=COFTON, start="2025-11-01", end="2026-10-31"
    ).pages[0]
    assert "Priya Sandhu" in officer.owner


def test_an_unknown_audience_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="audience must be one of public, officer"):
        public.catalogue(con, "councillor")  # type: ignore[arg-type]
