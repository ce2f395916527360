"""Overview: each strategic purpose with its measures as tiles — latest value, trend, variation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf.analysis import measures
from perf.words import narrative, text
from ui import auth, cached, cached_entry, filters, icons, signal_view
from ui.tiles import STALE, overview_tiles

scope = filters.current()
st.title("Overview")
st.caption(text.markdown(f"{scope.purpose_name} · {scope.locality_name} · {scope.period_label}"))

catalogue = cached.catalogue(scope.public_only)
if scope.purpose_id != filters.ALL_PURPOSES:
    catalogue = catalogue[catalogue["strategic_purpose_id"] == scope.purpose_id]
if catalogue.empty:
    st.info("No measures are recorded for this purpose yet.")
    st.stop()
status, _ = cached.status(scope.public_only, scope.locality_id)
status = status.set_index("measure_id")
latest: dict[str, pd.Series] = {str(k): row for k, row in status.iterrows()}  # each measure's row of the status
# each tile's HTML, built once per view and data version (ui.tiles): a rerun only sends them
tiles = overview_tiles(scope.public_only, scope.locality_id, scope.period)


changed = catalogue[catalogue["measure_id"].map(status["new_signal"]).fillna(False).astype(bool)]
with st.container(border=True):
    st.markdown(
        f"**What changed** · {len(changed)} measure{'s' if len(changed) != 1 else ''} "
        "with a new signal in the latest period"
    )
    for m in measures.measure_list(changed):
        s = latest[m.measure_id]
        st.markdown(
            icons.variation_badge(s["variation"]) + f" {text.html(m.name)}: "
            f"{narrative.format_value(float(s['value']), m.unit, m.decimals)} in "
            f"{narrative.period_label(s['period_start'], m.frequency)}",
            unsafe_allow_html=True,
        )
    if changed.empty:
        st.caption("No measure has a new signal: every measure's latest point is where its variation would put it.")
    moved = catalogue[catalogue["measure_id"].map(status["changed_since"]).notna()]
    if not moved.empty:  # a sustained shift since the last phase: the limits describe a system that has gone
        since = moved["measure_id"].map(status["changed_since"])
        st.markdown(
            f"<p {STALE}>The system has changed, so the limits no longer describe it, for "
            f"{len(moved)} measure{'s' if len(moved) != 1 else ''}: "
            + "; ".join(f"{text.html(str(n))} (since {d:%b %Y})" for n, d in zip(moved["name"], since, strict=True))
            + ".</p>",
            unsafe_allow_html=True,
        )

if auth.can("view_unpublished"):  # signed-in officers and admins: whose figures are late
    late = cached_entry.overdue()
    with st.expander(f"Overdue measures · {len(late)}", icon=":material/schedule:"):
        if late.empty:
            st.caption("Every measure's latest figure arrived on time.")
        else:
            st.dataframe(
                late[["name", "status_text"]].rename(columns={"name": "Measure", "status_text": "Status"}),
                hide_index=True,
                width="stretch",
            )
        st.page_link("app_pages/quality.py", label="Data quality", icon=":material/arrow_forward:")

signal_counts = signal_view.open_by_purpose(scope.public_only) if auth.can("view_unpublished") else None
for purpose_id, group in catalogue.groupby("strategic_purpose_id", sort=False):
    st.subheader(text.markdown(group["strategic_purpose_name"].iloc[0]))
    if signal_counts is not None:  # officers: the open signals of this purpose, each awaiting an answer
        signal_view.overview_line(str(purpose_id), signal_counts, str(group["strategic_purpose_name"].iloc[0]))
    cols = st.columns(3)
    for i, m in enumerate(measures.measure_list(group)):
        html, charted = tiles[m.measure_id]
        with cols[i % 3].container(border=True):
            st.markdown(html, unsafe_allow_html=True)
            if charted:
                st.page_link(
                    "app_pages/measure.py",
                    label="Open the chart",
                    icon=":material/arrow_forward:",
                    query_params=filters.link_params(scope, measure_id=m.measure_id),
                )
