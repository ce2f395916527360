"""The signal loop in headless Chromium: an owner uploads a file, the new signal is emailed through a
real SMTP server, shows on the Overview and the Signals page, is answered there, and its answer
shows on the Measure page. Screenshots at 1280x720 go to tests/artifacts/."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from perf.intake import inbox
from tests.browser.conftest import ARTIFACTS, ROOT, running, wait_ready
from tests.smtp_server import Received, smtp_env, smtp_server

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
OWNER = "Leisure Services Manager (Jonathan Reeve)"
EMAIL = "jonathan.reeve@council.example"
CAUSE = "The new pool opened with free swims for the first month."


SET_UP = """
import sys
from perf import store
from perf.access import users
from perf.signals import signal_answers
path, password, owner, email = sys.argv[1:]
with store.connect(path, read_only=False) as con:
    users.create_user(con, "jon", password, "officer", display_name="Jonathan Reeve", created_by="test",
                      cost=users.ScryptCost(2**10, 8, 1))
    signal_answers.set_owner(con, owner, email, "jon", user="test")
"""


@pytest.fixture(scope="module")
def loop(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Received]]:
    """A private copy of the sample with the leisure owner able to sign in, an SMTP server, and the app."""
    folder = tmp_path_factory.mktemp("signals_browser")
    copy = folder / "outside_in.duckdb"
    shutil.copyfile(sample_db, copy)
    # set up in a process of its own: DuckDB keeps one instance per file and process, and one left here
    # would answer this test's later reads with the state before the app wrote
    subprocess.run([sys.executable, "-c", SET_UP, str(copy), PASSWORD, OWNER, EMAIL], check=True, cwd=ROOT)
    with smtp_server(folder) as (port, cert, received), pytest.MonkeyPatch.context() as mp:
        for key, value in smtp_env(port, cert).items():
            mp.setenv(key, value)  # the app's server inherits them
        with running(copy, private=False) as url:  # the server holds this file, which the test reads back
            yield url, copy, received


@pytest.fixture()
def small(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()


@contextmanager
def fresh(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database as the app has written it: a copy the running app makes (perf.intake.inbox.readable).

    The server must hold ``db`` itself (``running(..., private=False)``): with a private copy served,
    ``db`` is a file the app never writes, and reading it shows the state from before the app's writes.
    """
    with inbox.readable(db) as path:
        assert path != db, f"no process holds {db}: the app is serving another file"
        con = duckdb.connect(str(path), read_only=True)
        try:
            yield con
        finally:
            con.close()


def shot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path


def test_an_uploaded_signal_is_emailed_listed_answered_and_shown(
    loop: tuple[str, Path, Received], small: object, tmp_path: Path
) -> None:
    url, db, received = loop
    page = small
    page.goto(f"{url}/account")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    menu = page.locator(".st-key-menu")  # type: ignore[attr-defined]
    main.get_by_role("textbox", name="Username").fill("jon")
    main.get_by_role("textbox", name="Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for(timeout=30_000)  # type: ignore[attr-defined]

    # 1. the upload opens an item and the owner is emailed
    menu.get_by_text("Upload", exact=True).click()
    main.locator("h1", has_text="Upload").wait_for(timeout=30_000)
    csv = tmp_path / "november.csv"
    csv.write_text("measure_id,period_start,value\nleisure-visits,2026-11-01,330000\n", encoding="utf-8")
    main.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
    main.get_by_role("button", name="Accept and load").click()
    main.get_by_text("1 new signal. Signal digests: 1 sent.").wait_for(timeout=60_000)
    assert [r for r, _ in received.messages] == [[EMAIL]]
    assert (
        "Leisure centre visits, Whole area: outside the limits"
        in received.messages[0][1].get_payload(decode=True).decode()
    )

    # 2. the Overview shows it under its purpose, and the link opens the Signals page on that purpose
    menu.get_by_text("Overview", exact=True).click()
    main.locator("h1", has_text="Overview").wait_for(timeout=30_000)
    main.locator('a[href*="signal_purpose=Provide"]', has_text="open signal").click()  # leisure's purpose
    main.locator("h1", has_text="Signals").wait_for(timeout=30_000)
    wait_ready(page)
    card = main.locator('[class*="st-key-signal_"]', has_text="Yours").first
    card.get_by_text("Leisure centre visits, Whole area: outside the limits").wait_for(timeout=30_000)
    assert card.locator("svg[role='img']").count() == 1  # its chart beside its sentence
    assert "signal_purpose=Provide" in page.url  # type: ignore[attr-defined]
    assert main.get_by_text("1 of ").count() >= 1  # only that purpose's signal
    shot(page, "signals_page")

    # 3. the owner answers it: the item closes
    card.get_by_text("Answer or comment").click()
    main.get_by_text("Answer this signal").wait_for(timeout=30_000)
    wait_ready(page)
    main.get_by_label("The cause, in words").fill(CAUSE)
    main.get_by_label("What is being done").fill("Nothing: visits will settle once the offer ends.")
    main.get_by_text("A one-off with a known cause").click()
    main.get_by_role("button", name="Save the answer and close the signal").click()
    main.get_by_text("Answer saved: the signal is closed.").wait_for(timeout=30_000)
    main.get_by_text(f"Cause: {CAUSE}").wait_for(timeout=30_000)
    wait_ready(page)
    main.locator("h1", has_text="Signals").scroll_into_view_if_needed()
    shot(page, "signal_answered")
    main.get_by_text(re.compile(r"^Closed .+ by jon$")).wait_for(timeout=30_000)
    # who closed it, as the app recorded it in its file (read back through the app, which holds the file)
    with fresh(db) as con:
        row = con.execute(
            "SELECT status, closed_by FROM signal_item s JOIN signal_answer USING (signal_id) "
            "WHERE s.measure_id = 'leisure-visits'"
        ).fetchone()
    assert row == ("closed", "jon")

    # 4. the Measure page shows the answer beside the chart
    main.get_by_text("Open the measure").click()
    main.locator("h1", has_text="Leisure centre visits").wait_for(timeout=30_000)
    main.get_by_text("Signals on this chart").wait_for(timeout=30_000)
    main.get_by_text(CAUSE, exact=False).first.wait_for(timeout=30_000)
    main.get_by_text("Signals on this chart").scroll_into_view_if_needed()
    shot(page, "measure_signal_answer")


def test_signal_chart_text_is_at_least_14px_at_1280_by_720(loop: tuple[str, Path, Received], small: object) -> None:
    """The list's small charts and an item's chart, measured as drawn (as tests/browser/test_chart_text_browser)."""
    from tests.browser.test_chart_text_browser import DRAWN

    url, db, _ = loop
    with fresh(db) as con:
        first = con.execute("SELECT min(signal_id) FROM signal_item").fetchone()
    page = small
    page.goto(f"{url}/account")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.get_by_role("textbox", name="Username").fill("jon")
    main.get_by_role("textbox", name="Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    page.locator(".st-key-menu").get_by_text("Signals", exact=True).click()  # type: ignore[attr-defined]
    main.locator("svg[role='img']").first.wait_for(timeout=30_000)
    wait_ready(page)
    drawn = page.evaluate(DRAWN)  # type: ignore[attr-defined]
    assert drawn and not [d for d in drawn if d["smallest"] < 14], drawn
    assert first is not None
