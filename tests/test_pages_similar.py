"""Similar councils page and the real/illustrative marks, through app.py as a visitor opens them.

Why: the page shows real figures about named councils; it must put the chosen council first, name
its sources and the population it used, never rank anyone, work from a shared link and in the public
view; and a made-up measure must never be called real (nor a real one illustrative).
"""

from __future__ import annotations

import re

import io
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_page

PAGE = "app_pages/similar.py"


def text_of(at) -> str:  # type: ignore[no-untyped-def]
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def test_bromsgrove_and_its_same_tier_neighbours_by_default(app_env: Path) -> None:
    at = run_page(PAGE)
    text = text_of(at)
    assert at.selectbox(key="council").value == "E07000234"
    assert "Bromsgrove and the 12 district councils among ONS's 20 nearest neighbours" in text
    assert "Same tier only, by default" in text
    assert "No ranks, league table or red-amber-green" in text
    panels = [m.value for m in at.markdown if "oi-similar" in m.value]
    chosen = panels[0]
    assert "Chosen council" in chosen and "Small control chart for Bromsgrove" in chosen
    assert chosen.index("Chosen council") < chosen.index("Bromsgrove")
    assert panels[1].count("class='oi-similar'") == 12  # the neighbours, after the chosen council
    assert "mySociety / FixMyStreet" in text and "ODC-By 1.0" in text
    assert "Nearest neighbours: Office for National Statistics" in text
    assert "interpolated between Census 2011 and 2021" in text
    from perf import store
    from perf.analysis import similar

    with store.connect(app_env) as con:  # the sentence under the chart is the engine's, word for word
        sentence = similar.compare(con, "fms-all", similar.group(con, "E07000234")).sentences["E07000234"]
    assert sentence in chosen and "per 1,000 a month" in sentence
    for word in ("Rank", "rank 1", "league position", "1st", "Red", "Amber", "Green"):
        assert word not in " ".join(panels), word


def test_the_csv_holds_the_figures_with_their_source_and_guards_formulas(app_env: Path) -> None:
    at = run_page(PAGE)
    assert "Download the figures (CSV)" in [b.label for b in at.get("download_button")]
    from perf import store
    from perf.analysis import similar
    from perf.output import export

    with store.connect(app_env) as con:
        result = similar.compare(con, "fms-all", similar.group(con, "E07000234"))
    figures = similar.figures(result)
    data = pd.read_csv(io.BytesIO(export.to_csv_bytes(figures)))
    assert data["area_code"].iloc[0] == "E07000234" or "E07000234" in set(data["area_code"])
    assert data["source"].str.contains("mySociety / FixMyStreet").all()
    # a council name that looks like a formula is written so a spreadsheet shows it as text
    guarded = export.to_csv_bytes(figures.assign(area_name='=HYPERLINK("x")').head(1)).decode()
    assert "'=HYPERLINK" in guarded


def test_a_shared_link_opens_the_same_view(app_env: Path) -> None:
    at = run_page(PAGE, council="Redditch", figure="FixMyStreet reports: Rubbish", group="ONS neighbours, any tier")
    assert at.selectbox(key="council").value == "E07000236"
    assert at.selectbox(key="figure").value == "fms-b26"
    text = text_of(at)
    assert "Redditch and its" in text and "every tier and nation" in text
    panels = [m.value for m in at.markdown if "oi-similar" in m.value]
    assert "Small control chart for Redditch" in panels[0]


def test_councils_chosen_by_hand(app_env: Path) -> None:
    at = run_page(PAGE, group="Councils I choose")
    at.multiselect(key="councils").set_value(["E07000236", "E07000089"]).run()
    assert not at.exception
    panels = [m.value for m in at.markdown if "oi-similar" in m.value]
    assert "Small control chart for Bromsgrove" in panels[0]
    assert panels[1].count("class='oi-similar'") == 2
    assert "Bromsgrove and 2 councils chosen by hand." in text_of(at)


def test_an_annual_ons_indicator_is_shown_as_published(app_env: Path) -> None:
    at = run_page(PAGE, figure="Claimant Count")
    text = text_of(at)
    assert "Claimant Count (%)" in text
    assert "per 1,000 residents" not in text  # a percentage is not turned into a rate
    assert "Source: Office for National Statistics" in text


def test_the_page_works_in_the_public_view(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    at = run_page(PAGE)
    assert any("oi-chosen" in m.value for m in at.markdown)


def test_a_real_measure_is_marked_real_with_its_source(app_env: Path) -> None:
    at = run_page("app_pages/measure.py", measure="FixMyStreet reports: potholes and road surface")
    text = text_of(at)
    assert "Real data: mySociety / FixMyStreet" in text and 'Illustrative data"' not in text
    assert "Source: FixMyStreet problem reports: mySociety / FixMyStreet (ODC-By 1.0)" in text
    assert "county council" in text.lower() or "County Council" in text
    assert "one channel" in text
    assert "Illustrative data, with some real." in text  # the banner says which is which


def test_an_illustrative_measure_is_never_called_real(app_env: Path) -> None:
    at = run_page("app_pages/measure.py", measure="Housing repair contacts")
    badges = [m.value for m in at.markdown if "oi-badge" in m.value and "data" in m.value.lower()]
    assert any('aria-label="Illustrative data"' in b for b in badges)
    assert not any("Real data" in b for b in badges)
    line = next(b for b in badges if 'aria-label="Illustrative data"' in b)
    assert re.sub(r"<[^>]+>", "", line).count("Illustrative data") == 1  # the badge says it; not again beside it


def test_overview_tiles_carry_the_mark(app_env: Path) -> None:
    at = run_page("app_pages/overview.py")
    tiles = [m.value for m in at.markdown if m.value.startswith("<p style='margin:0 0 .3rem'><strong>")]
    real = [t for t in tiles if "FixMyStreet reports" in t]
    made_up = [t for t in tiles if "Housing repair contacts" in t]
    assert real and all('aria-label="Real data' in t for t in real)
    assert made_up and all('aria-label="Illustrative data"' in t and "Real data" not in t for t in made_up)


def _panels(at) -> str:  # type: ignore[no-untyped-def]
    return " ".join(m.value for m in at.markdown if "oi-similar" in m.value)


def test_the_sidebar_period_chooses_the_periods_shown_and_the_page_says_so(app_env: Path) -> None:
    at = run_page(PAGE)  # the sidebar's default: the last 3 years
    text = text_of(at)
    assert (
        "Shown: January 2018 to December 2020, the sidebar's period (last 3 years) counted back from the "
        "latest figure. Each council's average and limits are worked out from all its figures (February 2007 "
        "to December 2020)"
    ) in text
    panels = _panels(at)
    assert ">January 2018<" in panels and ">December 2020<" in panels and "2007" not in panels
    assert "for 2018–2020 (ONS, Census 2011 and 2021)" in text  # the population of the years shown
    table = at.dataframe[0].value
    assert pd.to_datetime(table["period_start"]).min() == pd.Timestamp("2018-01-01")

    everything = run_page(PAGE, period="All time")
    assert "Shown: every period, February 2007 to December 2020 (Period in the sidebar: All time)." in text_of(
        everything
    )
    assert ">February 2007<" in _panels(everything)
    whole = everything.dataframe[0].value
    assert pd.to_datetime(whole["period_start"]).min() == pd.Timestamp("2007-02-01")
    # the limits are the council's own, from all its figures, whatever the window
    key = ["area_code", "period_start"]
    both = table.merge(whole, on=key, suffixes=("", "_all"))
    assert len(both) == len(table)
    assert (both["centre"] == both["centre_all"]).all() and (both["upper"] == both["upper_all"]).all()


def test_last_12_months_of_an_annual_indicator(app_env: Path) -> None:
    at = run_page(PAGE, figure="Claimant Count", period="Last 12 months")
    text = text_of(at)
    assert "the sidebar's period (last 12 months)" in text
    table = at.dataframe[0].value
    assert table["period_start"].nunique() == 1  # one year's figure in twelve months


def test_by_locality_marks_a_real_measure_real_with_its_source_and_an_illustrative_one_illustrative(
    app_env: Path,
) -> None:
    at = run_page(
        "app_pages/locality.py", locality="Bromsgrove (council)", measure="FixMyStreet reports: rubbish and fly-tipping"
    )
    badges = [m.value for m in at.markdown if "oi-badge" in m.value]
    assert any('aria-label="Real data: mySociety / FixMyStreet' in b and "by ward (best fit)" in b for b in badges)
    made_up = run_page("app_pages/locality.py", locality="Bromsgrove (council)", measure="Homelessness approaches")
    badges = [m.value for m in made_up.markdown if "oi-badge" in m.value]
    assert any('aria-label="Illustrative data"' in b for b in badges) and not any("Real data" in b for b in badges)
