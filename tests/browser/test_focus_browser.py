"""Focus is visible on every control (WCAG 2.4.7): tab through a page and look at each stop.

A stop counts as visible when the focused element, or one of the three elements around it, has an
outline of 2 px or more or a box shadow (how Streamlit's inputs show focus). axe-core cannot check
this: it needs the keyboard.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import wait_ready

pytestmark = pytest.mark.browser
STOP = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  let n = e;
  for (let i = 0; i < 4 && n; i++, n = n.parentElement) {
    const s = getComputedStyle(n);
    if ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none'))
      return {visible: true, what: e.outerHTML.slice(0, 160)};
  }
  return {visible: false, what: e.outerHTML.slice(0, 160)};
}"""


def tab_stops(page: Any) -> tuple[list[str], list[str]]:
    """Every tab stop once round the page, and those of them that show no focus."""
    seen: list[str] = []
    hidden: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stop = page.evaluate(STOP)
        if stop is None:
            continue
        if seen and stop["what"] == seen[0]:
            break  # round to the start again
        seen.append(stop["what"])
        if not stop["visible"]:
            hidden.append(stop["what"])
    return seen, hidden


@pytest.mark.parametrize("path", ["", "review", "reports", "measure?measure=Housing+repair+contacts", "account"])
def test_every_tab_stop_shows_where_the_keyboard_is(server: str, page: Any, path: str) -> None:
    page.goto(f"{server}/{path}")
    wait_ready(page)
    page.wait_for_timeout(500)
    seen, hidden = tab_stops(page)
    assert len(seen) >= 5, f"only {len(seen)} tab stops on /{path}: {seen}"
    assert not hidden, f"{len(hidden)} of {len(seen)} tab stops on /{path} show no focus:\n" + "\n".join(hidden)


def test_the_check_sees_a_control_without_a_focus_ring(server: str, page: Any) -> None:
    """Not blind: with every focus style taken away, the stops are reported."""
    page.goto(f"{server}/review")
    wait_ready(page)
    # three :not(#id) outrank every focus rule of ours and Streamlit's
    page.add_style_tag(content=":not(#a):not(#b):not(#c) { outline: none !important; box-shadow: none !important; }")
    seen, hidden = tab_stops(page)
    assert seen and hidden == seen
