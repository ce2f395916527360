"""Time to render each page in headless Chromium on the embedded data, and a filter change.

Targets (issue #5): every page under 2 s, a filter change under 1 s, measured from navigation
(or the click) until Streamlit reports the script finished and everything is drawn: as many
Vega charts as the page sends (counted with AppTest: the browser mounts charts after the script
finishes, so "every chart on the page is drawn" is true of none too early), each with its canvas
or SVG, and every visible table with its grid.
Each page is timed warm (later visits in a new tab: server caches filled, as in normal use; the
median of WARM visits) and the first visit is reported too. Run: .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from perf import seed, store  # noqa: E402
from perf.analysis import demand, measures  # noqa: E402
from perf.config import db_path  # noqa: E402
from tests.browser.conftest import ARGS, CHROMIUM, READY, start_server  # noqa: E402

PAGES = ["/", "/purpose", "/measure", "/locality", "/review", "/briefing", "/demand", "/capability", "/reports"]


WARM = 5
DRAWN = """(charts) => {
  const vega = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(g => g.checkVisibility());
  return vega.length >= charts && vega.every(c => c.querySelector('canvas, svg'))
    && grids.every(g => g.querySelector('canvas'));
}"""


def charts_sent(path: str, query: dict[str, str]) -> int:
    """How many Vega charts the page sends a visitor (AppTest runs it as the browser's visitor)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    page = "app_pages/overview.py" if path == "/" else f"app_pages{path}.py"
    at.switch_page(page).run()
    return len(at.get("vega_lite_chart"))


def drawn(page, charts: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_function(DRAWN, arg=charts, timeout=60_000)


def render(page, url: str, charts: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    page.goto(url)
    drawn(page, charts)
    return time.perf_counter() - started


def main() -> int:
    db = db_path()
    if not db.exists():
        seed.build(db)
    with store.connect(db) as con:
        cat = measures.catalogue(con)
        services = list(demand.services(con)["name"])
    name = str(cat[cat["by_locality"]]["name"].iloc[0])
    measure = quote(name)
    expected = {
        path: charts_sent(path, {"measure": name} if path in {"/measure", "/locality", "/review"} else {})
        for path in PAGES
    }
    in_app = {path: charts_sent(path, {}) for path in PAGES}  # sidebar links carry no ?measure=
    proc, base = start_server(db)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for path in PAGES:
                url = f"{base}{path}?measure={measure}" if path in {"/measure", "/locality", "/review"} else base + path
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                first = render(ctx.new_page(), url, expected[path])
                warm = []
                for _ in range(WARM):
                    tab = ctx.new_page()
                    warm.append(render(tab, url, expected[path]))
                    tab.close()
                ctx.close()
                rows.append((path, first, statistics.median(warm), max(warm)))
            # moving between pages inside the app (the sidebar), as a user does after the first link
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            render(page, base, expected["/"])
            navs = []
            for _ in range(2):
                # Briefing hides the sidebar for screen-sharing, so it is timed from links only
                for path in [p for p in PAGES[1:] + PAGES[:1] if p != "/briefing"]:
                    started = time.perf_counter()
                    page.locator(f'.st-key-menu a[href="{path.lstrip("/")}"]').first.click()  # ui/menu.py's links
                    page.wait_for_function("(p) => location.pathname.endsWith(p)", arg=path, timeout=30_000)
                    page.wait_for_timeout(50)
                    drawn(page, in_app[path])
                    navs.append((path, time.perf_counter() - started))
            ctx.close()
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            render(page, f"{base}/measure?measure={measure}", expected["/measure"])
            changes = []
            for ward in ["Alvechurch South", "Central", "Hagley West", "Sidemoor"]:
                started = time.perf_counter()
                page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1).click()
                page.keyboard.type(ward)  # the option list is virtualised: filter it first
                page.get_by_role("option", name=ward, exact=True).click()
                page.wait_for_function(
                    "(w) => decodeURIComponent(location.search.replace(/\\+/g, ' ')).includes(w)",
                    arg=ward,
                    timeout=30_000,
                )
                drawn(page, expected["/measure"])
                changes.append(time.perf_counter() - started)
            # the heaviest page: Demand, choosing each service in turn (its queries not yet cached)
            render(page, f"{base}/demand", expected["/demand"])
            service_changes = []
            for service in services:
                started = time.perf_counter()
                page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
                page.get_by_role("option", name=service, exact=True).click()
                page.wait_for_function(
                    '(s) => [...document.querySelectorAll(\'[data-testid="stMain"] [data-testid="stCaptionContainer"]\')]'
                    ".some(c => c.innerText.startsWith(s + ' ·'))",
                    arg=service,
                    timeout=30_000,
                )
                drawn(page, 0)
                service_changes.append(time.perf_counter() - started)
            ctx.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"{'page':<14}{'charts':>7}{'first visit (s)':>17}{f'warm median of {WARM} (s)':>24}{'warm max (s)':>14}")
    for path, first, warm, worst in rows:
        print(
            f"{path:<14}{expected[path]:>7}{first:>17.2f}{warm:>24.2f}{worst:>14.2f}"
            f"{'' if warm < 2 else '   over 2 s target'}"
        )
    nav_times: dict[str, list[float]] = {}
    for path, seconds in navs:
        nav_times.setdefault(path, []).append(seconds)
    print("in-app navigation (sidebar click), median of 2 per page:")
    for path, times in nav_times.items():
        print(f"  {path:<12}{statistics.median(times):>8.2f} s")
    print(
        f"filter change (locality on Measure), median of {len(changes)}: {statistics.median(changes):.2f} s "
        f"(max {max(changes):.2f} s; target < 1 s)"
    )
    print(
        f"filter change (service on Demand, each service's first visit), median of {len(service_changes)}: "
        f"{statistics.median(service_changes):.2f} s (max {max(service_changes):.2f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
