"""Check–Plan–Do review: did the change shift the system? Before and after, and the decision."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf import charts, measures, public, review
from ui import draw
from ui import auth, cached, filters
from ui.db import writing

scope = filters.current()
st.title("Check–Plan–Do review")
st.caption("Check what the system does now, trial a new design, and keep it only if the measures show it worked.")
catalogue = cached.catalogue(scope.public_only)
if scope.purpose_id != filters.ALL_PURPOSES:
    catalogue = catalogue[catalogue["strategic_purpose_id"] == scope.purpose_id]
measure_id = filters.choose_measure(scope, catalogue)
if measure_id is None:
    st.info("No measures are recorded for this purpose yet.")
    st.stop()
m = catalogue.set_index("measure_id").loc[measure_id]
data = cached.series(measure_id, scope.locality_id, scope.public_only)
if data.empty:
    data = cached.series(measure_id, measures.AREA, scope.public_only)
hidden = int(data["suppressed"].sum())
# the public view judges the change on the periods it may show (perf.public hides small counts)
data = data[~data["suppressed"]].sort_values("period_start").reset_index(drop=True)
if hidden and public.mostly_hidden(pd.DataFrame({"suppressed": [True] * hidden + [False] * len(data)})):
    st.info(f"{public.too_few_words(scope.locality_name)} {public.RULE}")
    st.stop()
if hidden:
    st.caption(f"{public.RULE} {hidden:,} periods are not shown and take no part in the judgement.")
if len(data) < 4:
    st.info("This measure needs at least four values before a change can be judged.")
    st.stop()

phase_rows = cached.phases(measure_id, scope.public_only)
options = {f"{row['label']} ({row['starts_on']:%d %b %Y})": row["starts_on"].date() for _, row in phase_rows.iterrows()}
OTHER = "Another date…"
choice = st.selectbox("The change to judge", [*options, OTHER], key="change", bind="query-params",
                      help="A recorded system change, or any date: the first period on or after it starts the new system.")
if choice == OTHER or not options:
    middle = data["period_start"].iloc[len(data) // 2].date()
    change_date = st.date_input("Date of the change", value=middle, min_value=data["period_start"].iloc[2].date(),
                                max_value=data["period_start"].iloc[-1].date(), key="on", bind="query-params",
                                format="DD/MM/YYYY")
else:
    change_date = options[choice]
position = int((data["period_start"] < pd.Timestamp(change_date)).sum())
if not 2 <= position <= len(data) - 1:
    st.warning("Choose a date with at least two periods before it and one after.")
    st.stop()

result = review.before_after(data["value"].astype(float), position, improvement=str(m["improvement"]))  # type: ignore[arg-type]
unit, decimals = str(m["unit"]), int(m["decimals"])
st.markdown(f"### {result.sentence(unit=unit, decimals=decimals)}")
a, b, c = st.columns(3)
a.metric("Average before → after", f"{result.after_mean:,.{decimals}f}",
         delta=f"{result.after_mean - result.before_mean:+,.{decimals}f}",
         delta_color="inverse" if m["improvement"] == "down" else "normal" if m["improvement"] == "up" else "off")
b.metric("Range before", f"{result.before_range[0]:,.{decimals}f} – {result.before_range[1]:,.{decimals}f}")
c.metric("Range after", f"{result.after_range[0]:,.{decimals}f} – {result.after_range[1]:,.{decimals}f}")

dates = data["period_start"]
draw.chart(charts.xmr_chart(result.held.points, dates, title="Judged against the old system's limits",
                            y_title=unit),
                alt=f"Control chart with the old limits held after the change. {result.sentence(unit=unit, decimals=decimals)}")
st.caption("The limits come from the periods before the change and are held after it: points after the change "
           "that signal against them show the system really changed.")
draw.chart(charts.xmr_chart(result.recalculated.points, dates, title="Limits recalculated from the change",
                            y_title=unit, phase_labels={1: "Change"}),
                alt="Control chart with limits recalculated from the change date.")

st.markdown("#### Decision and actions")
if scope.public_only:
    st.caption("Reviews are recorded by officers; the public view is read-only.")
else:
    with st.form("decision", clear_on_submit=True):
        decision = st.text_area("Decision", placeholder="e.g. Make the new design normal across all teams")
        actions = st.text_area("Actions", placeholder="Who does what by when")
        who = auth.user()
        reviewer = st.text_input("Reviewed by", value=who.display_name if who else "",
                                 help="The people at the review; you are recorded as the one who saved it.")
        if st.form_submit_button("Save the decision", type="primary"):
            saver = auth.require("enter_data")  # the form shows only when signed in; checked again before writing
            reviewer = f"{reviewer.strip()} (saved by {saver.username})" if reviewer.strip() else saver.username
            try:
                with writing() as con:
                    review.record(con, measure_id=measure_id, change_date=change_date, decision=decision,
                                  actions=f"{actions}\n\nFinding: {result.sentence(unit=unit, decimals=decimals)}",
                                  reviewed_by=reviewer)
                st.success("Saved.")
            except ValueError as err:
                st.error(str(err))
past = cached.reviews(measure_id, scope.public_only)
if scope.public_only:  # the public see that a change was reviewed, and when; the review itself stays inside
    for _, row in past.iterrows():
        st.caption(f"Reviewed on {row['reviewed_at']:%d %b %Y}: the change of {row['change_date']:%d %b %Y}.")
else:
    for _, row in past.iterrows():
        with st.container(border=True):
            st.text(f"{row['reviewed_at']:%d %b %Y} · {row['reviewed_by']} · change of {row['change_date']:%d %b %Y}")
            st.text(f"{row['decision']}\n{row['actions']}")
