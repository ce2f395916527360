"""Enter a value & commentary: one figure typed in (with an upload's checks), or what the data means."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from perf.intake import entry
from perf.words import narrative, text
from ui import auth, cached, filters, saving, signal_view

auth.require("enter_data")
st.title("Enter a value & commentary")
catalogue = cached.catalogue(False)  # officers enter data for unpublished measures too
if catalogue.empty:
    st.info("There are no measures yet: an admin adds them under Measures and phases.")
    st.stop()
names = dict(zip(catalogue["measure_id"], catalogue["name"], strict=True))
frequency = dict(zip(catalogue["measure_id"], catalogue["frequency"], strict=True))
places = filters.locality_labels()
value_tab, note_tab = st.tabs(["A value", "Commentary"])

with value_tab, st.form("value"):
    st.caption(
        "A figure for one period and place. A figure already there is corrected, and the old one kept "
        "in the change log."
    )
    slots: dict[str, object] = {}
    measure_id = st.selectbox("Measure", list(names), format_func=names.__getitem__, key="v_measure")
    slots["measure_id"] = st.empty()
    period = st.date_input(
        "Period starting",
        value=date.today().replace(day=1),
        format="DD/MM/YYYY",
        key="v_period",
        help="The first day of the week (Monday), month or quarter the figure is for.",
    )
    slots["period_start"] = st.empty()
    locality = st.selectbox("Locality", list(places), format_func=places.__getitem__, key="v_locality")
    slots["locality_id"] = st.empty()
    value = st.text_input(
        "Value", key="v_value", help="Leave blank for a ratio measure given as numerator and denominator."
    )
    slots["value"] = st.empty()
    left, right = st.columns(2)
    numerator = left.text_input("Numerator (optional)", key="v_numerator")
    slots["numerator"] = left.empty()
    denominator = right.text_input("Denominator (optional)", key="v_denominator")
    slots["denominator"] = right.empty()
    slots[""] = st.empty()
    if st.form_submit_button("Save the value", type="primary"):
        saved = saving.save_as(
            "enter_data",
            lambda con, who: entry.enter_value(
                con, measure_id, period, locality, value, numerator or None, denominator or None, user=who.username
            ),
            slots,
        )
        if saved is not None:
            what = "new" if saved.new else "corrected" if saved.corrected else "unchanged (already recorded)"
            when = narrative.period_label(pd.Timestamp(period), frequency[measure_id])
            st.success(
                f"Saved: {text.markdown(names[measure_id])}, {when}, {places.get(locality, locality)} — {what}.",
                icon=":material/check_circle:",
            )
            told, fine = signal_view.after_load(saved.signals)  # a new signal: its owner is told
            if told:
                (st.info if fine else st.warning)(told, icon=":material/notifications_active:")

with note_tab:
    with st.form("commentary", clear_on_submit=False):
        st.caption(
            "What the data means: causes, changes made, what to watch. Public commentary is shown to "
            "everyone with published measures; internal commentary only to officers."
        )
        notes: dict[str, object] = {}
        note_measure = st.selectbox("Measure", list(names), format_func=names.__getitem__, key="c_measure")
        notes["measure_id"] = st.empty()
        note_period = st.date_input(
            "About the period starting (optional)",
            value=None,
            format="DD/MM/YYYY",
            key="c_period",
            help="Leave blank for commentary on the measure as a whole.",
        )
        notes["period_start"] = st.empty()
        body = st.text_area("Commentary", max_chars=entry.COMMENTARY_MAX, key="c_body", height=140)
        notes["body"] = st.empty()
        visibility = st.radio(
            "Who can read it",
            entry.VISIBILITIES,
            horizontal=True,
            key="c_visibility",
            format_func={"internal": "Internal (officers only)", "public": "Public"}.__getitem__,
        )
        notes["visibility"] = st.empty()
        notes[""] = st.empty()
        if st.form_submit_button("Save the commentary", type="primary"):
            if saving.save_as(
                "write_commentary",
                lambda con, who: (
                    entry.add_commentary(con, note_measure, note_period, body, visibility, who.display_name) or True
                ),
                notes,
            ):
                st.success("Commentary saved.", icon=":material/check_circle:")
    recent = cached.commentary(note_measure, False).sort_values("written_at", ascending=False).head(5)
    st.markdown(f"#### Latest commentary on {text.markdown(names[note_measure])}")
    if recent.empty:
        st.caption("None yet.")
    for _, note in recent.iterrows():
        with st.container(border=True):
            when = (
                narrative.period_label(note["period_start"], frequency[note_measure])
                if pd.notna(note["period_start"])
                else "The measure as a whole"
            )
            st.caption(f"{when} · {text.markdown(str(note['author']))} · {note['visibility']}")
            st.text(str(note["body"]))  # plain text: commentary never renders as HTML or Markdown
