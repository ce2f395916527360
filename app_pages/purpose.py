"""Purpose: one strategic purpose, its operational purposes, their measures, owners and commentary."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf.analysis import measures
from perf.words import narrative, text
from ui import cached, filters

scope = filters.current()
purposes = cached.purposes()
strategic = purposes[purposes["kind"] == "strategic"]
purpose_id = scope.purpose_id if scope.purpose_id != filters.ALL_PURPOSES else str(strategic["purpose_id"].iloc[0])
row = purposes.set_index("purpose_id").loc[purpose_id]
st.title(text.markdown(row["name"]))  # user text is plain text wherever it shows (perf.words.text)
if scope.purpose_id == filters.ALL_PURPOSES:
    st.caption("Choose a purpose in the sidebar; showing the first one.")
if pd.notna(row["portfolio"]):
    st.caption(f"Portfolio: {text.markdown(row['portfolio'])}")
if pd.notna(row["description"]):
    st.markdown(text.markdown(row["description"]))

catalogue = cached.catalogue(scope.public_only)
mine = catalogue[catalogue["strategic_purpose_id"] == purpose_id]
if mine.empty:
    st.info("No measures are recorded for this purpose yet.")
    st.stop()
st.markdown(
    f"**{len(mine)} measures**: {int((mine['kind'] == 'strategic').sum())} strategic, "
    f"{int((mine['kind'] == 'operational').sum())} operational."
)
for name, group in mine.groupby("purpose_name", sort=False):
    st.subheader("Strategic measures" if name == row["name"] else text.markdown(name))
    for m in measures.measure_list(group):
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.markdown(f"**{text.markdown(m.name)}** · {m.kind} · every {m.frequency}")
            left.caption(f"Owner: {text.markdown(m.owner)}. {text.markdown(m.definition or '')}")
            latest = cached.commentary(m.measure_id, scope.public_only).head(1)
            if not latest.empty:
                note = latest.iloc[0]
                when = narrative.note_label(
                    note["period_start"], note["written_at"], m.frequency, latest=m.latest_period
                )
                left.text(f"Latest commentary ({when}; {filters.author(note['author'], scope)}): {note['body']}")
            right.page_link(
                "app_pages/measure.py",
                label="Chart",
                icon=":material/show_chart:",
                query_params=filters.link_params(scope, measure_id=m.measure_id),
            )
