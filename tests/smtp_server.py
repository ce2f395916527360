"""A real SMTP server for the tests: aiosmtpd on a loopback port, STARTTLS with a certificate made here.

Nothing is mocked: the app's smtplib client connects, upgrades to TLS (checking the certificate
against the one generated for the test), and the server keeps what arrives.
"""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with Debian's openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Received:
    """What the server was sent: one entry per message."""

    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    def to(self, address: str) -> list[Message]:
        return [m for rcpts, m in self.messages if address in rcpts]


class _Handler:
    def __init__(self, received: Received, refuse: set[str]) -> None:
        self.received, self.refuse = received, refuse

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(
    folder: Path, *, refuse: set[str] | None = None, starttls: bool = True
) -> Iterator[tuple[int, Path, Received]]:
    """Run the server for the block: its port, the CA file a client must trust, and what arrives."""
    cert, key = make_certificate(folder)
    received = Received()
    kwargs: dict[str, Any] = {}
    if starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        kwargs = {"tls_context": context, "require_starttls": True}
    port = free_port()
    controller = Controller(_Handler(received, refuse or set()), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port, cert, received
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word: a mail server that has hung."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()


def smtp_env(port: int, cert: Path, app_url: str = "http://outside-in.test") -> dict[str, str]:
    """The environment that points the app at the test server."""
    return {
        "OUTSIDE_IN_SMTP_HOST": "127.0.0.1",
        "OUTSIDE_IN_SMTP_PORT": str(port),
        "OUTSIDE_IN_SMTP_FROM": "performance@council.example",
        "OUTSIDE_IN_SMTP_CA_FILE": str(cert),
        "OUTSIDE_IN_SMTP_TIMEOUT": "5",
        "OUTSIDE_IN_APP_URL": app_url,
    }
