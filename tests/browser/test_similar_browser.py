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
