"""Check–Plan–Do review: did the change shift the system? Before and after, and the decision."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from perf.access import public
from perf.analysis import measures, review
from perf.drawing import charts
from perf.spc import shifts
from perf.words import text
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
m = measures.measure_of(catalogue, measure_id)
data = cached.series(measure_id, scope.locality_id, scope.public_only)
if data.empty:
    data = cached.series(measure_id, measures.AREA, scope.public_only)
hidden = int(data["suppressed"].sum())
# the public view judges the change on the periods it may show (perf.access.public hides small counts), and not
# at all when more than a tenth are hidden: the shown ones would not describe a typical period
withheld = public.withheld(scope.locality_name, m.frequency, data["suppressed"])
data = data[~data["suppressed"]].sort_values("period_start").reset_index(drop=True)
if withheld is not None:
    st.info(text.markdown(withheld))
    st.stop()
if hidden:
    st.caption(f"{public.RULE} {hidden:,} periods are not shown and take no part in the judgement.")
if len(data) < 4:
    st.info("This measure needs at least four values before a change can be judged.")
    st.stop()

unit, decimals = m.unit, m.decimals
dates = pd.DatetimeIndex(data["period_start"])
values = pd.Series(data["value"].astype(float).to_numpy(), index=dates)
period = review.period_of(dates)
phase_rows = cached.phases(measure_id, scope.public_only)
recorded = [(str(row["label"]), row["starts_on"].date()) for _, row in phase_rows.iterrows()]
moved = shifts.sustained_shifts(values.to_numpy(), per_year=review.PER_YEAR.get(period))
first_ok, last_ok = dates[2].date(), dates[-1].date()


def _judge(when: dt.date) -> None:
    """A recorded or proposed date chosen: it fills the date box (and so the URL)."""
    st.session_state["change_on"] = when


def _from_url() -> dt.date | None:
    try:
        return dt.date.fromisoformat(st.query_params.get("on", ""))
    except ValueError:
        return None


# The date lives in the URL (?on=YYYY-MM-DD) beside the measure, so a shared link reopens the same
# verdict. The box is not bound to the URL: a bound widget set from a button does not rewrite the URL,
# so the page writes ?on= itself after every run.
url_on = _from_url()
if "change_on" not in st.session_state or (url_on and url_on != st.session_state.get("change_on_written")):
    st.session_state["change_on"] = url_on or (recorded[-1][1] if recorded else dates[len(dates) // 2].date())
if isinstance(st.session_state["change_on"], dt.date):  # another measure's date may fall outside this one's data
    st.session_state["change_on"] = min(max(st.session_state["change_on"], first_ok), last_ok)
left, right = st.columns(2)
with left:
    change_date = st.date_input(
        "Date of the change",
        min_value=first_ok,
        max_value=last_ok,
        key="change_on",
        format="DD/MM/YYYY",
        help="The first period on or after this date starts the new system.",
    )
    if recorded:
        st.caption("Recorded changes")
        for label, when in recorded:
            st.button(
                f"{text.markdown(label)}: {review.day_label(when)}", key=f"rec-{when}", on_click=_judge, args=(when,)
            )
with right:
    st.caption("Where the data shows the system moved (the start of each sustained shift)")
    if not moved:
        st.markdown("No sustained shift in the data.")
    for s in moved:
        when = dates[s.start].date()
        st.button(
            f"{'Up' if s.direction == 'up' else 'Down'} from {review.period_label(dates[s.start], period)}",
            key=f"moved-{when}",
            on_click=_judge,
            args=(when,),
            help=f"{review.plural(s.run, period)} in a row {'above' if s.direction == 'up' else 'below'} "
            f"the average before it. Judge this date.",
        )
if not isinstance(change_date, dt.date):
    st.info("Choose the date of the change.")
    st.stop()
st.query_params["on"] = change_date.isoformat()
st.session_state["change_on_written"] = change_date
position = int((data["period_start"] < pd.Timestamp(change_date)).sum())
if not 2 <= position <= len(data) - 1:
    st.warning("Choose a date with at least two periods before it and one after.")
    st.stop()

result = review.before_after(values, position, improvement=m.improvement)
finding = result.sentence(unit=unit, decimals=decimals)
st.markdown(f"### {text.markdown(result.headline())}")
st.markdown(text.markdown(finding))
if result.judgement == "change_elsewhere" and result.elsewhere is not None:
    there = dates[result.elsewhere.start].date()
    st.button(
        f"Judge {review.day_label(there)} instead", key="elsewhere", type="primary", on_click=_judge, args=(there,)
    )
a, b, c = st.columns(3)
a.metric(
    "Average before → after",
    f"{result.after_mean:,.{decimals}f}",
    delta=f"{result.after_mean - result.before_mean:+,.{decimals}f}",
    # green or red only when the verdict says the system changed; otherwise the move is noise
    delta_color="off"
    if not result.signal
    else "inverse"
    if m.improvement == "down"
    else "normal"
    if m.improvement == "up"
    else "off",
)
b.metric("Range before", f"{result.before_range[0]:,.{decimals}f} – {result.before_range[1]:,.{decimals}f}")
c.metric("Range after", f"{result.after_range[0]:,.{decimals}f} – {result.after_range[1]:,.{decimals}f}")

held_dates = data["period_start"].iloc[result.baseline_start :]
change_label = f"Change: {review.day_label(result.change_date)}"
draw.chart(
    charts.mark_date(
        charts.xmr_chart(result.held.points, held_dates, title="Judged against the old system's limits", y_title=unit),
        result.change_date,
        change_label,
    ),
    alt=f"Control chart with the old limits held after the change of {review.day_label(result.change_date)}, "
    f"marked by a line. {finding}",
)
old_from = review.period_label(dates[result.baseline_start], period)
st.caption(
    f"The limits come from the {review.plural(result.baseline_n, period)} before the change"
    + (f" (since {old_from}, when the data shows the system last moved)" if result.baseline_start else "")
    + " and are held after it; the red line marks the change. This review shows all the history recorded "
    f"({review.period_label(dates[0], period)} to {review.period_label(dates[-1], period)})"
    + ("" if scope.period == "all" else f", not only the sidebar's period ({scope.period_label.lower()})")
    + ": the old system's limits need every point before the change, and the verdict every point after it."
)
labels = {1: "Change"} if not result.baseline_start else {1: "System moved", 2: "Change"}
draw.chart(
    charts.xmr_chart(
        result.recalculated.points,
        data["period_start"],
        title="Limits recalculated from the change",
        y_title=unit,
        phase_labels=labels,
    ),
    alt="Control chart with limits recalculated from the change date.",
)

st.markdown("#### Decision and actions")
if scope.public_only:
    st.caption("Reviews are recorded by officers; the public view is read-only.")
else:
    with st.form("decision", clear_on_submit=True):
        decision = st.text_area("Decision", placeholder="e.g. Make the new design normal across all teams")
        actions = st.text_area("Actions", placeholder="Who does what by when")
        who = auth.user()
        reviewer = st.text_input(
            "Reviewed by",
            value=who.display_name if who else "",
            help="The people at the review; you are recorded as the one who saved it.",
        )
        if st.form_submit_button("Save the decision", type="primary"):
            saver = auth.require("enter_data")  # the form shows only when signed in; checked again before writing
            reviewer = f"{reviewer.strip()} (saved by {saver.username})" if reviewer.strip() else saver.username
            try:
                with writing() as con:
                    review.record(
                        con,
                        measure_id=measure_id,
                        change_date=change_date,
                        decision=decision,
                        actions=f"{actions}{review.FINDING_MARK}{result.headline()}. {finding}",
                        reviewed_by=reviewer,
                    )
                st.success("Saved.")
            except ValueError as err:
                st.error(str(err))
past = review.recorded(cached.reviews(measure_id, scope.public_only))
if scope.public_only:  # the public see that a change was reviewed, and when; the review itself stays inside
    for r in past:
        st.caption(f"Reviewed on {r.reviewed:%d %b %Y}: the change of {r.change_date:%d %b %Y}.")
else:
    for r in past:
        with st.container(border=True):
            st.text(f"{r.reviewed:%d %b %Y} · {r.reviewed_by} · change of {r.change_date:%d %b %Y}")
            st.text(f"{r.decision}\n{r.actions}")
