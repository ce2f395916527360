"""The data pages in headless Chromium: sign in through the form, upload a file, and see each page.

Writes go to a private copy of the sample database served by a server of this module's own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from perf import store
from perf.access import users
from perf.intake import inbox
from tests.browser.conftest import running, screenshot, wait_ready

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def writable(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("data_browser") / "outside_in.duckdb"
    shutil.copyfile(sample_db, copy)
    con = store.connect(copy, read_only=False)
    try:
        for name, role in (("amy", "officer"), ("ada", "admin")):
            users.create_user(
                con,
                name,
                PASSWORD,
                role,
                display_name=f"{name.title()} Example",
                created_by="test",
                cost=users.ScryptCost(2**10, 8, 1),
            )
    finally:
        con.close()
    return copy


@pytest.fixture(scope="module")
def data_server(writable: Path) -> Iterator[str]:
    with running(writable, private=False) as url:
        yield url


def sign_in(page: object, server: str, who: str) -> object:
    page.goto(f"{server}/account")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.get_by_role("textbox", name="Username").fill(who)
    main.get_by_role("textbox", name="Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    main.locator("h1", has_text="Account").wait_for(timeout=30_000)
    return main


def value_in_db(db: Path, sql: str) -> object:
    """Read the database the server holds, through a copy it makes (perf.intake.inbox.readable)."""
    with inbox.readable(db) as copy:
        con = duckdb.connect(str(copy), read_only=True)
        try:
            row = con.execute(sql).fetchone()
            return None if row is None else row[0]
        finally:
            con.close()


def test_a_visitor_following_a_link_to_upload_is_told_to_sign_in(data_server: str, page: object) -> None:
    """Not Streamlit's "Page not found" pop-up over the Overview, which says the page does not exist."""
    page.goto(f"{data_server}/upload")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.get_by_text("Sign in as an officer or admin to upload data.").wait_for(timeout=30_000)
    assert main.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0  # type: ignore[attr-defined]
    sidebar = page.locator(".st-key-menu")  # type: ignore[attr-defined]
    assert sidebar.get_by_text("Upload").count() == 0 and sidebar.get_by_text("Sign in").count() == 1
    screenshot(page, "upload_signed_out")
    main.get_by_role("link", name="Sign in").click()
    main.locator("h1", has_text="Sign in").wait_for(timeout=30_000)


def test_an_officer_signs_in_and_uploads_a_file(data_server: str, page: object, writable: Path, tmp_path: Path) -> None:
    main = sign_in(page, data_server, "amy")
    page.locator(".st-key-menu").get_by_text("Upload", exact=True).click()  # type: ignore[attr-defined]
    main.locator("h1", has_text="Upload").wait_for(timeout=30_000)
    bad = tmp_path / "values-with-mistakes.csv"
    bad.write_text(
        "measure_id,period_start,locality_id,value\nrepairs-demand,2019-04-01,,12\n"
        "no-such-measure,2019-04-01,,12\nrepairs-demand,2019-04-02,,n/a\n",
        encoding="utf-8",
    )
    main.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    main.get_by_text("Rejected: nothing was saved.").wait_for(timeout=30_000)
    problems = main.locator('[data-testid="stTable"]')
    problems.get_by_text("'n/a' is not a number.").wait_for(timeout=30_000)
    assert "the nearest is 2019-04-01" in problems.inner_text()  # reasons are shown in full, not cut off
    assert main.get_by_role("button", name="Accept and load").count() == 0
    screenshot(page, "upload_rejected")

    good = tmp_path / "values.csv"
    good.write_text(
        "measure_id,period_start,locality_id,value\nrepairs-demand,2019-04-01,,12\nrepairs-demand,2019-04-08,,15\n",
        encoding="utf-8",
    )
    main.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    main.get_by_text("2 measure values in values.csv are ready to load.").wait_for(timeout=30_000)
    screenshot(page, "upload_preview")
    main.get_by_role("button", name="Accept and load").click()
    main.get_by_text("Loaded 2 measure values from values.csv: 2 new, 0 corrected, 0 unchanged.").wait_for(
        timeout=30_000
    )
    screenshot(page, "upload_loaded")
    assert (
        value_in_db(
            writable,
            "SELECT value FROM measurement WHERE measure_id = 'repairs-demand' "
            "AND period_start = '2019-04-08' AND locality_id = 'ALL'",
        )
        == 15
    )


@pytest.mark.parametrize(
    "path,heading",
    [
        ("enter", "Enter a value & commentary"),
        ("manage", "Measures and phases"),
        ("users", "Users"),
        ("quality", "Data quality"),
        ("", "Overview"),
    ],
)
def test_an_admin_sees_each_data_page(data_server: str, page: object, path: str, heading: str) -> None:
    main = sign_in(page, data_server, "ada")
    page.locator(".st-key-menu").get_by_text(  # type: ignore[attr-defined]
        heading if path else "Overview", exact=True
    ).click()
    main.locator("h1", has_text=heading).wait_for(timeout=30_000)
    wait_ready(page)
    if path == "":
        main.get_by_text("Overdue measures").wait_for(timeout=30_000)
    screenshot(page, f"data_{path or 'overview_signed_in'}")


def test_the_sign_in_page(data_server: str, page: object) -> None:
    page.goto(f"{data_server}/account")  # type: ignore[attr-defined]
    wait_ready(page)
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    main.get_by_role("textbox", name="Username").fill("amy")
    main.get_by_role("textbox", name="Password").fill("not the password")
    main.get_by_role("button", name="Sign in").click()
    main.get_by_text(users.WRONG).wait_for(timeout=30_000)
    screenshot(page, "sign_in_wrong_password")
