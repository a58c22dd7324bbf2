"""Who is at the desk: passwords (argon2id, owner of argon2-cffi), session cookies
(signed tokens, owner of itsdangerous; the session itself lives in the database, kept by
the token's SHA-256), CSRF tokens, and the rate limits on logging in."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, Signer

from hub.errors import HubError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A hash to check against when the user does not exist, so that a wrong name takes as
# long to refuse as a wrong password (no telling which names exist by timing).
_DECOY = _hasher.hash("not a password anyone has")
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise HubError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` is the one `stored` was made from. With no stored hash (no such
    user) a decoy is checked, so that the answer takes as long either way."""
    try:
        return _hasher.verify(stored or _DECOY, password) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


RESERVED = ("hub", "shell")  # the names hub and the command line act under on the log


def check_name(name: str) -> str:
    """A user name as the log will show it: 1 to 64 visible characters, no spaces or
    invisible ones, and not one of the names hub itself acts under."""
    name = name.strip()
    if not 0 < len(name) <= 64:
        raise HubError("a user name has 1 to 64 characters")
    odd = [c for c in name if c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn")]
    if odd:
        raise HubError("a user name cannot hold spaces or invisible characters")
    if name.casefold() in RESERVED or name.casefold().startswith(("hub ", "shell:")):
        raise HubError(f"{name!r} is reserved for hub's own entries on the log")
    return name


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Cookies:
    """Session tokens signed with the site's desk key (data/desk.key, made on first use,
    readable by its owner only): a cookie that was not made here is refused before the
    database is asked."""

    def __init__(self, key_file: Path) -> None:
        key = _key(key_file)
        self._signer = Signer(key, salt="hub.desk.session")
        self._notes = Signer(key, salt="hub.desk.note")

    def note(self, text: str) -> str:
        """A message for the next page (?done=), signed so that a link from elsewhere
        cannot make the desk say something it did not."""
        return self._notes.sign(text.encode()).decode()

    def read_note(self, value: str) -> str:
        try:
            return self._notes.unsign(value).decode()
        except (BadSignature, UnicodeDecodeError):
            return ""

    def issue(self) -> tuple[str, str]:
        """A new session: (the cookie's value, the token it carries)."""
        token = secrets.token_urlsafe(32)
        return self._signer.sign(token).decode(), token

    def token(self, cookie: str) -> str | None:
        try:
            return self._signer.unsign(cookie).decode()
        except (BadSignature, UnicodeDecodeError):
            return None


def _key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key


@dataclass(frozen=True)
class Limits:
    """Failed logins allowed in `window` before further attempts are refused."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


class LoginLimiter:
    """Failed logins per account and per address in a sliding window (in memory: a
    restart forgives, which a rate limit may). The clock is injectable."""

    def __init__(self, clock: Callable[[], datetime], limits: Limits = Limits()) -> None:
        self._clock, self._limits = clock, limits
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def blocked(self, account: str, address: str) -> timedelta | None:
        """How long until a login may be tried again, or None if it may now."""
        now = self._clock()
        waits = [
            self._wait(f"u:{account.casefold()}", self._limits.per_account, now),
            self._wait(f"a:{address}", self._limits.per_address, now),
        ]
        return max((w for w in waits if w is not None), default=None)

    def failed(self, account: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (f"u:{account.casefold()}", f"a:{address}"):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{account.casefold()}", None)

    def _wait(self, key: str, allowed: int, now: datetime) -> timedelta | None:
        with self._lock:
            times = self._failures.get(key)
            if not times:
                return None
            while times and times[0] <= now - self._limits.window:
                times.popleft()
            if len(times) < allowed:
                return None
            return times[-allowed] + self._limits.window - now
