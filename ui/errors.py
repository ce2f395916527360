"""What a visitor sees when a page fails: a short message and a reference, never a traceback.

The traceback goes to the server's log under the same reference, so whoever runs the app can find
it when an officer reports the reference. (``client.showErrorDetails = "none"`` in
.streamlit/config.toml covers what fails outside a page, such as a button's callback.)
"""

from __future__ import annotations

import logging
import os
import secrets
from typing import Protocol

import streamlit as st

from perf.errors import DatabaseUnavailableError

LOG = logging.getLogger("outside_in.pages")


class _Page(Protocol):
    def run(self) -> None: ...


def reference() -> str:
    """A short code to quote: eight letters and digits, easy to read out on the phone."""
    return secrets.token_hex(4).upper()


def run_page(page: _Page) -> None:
    """Run the page; on an error, log it with a reference and show the visitor only that reference."""
    try:
        page.run()
    except DatabaseUnavailableError as err:  # says itself what to do
        LOG.warning("database unavailable: %s", err)
        st.error(str(err), icon=":material/database:")
    except Exception:  # noqa: BLE001 - st.stop() and st.rerun() are not Exceptions and pass through
        ref = reference()
        LOG.exception("page failed, reference %s", ref)
        if os.environ.get("OUTSIDE_IN_RAISE") == "1":  # the tests: a failing page must fail its test
            raise
        st.error(
            f"Sorry, this page could not be shown: something went wrong on the server. If it happens "
            f"again, tell the team that runs Outside-In and quote reference **{ref}**.",
            icon=":material/error:",
        )
