"""Outside-In: the router. Page list, shared sidebar filters and the banner saying which data is illustrative."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import Page

from perf.analysis import measures
from perf.words import text
from perf.config import db_path, public_mode
from perf.errors import DatabaseUnavailableError
from ui import auth, cached, cached_demand, db, errors, filters, menu

st.set_page_config(page_title="Outside-In", page_icon=":material/insights:", layout="wide")
# Contrast, target size and focus fixes the theme cannot make (WCAG 2.2 AA; checked by axe in the browser tests)
st.html(Path(__file__).with_name("ui") / "accessibility.css")

if not db_path().exists():
    st.error(
        f"No database at {db_path()}. Build the sample data with `python -m perf build` "
        "(or `make run`), or set OUTSIDE_IN_DB to your council's database."
    )
    st.stop()

db.start_run()
# new figures (a load, an upload, a newer snapshot): the public Demand and Capability date ranges are worked out
# in the background, not by their first visitor
db.warm_after_new_data(cached_demand.warm_public_ranges)
try:
    db.connection()  # the process's one instance: opened by the first run, then only checked
except DatabaseUnavailableError as err:
    db.end_run()
    st.error(str(err), icon=":material/database:")
    st.stop()
try:  # however the run ends (a page's st.stop(), a rerun), the run's data version is forgotten
    explore = [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("app_pages/purpose.py", title="Purpose", icon=":material/flag:", url_path="purpose"),
        st.Page("app_pages/measure.py", title="Measure", icon=":material/show_chart:", url_path="measure"),
        st.Page("app_pages/locality.py", title="By locality", icon=":material/map:", url_path="locality"),
        st.Page("app_pages/demand.py", title="Demand", icon=":material/call:", url_path="demand"),
        st.Page("app_pages/capability.py", title="Capability", icon=":material/timer:", url_path="capability"),
        st.Page("app_pages/similar.py", title="Similar councils", icon=":material/compare:", url_path="similar"),
    ]
    review = [
        st.Page(
            "app_pages/review.py",
            title="Check–Plan–Do review",
            icon=":material/published_with_changes:",
            url_path="review",
        ),
        st.Page("app_pages/briefing.py", title="Briefing", icon=":material/co_present:", url_path="briefing"),
    ]
    if not public_mode() and auth.can("view_unpublished"):  # signals and their answers are for officers
        review.insert(
            0,
            st.Page(
                "app_pages/signals.py", title="Signals", icon=":material/notifications_active:", url_path="signals"
            ),
        )
    share = [
        st.Page("app_pages/reports.py", title="Reports and exports", icon=":material/download:", url_path="reports"),
        st.Page(
            "app_pages/accessibility.py",
            title="Accessibility",
            icon=":material/accessibility:",
            url_path="accessibility",
        ),
    ]
    pages = {"Explore": explore, "Review": review, "Share": share}
    hidden: list[Page] = []  # pages reachable by link but left out of the menu
    if not public_mode():  # the public view has no sign-in and no data pages at all
        # Only what the signed-in role may do is listed, so a link to anything else falls back to the
        # Overview; each page also calls auth.require() itself.
        # Every data page is there by link; the ones this role may not use are hidden from the menu, and
        # opening one says to sign in (or that the role does not allow it), not "Page not found".
        data: list[Page] = []
        for path, title, icon, url, action in (
            ("app_pages/upload.py", "Upload", ":material/upload_file:", "upload", "upload"),
            ("app_pages/enter.py", "Enter a value & commentary", ":material/edit_note:", "enter", "enter_data"),
            ("app_pages/manage.py", "Measures and phases", ":material/tune:", "manage", "manage_measures"),
            ("app_pages/users.py", "Users", ":material/group:", "users", "manage_users"),
            ("app_pages/quality.py", "Data quality", ":material/schedule:", "quality", "view_unpublished"),
        ):
            allowed = auth.can(action)
            page = st.Page(path, title=title, icon=icon, url_path=url, visibility="visible" if allowed else "hidden")
            (data if allowed else hidden).append(page)
        if data:
            pages["Data"] = data
        pages["Account"] = [
            st.Page(
                "app_pages/sign_in.py",
                title="Account" if auth.user() else "Sign in",
                icon=":material/account_circle:",
                url_path="account",
            ),
            *hidden,
        ]
    # Streamlit routes (hidden pages too, by link); the menu is drawn by ui.menu (its own is not valid
    # list markup for screen readers) and lists only the pages this role may use
    nav = st.navigation(pages, position="hidden")
    menu.draw({section: [p for p in listed if p not in hidden] for section, listed in pages.items()})

    meta = cached.meta()
    st.session_state["_scope"] = filters.sidebar()
    auth.sidebar()
    with st.sidebar:
        st.caption(
            text.markdown(meta.get("dataset_name", "Council data")) + (" · public view" if public_mode() else "")
        )
        if meta.get("attribution"):
            st.caption(text.markdown(meta["attribution"]))
        if meta.get("published_at"):  # a published snapshot (python -m perf publish) says when it was taken
            st.caption(f"Figures published {meta['published_at'][:16].replace('T', ' ')} UTC")
    banner = measures.dataset_banner(meta)  # the static site says the same (perf.output.site)
    if banner is not None:
        st.warning(f"**{banner[0]}** {banner[1]}", icon=":material/info:")
    errors.run_page(nav)  # a failure shows a short message and a reference; the details go to the log
finally:
    db.end_run()
