"""The real thing: each page opened from a shared link in headless Chromium, a real value checked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from perf import measures, narrative, store
from tests.browser.conftest import screenshot, wait_ready

pytestmark = pytest.mark.browser


def test_a_deep_link_on_a_fresh_server_goes_through_app_py(server: str, page: object, sample_db: Path) -> None:
    """The first request to a new server is a shared measure link: sidebar filters and banner must show."""
    with store.connect(sample_db) as con:
        cat = measures.catalogue(con)
    m = cat.iloc[0]
    page.goto(f"{server}/measure?measure={quote(str(m['name']))}&period=All+time")  # type: ignore[attr-defined]
    wait_ready(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=30_000)  # type: ignore[attr-defined]
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    assert main.locator("h1").first.inner_text().strip() == str(m["name"])
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Locality").count() >= 1  # type: ignore[attr-defined]
    assert main.get_by_text("Illustrative data").count() >= 1
    screenshot(page, "measure")


def test_overview_from_a_link_shows_latest_values(server: str, page: object, sample_db: Path) -> None:
    with store.connect(sample_db) as con:
        cat = measures.catalogue(con)
        first = cat.iloc[0]
        data = measures.series(con, str(first["measure_id"]))
    latest = narrative.format_value(float(data["value"].iloc[-1]), str(first["unit"]), int(first["decimals"]))
    page.goto(f"{server}/")  # the default page lives at the root  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.get_by_text(latest).first.wait_for(timeout=30_000)
    screenshot(page, "overview")


def test_purpose_page_from_a_link(server: str, page: object, sample_db: Path) -> None:
    with store.connect(sample_db) as con:
        cat = measures.catalogue(con)
    name = str(cat["strategic_purpose_name"].iloc[-1])
    page.goto(f"{server}/purpose?purpose={quote(name)}")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    assert main.locator("h1").first.inner_text().strip() == name
    screenshot(page, "purpose")
