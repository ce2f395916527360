"""Demand: what customers ask of a service, how much is failure demand, what causes it, what it costs.

In the public view every count, and the shares, rates and chart points worked out from it, goes
through perf.access.disclosure first: counts from 1 to 4 are hidden, with a second where a total would
give one away; it shows months (quarters when too many months would be hidden), never weeks.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf.access import disclosure
from perf.analysis import demand
from perf.output import export
from perf.words import text, vocabulary
from ui import draw
from ui import cached_demand as cd
from ui import filters

scope = filters.current()
public = scope.public_only
st.title("Demand")
services = cd.services()
if scope.purpose_id != filters.ALL_PURPOSES:
    services = services[services["strategic_purpose_id"] == scope.purpose_id]
names = {"": "All services", **dict(zip(services["service_id"], services["name"], strict=True))}
service_id = st.selectbox("Service", list(names), format_func=names.__getitem__, key="service", bind="query-params")
span = cd.data_span()
c = cd.case_scope(scope, service_id or None, span["last_contact"])
st.caption(text.markdown(f"{names[service_id or '']} · {scope.locality_name} · {c.label}"))
periods = cd.by_period(c.filters, c.granularity)
if periods.empty or int(periods["demand"].sum()) == 0:
    st.info(
        text.markdown(
            f"No demand recorded for {names[service_id or '']} in {scope.locality_name} in {c.label.lower()}."
        )
    )
    st.stop()
granularity, natures, raw = c.granularity, cd.natures_shown(c.filters, public), periods
if public:
    st.caption(disclosure.RULE + (f" {c.note}" if c.note else ""))
    granularity, periods = cd.public_periods(c.filters, c.granularity)
    if periods["suppressed"].all():
        st.info(
            f"There are too few contacts for {names[service_id or '']} in {scope.locality_name} in "
            f"{c.label.lower()} to show in the public view: counts under {disclosure.SMALL_COUNT} are not "
            "published, so that no one can be identified. Choose a larger area or a longer period."
        )
        st.stop()
phase_names = cd.service_phases(service_id or None, public)
starts = list(phase_names["starts_on"])
if public:
    st.subheader(
        text.markdown(
            disclosure.demand_sentence(
                periods,
                natures,
                granularity=granularity,
                phase_starts=starts,
                raw=raw,
                total_shown=cd.total_shown(c.filters),
            )
        )
    )
else:
    st.subheader(text.markdown(demand.demand_sentence(periods, natures, granularity=granularity, phase_starts=starts)))

every = f"{granularity}"
over_time = not (public and disclosure.too_few_shown(periods))  # more than a tenth hidden: no chart over time
if granularity != c.granularity and over_time:
    st.caption(
        f"Shown by {every}: {c.granularity} by {c.granularity}, too many of the counts here would be "
        f"under {disclosure.SMALL_COUNT}, or would give one away."
    )
if not over_time:
    st.info(
        f"More than a tenth of the {every}s here are not shown, so the public view does not chart demand over "
        f"time: a chart or an average of the others would not describe a typical {every}. Choose a larger area"
        + (", or all services," if service_id else "")
        + " to see it."
    )
elif public and (note := disclosure.hidden_note(periods, things=f"{every}s")):
    st.caption(f"{note} Lines and limits are worked out from the {every}s shown.")
labels = {i + 1: str(label) for i, label in enumerate(phase_names["label"])}
if over_time:
    mix = periods.melt(
        id_vars=["period_start"], value_vars=["value_demand", "failure_demand"], var_name="type", value_name="contacts"
    )
    mix["type"] = mix["type"].map({"value_demand": "Value demand", "failure_demand": "Failure demand"})
    draw.svg(
        draw.drawn(
            "stacked_bars",
            mix,
            x="period_start",
            y="contacts",
            colour="type",
            title=f"Contacts each {every}, value and failure demand",
            y_title="Contacts",
            domain=list(vocabulary.DEMAND_COLOURS),
            palette=list(vocabulary.DEMAND_COLOURS.values()),
            label=f"Stacked bars of contacts each {every}, value and failure demand; the numbers "
            "are in the table at the foot of the page.",
        )
    )

    st.markdown("#### Is the failure share changing?")
    share = cd.failure_share_shown(c.filters, granularity, public)
    pts = share.points.assign(**{col: share.points[col] * 100 for col in ("value", "centre", "lower", "upper")})
    draw.svg(
        draw.drawn(
            "xmr_chart",
            pts,
            pts["period_start"],
            title=f"Failure demand, % of contacts each {every}",
            y_title="% failure demand",
            phase_labels=labels,
            label="Control chart of the failure demand share; the sentence below says what it shows.",
        )
    )
    st.caption(
        f"{share.describe(period_name=every, per_period=False)} "
        "This is a **Laney p′ chart**. A plain p-chart's limits assume the only variation is chance between "
        "contacts; with hundreds of contacts a period they come out so tight that almost every point looks "
        "like a signal. Laney's p′ widens each period's limits by the variation actually seen from period to "
        "period, while still allowing for busier and quieter periods. Limits are recalculated at each redesign."
    )
    for warning in share.warnings:
        st.caption(f"Note: {warning}")

st.markdown("#### What the failure demand is")
failure = natures[natures["demand_type"] == "failure"]
hidden = int(failure["suppressed"].sum()) if public else 0
failure = failure.dropna(subset=["demand"])
if hidden:
    st.caption(f"{hidden} kinds of failure demand with few contacts are not shown.")
if failure.empty and not hidden:
    st.caption("No failure demand in this period.")
elif not failure.empty:
    draw.svg(
        draw.drawn(
            "pareto",
            failure,
            title="Failure demand by nature, largest first (Pareto)",
            label="Bars of failure demand by nature, largest first, with the running share as a line; "
            "the numbers are in the table at the foot of the page.",
        )
    )
    st.caption("Design out the largest causes first: the line shows how much of the failure demand they add up to.")

if over_time:
    season = cd.seasonality(c.filters, granularity)
    st.markdown("#### Seasonal pattern")
    if season.frame is None:
        st.caption(season.reason.capitalize())
    else:
        strength = season.strength or 0.0
        st.write(
            f"Strength of the seasonal pattern: {strength:.2f} (0 = none, 1 = all of the variation). "
            + (
                "Demand is seasonal: a peak that comes every year at this time is the pattern, not a signal."
                if season.is_seasonal
                else "Demand has no strong seasonal pattern."
            )
        )
        adjusted = st.toggle("Chart demand with the seasonal pattern taken out", key="adjusted", bind="query-params")
        chart = cd.demand_chart_shown(c.filters, granularity, bool(adjusted), public)
        draw.svg(
            draw.drawn(
                "xmr_chart",
                chart.points,
                chart.points["period_start"],
                title=("Seasonally adjusted demand" if adjusted else "Demand") + f" each {every}",
                y_title="Contacts",
                phase_labels=labels,
                label="Control chart of demand per period, with limits per phase.",
            )
        )

st.markdown("#### By channel and by place")
# one under the other: side by side, a ward's name and the rates' headings pushed the last column off screen
left, right = st.container(), st.container()
channels = cd.channel_totals(c.filters, granularity, public)
cd.table(
    channels.assign(failure_share=(channels["failure_share"] * 100).round(1))[
        ["channel", "demand", "failure_demand", "failure_share"]
    ].rename(
        columns={
            "channel": "Channel",
            "demand": "Contacts",
            "failure_demand": "Failure demand",
            "failure_share": "Failure demand (%)",
        }
    ),
    public=public,
    where=left,
)
LEVEL_BELOW: dict[str, demand.Level] = {"area": "council", "council": "locality", "locality": "ward"}
level = LEVEL_BELOW.get(scope.locality_kind, "ward")
places = cd.place_totals(c.filters, granularity, level, public)
cd.table(
    places[["locality_name", "demand", "demand_per_1000", "failure_demand_per_1000"]]
    .round(1)
    .rename(
        columns={
            "locality_name": level.title(),
            "demand": "Contacts",
            "demand_per_1000": "Per 1,000 residents",
            "failure_demand_per_1000": "Failure demand per 1,000",
        }
    ),
    public=public,
    where=right,
)
st.caption(
    "Rates per 1,000 residents over the whole period shown, so large and small places can be compared; "
    "residents are the latest population figures (illustrative for wards)."
    + (" A blank cell is a small count, or one that would give a small count away." if public else "")
)

st.markdown("#### What failure demand costs")
handling = cost_rate = None
if service_id:
    row = services.set_index("service_id").loc[service_id]
    a, b = st.columns(2)
    handling = a.number_input(
        "Minutes of officer time per contact",
        min_value=0.0,
        step=0.5,
        value=float(row["handling_minutes"]) if pd.notna(row["handling_minutes"]) else 0.0,
    )
    cost_rate = b.number_input(
        "Cost of an hour (£)",
        min_value=0.0,
        step=1.0,
        value=float(row["cost_per_hour"]) if pd.notna(row["cost_per_hour"]) else 0.0,
    )
cost = cd.cost_shown(c.filters, handling, cost_rate, public)
priced_by = cd.cost_length(c.filters, public)
priced = disclosure.cost_sentence if public else demand.cost_sentence
st.write(
    text.markdown(
        priced(
            cost,
            granularity=priced_by,
            service_name=names[service_id] if service_id else None,
            last_day=span["last_contact"],
        )
    )
)
if public and cost["cost"].notna().any():
    notes = []
    if priced_by != "month":
        notes.append(f"Priced by {priced_by}: month by month, the cost would give away counts that are not shown.")
    if cost["suppressed"].any():
        whose = "a service's" if not service_id else "the"
        notes.append(
            f"At least: the cost leaves out {whose} {priced_by}s whose failure contacts are not shown (fewer than "
            f"{disclosure.SMALL_COUNT}, or a count that would give one away), as the cost would give the count back."
        )
    if notes:
        st.caption(" ".join(notes))

with st.expander("The numbers behind the charts"):
    columns = {
        "period_start": "Period starting",
        "value_demand": "Value demand",
        "failure_demand": "Failure demand",
        "demand": "Contacts",
        "failure_share": "Failure demand (%)",
        "complete": "Whole period",
        "suppressed": disclosure.HIDDEN_COLUMN,
    }
    table = periods[[col for col in columns if col in periods.columns]].copy()
    table["failure_share"] = (table["failure_share"] * 100).round(1)
    table = table.rename(columns=columns)
    cd.table(table, public=public)
    cd.table(
        natures.assign(
            share=(natures["share"] * 100).round(1), cumulative_share=(natures["cumulative_share"] * 100).round(1)
        ).rename(
            columns={
                "demand_type": "Type",
                "rank": "Rank",
                "nature": "Nature",
                "demand": "Contacts",
                "share": "Share (%)",
                "cumulative_share": "Cumulative (%)",
                "suppressed": disclosure.HIDDEN_COLUMN,
            }
        ),
        public=public,
    )
    if public:
        st.caption(disclosure.HIDDEN_MEANS)
    st.download_button(
        "Download the data (CSV)",
        export.to_csv_bytes(table),
        file_name="demand.csv",
        mime="text/csv",
        on_click="ignore",
    )
