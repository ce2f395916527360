"""Capability: how long a case takes end to end, the range the system predictably delivers, and the work open now.

In the public view no single case is drawn (each point is a month's or quarter's median: the public view shows
no weeks) and every count of cases goes through perf.access.disclosure: counts from 1 to 4, and the statistics of
those few cases, are hidden.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf.access import averages, case_counts, disclosure
from perf.analysis import capability, measures
from perf.drawing import svg
from perf.output import export
from perf.words import text
from ui import draw
from ui import cached_demand as cd
from ui import filters

scope = filters.current()
public = scope.public_only
st.title("Capability")
services = cd.services()
if scope.purpose_id != filters.ALL_PURPOSES:
    services = services[services["strategic_purpose_id"] == scope.purpose_id]
names = {"": "All services", **dict(zip(services["service_id"], services["name"], strict=True))}
service_id = st.selectbox("Service", list(names), format_func=names.__getitem__, key="service", bind="query-params")
days_label = st.segmented_control(
    "Count",
    ["Calendar days", "Working days"],
    default="Calendar days",
    key="days",
    bind="query-params",
    required=True,
    help="Working days leave out weekends and English bank holidays.",
)
day_count: capability.DayCount = "working" if days_label == "Working days" else "calendar"
unit = "working days" if day_count == "working" else "days"
span = cd.data_span()
c = cd.case_scope(scope, service_id or None, span["last_case_day"])
st.caption(
    f"{text.markdown(names[service_id or ''])} · {text.markdown(scope.locality_name)} · cases completed in {c.label.lower()} · "
    "end to end: from the customer's first contact to their need being met"
)
result = cd.capability_chart(c.filters, day_count, public=public)
if result.points.empty:
    st.info(
        text.markdown(
            f"No cases were completed for {names[service_id or '']} in {scope.locality_name} in {c.label.lower()}."
        )
    )
    st.stop()
drawn, every = result, "week"
if public:
    st.caption(disclosure.RULE + (f" {c.note}" if c.note else ""))
    every, drawn = cd.public_capability(c.filters, day_count, c.granularity)
    # predictable or not, said of the chart the public sees (months or quarters), not of cases or weeks it does not
    result = capability.judged_on(result, drawn.points)
st.subheader(text.markdown(disclosure.capability_sentence(result) if public else result.sentence()))
count = disclosure.say_count if public else "{:,}".format
phase_labels = {i + 1: str(label) for i, label in enumerate(result.phase_labels)}
pts = drawn.points
rng = result.predictable_range
ranged = rng.predictable and rng.cases >= (disclosure.SMALL_COUNT if public else 1)  # a range to promise
total = int(result.phases["cases"].sum())
if public and every != c.granularity:
    st.caption(
        f"Shown by {every}: {c.granularity} by {c.granularity}, too many of the counts of cases here would be "
        f"under {disclosure.SMALL_COUNT}, or would give one away (here or in another place or service)."
    )
if public and disclosure.too_few_shown(pts):  # more than a tenth hidden: no chart over time
    st.info(
        f"More than a tenth of the {every}s here have fewer than {disclosure.SMALL_COUNT} completed cases, or would "
        "give such a count away (here or in another place or service), so the public view does not chart them: "
        f"a chart of the others would not describe a typical {every}. Choose a larger area"
        + (", or all services," if service_id else "")
        + " to see the chart."
    )
elif drawn.mode == "case":
    title = f"End-to-end {unit} of each completed case, in the order they were completed"
    draw.svg(
        draw.drawn(
            "xmr_chart",
            pts,
            pts["completed_at"],
            title=title,
            y_title=unit.capitalize(),
            phase_labels=phase_labels,
            label=f"{title}: a control chart of end-to-end time. The sentence above says what it shows.",
        )
    )
    st.caption(
        f"Each point is one case. Centre line: the average; dashed lines: the natural process limits "
        f"(average ± 2.66 × the average difference between one case and the next; the lower one never "
        f"below zero). {rng.cases:,} cases in the latest phase."
    )
else:
    title = f"Median end-to-end {unit} of the cases completed each {every}"
    draw.svg(
        draw.drawn(
            "xmr_chart",
            pts,
            pts["period_start"],
            title=title,
            y_title=unit.capitalize(),
            phase_labels=phase_labels,
            label=f"{title}: a control chart of end-to-end time. The sentence above says what it shows.",
        )
    )
    here = (c.filters.locality_id or measures.AREA, c.filters.service_id or "", "")
    why = (
        "The public view draws no single case"
        + ("" if here in cd.case_totals_hidden(c.filters.start, c.filters.end) else f" ({count(total)} completed)")
        if public
        else f"Too many cases to draw one by one ({total:,})"
    )
    st.caption(
        f"{why}, so each point is a {every}'s median, with limits for the {every}ly median. The sentence "
        f"above speaks for one case: its range comes from every case in completion order. Each {every}'s "
        f"90th percentile is in the numbers behind the chart, below."
    )
    if public and (note := disclosure.hidden_note(pts, things=f"{every}s")):
        st.caption(f"{note} Limits are worked out from the {every}s shown.")
st.caption(
    "Predictable means no signal in the latest half-year of the latest phase: older signals, such as a "
    "system settling after a redesign, are history."
)

st.markdown("#### Work in progress")
wip = cd.work_in_progress(c.filters, day_count)
if wip.empty:
    st.caption("No cases are open.")
else:
    open_cases = int(wip["open_cases"].sum())
    beyond = int(wip.loc[wip["age_days"] > rng.upper, "open_cases"].sum()) if ranged else 0
    as_at = pd.Timestamp(wip["as_at"].iloc[0])
    view = (c.filters.locality_id or measures.AREA, c.filters.service_id or "")
    hidden_open = cd.open_hidden(c.filters.end) if public else frozenset()
    uncounted = public and open_cases >= disclosure.SMALL_COUNT and (*view, "") in hidden_open
    # public: the same two-week bands everywhere, hidden with other places', services' and channels' counts
    bands = case_counts.public_age_bands(wip, day_count, hidden_open, view) if public else None
    if uncounted:  # another place's or service's count under 5 would be this total less the others
        st.write(
            f"Cases were open on {as_at:%-d %B %Y}. The public view does not say how many here, or chart them by "
            f"age: with the figures of the places, services and channels beside it, the number would give away a "
            f"count under {disclosure.SMALL_COUNT} elsewhere."
        )
    else:
        older = ""
        if ranged:
            kind, n = "exact", beyond
            if bands is not None:  # public: a sum of the bars shown only
                kind, n = case_counts.beyond_said(bands, rng.upper, beyond)
            limit = f"the {rng.upper:,.0f} {unit} the system predictably delivers in"
            older = {
                "exact": f"; {count(n)} of them are already older than {limit}, so they need looking at"
                if n
                else f"; none of them is older than {limit} yet",
                "at least": f"; at least {n:,} of them are already older than {limit}, so they need looking at",
                "unsaid": f"; the public view does not say how many of them are older than {limit}: they would be "
                "in bars it does not chart, or in the bar the limit falls in",
            }[kind]
        st.write(f"{count(open_cases).capitalize()} cases were open on {as_at:%-d %B %Y}{older}.")
    if bands is not None and not uncounted:  # bands of ages with small counts hidden, not one bar a day
        bins = bands.assign(
            start=bands["age_from"],
            end=bands["age_to"] + 1,
            count=bands["open_cases"],
            name=bands["band"] + f" {unit}",
        )
    elif not public:
        bins = svg.bins(wip["age_days"], wip["open_cases"], unit=unit)
    if not uncounted and bins["count"].notna().any():
        draw.svg(
            draw.drawn(
                "histogram",
                bins,
                title="Open cases by age so far",
                x_title=f"Age so far ({unit})",
                y_title="Open cases",
                marker=rng.upper if ranged else None,
                marker_label=f"Upper limit: {rng.upper:,.0f} {unit}" if ranged else "",
                label=f"Bars of open cases by their age so far in {unit}"
                + (f", with the upper limit of {rng.upper:,.0f} {unit} marked." if ranged else "."),
            )
        )
    if bands is not None and not uncounted and (bands["open_ended"] & ~bands["suppressed"]).any():
        st.caption(f"The last bar holds every case open {bands['band'].iloc[-1]} {unit}.")
    if bands is not None and not uncounted and bands["suppressed"].any():
        st.caption(
            f"Ages with fewer than {disclosure.SMALL_COUNT} open cases (and more, where a total here or in another "
            "place, service or channel would give one away) are not charted."
        )
    if not public:  # case references are internal; the public view keeps to the counts
        st.dataframe(
            cd.oldest_open(c.filters)
            .rename(
                columns={
                    "case_id": "Case",
                    "service_id": "Service",
                    "locality_id": "Ward",
                    "channel": "Channel",
                    "nature": "Nature",
                    "started_at": "First contact",
                    "age_days": "Age (days)",
                    "age_working_days": "Age (working days)",
                }
            )
            .drop(columns=["as_at"]),
            hide_index=True,
            width="stretch",
        )

st.markdown("#### Side by side")
by_label = st.segmented_control(
    "Compare",
    ["Service", "Channel", "Locality", "Ward"],
    default="Service",
    key="compare",
    bind="query-params",
    required=True,
)
BY: dict[str, capability.Breakdown] = {
    "Service": "service",
    "Channel": "channel",
    "Locality": "locality",
    "Ward": "ward",
}
table = cd.breakdown_shown(c.filters, BY[str(by_label)], day_count, public)
st.caption("Each row is read against its own range, not ranked: a wide range is a less predictable system.")
cd.table(
    table[["group_name", "cases", "mean", "median", "p90", "lower", "upper", "open_cases"]]
    .round(1)
    .rename(
        columns={
            "group_name": by_label,
            "cases": "Cases completed",
            "mean": "Average",
            "median": "Median",
            "p90": "90th percentile",
            "lower": "Lower limit",
            "upper": "Upper limit",
            "open_cases": "Open now",
        }
    ),
    public=public,
)
if public and (table["suppressed"].any() or table["open_suppressed"].any()):
    st.caption(
        f"A blank cell is a count under {disclosure.SMALL_COUNT} (or one that would give such a count away), "
        "or the average and range of those few cases: the public view does not show them."
    )

phases = cd.service_phases(service_id or None, public)
if not phases.empty:
    st.markdown("#### Before and after a redesign")
    options = {
        d.date().isoformat(): f"{d:%-d %B %Y}: {label}"
        for d, label in zip(phases["starts_on"], phases["label"], strict=True)
    }
    change = st.selectbox(
        "Change",
        list(options),
        index=len(options) - 1,
        format_func=options.__getitem__,
        key="change",
        bind="query-params",
    )
    comparison, compared, shown_as = cd.comparison_shown(c.filters, pd.Timestamp(change).date(), day_count, public)
    if public and disclosure.too_few_to_compare(comparison):
        st.write(
            f"Fewer than {disclosure.SMALL_COUNT} cases were completed on one side of this change: too few to "
            "compare in the public view."
        )
    else:
        st.write(text.markdown(averages.sentence(comparison, shown_as)))
        whole = averages.AVERAGE_ROWS if shown_as == "whole days" else ()
        draw.text_table(capability.comparison_text(compared, whole), right=("before", "after", "change"))
        if public and case_counts.counts_blank(compared):
            st.caption(
                f"Each side has {disclosure.SMALL_COUNT} or more completed cases (the public view compares no "
                "fewer). A blank count is one the public view does not give: only a count that the chart's periods "
                "over all dates add up to is shown, so that it cannot be set against other places' figures to give "
                "a hidden count away."
            )
        if averages.NOTE[shown_as]:
            st.caption(averages.NOTE[shown_as])

with st.expander("The numbers behind the chart"):
    shown = drawn.points.drop(columns=["special_cause"], errors="ignore")
    cd.table(shown, public=public)
    st.download_button(
        "Download the data (CSV)",
        export.to_csv_bytes(shown),
        file_name="capability.csv",
        mime="text/csv",
        on_click="ignore",
    )
