"""A headless Streamlit visitor: Streamlit's own websocket protocol (protobuf at /_stcore/stream).

Each ``Visitor`` is one browser tab's session: it asks for a page as the browser does when a
sidebar link is clicked (a rerun naming the page) and times it until the server says the script
finished. What the page drew is kept (headings, alerts, exceptions) so a bench can tell a page
that answered from one that failed. Used by bench/load_test.py.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


@dataclass
class PageRun:
    """One page asked for: how long until the script finished, and what it showed."""

    page: str
    seconds: float
    finished: bool
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    not_found: bool = False

    @property
    def failed(self) -> bool:
        return not self.finished or bool(self.exceptions) or self.not_found


class Visitor:
    """One websocket session against a running server."""

    def __init__(self, base_url: str) -> None:
        self.ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.origin = base_url
        self.ws: websockets.ClientConnection | None = None

    async def __aenter__(self) -> Visitor:
        self.ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=self.origin,
            max_size=None,  # type: ignore[arg-type]
            open_timeout=60,
            ping_interval=None,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def open(self, page: str, query: str = "", timeout: float = 30.0) -> PageRun:
        """Ask for ``page`` (its URL path, "" for the Overview) and wait for the script to finish."""
        assert self.ws is not None
        msg = BackMsg(rerun_script=ClientState(query_string=query, page_name=page))
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = PageRun(page, 0.0, False)
        deadline = started + timeout
        try:
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    break
                data = await asyncio.wait_for(self.ws.recv(), timeout=left)
                fwd = ForwardMsg()
                fwd.ParseFromString(data)  # type: ignore[arg-type]
                kind = fwd.WhichOneof("type")
                if kind == "delta":
                    _note(run, fwd)
                elif kind == "page_not_found":
                    run.not_found = True
                elif kind == "script_finished":
                    if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue  # the app reran itself (st.rerun): the page is still coming
                    run.finished = True
                    break
        except TimeoutError:
            pass
        run.seconds = time.perf_counter() - started
        return run


def _note(run: PageRun, fwd: ForwardMsg) -> None:
    delta = fwd.delta
    if delta.WhichOneof("type") != "new_element":
        return
    el = delta.new_element
    kind = el.WhichOneof("type")
    if kind == "exception":
        run.exceptions.append(f"{el.exception.type}: {el.exception.message}")
    elif kind == "alert" and el.alert.format == el.alert.ERROR:
        run.errors.append(el.alert.body)
    elif kind == "heading":
        run.texts.append(el.heading.body)
    elif kind == "markdown":
        run.texts.append(el.markdown.body)
