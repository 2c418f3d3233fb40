"""User management for admins: create, change role, reset password, deactivate.

Every function takes the signed-in admin and calls `auth.require(admin, MANAGE_USERS)` first,
so a teller calling it directly (not through a hidden button) is refused all the same. Every
change is audited with before/after (I3). Users are never deleted: their names stay on
payments, refunds and audit records; a deactivated user simply cannot sign in
(`auth.authenticate`). An admin cannot deactivate or demote themself, so the hall is never
left without an admin by accident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from counter_app.services import audit, auth
from counter_app.services.auth import SignedInUser
from counter_app.services.errors import InvalidInput, UnknownUser
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import Role, User

ACTION = auth.Action.MANAGE_USERS
MIN_PASSWORD = 6


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    created_at: dt.datetime


def _row(u: User) -> UserRow:
    return UserRow(
        int(u.id), str(u.username), str(u.full_name), str(u.role), bool(u.active), u.created_at
    )


def list_users(admin: SignedInUser) -> list[UserRow]:
    auth.require(admin, ACTION)
    return [_row(u) for u in User.select().order_by(User.username)]


def create_user(
    admin: SignedInUser,
    username: str,
    password: str,
    role: str,
    *,
    full_name: str = "",
    counter_id: str = "-",
) -> UserRow:
    """A new user (argon2 hash only, audited by `auth.create_user`)."""
    auth.require(admin, ACTION)
    made = auth.create_user(
        username.strip(),
        password,
        role,
        full_name=full_name.strip(),
        actor=admin.username,
        counter_id=counter_id,
    )
    return _row(User.get_by_id(made.id))


def _lock(username: str) -> User:
    user: User | None = locked(User.select().where(User.username == username)).first()
    if user is None:
        raise UnknownUser(username)
    return user


def change_role(admin: SignedInUser, username: str, role: str, *, counter_id: str = "-") -> UserRow:
    auth.require(admin, ACTION)
    if role not in Role.ALL:
        raise InvalidInput("role", f"must be one of {', '.join(Role.ALL)}")
    if username == admin.username and role != admin.role:
        raise auth.refuse(admin, "change their own role", counter_id=counter_id)
    with write_transaction():
        user = _lock(username)
        before = str(user.role)
        user.role = role
        user.save()
        audit.record(
            admin.username,
            counter_id,
            "change-role",
            "user",
            user.id,
            before={"role": before},
            after={"role": role},
        )
    return _row(user)


def reset_password(
    admin: SignedInUser, username: str, new_password: str, *, counter_id: str = "-"
) -> UserRow:
    """Set a new password for a user who forgot theirs (the hash only; audited, no secret)."""
    auth.require(admin, ACTION)
    if len(new_password) < MIN_PASSWORD:
        raise InvalidInput("password", f"must have at least {MIN_PASSWORD} characters")
    with write_transaction():
        user = _lock(username)
        user.password_hash = auth.hash_password(new_password)
        user.save()
        audit.record(admin.username, counter_id, "reset-password", "user", user.id)
    return _row(user)


def set_active(
    admin: SignedInUser, username: str, active: bool, *, counter_id: str = "-"
) -> UserRow:
    """Deactivate (cannot sign in any more) or reactivate a user; never oneself."""
    auth.require(admin, ACTION)
    if username == admin.username and not active:
        raise auth.refuse(admin, "deactivate their own account", counter_id=counter_id)
    with write_transaction():
        user = _lock(username)
        before = bool(user.active)
        user.active = active
        user.save()
        audit.record(
            admin.username,
            counter_id,
            "activate-user" if active else "deactivate-user",
            "user",
            user.id,
            before={"active": before},
            after={"active": active},
        )
    return _row(user)
