"""The public view (OUTSIDE_IN_PUBLIC=1) in headless Chromium, on a server of this module's own.

What a member of the public can reach from the council's website: no sign-in and no data pages,
no unpublished measure even by a hand-made link, no internal commentary, an accessibility
statement, and no count under five in a ward's tables. Screenshots: tests/artifacts/public_*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from perf.access import disclosure
from tests.browser.conftest import running, screenshot, wait_ready

pytestmark = pytest.mark.browser
SMALL_WARD = "w-bdc-hagley-east"  # among the wards with the fewest contacts in the sample data
COUNT_COLUMNS = {"Contacts", "Value demand", "Failure demand", "Cases completed", "Open now"}


@pytest.fixture(scope="module")
def public_server(sample_db: Path) -> Iterator[str]:
    with running(sample_db, public=True) as url:
        yield url


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def open_page(page: object, url: str) -> object:
    page.goto(url)  # type: ignore[attr-defined]
    wait_ready(page)
    return page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]


def settle(page: object) -> None:
    """Wait until the page stops growing: charts and grids draw after the script has finished."""
    measure = "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
    last = -1
    for _ in range(20):
        height = page.evaluate(measure)  # type: ignore[attr-defined]
        if height == last:
            return
        last = height
        page.wait_for_timeout(400)  # type: ignore[attr-defined]


def settled_screenshot(page: object, name: str) -> Path:
    settle(page)
    return screenshot(page, name)


def tables(main: object) -> list[tuple[list[str], list[list[str]]]]:
    """Each data grid's header and rows, from the accessible table Streamlit's grid keeps in the page."""
    out = []
    grids = main.locator('[data-testid="stDataFrame"]')  # type: ignore[attr-defined]
    for i in range(grids.count()):
        table = grids.nth(i).locator("table").first
        header = [h.strip() for h in table.locator('[role="columnheader"]').all_inner_texts()]
        body = [
            [c.strip() for c in r.locator('[role="gridcell"]').all_inner_texts()]
            for r in table.locator('tbody [role="row"]').all()
        ]
        out.append((header, body))
    return out


def test_the_menu_has_no_sign_in_and_no_data_pages(public_server: str, page: object) -> None:
    open_page(page, f"{public_server}/")
    nav = page.locator(".st-key-menu")  # type: ignore[attr-defined]
    links = [t.strip() for t in nav.locator("a").all_inner_texts()]
    names = " ".join(links)
    assert "Overview" in names and "Accessibility" in names
    for internal in ("Upload", "Sign in", "Account", "Users", "Enter a value", "Measures and phases", "Data quality"):
        assert internal not in names, f"{internal} is in the public menu: {links}"
    assert page.get_by_role("button", name="Sign in").count() == 0  # type: ignore[attr-defined]
    settled_screenshot(page, "public_overview")


def test_a_link_to_an_unpublished_measure_shows_a_published_one(
    public_server: str, page: object, sample_db: Path
) -> None:
    hidden = [str(r[0]) for r in rows(sample_db, "SELECT name FROM measure WHERE NOT published ORDER BY name")]
    published = {str(r[0]) for r in rows(sample_db, "SELECT name FROM measure WHERE published")}
    assert hidden, "the sample data has no unpublished measure to try"
    main = open_page(page, f"{public_server}/measure?measure={quote(hidden[0])}&period=All+time")
    main.locator("h1").first.wait_for(timeout=30_000)
    shown = main.locator("h1").first.inner_text().strip()
    assert shown in published
    text = main.inner_text()
    assert not any(name in text for name in hidden)
    settled_screenshot(page, "public_unpublished_link")


def test_a_link_to_the_upload_page_falls_back_without_a_form(public_server: str, page: object) -> None:
    main = open_page(page, f"{public_server}/upload")
    main.locator("h1").first.wait_for(timeout=30_000)
    assert main.locator("h1").first.inner_text().strip() == "Overview"
    assert page.locator('[data-testid="stFileUploader"]').count() == 0  # type: ignore[attr-defined]
    assert page.get_by_text("Page not found").count() >= 1  # type: ignore[attr-defined]  # Streamlit says so
    settled_screenshot(page, "public_upload_link")


def test_a_published_measure_shows_public_commentary_but_no_internal_note(
    public_server: str, page: object, sample_db: Path
) -> None:
    found = rows(
        sample_db,
        """
        SELECT m.name, max(c.body) FILTER (WHERE c.visibility = 'public') AS public_note,
               list(c.body) FILTER (WHERE c.visibility = 'internal') AS internal_notes
        FROM measure AS m JOIN commentary AS c USING (measure_id)
        WHERE m.published GROUP BY m.name
        HAVING count(*) FILTER (WHERE c.visibility = 'internal') > 0
           AND count(*) FILTER (WHERE c.visibility = 'public') > 0
        ORDER BY m.name LIMIT 1""",
    )
    assert found, "the sample data has no published measure with both kinds of commentary"
    name, public_note, internal_notes = found[0]
    main = open_page(page, f"{public_server}/measure?measure={quote(str(name))}&period=All+time")
    main.get_by_text("Commentary", exact=True).wait_for(timeout=30_000)
    main.get_by_text(str(public_note)[:40]).first.wait_for(timeout=30_000)  # the page drew its commentary
    settle(page)
    text = main.inner_text()
    assert str(public_note)[:60] in text
    for note in internal_notes:  # type: ignore[union-attr]
        assert str(note)[:60] not in text
    settled_screenshot(page, "public_measure_commentary")


def test_the_accessibility_statement_opens_from_the_menu(public_server: str, page: object) -> None:
    open_page(page, f"{public_server}/")
    page.locator(".st-key-menu").get_by_text("Accessibility", exact=True).click()  # type: ignore[attr-defined]
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.locator("h1", has_text="Accessibility statement").wait_for(timeout=30_000)
    wait_ready(page)
    main.get_by_text("Web Content Accessibility Guidelines").first.wait_for(timeout=30_000)
    assert "/accessibility" in page.url  # type: ignore[attr-defined]
    settled_screenshot(page, "public_accessibility")


@pytest.mark.parametrize(
    ("path", "service", "shot"),
    [
        ("demand", "", "public_demand_ward"),
        ("demand", "Planning (Development Management)", "public_demand_ward_service"),
        ("capability", "", "public_capability_ward"),
    ],
)
def test_a_ward_s_tables_show_no_count_under_five(
    public_server: str, page: object, sample_db: Path, path: str, service: str, shot: str
) -> None:
    ward = str(rows(sample_db, f"SELECT name FROM locality WHERE locality_id = '{SMALL_WARD}'")[0][0])
    query = f"locality={quote(ward)}" + (f"&service={quote(service)}" if service else "")
    main = open_page(page, f"{public_server}/{path}?{query}")
    main.locator('[data-testid="stDataFrame"] table').first.wait_for(state="attached", timeout=60_000)
    settle(page)
    checked = 0
    for header, body in tables(main):
        for col, name in enumerate(header):
            if name not in COUNT_COLUMNS:
                continue
            for row in body:
                cell = row[col].replace(",", "") if col < len(row) else ""
                if cell.replace(".", "", 1).isdigit():
                    checked += 1
                    assert not 1 <= float(cell) < disclosure.SMALL_COUNT, f"{name} = {cell} in {header}"
    assert checked, "no count was read from the page's tables"
    assert main.get_by_text("Public view: a count from 1 to 4 is not shown").count() == 1
    settled_screenshot(page, shot)
