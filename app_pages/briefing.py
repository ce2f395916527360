"""Briefing mode: one measure per screen for a Portfolio Holder, sentence first, big and plain."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from perf import charts, measures, narrative, periods
from ui import draw
from ui import cached, filters, icons

scope = filters.current()
catalogue = cached.catalogue(scope.public_only)
if scope.purpose_id != filters.ALL_PURPOSES:
    catalogue = catalogue[catalogue["strategic_purpose_id"] == scope.purpose_id]
portfolios = sorted(str(p) for p in catalogue["portfolio"].dropna().unique())
if catalogue.empty:
    st.title("Briefing")
    st.info("No measures to brief on for this purpose.")
    st.stop()

# Screen-sharing: hide the sidebar and widen the type; the controls stay on the page itself.
st.markdown("""<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
.oi-badge {font-size: 1.15rem;}
</style>""", unsafe_allow_html=True)
SENTENCE_STYLE = "font-size:2.2rem;line-height:1.25;font-weight:650;margin:.2rem 0 .8rem 0"

names = dict(zip(catalogue["measure_id"], catalogue["name"], strict=True))
order = list(catalogue.sort_values(["kind"], ascending=False, kind="stable")["measure_id"])
if "measure" not in st.session_state or st.session_state["measure"] not in order:
    st.session_state["measure"] = order[0]


def _step(delta: int) -> None:
    here = order.index(st.session_state["measure"])
    st.session_state["measure"] = order[(here + delta) % len(order)]


top = st.columns([1.3, 6, 1, 1])
top[0].page_link("app_pages/overview.py", label="Leave briefing", icon=":material/close:")
with top[1]:
    measure_id = str(st.selectbox("Measure", order, format_func=names.__getitem__, key="measure",
                                  bind="query-params", label_visibility="collapsed"))
top[2].button("Previous", icon=":material/arrow_back:", on_click=_step, args=(-1,), width="stretch")
top[3].button("Next", icon=":material/arrow_forward:", on_click=_step, args=(1,), width="stretch")

m = catalogue.set_index("measure_id").loc[measure_id]
data = cached.series(measure_id, scope.locality_id)
place = scope.locality_name
if data.empty:
    data, place = cached.series(measure_id, measures.AREA), "the whole area"
data = data.sort_values("period_start").reset_index(drop=True)
st.markdown(f"<p class='oi-briefing-title' style='font-size:1.4rem;color:#3b3b3b;margin:0'>{order.index(measure_id) + 1} of {len(order)} · "
            f"{html.escape(str(m['strategic_purpose_name']))} · {html.escape(place)}</p>", unsafe_allow_html=True)
st.markdown(f"## {html.escape(str(m['name']))}")
if data.empty:
    st.info("No values yet.")
    st.stop()
shown_by = filters.shown_by(scope, str(m["frequency"]))
if shown_by != m["frequency"]:
    data = periods.reaggregate(data, frequency=str(m["frequency"]), granularity=shown_by,  # type: ignore[arg-type]
                               aggregation=str(m["aggregation"]), year_start=scope.year_start)  # type: ignore[arg-type]
phase_rows = cached.phases(measure_id)
positions = measures.phase_positions(data["period_start"], list(phase_rows["starts_on"]))
target = None if pd.isna(m["target"]) else float(m["target"])
chart = cached.xmr_for(tuple(data["value"].astype(float)), tuple(positions), str(m["improvement"]), target)
since = scope.since(data["period_start"].max())
shown = data.index if since is None else data.index[data["period_start"] >= since]
sentence = narrative.measure_sentence(m.to_dict() | {"frequency": shown_by}, chart.points.loc[shown],
                                      data.loc[shown, "period_start"])
st.markdown(f"<p class='oi-sentence' style='{SENTENCE_STYLE}'>{html.escape(sentence)}</p>", unsafe_allow_html=True)
st.markdown(icons.variation_badge(chart.variation) + icons.assurance_badge(chart.assurance), unsafe_allow_html=True)
labels = {i + 1: str(row["label"]) for i, (_, row) in enumerate(phase_rows.iterrows()) if i < len(positions)}
draw.chart(charts.xmr_chart(chart.points.loc[shown], data.loc[shown, "period_start"], title="",
                            y_title=str(m["unit"]), target=target, phase_labels=labels, size="large",
                            height=300), alt=f"Control chart. {sentence}")
latest = cached.commentary(measure_id, scope.public_only).head(1)
if not latest.empty:
    st.text(f"{latest['author'].iloc[0]}: {latest['body'].iloc[0]}")
if portfolios:
    st.caption("Portfolios: " + ", ".join(portfolios))
