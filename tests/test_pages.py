"""Every page loads through app.py (AppTest) on the sample data and shows real numbers.

Nobody is signed in here, so pages show what a visitor sees: published measures only
(tests/test_pages_data.py covers signed-in users).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from perf import spc, store
from perf.access import public
from perf.analysis import measures
from perf.words import narrative
from tests.conftest import run_page, shown


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def chart_rows(at: AppTest, index: int = 0) -> pd.DataFrame:
    """The rows Streamlit sent to the browser for one Altair chart (its main dataset)."""
    el = at.get("vega_lite_chart")[index]
    import pyarrow as pa

    blobs = [ds.data.data for ds in el.proto.datasets]
    if el.proto.HasField("data") and el.proto.data.data:
        blobs.append(el.proto.data.data)  # a table passed beside the spec (st.vega_lite_chart)
    frames = [pa.ipc.open_stream(blob).read_pandas() for blob in blobs]
    return max(frames, key=len)


@pytest.fixture()
def catalogue(app_env: Path) -> pd.DataFrame:
    with store.connect(app_env) as con:
        return measures.catalogue(con, public_only=True)


def test_overview_lists_every_strategic_purpose_with_latest_values(app_env: Path, catalogue: pd.DataFrame) -> None:
    at = run_page("app_pages/overview.py")
    headings = [shown(h.value) for h in at.subheader]
    for name in catalogue["strategic_purpose_name"].unique():
        assert name in headings
    assert any("Illustrative data" in w.value for w in at.warning)
    # one sparkline per measure that has values, each with its text alternative
    lines = [md.value for md in at.markdown if "<svg" in md.value]
    assert len(lines) >= 20 and all('aria-label="Recent trend of' in line for line in lines)


def test_overview_latest_value_matches_the_database(app_env: Path, catalogue: pd.DataFrame) -> None:
    first = catalogue.iloc[0]
    with store.connect(app_env) as con:
        data = measures.series(con, str(first["measure_id"]))
    latest = narrative.format_value(float(data["value"].iloc[-1]), str(first["unit"]), int(first["decimals"]))
    at = run_page("app_pages/overview.py")
    assert any(latest in md.value for md in at.markdown)


def test_measure_page_draws_the_xmr_chart_with_engine_limits(app_env: Path, catalogue: pd.DataFrame) -> None:
    m = catalogue.iloc[0]
    at = run_page("app_pages/measure.py", measure=str(m["name"]), period="All time")
    assert at.title[0].value == m["name"]
    with store.connect(app_env) as con:
        data = measures.series(con, str(m["measure_id"]))
        starts = measures.phases(con, str(m["measure_id"]))["starts_on"]
    positions = measures.phase_positions(data["period_start"], list(starts))
    expected = spc.xmr(data["value"].astype(float).tolist(), phase_starts=positions, improvement=str(m["improvement"]))
    rows = chart_rows(at)
    assert len(rows) == len(data)
    assert rows["centre"].iloc[-1] == pytest.approx(expected.points["centre"].iloc[-1])
    assert rows["upper"].iloc[-1] == pytest.approx(expected.points["upper"].iloc[-1])


def test_measure_page_follows_a_phase_change(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
        phased = measures.phases(con)
        phased = phased[phased["measure_id"].isin(cat["measure_id"])]
    measure_id = str(phased["measure_id"].iloc[0])
    name = cat.set_index("measure_id").loc[measure_id, "name"]
    at = run_page("app_pages/measure.py", measure=str(name), period="All time")
    rows = chart_rows(at)
    assert rows["phase"].nunique() >= 2  # limits recalculated after the redesign


def _thin_wards(con: duckdb.DuckDBPyConnection, measure_id: str) -> pd.Series:
    """Each ward's series over all time: more than a tenth of it hidden in the public view (not charted)?"""
    values = public.area_values(con, measure_id, measures.AREA, "ward", "public")
    return values.groupby("locality_name")["suppressed"].apply(public.too_few_shown)


def test_measure_page_filters_by_locality(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
        wards = measures.localities(con)
        # the first measure by ward with a ward charted in the public view (at most a tenth of its periods hidden)
        m = next(m for _, m in cat[cat["by_locality"]].iterrows() if not _thin_wards(con, m["measure_id"]).all())
        shown = {
            w: public.series(con, str(m["measure_id"]), w, "public")
            for w in wards.loc[wards["kind"] == "ward", "locality_id"]
        }
        charted = [w for w in shown if not public.too_few_shown(shown[w]["suppressed"])]  # at most a tenth hidden
        busiest = max(charted, key=lambda w: float(shown[w]["value"].sum()))  # a ward with figures to show
        direct = shown[busiest]
    at = run_page("app_pages/measure.py", measure=str(m["name"]), period="All time")
    whole = chart_rows(at)["value"].sum()
    at.selectbox(key="locality").select(busiest).run()
    assert not at.exception
    part = chart_rows(at)["value"].sum()
    assert 0 < part < whole
    # the public view: the ward's figures as perf.access.public gives them, small counts left out
    assert part == pytest.approx(direct["value"].sum())


def test_purpose_page_lists_its_measures_and_owners(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
    first = cat.iloc[0]
    at = run_page("app_pages/purpose.py", purpose=str(first["strategic_purpose_name"]))
    assert at.title[0].value == first["strategic_purpose_name"]
    text = " ".join(md.value for md in at.markdown) + " ".join(c.value for c in at.caption)
    role = public.owner_role(first["owner"])
    assert str(first["name"]) in text and role in text
    assert role != first["owner"] and str(first["owner"]) not in text  # the public see the role, not the name


def multiples_table(at: AppTest) -> pd.DataFrame:
    """The table behind the Locality page's small charts (their text alternative)."""
    return next(df.value for df in at.dataframe if "Area" in df.value.columns)


def test_locality_page_compares_wards_as_small_multiples(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
        locs = measures.localities(con)
        # a measure with some wards charted and some not (more than a tenth of their periods hidden)
        m = next(
            m
            for _, m in cat[cat["by_locality"]].iterrows()
            if 0 < _thin_wards(con, m["measure_id"]).mean() < 1
            and len(_thin_wards(con, m["measure_id"])) == (locs["kind"] == "ward").sum()
        )
    at = run_page("app_pages/locality.py", measure=str(m["name"]), period="All time")
    panels = [md.value for md in at.markdown if "Small control chart for" in md.value]
    assert len(panels) == 1
    wards = set(locs.loc[locs["kind"] == "ward", "name"])
    # the public view charts a ward unless more than a tenth of its periods are hidden (perf.access.public), and
    # names those
    thin = next(shown(c.value) for c in at.caption if c.value.startswith("Not charted"))
    not_charted = set(thin.split(": ", 1)[1].rstrip(".").split(", "))
    assert not_charted and not_charted < wards
    assert panels[0].count("<svg") == len(wards - not_charted)  # one small chart per ward, side by side
    assert set(multiples_table(at)["Area"]) == wards - not_charted
    at.segmented_control(key="level").set_value("Localities").run()
    assert not at.exception
    thin = next((shown(c.value) for c in at.caption if c.value.startswith("Not charted")), "")
    not_charted = set(thin.split(": ", 1)[1].rstrip(".").split(", ")) if thin else set()
    charted = set(multiples_table(at)["Area"])
    assert charted and not charted & not_charted
    assert charted | not_charted == set(locs.loc[locs["kind"] == "locality", "name"])


def test_review_page_judges_a_recorded_redesign_as_a_signal(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True).set_index("measure_id")
        phased = measures.phases(con)
        phased = phased[phased["measure_id"].isin(cat.index)]
    row = phased.iloc[0]
    at = run_page("app_pages/review.py", measure=str(cat.loc[row["measure_id"], "name"]), period="All time")
    verdict = next(md.value for md in at.markdown if md.value.startswith("### "))
    assert any(word in verdict for word in ("improved", "got worse", "shifted")), verdict
    assert len(at.get("vega_lite_chart")) == 2


def test_briefing_steps_through_measures_one_per_screen(app_env: Path) -> None:
    at = run_page("app_pages/briefing.py")
    first = at.selectbox(key="measure").value
    at.button[1].click().run()  # Next
    assert not at.exception
    assert at.selectbox(key="measure").value != first
    assert len(at.get("vega_lite_chart")) == 1


def test_overview_lists_what_changed_from_the_batch_engine(app_env: Path) -> None:
    from perf.output import status

    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
        vals = measures.series(con, list(cat["measure_id"]))
        now = status.latest(vals, cat, measures.phases(con))
    expected = int(now["new_signal"].sum())
    at = run_page("app_pages/overview.py")
    header = next(md.value for md in at.markdown if md.value.startswith("**What changed**"))
    assert f"· {expected} measure" in header
    # every tile's change figure carries a qualifier
    changes = re.findall(
        r"<p class='oi-tile-note'[^>]*>((?:Up|Down|No change)[^<]*)</p>", " ".join(md.value for md in at.markdown)
    )
    assert len(changes) >= 20 and all(c.endswith(("within normal variation", "a signal")) for c in changes)


def test_briefing_can_be_for_one_portfolio(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
    portfolio = str(cat["portfolio"].dropna().iloc[-1])
    at = run_page("app_pages/briefing.py", **{"for": f"Portfolio: {portfolio}"})
    shown = set(at.selectbox(key="measure").options)
    assert shown == set(cat.loc[cat["portfolio"] == portfolio, "name"])


def test_locality_page_shows_quarters_when_asked(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
        monthly = cat[cat["by_locality"] & (cat["frequency"] == "month")]
        # one with wards charted by quarter: none of its ward figures hidden
        m = next(m for _, m in monthly.iterrows() if not _thin_wards(con, m["measure_id"]).any())
    at = run_page("app_pages/locality.py", measure=str(m["name"]), period="All time", by="Quarter")
    dates = pd.to_datetime(multiples_table(at)["Period"])
    assert len(dates) > 0 and set(dates.dt.month) <= {1, 4, 7, 10}  # quarters start in Jan, Apr, Jul, Oct


def test_measure_page_offers_the_data_and_the_chart_to_download(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
    at = run_page("app_pages/measure.py", measure=str(cat["name"].iloc[0]), period="All time")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the data (CSV)", "Download the chart (PNG)", "Download the chart (SVG)"]


def test_a_link_to_an_unpublished_measure_says_why_it_is_not_shown(app_env: Path) -> None:
    with store.connect(app_env) as con:
        everything = measures.catalogue(con)
    hidden = str(everything.loc[~everything["published"], "name"].iloc[0])
    at = run_page("app_pages/measure.py", measure=hidden)
    assert at.title[0].value != hidden
    assert any("The measure in the link is not published" in i.value for i in at.info)
    assert not any(hidden in i.value for i in at.info)


def test_the_public_see_commentary_without_officers_names(app_env: Path) -> None:
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
        notes = con.execute("SELECT measure_id, author FROM commentary WHERE visibility = 'public'").df()
    m = notes[notes["measure_id"].isin(cat["measure_id"])].iloc[0]
    name = str(cat.set_index("measure_id").loc[m["measure_id"], "name"])
    at = run_page("app_pages/measure.py", measure=name, period="All time")
    notes_shown = [c.value for c in at.caption if "Council officer" in c.value]
    assert notes_shown and all(str(m["author"]) not in c for c in notes_shown)
    assert not any("· public" in c.value or "· internal" in c.value for c in at.caption)
