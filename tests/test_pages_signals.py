"""The signal loop through app.py (AppTest): a load opens an item, the Overview and the Signals page
show it, its owner answers it, and the Measure page shows the answer beside the chart."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from perf import store
from perf.access import users
from perf.intake import save
from perf.signals import signal_answers
from tests.conftest import shown
from tests.test_pages_data import open_page

FAST = users.ScryptCost(2**10, 8, 1)
OWNER = "Leisure Services Manager (Jonathan Reeve)"
NEW_SIGNAL_CSV = b"measure_id,period_start,value\nleisure-visits,2026-11-01,330000\n"
SENTENCE = "Leisure centre visits, Whole area: outside the limits, in November 2026, higher than usual: improving."
PURPOSE = "Provide good things for me to do, see and visit"


@pytest.fixture()
def db(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the sample with an officer (amy), an admin (ada) and the leisure owner (jon), signed in by name."""
    copy = tmp_path / "outside_in.duckdb"
    shutil.copyfile(sample_db, copy)
    with store.connect(copy, read_only=False) as con:
        for name, role in (("amy", "officer"), ("ada", "admin"), ("jon", "officer")):
            users.create_user(
                con, name, "a long enough password", role, display_name=name.title(), created_by="test", cost=FAST
            )
        signal_answers.set_owner(con, OWNER, "jonathan.reeve@council.example", "jon", user="test")
    monkeypatch.setenv("OUTSIDE_IN_DB", str(copy))
    for var in ("OUTSIDE_IN_PUBLIC", "OUTSIDE_IN_SMTP_HOST", "OUTSIDE_IN_SECRETS"):
        monkeypatch.delenv(var, raising=False)
    yield copy


def _load(path: Path) -> int:
    with store.connect(path, read_only=False) as con:
        _, done = save.load_upload(con, NEW_SIGNAL_CSV, "november.csv", user="amy", now=datetime(2026, 12, 1, 9))
    assert done is not None and len(done.signals.new) == 1
    return done.signals.new[0]


def _links(at: AppTest) -> list[str]:
    return [str(e.proto.label) for e in at.get("page_link")]


def _text(at: AppTest) -> str:
    return "\n".join(shown(str(m.value)) for m in [*at.markdown, *at.caption, *at.text, *at.info, *at.warning])


def test_visitors_cannot_open_the_signals_page(db: Path) -> None:
    at = open_page("signals")  # not in a visitor's menu: the link falls back to the Overview
    assert at.title[0].value == "Overview" and "Signals" not in [t.value for t in at.title]


def test_the_overview_counts_open_signals_per_purpose_for_officers_only(db: Path) -> None:
    before = open_page("overview", "amy")
    _load(db)
    after = open_page("overview", "amy")
    counted = lambda at: [t for t in _links(at) if "open signal" in t]  # noqa: E731
    none = lambda at: [c.value for c in at.caption if c.value == "No open signals."]  # noqa: E731
    # leisure's purpose had no open signal: it now has one, and one fewer purpose says it has none
    assert len(counted(after)) == len(counted(before)) + 1 and len(none(after)) == len(none(before)) - 1
    assert counted(after).count("1 open signal: answer them") == counted(before).count("1 open signal: answer them") + 1
    assert not [t for t in _links(open_page("overview")) if "open signal" in t]


def test_the_new_signal_is_listed_with_its_sentence_and_chart_and_the_owner_sees_it_first(db: Path) -> None:
    _load(db)
    at = open_page("signals", "jon")
    assert at.title[0].value == "Signals"
    assert any("Email is not set up" in w.value for w in at.warning)
    cards = [shown(m.value) for m in at.markdown]  # Markdown escapes out (perf.words.text)
    mine = next(i for i, v in enumerate(cards) if v.startswith("**Yours**"))
    assert cards[mine + 1] == f"**{SENTENCE}**"
    assert not any(v.startswith("**Yours**") for v in cards[:mine])
    assert any(
        "<svg" in v and "Small control chart for Whole area, latest 24 values" in v for v in cards[mine : mine + 4]
    )
    others = open_page("signals", "amy")
    assert not any(m.value.startswith("**Yours**") for m in others.markdown)


def test_filters_narrow_the_list_and_live_in_the_url(db: Path) -> None:
    _load(db)
    at = open_page("signals", "amy", owner=OWNER, direction="Improving")
    assert f"**{SENTENCE}**" in [shown(m.value) for m in at.markdown]
    assert any(c.value.startswith("1 of ") for c in at.caption)
    none = open_page("signals", "amy", owner=OWNER, direction="Concerning")
    assert "No signals match these filters." in none.info[0].value
    by_purpose = open_page("signals", "amy", signal_purpose=PURPOSE)
    assert by_purpose.selectbox(key="signal_purpose").value == PURPOSE
    sentences = [
        shown(m.value)
        for m in by_purpose.markdown
        if shown(m.value).startswith("**") and shown(m.value).endswith(".**")
    ]
    assert sentences == [f"**{SENTENCE}**"]  # the only open signal of that purpose


def test_the_owner_answers_and_the_item_closes_and_shows_on_the_measure_page(db: Path) -> None:
    sid = _load(db)
    at = open_page("signals", "jon", signal=str(sid))
    assert shown(at.markdown[0].value).endswith(SENTENCE) or SENTENCE in _text(at)
    at.text_area(key=f"cause_{sid}").input("The new pool opened with free swims for the first month.")
    at.text_area(key=f"action_{sid}").input("Nothing: visits will settle once the offer ends.")
    at.radio(key=f"outcome_{sid}").set_value("one_off")
    at.checkbox(key=f"exclude_{sid}").check()
    next(b for b in at.button if b.label == "Save the answer and close the signal").click().run()
    assert not at.exception, at.exception
    assert "Answer saved: the signal is closed." in [s.value for s in at.success]
    with store.connect(db) as con:
        row = con.execute(
            "SELECT status, closed_by, closed_reason FROM signal_item WHERE signal_id = ?", [sid]
        ).fetchone()
        answer = con.execute("SELECT outcome, exclude_from_limits, answered_by FROM signal_answer").fetchall()
    assert row == ("closed", "jon", "answered") and answer == [("one_off", True, "jon")]
    # the Measure page shows the answer beside the chart
    measure = open_page("measure", "amy", measure="Leisure centre visits")
    assert "Signals on this chart" in _text(measure)
    assert any("The new pool opened with free swims" in t.value for t in measure.text)
    # the public see no answers
    public = open_page("measure", None, measure="Leisure centre visits")
    assert "Signals on this chart" not in _text(public)


def test_an_incomplete_answer_says_what_is_missing_and_keeps_the_item_open(db: Path) -> None:
    sid = _load(db)
    at = open_page("signals", "jon", signal=str(sid))
    at.radio(key=f"outcome_{sid}").set_value("system_change")
    next(b for b in at.button if b.label == "Save the answer and close the signal").click().run()
    errors = [shown(e.value) for e in at.error]
    assert any("Cause: say what caused it" in e for e in errors)
    assert any("The change: name the change" in e for e in errors)
    with store.connect(db) as con:
        assert con.execute("SELECT status FROM signal_item WHERE signal_id = ?", [sid]).fetchone() == ("open",)


def test_a_closed_item_offers_no_answer_form_but_takes_commentary(db: Path) -> None:
    sid = _load(db)
    with store.connect(db, read_only=False) as con:
        signal_answers.answer(con, sid, signal_answers.Answer(True, "Free swims.", "", "no_action"), user="jon")
    at = open_page("signals", "amy", signal=str(sid))
    assert not [b for b in at.button if b.label == "Save the answer and close the signal"]
    assert any("Cause: Free swims." in t.value for t in at.text)
    at.text_area(key=f"note_body_{sid}").input("Visits back to normal in December.")
    next(b for b in at.button if b.label == "Add commentary").click().run()
    assert "Commentary saved." in [s.value for s in at.success]
    assert any(t.value == "Visits back to normal in December." for t in at.text)


def test_an_admin_sets_an_owner_address_and_a_bad_one_is_refused(db: Path) -> None:
    at = open_page("signals", "ada")
    at.selectbox(key="owner_to_set").set_value(OWNER)
    at.text_input(key="owner_email_text").input("not an address")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("is not an email address" in e.value for e in at.error)
    at.text_input(key="owner_email_text").input("j.reeve@council.example")
    next(b for b in at.button if b.label == "Save").click().run()
    with store.connect(db) as con:  # through the app's instance if this process has it open
        assert con.execute("SELECT email FROM owner WHERE owner = ?", [OWNER]).fetchone() == (
            "j.reeve@council.example",
        )


def test_an_upload_that_finds_a_new_signal_emails_its_owner(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.smtp_server import smtp_env, smtp_server

    with smtp_server(tmp_path) as (port, cert, received):
        for key, value in smtp_env(port, cert).items():
            monkeypatch.setenv(key, value)
        at = open_page("upload", "amy")
        at.file_uploader[0].upload("november.csv", NEW_SIGNAL_CSV, "text/csv").run()
        next(b for b in at.button if b.label == "Accept and load").click().run()
        assert not at.exception, at.exception
    assert at.success[0].value == (
        "Loaded 1 measure value from november.csv: 1 new, 0 corrected, 0 unchanged. 1 new signal."
    )
    assert any(i.value == "1 new signal. Signal digests: 1 sent." for i in at.info)
    assert [rcpts for rcpts, _ in received.messages] == [["jonathan.reeve@council.example"]]
    body = received.messages[0][1].get_payload(decode=True).decode()
    assert SENTENCE in body and "http://outside-in.test/measure?measure=Leisure+centre+visits" in body


def test_an_upload_still_loads_when_the_mail_server_refuses(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.smtp_server import smtp_env, smtp_server

    with smtp_server(tmp_path, refuse={"jonathan.reeve@council.example"}) as (port, cert, received):
        for key, value in smtp_env(port, cert).items():
            monkeypatch.setenv(key, value)
        at = open_page("upload", "amy")
        at.file_uploader[0].upload("november.csv", NEW_SIGNAL_CSV, "text/csv").run()
        next(b for b in at.button if b.label == "Accept and load").click().run()
    assert at.success[0].value.startswith("Loaded 1 measure value from november.csv: 1 new")
    assert any("not sent" in w.value and "No such mailbox" in w.value for w in at.warning)
    assert received.messages == []
    signals = open_page("signals", "amy")
    assert any("No such mailbox" in c.value for c in signals.caption)  # shown where people look


def test_a_database_built_before_signals_still_shows_every_page(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        for table in ("alert_log", "signal_note", "signal_answer", "signal_item", "owner"):
            con.execute(f"DROP TABLE {table}")
    overview = open_page("overview", "amy")
    assert not [t for t in _links(overview) if "open signal" in t]
    open_page("measure", "amy", measure="Leisure centre visits")
    signals = open_page("signals", "amy")
    assert "built before signals were recorded" in signals.info[0].value
