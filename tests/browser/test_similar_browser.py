"""Similar councils and a real FixMyStreet measure in headless Chromium, opened from shared links.

What a visitor sees: Bromsgrove first and highlighted, then its same-tier neighbours, each with its
own chart and sentence, the sources named, no ranks; switching the measure redraws every panel; the
public view shows the page too; the real measure is marked real with its source; the sidebar's period
chooses the periods shown; the page's CSV loads back (by `python -m perf load` and by the Upload page),
and a long file with a bad row is refused naming row, column and reason.
Screenshots: tests/artifacts/similar_*.png and real_measure.png.
"""

from __future__ import annotations

import re
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
    page.wait_for_function(
        "document.body.innerText.includes('Dog Fouling per 1,000 residents')",  # type: ignore[attr-defined]
        timeout=60_000,
    )
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


def test_the_downloaded_csv_loads_back_through_perf_load(
    server: str, page: object, sample_db: Path, tmp_path: Path
) -> None:
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
    done = subprocess.run(
        [sys.executable, "-m", "perf", "load", str(saved), "--user", "analyst"],
        cwd=root,
        env={**__import__("os").environ, "OUTSIDE_IN_DB": str(db)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"{len(rows):,} new" in done.stdout, done.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(
            "SELECT sum(value), count(*) FROM published_value WHERE metric_id = 'fms-all' AND area_code = 'E07000234'"
        ).fetchone()
    assert got == (sum(float(r["value"]) for r in rows if r["area_code"] == "E07000234"), 167)


@pytest.fixture(scope="module")
def officer_server(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own on a copy of the sample, with an officer who may upload."""
    import shutil

    from perf import store
    from perf.access import users

    copy = tmp_path_factory.mktemp("similar_upload") / "outside_in.duckdb"
    shutil.copyfile(sample_db, copy)
    con = store.connect(copy, read_only=False)
    try:
        users.create_user(
            con,
            "amy",
            "a long enough password",
            "officer",
            display_name="Amy Example",
            created_by="test",
            cost=users.ScryptCost(2**10, 8, 1),
        )
    finally:
        con.close()
    with running(copy, private=False) as url:
        yield url


def test_an_officer_uploads_published_figures_a_bad_row_is_named_and_the_page_csv_loads(
    officer_server: str, page: object, tmp_path: Path
) -> None:
    """The issue's 'Done when': a long file with a bad row is refused naming row, column and reason; the
    Similar councils CSV goes back in through the Upload page as the same figures."""
    page.goto(f"{officer_server}/similar?council=Redditch&period=Last+12+months")  # type: ignore[attr-defined]
    wait_ready(page)
    page.wait_for_function("document.querySelectorAll('.oi-similar').length > 2", timeout=60_000)  # type: ignore[attr-defined]
    with page.expect_download(timeout=60_000) as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download the figures (CSV)").click()  # type: ignore[attr-defined]
    exported = tmp_path / info.value.suggested_filename
    info.value.save_as(exported)
    rows = len(exported.read_text(encoding="utf-8-sig").splitlines()) - 1

    page.goto(f"{officer_server}/account")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.get_by_role("textbox", name="Username").fill("amy")
    main.get_by_role("textbox", name="Password").fill("a long enough password")
    main.get_by_role("button", name="Sign in").click()
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    page.locator(".st-key-menu").get_by_text("Upload", exact=True).click()  # type: ignore[attr-defined]
    main.locator("h1", has_text="Upload").wait_for(timeout=30_000)

    bad = tmp_path / "lg-inform-export.csv"
    bad.write_text(
        "Metric,Area code,Area name,Period,Value,Unit,Source\n"
        "Fly-tipping incidents,E07000234,Bromsgrove,2022/23,410,incidents,DEFRA\n"
        "Fly-tipping incidents,E07000236,Redditch,2022/23,lots,incidents,DEFRA\n",
        encoding="utf-8",
    )
    main.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    main.get_by_text("Rejected: nothing was saved.").wait_for(timeout=30_000)
    problems = main.locator('[data-testid="stTable"]')
    problems.get_by_text("'lots' is not a number.").wait_for(timeout=30_000)
    cells = [c.strip() for c in problems.locator("td").all_inner_texts()]
    assert cells[:4] == ["3", "Value", "lots", "'lots' is not a number."], cells
    assert main.get_by_role("button", name="Accept and load").count() == 0
    screenshot(page, "similar_upload_rejected")

    main.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(exported))
    main.get_by_text(f"{rows:,} published figures in {exported.name} are ready to load.").wait_for(timeout=60_000)
    assert main.get_by_text("are the chart's working", exact=False).count() == 1
    main.get_by_role("button", name="Accept and load").click()
    done = main.get_by_text(f"Loaded {rows:,} published figures from {exported.name}", exact=False)
    done.wait_for(timeout=60_000)
    said = re.search(r"(\d+) new, (\d+) corrected, (\d+) unchanged", done.inner_text())
    assert said is not None
    new, corrected, unchanged = (int(n) for n in said.groups())
    # nothing differs; FixMyStreet's file leaves out a month with no report, which the CSV writes as 0
    assert corrected == 0 and new + unchanged == rows and new < rows / 10, said.group(0)
    screenshot(page, "similar_upload_loaded")
