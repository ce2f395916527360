"""Data quality: is each measure up to date? Its latest period against its frequency, timely or overdue."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from perf.intake import entry
from ui import auth, cached_entry

auth.require("view_unpublished")  # lists unpublished measures too
st.title("Data quality")
today = date.today()
st.caption(
    f"Whether each measure's figures are arriving on time, on {today:%d %B %Y}. A figure is due "
    + ", ".join(f"{days} days after its {freq} ends" for freq, days in entry.GRACE_DAYS.items())
    + "; a measure is overdue once its next figure is past due."
)

frame = cached_entry.timeliness(today)
if frame.empty:
    st.info("There are no measures yet.")
    st.stop()


def status_label(row: pd.Series) -> str:
    if row["status"] == "overdue":
        days = int(row["days_overdue"])
        return f"Overdue by {days} {'day' if days == 1 else 'days'}"
    return {"timely": "Timely", "extract": "Published extract"}.get(str(row["status"]), "No data")


frame = frame.assign(label=frame.apply(status_label, axis=1))
counts = frame["status"].value_counts()
a, b, c = st.columns(3)
a.metric("Timely", int(counts.get("timely", 0)))
b.metric("Overdue", int(counts.get("overdue", 0)))
c.metric("No data yet", int(counts.get("no data", 0)))

left, middle, right = st.columns([2, 2, 3])
statuses = {"overdue": "Overdue", "no data": "No data", "timely": "Timely", "extract": "Published extract"}
shown = left.pills(
    "Status",
    list(statuses),
    selection_mode="multi",
    default=list(statuses),
    format_func=statuses.__getitem__,
    key="q_status",
)
freqs = middle.pills(
    "Recorded every",
    list(entry.FREQUENCIES),
    selection_mode="multi",
    default=list(entry.FREQUENCIES),
    format_func=str.capitalize,
    key="q_frequency",
)
search = right.text_input("Measure name contains", key="q_search")
view = frame[frame["status"].isin(shown) & frame["frequency"].isin(freqs)]
if search.strip():
    view = view[view["name"].str.contains(search.strip(), case=False, regex=False)]
view = view.sort_values(["days_overdue", "name"], ascending=[False, True])
if view.empty:
    st.info("No measure matches these filters.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        {
            "Measure": view["name"],
            "Every": view["frequency"],
            "Published": view["published"],
            "Latest period": view["latest_period"],
            "Last entered": view["last_entered_at"],
            "Next due by": view["due_by"],
            "Status": view["label"],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "Latest period": st.column_config.DateColumn(format="D MMM YYYY"),
        "Next due by": st.column_config.DateColumn(format="D MMM YYYY"),
        "Last entered": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm"),
    },
)
st.caption(f"{len(view)} of {len(frame)} measures. Enter a missing figure under Enter a value, or upload a file.")
