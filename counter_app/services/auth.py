"""Users, passwords (argon2) and roles: who may do what at the counter.

Role checks live here and are called by every service that needs them, so the UI and
counterctl cannot forget one. R15: a reversal is authorized only by a *supervisor* entering
their own username and password; `authorize_supervisor` refuses the operator's own account
and every non-supervisor account, whatever password is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from counter_app.services import audit
from counter_app.services.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotAuthorized,
    UnknownUser,
)
from counter_app.store.database import write_transaction
from counter_app.store.models import Role, User


class Action:
    """Names of what a person may do; `PERMISSIONS` says which role may do which.

    Services call `require(user, Action.X)` before they change anything, so a hidden button
    is never the only guard: a teller calling `WorkOrderService.close` or `CardWorkbench.issue`
    directly is refused with `NotAuthorized` all the same.
    """

    VIEW = "view"
    TAKE_PAYMENT = "take-payment"
    WRITE_CARD = "write-card"  # R12 card write at the counter
    AUTHORIZE_REVERSAL = "authorize-reversal"  # R15: supervisors only
    # re-dispatch work orders (R10)
    VIEW_WORK_ORDERS = "view-work-orders"
    TAKE_WORK_ORDER = "take-work-order"
    RETRY_DISPATCH = "retry-dispatch"
    CLOSE_WORK_ORDER = "close-work-order"  # closing as failed queues the SMS (R10, R11)
    # card workbench (R13, R14, R16)
    INSPECT_CARD = "inspect-card"
    APPLY_WRITEBACK = "apply-writeback"
    ISSUE_CARD = "issue-card"
    REISSUE_CARD = "reissue-card"
    CLEAR_CARD = "clear-card"
    # SMS outbox (R11)
    VIEW_OUTBOX = "view-outbox"
    SEND_OUTBOX = "send-outbox"
    # people, audit, shifts, reports
    MANAGE_USERS = "manage-users"
    VIEW_AUDIT = "view-audit"
    OPEN_SHIFT = "open-shift"
    CLOSE_SHIFT = "close-shift"
    VIEW_OPEN_SHIFTS = "view-open-shifts"
    VIEW_SUCCESS_BOARD = "view-success-board"
    # channels: bank collection, reconciliation (R17), offsets and transfers (R4), terminals
    BANK_COLLECTION = "bank-collection"  # import a bank file, enter a bank's reversal
    RECONCILE = "reconcile"  # prepare a reconciliation report
    SIGN_OFF_RECONCILIATION = "sign-off-reconciliation"  # R17: only then is anything changed
    AUTHORIZE_OFFSET = "authorize-offset"  # R4 offsets and transfers of prepayment
    MANAGE_TERMINALS = "manage-terminals"


_A = Action

# What each role may do. Admins manage users and cards; they do not take money.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.TELLER: frozenset(
        {_A.VIEW, _A.TAKE_PAYMENT, _A.WRITE_CARD, _A.APPLY_WRITEBACK, _A.OPEN_SHIFT, _A.CLOSE_SHIFT}
    ),
    Role.SUPERVISOR: frozenset(
        {
            _A.VIEW,
            _A.TAKE_PAYMENT,
            _A.WRITE_CARD,
            _A.APPLY_WRITEBACK,
            _A.AUTHORIZE_REVERSAL,
            _A.VIEW_WORK_ORDERS,
            _A.TAKE_WORK_ORDER,
            _A.RETRY_DISPATCH,
            _A.CLOSE_WORK_ORDER,
            _A.INSPECT_CARD,
            _A.VIEW_OUTBOX,
            _A.SEND_OUTBOX,
            _A.VIEW_AUDIT,
            _A.OPEN_SHIFT,
            _A.CLOSE_SHIFT,
            _A.VIEW_OPEN_SHIFTS,
            _A.VIEW_SUCCESS_BOARD,
            _A.BANK_COLLECTION,
            _A.RECONCILE,
            _A.SIGN_OFF_RECONCILIATION,
            _A.AUTHORIZE_OFFSET,
        }
    ),
    Role.TECHNICIAN: frozenset(
        {
            _A.VIEW,
            _A.VIEW_WORK_ORDERS,
            _A.TAKE_WORK_ORDER,
            _A.RETRY_DISPATCH,
            _A.CLOSE_WORK_ORDER,
            _A.INSPECT_CARD,
            _A.APPLY_WRITEBACK,
            _A.ISSUE_CARD,
            _A.REISSUE_CARD,
            _A.CLEAR_CARD,
            _A.VIEW_OUTBOX,
            _A.SEND_OUTBOX,
            _A.VIEW_SUCCESS_BOARD,
        }
    ),
    Role.ADMIN: frozenset(
        {
            _A.VIEW,
            _A.MANAGE_USERS,
            _A.VIEW_AUDIT,
            _A.INSPECT_CARD,
            _A.APPLY_WRITEBACK,
            _A.ISSUE_CARD,
            _A.REISSUE_CARD,
            _A.CLEAR_CARD,
            _A.VIEW_OUTBOX,
            _A.MANAGE_TERMINALS,
        }
    ),
}


ROLES: tuple[str, ...] = Role.ALL
"""Every role a user may have (teller, supervisor, technician, admin)."""


def user_count() -> int:
    """How many users the database holds (the start-up self-check: none means no demo yet)."""
    return int(User.select().count())


def roles_allowed(action: str) -> tuple[str, ...]:
    """The roles that may do `action` (for messages and the guides)."""
    return tuple(role for role in Role.ALL if action in PERMISSIONS.get(role, frozenset()))


_hasher = argon2.PasswordHasher()


def make_password_hasher(*, fast: bool = False) -> argon2.PasswordHasher:
    """The argon2 hasher: RFC 9106 low-memory profile, or cheap parameters for tests."""
    if fast:
        return argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return argon2.PasswordHasher()


def set_password_hasher(hasher: argon2.PasswordHasher) -> argon2.PasswordHasher:
    """Replace the hasher used for new hashes; returns the previous one."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def hash_password(password: str) -> str:
    return str(_hasher.hash(password))


@dataclass(frozen=True)
class SignedInUser:
    """A user whose password was just verified."""

    id: int
    username: str
    full_name: str
    role: str

    def may(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, frozenset())


def _signed(user: User) -> SignedInUser:
    return SignedInUser(int(user.id), str(user.username), str(user.full_name), str(user.role))


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    full_name: str = "",
    actor: str = "system",
    counter_id: str = "-",
) -> SignedInUser:
    """Create a user (audited). The password is stored only as an argon2 hash."""
    if role not in Role.ALL:
        raise InvalidInput("role", f"must be one of {', '.join(Role.ALL)}")
    if not username.strip():
        raise InvalidInput("username", "must not be empty")
    if len(password) < 6:
        raise InvalidInput("password", "must have at least 6 characters")
    with write_transaction():
        if User.get_or_none(User.username == username) is not None:
            raise InvalidInput("username", f"{username!r} exists already")
        user = User.create(
            username=username,
            full_name=full_name,
            role=role,
            password_hash=hash_password(password),
        )
        audit.record(
            actor,
            counter_id,
            "create-user",
            "user",
            user.id,
            after={"username": username, "role": role, "full_name": full_name},
        )
    return _signed(user)


def get_user(username: str) -> SignedInUser:
    user = User.get_or_none(User.username == username)
    if user is None:
        raise UnknownUser(username)
    return _signed(user)


def authenticate(username: str, password: str) -> SignedInUser:
    """Verify a username and password (inactive users cannot sign in)."""
    user = User.get_or_none(User.username == username)
    if user is None or not user.active:
        raise AuthenticationFailed(username)
    try:
        _hasher.verify(str(user.password_hash), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthenticationFailed(username) from None
    if _hasher.check_needs_rehash(str(user.password_hash)):
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return _signed(user)


def sign_in(username: str, password: str, counter_id: str = "-") -> SignedInUser:
    """Sign in at a counter: authenticate and audit the sign-in (I3)."""
    try:
        user = authenticate(username, password)
    except AuthenticationFailed:
        with write_transaction():
            audit.record(username, counter_id, "sign-in-failed", "user", "", after=None)
        raise
    with write_transaction():
        audit.record(username, counter_id, "sign-in", "user", user.id, after={"role": user.role})
    return user


def require(user: SignedInUser, action: str) -> None:
    """Raise `NotAuthorized` unless the user's role allows `action`."""
    if not user.may(action):
        raise NotAuthorized(user.username, user.role, action)


def authorize_supervisor(
    operator: str, supervisor_username: str, supervisor_password: str, *, counter_id: str = "-"
) -> SignedInUser:
    """R15: a supervisor's own credentials authorize a reversal; audited either way (I3).

    Refused: a wrong password, an unknown or inactive user, any role without
    "authorize-reversal", and the operator's own account (nobody authorizes themself).
    """
    try:
        user = authenticate(supervisor_username, supervisor_password)
        if user.username == operator:
            raise NotAuthorized(user.username, user.role, "authorize their own reversal")
        require(user, "authorize-reversal")
    except (AuthenticationFailed, NotAuthorized) as exc:
        with write_transaction():
            audit.record(
                operator,
                counter_id,
                "authorization-refused",
                "user",
                supervisor_username,
                after={"supervisor": supervisor_username, "code": exc.code},
            )
        raise
    return user


def authorize_supervisor_for(
    operator: str,
    supervisor_username: str,
    supervisor_password: str,
    action: str,
    *,
    counter_id: str = "-",
) -> SignedInUser:
    """A supervisor's own credentials for `action` (R4 offsets, R17 sign-off); audited (I3).

    The same refusals as `authorize_supervisor`: wrong password, a role without `action`, the
    operator's own account.
    """
    try:
        user = authenticate(supervisor_username, supervisor_password)
        if user.username == operator:
            raise NotAuthorized(user.username, user.role, f"authorize their own {action}")
        require(user, action)
    except (AuthenticationFailed, NotAuthorized) as exc:
        with write_transaction():
            audit.record(
                operator,
                counter_id,
                "authorization-refused",
                "user",
                supervisor_username,
                after={"supervisor": supervisor_username, "action": action, "code": exc.code},
            )
        raise
    with write_transaction():
        audit.record(
            operator,
            counter_id,
            "authorization-given",
            "user",
            user.username,
            after={"supervisor": user.username, "action": action},
        )
    return user


def change_password(username: str, old_password: str, new_password: str) -> None:
    """Change one's own password (audited)."""
    user = authenticate(username, old_password)
    if len(new_password) < 6:
        raise InvalidInput("password", "must have at least 6 characters")
    with write_transaction():
        User.update(password_hash=hash_password(new_password)).where(User.id == user.id).execute()
        audit.record(username, "-", "change-password", "user", user.id)
