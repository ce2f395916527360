"""The Briefing in a councillor's words: chosen by purpose or portfolio, notes dated, variation explained."""

from __future__ import annotations

from pathlib import Path

from perf import store
from perf.analysis import measures
from tests.conftest import run_page

BINS = "Purpose: Collect my bins when you say you will"


def test_the_briefing_offers_purposes_as_well_as_portfolios(app_env: Path) -> None:
    at = run_page("app_pages/briefing.py")
    options = at.selectbox(key="for").options
    assert "Purpose: Keep my place safe and looking good" in options  # a strategic purpose
    assert BINS in options  # an operational purpose within it
    assert any(o.startswith("Portfolio: ") for o in options)
    with store.connect(app_env) as con:
        cat = measures.catalogue(con, public_only=True)
    expected = set(cat.loc[cat["purpose_name"] == BINS.removeprefix("Purpose: "), "name"])
    chosen = run_page("app_pages/briefing.py", **{"for": BINS})
    assert set(chosen.selectbox(key="measure").options) == expected and len(expected) == 3
    assert any("· Collect my bins when you say you will ·" in md.value for md in chosen.markdown)  # its header


def test_a_briefing_note_says_its_period_and_that_it_is_old(app_env: Path) -> None:
    at = run_page("app_pages/briefing.py", measure="Missed bin reports")
    said = " ".join(md.value for md in at.markdown)
    assert "Note on the week of 5 Jun 2023 — older than this chart" in said  # was shown undated, as news
    recent = run_page("app_pages/briefing.py", measure="Leisure centre visits")
    assert "Note on January 2026 — 9 months before the latest figure" in " ".join(md.value for md in recent.markdown)


def test_the_briefing_explains_its_marks_in_plain_words(app_env: Path) -> None:
    at = run_page("app_pages/briefing.py", measure="Noise complaints")
    said = " ".join(md.value for md in at.markdown)
    assert "Not a stable process: about 115 complaints a month." in said
    assert "Latest: Normal variation" in said  # the badge speaks of the latest point, the sentence of the chart
    legend = next(md.value for md in at.markdown if "oi-legend" in md.value)
    assert "Normal variation" in legend and "the ups and downs this system always has" in legend
    assert "Unusually high" in legend and "special cause" in legend
    assert "Common cause" not in said and "Special cause:" not in said  # the jargon only inside explanations
