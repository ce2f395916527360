"""Chart text is readable on a shared screen: at least 14 px as drawn at 1280 x 720 in Chromium.

SVG charts scale with the page, so their text is measured as drawn (font size x drawn width /
viewBox width). Vega charts draw on a canvas; their spec's sizes are checked in
tests/test_accessibility.py. Screenshots for a person to look at: tests/artifacts/chart_text_*.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, wait_ready

pytestmark = pytest.mark.browser
DRAWN = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] svg[viewBox]'))
  .filter(s => s.querySelector('text') && s.getBoundingClientRect().width > 0).map(s => {
    const k = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
    return {chart: (s.getAttribute('aria-label') || '').slice(0, 60),
            smallest: Math.min(...Array.from(s.querySelectorAll('text'))
                                 .map(t => parseFloat(getComputedStyle(t).fontSize) * k))};
  })"""


@pytest.mark.parametrize("path", ["demand", "capability", "locality?measure=Housing+repair+contacts"])
def test_svg_chart_text_is_at_least_14px_at_1280_by_720(server: str, browser: Any, path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/{path}")
        wait_ready(page)
        page.locator('[data-testid="stMain"] svg[role="img"]').first.wait_for(timeout=30_000)
        drawn = page.evaluate(DRAWN)
        assert drawn, f"no SVG chart with text on /{path}"
        small = [d for d in drawn if d["smallest"] < 14]
        assert not small, f"chart text under 14 px on /{path}: {small}"
        page.locator('[data-testid="stMain"] svg[role="img"]').first.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"chart_text_{path.split('?')[0]}.png"))
    finally:
        context.close()
