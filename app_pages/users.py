"""Users: who may sign in, with what role; add a user, reset a password, change a role, unlock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import duckdb
import streamlit as st

from perf.access import users
from ui import auth, cached_entry, saving

auth.require("manage_users")
st.title("Users")
st.caption(
    "Officers enter data, upload files and write commentary; admins also manage measures and users. "
    "Anyone not signed in sees the public view."
    + (" With single sign-on, a user's username is their email address." if auth.sso_configured() else "")
)
done = st.session_state.pop("_users_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

listed = cached_entry.user_list()
if listed.empty:
    st.info("No users yet.")
else:
    now = datetime.now()
    locked = [bool(u is not None and u == u and u > now) for u in listed["locked_until"]]  # u == u: not NaT
    st.dataframe(
        listed.assign(locked=locked)[["username", "display_name", "role", "created_at", "failed_attempts", "locked"]],
        hide_index=True,
        width="stretch",
        column_config={
            "username": "Username",
            "display_name": "Name",
            "role": "Role",
            "created_at": st.column_config.DatetimeColumn("Created", format="D MMM YYYY"),
            "failed_attempts": "Failed sign-ins",
            "locked": "Locked",
        },
    )
names = list(listed["username"])


def save(done: str, change: Callable[[duckdb.DuckDBPyConnection, str], object]) -> None:
    """Make one change as the signed-in admin, then show the list again with what happened."""
    if saving.save_as("manage_users", lambda con, who: change(con, who.username) or True):
        st.session_state["_users_done"] = done
        st.rerun()


add, reset, role, unlock = st.tabs(["Add a user", "Reset a password", "Change a role", "Unlock"])
with add, st.form("add_user", clear_on_submit=False):
    username = st.text_input("Username", key="u_name", help="Lower-case letters, digits, '.', '_', '-' or '@'.")
    display = st.text_input("Name shown in the app", key="u_display")
    new_role = st.selectbox("Role", users.STORED_ROLES, key="u_role", format_func=str.capitalize)
    password = st.text_input(
        "Password",
        type="password",
        key="u_password",
        autocomplete="new-password",
        help=f"At least {users.PASSWORD_MIN} characters. Give it to the user privately.",
    )
    again = st.text_input("Password again", type="password", key="u_again", autocomplete="new-password")
    if st.form_submit_button("Add the user", type="primary"):
        if password != again:
            st.error("The two passwords differ. No user was added.")
        else:
            save(
                f"Added {username.strip().lower()} as {new_role}.",
                lambda con, by: users.create_user(
                    con, username, password, new_role, display_name=display, created_by=by
                ),
            )

if not names:
    st.stop()
with reset, st.form("reset_password"):
    whose = st.selectbox("User", names, key="r_user")
    password = st.text_input("New password", type="password", key="r_password", autocomplete="new-password")
    again = st.text_input("New password again", type="password", key="r_again", autocomplete="new-password")
    if st.form_submit_button("Set the password", type="primary"):
        if password != again:
            st.error("The two passwords differ. The password was not changed.")
        else:
            save(
                f"New password set for {whose}; any lock is cleared.",
                lambda con, by: users.set_password(con, whose, password, changed_by=by),
            )

with role, st.form("change_role"):
    whose = st.selectbox("User", names, key="c_user")
    chosen = st.selectbox("Role", users.STORED_ROLES, key="c_role", format_func=str.capitalize)
    if st.form_submit_button("Change the role", type="primary"):
        save(f"{whose} is now {chosen}.", lambda con, by: users.set_role(con, whose, chosen, changed_by=by))

with unlock, st.form("unlock"):
    whose = st.selectbox(
        "User", names, key="l_user", help="An account locks for a while after several wrong passwords in a row."
    )
    if st.form_submit_button("Unlock", type="primary"):
        save(f"{whose} is unlocked.", lambda con, by: users.unlock(con, whose, changed_by=by))
