"""Stale limits on a page: say the system has changed, and let an admin confirm a new phase in one step.

Never automatic: the chart keeps its limits until a person who may manage measures says the
system changed, with a reason; ``perf.intake.entry.add_phase`` records who and when in the change log.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perf.intake import entry
from perf.words import narrative
from ui import auth, saving

DONE = "_stale_phase_done"


def first_recorded(recorded: pd.Series, since: pd.Timestamp) -> pd.Timestamp:
    """The measure's own first period on or after ``since`` (a chart shown by month may start a
    shift on the 1st; a weekly measure's phase must start on one of its Mondays)."""
    dates = pd.to_datetime(recorded).sort_values()
    later = dates[dates >= since]
    return pd.Timestamp(later.iloc[0] if len(later) else dates.iloc[-1])


def flag(measure_id: str, name: str, since: pd.Timestamp | None, recorded: pd.Series, *, key: str) -> None:
    """The stale-limits warning, and for an admin the form that starts a new phase at the shift."""
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(done, icon=":material/check_circle:")
    if since is None:
        return
    st.warning(narrative.changed_note(since), icon=":material/moving:")
    if not auth.can("manage_measures"):
        return
    day = first_recorded(recorded, since).date()
    with st.form(f"stale_{key}"):
        st.markdown(
            f"**Start a new phase from {day.day} {day:%b %Y}?** Limits for {auth.plain(name)} will be "
            "worked out again from that period on. Say what changed in the system."
        )
        reason = st.text_input(
            "What changed (the phase's label)",
            max_chars=80,
            key=f"stale_reason_{key}",
            placeholder="e.g. New online form for missed bins",
        )
        slots = {"label": st.empty(), "starts_on": st.empty(), "": st.empty()}
        if st.form_submit_button("Confirm the new phase", type="primary"):
            note = (
                f"Confirmed from the page's flag: a sustained shift since {day.day} {day:%b %Y} "
                "(a run on one side of the average reaching the latest period)."
            )
            if saving.saved(
                "manage_measures",
                lambda con, who: entry.add_phase(con, measure_id, day, reason, note, user=who.username),
                slots,
            ):
                st.session_state[DONE] = f"New phase recorded from {day.day} {day:%b %Y}: {auth.plain(reason.strip())}."
                st.rerun()
