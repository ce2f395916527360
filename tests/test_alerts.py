"""Told, not found: each owner's digest of new signals goes through a real SMTP server over STARTTLS."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from perf import errors, store
from perf.intake import save
from perf.signals import alerts, signal_answers
from tests.conftest import run_perf
from tests.smtp_server import silent_server, smtp_env, smtp_server

OWNER = "Leisure Services Manager (Jonathan Reeve)"
OWNER_EMAIL = "jonathan.reeve@council.example"
# far above every month before it: one new signal on a measure that had none open
NEW_SIGNAL_CSV = b"measure_id,period_start,value\nleisure-visits,2026-11-01,330000\n"
NOW = datetime(2026, 12, 1, 9, 0)


@pytest.fixture()
def db(sample_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(sample_db.read_bytes())
    return copy


def _openers(path: Path) -> tuple[alerts.Opener, alerts.Opener]:
    return (lambda: duckdb.connect(str(path), read_only=True)), (lambda: duckdb.connect(str(path)))


def _load_new_signal(path: Path) -> save.LoadResult:
    with duckdb.connect(str(path)) as con:
        _, done = save.load_upload(con, NEW_SIGNAL_CSV, "november.csv", user="amy", now=NOW)
    assert done is not None and len(done.signals.new) == 1
    return done


def _config(port: int, cert: Path, **overrides: str) -> alerts.Settings:
    config = alerts.settings(env={**smtp_env(port, cert), **overrides}, secrets=Path("/nonexistent"))
    assert config is not None
    return config


def _log(path: Path) -> list[tuple[str, str, str | None]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT owner, outcome, detail FROM alert_log ORDER BY alert_id").fetchall()
    return [(str(a), str(b), c) for a, b, c in rows]


def test_a_new_signal_sends_its_owner_one_digest_with_a_link_to_the_measure(db: Path, tmp_path: Path) -> None:
    _load_new_signal(db)
    with smtp_server(tmp_path) as (port, cert, received):
        delivery = alerts.deliver(*_openers(db), _config(port, cert))
    assert delivery.sent == 1 and delivery.failures == ()
    assert len(received.messages) == 1
    rcpts, msg = received.messages[0]
    assert rcpts == [OWNER_EMAIL] and OWNER_EMAIL in msg["To"]
    assert msg["Subject"] == "1 new signal on your measures"
    body = msg.get_payload(decode=True).decode()
    assert body.startswith("Dear Jonathan Reeve,")
    assert (
        "Leisure centre visits, Whole area: outside the limits, in November 2026, higher than usual: improving." in body
    )
    assert "http://outside-in.test/measure?measure=Leisure+centre+visits" in body
    assert "http://outside-in.test/signals?owner=" in body
    with duckdb.connect(str(db), read_only=True) as con:
        told = con.execute("SELECT count(*) FROM signal_item WHERE notified_at IS NULL").fetchone()
    assert told == (0,)
    assert _log(db) == [(OWNER, "sent", None)]


def test_told_signals_are_not_sent_again(db: Path, tmp_path: Path) -> None:
    _load_new_signal(db)
    with smtp_server(tmp_path) as (port, cert, received):
        alerts.deliver(*_openers(db), _config(port, cert))
        again = alerts.deliver(*_openers(db), _config(port, cert))
    assert len(received.messages) == 1 and again.outcomes == () and "No new signals" in again.summary


def test_the_baseline_of_a_fresh_database_sends_nothing(db: Path, tmp_path: Path) -> None:
    with smtp_server(tmp_path) as (port, cert, received):
        delivery = alerts.deliver(*_openers(db), _config(port, cert))
    assert delivery.outcomes == () and received.messages == []


def test_without_settings_nothing_is_sent_and_the_signals_wait(db: Path) -> None:
    _load_new_signal(db)
    assert alerts.settings(env={}, secrets=Path("/nonexistent")) is None
    delivery = alerts.deliver(*_openers(db), None)
    assert not delivery.configured and "not set up" in delivery.summary
    with duckdb.connect(str(db), read_only=True) as con:
        waiting = con.execute("SELECT count(*) FROM signal_item WHERE notified_at IS NULL").fetchone()
    assert waiting == (1,)


def test_settings_come_from_the_secrets_file_and_the_environment_wins(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[smtp]\nhost = "mail.council.example"\nport = 2525\nsender = "perf@council.example"\n'
        'app_url = "https://performance.council.example/"\n'
    )
    config = alerts.settings(env={}, secrets=secrets)
    assert config == alerts.Settings(
        host="mail.council.example",
        port=2525,
        sender="perf@council.example",
        app_url="https://performance.council.example",
    )
    overridden = alerts.settings(env={"OUTSIDE_IN_SMTP_PORT": "587"}, secrets=secrets)
    assert overridden is not None and overridden.port == 587


def test_an_owner_without_an_address_is_logged_and_the_others_still_hear(db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE owner SET email = NULL WHERE owner = ?", [OWNER])
        _, done = save.load_upload(
            con, NEW_SIGNAL_CSV + b"cs-first-point,2026-11-01,20\n", "two.csv", user="amy", now=NOW
        )
    assert done is not None and len(done.signals.new) == 2
    with smtp_server(tmp_path) as (port, cert, received):
        delivery = alerts.deliver(*_openers(db), _config(port, cert))
    assert delivery.sent == 1 and len(received.messages) == 1
    assert received.messages[0][0] == ["nadia.hussain@council.example"]
    log = _log(db)
    assert (OWNER, "no_address", f"No email address is recorded for {OWNER}.") in log
    assert "not sent" in delivery.summary and OWNER in delivery.summary


def test_a_server_that_refuses_the_address_is_logged_and_the_item_waits(db: Path, tmp_path: Path) -> None:
    _load_new_signal(db)
    with smtp_server(tmp_path, refuse={OWNER_EMAIL}) as (port, cert, received):
        delivery = alerts.deliver(*_openers(db), _config(port, cert))
    assert delivery.sent == 0 and received.messages == []
    [(owner, outcome, detail)] = _log(db)
    assert (owner, outcome) == (OWNER, "failed") and "550" in str(detail) and "No such mailbox" in str(detail)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM signal_item WHERE notified_at IS NULL").fetchone() == (1,)


def test_a_server_that_does_not_answer_fails_within_its_timeout(db: Path, tmp_path: Path) -> None:
    _load_new_signal(db)
    with silent_server() as port:
        started = time.monotonic()
        delivery = alerts.deliver(
            *_openers(db), _config(port, tmp_path, OUTSIDE_IN_SMTP_TIMEOUT="1", OUTSIDE_IN_SMTP_CA_FILE="")
        )
        took = time.monotonic() - started
    assert took < 5 and delivery.sent == 0
    assert "did not answer in time" in delivery.failures[0].detail


def test_nothing_listening_is_a_refused_connection(db: Path, tmp_path: Path) -> None:
    from tests.smtp_server import free_port

    _load_new_signal(db)
    delivery = alerts.deliver(*_openers(db), _config(free_port(), tmp_path, OUTSIDE_IN_SMTP_CA_FILE=""))
    assert delivery.sent == 0 and "refused" in delivery.failures[0].detail


def test_a_missing_ca_file_is_a_failure_that_names_it(db: Path, tmp_path: Path) -> None:
    _load_new_signal(db)
    with smtp_server(tmp_path) as (port, _cert, received):
        delivery = alerts.deliver(*_openers(db), _config(port, tmp_path / "gone.pem"))
    assert received.messages == [] and f"the CA file {tmp_path / 'gone.pem'} was not found" in delivery.summary


def test_a_server_without_starttls_gets_nothing(db: Path, tmp_path: Path) -> None:
    _load_new_signal(db)
    with smtp_server(tmp_path, starttls=False) as (port, cert, received):
        delivery = alerts.deliver(*_openers(db), _config(port, cert))
    assert delivery.sent == 0 and received.messages == []
    assert "does not offer STARTTLS" in delivery.failures[0].detail


def test_a_certificate_the_client_does_not_trust_is_refused(db: Path, tmp_path: Path) -> None:
    _load_new_signal(db)
    other = tmp_path / "other"
    other.mkdir()
    from tests.smtp_server import make_certificate

    stranger, _ = make_certificate(other)
    with smtp_server(tmp_path) as (port, _cert, received):
        delivery = alerts.deliver(*_openers(db), _config(port, stranger))
    assert delivery.sent == 0 and received.messages == [] and "certificate" in delivery.failures[0].detail.lower()


def test_an_owner_email_that_is_not_an_address_is_refused_when_set(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        with pytest.raises(errors.InputError, match="is not an email address"):
            signal_answers.set_owner(con, OWNER, "jonathan at council", user="admin")
        signal_answers.set_owner(con, OWNER, "j.reeve@council.example", user="admin")
        assert store.query(con, "owner_list").set_index("owner").loc[OWNER, "email"] == "j.reeve@council.example"


def test_the_command_line_load_tells_the_owner_and_alerts_dry_run_prints(db: Path, tmp_path: Path) -> None:
    csv = tmp_path / "november.csv"
    csv.write_bytes(NEW_SIGNAL_CSV)
    dry = run_perf("load", str(csv), "--user", "amy", db=db)
    assert dry.returncode == 0, dry.stderr
    assert "1 new signal" in dry.stdout and "Email is not set up" in dry.stderr
    printed = run_perf("alerts", "--dry-run", db=db)
    assert printed.returncode == 0 and f"To: {OWNER_EMAIL}" in printed.stdout
    assert "1 digest would be sent" in printed.stdout
    with smtp_server(tmp_path) as (port, cert, received):
        sent = run_perf("alerts", db=db, env=smtp_env(port, cert))
    assert sent.returncode == 0, sent.stderr
    assert "1 sent" in sent.stdout and [r for r, _ in received.messages] == [[OWNER_EMAIL]]


def test_a_command_line_load_succeeds_when_the_mail_server_is_down(db: Path, tmp_path: Path) -> None:
    from tests.smtp_server import free_port

    csv = tmp_path / "november.csv"
    csv.write_bytes(NEW_SIGNAL_CSV)
    down = {**smtp_env(free_port(), tmp_path), "OUTSIDE_IN_SMTP_CA_FILE": ""}
    done = run_perf("load", str(csv), "--user", "amy", db=db, env=down)
    assert done.returncode == 0 and "1 new signal" in done.stdout
    assert "not sent" in done.stderr and "refused" in done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM measurement WHERE period_start = '2026-11-01' AND measure_id = 'leisure-visits'"
        ).fetchone() == (1,)
        assert con.execute("SELECT outcome FROM alert_log").fetchall() == [("failed",)]
