"""The review in Chromium: a shared link keeps its date and reopens the same verdict; screenshots at 1280x720."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pandas as pd
import pytest

from perf import store
from perf.analysis import measures
from tests.browser.conftest import ARTIFACTS, screenshot, wait_ready

pytestmark = pytest.mark.browser


def _link(server: str, name: str, on: str) -> str:
    return f"{server}/review?measure={quote(name)}&period=All+time&on={on}"


def _open(page: object, url: str) -> str:
    page.goto(url)  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.locator("h3").first.wait_for(timeout=30_000)
    return str(main.locator("h3").first.inner_text())


def _shot(browser: object, url: str, name: str) -> str:
    """A 1280x720 screenshot of the top of the page, and a full-length one at the same width."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        head = _open(page, url)
        page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=30_000)
        page.wait_for_timeout(800)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}_1280x720.png"))
        screenshot(page, name)
        return head
    finally:
        context.close()


def test_a_shared_link_keeps_its_date_and_a_proposed_date_goes_into_the_url(
    server: str, page: object, sample_db: Path
) -> None:
    with store.connect(sample_db) as con:
        name = str(measures.catalogue(con).set_index("measure_id").loc["repairs-end-to-end", "name"])
    head = _open(page, _link(server, name, "2023-04-01"))
    assert head.startswith("No sustained change at 3 Apr 2023")
    page.get_by_role("button", name="Judge 15 Apr 2024 instead").click()  # type: ignore[attr-defined]
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.get_by_text("improved the system").first.wait_for(timeout=30_000)
    wait_ready(page)
    chosen = parse_qs(urlparse(page.url).query)  # type: ignore[attr-defined]
    assert chosen["on"][0].startswith("2024-0"), page.url  # type: ignore[attr-defined]
    verdict = str(main.locator("h3").first.inner_text())
    shared = page.url  # type: ignore[attr-defined]
    assert _open(page, shared) == verdict  # the link reopens the same verdict


def test_review_screenshots_at_1280_by_720(server: str, browser: object, sample_db: Path) -> None:
    with store.connect(sample_db) as con:
        names = measures.catalogue(con).set_index("measure_id")["name"]
        last = measures.series(con, "missed-bins")["period_start"].max()
    early = (last - pd.Timedelta(weeks=3)).date().isoformat()
    assert "improved the system" in _shot(
        browser, _link(server, names["repairs-end-to-end"], "2024-04-01"), "review_improvement"
    )
    assert (
        _shot(browser, _link(server, names["affordable-homes"], "2024-07-01"), "review_no_change")
        == "No change at 1 Jul 2024"
    )
    assert _shot(browser, _link(server, names["missed-bins"], early), "review_too_early").startswith("Too early")
