"""Who is signed in and what they may do: the one place the router and every page ask.

The signed-in username lives in ``st.session_state`` (server side, never in the URL); the role is
read from ``app_user`` on every run (cached until the database changes), so an admin's change of
role, or a deleted user, takes effect at the user's next click. Nobody signed in, or the public
view (``OUTSIDE_IN_PUBLIC=1``), is the role 'public'.

When Streamlit's OIDC login is configured (an ``[auth]`` section in ``.streamlit/secrets.toml``),
the council's single sign-on says who someone is (``st.login`` / ``st.user``) and ``app_user``
only says what they may do: a row whose username is their email gives its role; anyone else
signed in sees the public view. Without it, users sign in with a username and password
(``perf.access.users.sign_in``, which locks an account after repeated failures).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from perf.access import users
from perf.words import text
from perf.config import public_mode
from ui.db import data_version, reading

SESSION_KEY = "_signed_in"  # the username; the role is looked up, never trusted from the session
NOT_ALLOWED = {
    "enter_data": "enter values",
    "write_commentary": "write commentary",
    "upload": "upload data",
    "manage_measures": "manage measures and phases",
    "manage_users": "manage users",
    "view_unpublished": "see unpublished measures and data quality",
    "view_internal_commentary": "read internal commentary",
}


def sso_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section (Streamlit's OIDC login)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all is the usual case, and means no SSO
        return False


def sso_providers() -> list[str | None]:
    """The provider names to offer: [None] for a single unnamed provider, else each ``[auth.NAME]``."""
    section: Mapping[str, Any] = st.secrets["auth"]
    named: list[str | None] = [str(k) for k, v in section.items() if isinstance(v, Mapping)]
    return [None] if "client_id" in section or not named else named


@st.cache_data(show_spinner=False, max_entries=256)
def _lookup(version: int, username: str) -> users.User | None:
    with reading() as con:
        return users.get_user(con, username)


def _sso_user() -> users.User | None:
    info = st.user
    if not info.get("is_logged_in"):
        return None
    email = str(info.get("email") or "").strip().lower()
    if not email:
        return None
    row = _lookup(data_version(), email)
    name = str(info.get("name") or email)
    return users.User(email, name, row.role if row is not None else "public")


def user() -> users.User | None:
    """The signed-in person (role read from the database now), or None for a visitor."""
    if public_mode():
        return None
    if sso_configured():
        return _sso_user()
    username = st.session_state.get(SESSION_KEY)
    if not isinstance(username, str) or not username:
        return None
    found = _lookup(data_version(), username)
    if found is None:  # deleted since they signed in
        st.session_state.pop(SESSION_KEY, None)
    return found


def role() -> users.Role:
    """'public' when nobody is signed in or in the public view; else the user's role."""
    who = user()
    return who.role if who is not None else "public"


def signed_in() -> bool:
    """True for an officer or admin (an SSO identity without a role counts as the public)."""
    return role() != "public"


def can(action: str) -> bool:
    """May the current user do ``action`` (one of perf.access.users.PERMISSIONS)?"""
    return users.can(role(), action)


def require(action: str) -> users.User:
    """Stop the page, saying why, unless the current user may do ``action``; returns the user.

    Pages not allowed are already left out of the navigation; this is the second lock, checked by
    each page before it draws a form and again before it writes.
    """
    who = user()
    if who is not None and users.can(who.role, action):
        return who
    what = NOT_ALLOWED.get(action, action.replace("_", " "))
    if public_mode():
        st.error(f"The public view is read-only: nobody can {what} here.", icon=":material/lock:")
    elif who is None or who.role == "public":
        st.error(f"Sign in as an officer or admin to {what}.", icon=":material/lock:")
        if not public_mode() and who is None:
            try:
                st.page_link("app_pages/sign_in.py", label="Sign in", icon=":material/login:")
            except Exception:  # noqa: BLE001 - a page run on its own (no navigation) has nothing to link to
                pass
    else:
        st.error(
            f"Your role ({who.role}) does not allow you to {what}. Ask an admin if you need to.", icon=":material/lock:"
        )
    st.stop()
    raise RuntimeError("st.stop() returned")  # it raises; this keeps the type checker honest


def client() -> str:
    """Who is asking, for the sign-in throttle: the browser's address. Behind the council's proxy
    (the app sees a loopback or private address) the address the proxy added last to X-Forwarded-For."""
    import ipaddress

    address = st.context.ip_address
    address = address if isinstance(address, str) else ""  # (AppTest has no real connection)
    forwarded = st.context.headers.get("X-Forwarded-For")
    forwarded = forwarded if isinstance(forwarded, str) else ""
    try:
        behind_proxy = ipaddress.ip_address(address).is_private if address else False
    except ValueError:
        behind_proxy = False
    if behind_proxy and forwarded:
        return forwarded.split(",")[-1].strip() or address
    return address or "unknown"


def plain(value: object) -> str:
    """Text to show inside Markdown without it being read as Markdown or HTML: perf.words.text.markdown."""
    return text.markdown(value)


def remember(who: users.User) -> None:
    """Record a successful password sign-in in this session."""
    st.session_state[SESSION_KEY] = who.username


def forget() -> None:
    """Forget the password sign-in of this session (a button callback)."""
    st.session_state.pop(SESSION_KEY, None)


def sidebar() -> None:
    """Who is signed in, and a sign-out button, at the foot of the sidebar."""
    who = user()
    if who is None:
        return
    with st.sidebar:
        st.divider()
        st.caption(f"Signed in as **{plain(who.display_name)}** · {who.role}")
        # A callback, so the run that follows already builds the navigation without the data pages.
        if st.button("Sign out", key="_sign_out", icon=":material/logout:", on_click=forget) and sso_configured():
            st.logout()
