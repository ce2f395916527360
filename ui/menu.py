"""The page menu, drawn with st.page_link rather than Streamlit's own sidebar navigation.

Streamlit's navigation marks its sections up as list items outside any list (and a list holding
divs), which screen readers announce wrongly and axe-core reports as WCAG 1.3.1 failures. Links
under a heading per section say the same thing in markup that is valid.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import Page


def draw(sections: dict[str, list[Page]]) -> None:
    """A heading per section and a link per page, at the top of the sidebar."""
    with st.sidebar.container(key="menu"):
        for section, pages in sections.items():
            st.html(f"<h2>{section}</h2>")
            for page in pages:
                st.page_link(page, label=page.title, icon=page.icon or None)
