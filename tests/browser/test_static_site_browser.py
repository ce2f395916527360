"""The static public site in headless Chromium with JavaScript off: read and navigated as plain documents.

Built from a published snapshot of the tiny council database and served over HTTP from a real
server (Python's threaded http.server on a free loopback port). Screenshots: tests/artifacts/site_*.png.
Every kind of page is also checked by axe-core, the same pinned version and WCAG tags as the app's
pages (tests/browser/test_axe_browser.py); axe is a script, so that check alone runs with JavaScript on.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from perf.output import publish, site
from tests import tiny_db
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_axe_browser import TAGS, axe_source, pinned_version  # noqa: F401 - axe_source is a fixture

pytestmark = pytest.mark.browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("static")
    snap = publish.publish(folder / "snapshots", tiny_db.build(folder / "council.duckdb"))
    built = site.build_site(folder / "www", snap.db)
    with _served(built.folder) as url:
        yield url


@pytest.fixture(scope="module")
def sample_site_url(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample's site: real published figures, so it has the Similar councils pages."""
    folder = tmp_path_factory.mktemp("sample_static")
    source = folder / "council.duckdb"  # a copy: the app's pages in this process may hold the sample open
    shutil.copy(sample_db, source)
    built = site.build_site(folder / "www", publish.publish(folder / "snapshots", source).db)
    with _served(built.folder) as url:
        yield url


@pytest.fixture()
def no_js(browser: object) -> Iterator[object]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 720},  # type: ignore[attr-defined]
        java_script_enabled=False,
    )
    pg = context.new_page()
    yield pg
    context.close()


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"site_{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_a_visitor_without_javascript_goes_from_the_index_to_a_measure_and_reads_it(
    site_url: str, no_js: object
) -> None:
    page = no_js
    page.goto(f"{site_url}/index.html")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text().startswith("Tinytown District Council")  # type: ignore[attr-defined]
    _shot(page, "index")
    page.get_by_role("link", name="Keep my place safe and looking good").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/purposes/SAFE.html")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Contacts about street cleaning").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/measures/M_CALLS.html")  # type: ignore[attr-defined]
    chart = page.get_by_role("img", name="Control chart of Contacts about street cleaning", exact=False)  # type: ignore[attr-defined]
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 200  # drawn, not an empty element
    assert "a signal of concern" in page.locator(".sentence").inner_text()  # type: ignore[attr-defined]
    table = page.get_by_role("table", name="The numbers behind the chart (contacts)")  # type: ignore[attr-defined]
    assert not table.is_visible()
    page.get_by_text("The numbers behind the chart", exact=True).click()  # <details> opens without a script  # type: ignore[attr-defined]
    assert table.is_visible() and table.locator("tbody tr").count() == 36
    _shot(page, "measure")


def test_the_first_tab_reaches_the_skip_link(site_url: str, no_js: object) -> None:
    page = no_js
    page.goto(f"{site_url}/measures/M_DAYS.html")  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    focused = page.evaluate("() => document.activeElement.textContent")  # type: ignore[attr-defined]
    assert focused == "Skip to the content"


def test_a_ward_with_small_counts_does_not_show_them_and_has_no_chart(site_url: str, no_js: object) -> None:
    page = no_js
    page.goto(f"{site_url}/wards.html")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Ward 1").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/wards/W1.html")  # type: ignore[attr-defined]
    main = page.locator("main")  # type: ignore[attr-defined]
    assert "36 of the 36 months for Ward 1 are not shown in the public view: counts from 1 to 4" in main.inner_text()
    assert main.get_by_role("img").count() == 0
    page.get_by_text("The published figures").click()  # type: ignore[attr-defined]
    cells = main.locator("tbody td:nth-child(2)").all_inner_texts()
    assert cells and set(cells) == {"not shown"}
    _shot(page, "ward_small_counts")


PAGES = [
    "index.html",
    "wards.html",
    "data.html",
    "purposes/SAFE.html",
    "measures/M_CALLS.html",
    "measures/M_DAYS.html",
    "wards/W1.html",
    "wards/W3.html",
]


SIMILAR_PAGES = [
    "index.html",
    "similar.html",
    "similar/E07000234/fms-all.html",
    "similar/E07000234/ons-claimant-count.html",
    "similar/E07000236/fms-c7.html",
]


def test_a_visitor_without_javascript_reads_the_similar_councils_comparison(
    sample_site_url: str, no_js: object
) -> None:
    page = no_js
    page.goto(f"{sample_site_url}/index.html")  # type: ignore[attr-defined]
    page.get_by_role("link", name="This council beside similar councils").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/similar.html")  # type: ignore[attr-defined]
    _shot(page, "similar_index")
    page.get_by_role("link", name="FixMyStreet reports: all problems").first.click()  # type: ignore[attr-defined]
    page.wait_for_url("**/similar/E07000234/fms-all.html")  # type: ignore[attr-defined]
    main = page.locator("main")  # type: ignore[attr-defined]
    assert "Real data." in page.locator(".banner").inner_text()  # type: ignore[attr-defined]
    charts = main.get_by_role("img", name="Small control chart for", exact=False)
    assert charts.count() == 13  # Bromsgrove and its 12 same-tier neighbours
    boxes = [charts.nth(i).bounding_box() for i in range(charts.count())]
    assert all(b is not None and b["width"] > 200 and b["height"] > 80 for b in boxes)  # drawn, not empty
    assert boxes[0]["width"] > 600  # type: ignore[index]  # the chosen council's chart is the large one
    assert charts.nth(0).get_attribute("aria-label") == "Small control chart for Bromsgrove"
    assert "No ranks, league table or red-amber-green" in main.inner_text()
    assert "mySociety / FixMyStreet" in main.inner_text() and "ODC-By 1.0" in main.inner_text()
    table = main.get_by_role("table", name="Bromsgrove: every figure", exact=False)
    assert not table.is_visible()
    main.get_by_text("The numbers behind the charts", exact=True).click()  # <details>, no script
    assert table.is_visible() and table.locator("tbody tr").count() > 150  # every month since 2007
    _shot(page, "similar_fms")
    page.goto(f"{sample_site_url}/similar/E07000234/ons-claimant-count.html")  # type: ignore[attr-defined]
    _shot(page, "similar_ons")


def _axe(url: str, paths: list[str], browser: object, script: str) -> list[str]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    page = context.new_page()
    found = []
    try:
        for path in paths:
            page.goto(f"{url}/{path}")
            page.add_script_tag(content=script)
            result = page.evaluate(
                """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
                return {version: axe.version, violations: r.violations.map(v => ({id: v.id, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.html.slice(0, 120))}))};
            }""",
                TAGS,
            )
            assert result["version"] == pinned_version()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"axe_site_{path.replace('/', '_')}.json").write_text(json.dumps(result, indent=1))
            found += [f"{path}: {v['id']} {v['help']}: {v['nodes']}" for v in result["violations"]]
    finally:
        context.close()
    return found


def test_every_kind_of_page_passes_axe(site_url: str, browser: object, axe_source: str) -> None:  # noqa: F811
    found = _axe(site_url, PAGES, browser, axe_source)
    assert not found, "\n".join(found)


def test_the_similar_councils_pages_pass_axe(sample_site_url: str, browser: object, axe_source: str) -> None:  # noqa: F811
    found = _axe(sample_site_url, SIMILAR_PAGES, browser, axe_source)
    assert not found, "\n".join(found)
