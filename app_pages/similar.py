"""Similar councils: one published measure for a council and its neighbours, each on its own control chart."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from perf.analysis import published, similar
from perf.words import text
from ui import cached_similar, filters, icons

scope = filters.current()
st.title("Similar councils")
areas = cached_similar.areas()
catalogue = cached_similar.metrics()
if areas.empty or catalogue.empty:
    st.info(
        "No published figures for other councils are loaded. Load a file of published figures "
        "(area code, period, value, unit, source) under Data › Upload, or rebuild the sample data "
        "(`python -m perf build`), which includes FixMyStreet and ONS figures for every council."
    )
    st.stop()
st.markdown(
    icons.data_badge("Real data") + " <span style='color:#555'>Published figures for every council: "
    "FixMyStreet reports (mySociety) and ONS statistics. Sources are named at the foot of the page.</span>",
    unsafe_allow_html=True,
)

current = areas[areas["current"]]
names = dict(zip(current["area_code"], current["name"], strict=True))
metric_names = dict(zip(catalogue["metric_id"], catalogue["name"], strict=True))
codes = list(names)
GROUPS = {"same": "Same-tier ONS neighbours", "all": "ONS neighbours, any tier", "hand": "Councils I choose"}
BASES = similar.BASES

left, middle, right = st.columns([2, 3, 2])
code = left.selectbox(
    "Council",
    codes,
    index=codes.index("E07000234") if "E07000234" in codes else 0,
    format_func=names.__getitem__,
    key="council",
    bind="query-params",
)
metric_id = middle.selectbox(
    "Measure",
    list(metric_names),
    format_func=metric_names.__getitem__,
    key="figure",
    bind="query-params",
    help="FixMyStreet reports are shown per 1,000 residents a month; ONS indicators as published, by year.",
)
how = right.selectbox("Compared with", list(GROUPS), format_func=GROUPS.__getitem__, key="group", bind="query-params")
code, metric_id, how = str(code), str(metric_id), str(how)
if how == "hand":
    chosen = st.multiselect(
        "Councils to compare with (up to 15)",
        [c for c in codes if c != code],
        format_func=names.__getitem__,
        max_selections=published.MAX_GROUP - 1,
        key="councils",
        bind="query-params",
    )
    group = [code, *[str(c) for c in chosen]]
    said = (
        f"{names[code]} and {len(group) - 1} council{'s' if len(group) != 2 else ''} chosen by hand."
        if len(group) > 1
        else f"Choose councils to compare {names[code]} with."
    )
else:
    basis = str(
        st.radio(
            "Neighbours by",
            list(BASES),
            format_func=BASES.__getitem__,
            key="basis",
            bind="query-params",
            horizontal=True,
            help="ONS's similar areas: the 20 councils most alike overall, economically or in their population.",
        )
    )
    group = cached_similar.group(code, basis, how == "same")
    said = similar.group_words(names[code], code, len(group), same_tier=how == "same", basis=basis)
st.write(said)
st.caption(similar.NO_RANKS)

# The sidebar's period chooses the periods shown, counted back from this measure's latest figure; each
# council's average and limits come from all its figures, as on every chart in the app.
latest: Any = catalogue.set_index("metric_id").at[metric_id, "last_period"]  # a date, or missing
since = scope.since(pd.Timestamp(latest)) if pd.notna(latest) else None
since_key = None if since is None else since.isoformat()
result = cached_similar.comparison(metric_id, tuple(group), since_key)
metric = result.metric
if result.points.empty:
    st.info(
        f"No figures for {metric_names[metric_id]} for these councils"
        + ("." if since is None else f" in the sidebar's period ({scope.period_label.lower()}).")
    )
    st.stop()
st.markdown(f"### {text.html(similar.heading(metric))}")
st.caption(f"{metric.get('definition') or ''} {similar.READING}")
if since is None:
    st.caption(f"Shown: every period, {result.shown_span} (Period in the sidebar: All time).")
else:
    st.caption(
        f"Shown: {result.shown_span}, the sidebar's period ({scope.period_label.lower()}) counted back from "
        f"the latest figure. Each council's average and limits are worked out from all its figures "
        f"({result.span}), as on every chart here; choose All time in the sidebar to see every period."
    )
if result.population_used:
    st.caption(result.population_used)
if result.without:
    st.caption(
        "No figures"
        + ("" if since is None else " in these periods")
        + " for: "
        + ", ".join(names.get(c, c) for c in result.without)
        + "."
    )
shown = cached_similar.drawn(metric_id, tuple(group), since_key)
st.markdown(shown.panels[0], unsafe_allow_html=True)
st.markdown(
    "<div style='display:flex;flex-wrap:wrap;gap:10px 12px'>" + "".join(shown.panels[1:]) + "</div>",
    unsafe_allow_html=True,
)
for note in result.notes:
    st.caption(f"Note: {note}")

st.markdown("#### Sources")
for attribution in result.sources:
    st.caption(attribution)
st.download_button(
    "Download the figures (CSV)",
    shown.csv,
    file_name=f"similar-councils-{metric_id}-{code}.csv",
    mime="text/csv",
    on_click="ignore",
    help="The figures as their source publishes them, with their source, in the format Data › Upload "
    "and `python -m perf load` read back; then each chart's working (rate, average, limits, "
    "group median), which loading leaves out.",
)
with st.expander("The numbers behind the charts"):
    st.dataframe(shown.figures.drop(columns=["metric_id", "source"]), hide_index=True, width="stretch")
