"""Who may do what: officers and admins in ``app_user`` with slow password hashes; the public is
whoever is not signed in.

Passwords are hashed with scrypt at the OWASP Password Storage Cheat Sheet's parameters and compared
in constant time. Repeated failures lock an account for a while, so a password cannot be guessed by
trying many. When the council's single sign-on is used (Streamlit's ``st.login``), this table only
holds roles; see the README.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal

import duckdb
import pandas as pd

from perf import store
from perf.errors import InputError, Problem
from perf.store import run, write_transaction

Role = Literal["public", "officer", "admin"]
ROLES: tuple[Role, ...] = ("public", "officer", "admin")
STORED_ROLES = ("officer", "admin")  # 'public' is not a user: it is nobody signed in

Action = Literal[
    "view_published",
    "view_public_commentary",
    "view_unpublished",
    "view_internal_commentary",
    "enter_data",
    "write_commentary",
    "upload",
    "manage_measures",
    "manage_users",
]
# The one table pages consult: an action is allowed for the roles listed and for nobody else.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    "view_published": frozenset({"public", "officer", "admin"}),
    "view_public_commentary": frozenset({"public", "officer", "admin"}),
    "view_unpublished": frozenset({"officer", "admin"}),
    "view_internal_commentary": frozenset({"officer", "admin"}),
    "enter_data": frozenset({"officer", "admin"}),
    "write_commentary": frozenset({"officer", "admin"}),
    "upload": frozenset({"officer", "admin"}),
    "manage_measures": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),
}


def can(role: str, action: str) -> bool:
    """True when ``role`` may do ``action``; an unknown role or action is a programming error.

    Example
    -------
    >>> can("officer", "upload"), can("officer", "manage_users"), can("public", "enter_data")
    (True, False, False)
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if action not in PERMISSIONS:
        raise ValueError(f"action must be one of {', '.join(PERMISSIONS)}, got {action!r}")
    return role in PERMISSIONS[action]


# ----------------------------------------------------------------------------------------------
# Password hashes


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work factors: n (CPU/memory cost, a power of 2), r (block size), p (parallelism)."""

    n: int
    r: int
    p: int

    @property
    def memory_bytes(self) -> int:
        return 128 * self.n * self.r  # scrypt's memory use (Percival 2009, RFC 7914 section 2)


# OWASP Password Storage Cheat Sheet, "scrypt": "a minimum CPU/memory cost parameter of (2^17), a
# minimum block size of 8 (1024 bytes), and a parallelization parameter of 1" (128 MiB, ~0.5 s here).
OWASP_SCRYPT = ScryptCost(n=2**17, r=8, p=1)
DEFAULT_COST = OWASP_SCRYPT
SALT_BYTES = 16  # 128-bit random salt (OWASP: unique per password, from a CSPRNG)
KEY_BYTES = 32
MAX_N = 2**20  # refuse to verify a stored hash demanding more than 1 GiB: a corrupt or hostile row
PASSWORD_MIN = 12  # OWASP ASVS 4.0 V2.1.1: at least 12 characters
PASSWORD_MAX = 128  # ASVS V2.1.2: at least 64 allowed, no more than 128 needed
_HASH = re.compile(r"^scrypt\$n=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$")


def _scrypt(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=2 * cost.memory_bytes * cost.p + 1024 * 1024,
        dklen=KEY_BYTES,
    )


def hash_password(password: str, *, cost: ScryptCost = DEFAULT_COST) -> str:
    """A self-describing hash: ``scrypt$n=131072,r=8,p=1$<salt>$<key>`` (base64), new salt each time.

    Example
    -------
    >>> h = hash_password("correct horse battery", cost=ScryptCost(2**10, 8, 1))
    >>> h.startswith("scrypt$n=1024,r=8,p=1$"), verify_password("correct horse battery", h)
    (True, True)
    """
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, cost)
    b64 = base64.b64encode
    return f"scrypt$n={cost.n},r={cost.r},p={cost.p}${b64(salt).decode()}${b64(key).decode()}"


def _parse(stored: str) -> tuple[ScryptCost, bytes, bytes] | None:
    match = _HASH.match(stored or "")
    if not match:
        return None
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    if n < 2 or n & (n - 1) or n > MAX_N or not 1 <= r <= 32 or not 1 <= p <= 16:
        return None
    return ScryptCost(n, r, p), base64.b64decode(match.group(4)), base64.b64decode(match.group(5))


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; the comparison takes the same time either way."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    cost, salt, key = parsed
    return hmac.compare_digest(_scrypt(password, salt, cost), key)


def needs_rehash(stored: str, cost: ScryptCost = DEFAULT_COST) -> bool:
    """True when a stored hash is weaker than ``cost`` (it is upgraded at the next sign-in)."""
    parsed = _parse(stored)
    if parsed is None:
        return True
    old = parsed[0]
    return (old.n, old.r, old.p) < (cost.n, cost.r, cost.p) or old.memory_bytes < cost.memory_bytes


# ----------------------------------------------------------------------------------------------
# Users

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
# Two brakes on guessing (OWASP Authentication Cheat Sheet, "Account Lockout", leaves the numbers to
# us). One client (browser address) gets CLIENT_MAX_FAILED wrong sign-ins in CLIENT_MINUTES, then is
# refused unheard until the window has passed. An account locks for LOCK_MINUTES after MAX_FAILED
# wrong passwords in a row, from however many clients: more than one client's allowance, so no one
# visitor can lock an admin out, and a lock always runs out (or `python -m perf unlock NAME`).
CLIENT_MAX_FAILED = 5
CLIENT_MINUTES = 15
MAX_FAILED = 20
LOCK_MINUTES = 15
# One answer for an unknown username, a wrong password, a locked account and a client refused for
# too many tries, each after the same work (one scrypt check), so none can be told from another.
WRONG = (
    "Username or password is wrong, or there have been too many failed sign-ins: wait a few "
    "minutes and try again, or ask an admin."
)


@cache
def _dummy_hash(cost: ScryptCost) -> str:
    """A real hash of a random password, so checking an unknown username takes as long as a known one."""
    return hash_password(secrets.token_hex(16), cost=cost)


@dataclass(frozen=True)
class User:
    """A signed-in person: what pages need to decide what to show."""

    username: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or None and a message to show."""

    user: User | None
    message: str
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def normalise_username(username: str) -> str:
    """Usernames are compared without case or surrounding spaces."""
    return username.strip().lower()


def _password_problems(password: str, username: str) -> list[Problem]:
    problems: list[Problem] = []
    if len(password) < PASSWORD_MIN:
        problems.append(Problem(None, "password", None, f"Password: use at least {PASSWORD_MIN} characters."))
    elif len(password) > PASSWORD_MAX:
        problems.append(Problem(None, "password", None, f"Password: use at most {PASSWORD_MAX} characters."))
    elif not password.strip():
        problems.append(Problem(None, "password", None, "Password: can't be only spaces."))
    elif normalise_username(password) == username:
        problems.append(Problem(None, "password", None, "Password: can't be the same as the username."))
    return problems


def _row(con: duckdb.DuckDBPyConnection, username: str) -> dict[str, Any] | None:
    frame = store.query(con, "users_get", {"username": username})
    return None if frame.empty else {str(k): v for k, v in frame.iloc[0].to_dict().items()}


def _when(value: object) -> datetime | None:
    """A TIMESTAMP read back through pandas (Timestamp or NaT) as a datetime or None."""
    if isinstance(value, datetime) and not pd.isna(value):  # NaT is a datetime too
        return pd.Timestamp(value).to_pydatetime()
    return None


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The user with this username, or None."""
    row = _row(con, normalise_username(username))
    if row is None:
        return None
    return User(str(row["username"]), str(row["display_name"] or row["username"]), row["role"])


def create_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    created_by: str,
    cost: ScryptCost = DEFAULT_COST,
    now: datetime | None = None,
) -> User:
    """Add an officer or admin. Raises InputError (bad username, weak password, taken name)."""
    now = now or datetime.now()
    name = normalise_username(username)
    problems: list[Problem] = []
    if not USERNAME.match(name):
        problems.append(
            Problem(
                None,
                "username",
                None,
                (
                    "Username: use 2 to 64 lower-case letters, digits, '.', '_', '-' or '@', starting with a letter "
                    "or digit."
                ),
            )
        )
    elif _row(con, name) is not None:
        problems.append(Problem(None, "username", None, f"Username: '{name}' is already taken."))
    if role not in STORED_ROLES:
        problems.append(Problem(None, "role", None, f"Role: must be 'officer' or 'admin', got '{role}'."))
    problems += _password_problems(password, name)
    if problems:
        raise InputError(problems)
    shown = (display_name or "").strip() or name
    hashed = hash_password(password, cost=cost)
    with write_transaction(con) as cur:
        run(
            cur,
            "users_insert",
            {"username": name, "display_name": shown, "role": role, "password_hash": hashed, "created_at": now},
        )
        run(
            cur,
            "users_log",
            {
                "row_key": name,
                "column_name": None,
                "old_value": None,
                "new_value": f"created as {role}",
                "user": created_by,
                "now": now,
            },
        )
    return User(name, shown, role)  # type: ignore[arg-type]


def set_password(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    *,
    changed_by: str,
    cost: ScryptCost = DEFAULT_COST,
    now: datetime | None = None,
) -> None:
    """Give a user a new password; this also clears any lock. The change (not the password) is logged."""
    now = now or datetime.now()
    name = normalise_username(username)
    if _row(con, name) is None:
        raise InputError([Problem(None, "username", None, f"Username: there is no user '{name}'.")])
    problems = _password_problems(password, name)
    if problems:
        raise InputError(problems)
    hashed = hash_password(password, cost=cost)
    with write_transaction(con) as cur:
        run(cur, "users_set_password", {"username": name, "password_hash": hashed})
        run(
            cur,
            "users_log",
            {
                "row_key": name,
                "column_name": "password_hash",
                "old_value": None,
                "new_value": "changed",
                "user": changed_by,
                "now": now,
            },
        )


def set_role(
    con: duckdb.DuckDBPyConnection,
    username: str,
    role: str,
    *,
    changed_by: str,
    now: datetime | None = None,
) -> None:
    """Make a user an officer or an admin; logged with who did it."""
    now = now or datetime.now()
    name = normalise_username(username)
    row = _row(con, name)
    if row is None:
        raise InputError([Problem(None, "username", None, f"Username: there is no user '{name}'.")])
    if role not in STORED_ROLES:
        raise InputError([Problem(None, "role", None, f"Role: must be 'officer' or 'admin', got '{role}'.")])
    if row["role"] == role:
        return
    with write_transaction(con) as cur:
        run(cur, "users_set_role", {"username": name, "role": role})
        run(
            cur,
            "users_log",
            {
                "row_key": name,
                "column_name": "role",
                "old_value": row["role"],
                "new_value": role,
                "user": changed_by,
                "now": now,
            },
        )


def unlock(con: duckdb.DuckDBPyConnection, username: str, *, changed_by: str, now: datetime | None = None) -> None:
    """Clear a lock after failed sign-ins (an admin's action); logged."""
    now = now or datetime.now()
    name = normalise_username(username)
    if _row(con, name) is None:
        raise InputError([Problem(None, "username", None, f"Username: there is no user '{name}'.")])
    with write_transaction(con) as cur:
        run(cur, "users_record_attempt", {"username": name, "failed_attempts": 0, "locked_until": None})
        run(
            cur,
            "users_log",
            {
                "row_key": name,
                "column_name": "locked_until",
                "old_value": None,
                "new_value": "unlocked",
                "user": changed_by,
                "now": now,
            },
        )


def list_users(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every user without the hash: username, display_name, role, created_at, failed_attempts, locked_until."""
    return store.query(con, "users_list")


class Throttle:
    """Wrong sign-ins per client in the last CLIENT_MINUTES, kept in memory (a restart forgets them)."""

    MAX_CLIENTS = 10_000  # past this, the client whose last failure is oldest is forgotten first

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, list[datetime]] = {}

    def _recent(self, client: str, now: datetime) -> list[datetime]:
        since = now - timedelta(minutes=CLIENT_MINUTES)
        kept = [t for t in self._failures.get(client, []) if t > since]
        if kept:
            self._failures[client] = kept
        else:
            self._failures.pop(client, None)
        return kept

    def refused(self, client: str, now: datetime) -> bool:
        with self._lock:
            return len(self._recent(client, now)) >= CLIENT_MAX_FAILED

    def failed(self, client: str, now: datetime) -> None:
        with self._lock:
            self._failures.setdefault(client, []).append(now)
            if len(self._failures) > self.MAX_CLIENTS:
                oldest = min(self._failures, key=lambda c: self._failures[c][-1])
                del self._failures[oldest]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


THROTTLE = Throttle()


class CheckTime:
    """How long a password check has lately taken in this process (the median of the last few).

    A client refused for failing too often waits this long instead of doing a check: the same answer
    after the same time as any other refusal, without the CPU. A check (scrypt at the OWASP cost) is
    a third of a second of a core; an attacker guessing non-stop took one of the server's two cores
    (issue #12's load test), and the answer to a throttled client depends on no account anyway.
    """

    def __init__(self, first: float = 0.3) -> None:
        self._lock = threading.Lock()
        self._recent: list[float] = [first]

    def note(self, seconds: float) -> None:
        with self._lock:
            self._recent = [*self._recent[-8:], seconds]

    def typical(self) -> float:
        with self._lock:
            ordered = sorted(self._recent)
        return ordered[len(ordered) // 2]


CHECK_TIME = CheckTime()


def sign_in(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    *,
    client: str = "",
    now: datetime | None = None,
    cost: ScryptCost = DEFAULT_COST,
    throttle: Throttle | None = None,
) -> SignIn:
    """Check a username and password. An unknown user, a wrong password and a locked account all get
    WRONG after one scrypt check (of a dummy hash if need be); a client that has failed too often gets
    WRONG after as long as a check takes (``CHECK_TIME``), without one.

    After MAX_FAILED failures in a row the account locks for LOCK_MINUTES, and while locked even the
    right password is refused; ``client`` (who is asking: their address) is refused after
    CLIENT_MAX_FAILED failures in CLIENT_MINUTES. The check runs outside any lock; only the failure
    count is written, through the write door. A hash weaker than ``cost`` is replaced by one at
    ``cost`` after a successful sign-in.
    """
    now = now or datetime.now()
    throttle = throttle or THROTTLE
    name = normalise_username(username)
    if throttle.refused(client, now):
        time.sleep(CHECK_TIME.typical())  # the same time and answer as any other refusal, no CPU
        _count_failure(con, None, now)
        return SignIn(None, WRONG)
    row = _row(con, name)
    stored = str(row["password_hash"]) if row is not None else _dummy_hash(cost)
    started = time.perf_counter()
    right = verify_password(password, stored)
    CHECK_TIME.note(time.perf_counter() - started)
    locked = _when(row["locked_until"]) if row is not None else None
    if row is None or not right or (locked is not None and locked > now):
        throttle.failed(client, now)
        _count_failure(con, name if row is not None else None, now)
        return SignIn(None, WRONG)
    throttle.succeeded(client)
    rehashed = hash_password(password, cost=cost) if needs_rehash(stored, cost) else None
    if rehashed or locked is not None or int(row["failed_attempts"]):
        with write_transaction(con, quiet=not rehashed) as cur:
            run(cur, "users_record_attempt", {"username": name, "failed_attempts": 0, "locked_until": None})
            if rehashed:
                run(cur, "users_set_password", {"username": name, "password_hash": rehashed})
    return SignIn(User(name, str(row["display_name"] or name), row["role"]), "")


def _count_failure(con: duckdb.DuckDBPyConnection, name: str | None, now: datetime) -> None:
    """One more failure in a row for a real account (the MAX_FAILED-th locks it for LOCK_MINUTES).

    Every refusal writes (the time of the last failed sign-in), so an unknown name costs the same
    commit as a known one; quiet, so a stream of wrong guesses does not empty the pages' caches.
    """
    with write_transaction(con, quiet=True) as cur:
        run(cur, "meta_set", {"key": "last_failed_sign_in", "value": now.isoformat(timespec="seconds")})
        if name is None:
            return
        # read again inside the door, so two wrong guesses at once both count
        fresh = run(cur, "users_get", {"username": name}).iloc[0]
        lock = _when(fresh["locked_until"])
        if lock is not None and lock > now:  # locked already: a guess while locked does not extend it
            return
        failed = (0 if lock is not None else int(fresh["failed_attempts"])) + 1  # a lock run out starts again
        until = now + timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED else None
        run(cur, "users_record_attempt", {"username": name, "failed_attempts": failed, "locked_until": until})
