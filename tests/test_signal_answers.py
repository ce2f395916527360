"""An answer for each signal: cause, action and outcome close the item; nothing is deleted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from perf import errors
from perf.intake import entry
from perf.signals import signal_answers
from perf.signals.signal_answers import Answer
from tests.test_signal_items import NOW, _db, _items

LATER = datetime(2025, 3, 22, 14, 30)


def _open_item(path: Path) -> tuple[duckdb.DuckDBPyConnection, int]:
    con = _db(path)
    done = entry.enter_value(con, "calls", date(2025, 1, 1), None, 160, user="amy", now=NOW)
    return con, done.signals.new[0]


def test_the_sentence_says_what_where_when_and_which_way() -> None:
    item = {
        "measure_name": "Fly-tipping reports",
        "locality_name": "Lickey Hills",
        "rule": "outside_limits,shift",
        "first_period": date(2026, 4, 1),
        "last_period": date(2026, 10, 1),
        "frequency": "month",
        "side": "high",
        "direction": "concerning",
    }
    assert signal_answers.sentence(item) == (
        "Fly-tipping reports, Lickey Hills: outside the limits and a run of points on one side of the average, "
        "from April 2026 to October 2026, higher than usual: concerning."
    )
    neutral = {**item, "rule": "two_of_three", "first_period": date(2026, 10, 1), "direction": "neutral", "side": "low"}
    assert signal_answers.sentence(neutral).endswith("in October 2026, lower than usual.")


def test_a_one_off_answer_closes_the_item_with_who_and_when(tmp_path: Path) -> None:
    con, sid = _open_item(tmp_path / "t.duckdb")
    signal_answers.answer(
        con,
        sid,
        Answer(True, "A burst water main flooded the depot.", "Crews moved back.", "one_off", exclude_from_limits=True),
        user="ann",
        now=LATER,
    )
    item = _items(con).iloc[0]
    assert (item["status"], item["closed_by"], item["closed_at"], item["closed_reason"]) == (
        "closed",
        "ann",
        LATER,
        "answered",
    )
    listed = signal_answers.items(con, status="recent", since=date(2025, 3, 1)).iloc[0]
    assert listed["cause"] == "A burst water main flooded the depot." and bool(listed["exclude_from_limits"])
    assert signal_answers.answer_words(listed) == (
        "Cause: A burst water main flooded the depot. Being done: Crews moved back. Outcome: A one-off with a "
        "known cause; left out of the limits. Answered by ann on 22 Mar 2025."
    )
    assert signal_answers.items(con, status="open").empty


def test_a_system_change_records_the_new_phase_with_its_reason(tmp_path: Path) -> None:
    con, sid = _open_item(tmp_path / "t.duckdb")
    signal_answers.answer(
        con,
        sid,
        Answer(
            True,
            "Bulky waste moved to an online booking.",
            "",
            "system_change",
            phase_label="Online bulky waste booking",
        ),
        user="ann",
        now=LATER,
    )
    phase = con.execute("SELECT measure_id, starts_on, label, description FROM phase").fetchall()
    assert phase == [
        ("calls", date(2025, 1, 1), "Online bulky waste booking", "Bulky waste moved to an online booking.")
    ]
    log = con.execute("SELECT changed_by, new_value FROM change_log WHERE table_name = 'phase'").fetchall()
    assert log == [("ann", f"phase 'Online bulky waste booking' starts (answer to signal {sid})")]


def test_cause_not_yet_known_is_said_so(tmp_path: Path) -> None:
    con, sid = _open_item(tmp_path / "t.duckdb")
    signal_answers.answer(con, sid, Answer(False, "", "Looking at the call logs.", "no_action"), user="ann", now=LATER)
    listed = signal_answers.items(con, status="recent", since=date(2025, 1, 1)).iloc[0]
    assert listed["cause"] == "Not yet known." and not bool(listed["cause_known"])
    assert signal_answers.answer_words(listed).startswith("Cause (not yet known): Not yet known.")


def test_an_answer_to_a_closed_item_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    con, sid = _open_item(tmp_path / "t.duckdb")
    signal_answers.answer(con, sid, Answer(True, "Storm.", "", "no_action"), user="ann", now=LATER)
    before = con.execute("SELECT * FROM signal_answer").fetchall()
    with pytest.raises(errors.InputError, match=r"closed on 22 Mar 2025 at 14:30 by ann \(it was answered\)"):
        signal_answers.answer(con, sid, Answer(True, "Something else.", "", "no_action"), user="bob")
    assert con.execute("SELECT * FROM signal_answer").fetchall() == before


def test_an_answer_to_an_item_closed_by_a_correction_says_so(tmp_path: Path) -> None:
    con, sid = _open_item(tmp_path / "t.duckdb")
    entry.enter_value(con, "calls", date(2025, 1, 1), None, 100, user="bob", now=LATER)
    with pytest.raises(errors.InputError, match="corrected value removed the signal"):
        signal_answers.answer(con, sid, Answer(True, "Storm.", "", "no_action"), user="ann")


def test_an_incomplete_answer_names_each_field_and_saves_nothing(tmp_path: Path) -> None:
    con, sid = _open_item(tmp_path / "t.duckdb")
    with pytest.raises(errors.InputError) as err:
        signal_answers.answer(con, sid, Answer(True, "", "", "system_change", exclude_from_limits=True), user="ann")
    fields = {p.column for p in err.value.problems}
    assert fields == {"cause", "phase_label", "exclude_from_limits"}
    assert _items(con).iloc[0]["status"] == "open" and con.execute("SELECT count(*) FROM phase").fetchone() == (0,)


def test_a_phase_that_does_not_start_a_period_is_refused(tmp_path: Path) -> None:
    con, sid = _open_item(tmp_path / "t.duckdb")
    with pytest.raises(errors.InputError, match="not the start of a month"):
        signal_answers.answer(
            con,
            sid,
            Answer(True, "New rota.", "", "system_change", phase_label="Rota", phase_starts_on=date(2025, 1, 15)),
            user="ann",
        )


def test_an_unknown_item_is_refused(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    with pytest.raises(errors.InputError, match="there is no signal '99'"):
        signal_answers.answer(con, 99, Answer(True, "x", "", "no_action"), user="ann")


def test_commentary_on_an_item_is_kept_with_it_even_once_closed(tmp_path: Path) -> None:
    con, sid = _open_item(tmp_path / "t.duckdb")
    signal_answers.add_note(con, sid, "Checked with the depot: <b>storm</b> damage.", author="ann", now=LATER)
    signal_answers.answer(con, sid, Answer(True, "Storm.", "", "no_action"), user="ann", now=LATER)
    signal_answers.add_note(con, sid, "Back to normal in February.", author="bob", now=LATER)
    notes = signal_answers.notes(con, measure_id="calls")
    assert notes["body"].tolist() == ["Checked with the depot: <b>storm</b> damage.", "Back to normal in February."]
    assert set(notes["signal_id"]) == {sid} and notes["author"].tolist() == ["ann", "bob"]
    with pytest.raises(errors.InputError, match="write something"):
        signal_answers.add_note(con, sid, "   ", author="ann")


def test_the_list_filters_public_view_to_published_measures(tmp_path: Path) -> None:
    con, _ = _open_item(tmp_path / "t.duckdb")
    assert len(signal_answers.items(con)) == 1
    con.execute("UPDATE measure SET published = FALSE WHERE measure_id = 'calls'")
    assert signal_answers.items(con, public_only=True).empty and len(signal_answers.items(con)) == 1


def test_a_user_is_the_owner_their_username_or_email_names(tmp_path: Path) -> None:
    con = _db(tmp_path / "t.duckdb")
    con.execute(
        "INSERT INTO app_user (username, display_name, role, password_hash, created_at) "
        "VALUES ('ann', 'Ann', 'officer', 'x', TIMESTAMP '2025-01-01')"
    )
    signal_answers.set_owner(con, "Head of Streets (Ann)", "Ann.Smith@council.example", "ann", user="admin")
    assert signal_answers.owners_of(con, "ann") == ["Head of Streets (Ann)"]
    assert signal_answers.owners_of(con, "ann.smith@council.example") == ["Head of Streets (Ann)"]
    assert signal_answers.owners_of(con, "bob") == []
    with pytest.raises(errors.InputError, match="not a user"):
        signal_answers.set_owner(con, "Head of Streets (Ann)", "a@council.example", "nobody", user="admin")
    owners = signal_answers.owners(con)
    assert isinstance(owners, pd.DataFrame) and owners["measures"].tolist() == [2]


@pytest.mark.parametrize("leave_out", [True, False])
def test_a_one_off_left_out_of_the_limits_no_longer_widens_them(tmp_path: Path, leave_out: bool) -> None:
    """A burst of 300 widens the limits so far that 125 next month looks ordinary; left out, it does not."""
    con = _db(tmp_path / "t.duckdb")
    burst = entry.enter_value(con, "calls", date(2025, 1, 1), None, 300, user="amy", now=NOW)
    signal_answers.answer(
        con,
        burst.signals.new[0],
        Answer(True, "A storm.", "", "one_off", exclude_from_limits=leave_out),
        user="ann",
        now=NOW,
    )
    after = entry.enter_value(con, "calls", date(2025, 2, 1), None, 125, user="amy", now=NOW)
    assert len(after.signals.new) == (1 if leave_out else 0)
    spans = signal_answers.excluded(con, "calls", "ALL")
    assert len(spans) == (1 if leave_out else 0)
    periods = pd.Series(pd.date_range("2024-11-01", periods=4, freq="MS"))
    assert signal_answers.excluded_positions(periods, spans) == ((2,) if leave_out else ())
