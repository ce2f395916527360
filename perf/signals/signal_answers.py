"""What happens to a signal after it is found: listed where people look, answered, and closed.

An answer says what caused the signal (known, or not yet known, in words), what is being done,
and the outcome: a change to the system (which records a new phase, so limits are worked out again
from it, as the Measures and phases page does), a one-off with a known cause (optionally left out
of the limits, the reason kept), or no action needed. Answering closes the item. Commentary on an
item stays tied to it. Every step records who and when; nothing is deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from perf import store
from perf.words import narrative
from perf.errors import InputError, Problem
from perf.errors import show
from perf.periods import period_start_problem
from perf.store import run
from perf.store import write_transaction

OUTCOMES = {
    "system_change": "A change to the system",
    "one_off": "A one-off with a known cause",
    "no_action": "No action needed",
}
DIRECTION_WORDS = {"improving": "improving", "concerning": "concerning", "neutral": "neither better nor worse"}
TEXT_MAX = 2000  # a cause or an action: a paragraph or two
LABEL_MAX = 80  # as a phase's label on the Measures and phases page
ANSWERED = "answered"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(
    r"^[^@\s,;<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
FIELD_LABELS = {
    "cause": "Cause",
    "action": "What is being done",
    "outcome": "Outcome",
    "phase_label": "The change",
    "phase_starts_on": "Changed from",
    "exclude_from_limits": "Leave out of the limits",
    "body": "Commentary",
    "signal_id": "Signal",
    "email": "Email",
    "username": "Username",
    "owner": "Owner",
}


def _field(column: str, reason: str) -> Problem:
    return Problem(None, column, None, f"{FIELD_LABELS.get(column, column)}: {reason}")


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_text(
    column: str, text: str, problems: list[Problem], *, required: str | None = None, limit: int = TEXT_MAX
) -> None:
    if not text and required:
        problems.append(_field(column, required))
    elif len(text) > limit:
        problems.append(_field(column, f"{len(text):,} characters is too long; the limit is {limit:,}."))
    if _CONTROL.search(text):
        problems.append(_field(column, "contains invisible control characters; remove them and save again."))


# ----------------------------------------------------------------------------------------------
# Words


def rule_words(rule: str) -> str:
    """'a run of points on one side of the average and two of three points near a limit'."""
    words = [narrative.RULE_WORDS.get(r, r.replace("_", " ")) for r in str(rule).split(",") if r]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def periods_words(first: Any, last: Any, frequency: str) -> str:
    """'in October 2026', or 'from April 2026 to October 2026'."""
    a, b = narrative.period_label(first, frequency), narrative.period_label(last, frequency)
    return f"in {a}" if a == b else f"from {a} to {b}"


def sentence(item: pd.Series | dict[str, Any]) -> str:
    """What the signal is, in words: 'Fly-tipping reports, Lickey Hills: a run of points on one side
    of the average, from April 2026 to October 2026, higher than usual: concerning.'"""
    side = "higher" if item["side"] == "high" else "lower"
    direction = str(item["direction"])
    verdict = f": {DIRECTION_WORDS[direction]}" if direction != "neutral" else ""
    return (
        f"{item['measure_name']}, {item['locality_name']}: {rule_words(str(item['rule']))}, "
        f"{periods_words(item['first_period'], item['last_period'], str(item['frequency']))}, "
        f"{side} than usual{verdict}."
    )


def answer_words(item: pd.Series | dict[str, Any]) -> str:
    """The answer as a short paragraph, or '' when there is none yet."""
    outcome = item.get("outcome")
    if outcome is None or (isinstance(outcome, float) and pd.isna(outcome)):
        return ""
    known = bool(item.get("cause_known"))
    cause = str(item.get("cause") or "")
    parts = [f"Cause{'' if known else ' (not yet known)'}: {cause}" if cause else "Cause: not yet known."]
    action = str(item.get("action") or "").strip()
    if action:
        parts.append(f"Being done: {action}")
    outcome_text = OUTCOMES.get(str(outcome), str(outcome))
    if outcome == "system_change" and pd.notna(item.get("phase_starts_on")):
        outcome_text += f"; a new phase from {pd.Timestamp(item['phase_starts_on']):%-d %b %Y}"
    if outcome == "one_off" and bool(item.get("exclude_from_limits")):
        outcome_text += "; left out of the limits"
    parts.append(f"Outcome: {outcome_text}.")
    who = item.get("answered_by")
    when = item.get("answered_at")
    if who and when is not None and pd.notna(when):
        parts.append(f"Answered by {who} on {pd.Timestamp(when):%-d %b %Y}.")
    return " ".join(p if p.endswith(".") else p + "." for p in parts)


# ----------------------------------------------------------------------------------------------
# Reading


def items(
    con: duckdb.DuckDBPyConnection, *, status: str = "open", since: date | None = None, public_only: bool = False
) -> pd.DataFrame:
    """Signal items, newest first: 'open', or 'recent' (open, or closed on or after ``since``).

    One row per item with its measure, purpose, portfolio, place, owner and address, its answer
    and a ``sentence`` in words.
    """
    if status not in ("open", "recent"):
        raise ValueError(f"status must be 'open' or 'recent', got {status!r}")
    frame = store.query(
        con, "signal_list", {"status": status, "since": since or date(1900, 1, 1), "public_only": public_only}
    )
    frame["sentence"] = [sentence(row) for _, row in frame.iterrows()] if len(frame) else pd.Series(dtype=str)
    return frame


def for_measure(con: duckdb.DuckDBPyConnection, measure_id: str, locality_id: str) -> pd.DataFrame:
    """Every item of a measure in a place, newest first, with its answer."""
    return store.query(con, "signal_for_measure", {"measure_id": measure_id, "locality_id": locality_id})


def notes(
    con: duckdb.DuckDBPyConnection, *, measure_id: str | None = None, signal_id: int | None = None
) -> pd.DataFrame:
    """Commentary on a measure's items (or one item's), oldest first."""
    return store.query(con, "signal_notes", {"measure_id": measure_id, "signal_id": signal_id})


def excluded(con: duckdb.DuckDBPyConnection, measure_id: str, locality_id: str) -> pd.DataFrame:
    """The periods of a measure in a place that one-off answers left out of the limits, with the cause
    (none from a published snapshot, which holds the periods only)."""
    return _excluded(con, {"all": False, "measure_ids": [measure_id], "locality_id": locality_id})


def all_excluded(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every period one-off answers left out of the limits, every measure and place (none in a database
    built before signal items): for the Overview and packs, which chart many measures at once."""
    return _excluded(con, {"all": True, "measure_ids": [], "locality_id": None})


def _excluded(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> pd.DataFrame:
    """The answers' spans (the council's database) and a published snapshot's copy of them
    (``excluded_period``, perf.output.publish): one of the two is empty, so the council's app, its
    public-view preview, the public app and the static site all leave the same periods out."""
    found = [
        store.query(con, sql, params)
        for table, sql in (("signal_answer", "signal_excluded"), ("excluded_period", "excluded_period"))
        if store.has_table(con, table)
    ]
    if not found:
        return pd.DataFrame(columns=["measure_id", "locality_id", "first_period", "last_period"])
    if len(found) == 1 or found[1].empty:
        return found[0]
    if found[0].empty:
        return found[1]
    return pd.concat(found, ignore_index=True)


def excluded_positions(periods: pd.Series, spans: pd.DataFrame) -> tuple[int, ...]:
    """Positions in ``periods`` inside any excluded span (first_period to last_period)."""
    days = pd.to_datetime(pd.Series(periods)).reset_index(drop=True)
    hit = pd.Series(False, index=days.index)
    for first, last in zip(pd.to_datetime(spans["first_period"]), pd.to_datetime(spans["last_period"]), strict=True):
        hit |= (days >= first) & (days <= last)
    return tuple(int(i) for i in days.index[hit])


def owners(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every measure owner with their email address and sign-in, if recorded."""
    return store.query(con, "owner_list")


def owners_of(con: duckdb.DuckDBPyConnection, username: str) -> list[str]:
    """The owners a signed-in user is (by their username, or with single sign-on, their email)."""
    return [str(o) for o in store.query(con, "owner_of_user", {"username": username})["owner"]]


# ----------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True)
class Answer:
    """What the owner (or an officer) says about a signal."""

    cause_known: bool
    cause: str
    action: str
    outcome: str
    exclude_from_limits: bool = False
    phase_label: str = ""
    phase_starts_on: date | None = None


def _item(con: duckdb.DuckDBPyConnection, signal_id: int) -> dict[str, Any] | None:
    frame = store.query(con, "signal_get", {"signal_id": int(signal_id)})
    return None if frame.empty else {str(k): v for k, v in frame.iloc[0].to_dict().items()}


def closed_message(item: dict[str, Any]) -> str:
    """Why a closed item takes no answer, saying who closed it, when and why."""
    when = pd.Timestamp(item["closed_at"])
    why = "it was answered" if item.get("closed_reason") == ANSWERED else str(item.get("closed_reason") or "")
    return (
        f"This signal was closed on {when:%-d %b %Y at %H:%M} by {item.get('closed_by') or 'someone'}"
        f" ({why.rstrip('.')}), so it takes no further answer. Nothing was saved; add commentary instead."
    )


def answer(
    con: duckdb.DuckDBPyConnection, signal_id: int, given: Answer, *, user: str, now: datetime | None = None
) -> None:
    """Record the answer and close the item, in one transaction; a system change also records its phase.

    Raises InputError (each problem naming its field) when the item is unknown or already closed,
    or the answer is incomplete; nothing is saved then.
    """
    now = now or datetime.now()
    if not user.strip():
        raise ValueError("user must name who is answering")
    item = _item(con, signal_id)
    if item is None:
        raise InputError([_field("signal_id", f"there is no signal {show(str(signal_id))}.")])
    if item["status"] != "open":
        raise InputError([_field("signal_id", closed_message(item))])
    problems: list[Problem] = []
    cause, action, label = _clean(given.cause), _clean(given.action), _clean(given.phase_label)
    if not given.cause_known and not cause:
        cause = "Not yet known."
    _check_text("cause", cause, problems, required="say what caused it, or choose 'not yet known'.")
    _check_text("action", action, problems)
    if given.outcome not in OUTCOMES:
        problems.append(_field("outcome", f"choose one of: {', '.join(OUTCOMES.values())}."))
    starts_on: date | None = None
    if given.outcome == "system_change":
        _check_text(
            "phase_label", label, problems, required="name the change, e.g. 'New repairs triage'.", limit=LABEL_MAX
        )
        starts_on = given.phase_starts_on or pd.Timestamp(item["first_period"]).date()
        wrong = period_start_problem(starts_on, str(item["frequency"]))
        if wrong:
            problems.append(_field("phase_starts_on", wrong))
        elif not store.query(
            con, "measure_admin_phase_get", {"measure_id": item["measure_id"], "starts_on": starts_on}
        ).empty:
            problems.append(
                _field("phase_starts_on", f"a phase of this measure already starts on {starts_on.isoformat()}.")
            )
    if given.exclude_from_limits and given.outcome != "one_off":
        problems.append(
            _field("exclude_from_limits", "only a one-off with a known cause can be left out of the limits.")
        )
    if given.exclude_from_limits and not given.cause_known:
        problems.append(_field("exclude_from_limits", "say what the cause was before leaving the points out."))
    if problems:
        raise InputError(problems)
    with write_transaction(con) as cur:
        closed = run(cur, "signal_close", {"signal_id": int(signal_id), "now": now, "user": user, "reason": ANSWERED})
        if closed.empty:  # closed by someone else since it was read
            fresh = _item(con, signal_id)
            raise InputError([_field("signal_id", closed_message(fresh or item))])
        run(
            cur,
            "signal_answer_insert",
            {
                "signal_id": int(signal_id),
                "cause_known": bool(given.cause_known),
                "cause": cause,
                "action": action or None,
                "outcome": given.outcome,
                "exclude_from_limits": bool(given.exclude_from_limits),
                "phase_starts_on": starts_on,
                "user": user,
                "now": now,
            },
        )
        if starts_on is not None:
            run(
                cur,
                "measure_admin_phase_insert",
                {"measure_id": item["measure_id"], "starts_on": starts_on, "label": label, "description": cause},
            )
            run(
                cur,
                "measure_admin_log",
                {
                    "table_name": "phase",
                    "row_key": f"{item['measure_id']}|{starts_on}",
                    "column_name": None,
                    "old_value": None,
                    "new_value": f"phase '{label}' starts (answer to signal {int(signal_id)})",
                    "user": user,
                    "now": now,
                },
            )


def add_note(
    con: duckdb.DuckDBPyConnection, signal_id: int, body: str, *, author: str, now: datetime | None = None
) -> None:
    """Commentary on an item, open or closed: kept as plain text, tied to the item."""
    now = now or datetime.now()
    problems: list[Problem] = []
    if _item(con, signal_id) is None:
        problems.append(_field("signal_id", f"there is no signal {show(str(signal_id))}."))
    text = _clean(body)
    _check_text("body", text, problems, required="write something before saving.", limit=4000)
    if not author.strip():
        problems.append(_field("body", "say who wrote this (sign in first)."))
    if problems:
        raise InputError(problems)
    with write_transaction(con) as cur:
        run(
            cur, "signal_note_insert", {"signal_id": int(signal_id), "body": text, "author": author.strip(), "now": now}
        )


def set_owner(
    con: duckdb.DuckDBPyConnection,
    owner: str,
    email: str,
    username: str | None = None,
    *,
    user: str,
    now: datetime | None = None,
) -> None:
    """Record where an owner's digest goes (and, optionally, which sign-in is theirs)."""
    now = now or datetime.now()
    problems: list[Problem] = []
    known = owners(con)
    if owner not in set(known["owner"]):
        problems.append(_field("owner", f"{show(owner)} owns no measure."))
    address = (email or "").strip()
    if address and not _EMAIL.match(address):
        problems.append(_field("email", f"{show(address)} is not an email address (name@council.gov.uk)."))
    login = (username or "").strip() or None
    if login is not None and store.query(con, "users_get", {"username": login}).empty:
        problems.append(_field("username", f"{show(login)} is not a user; add them on the Users page first."))
    if problems:
        raise InputError(problems)
    old = known[known["owner"] == owner]
    with write_transaction(con) as cur:
        run(cur, "owner_upsert", {"owner": owner, "email": address or None, "username": login})
        run(
            cur,
            "measure_admin_log",
            {
                "table_name": "owner",
                "row_key": owner,
                "column_name": "email",
                "old_value": None if old.empty or pd.isna(old["email"].iloc[0]) else str(old["email"].iloc[0]),
                "new_value": address or None,
                "user": user,
                "now": now,
            },
        )


def valid_email(address: str) -> bool:
    """True for an address a digest can be sent to (one address, a domain with a dot)."""
    return bool(_EMAIL.match(address or ""))
