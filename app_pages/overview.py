"""Overview: each strategic purpose with its measures as tiles — latest value, trend, variation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf.access import public
from perf.analysis import measures
from perf.drawing import svg
from perf.words import narrative, text
from perf.analysis.measures import Measure
from ui import auth, cached, cached_entry, filters, icons, signal_view

scope = filters.current()
st.title("Overview")
st.caption(text.markdown(f"{scope.purpose_name} · {scope.locality_name} · {scope.period_label}"))

catalogue = cached.catalogue(scope.public_only)
if scope.purpose_id != filters.ALL_PURPOSES:
    catalogue = catalogue[catalogue["strategic_purpose_id"] == scope.purpose_id]
if catalogue.empty:
    st.info("No measures are recorded for this purpose yet.")
    st.stop()
status, values = cached.status(scope.public_only, scope.locality_id)
status = status.set_index("measure_id")
latest: dict[str, pd.Series] = {str(k): row for k, row in status.iterrows()}  # each measure's row of the status


def change_text(m: Measure, data: pd.DataFrame, variation: str | None) -> str:
    """'Up 12 on September 2026: within normal variation' — never a bare 'this vs last'."""
    present = data.dropna(subset=["value"])
    if len(present) < 2:
        return ""
    now, before = present.iloc[-1], present.iloc[-2]
    diff = float(now["value"] - before["value"])
    word = "Up" if diff > 0 else "Down" if diff < 0 else "No change"
    amount = "" if diff == 0 else " " + narrative.format_value(abs(diff), m.unit if m.unit == "%" else "",
                                                              m.decimals).replace("%", " points")
    qualifier = "within normal variation" if variation in (None, "common_cause") else "a signal"
    return f"{word}{amount} on {narrative.period_label(before['period_start'], m.frequency)}: {qualifier}"


NOTE = "class='oi-tile-note' style='color:#555;font-size:.875rem;margin:0 0 .4rem'"
STALE = "class='oi-stale' style='color:#7a4300;font-size:.875rem;font-weight:600;margin:0 0 .4rem'"


def tile(m: Measure, data: pd.DataFrame) -> str:
    """A measure's tile as one block of HTML: a page of thirty tiles stays light for the browser."""
    name = (f"<p style='margin:0 0 .3rem'><strong>{text.html(m.name)}</strong></p>"
            f"<p style='margin:0 0 .3rem'>{icons.data_badge(m.provenance)}</p>")
    if data.empty or m.measure_id not in status.index:
        return name + f"<p {NOTE}>No values yet.</p>"
    since = scope.since(data["period_start"].max())
    recent = data if since is None else data[data["period_start"] >= since]
    if public.mostly_hidden(recent):  # perf.access.public: mostly small counts here, too few shown to describe
        return name + f"<p {NOTE}>Mostly counts under {public.SMALL_COUNT} here: not shown in the public view.</p>"
    s = latest[m.measure_id]
    value = narrative.format_value(float(s["value"]), m.unit, m.decimals)
    when = narrative.period_label(s["period_start"], m.frequency)
    parts = [name,
             f"<p><span style='font-size:1.6rem;font-weight:700'>{text.html(value)}</span> "
             f"<span style='color:#555;font-size:.875rem'>{when}</span></p>",
             f"<p>{icons.variation_badge(s['variation'])}{icons.assurance_badge(s['assurance'])}</p>",
             f"<p {NOTE}>{text.html(change_text(m, data, s['variation']))}</p>",
             svg.sparkline(recent["value"], label=f"Recent trend of {m.name}; the latest value and its "
                              "variation are given above.")]
    if pd.notna(s.get("changed_since")):  # a sustained shift since the last phase: the limits are stale
        parts.append(f"<p {STALE}>{text.html(narrative.changed_note(s['changed_since']))}</p>")
    if data["whole_area"].any():
        parts.append(f"<p {NOTE}>Whole-area figure: not recorded by ward.</p>")
    return "".join(parts)


changed = catalogue[catalogue["measure_id"].map(status["new_signal"]).fillna(False).astype(bool)]
with st.container(border=True):
    st.markdown(f"**What changed** · {len(changed)} measure{'s' if len(changed) != 1 else ''} "
                "with a new signal in the latest period")
    for m in measures.measure_list(changed):
        s = latest[m.measure_id]
        st.markdown(icons.variation_badge(s["variation"]) + f" {text.html(m.name)}: "
                    f"{narrative.format_value(float(s['value']), m.unit, m.decimals)} in "
                    f"{narrative.period_label(s['period_start'], m.frequency)}", unsafe_allow_html=True)
    if changed.empty:
        st.caption("No measure has a new signal: every measure's latest point is where its variation would put it.")
    moved = catalogue[catalogue["measure_id"].map(status["changed_since"]).notna()]
    if not moved.empty:  # a sustained shift since the last phase: the limits describe a system that has gone
        since = moved["measure_id"].map(status["changed_since"])
        st.markdown(f"<p {STALE}>The system has changed, so the limits no longer describe it, for "
                    f"{len(moved)} measure{'s' if len(moved) != 1 else ''}: "
                    + "; ".join(f"{text.html(str(n))} (since {d:%b %Y})" for n, d in zip(moved["name"], since,
                                                                                       strict=True))
                    + ".</p>", unsafe_allow_html=True)

if auth.can("view_unpublished"):  # signed-in officers and admins: whose figures are late
    late = cached_entry.overdue()
    with st.expander(f"Overdue measures · {len(late)}", icon=":material/schedule:"):
        if late.empty:
            st.caption("Every measure's latest figure arrived on time.")
        else:
            st.dataframe(late[["name", "status_text"]].rename(columns={"name": "Measure", "status_text": "Status"}),
                         hide_index=True, width="stretch")
        st.page_link("app_pages/quality.py", label="Data quality", icon=":material/arrow_forward:")

signal_counts = signal_view.open_by_purpose(scope.public_only) if auth.can("view_unpublished") else None
for purpose_id, group in catalogue.groupby("strategic_purpose_id", sort=False):
    st.subheader(text.markdown(group["strategic_purpose_name"].iloc[0]))
    if signal_counts is not None:  # officers: the open signals of this purpose, each awaiting an answer
        signal_view.overview_line(str(purpose_id), signal_counts, str(group["strategic_purpose_name"].iloc[0]))
    cols = st.columns(3)
    for i, m in enumerate(measures.measure_list(group)):
        data = values[values["measure_id"] == m.measure_id].sort_values("period_start")
        with cols[i % 3].container(border=True):
            st.markdown(tile(m, data), unsafe_allow_html=True)
            if not data.empty and m.measure_id in status.index:
                st.page_link("app_pages/measure.py", label="Open the chart", icon=":material/arrow_forward:",
                             query_params=filters.link_params(scope, measure_id=m.measure_id))
