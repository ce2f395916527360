"""In Chromium, the public view never fetches an image named in user text.

A measure's name, owner, definition, unit and phase label, a purpose and a demand nature carry
``![x](http://127.0.0.1:PORT/track.png)`` and an ``<img>`` tag pointing at a tiny local HTTP server
that records every request (tests/plain_text_db.py). Each public page that shows them is opened and
left to draw; the server must have seen nothing. A control page with a real <img> proves the
server and the browser would have recorded a fetch.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from tests import plain_text_db
from tests.browser.conftest import running, screenshot, wait_ready

pytestmark = pytest.mark.browser


class Tracker(ThreadingHTTPServer):
    hits: list[str]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def tracker() -> Iterator[Tracker]:
    server = Tracker(("127.0.0.1", 0), _Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def public_url(sample_db: Path, tracker: Tracker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("plain") / "plain.duckdb"
    plain_text_db.build(sample_db, db, f"http://127.0.0.1:{tracker.server_address[1]}")
    with running(db, public=True) as url:
        yield url


def settle(page: object) -> None:
    wait_ready(page)
    last = -1
    for _ in range(20):
        height = page.evaluate("() => document.body.scrollHeight")  # type: ignore[attr-defined]
        if height == last:
            break
        last = height
        page.wait_for_timeout(400)  # type: ignore[attr-defined]


def test_no_public_page_fetches_an_image_named_in_user_text(public_url: str, tracker: Tracker, page: object) -> None:
    typed = plain_text_db.payloads(f"http://127.0.0.1:{tracker.server_address[1]}")
    name, purpose = quote(typed["name"]), quote(typed["purpose"])
    paths = [
        "/",
        f"/measure?measure={name}&period=All+time",
        f"/purpose?purpose={purpose}",
        f"/review?measure={name}&period=All+time",
        f"/briefing?measure={name}",
        f"/locality?measure={name}&period=All+time",
        f"/demand?service={plain_text_db.SERVICE}&period=All+time",
        f"/capability?service={plain_text_db.SERVICE}",
    ]
    port = tracker.server_address[1]
    for path in paths:
        page.goto(public_url + path)  # type: ignore[attr-defined]
        settle(page)
        main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
        links = main.locator(f'a[href^="http://127.0.0.1:{port}"], a[href^="http://evil.example"]')
        assert links.count() == 0, f"{path}: a link made from user text: {links.first.get_attribute('href')}"
        if path.startswith("/measure"):
            assert "![x](" in main.locator("h1").first.inner_text()  # the name, as typed
            screenshot(page, "public_plain_text_measure")
    page.wait_for_timeout(1000)  # type: ignore[attr-defined]
    assert tracker.hits == [], f"the browser fetched {tracker.hits}"
    # control: the same browser does fetch a real image from the tracker
    page.set_content(f'<img src="http://127.0.0.1:{tracker.server_address[1]}/control.png">')  # type: ignore[attr-defined]
    page.wait_for_timeout(1000)  # type: ignore[attr-defined]
    assert tracker.hits == ["/control.png"]
