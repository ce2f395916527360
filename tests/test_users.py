"""Users and roles: slow salted hashes, constant-time checks, a lock after repeated failures, and one
permission table that says public cannot write and officers cannot manage users."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import duckdb
import pytest

from perf import errors
from perf.access import users

from tests import fixtures_db

db = fixtures_db.db  # the shared fixture, made visible to pytest in this module

FAST = users.ScryptCost(n=2**10, r=8, p=1)  # the real cost takes ~0.5 s; one test below checks it
NOW = datetime(2024, 6, 12, 10, 0)
PASSWORD = "correct horse battery"


@pytest.fixture()
def officer(db: duckdb.DuckDBPyConnection) -> users.User:
    return users.create_user(
        db, " Amy.Smith ", PASSWORD, "officer", display_name="Amy Smith", created_by="admin1", cost=FAST, now=NOW
    )


# ----------------------------------------------------------------------------------------------
# Hashes


def test_a_hash_names_its_parameters_and_uses_a_fresh_salt() -> None:
    one, two = users.hash_password(PASSWORD, cost=FAST), users.hash_password(PASSWORD, cost=FAST)
    assert one.startswith("scrypt$n=1024,r=8,p=1$") and one != two
    assert users.verify_password(PASSWORD, one) and users.verify_password(PASSWORD, two)


def test_the_default_cost_is_owasps_and_verifies() -> None:
    assert (users.DEFAULT_COST.n, users.DEFAULT_COST.r, users.DEFAULT_COST.p) == (2**17, 8, 1)
    stored = users.hash_password(PASSWORD)
    assert stored.startswith("scrypt$n=131072,r=8,p=1$")
    assert users.verify_password(PASSWORD, stored) and not users.needs_rehash(stored)


@pytest.mark.parametrize("attempt", ["correct horse batterY", "", "correct horse battery "])
def test_a_wrong_password_does_not_verify(attempt: str) -> None:
    assert not users.verify_password(attempt, users.hash_password(PASSWORD, cost=FAST))


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "bcrypt$xyz",
        "scrypt$n=1000,r=8,p=1$AAAA$AAAA",  # n not a power of two
        "scrypt$n=4194304,r=8,p=1$AAAA$AAAA",  # would need 4 GiB: refused, not attempted
    ],
)
def test_a_malformed_or_hostile_hash_never_verifies(stored: str) -> None:
    assert not users.verify_password(PASSWORD, stored)
    assert users.needs_rehash(stored)


def test_a_cheap_hash_needs_rehashing() -> None:
    assert users.needs_rehash(users.hash_password(PASSWORD, cost=FAST))


# ----------------------------------------------------------------------------------------------
# Signing in


def test_signing_in_with_the_right_password(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    result = users.sign_in(db, "AMY.SMITH", PASSWORD, now=NOW, cost=FAST)
    assert result.ok and result.user == users.User("amy.smith", "Amy Smith", "officer")


def test_a_cheap_hash_is_upgraded_at_sign_in(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    users.sign_in(db, "amy.smith", PASSWORD, now=NOW)
    stored = db.execute("SELECT password_hash FROM app_user").fetchall()[0][0]
    assert stored.startswith("scrypt$n=131072,")


def test_wrong_password_unknown_user_and_locked_account_get_the_same_answer(
    db: duckdb.DuckDBPyConnection, officer: users.User
) -> None:
    wrong = users.sign_in(db, "amy.smith", "not the password", client="a", now=NOW, cost=FAST)
    unknown = users.sign_in(db, "nobody", PASSWORD, client="b", now=NOW, cost=FAST)
    db.execute("UPDATE app_user SET locked_until = ? WHERE username = 'amy.smith'", [NOW + timedelta(minutes=5)])
    locked = users.sign_in(db, "amy.smith", PASSWORD, client="c", now=NOW, cost=FAST)  # even the right password
    assert not wrong.ok and not unknown.ok and not locked.ok
    assert wrong.message == unknown.message == locked.message == users.WRONG
    assert wrong.locked_until is None and locked.locked_until is None  # nothing to tell them apart


def test_one_client_is_stopped_before_it_can_lock_an_account(
    db: duckdb.DuckDBPyConnection, officer: users.User
) -> None:
    throttle = users.Throttle()
    for i in range(users.CLIENT_MAX_FAILED + 10):
        users.sign_in(
            db, "amy.smith", "guess", client="attacker", now=NOW + timedelta(seconds=i), cost=FAST, throttle=throttle
        )
    # only the allowance reached the account, far short of a lock
    assert db.execute("SELECT failed_attempts, locked_until FROM app_user").fetchall() == [
        (users.CLIENT_MAX_FAILED, None)
    ]
    assert not users.sign_in(
        db, "amy.smith", PASSWORD, client="attacker", now=NOW, cost=FAST, throttle=throttle
    ).ok  # the attacker's client is refused even the right password
    assert users.sign_in(db, "amy.smith", PASSWORD, client="amy's laptop", now=NOW, cost=FAST, throttle=throttle).ok
    later = NOW + timedelta(minutes=users.CLIENT_MINUTES, seconds=30)
    assert users.sign_in(db, "amy.smith", PASSWORD, client="attacker", now=later, cost=FAST, throttle=throttle).ok


def test_many_clients_lock_the_account_for_15_minutes(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    for i in range(users.MAX_FAILED):
        users.sign_in(db, "amy.smith", "guess", client=f"client{i // 2}", now=NOW + timedelta(seconds=i), cost=FAST)
    assert db.execute("SELECT locked_until FROM app_user").fetchall() == [
        (NOW + timedelta(seconds=users.MAX_FAILED - 1, minutes=users.LOCK_MINUTES),)
    ]
    locked = users.sign_in(db, "amy.smith", PASSWORD, client="amy's laptop", now=NOW + timedelta(minutes=10), cost=FAST)
    assert not locked.ok and locked.message == users.WRONG
    later = users.sign_in(db, "amy.smith", PASSWORD, client="amy's laptop", now=NOW + timedelta(minutes=16), cost=FAST)
    assert later.ok
    assert db.execute("SELECT failed_attempts, locked_until FROM app_user").fetchall() == [(0, None)]


def test_a_success_resets_the_count(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    for _ in range(4):
        users.sign_in(db, "amy.smith", "guess", now=NOW, cost=FAST)
    assert users.sign_in(db, "amy.smith", PASSWORD, now=NOW, cost=FAST).ok
    assert db.execute("SELECT failed_attempts FROM app_user").fetchall() == [(0,)]


def test_after_a_lock_runs_out_the_count_starts_again(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    for i in range(users.MAX_FAILED):
        users.sign_in(db, "amy.smith", "guess", client=f"c{i}", now=NOW, cost=FAST)
    after = NOW + timedelta(minutes=20)
    assert users.sign_in(db, "amy.smith", "guess", client="new", now=after, cost=FAST).message == users.WRONG
    assert db.execute("SELECT failed_attempts FROM app_user").fetchall() == [(1,)]


def test_the_three_refusals_do_the_same_work(
    db: duckdb.DuckDBPyConnection, officer: users.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown name, a wrong password and a locked account each cost exactly one real scrypt check at
    the same work factors, so none can be told from another by its time (measured in bench/, not here:
    a timed test fails on a busy machine)."""
    import hashlib

    users.set_password(db, "amy.smith", PASSWORD, changed_by="t")  # the real (OWASP) cost
    db.execute(
        "UPDATE app_user SET locked_until = ? WHERE username = 'amy.smith'", [datetime.now() + timedelta(hours=1)]
    )
    users.create_user(db, "bob.jones", PASSWORD, "officer", created_by="t")
    real = hashlib.scrypt
    calls: list[tuple[int, int, int]] = []

    def counted(password: bytes, *, salt: bytes, n: int, r: int, p: int, **kw: object) -> bytes:
        calls.append((n, r, p))
        return real(password, salt=salt, n=n, r=r, p=p, **kw)  # type: ignore[arg-type]

    users.sign_in(
        db, "nobody.here", PASSWORD, client="warm-up", throttle=users.Throttle()
    )  # makes the dummy hash, once a process
    monkeypatch.setattr(hashlib, "scrypt", counted)
    cases = {
        "unknown": ("nobody.here", PASSWORD),
        "wrong": ("bob.jones", "wrong password!"),
        "locked": ("amy.smith", PASSWORD),
    }
    work: dict[str, list[tuple[int, int, int]]] = {}
    answers = set()
    for k, (name, password) in cases.items():
        calls.clear()
        result = users.sign_in(db, name, password, client=k, throttle=users.Throttle())
        assert not result.ok
        answers.add(result.message)
        work[k] = list(calls)
    assert all(len(w) == 1 for w in work.values()), work  # before: a locked account skipped the check
    assert len({w[0] for w in work.values()}) == 1, work  # at the same work factors
    assert len(answers) == 1, answers  # and the same words


def test_wrong_guesses_at_the_same_time_all_count(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    def guess(client: str) -> None:
        for _ in range(3):
            users.sign_in(db, "amy.smith", "guess", client=client, now=NOW, cost=FAST)

    threads = [threading.Thread(target=guess, args=(f"c{i}",)) for i in range(users.MAX_FAILED // 3 + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.execute("SELECT locked_until IS NOT NULL FROM app_user").fetchall() == [(True,)]
    assert not users.sign_in(db, "amy.smith", PASSWORD, now=NOW, cost=FAST).ok


# ----------------------------------------------------------------------------------------------
# Managing users


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        (
            "a",
            PASSWORD,
            "officer",
            "Username: use 2 to 64 lower-case letters, digits, '.', '_', '-' or '@', starting with a letter or digit.",
        ),
        ("amy smith", PASSWORD, "officer", "Username: use 2 to 64"),
        ("amy.smith", PASSWORD, "officer", "Username: 'amy.smith' is already taken."),
        ("bob", PASSWORD, "public", "Role: must be 'officer' or 'admin', got 'public'."),
        ("bob", "short", "officer", "Password: use at least 12 characters."),
        ("bob", "x" * 129, "officer", "Password: use at most 128 characters."),
        ("bob", " " * 12, "officer", "Password: can't be only spaces."),
        ("bob.the.builder", "Bob.The.Builder", "officer", "Password: can't be the same as the username."),
    ],
)
def test_a_new_user_is_refused_with_the_reason(
    db: duckdb.DuckDBPyConnection, officer: users.User, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(errors.InputError) as exc:
        users.create_user(db, username, password, role, created_by="admin1", cost=FAST)
    assert exc.value.problems[0].message().startswith(message)


def test_creating_a_user_is_logged_without_the_password(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    log = db.execute("SELECT table_name, row_key, new_value, changed_by FROM change_log").fetchall()
    assert log == [("app_user", "amy.smith", "created as officer", "admin1")]
    users.set_password(db, "amy.smith", "a new long passphrase", changed_by="admin1", cost=FAST)
    everything = repr(db.execute("SELECT * FROM change_log").fetchall())
    assert PASSWORD not in everything and "a new long passphrase" not in everything


def test_a_new_password_works_and_clears_a_lock(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    for i in range(users.MAX_FAILED):  # from many clients: one client alone is stopped first
        users.sign_in(db, "amy.smith", "guess", client=f"c{i}", now=NOW, cost=FAST)
    assert db.execute("SELECT locked_until IS NOT NULL FROM app_user").fetchall() == [(True,)]
    users.set_password(db, "amy.smith", "a new long passphrase", changed_by="admin1", cost=FAST, now=NOW)
    assert users.sign_in(db, "amy.smith", "a new long passphrase", now=NOW, cost=FAST).ok
    assert not users.sign_in(db, "amy.smith", PASSWORD, now=NOW, cost=FAST).ok


def test_an_admin_can_unlock_an_account(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    for i in range(users.MAX_FAILED):  # from many clients: one client alone is stopped first
        users.sign_in(db, "amy.smith", "guess", client=f"c{i}", now=NOW, cost=FAST)
    assert db.execute("SELECT locked_until IS NOT NULL FROM app_user").fetchall() == [(True,)]
    users.unlock(db, "amy.smith", changed_by="admin1", now=NOW)
    assert users.sign_in(db, "amy.smith", PASSWORD, now=NOW, cost=FAST).ok


def test_a_role_change_is_logged(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    users.set_role(db, "amy.smith", "admin", changed_by="admin1", now=NOW)
    assert users.get_user(db, "amy.smith") == users.User("amy.smith", "Amy Smith", "admin")
    assert db.execute(
        "SELECT column_name, old_value, new_value FROM change_log WHERE column_name = 'role'"
    ).fetchall() == [("role", "officer", "admin")]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda con: users.set_password(con, "nobody", PASSWORD, changed_by="a", cost=FAST),
            "Username: there is no user 'nobody'.",
        ),
        (
            lambda con: users.set_password(con, "amy.smith", "short", changed_by="a", cost=FAST),
            "Password: use at least 12 characters.",
        ),
        (lambda con: users.set_role(con, "nobody", "admin", changed_by="a"), "Username: there is no user 'nobody'."),
        (
            lambda con: users.set_role(con, "amy.smith", "boss", changed_by="a"),
            "Role: must be 'officer' or 'admin', got 'boss'.",
        ),
        (lambda con: users.unlock(con, "nobody", changed_by="a"), "Username: there is no user 'nobody'."),
    ],
)
def test_user_changes_are_refused_with_the_reason(
    db: duckdb.DuckDBPyConnection, officer: users.User, call: object, message: str
) -> None:
    with pytest.raises(errors.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(db)  # type: ignore[operator]


def test_the_user_list_never_includes_hashes(db: duckdb.DuckDBPyConnection, officer: users.User) -> None:
    frame = users.list_users(db)
    assert "password_hash" not in frame.columns
    assert frame[["username", "role"]].values.tolist() == [["amy.smith", "officer"]]
    assert users.get_user(db, "nobody") is None


# ----------------------------------------------------------------------------------------------
# Who may do what

EXPECTED = {  # action: (public, officer, admin)
    "view_published": (True, True, True),
    "view_public_commentary": (True, True, True),
    "view_unpublished": (False, True, True),
    "view_internal_commentary": (False, True, True),
    "enter_data": (False, True, True),
    "write_commentary": (False, True, True),
    "upload": (False, True, True),
    "manage_measures": (False, False, True),
    "manage_users": (False, False, True),
}


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("role", users.ROLES)
def test_each_role_may_do_exactly_its_actions(role: str, action: str) -> None:
    assert users.can(role, action) is EXPECTED[action][users.ROLES.index(role)]  # type: ignore[arg-type]


def test_every_action_is_in_the_expected_table() -> None:
    assert set(users.PERMISSIONS) == set(EXPECTED)


def test_the_public_can_write_nothing() -> None:
    writes = ["enter_data", "write_commentary", "upload", "manage_measures", "manage_users"]
    assert not any(users.can("public", a) for a in writes)


def test_an_officer_cannot_manage_users_or_measures() -> None:
    assert not users.can("officer", "manage_users") and not users.can("officer", "manage_measures")


def test_an_unknown_role_or_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="role must be one of public, officer, admin, got 'guest'"):
        users.can("guest", "upload")
    with pytest.raises(ValueError, match="action must be one of view_published, .*, got 'delete_all'"):
        users.can("admin", "delete_all")


def test_a_throttled_client_is_answered_after_a_checks_time_without_a_check(
    db: duckdb.DuckDBPyConnection, officer: users.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attacker guessing non-stop costs the server no scrypt once throttled (issue #12's load test:
    one core of two), and still gets the same words after as long as a check takes."""
    import hashlib
    import time

    throttle = users.Throttle()
    for i in range(users.CLIENT_MAX_FAILED):
        users.sign_in(
            db, "amy.smith", "guess", client="attacker", now=NOW + timedelta(seconds=i), cost=FAST, throttle=throttle
        )
    real, calls = hashlib.scrypt, []

    def counted(password: bytes, **kw: object) -> bytes:
        calls.append(1)
        return real(password, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(hashlib, "scrypt", counted)
    monkeypatch.setattr(users, "CHECK_TIME", users.CheckTime(first=0.25))
    started = time.perf_counter()
    refused = users.sign_in(db, "amy.smith", PASSWORD, client="attacker", now=NOW, cost=FAST, throttle=throttle)
    took = time.perf_counter() - started
    assert not refused.ok and refused.message == users.WRONG
    assert calls == []  # no check done
    assert took >= 0.25  # as long as a check takes here
    wrong = users.sign_in(db, "amy.smith", "guess", client="someone else", now=NOW, cost=FAST, throttle=throttle)
    assert calls == [1] and wrong.message == refused.message  # a client not throttled: one real check
