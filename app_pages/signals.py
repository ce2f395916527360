"""Signals: every open signal with its chart and sentence, and an answer for each (issue 15)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from perf.analysis import measures
from perf.signals import signal_answers
from perf.words import text
from perf.signals.signal_answers import OUTCOMES, Answer
from ui import auth, cached, filters, saving, signal_view

who = auth.require("view_unpublished")
scope = filters.current()
st.title("Signals")
st.caption(
    "Each signal found when data arrived stays open until its owner (or an officer) says what caused it, "
    "what is being done, and the outcome."
)
if not signal_view.ready():
    st.info(
        "This database was built before signals were recorded. The next load of measure values adds them, "
        "or rebuild it with `python -m perf build`."
    )
    st.stop()
done = st.session_state.pop("_signals_done", None)
if done:
    st.success(done, icon=":material/check_circle:")
problem = signal_view.email_status()
if problem:
    st.warning(problem, icon=":material/mail_lock:")
failed = signal_view.recent_alerts()
failed = failed[failed["outcome"] != "sent"].drop_duplicates("owner")
if not failed.empty:
    with st.expander(f"Digests not sent · {len(failed)}", icon=":material/unsubscribe:", expanded=True):
        for _, row in failed.iterrows():
            st.caption(f"{signal_view.when(row['tried_at'])} · {auth.plain(str(row['detail'] or row['outcome']))}")


def detail(signal_id: int) -> None:
    """One item: its chart, sentence, answer or the form to answer it, and its commentary."""
    item = signal_view.read_item(signal_id)
    if item is None:
        st.info("There is no such signal; it may be on a measure you cannot see.")
        return
    st.markdown(f"### {text.markdown(item['sentence'])}")
    st.markdown(
        f"{signal_view.DIRECTION_BADGES[str(item['direction'])]} · owner: {auth.plain(str(item['owner']))} "
        f"· found {signal_view.when(item['found_at'])} when {auth.plain(str(item['found_by']))} loaded data"
    )
    st.markdown(
        signal_view.chart(
            str(item["measure_id"]), str(item["locality_id"]), title=f"{item['measure_name']}, {item['locality_name']}"
        ),
        unsafe_allow_html=True,
    )
    st.page_link(
        "app_pages/measure.py",
        label="Open the measure",
        icon=":material/show_chart:",
        query_params={"measure": str(item["measure_name"])},
    )
    if item["status"] == "open":
        answer_form(signal_id, item)
    else:
        words = signal_answers.answer_words(item)
        st.markdown("#### Answer" if words else "#### Closed")
        st.text(words or str(item["closed_reason"] or ""))
        st.caption(f"Closed {signal_view.when(item['closed_at'])} by {auth.plain(str(item['closed_by']))}")
    st.markdown("#### Commentary")
    said = signal_view.notes(signal_id=signal_id)
    if said.empty:
        st.caption("No commentary on this signal yet.")
    for _, note in said.iterrows():
        with st.container(border=True):
            st.caption(f"{signal_view.when(note['written_at'])} · {auth.plain(str(note['author']))}")
            st.text(str(note["body"]))  # plain text: never rendered as Markdown or HTML
    with st.form(f"note_{signal_id}", clear_on_submit=True):
        body = st.text_area("Add commentary", key=f"note_body_{signal_id}")
        slot = st.empty()
        if st.form_submit_button("Add commentary", icon=":material/add_comment:"):
            saved = saving.saved(
                "write_commentary",
                lambda con, by: signal_answers.add_note(con, signal_id, body, author=by.username),
                {"body": slot, "": slot, "signal_id": slot},
            )
            if saved:
                st.session_state["_signals_done"] = "Commentary saved."
                st.rerun()


def answer_form(signal_id: int, item: dict[str, object]) -> None:
    st.markdown("#### Answer this signal")
    with st.form(f"answer_{signal_id}"):
        known = st.radio("What caused it?", ["Known", "Not yet known"], horizontal=True, key=f"known_{signal_id}")
        cause = st.text_area(
            "The cause, in words",
            key=f"cause_{signal_id}",
            placeholder="e.g. The depot flooded and two rounds were missed",
        )
        cause_slot = st.empty()
        action = st.text_area("What is being done", key=f"action_{signal_id}")
        action_slot = st.empty()
        outcome = st.radio("Outcome", list(OUTCOMES), format_func=OUTCOMES.__getitem__, key=f"outcome_{signal_id}")
        outcome_slot = st.empty()
        st.caption("For a change to the system: a new phase starts, and the limits are worked out again from it.")
        left, right = st.columns(2)
        label = left.text_input("The change", key=f"label_{signal_id}", placeholder="e.g. New repairs triage")
        first = pd.Timestamp(str(item["first_period"])).date()
        starts = right.date_input("Changed from", value=first, key=f"starts_{signal_id}", format="DD/MM/YYYY")
        phase_slot = st.empty()
        exclude = st.checkbox(
            "A one-off: leave these points out of the limits (the cause is kept as the reason)",
            key=f"exclude_{signal_id}",
        )
        exclude_slot = st.empty()
        general = st.empty()
        if st.form_submit_button("Save the answer and close the signal", type="primary"):
            given = Answer(
                known == "Known",
                cause,
                action,
                str(outcome),
                exclude_from_limits=bool(exclude),
                phase_label=label,
                phase_starts_on=starts if isinstance(starts, date) else None,
            )
            saved = saving.saved(
                "enter_data",
                lambda con, by: signal_answers.answer(con, signal_id, given, user=by.username),
                {
                    "cause": cause_slot,
                    "action": action_slot,
                    "outcome": outcome_slot,
                    "phase_label": phase_slot,
                    "phase_starts_on": phase_slot,
                    "exclude_from_limits": exclude_slot,
                    "signal_id": general,
                    "": general,
                },
            )
            if saved:
                st.session_state["_signals_done"] = "Answer saved: the signal is closed."
                st.rerun()


def listing() -> None:
    show = st.segmented_control(
        "Show",
        ["Open", f"Open and closed in the last {signal_view.RECENT_DAYS} days"],
        default="Open",
        key="show",
        bind="query-params",
    )
    recent = show is not None and show != "Open"
    frame = signal_view.items(
        "recent" if recent else "open", signal_view.since_recent() if recent else None, scope.public_only
    )
    mine = signal_view.my_owners()
    p, a, b, c = st.columns(4)
    purposes = sorted(set(frame["purpose_name"].dropna().astype(str)))
    purpose = p.selectbox("Purpose", ["All purposes", *purposes], key="signal_purpose", bind="query-params")
    everyone = "All owners"
    owner_names = sorted(set(frame["owner"].dropna().astype(str)) | set(mine))
    owner = a.selectbox("Owner", [everyone, *owner_names], key="owner", bind="query-params")
    portfolios = sorted(set(frame["portfolio"].dropna().astype(str)))
    portfolio = b.selectbox("Portfolio", ["All portfolios", *portfolios], key="portfolio", bind="query-params")
    directions = {
        "all": "Any direction",
        "improving": "Improving",
        "concerning": "Concerning",
        "neutral": "Neither better nor worse",
    }
    direction = c.selectbox(
        "Direction", list(directions), format_func=directions.__getitem__, key="direction", bind="query-params"
    )
    shown = frame
    if owner and owner != everyone:
        shown = shown[shown["owner"] == owner]
    if portfolio and portfolio != "All portfolios":
        shown = shown[shown["portfolio"] == portfolio]
    if direction and direction != "all":
        shown = shown[shown["direction"] == direction]
    if purpose and purpose != "All purposes":
        shown = shown[shown["purpose_name"] == purpose]
    if scope.purpose_id != filters.ALL_PURPOSES:
        shown = shown[shown["purpose_id"] == scope.purpose_id]
    if scope.locality_id != measures.AREA:
        places = cached.localities()
        inside = {scope.locality_id}
        while True:  # the place and every place under it
            more = set(places.loc[places["parent_id"].isin(inside), "locality_id"]) - inside
            if not more:
                break
            inside |= more
        shown = shown[shown["locality_id"].isin(inside)]
    if mine:  # a Head of Service sees theirs first; newest first within each
        shown = shown.assign(_mine=shown["owner"].isin(mine)).sort_values("_mine", ascending=False, kind="stable")
    where = " · ".join(
        x
        for x in (
            scope.purpose_name if scope.purpose_id != filters.ALL_PURPOSES else "",
            scope.locality_name if scope.locality_id != measures.AREA else "",
        )
        if x
    )
    st.caption(
        f"{len(shown)} of {len(frame)} {'signals' if recent else 'open signals'}, newest first"
        + (f" · {where} (sidebar filters)" if where else "")
        + (" · yours first" if mine else "")
    )
    if shown.empty:
        st.info(
            "No signals match these filters."
            if len(frame)
            else "No open signals: every signal found so far has an answer."
        )
        return
    for _, item in shown.head(30).iterrows():
        with st.container(border=True, key=f"signal_{int(item['signal_id'])}"):
            left, right = st.columns([3, 2])
            with left:
                flag = "**Yours** · " if mine and item["owner"] in mine else ""
                st.markdown(f"{flag}{signal_view.DIRECTION_BADGES[str(item['direction'])]}")
                st.markdown(f"**{text.markdown(item['sentence'])}**")
                st.caption(
                    f"Owner: {auth.plain(str(item['owner']))} · found {signal_view.when(item['found_at'])}"
                    + (
                        ""
                        if item["status"] == "open"
                        else " · closed: "
                        + auth.plain(signal_answers.answer_words(item) or str(item["closed_reason"] or ""))
                    )
                )
                st.page_link(
                    "app_pages/signals.py",
                    label="Answer or comment" if item["status"] == "open" else "Read the answer",
                    icon=":material/arrow_forward:",
                    query_params={"signal": str(int(item["signal_id"]))},
                )
            with right:
                st.markdown(
                    signal_view.chart(
                        str(item["measure_id"]),
                        str(item["locality_id"]),
                        periods=24,
                        small=True,
                        title=f"{item['locality_name']}, latest 24 values",
                    ),
                    unsafe_allow_html=True,
                )
    if len(shown) > 30:
        st.caption(f"The newest 30 of {len(shown)} are shown: narrow the filters to see the rest.")


def close_detail() -> None:
    st.query_params.pop("signal", None)


asked = st.query_params.get("signal")
opened = int(str(asked)) if asked and str(asked).isdigit() else None  # a link to one signal
if opened is not None:
    # set again after the sidebar's filters have written theirs, so the URL keeps it across reruns
    st.query_params["signal"] = str(opened)
    st.button("All signals", icon=":material/arrow_back:", on_click=close_detail)
    detail(opened)
else:
    listing()

if auth.can("manage_measures"):
    with st.expander("Owners' email addresses", icon=":material/contact_mail:"):
        st.caption(
            "Each owner's new signals are emailed to this address after a load. Link an owner to their "
            "sign-in so they see their signals first."
        )
        table = signal_view.owners()
        st.dataframe(
            table.rename(columns={"owner": "Owner", "email": "Email", "username": "Sign-in", "measures": "Measures"}),
            hide_index=True,
            width="stretch",
        )
        with st.form("owner_email"):
            name = st.selectbox("Owner", list(table["owner"]), key="owner_to_set")
            email = st.text_input("Email", key="owner_email_text")
            login = st.text_input("Sign-in (username), optional", key="owner_login")
            slots = {"email": st.empty(), "username": st.empty(), "owner": st.empty(), "": st.empty()}
            if st.form_submit_button("Save"):
                saved = saving.saved(
                    "manage_measures",
                    lambda con, by: signal_answers.set_owner(con, str(name), email, login or None, user=by.username),
                    slots,
                )
                if saved:
                    st.session_state["_signals_done"] = f"Saved the address of {name}."
                    st.rerun()
