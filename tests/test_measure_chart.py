"""One measure's chart, built one way: the typed Measure, perf.output.measure_chart.build and its new-signal rule,
and the Overview, a pack and the Measure page agreeing about the same measure."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from streamlit.testing.v1 import AppTest

from perf import store
from perf.output import measure_chart
from perf.access import public, users
from perf.analysis import measures
from perf.output import status
from perf.output import report
from perf.signals import signal_answers
from perf.analysis.measures import Measure
from tests.conftest import APP
from ui.auth import SESSION_KEY

MONTHLY = {
    "measure_id": "M",
    "name": "Calls",
    "unit": "calls",
    "frequency": "month",
    "improvement": "down",
    "aggregation": "sum",
    "decimals": 0,
    "target": np.nan,
}


def series(values: list[float], start: str = "2024-01-01") -> pd.DataFrame:
    return pd.DataFrame({"period_start": pd.date_range(start, periods=len(values), freq="MS"), "value": values})


def changes(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"measure_id": "M", "starts_on": pd.to_datetime([d for d, _ in rows]), "label": [label for _, label in rows]}
    )


def test_a_measure_is_typed_once_from_a_catalogue_row(sample_db: Path) -> None:
    with store.connect(sample_db) as con:
        cat = measures.catalogue(con)
    every = measures.measure_list(cat)
    assert [m.measure_id for m in every] == list(cat["measure_id"])
    for m, (_, row) in zip(every, cat.iterrows(), strict=True):
        assert m.frequency in ("week", "month", "quarter") and m.improvement in ("up", "down", "neutral")
        assert m.target == (None if pd.isna(row["target"]) else float(row["target"]))
        assert m.provenance == measures.provenance(row.to_dict())
        assert isinstance(m.decimals, int) and (m.owner is None) == pd.isna(row["owner"])
    # a row of a frame indexed by measure id (as the pages look one up) keeps its id
    first = cat.set_index("measure_id").iloc[0]
    assert Measure.from_row(first).measure_id == cat["measure_id"].iloc[0]
    with pytest.raises(KeyError, match="'nope' is not in the catalogue"):
        measures.measure_of(cat, "nope")


def test_a_measure_hashes_on_its_fields_not_its_row() -> None:
    a, b = Measure.from_row(MONTHLY), Measure.from_row({**MONTHLY, "extra": [1]})  # a list cell: unhashable
    assert a == b and hash(a) == hash(b)
    assert Measure.from_row({**MONTHLY, "target": 5}) != a


@pytest.mark.parametrize(
    ("latest", "previous", "new"),
    [
        ("special_cause_concern", "common_cause", True),
        ("special_cause_concern", None, True),  # the first value of a series
        ("special_cause_improvement", "special_cause_concern", True),  # the two old rules disagreed here
        ("special_cause_neutral_low", "special_cause_neutral_high", True),
        ("special_cause_concern", "special_cause_concern", False),
        ("common_cause", "special_cause_concern", False),
        (None, None, False),
    ],
)
def test_the_one_new_signal_rule(latest: str | None, previous: str | None, new: bool) -> None:
    assert measure_chart.is_new_signal(latest, previous) is new


def test_phases_are_placed_at_the_periods_kept_and_labelled_by_the_phases_drawn() -> None:
    m = Measure.from_row(MONTHLY)
    # a change on the first period draws no phase; the next change's label must stay with its own phase
    built = measure_chart.build(
        m, series([10.0] * 6 + [20.0] * 6), changes(("2024-01-01", "First"), ("2024-07-01", "Redesign"))
    )
    assert built.positions == [6]
    assert built.phase_labels == {1: "Redesign"}
    assert built.chart.points["phase"].tolist() == [0] * 6 + [1] * 6


def test_a_phase_begun_before_the_window_draws_no_change_line_at_its_edge() -> None:
    m = Measure.from_row(MONTHLY)
    data = series([10.0] * 6 + [20.0] * 18)
    change = changes(("2024-07-01", "Redesign"))
    late = measure_chart.build(m, data, change, since=pd.Timestamp("2025-01-01"))
    points, labels = late.drawn
    assert set(points["phase"]) == {0} and labels == {}  # the window lies inside the redesign's phase
    assert set(late.points["phase"]) == {1}  # the chart itself keeps its phases (sentences read them)
    early = measure_chart.build(m, data, change, since=pd.Timestamp("2024-04-01"))
    points, labels = early.drawn
    assert points["phase"].tolist() == [0] * 3 + [1] * 18 and labels == {1: "Redesign"}


def test_the_window_the_end_and_the_context() -> None:
    m = Measure.from_row(MONTHLY)
    data = series([float(v) for v in range(24)])
    built = measure_chart.build(m, data, changes(), since=pd.Timestamp("2025-07-01"))
    assert built.dates.min() == pd.Timestamp("2025-07-01") and len(built.points) == 6
    # a short window reaches back for context; the limits still use every value
    packed = measure_chart.build(
        m, data, changes(), since=pd.Timestamp("2025-07-01"), context=12, end=pd.Timestamp("2025-10-01")
    )
    assert len(packed.shown) == 12 and packed.dates.max() == pd.Timestamp("2025-10-01")
    assert len(packed.data) == 22


def test_missing_values_stay_rows_unless_dropped_and_the_latest_is_the_last_value() -> None:
    m = Measure.from_row(MONTHLY)
    data = series([10.0, 11, 9, 10, 30, np.nan])
    kept = measure_chart.build(m, data, changes())
    assert len(kept.data) == 6 and kept.latest_period == pd.Timestamp("2024-05-01") and kept.latest_value == 30
    assert kept.variation == "special_cause_concern" and kept.previous_variation == "common_cause"
    assert kept.new_signal
    dropped = measure_chart.build(m, data, changes(), drop_missing=True)
    assert len(dropped.data) == 5 and dropped.latest_period == kept.latest_period


def test_shown_by_a_longer_period_rolls_up_and_ignores_one_off_exclusions() -> None:
    m = Measure.from_row(MONTHLY)
    data = series([10.0, 11, 9, 10, 40, 9, 10, 11, 9, 10, 11, 9])
    spans = pd.DataFrame({"first_period": [pd.Timestamp("2024-05-01")], "last_period": [pd.Timestamp("2024-05-01")]})
    monthly = measure_chart.build(m, data, changes(), excluded=spans)
    others = [v for i, v in enumerate(data["value"]) if i != 4]
    assert monthly.chart.points["centre"].iloc[0] == pytest.approx(sum(others) / len(others))
    quarterly = measure_chart.build(m, data, changes(), shown_by="quarter", excluded=spans, year_start="calendar")
    assert quarterly.shown_by == "quarter" and quarterly.data["value"].tolist() == [30.0, 59.0, 30.0, 30.0]
    assert quarterly.chart.points["centre"].iloc[0] == pytest.approx(149 / 4)  # no quarter left out


# --- the Overview, a pack and the Measure page agree -----------------------------------------------------
# In the sample, FixMyStreet street-light reports in Headless Cross and Oakenshaw ward (real published figures,
# officers' view) went from unusually low to unusually high in their latest month: the Overview's old rule
# called that new, the pack's old rule ("the point before was normal variation") did not.
WARD, MEASURE = "w-rbc-headless-cross-oakenshaw", "fms-street-lights"


@pytest.fixture()
def officer_db(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample with an officer (amy) to sign in as: the officers' view of every measure."""
    copy = tmp_path / "outside_in.duckdb"
    shutil.copyfile(sample_db, copy)
    with store.connect(copy, read_only=False) as con:
        users.create_user(
            con,
            "amy",
            "a long enough password",
            "officer",
            display_name="Amy",
            created_by="test",
            cost=users.ScryptCost(2**10, 8, 1),
        )
    monkeypatch.setenv("OUTSIDE_IN_DB", str(copy))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    return copy


def test_overview_pack_and_measure_page_agree_where_the_old_rules_did_not(officer_db: Path) -> None:
    with store.connect(officer_db) as con:
        cat = public.catalogue(con, "officer")
        values = public.series(con, list(cat["measure_id"]), WARD, "officer")
        overview = status.latest(values, cat, public.phases(con, "officer")).set_index("measure_id").loc[MEASURE]
        last = pd.Timestamp(overview["period_start"])
        pack = report.build_pack(
            con,
            purpose_id=None,
            measure_ids=[MEASURE],
            locality_id=WARD,
            start=(last - pd.DateOffset(years=1)).date(),
            end=last.date(),
            prepared=dt.date(2026, 12, 7),
        ).pages[0]
        name = str(cat.set_index("measure_id").loc[MEASURE, "name"])
        ward = str(measures.localities(con).set_index("locality_id").loc[WARD, "name"])
    # the case the two old rules split on: a special cause after a special cause of another kind
    assert overview["previous_variation"] == "special_cause_neutral_low"
    assert overview["variation"] == "special_cause_neutral_high"
    assert bool(overview["new_signal"]) and pack.first_signal
    assert pack.variation == overview["variation"] and pack.assurance == overview["assurance"]
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[SESSION_KEY] = "amy"
    at.query_params["measure"], at.query_params["locality"], at.query_params["period"] = name, ward, "All time"
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception, at.exception
    badges = " ".join(md.value for md in at.markdown if "Latest: " in md.value)
    assert "Latest: Unusually high" in badges, badges
    # and the Overview page itself lists it under What changed, as the pack marks it "(new this period)"
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[SESSION_KEY] = "amy"
    at.query_params["locality"] = ward
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    changed = [
        md.value
        for md in at.markdown  # What changed: one line a measure, badge first (tiles start <p>)
        if md.value.startswith('<span class="oi-badge"') and "Unusually high" in md.value and name in md.value
    ]
    assert changed, "the Overview's What changed does not list " + name


def _centres(spec_json: str) -> list[float]:
    """The average line's values drawn in a pack's chart (Vega-Lite JSON with its data inline)."""
    spec = json.loads(spec_json)
    rows = [r for r in spec["data"]["values"] if r.get("centre") is not None]
    return [float(r["centre"]) for r in rows]


def test_a_one_off_left_out_of_the_limits_is_left_out_by_the_overview_the_pack_and_the_page(officer_db: Path) -> None:
    measure, week = "repairs-demand", dt.date(2026, 11, 16)
    with store.connect(officer_db, read_only=False) as con:
        cat = public.catalogue(con, "officer")
        values = public.series(con, [measure], measures.AREA, "officer")
        phases = public.phases(con, "officer")
        before = status.latest(values, cat, phases).set_index("measure_id").loc[measure, "centre"]
        item = int(
            con.execute(
                "SELECT signal_id FROM signal_item WHERE measure_id = ? AND locality_id = 'ALL' "
                "AND first_period = ? AND status = 'open'",
                [measure, week],
            ).fetchone()[0]
        )
        signal_answers.answer(
            con, item, signal_answers.Answer(True, "A burst main.", "", "one_off", exclude_from_limits=True), user="amy"
        )
        spans = signal_answers.all_excluded(con)
        overview = status.latest(values, cat, phases, spans[spans["locality_id"] == measures.AREA])
        after = float(overview.set_index("measure_id").loc[measure, "centre"])
        pack = report.build_pack(
            con,
            purpose_id=None,
            measure_ids=[measure],
            start=dt.date(2026, 6, 1),
            end=week + dt.timedelta(days=6),
            prepared=dt.date(2026, 12, 7),
        ).pages[0]
        name = str(cat.set_index("measure_id").loc[measure, "name"])
    assert abs(after - before) > 0.5  # leaving the week out moves the average, so agreement below means something
    assert _centres(pack.chart_json or "{}")[-1] == pytest.approx(after)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[SESSION_KEY] = "amy"
    at.query_params["measure"], at.query_params["period"] = name, "All time"
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert float(table["Average"].iloc[-1]) == pytest.approx(after, abs=0.005)  # the page rounds to 2 places
