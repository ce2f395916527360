"""Signal items where people look: cached queries, an item's chart and words, and the short panels
the Overview and the Measure page show (kept here, so those pages change by a line or two)."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from perf import store
from perf.output import measure_chart
from perf.analysis import measures
from perf.drawing import svg
from perf.signals import alerts, signal_answers, signal_items
from ui import auth, cached
from ui.db import cached_query, reading, writing

RECENT_DAYS = 90  # "recently closed": a quarter, the span between most performance reviews
DIRECTION_BADGES = {
    "improving": ":material/trending_up: Improving",
    "concerning": ":material/warning: Concerning",
    "neutral": ":material/swap_vert: Neither better nor worse",
}


@cached_query(4)
def ready(con: duckdb.DuckDBPyConnection) -> bool:
    """False for a database built before signal items (its next load, or a rebuild, adds them)."""
    return store.has_table(con, "signal_item")


@cached_query(16)
def items(con: duckdb.DuckDBPyConnection, status: str, since: date | None, public_only: bool) -> pd.DataFrame:
    return signal_answers.items(con, status=status, since=since, public_only=public_only)


@cached_query(64)
def for_measure(con: duckdb.DuckDBPyConnection, measure_id: str, locality_id: str) -> pd.DataFrame:
    return signal_answers.for_measure(con, measure_id, locality_id)


@cached_query(64)
def notes(con: duckdb.DuckDBPyConnection, measure_id: str | None = None, signal_id: int | None = None) -> pd.DataFrame:
    return signal_answers.notes(con, measure_id=measure_id, signal_id=signal_id)


@cached_query(64)
def excluded(con: duckdb.DuckDBPyConnection, measure_id: str, locality_id: str) -> pd.DataFrame:
    return signal_answers.excluded(con, measure_id, locality_id)


def excluded_spans(measure_id: str, locality_id: str) -> pd.DataFrame | None:
    """The periods one-off answers left out of this series' limits (None before signal items existed)."""
    return excluded(measure_id, locality_id) if ready() else None


@cached_query(8)
def owners(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return signal_answers.owners(con)


@cached_query(64)
def owners_of(con: duckdb.DuckDBPyConnection, username: str) -> list[str]:
    return signal_answers.owners_of(con, username)


@cached_query(8)
def recent_alerts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return alerts.recent(con, 20)


def my_owners() -> list[str]:
    """The owners the signed-in person is (a Head of Service sees their own signals first)."""
    who = auth.user()
    return owners_of(who.username) if who is not None and who.role != "public" else []


def open_by_purpose(public_only: bool) -> pd.Series:
    """Open items per strategic purpose id."""
    if not ready():
        return pd.Series(dtype=int)
    frame = items("open", None, public_only)
    return frame.groupby("purpose_id").size() if len(frame) else pd.Series(dtype=int)


def email_status() -> str | None:
    """Why owners are not being emailed, or None when email is set up."""
    try:
        config = alerts.settings()
    except ValueError as err:
        return f"The email settings cannot be read, so no signal digest is sent: {err}"
    if config is None:
        return (
            "Email is not set up, so owners are not told of new signals by email; nothing is sent. "
            "Set `[smtp]` in `.streamlit/secrets.toml` (or OUTSIDE_IN_SMTP_HOST): see the README."
        )
    return None


def chart(
    measure_id: str, locality_id: str, *, title: str, periods: int = 36, height: int = 260, small: bool = False
) -> str:
    """The item's control chart as inline SVG: the latest ``periods`` values, limits per phase
    (``small``: the compact panel the By locality page uses, for a list of many)."""
    cat = cached.catalogue(False)
    if measure_id not in set(cat["measure_id"]):
        return ""
    m = measures.measure_of(cat, measure_id)
    data = cached.series(measure_id, locality_id, False)
    if data.empty:
        return ""
    built = measure_chart.build(
        m,
        data,
        cached.phases(measure_id, False),
        excluded=excluded_spans(measure_id, locality_id),
        chart_of=cached.xmr_for,
        place=locality_id,
    )
    shown = built.data.index[-periods:]
    if small:
        # drawn about 330 px wide in a list card: a 220-unit viewBox keeps its 12-unit text above 14 px
        return svg.small_control_chart(built.chart.points.loc[shown], title=title, width=220, height=90)
    return svg.xmr_chart(
        built.chart.points.loc[shown],
        built.data.loc[shown, "period_start"],
        title=title,
        y_title=m.unit,
        height=height,
        label=f"Control chart of {m.name}, the latest {len(shown)} values.",
    )


def when(value: Any) -> str:
    """A moment (a Timestamp, datetime or ISO text from a query row) as '7 Dec 2026 09:30'."""
    stamp = pd.Timestamp(value)
    return f"{stamp:%-d %b %Y %H:%M}"


def measure_panel(measure_id: str, locality_id: str, *, public_only: bool) -> None:
    """Signals on this chart, with their answers and commentary: shown beside the flagged points."""
    if public_only or not ready():
        return
    found = for_measure(measure_id, locality_id)
    if found.empty:
        return
    frequency = str(cached.catalogue(False).set_index("measure_id").loc[measure_id, "frequency"])
    said = notes(measure_id)
    st.markdown("#### Signals on this chart")
    for _, item in found.head(6).iterrows():
        with st.container(border=True):
            span = signal_answers.periods_words(item["first_period"], item["last_period"], frequency)
            state = (
                "open" if item["status"] == "open" else "answered" if item["closed_reason"] == "answered" else "closed"
            )
            st.markdown(
                f"**{html.escape(signal_answers.rule_words(str(item['rule'])).capitalize())}**, {span} "
                f"· {DIRECTION_BADGES[str(item['direction'])]} · {state}"
            )
            words = signal_answers.answer_words(item)
            if words:
                st.text(words)
            elif item["status"] != "open":
                st.caption(auth.plain(str(item["closed_reason"] or "")))
            for _, note in said[said["signal_id"] == item["signal_id"]].iterrows():
                st.caption(f"{when(note['written_at'])} · {auth.plain(str(note['author']))}")
                st.text(str(note["body"]))
            st.page_link(
                "app_pages/signals.py",
                label="Answer or comment" if item["status"] == "open" else "Open on the Signals page",
                icon=":material/arrow_forward:",
                query_params={"signal": str(int(item["signal_id"]))},
            )


def overview_line(purpose_id: str, counts: pd.Series, purpose_name: str) -> None:
    """'3 open signals' under a purpose on the Overview, linking to them on the Signals page."""
    n = int(counts.get(purpose_id, 0))
    if n == 0:
        st.caption("No open signals.")
        return
    st.page_link(
        "app_pages/signals.py",
        label=f"{n} open signal{'' if n == 1 else 's'}: answer them",
        icon=":material/notifications_active:",
        query_params={"signal_purpose": purpose_name},
    )


def since_recent() -> date:
    return date.today() - timedelta(days=RECENT_DAYS)


def read_item(signal_id: int) -> dict[str, object] | None:
    """One item, fresh from the database (the detail view answers what is there now)."""
    with reading() as con:
        frame = signal_answers.items(con, status="recent", since=date(1900, 1, 1))
    row = frame[frame["signal_id"] == signal_id]
    return None if row.empty else {str(k): v for k, v in row.iloc[0].to_dict().items()}


def after_load(found: signal_items.Found) -> tuple[str, bool]:
    """Tell owners of the signals a load found; returns what happened, in words, and whether all went well.

    Sent with no database lock held (``perf.signals.alerts.deliver``); a mail failure never undoes the load.
    """
    if not found.new and not found.closed:
        return "", True
    text = found.summary.strip()
    if not found.new:
        return text, True
    try:
        config = alerts.settings()
    except ValueError as err:
        return f"{text} Signal digests not sent: {err}", False
    delivery = alerts.deliver(reading, writing, config)
    return f"{text} {delivery.summary}", not delivery.failures and delivery.configured
