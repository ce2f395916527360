"""Time to render each page in headless Chromium on the embedded data, and a filter change.

Targets (issue #5): every page under 2 s, a filter change under 1 s, measured from navigation
(or the click) until Streamlit reports the script finished and the page's charts are drawn.
Each page is timed warm (second visit in a new tab: server caches filled, as in normal use) and
the first visit is reported too. Run: .venv/bin/python bench/pages.py
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

from perf import measures, store  # noqa: E402
from perf.config import db_path  # noqa: E402
from tests.browser.conftest import ARGS, CHROMIUM, READY, start_server  # noqa: E402

PAGES = ["/", "/purpose", "/measure", "/locality", "/review", "/briefing", "/demand", "/capability", "/reports"]


def render(page, url: str) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
        ".every(c => c.querySelector('canvas, svg'))", timeout=60_000)
    return time.perf_counter() - started


def main() -> int:
    db = db_path()
    if not db.exists():
        store.build(db)
    with store.connect(db) as con:
        cat = measures.catalogue(con)
    measure = quote(str(cat[cat["by_locality"]]["name"].iloc[0]))
    proc, base = start_server(db)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for path in PAGES:
                url = f"{base}{path}?measure={measure}" if path in {"/measure", "/locality", "/review"} else base + path
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                first = render(ctx.new_page(), url)
                warm = [render(ctx.new_page(), url) for _ in range(3)]
                ctx.close()
                rows.append((path, first, statistics.median(warm)))
            # moving between pages inside the app (the sidebar), as a user does after the first link
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            render(page, base)
            more = page.locator('[data-testid="stSidebarNavViewButton"]')
            if more.count() and "more" in more.first.inner_text().lower():
                more.first.click()  # unfold the menu so every page's link can be clicked
            navs = []
            for _ in range(2):
                # Briefing hides the sidebar for screen-sharing, so it is timed from links only
                for path in [p for p in PAGES[1:] + PAGES[:1] if p != "/briefing"]:
                    started = time.perf_counter()
                    page.locator(f'[data-testid="stSidebarNav"] a[href$="{path}"]').first.click()
                    page.wait_for_function("(p) => location.pathname.endsWith(p)", arg=path, timeout=30_000)
                    page.wait_for_timeout(50)
                    page.wait_for_selector(READY, timeout=60_000)
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
                        ".every(c => c.querySelector('canvas, svg'))", timeout=60_000)
                    navs.append((path, time.perf_counter() - started))
            ctx.close()
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            render(page, f"{base}/measure?measure={measure}")
            changes = []
            for ward in ["Alvechurch South", "Central", "Hagley West", "Sidemoor"]:
                started = time.perf_counter()
                page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1).click()
                page.keyboard.type(ward)  # the option list is virtualised: filter it first
                page.get_by_role("option", name=ward, exact=True).click()
                page.wait_for_function("(w) => decodeURIComponent(location.search.replace(/\\+/g, ' ')).includes(w)",
                                       arg=ward, timeout=30_000)
                page.wait_for_selector(READY, timeout=60_000)
                changes.append(time.perf_counter() - started)
            ctx.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"{'page':<14}{'first visit (s)':>18}{'warm median (s)':>18}")
    for path, first, warm in rows:
        print(f"{path:<14}{first:>18.2f}{warm:>18.2f}{'' if warm < 2 else '   over 2 s target'}")
    nav_times: dict[str, list[float]] = {}
    for path, seconds in navs:
        nav_times.setdefault(path, []).append(seconds)
    print("in-app navigation (sidebar click), median of 2 per page:")
    for path, times in nav_times.items():
        print(f"  {path:<12}{statistics.median(times):>8.2f} s")
    print(f"filter change (locality on Measure), median of {len(changes)}: {statistics.median(changes):.2f} s "
          f"(max {max(changes):.2f} s; target < 1 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
