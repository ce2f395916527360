"""The data pages through app.py (AppTest): sign-in, upload, entry, commentary, measures, users and data
quality, and who may reach each of them.

Every test runs on its own copy of the sample database (never the shared one), with an officer and
an admin in it. Signing in is done by setting the session's username, as the sign-in page does after
checking a password; the sign-in page itself is tested on its own.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from perf import store
from perf.access import users
from perf.analysis import measures
from tests.conftest import APP, ROOT, shown
from ui import auth
from ui.auth import SESSION_KEY

PASSWORD = "a long enough password"
FAST = users.ScryptCost(2**10, 8, 1)  # quick hashes for tests; the app upgrades them at sign-in
DATA_PAGES = ["upload", "enter", "manage", "users", "quality"]
OFFICER_PAGES = {"upload", "enter", "quality"}
ACTIONS = {
    "upload": "upload",
    "enter": "enter_data",
    "manage": "manage_measures",
    "users": "manage_users",
    "quality": "view_unpublished",
}
SSO = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "outside-in",
    "client_secret": "test",
    "server_metadata_url": "https://login.example.gov.uk/.well-known/openid-configuration",
}


@pytest.fixture()
def db(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the sample database with an officer (amy), an admin (ada) and an SSO admin."""
    copy = tmp_path / "outside_in.duckdb"
    shutil.copyfile(sample_db, copy)  # copyfile, not copy2: a new mtime is a new data version for the caches
    con = store.connect(copy, read_only=False)
    try:
        for name, role in (("amy", "officer"), ("ada", "admin"), ("sso.admin@council.gov.uk", "admin")):
            users.create_user(
                con, name, PASSWORD, role, display_name=name.split(".")[0].title(), created_by="test", cost=FAST
            )
    finally:
        con.close()
    monkeypatch.setenv("OUTSIDE_IN_DB", str(copy))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    yield copy


def open_page(page: str, who: str | None = None, **params: str) -> AppTest:
    """Open app_pages/<page>.py through app.py as if from a link (the URL path is the file name)."""
    at = AppTest.from_file(APP, default_timeout=90)
    if who is not None:
        at.session_state[SESSION_KEY] = who
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def table(db: Path, sql: str) -> pd.DataFrame:
    """Read with a connection closed straight after (the app in this process opens the file too)."""
    con = store.connect(db)  # read through the app's instance when this process has the file open
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def errors(at: AppTest) -> list[str]:
    """Error messages as read on screen (the page escapes Markdown in what users typed)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def texts(at: AppTest) -> str:
    return " ".join(
        e.value for kind in ("markdown", "caption", "success", "error", "info", "warning") for e in getattr(at, kind)
    )


# --- who may reach what ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", DATA_PAGES)
def test_a_link_to_a_data_page_tells_a_visitor_to_sign_in(db: Path, page: str) -> None:
    """Not Streamlit's "Page not found" over the Overview (which says the page does not exist)."""
    at = open_page(page)
    assert len(at.error) == 1 and at.error[0].value.startswith("Sign in as an officer or admin to ")
    assert not at.title and not at.file_uploader and not at.text_input
    assert not any("Save" in b.label for b in at.button)


@pytest.mark.parametrize("page", DATA_PAGES)
@pytest.mark.parametrize("who", ["amy", "ada"])
def test_each_role_reaches_exactly_its_data_pages(db: Path, page: str, who: str) -> None:
    at = open_page(page, who)
    allowed = who == "ada" or page in OFFICER_PAGES
    if allowed:
        assert at.title and not at.error, [e.value for e in at.error]
    else:
        assert not at.title and [e.value for e in at.error] == [
            f"Your role (officer) does not allow you to {auth.NOT_ALLOWED[ACTIONS[page]]}. Ask an admin if you need to."
        ]


@pytest.mark.parametrize(
    "page,who,message",
    [
        ("upload", None, "Sign in as an officer or admin to upload data."),
        ("enter", None, "Sign in as an officer or admin to enter values."),
        ("quality", None, "Sign in as an officer or admin to see unpublished measures and data quality."),
        (
            "manage",
            "amy",
            "Your role (officer) does not allow you to manage measures and phases. Ask an admin if you need to.",
        ),
        ("users", "amy", "Your role (officer) does not allow you to manage users. Ask an admin if you need to."),
    ],
)
def test_each_page_checks_the_role_itself_even_when_run_without_the_router(
    db: Path, page: str, who: str | None, message: str
) -> None:
    """Defence in depth: a page run directly (no navigation to hide it) still refuses."""
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=60)
    if who is not None:
        at.session_state[SESSION_KEY] = who
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [message]
    assert not at.file_uploader and not at.text_input and not at.button


def test_the_public_view_has_no_sign_in_and_no_data_pages_even_for_a_signed_in_session(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTSIDE_IN_PUBLIC", "1")
    at = open_page("users", "ada")
    assert at.title[0].value == "Overview"
    assert not any("Signed in" in c.value for c in at.sidebar.caption)
    for page in [*DATA_PAGES, "sign_in"]:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{page}.py")


def test_a_changed_role_takes_effect_at_the_next_click(db: Path) -> None:
    at = open_page("users", "ada")
    assert at.title[0].value == "Users"
    con = store.connect(db, read_only=False)
    try:
        users.set_role(con, "ada", "officer", changed_by="test")
    finally:
        con.close()
    at.run()
    assert not at.title and at.error[0].value.startswith("Your role (officer) does not allow you to manage users")


def test_a_visitor_cannot_open_an_unpublished_measure_by_its_name_in_the_url(db: Path) -> None:
    with store.connect(db) as con:
        cat = measures.catalogue(con)
    secret = cat[~cat["published"]].iloc[0]
    visitor = open_page("measure", measure=str(secret["name"]))
    assert visitor.selectbox(key="measure").value != secret["measure_id"]
    assert visitor.title[0].value != secret["name"]
    officer = open_page("measure", "amy", measure=str(secret["name"]))  # proves the link itself works
    assert officer.selectbox(key="measure").value == secret["measure_id"]
    assert shown(officer.title[0].value) == secret["name"]


def test_a_visitor_sees_no_internal_commentary(db: Path) -> None:
    with store.connect(db) as con:
        notes = measures.commentary(con, "repairs-demand", public_only=False)
    internal = str(notes.loc[notes["visibility"] == "internal", "body"].iloc[0])
    assert internal not in [t.value for t in open_page("measure", measure="Housing repair contacts").text]
    assert internal in [t.value for t in open_page("measure", "amy", measure="Housing repair contacts").text]


# --- signing in ----------------------------------------------------------------------------------------


def sign_in_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/sign_in.py").run()  # registered as /account, so found after the first run
    assert not at.exception, at.exception
    return at


def test_signing_in_with_the_right_password_opens_the_data_pages(db: Path) -> None:
    at = sign_in_page()
    assert at.title[0].value == "Sign in"
    at.text_input[0].input("Amy")  # usernames ignore case
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Account"
    assert any("Signed in as **Amy** · officer" in c.value for c in at.sidebar.caption)
    assert at.session_state[SESSION_KEY] == "amy"
    at.switch_page("app_pages/upload.py").run()
    assert at.title[0].value == "Upload"


def test_a_wrong_password_is_refused_with_the_same_words_as_an_unknown_user(db: Path) -> None:
    at = sign_in_page()
    for name in ("amy", "nobody"):
        at.text_input[0].input(name)
        at.text_input[1].input("not the password at all")
        at.button[0].click().run()
        assert [e.value for e in at.error] == [users.WRONG]
    assert SESSION_KEY not in at.session_state


def test_too_many_wrong_passwords_from_one_browser_stop_it_with_the_same_words(db: Path) -> None:
    at = sign_in_page()
    for _ in range(users.CLIENT_MAX_FAILED):
        at.text_input[0].input("amy")
        at.text_input[1].input("not the password at all")
        at.button[0].click().run()
        assert [e.value for e in at.error] == [users.WRONG]
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert [e.value for e in at.error] == [users.WRONG]  # even the right password, from this browser
    assert SESSION_KEY not in at.session_state
    assert table(db, "SELECT locked_until FROM app_user WHERE username = 'amy'")["locked_until"].isna().all()


def test_signing_out_from_the_sidebar_drops_the_data_pages(db: Path) -> None:
    at = open_page("upload", "amy")
    at.sidebar.button(key="_sign_out").click().run()
    assert not at.exception, at.exception
    assert not at.file_uploader and at.error[0].value == "Sign in as an officer or admin to upload data."
    assert SESSION_KEY not in at.session_state


def test_single_sign_on_maps_a_known_email_to_its_role(db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = SSO
    at.user = {"is_logged_in": True, "email": "SSO.Admin@council.gov.uk", "name": "Sam Admin"}
    at.switch_page("app_pages/users.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Users"
    assert any("Signed in as **Sam Admin** · admin" in c.value for c in at.sidebar.caption)


def test_single_sign_on_gives_an_unknown_email_the_public_view(db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = SSO
    at.user = {"is_logged_in": True, "email": "someone@council.gov.uk"}
    at.session_state[SESSION_KEY] = "ada"  # a password session is ignored when SSO is configured
    at.switch_page("app_pages/upload.py").run()
    assert not at.file_uploader and at.error[0].value == "Sign in as an officer or admin to upload data."
    at.switch_page("app_pages/sign_in.py").run()
    assert "no role in Outside-In" in texts(at)


def test_with_single_sign_on_the_sign_in_page_offers_it_instead_of_a_password(db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = SSO
    at.user = {"is_logged_in": False}
    at.run()
    at.switch_page("app_pages/sign_in.py").run()
    assert [b.label for b in at.button] == ["Sign in with your council account"]
    assert not at.text_input


# --- upload --------------------------------------------------------------------------------------------


def test_a_good_file_is_previewed_then_loaded_with_a_summary(db: Path) -> None:
    latest = table(db, "SELECT max(period_start) AS p FROM measurement WHERE measure_id = 'repairs-demand'")["p"][0]
    week, new_week = pd.Timestamp(latest).date(), (pd.Timestamp(latest) - pd.Timedelta(weeks=300)).date()
    before = table(
        db,
        f"SELECT value FROM measurement WHERE measure_id = 'repairs-demand' AND period_start = "
        f"'{week}' AND locality_id = 'ALL'",
    )["value"][0]
    csv = (
        f"measure_id,period_start,locality_id,value\nrepairs-demand,{week},,{before + 1}\n"
        f"repairs-demand,{new_week},,77\n".encode()
    )
    at = open_page("upload", "amy")
    at.file_uploader[0].upload("values.csv", csv, "text/csv").run()
    assert not at.exception, at.exception
    assert at.success[0].value == "2 measure values in values.csv are ready to load."
    assert len(at.dataframe[0].value) == 2  # the preview
    next(b for b in at.button if b.label == "Accept and load").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Loaded 2 measure values from values.csv: 1 new, 1 corrected, 0 unchanged.", [
        e.value for e in at.error
    ]  # on failure, what the page said instead
    assert not at.file_uploader[0].value  # emptied, so the same file isn't loaded twice by accident
    after = table(
        db,
        f"SELECT value, entered_by FROM measurement WHERE measure_id = 'repairs-demand' AND "
        f"period_start IN ('{week}', '{new_week}') AND locality_id = 'ALL' ORDER BY period_start",
    )
    assert after["value"].tolist() == [77, before + 1] and set(after["entered_by"]) == {"amy"}
    log = table(db, "SELECT old_value FROM change_log WHERE changed_by = 'amy' AND column_name = 'value'")
    assert float(log["old_value"].iloc[0]) == before  # the corrected value is kept


def test_a_bad_file_is_rejected_whole_with_every_problem_and_nothing_saved(db: Path) -> None:
    csv = (
        b"measure_id,period_start,locality_id,value\n"
        b"repairs-demand,2024-01-01,,12\n"  # fine on its own, but the file is rejected whole
        b"no-such-measure,2024-01-01,,12\n"
        b"repairs-demand,2024-01-02,,12\n"
        b"repairs-demand,2024-01-08,,n/a\n"
    )
    snapshot = table(db, "SELECT * FROM measurement ORDER BY ALL"), table(db, "SELECT count(*) AS n FROM change_log")
    at = open_page("upload", "amy")
    at.file_uploader[0].upload("bad.csv", csv, "text/csv").run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("**Rejected: nothing was saved.**")
    assert not any(b.label == "Accept and load" for b in at.button)
    problems = at.table[0].value.map(lambda v: shown(v) if isinstance(v, str) else v)  # cells escaped (perf.words.text)
    assert list(problems.columns) == ["Row", "Column", "Value", "Reason"]
    assert problems["Row"].tolist() == [3, 4, 5]
    assert problems["Column"].tolist() == ["measure_id", "period_start", "value"]
    assert "not a known measure" in problems["Reason"].iloc[0]
    assert "not the start of a week" in problems["Reason"].iloc[1]
    assert problems["Reason"].iloc[2] == "'n/a' is not a number."
    pd.testing.assert_frame_equal(table(db, "SELECT * FROM measurement ORDER BY ALL"), snapshot[0])
    pd.testing.assert_frame_equal(table(db, "SELECT count(*) AS n FROM change_log"), snapshot[1])


def test_a_workbook_with_several_sheets_asks_which_sheet_to_load(db: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["These figures are provisional"])
    values = book.create_sheet("Values")
    values.append(["measure_id", "period_start", "value"])
    values.append(["repairs-demand", "2024-01-01", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    at = open_page("upload", "amy")
    at.file_uploader[0].upload(
        "book.xlsx", buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ).run()
    assert at.selectbox(key="sheet_0").label == "Sheet" and at.selectbox(key="sheet_0").value is None
    assert "2 sheets with data" in at.info[0].value
    at.selectbox(key="sheet_0").select("Values").run()
    assert not at.exception, at.exception
    assert at.success[0].value == "1 measure value in book.xlsx is ready to load."


# --- entry and commentary ------------------------------------------------------------------------------


def test_an_officer_enters_a_value_and_it_is_saved(db: Path) -> None:
    at = open_page("enter", "amy")
    at.selectbox(key="v_measure").select("recycling-rate")
    at.date_input(key="v_period").set_value(pd.Timestamp("2019-04-01").date())
    at.text_input(key="v_value").input("41.5")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Saved: Household waste recycled or composted")
    saved = table(
        db,
        "SELECT value, entered_by FROM measurement WHERE measure_id = 'recycling-rate' "
        "AND period_start = '2019-04-01' AND locality_id = 'ALL'",
    )
    assert saved.to_dict("records") == [{"value": 41.5, "entered_by": "amy"}]


def test_a_bad_value_is_shown_under_its_own_field_and_nothing_is_saved(db: Path) -> None:
    count = table(db, "SELECT count(*) AS n FROM measurement")["n"][0]
    at = open_page("enter", "amy")
    at.selectbox(key="v_measure").select("repairs-demand")
    at.date_input(key="v_period").set_value(pd.Timestamp("2024-01-03").date())  # a Wednesday
    at.text_input(key="v_value").input("abc")
    at.button[0].click().run()
    assert not at.exception, at.exception
    shown = errors(at)
    assert any(e.startswith("Period: 2024-01-03 is not the start of a week") for e in shown), shown
    assert "Value: 'abc' is not a number." in shown
    assert table(db, "SELECT count(*) AS n FROM measurement")["n"][0] == count


def test_commentary_with_a_script_tag_is_saved_and_shown_as_plain_text(db: Path) -> None:
    body = "<script>alert('x')</script> **Storm** week: demand doubled"
    at = open_page("enter", "amy")
    at.selectbox(key="c_measure").select("repairs-demand")
    at.text_area(key="c_body").input(body)
    at.radio(key="c_visibility").set_value("public")
    at.button[1].click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Commentary saved."
    assert body in [t.value for t in at.text]  # st.text: shown exactly, never as HTML or Markdown
    assert not any("<script>" in m.value for m in at.markdown)
    saved = table(db, "SELECT body, visibility, author FROM commentary ORDER BY commentary_id DESC LIMIT 1")
    assert saved.to_dict("records") == [{"body": body, "visibility": "public", "author": "Amy"}]
    visitor = open_page("measure", measure="Housing repair contacts")  # public, so a visitor sees it: as text
    assert body in [t.value for t in visitor.text]
    assert not any("<script>" in m.value for m in visitor.markdown)


def test_empty_commentary_is_refused_under_its_field(db: Path) -> None:
    at = open_page("enter", "amy")
    at.button[1].click().run()
    assert errors(at) == ["Commentary: write something before saving."]


# --- measures, phases, users, data quality -------------------------------------------------------------


def test_an_admin_adds_a_measure_with_its_data_quality_notes(db: Path) -> None:
    at = open_page("manage", "ada")
    fields = {
        "m_measure_id": "garden-waste-days",
        "m_name": "Garden waste: days to first collection",
        "m_unit": "days",
        "m_target": "10",
        "m_owner": "Place Teams",
        "m_definition": "Days from sign-up to the first collection.",
        **{
            f"m_dq_{n}": f"{n} note"
            for n in ("relevant", "well_defined", "timely", "reliable", "verifiable", "accurate")
        },
    }
    for key, value in fields.items():
        widget = at.text_area(key=key) if key.startswith("m_dq_") or key == "m_definition" else at.text_input(key=key)
        widget.input(value)
    at.selectbox(key="m_improvement").select("down")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert shown(at.success[0].value).startswith("Added Garden waste: days to first collection")
    row = table(db, "SELECT * FROM measure WHERE measure_id = 'garden-waste-days'").iloc[0]
    assert row["target"] == 10 and row["improvement"] == "down" and not row["published"]
    assert row["dq_accurate"] == "accurate note" and row["dq_well_defined"] == "well_defined note"


def test_a_measure_with_problems_shows_each_under_its_field(db: Path) -> None:
    at = open_page("manage", "ada")
    at.text_input(key="m_measure_id").input("Bad ID!")
    at.text_input(key="m_target").input("ten")
    at.button[0].click().run()
    shown = " ".join(errors(at))
    assert "is not a usable ID" in shown and "give the measure a name" in shown and "'ten' is not a number" in shown


def test_an_admin_records_a_phase_and_publishes_a_measure(db: Path) -> None:
    at = open_page("manage", "ada")
    at.selectbox(key="p_measure").select("repairs-demand")
    at.date_input(key="p_starts").set_value(pd.Timestamp("2024-06-03").date())
    at.text_input(key="p_label").input("Repairs triage trial")
    next(b for b in at.button if b.label == "Record the change").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Recorded 'Repairs triage trial'")
    phases = table(db, "SELECT label FROM phase WHERE measure_id = 'repairs-demand' AND starts_on = '2024-06-03'")
    assert phases["label"].tolist() == ["Repairs triage trial"]

    at.selectbox(key="e_measure").select("staff-sickness").run()
    at.checkbox(key="e_published_staff-sickness").check()
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    assert table(db, "SELECT published FROM measure WHERE measure_id = 'staff-sickness'")["published"][0]


def test_the_edit_form_starts_from_the_measures_published_flag_and_target(db: Path) -> None:
    """The form shows what is saved now: a target as typed (no trailing zeros), blank for none."""
    saved = table(db, "SELECT measure_id, published, target FROM measure ORDER BY measure_id")
    targeted = saved[saved["target"].notna() & saved["published"] & (saved["target"] % 1 != 0)].iloc[0]  # 97.5
    untargeted = saved[saved["target"].isna() & ~saved["published"]].iloc[0]
    at = open_page("manage", "ada")
    for row in (targeted, untargeted):
        mid = str(row["measure_id"])
        at.selectbox(key="e_measure").select(mid).run()
        assert not at.exception, at.exception
        assert at.checkbox(key=f"e_published_{mid}").value is bool(row["published"])
        shown = at.text_input(key=f"e_target_{mid}").value
        assert shown == ("" if pd.isna(row["target"]) else f"{row['target']:g}") and shown not in ("nan", "None")


def test_an_admin_adds_an_officer_who_can_then_sign_in(db: Path) -> None:
    at = open_page("users", "ada")
    at.text_input(key="u_name").input("Bob.Smith")
    at.text_input(key="u_display").input("Bob Smith")
    at.text_input(key="u_password").input(PASSWORD)
    at.text_input(key="u_again").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Added bob.smith as officer."
    assert "bob.smith" in at.dataframe[0].value["username"].tolist()
    con = store.connect(db, read_only=False)
    try:
        assert users.sign_in(con, "bob.smith", PASSWORD, cost=FAST).ok
    finally:
        con.close()


def test_an_admin_resets_a_password_and_unlocks_an_account(db: Path) -> None:
    con = store.connect(db, read_only=False)
    try:
        for i in range(users.MAX_FAILED):
            users.sign_in(con, "amy", "wrong password here", client=f"c{i}", cost=FAST)
    finally:
        con.close()
    at = open_page("users", "ada")
    assert at.dataframe[0].value.set_index("username").loc["amy", "locked"]
    at.selectbox(key="l_user").select("amy")
    next(b for b in at.button if b.label == "Unlock").click().run()
    assert at.success[0].value == "amy is unlocked."
    assert not at.dataframe[0].value.set_index("username").loc["amy", "locked"]
    at.selectbox(key="r_user").select("amy")
    at.text_input(key="r_password").input("another long password")
    at.text_input(key="r_again").input("another long password")
    next(b for b in at.button if b.label == "Set the password").click().run()
    assert at.success[0].value.startswith("New password set for amy")
    con = store.connect(db, read_only=False)
    try:
        assert users.sign_in(con, "amy", "another long password", cost=FAST).ok
    finally:
        con.close()


def test_a_weak_password_is_refused(db: Path) -> None:
    at = open_page("users", "ada")
    at.text_input(key="u_name").input("carol")
    at.text_input(key="u_password").input("short")
    at.text_input(key="u_again").input("short")
    at.button[0].click().run()
    assert errors(at) == [f"Password: use at least {users.PASSWORD_MIN} characters."]


def test_data_quality_lists_every_measure_as_timely_or_overdue(db: Path) -> None:
    con = store.connect(db, read_only=False)  # make one measure late: drop its latest figures
    try:
        con.execute(
            "DELETE FROM measurement WHERE measure_id = 'repairs-demand' AND period_start > (SELECT "
            "max(period_start) - INTERVAL 10 WEEK FROM measurement WHERE measure_id = 'repairs-demand')"
        )
    finally:
        con.close()
    at = open_page("quality", "amy")
    shown = at.dataframe[0].value.set_index("Measure")
    assert len(shown) == len(table(db, "SELECT * FROM measure"))
    assert shown.loc["Housing repair contacts", "Status"].startswith("Overdue by ")
    # the real FixMyStreet measures are a published extract ending in 2020: never "overdue"
    assert set(shown["Status"]) - {"Timely", "Published extract"} == {shown.loc["Housing repair contacts", "Status"]}
    assert shown.loc["FixMyStreet reports: all problems", "Status"] == "Published extract"
    at.pills(key="q_status").set_value(["overdue"]).run()
    assert at.dataframe[0].value["Measure"].tolist() == ["Housing repair contacts"]

    overview = open_page("overview", "amy")
    late = next(e for e in overview.expander if e.label.startswith("Overdue measures"))
    assert late.label == "Overdue measures · 1"
    assert not any(e.label.startswith("Overdue measures") for e in open_page("overview").expander)


def test_the_review_decision_form_is_for_signed_in_users_only(db: Path) -> None:
    with store.connect(db) as con:
        cat = measures.catalogue(con, public_only=True).set_index("measure_id")
        phased = measures.phases(con)
    name = str(cat.loc[phased.loc[phased["measure_id"].isin(cat.index), "measure_id"].iloc[0], "name"])
    visitor = open_page("review", measure=name, period="All time")
    assert not any(b.label == "Save the decision" for b in visitor.button)
    officer = open_page("review", "amy", measure=name, period="All time")
    assert any(b.label == "Save the decision" for b in officer.button)


def test_a_review_decision_is_saved_with_who_saved_it(db: Path) -> None:
    with store.connect(db) as con:
        cat = measures.catalogue(con, public_only=True).set_index("measure_id")
        phased = measures.phases(con)
    measure_id = str(phased.loc[phased["measure_id"].isin(cat.index), "measure_id"].iloc[0])
    at = open_page("review", "amy", measure=str(cat.loc[measure_id, "name"]), period="All time")
    at.text_area[0].input("Make the new design normal")
    at.text_area[1].input("Roll out to every team by March")
    at.text_input[0].input("Heads of Service")
    next(b for b in at.button if b.label == "Save the decision").click().run()
    assert not at.exception
    saved = table(db, "SELECT measure_id, decision, actions, reviewed_by FROM review")
    assert saved["measure_id"].tolist() == [measure_id]
    assert saved["decision"].iloc[0] == "Make the new design normal"
    assert "Finding:" in saved["actions"].iloc[0]  # the review's finding is kept with the decision
    assert saved["reviewed_by"].iloc[0] == "Heads of Service (saved by amy)"
