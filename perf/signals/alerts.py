"""Told, not found: after a load, each owner gets one email of their new signals, in words.

Settings come from the environment (``OUTSIDE_IN_SMTP_HOST`` and friends) or the ``[smtp]`` section
of ``.streamlit/secrets.toml`` (the environment wins). Mail goes over STARTTLS, the certificate
checked (``ca_file`` names a private CA); a server that offers no STARTTLS gets nothing, so a
password never crosses in the clear. Without settings nothing is sent: the items wait, untold, and
``python -m perf alerts`` sends them once settings exist.

A failure (no address for an owner, a server that refuses or does not answer) never undoes a load:
it is written to ``alert_log``, the items stay untold for the next try, and the Signals page shows it.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import pandas as pd

from perf import store
from perf.signals import signal_answers
from perf.config import ROOT
from perf.store import run
from perf.store import write_transaction

SECRETS = ROOT / ".streamlit" / "secrets.toml"
ENV = {  # setting -> environment variable
    "host": "OUTSIDE_IN_SMTP_HOST",
    "port": "OUTSIDE_IN_SMTP_PORT",
    "username": "OUTSIDE_IN_SMTP_USER",
    "password": "OUTSIDE_IN_SMTP_PASSWORD",
    "sender": "OUTSIDE_IN_SMTP_FROM",
    "ca_file": "OUTSIDE_IN_SMTP_CA_FILE",
    "timeout": "OUTSIDE_IN_SMTP_TIMEOUT",
    "app_url": "OUTSIDE_IN_APP_URL",
}
DEFAULT_PORT = 587  # the submission port, where STARTTLS is expected (RFC 6409, RFC 3207)
DEFAULT_TIMEOUT = 10.0  # seconds: a load waits at most this long for a mail server that does not answer


@dataclass(frozen=True)
class Settings:
    """Where and how digests are sent."""

    host: str
    port: int = DEFAULT_PORT
    sender: str = "outside-in@localhost"
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    app_url: str = "http://localhost:8501"


def settings(env: Mapping[str, str] | None = None, secrets: Path | None = None) -> Settings | None:
    """The SMTP settings, or None when no host is set anywhere (then nothing is sent)."""
    env = os.environ if env is None else env
    path = secrets if secrets is not None else Path(env.get("OUTSIDE_IN_SECRETS") or SECRETS)
    found: dict[str, Any] = {}
    if path.is_file():
        try:
            found.update(tomllib.loads(path.read_text(encoding="utf-8")).get("smtp", {}))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{path} is not valid TOML: {err}") from err
    for key, var in ENV.items():
        if env.get(var):
            found[key] = env[var]
    host = str(found.get("host") or "").strip()
    if not host:
        return None
    try:
        port = int(found.get("port") or DEFAULT_PORT)
        timeout = float(found.get("timeout") or DEFAULT_TIMEOUT)
    except ValueError as err:
        raise ValueError(f"SMTP port and timeout must be numbers: {err}") from err
    return Settings(
        host=host,
        port=port,
        sender=str(found.get("sender") or "outside-in@localhost"),
        username=str(found["username"]) if found.get("username") else None,
        password=str(found["password"]) if found.get("password") else None,
        ca_file=str(found["ca_file"]) if found.get("ca_file") else None,
        timeout=timeout,
        app_url=str(found.get("app_url") or "http://localhost:8501").rstrip("/"),
    )


@dataclass(frozen=True)
class Digest:
    """One owner's email: their new signals, in words, each with a link to the measure."""

    owner: str
    email: str | None
    signal_ids: tuple[int, ...]
    subject: str
    body: str


@dataclass(frozen=True)
class Outcome:
    """What happened to one digest: 'sent', 'failed' or 'no_address', and why."""

    digest: Digest
    outcome: str
    detail: str = ""


def measure_link(app_url: str, measure_name: str, locality_name: str) -> str:
    """The Measure page for this measure and place (the app's URLs carry names, as its links do)."""
    params = {"measure": measure_name}
    if locality_name and locality_name != "Whole area":
        params["locality"] = locality_name
    return f"{app_url}/measure?{urlencode(params)}"


def _person(owner: str) -> str:
    """'Dee Hartley' from 'Housing Property Services Manager (Dee Hartley)'."""
    return owner.split("(")[-1].rstrip(")").strip() if "(" in owner else owner


def digests(con: duckdb.DuckDBPyConnection, app_url: str = "http://localhost:8501") -> list[Digest]:
    """One digest per owner with open items not yet told; the owner's address may be missing."""
    frame = store.query(con, "alert_pending")
    out: list[Digest] = []
    for owner, group in frame.groupby("owner", sort=True, dropna=False):
        name = str(owner) if pd.notna(owner) else "No owner recorded"
        email = group["owner_email"].iloc[0]
        n = len(group)
        lines = [
            f"Dear {_person(name)},",
            "",
            f"New data shows {n} new signal{'' if n == 1 else 's'} on measures you own. A signal means the "
            "system has changed, or something unusual happened: each needs an answer (what caused it, what is "
            "being done, and the outcome) on the Signals page:",
            f"{app_url}/signals?{urlencode({'owner': name})}",
            "",
        ]
        for i, (_, item) in enumerate(group.iterrows(), start=1):
            lines.append(f"{i}. {signal_answers.sentence(item)}")
            lines.append(f"   {measure_link(app_url, str(item['measure_name']), str(item['locality_name']))}")
        lines += ["", "Outside-In"]
        subject = f"{n} new signal{'' if n == 1 else 's'} on your measures"
        out.append(
            Digest(
                name,
                str(email) if pd.notna(email) and str(email).strip() else None,
                tuple(int(s) for s in group["signal_id"]),
                subject,
                "\n".join(lines),
            )
        )
    return out


def message(digest: Digest, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr(("Outside-In", sender))
    msg["To"] = formataddr((_person(digest.owner), digest.email or ""))
    msg["Subject"] = digest.subject
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[-1] if "@" in sender else None)
    msg.set_content(digest.body)
    return msg


def send(found: list[Digest], config: Settings) -> list[Outcome]:
    """Send each digest over one STARTTLS connection; every failure is an Outcome, never an exception."""
    outcomes: list[Outcome] = []
    ready: list[Digest] = []
    for d in found:
        if d.email is None:
            outcomes.append(Outcome(d, "no_address", f"No email address is recorded for {d.owner}."))
        elif not signal_answers.valid_email(d.email):
            outcomes.append(Outcome(d, "no_address", f"{d.email!r} is not an email address ({d.owner})."))
        else:
            ready.append(d)
    if not ready:
        return outcomes
    try:
        context = ssl.create_default_context(cafile=config.ca_file)  # a missing CA file is a failure too
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError(
                    f"{config.host}:{config.port} does not offer STARTTLS, so nothing was sent"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password or "")
            for d in ready:
                try:
                    smtp.send_message(message(d, config.sender))
                    outcomes.append(Outcome(d, "sent"))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as err:
                    outcomes.append(Outcome(d, "failed", f"The mail server refused the digest: {_why(err)}"))
    except (smtplib.SMTPException, OSError) as err:  # refused, timed out, bad certificate, no STARTTLS
        done = {id(o.digest) for o in outcomes}
        why = f"the CA file {config.ca_file} was not found" if isinstance(err, FileNotFoundError) else _why(err)
        reason = f"Could not send through {config.host}:{config.port}: {why}"
        outcomes += [Outcome(d, "failed", reason) for d in ready if id(d) not in done]
    return outcomes


def _why(err: BaseException) -> str:
    if isinstance(err, TimeoutError) or "timed out" in str(err):  # smtplib wraps a read timeout
        return "the mail server did not answer in time"
    if isinstance(err, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{addr}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for addr, (code, msg) in err.recipients.items()
        )
    if isinstance(err, smtplib.SMTPResponseException):
        text = err.smtp_error.decode(errors="replace") if isinstance(err.smtp_error, bytes) else str(err.smtp_error)
        return f"{err.smtp_code} {text}"
    return str(err) or type(err).__name__


def record(con: duckdb.DuckDBPyConnection, outcomes: list[Outcome], now: datetime | None = None) -> None:
    """Log every outcome; the items of sent digests are marked told (the rest wait for the next try)."""
    if not outcomes:
        return
    now = now or datetime.now()
    with write_transaction(con) as cur:
        for o in outcomes:
            run(
                cur,
                "alert_log_insert",
                {
                    "owner": o.digest.owner,
                    "email": o.digest.email,
                    "signal_ids": ",".join(str(s) for s in o.digest.signal_ids),
                    "outcome": o.outcome,
                    "detail": o.detail or None,
                    "now": now,
                },
            )
            if o.outcome == "sent":
                run(cur, "alert_mark_sent", {"signal_ids": list(o.digest.signal_ids), "now": now})


Opener = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


@dataclass(frozen=True)
class Delivery:
    """What one round of digests did, for a line on a page or the command line."""

    configured: bool
    outcomes: tuple[Outcome, ...] = ()

    @property
    def sent(self) -> int:
        return sum(o.outcome == "sent" for o in self.outcomes)

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.outcome != "sent")

    @property
    def summary(self) -> str:
        if not self.configured:
            return "Email is not set up, so no signal digest was sent; the signals are on the Signals page."
        if not self.outcomes:
            return "No new signals to tell anyone about."
        text = f"Signal digests: {self.sent} sent"
        if self.failures:
            text += f", {len(self.failures)} not sent (" + "; ".join(o.detail for o in self.failures) + ")"
        return text + "."


def deliver(reading: Opener, writing: Opener, config: Settings | None, now: datetime | None = None) -> Delivery:
    """Read the pending digests, send them with no database lock held, then record what happened."""
    if config is None:
        return Delivery(False)
    with reading() as con:
        found = digests(con, config.app_url)
    if not found:
        return Delivery(True)
    outcomes = send(found, config)
    with writing() as con:
        record(con, outcomes, now)
    return Delivery(True, tuple(outcomes))


def recent(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pd.DataFrame:
    """The latest digests sent or tried, newest first."""
    return store.query(con, "alert_recent", {"limit": limit})
