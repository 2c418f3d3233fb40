"""Short-lived sign-ins for counterctl: one password, then a token for a few minutes.

``counterctl login`` verifies the password once (`auth.sign_in`: lockout and audit as at the
window) and gets a random token; the database keeps only its sha256 with the user and the
expiry, so the token file on the operator's PC is the one proof of the session and a copy of
the database gives nobody a usable token. Every use looks the user up again: a role changed or
an account deactivated meanwhile takes effect at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from counter_app.services import audit, auth
from counter_app.services.auth import SignedInUser
from counter_app.store.database import write_transaction
from counter_app.store.models import OperatorSession, User, utcnow

DEFAULT_MINUTES = 15


@dataclass(frozen=True)
class OpenedSession:
    """A new session: the token (shown once, kept in the token file) and who it is for."""

    token: str
    user: SignedInUser
    expires_at: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    username: str,
    password: str,
    *,
    counter_id: str = "-",
    minutes: int = DEFAULT_MINUTES,
) -> OpenedSession:
    """Sign in (audited, lockout applies) and open a session of `minutes`."""
    user = auth.sign_in(username, password, counter_id=counter_id)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + dt.timedelta(minutes=minutes)
    with write_transaction():
        OperatorSession.delete().where(OperatorSession.expires_at <= now).execute()
        OperatorSession.create(
            token_hash=_digest(token), user=user.id, counter_id=counter_id, expires_at=expires
        )
        audit.record(
            user.username,
            counter_id,
            "session-opened",
            "user",
            user.id,
            after={"expires_at": expires.isoformat(timespec="seconds"), "minutes": minutes},
        )
    return OpenedSession(token, user, expires)


def session_user(token: str) -> SignedInUser | None:
    """The user of a live session, or None (unknown token, expired, user deactivated)."""
    row = OperatorSession.get_or_none(OperatorSession.token_hash == _digest(token))
    if row is None or row.expires_at <= utcnow():
        return None
    user = User.get_or_none(User.id == row.user_id)
    if user is None or not user.active:
        return None
    return auth.get_user(str(user.username))


def close_session(token: str, *, counter_id: str = "-") -> bool:
    """End a session (``counterctl logout``); False when it was not open."""
    with write_transaction():
        row = OperatorSession.get_or_none(OperatorSession.token_hash == _digest(token))
        if row is None:
            return False
        user = User.get_by_id(row.user_id)
        OperatorSession.delete().where(OperatorSession.id == row.id).execute()
        audit.record(str(user.username), counter_id, "session-closed", "user", user.id)
    return True
