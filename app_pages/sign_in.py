"""Account: sign in (single sign-on or username and password), or see who you are and sign out."""

from __future__ import annotations

import streamlit as st

from perf.access import users
from perf.words import text
from perf.config import public_mode
from ui import auth
from ui.db import writing

if public_mode():  # not in the public view's navigation; this is the second lock
    st.title("Sign in")
    st.info("This is the public view: there is nothing to sign in to.")
    st.stop()

who = auth.user()
if who is not None:
    st.title("Account")
    st.markdown(
        f"Signed in as **{text.markdown(who.display_name)}** ({text.markdown(who.username)}) · role: **{who.role}**"
    )
    if who.role == "public":
        st.info(
            "Your council account has no role in Outside-In yet, so you see the public view. "
            "Ask an admin to add your email address as a user."
        )
    else:
        st.caption("What you can do:")
        for path, label, action in (
            ("app_pages/upload.py", "Upload a file of values or case records", "upload"),
            ("app_pages/enter.py", "Enter a value or write commentary", "enter_data"),
            ("app_pages/manage.py", "Add measures and record system changes", "manage_measures"),
            ("app_pages/users.py", "Manage users", "manage_users"),
            ("app_pages/quality.py", "Check which measures are up to date", "view_unpublished"),
        ):
            if auth.can(action):
                st.page_link(path, label=label, icon=":material/arrow_forward:")
    if st.button("Sign out", type="primary", key="sign_out_page", on_click=auth.forget) and auth.sso_configured():
        st.logout()
    st.stop()

st.title("Sign in")
st.caption(
    "Officers and admins sign in to load data, write commentary and manage measures. "
    "Everyone else can use the dashboard without signing in."
)
if auth.sso_configured():
    for provider in auth.sso_providers():
        label = "Sign in with your council account" if provider is None else f"Sign in with {provider.title()}"
        if st.button(label, type="primary", icon=":material/login:", key=f"sso_{provider}"):
            if provider is None:
                st.login()
            else:
                st.login(provider)
    st.stop()

with st.form("sign_in"):
    username = st.text_input("Username", autocomplete="username")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Sign in", type="primary")
if submitted and (not username.strip() or not password):
    st.error("Enter your username and password.")
elif submitted:
    with writing() as con:  # a failure is counted; the password check itself holds no lock
        outcome = users.sign_in(con, username, password, client=auth.client())
    if outcome.user is not None:
        auth.remember(outcome.user)
        st.rerun()  # the navigation now lists the pages this role may use
    st.error(outcome.message, icon=":material/error:")
st.caption(
    "Forgotten your password, or locked out? Ask an admin to reset or unlock your account. "
    f"After {users.CLIENT_MAX_FAILED} wrong sign-ins this browser must wait {users.CLIENT_MINUTES} minutes; "
    f"after {users.MAX_FAILED} in a row an account locks for {users.LOCK_MINUTES} minutes."
)
