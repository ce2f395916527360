"""Measures and phases: add a measure with its definition and data-quality notes, record a system change,
publish a measure or change its target."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import duckdb
import streamlit as st

from perf.analysis import measures
from perf.intake import entry
from ui import auth, cached, cached_entry, saving

auth.require("manage_measures")
st.title("Measures and phases")
done = st.session_state.pop("_manage_done", None)
if done:
    st.success(done, icon=":material/check_circle:")


def number_or_text(text: str) -> float | str | None:
    """A typed target: blank is none; text that isn't a number goes to the engine, which says so."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def save(message: str, change: Callable[[duckdb.DuckDBPyConnection, str], object], slots: Mapping[str, Any]) -> None:
    """Make the change as the signed-in admin; each problem goes under its field."""
    if saving.save_as("manage_measures", lambda con, who: change(con, who.username) or True, slots):
        st.session_state["_manage_done"] = message
        st.rerun()


catalogue = cached.catalogue(False)
names = dict(zip(catalogue["measure_id"], catalogue["name"], strict=True))
purposes = cached_entry.all_purposes()
purpose_names = {
    r["purpose_id"]: ("" if r["kind"] == "strategic" else "↳ ") + str(r["name"]) for _, r in purposes.iterrows()
}
LABELS = {**entry.FIELD_LABELS, "measure_id": "Measure ID"}
add, phase, edit = st.tabs(["Add a measure", "Record a system change", "Publish or change a target"])

with add, st.form("add_measure"):
    slots: dict[str, Any] = {}

    def field(name: str, widget: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        value = widget(LABELS[name], *args, key=f"m_{name}", **kwargs)
        slots[name] = st.empty()
        return value

    f: dict[str, Any] = {}
    f["measure_id"] = field(
        "measure_id", st.text_input, help="A short ID, e.g. 'repairs-demand'; it can't change later."
    )
    f["name"] = field("name", st.text_input)
    f["purpose_id"] = field("purpose_id", st.selectbox, list(purpose_names), format_func=purpose_names.__getitem__)
    cols = st.columns(4)
    with cols[0]:
        f["kind"] = field("kind", st.selectbox, entry.KINDS, index=1, format_func=str.capitalize)
    with cols[1]:
        f["frequency"] = field(
            "frequency", st.selectbox, entry.FREQUENCIES, index=1, format_func=lambda f: f"Every {f}"
        )
    with cols[2]:
        f["improvement"] = field(
            "improvement",
            st.selectbox,
            entry.IMPROVEMENTS,
            format_func={"up": "Higher is better", "down": "Lower is better", "neutral": "Neither"}.__getitem__,
        )
    with cols[3]:
        f["aggregation"] = field(
            "aggregation",
            st.selectbox,
            entry.AGGREGATIONS,
            format_func=str.capitalize,
            help="How weekly or monthly figures add up to longer periods and larger areas.",
        )
    cols = st.columns(4)
    with cols[0]:
        f["unit"] = field("unit", st.text_input, help="e.g. contacts, days, %, £")
    with cols[1]:
        target_text = field("target", st.text_input, help="Optional.")
    with cols[2]:
        f["decimals"] = field("decimals", st.number_input, min_value=0, max_value=6, value=0, step=1)
    with cols[3]:
        f["by_locality"] = field("by_locality", st.checkbox, help="Recorded for each ward, not only the whole area.")
        f["published"] = field(
            "published", st.checkbox, help="Shown in the public view. Leave unpublished until it has data."
        )
    f["owner"] = field("owner", st.text_input)
    f["definition"] = field("definition", st.text_area, height=80)
    f["source"] = field("source", st.text_input)
    st.markdown("**Data quality notes** — one line each on how far the figures can be trusted.")
    halves = st.columns(2)
    for i, note in enumerate(entry.DQ_NOTES):
        with halves[i % 2]:
            f[note] = field(note, st.text_area, height=68)
    slots[""] = st.empty()
    if st.form_submit_button("Add the measure", type="primary"):
        values: dict[str, Any] = {
            k: (v.strip() or None) if isinstance(v, str) and k not in ("measure_id", "name", "unit") else v
            for k, v in f.items()
        }
        values["target"] = number_or_text(target_text)
        values["decimals"] = int(f["decimals"])
        save(
            f"Added {auth.plain(f['name'].strip())} (unpublished measures are shown to officers only).",
            lambda con, by: entry.add_measure(con, user=by, **values),
            slots,
        )

if not names:
    st.stop()
with phase, st.form("add_phase"):
    st.caption("Where the system was changed: control limits are worked out again from this period on.")
    pslots: dict[str, Any] = {}
    measure_id = st.selectbox("Measure", list(names), format_func=names.__getitem__, key="p_measure")
    pslots["measure_id"] = st.empty()
    starts_on = st.date_input(
        "The change starts with the period starting",
        key="p_starts",
        format="DD/MM/YYYY",
        value=None,
        help="The first day of a week (Monday), month or quarter.",
    )
    pslots["starts_on"] = st.empty()
    label = st.text_input("Label", max_chars=80, key="p_label", placeholder="e.g. New repairs triage")
    pslots["label"] = st.empty()
    description = st.text_area("What changed (optional)", key="p_description", height=80)
    pslots["description"] = st.empty()
    pslots[""] = st.empty()
    if st.form_submit_button("Record the change", type="primary"):
        save(
            f"Recorded '{auth.plain(label.strip())}' on {auth.plain(names[measure_id])}.",
            lambda con, by: entry.add_phase(
                con, measure_id, starts_on if starts_on is not None else "", label, description.strip() or None, user=by
            ),
            pslots,
        )

with edit:
    chosen = st.selectbox("Measure", list(names), format_func=names.__getitem__, key="e_measure")
    m = measures.measure_of(catalogue, chosen)
    with st.form("edit_measure"):
        eslots: dict[str, Any] = {}
        published = st.checkbox("Published (shown in the public view)", value=m.published, key=f"e_published_{chosen}")
        eslots["published"] = st.empty()
        target = st.text_input(
            "Target",
            value="" if m.target is None else f"{m.target:g}",
            key=f"e_target_{chosen}",
            help="Blank for no target.",
        )
        eslots["target"] = st.empty()
        eslots[""] = st.empty()
        if st.form_submit_button("Save", type="primary"):
            save(
                f"Saved {auth.plain(names[chosen])}.",
                lambda con, by: entry.update_measure(
                    con, chosen, {"published": published, "target": number_or_text(target)}, user=by
                ),
                eslots,
            )
