"""A visitor without a browser: speaks Streamlit's own protocol over its websocket, as the page's JavaScript does.

The browser loads the HTML (nginx gives it the route cookie), opens ``/_stcore/stream`` with the
subprotocol ``streamlit``, and sends a ``BackMsg`` asking to run a page; the server runs the script
and streams ``ForwardMsg``s back (the new session, each element drawn, then "script finished").
:class:`Visitor` does the same, so a load test measures the server's real work per page: the
script run, the queries, the drawing, the messages through nginx. It does not run the browser's
JavaScript (the bench samples that with headless Chromium). If the connection drops (a replica
killed), it reconnects as the browser does, with the same cookie, and asks for the page again.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROUTE_COOKIE = "oi_route"


@dataclass
class Page:
    """One page run as a visitor saw it."""

    page: str
    seconds: float
    elements: int = 0
    texts: list[str] = field(default_factory=list)
    error: str | None = None
    served_by: str | None = None
    reconnected: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.elements > 0


def _texts(msg: ForwardMsg) -> list[str]:
    """The words an element carries: headings, markdown and captions, alerts, plain text."""
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return []
    el = msg.delta.new_element
    kind = el.WhichOneof("type")
    if kind in ("markdown", "heading", "alert", "text"):
        return [str(getattr(el, kind).body)]
    return []


class Visitor:
    """One browser tab on ``base`` (``http://127.0.0.1:8080``, or ``…/staff`` for the staff app)."""

    def __init__(self, base: str, *, timeout: float = 30.0) -> None:
        self.base = base.rstrip("/")
        parts = urlsplit(self.base)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.ws_url = f"ws://{parts.netloc}{parts.path}/_stcore/stream"
        self.timeout = timeout
        self.cookie: str | None = None
        self.served_by: str | None = None
        self._ws: websockets.ClientConnection | None = None
        self.reconnects = 0

    def _get_html(self, page: str) -> None:
        """GET the page's HTML as the browser does first: nginx's route cookie comes with it."""
        req = urllib.request.Request(f"{self.base}/{page}")
        if self.cookie:
            req.add_header("Cookie", f"{ROUTE_COOKIE}={self.cookie}")
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            r.read()
            self.served_by = r.headers.get("X-Served-By")
            for header in r.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie(header)
                if ROUTE_COOKIE in jar:
                    self.cookie = jar[ROUTE_COOKIE].value

    async def _connect(self) -> websockets.ClientConnection:
        headers = {"Origin": self.origin}
        if self.cookie:
            headers["Cookie"] = f"{ROUTE_COOKIE}={self.cookie}"
        ws = await websockets.connect(
            self.ws_url,
            subprotocols=[websockets.Subprotocol("streamlit")],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
            compression=None,
        )
        self.served_by = ws.response.headers.get("X-Served-By") if ws.response else self.served_by
        return ws

    async def open(self, page: str = "", query: str = "", *, load_html: bool = True) -> Page:
        """Open ``page`` (its url_path, "" for the default) as a fresh tab or, if open, as a click would."""
        started = time.perf_counter()
        try:
            if self._ws is None:
                if load_html:
                    await asyncio.to_thread(self._get_html, page)
                self._ws = await self._connect()
            return await self._run(page, query, started)
        except (websockets.ConnectionClosed, OSError) as err:
            # the replica went away mid-page: reconnect (the cookie now hashes to a live one) and ask again
            await self.close()
            self.reconnects += 1
            try:
                self._ws = await self._connect()
                result = await self._run(page, query, started)
            except Exception as again:  # noqa: BLE001 - reported as the page's error
                return Page(
                    page,
                    time.perf_counter() - started,
                    error=f"{type(again).__name__}: {again} (after {type(err).__name__})",
                    served_by=self.served_by,
                    reconnected=True,
                )
            result.reconnected = True
            return result
        except Exception as err:  # noqa: BLE001 - a visitor's failure is a figure, not a crash
            return Page(
                page, time.perf_counter() - started, error=f"{type(err).__name__}: {err}", served_by=self.served_by
            )

    async def _run(self, page: str, query: str, started: float) -> Page:
        assert self._ws is not None
        back = BackMsg()
        back.rerun_script.query_string = query
        back.rerun_script.page_name = page
        await self._ws.send(back.SerializeToString())
        result = Page(page, 0.0, served_by=self.served_by)
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                result.error = f"no 'script finished' within {self.timeout:.0f} s"
                break
            raw = await asyncio.wait_for(self._ws.recv(), timeout=left)
            msg = ForwardMsg()
            msg.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
            kind = msg.WhichOneof("type")
            if kind == "delta":
                result.elements += 1
                result.texts.extend(_texts(msg))
                if (
                    msg.delta.WhichOneof("type") == "new_element"
                    and msg.delta.new_element.WhichOneof("type") == "exception"
                ):
                    ex = msg.delta.new_element.exception
                    result.error = f"{ex.type}: {ex.message}"
            elif kind == "page_not_found":
                result.error = f"page not found: {page!r}"
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    result.error = result.error or "the page failed to compile"
                if msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                    break
        result.seconds = time.perf_counter() - started
        return result

    async def close(self) -> None:
        if self._ws is not None:
            ws, self._ws = self._ws, None
            try:
                await ws.close()
            except Exception:  # noqa: BLE001 - closing a dead socket
                pass
