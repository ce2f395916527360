"""The real thing: each page opened from a shared link in headless Chromium, a real value checked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from perf import store
from perf.access import public
from perf.analysis import measures
from perf.words import narrative
from tests.browser.conftest import screenshot, wait_ready

pytestmark = pytest.mark.browser


def test_a_deep_link_on_a_fresh_server_goes_through_app_py(server: str, page: object, sample_db: Path) -> None:
    """The first request to a new server is a shared measure link: sidebar filters and banner must show."""
    with store.connect(sample_db) as con:
        cat = measures.catalogue(con, public_only=True)
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
        cat = measures.catalogue(con, public_only=True)
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
        cat = measures.catalogue(con, public_only=True)
    name = str(cat["strategic_purpose_name"].iloc[-1])
    page.goto(f"{server}/purpose?purpose={quote(name)}")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    assert main.locator("h1").first.inner_text().strip() == name
    screenshot(page, "purpose")


def test_locality_page_from_a_link_draws_small_multiples_and_the_tile_map(
    server: str, page: object, sample_db: Path
) -> None:
    with store.connect(sample_db) as con:
        cat = measures.catalogue(con, public_only=True)
        # one recorded in every ward with no ward figure hidden: every ward charted (a ward with more than a
        # tenth of its periods hidden draws no panel)
        wards = {m: public.area_values(con, m, measures.AREA, "ward", "public") for m in cat["measure_id"]}
        m = next(
            m
            for _, m in cat[cat["by_locality"]].iterrows()
            if wards[m["measure_id"]]["locality_id"].nunique() >= 30 and not wards[m["measure_id"]]["suppressed"].any()
        )
    page.goto(f"{server}/locality?measure={quote(str(m['name']))}")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.locator('svg[aria-label^="Small control chart for"]').first.wait_for(timeout=30_000)
    tiles = main.locator('svg[aria-label^="Tile map of wards"]')
    tiles.wait_for(timeout=30_000)
    assert tiles.locator("rect[rx='3']").count() >= 30  # a tile a ward
    assert main.get_by_text("Who lives here").count() == 1
    screenshot(page, "locality")


def test_review_page_from_a_link_names_the_signal(server: str, page: object, sample_db: Path) -> None:
    with store.connect(sample_db) as con:
        cat = measures.catalogue(con, public_only=True).set_index("measure_id")
        phased = measures.phases(con)
        phased = phased[phased["measure_id"].isin(cat.index)]
    name = str(cat.loc[phased["measure_id"].iloc[0], "name"])
    page.goto(f"{server}/review?measure={quote(name)}&period=All+time")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.locator("h3").first.wait_for(timeout=30_000)
    verdict = main.locator("h3").first.inner_text()
    assert any(word in verdict for word in ("improved the system", "got worse", "shifted")), verdict
    screenshot(page, "review")


def test_briefing_is_readable_at_1280_by_720(server: str, browser: object, sample_db: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(f"{server}/briefing")
        wait_ready(page)
        page.locator(".oi-sentence").wait_for(timeout=30_000)
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.oi-sentence')).fontSize)")
        assert size >= 30  # large type for a shared screen
        first = page.locator(".oi-sentence").inner_text()
        page.get_by_role("button", name="Next").click()
        page.wait_for_function(
            "(t) => document.querySelector('.oi-sentence') && document.querySelector('.oi-sentence').innerText !== t",
            arg=first,
            timeout=30_000,
        )
        page.screenshot(path=str(Path(__file__).resolve().parents[1] / "artifacts" / "briefing_1280x720.png"))
    finally:
        context.close()


@pytest.mark.parametrize("path,heading", [("demand", "Demand"), ("capability", "Capability")])
def test_demand_and_capability_from_a_link(server: str, page: object, path: str, heading: str) -> None:
    page.goto(f"{server}/{path}?service=Housing+repairs")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    assert main.locator("h1").first.inner_text().strip() == heading
    chart = main.locator("figure.oi-chart svg[role='img']").first
    chart.wait_for(timeout=30_000)
    assert chart.get_attribute("aria-label")  # drawn as SVG, with its text alternative
    assert main.locator("h3").first.inner_text().strip() != ""  # the sentence comes first
    screenshot(page, path)


def test_a_measure_can_be_chosen_from_the_keyboard_and_the_link_follows(
    server: str, page: object, sample_db: Path
) -> None:
    with store.connect(sample_db) as con:
        cat = measures.catalogue(con, public_only=True)
    target = str(cat["name"].iloc[3])
    page.goto(f"{server}/measure")  # type: ignore[attr-defined]
    wait_ready(page)
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input').first  # type: ignore[attr-defined]
    box.focus()
    page.keyboard.type(target)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "(t) => decodeURIComponent(location.search.replace(/\\+/g, ' ')).includes(t)", arg=target, timeout=30_000
    )
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.locator("h1", has_text=target).wait_for(timeout=30_000)
