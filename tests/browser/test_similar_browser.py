"""Similar councils and a real FixMyStreet measure in headless Chromium, opened from shared links.

What a visitor sees: Bromsgrove first and highlighted, then its same-tier neighbours, each with its
own chart and sentence, the sources named, no ranks; switching the measure redraws every panel; the
public view shows the page too; the real measure is marked real with its source.
Screenshots: tests/artifacts/similar_*.png and real_measure.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser.conftest import running, screenshot, wait_ready

pytestmark = pytest.mark.browser
PANELS = "() => document.querySelectorAll('.oi-similar').length"


def test_bromsgrove_and_its_same_tier_neighbours(server: str, page: object) -> None:
    page.goto(f"{server}/similar?council=Bromsgrove")  # type: ignore[attr-defined]
    wait_ready(page)
    page.wait_for_function("document.querySelectorAll('.oi-similar').length == 13", timeout=60_000)  # type: ignore[attr-defined]
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    first = main.locator(".oi-similar").first
    assert "oi-chosen" in (first.get_attribute("class") or "")
    assert first.get_by_text("Chosen council").count() == 1
    assert first.locator("svg[aria-label='Small control chart for Bromsgrove']").count() == 1
    assert main.get_by_text("Same tier only, by default").count() == 1
    assert main.get_by_text("No ranks, league table or red-amber-green", exact=False).count() == 1
    assert main.get_by_text("mySociety / FixMyStreet", exact=False).count() >= 1
    text = main.inner_text()
    assert "Rates per 1,000 residents use the population of the same year" in text
    screenshot(page, "similar_councils")
    # switching the measure redraws every council's chart for the new one
    main.locator('[data-testid="stSelectbox"]').nth(1).click()
    page.keyboard.type("FixMyStreet reports: Dog Fouling")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_function("document.body.innerText.includes('Dog Fouling per 1,000 residents')",  # type: ignore[attr-defined]
                           timeout=60_000)
    wait_ready(page)
    assert page.evaluate(PANELS) == 13  # type: ignore[attr-defined]
    assert "figure=FixMyStreet+reports" in page.url or "figure=FixMyStreet%20reports" in page.url  # type: ignore[attr-defined]


def test_a_real_fixmystreet_measure_is_marked_real(server: str, page: object) -> None:
    name = "FixMyStreet reports: rubbish and fly-tipping"
    page.goto(f"{server}/measure?measure={quote(name)}&period=All+time&locality=Bromsgrove+%28council%29")  # type: ignore[attr-defined]
    wait_ready(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=30_000)  # type: ignore[attr-defined]
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    assert main.locator("h1").first.inner_text().strip() == name
    assert main.locator(".oi-badge[aria-label^='Real data: mySociety / FixMyStreet']").count() == 1
    assert main.get_by_text("Illustrative data, with some real.", exact=False).count() == 1
    assert main.get_by_text("Source: FixMyStreet problem reports", exact=False).count() == 1
    screenshot(page, "real_measure")


@pytest.fixture(scope="module")
def public_server(sample_db: Path) -> Iterator[str]:
    with running(sample_db, public=True) as url:
        yield url


def test_the_public_view_shows_the_page(public_server: str, page: object) -> None:
    page.goto(f"{public_server}/similar?council=Redditch")  # type: ignore[attr-defined]
    wait_ready(page)
    page.wait_for_function("document.querySelectorAll('.oi-similar').length > 2", timeout=60_000)  # type: ignore[attr-defined]
    first = page.locator(".oi-similar").first  # type: ignore[attr-defined]
    assert first.locator("svg[aria-label='Small control chart for Redditch']").count() == 1


def test_the_sidebar_period_chooses_the_periods_shown(server: str, page: object) -> None:
    page.goto(f"{server}/similar?council=Bromsgrove&period=Last+12+months")  # type: ignore[attr-defined]
    wait_ready(page)
    page.wait_for_function("document.querySelectorAll('.oi-similar').length == 13", timeout=60_000)  # type: ignore[attr-defined]
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    text = main.inner_text()
    assert "Shown: January 2020 to December 2020, the sidebar's period (last 12 months)" in text
    assert "worked out from all its figures (February 2007 to December 2020)" in text
    chosen = main.locator(".oi-chosen svg")
    assert chosen.get_by_text("January 2020").count() == 1 and chosen.get_by_text("February 2007").count() == 0


def test_the_downloaded_csv_loads_back_through_perf_load(server: str, page: object, sample_db: Path,
                                                         tmp_path: Path) -> None:
    """What the page exports, `python -m perf load` reads back: the same figures, with their source."""
    import csv
    import shutil
    import subprocess
    import sys

    import duckdb

    page.goto(f"{server}/similar?council=Bromsgrove&period=All+time")  # type: ignore[attr-defined]
    wait_ready(page)
    page.wait_for_function("document.querySelectorAll('.oi-similar').length == 13", timeout=60_000)  # type: ignore[attr-defined]
    with page.expect_download(timeout=60_000) as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download the figures (CSV)").click()  # type: ignore[attr-defined]
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "similar-councils-fms-all-E07000234.csv"
    with saved.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:7] == ["metric_id", "area_code", "area_name", "period_start", "value", "unit", "source"]
    assert rows[0]["area_name"] == "Bromsgrove" and "mySociety / FixMyStreet" in rows[0]["source"]
    assert len(rows) == 13 * 167
    db = tmp_path / "fresh.duckdb"
    shutil.copy(sample_db, db)
    with duckdb.connect(str(db)) as con:  # a database that knows the measure but not its figures
        con.execute("DELETE FROM published_value WHERE metric_id = 'fms-all'")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "perf", "load", str(saved), "--user", "analyst"], cwd=root,
                          env={**__import__("os").environ, "OUTSIDE_IN_DB": str(db)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(rows):,} new" in done.stdout, done.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute("SELECT sum(value), count(*) FROM published_value WHERE metric_id = 'fms-all' "
                          "AND area_code = 'E07000234'").fetchone()
    assert got == (sum(float(r["value"]) for r in rows if r["area_code"] == "E07000234"), 167)
