"""Overview: each strategic purpose with its measures as tiles — latest value, trend, variation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf import charts, measures, narrative
from ui import cached, filters, icons

scope = filters.current()
st.title("Overview")
st.caption(f"{scope.purpose_name} · {scope.locality_name} · {scope.period_label}")

catalogue = cached.catalogue(scope.public_only)
if scope.purpose_id != filters.ALL_PURPOSES:
    catalogue = catalogue[catalogue["strategic_purpose_id"] == scope.purpose_id]
if catalogue.empty:
    st.info("No measures are recorded for this purpose yet.")
    st.stop()

ids = tuple(catalogue["measure_id"])
values = cached.series(ids, scope.locality_id)
fallback = values.groupby("measure_id").size()
missing = [m for m in ids if m not in fallback.index]
if missing and scope.locality_id != measures.AREA:
    values = pd.concat([values, cached.series(tuple(missing), measures.AREA).assign(whole_area=True)])
all_phases = cached.phases()

for purpose_id, group in catalogue.groupby("strategic_purpose_id", sort=False):
    st.subheader(str(group["strategic_purpose_name"].iloc[0]))
    cols = st.columns(3)
    for i, (_, m) in enumerate(group.iterrows()):
        data = values[values["measure_id"] == m["measure_id"]].sort_values("period_start")
        with cols[i % 3].container(border=True):
            st.markdown(f"**{m['name']}**")
            if data.empty:
                st.caption("No values yet.")
                continue
            starts = all_phases.loc[all_phases["measure_id"] == m["measure_id"], "starts_on"]
            positions = measures.phase_positions(data["period_start"], list(starts))
            chart = cached.xmr_for(tuple(data["value"].astype(float)), tuple(positions),
                                   str(m["improvement"]), None if pd.isna(m["target"]) else float(m["target"]))
            latest = data.iloc[-1]
            st.markdown(
                f"<span style='font-size:1.6rem;font-weight:700'>"
                f"{narrative.format_value(float(latest['value']), str(m['unit']), int(m['decimals']))}</span> "
                f"<span style='color:#555'>{narrative.period_label(latest['period_start'], str(m['frequency']))}</span>",
                unsafe_allow_html=True,
            )
            st.markdown(icons.variation_badge(chart.variation) + icons.assurance_badge(chart.assurance),
                        unsafe_allow_html=True)
            since = scope.since(data["period_start"].max())
            recent = data if since is None else data[data["period_start"] >= since]
            st.altair_chart(charts.sparkline(recent["period_start"], recent["value"]), width="stretch")
            if "whole_area" in data.columns and data["whole_area"].fillna(False).any():
                st.caption("Whole-area figure: not recorded by ward.")
            st.page_link("app_pages/measure.py", label="Open the chart", icon=":material/arrow_forward:",
                         query_params=filters.link_params(scope, measure_id=str(m["measure_id"])))
