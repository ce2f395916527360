"""Drawing perf.charts specs in Streamlit: the table goes as Arrow, the spec as JSON."""

from __future__ import annotations

import streamlit as st

from perf.charts import VegaLite


def chart(figure: VegaLite, *, alt: str, width: str = "stretch") -> None:
    """Draw a perf chart with its text alternative for screen readers."""
    st.vega_lite_chart(figure.data, figure.spec, width=width, alt=alt)  # type: ignore[arg-type]
