"""Demand: what customers ask of a service, how much is failure demand, what causes it, what it costs."""

from __future__ import annotations

import html

import altair as alt
import pandas as pd
import streamlit as st

from perf import charts, demand
from ui import draw
from ui import cached_demand as cd
from ui import filters

scope = filters.current()
st.title("Demand")
services = cd.services()
if scope.purpose_id != filters.ALL_PURPOSES:
    services = services[services["strategic_purpose_id"] == scope.purpose_id]
names = {"": "All services", **dict(zip(services["service_id"], services["name"], strict=True))}
service_id = st.selectbox("Service", list(names), format_func=names.__getitem__, key="service", bind="query-params")
span = cd.data_span()
c = cd.case_scope(scope, service_id or None, span["last_contact"])
st.caption(f"{names[service_id or '']} · {scope.locality_name} · {c.label}")
periods = cd.by_period(c.filters, c.granularity)
if periods.empty or int(periods["demand"].sum()) == 0:
    st.info(f"No demand recorded for {names[service_id or '']} in {scope.locality_name} in {c.label.lower()}.")
    st.stop()
natures = cd.pareto(c.filters)
phase_names = cd.service_phases(service_id or None)
st.subheader(demand.demand_sentence(periods, natures, granularity=c.granularity,  # type: ignore[arg-type]
                                    phase_starts=list(phase_names["starts_on"])))

every = f"{c.granularity}"
mix = periods.melt(id_vars=["period_start"], value_vars=["value_demand", "failure_demand"],
                   var_name="type", value_name="contacts")
mix["type"] = mix["type"].map({"value_demand": "Value demand", "failure_demand": "Failure demand"})
st.altair_chart(charts.stacked_bars(mix, x="period_start", y="contacts", colour="type",
                                    title=f"Contacts each {every}, value and failure demand", x_title=every.title(),
                                    y_title="Contacts", domain=["Value demand", "Failure demand"],
                                    palette=["#1F77B4", "#E66100"]), width="stretch")

st.markdown("#### Is the failure share changing?")
share = cd.failure_share(c.filters, c.granularity)
pts = share.points.assign(**{col: share.points[col] * 100 for col in ("value", "centre", "lower", "upper")})
labels = {i + 1: str(label) for i, label in enumerate(phase_names["label"])}
draw.chart(charts.xmr_chart(pts, pts["period_start"], title=f"Failure demand, % of contacts each {every}",
                            y_title="% failure demand", phase_labels=labels),
           alt="Control chart of the failure demand share; the sentence below says what it shows.")
st.caption(f"{share.describe(period_name=every, per_period=False)} "
           "This is a **Laney p′ chart**. A plain p-chart's limits assume the only variation is chance between "
           "contacts; with hundreds of contacts a period they come out so tight that almost every point looks "
           "like a signal. Laney's p′ widens each period's limits by the variation actually seen from period to "
           "period, while still allowing for busier and quieter periods. Limits are recalculated at each redesign.")
for warning in share.warnings:
    st.caption(f"Note: {warning}")

st.markdown("#### What the failure demand is")
failure = natures[natures["demand_type"] == "failure"]
if failure.empty:
    st.caption("No failure demand in this period.")
else:
    base = alt.Chart(failure).encode(x=alt.X("nature:N", sort=None, title=None, axis=alt.Axis(labelAngle=-30)))
    bars = base.mark_bar(color="#E66100").encode(y=alt.Y("demand:Q", title="Contacts"),
                                                 tooltip=["nature", "demand", alt.Tooltip("share:Q", format=".0%")])
    line = base.mark_line(point=True, color="#333333").encode(
        y=alt.Y("cumulative_share:Q", title="Cumulative share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])))
    st.altair_chart(alt.layer(bars, line).resolve_scale(y="independent").properties(
        title="Failure demand by nature, largest first (Pareto)", height=300, width="container"), width="stretch")
    st.caption("Design out the largest causes first: the line shows how much of the failure demand they add up to.")

season = cd.seasonality(c.filters, c.granularity)
st.markdown("#### Seasonal pattern")
if season.frame is None:
    st.caption(season.reason.capitalize())
else:
    strength = season.strength or 0.0
    st.write(f"Strength of the seasonal pattern: {strength:.2f} (0 = none, 1 = all of the variation). "
             + ("Demand is seasonal: a peak that comes every year at this time is the pattern, not a signal."
                if season.is_seasonal else "Demand has no strong seasonal pattern."))
    adjusted = st.toggle("Chart demand with the seasonal pattern taken out", key="adjusted", bind="query-params")
    chart = cd.demand_chart(c.filters, c.granularity, bool(adjusted))
    draw.chart(charts.xmr_chart(chart.points, chart.points["period_start"],
                                title=("Seasonally adjusted demand" if adjusted else "Demand") + f" each {every}",
                                y_title="Contacts", phase_labels=labels),
               alt="Control chart of demand per period, with limits per phase.")

st.markdown("#### By channel and by place")
left, right = st.columns(2)
channels = demand.totals(cd.by_channel(c.filters, c.granularity), "channel")
left.dataframe(channels.assign(failure_share=(channels["failure_share"] * 100).round(1))[
    ["channel", "demand", "failure_demand", "failure_share"]].rename(columns={
        "channel": "Channel", "demand": "Contacts", "failure_demand": "Failure demand",
        "failure_share": "Failure demand (%)"}), hide_index=True, width="stretch")
level = {"area": "council", "council": "locality", "locality": "ward"}.get(scope.locality_kind, "ward")
places = demand.totals(cd.by_locality(c.filters, c.granularity, level), "locality_id")
right.dataframe(places[["locality_name", "demand", "demand_per_1000", "failure_demand_per_1000"]].round(1).rename(
    columns={"locality_name": level.title(), "demand": "Contacts", "demand_per_1000": "Per 1,000 residents",
             "failure_demand_per_1000": "Failure demand per 1,000"}), hide_index=True, width="stretch")
st.caption("Rates per 1,000 residents over the whole period shown, so large and small places can be compared; "
           "residents are the latest population figures (illustrative for wards).")

st.markdown("#### What failure demand costs")
handling = cost_rate = None
if service_id:
    row = services.set_index("service_id").loc[service_id]
    a, b = st.columns(2)
    handling = a.number_input("Minutes of officer time per contact", min_value=0.0, step=0.5,
                              value=float(row["handling_minutes"]) if pd.notna(row["handling_minutes"]) else 0.0)
    cost_rate = b.number_input("Cost of an hour (£)", min_value=0.0, step=1.0,
                               value=float(row["cost_per_hour"]) if pd.notna(row["cost_per_hour"]) else 0.0)
cost = cd.cost(c.filters, handling, cost_rate)
st.write(html.escape(demand.cost_sentence(cost, service_name=names[service_id] if service_id else None,
                                          last_day=span["last_contact"])))

with st.expander("The numbers behind the charts"):
    table = periods[["period_start", "value_demand", "failure_demand", "demand", "failure_share", "complete"]].copy()
    table["failure_share"] = (table["failure_share"] * 100).round(1)
    table.columns = ["Period starting", "Value demand", "Failure demand", "Contacts", "Failure demand (%)",
                     "Whole period"]
    st.dataframe(table, hide_index=True, width="stretch")
    st.dataframe(natures.rename(columns={"demand_type": "Type", "rank": "Rank", "nature": "Nature",
                                         "demand": "Contacts", "share": "Share", "cumulative_share": "Cumulative"}),
                 hide_index=True, width="stretch")
    st.download_button("Download the data (CSV)", table.to_csv(index=False).encode("utf-8"),
                       file_name="demand.csv", mime="text/csv", on_click="ignore")
