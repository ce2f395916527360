"""Similar councils: one published measure for a council and its neighbours, each on its own control chart."""

from __future__ import annotations

import streamlit as st

from perf.analysis import published, similar
from perf.output import export
from perf.words import text
from ui import cached_similar, icons

st.title("Similar councils")
areas = cached_similar.areas()
catalogue = cached_similar.metrics()
if areas.empty or catalogue.empty:
    st.info("No published figures for other councils are loaded. Load a file of published figures "
            "(area code, period, value, unit, source) under Data › Upload, or rebuild the sample data "
            "(`python -m perf build`), which includes FixMyStreet and ONS figures for every council.")
    st.stop()
st.markdown(icons.data_badge("Real data") + " <span style='color:#555'>Published figures for every council: "
            "FixMyStreet reports (mySociety) and ONS statistics. Sources are named at the foot of the page.</span>",
            unsafe_allow_html=True)

current = areas[areas["current"]]
names = dict(zip(current["area_code"], current["name"], strict=True))
metric_names = dict(zip(catalogue["metric_id"], catalogue["name"], strict=True))
codes = list(names)
GROUPS = {"same": "ONS nearest neighbours, same tier", "all": "ONS nearest neighbours, every tier",
          "hand": "Councils I choose"}
BASES = similar.BASES

left, middle, right = st.columns([2, 3, 2])
code = left.selectbox("Council", codes, index=codes.index("E07000234") if "E07000234" in codes else 0,
                      format_func=names.__getitem__, key="council", bind="query-params")
metric_id = middle.selectbox("Measure", list(metric_names), format_func=metric_names.__getitem__, key="figure",
                             bind="query-params",
                             help="FixMyStreet reports are shown per 1,000 residents a month; ONS indicators "
                                  "as published, by year.")
how = right.selectbox("Compared with", list(GROUPS), format_func=GROUPS.__getitem__, key="group",
                      bind="query-params")
code, metric_id, how = str(code), str(metric_id), str(how)
if how == "hand":
    chosen = st.multiselect("Councils to compare with (up to 15)", [c for c in codes if c != code],
                            format_func=names.__getitem__, max_selections=published.MAX_GROUP - 1, key="councils",
                            bind="query-params")
    group = [code, *[str(c) for c in chosen]]
    said = (f"{names[code]} and {len(group) - 1} council{'s' if len(group) != 2 else ''} chosen by hand."
            if len(group) > 1 else f"Choose councils to compare {names[code]} with.")
else:
    basis = str(st.radio("Neighbours by", list(BASES), format_func=BASES.__getitem__, key="basis",
                         bind="query-params", horizontal=True,
                         help="ONS's similar areas: the 20 councils most alike overall, economically or in their "
                              "population."))
    group = cached_similar.group(code, basis, how == "same")
    said = similar.group_words(names[code], code, len(group), same_tier=how == "same", basis=basis)
st.write(said)
st.caption(similar.NO_RANKS)

result = cached_similar.comparison(metric_id, tuple(group))
metric = result.metric
if result.points.empty:
    st.info(f"No figures for {metric_names[metric_id]} for these councils.")
    st.stop()
st.markdown(f"### {text.html(similar.heading(metric))}")
st.caption(f"{metric.get('definition') or ''} {similar.READING}")
if result.population_used:
    st.caption(result.population_used)
if result.without:
    st.caption("No figures for: " + ", ".join(names.get(c, c) for c in result.without) + ".")
panels = cached_similar.panels(result)
st.markdown(panels[0], unsafe_allow_html=True)
st.markdown("<div style='display:flex;flex-wrap:wrap;gap:10px 12px'>" + "".join(panels[1:]) + "</div>",
            unsafe_allow_html=True)
for note in result.notes:
    st.caption(f"Note: {note}")

st.markdown("#### Sources")
for attribution in result.sources:
    st.caption(attribution)
figures = similar.figures(result)
st.download_button("Download the figures (CSV)", export.to_csv_bytes(figures),
                   file_name=f"similar-councils-{metric_id}-{code}.csv", mime="text/csv", on_click="ignore")
with st.expander("The numbers behind the charts"):
    st.dataframe(figures.drop(columns=["metric_id", "metric", "source"]), hide_index=True, width="stretch")
