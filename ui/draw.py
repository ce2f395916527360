"""Drawing perf charts in Streamlit: Vega-Lite specs (table as Arrow, spec as JSON) and inline SVG."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd
import streamlit as st

from perf.drawing.charts import VegaLite


def chart(figure: VegaLite, *, alt: str, width: Literal["stretch", "content"] | int = "stretch") -> None:
    """Draw a perf chart with its text alternative for screen readers."""
    st.vega_lite_chart(figure.data, figure.spec, width=width, alt=alt)


def svg(markup: str) -> None:
    """Draw a perf.drawing.svg chart: it carries its own text alternative (role="img", aria-label, <title>)."""
    if markup:  # st.markdown, not st.html: st.html's sanitiser keeps HTML only and drops SVG
        # on one line: a blank line would end the HTML block and what followed would be read as Markdown
        one_line = " ".join(markup.splitlines())
        st.markdown(f"<figure class='oi-chart' style='margin:0 0 1rem'>{one_line}</figure>", unsafe_allow_html=True)


def text_table(frame: pd.DataFrame, *, right: Sequence[str]) -> None:
    """A table already in words (each row its own format), the ``right`` columns aligned as numbers are."""
    config = {c: st.column_config.TextColumn(alignment="right") for c in right}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


@st.cache_data(show_spinner=False, max_entries=256)
def drawn(kind: str, *args: Any, **kwargs: Any) -> str:
    """``perf.drawing.svg.<kind>(*args, **kwargs)``, kept for the same inputs: a control chart of a hundred
    periods is tens of milliseconds of Python to draw and one to hash, and every visitor's rerun
    would draw it again while holding the interpreter lock the others wait on (issue #12)."""
    from perf.drawing import svg as drawing

    markup: str = getattr(drawing, kind)(*args, **kwargs)
    return markup
