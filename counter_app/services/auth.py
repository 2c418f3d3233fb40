"""Users, passwords (argon2) and roles: who may do what at the counter.

Role checks live here and are called by every service that needs them, so the UI and
counterctl cannot forget one. R15: a reversal is authorized only by a *supervisor* entering
their own username and password; `authorize_supervisor` refuses the operator's own account
and every non-supervisor account, whatever password is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from counter_app.services import audit
from counter_app.services.errors import (
    AccountLocked,
    AuthenticationFailed,
    InvalidInput,
    NotAuthorized,
    UnknownUser,
)
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import Role, User, utcnow


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
    UNBLOCK_CARD = "unblock-card"  # the issuer's unblock of a card blocked by wrong keys
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
    ISSUE_BILL = "issue-bill"  # a consumption bill typed in (counterctl bill)
    # business changes (R18-R20) and the customer archive
    FILE_BUSINESS_CHANGE = "file-business-change"  # technicians file, supervisors too
    REVIEW_BUSINESS_CHANGE = "review-business-change"  # R20: supervisors review
    IMPORT_ARCHIVE = "import-archive"
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
            _A.ISSUE_BILL,
            _A.FILE_BUSINESS_CHANGE,
            _A.REVIEW_BUSINESS_CHANGE,
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
            _A.UNBLOCK_CARD,
            _A.VIEW_OUTBOX,
            _A.SEND_OUTBOX,
            _A.VIEW_SUCCESS_BOARD,
            _A.FILE_BUSINESS_CHANGE,
            _A.IMPORT_ARCHIVE,
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
            _A.UNBLOCK_CARD,
            _A.VIEW_OUTBOX,
            _A.IMPORT_ARCHIVE,
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


# -- lockout ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockoutPolicy:
    """After `attempts` wrong passwords in a row an account is locked for `minutes`.

    Sign-ins at the window, counterctl sign-ins and a supervisor's authorisation of a reversal
    all count: guessing a supervisor's password through the reversal dialog is no easier than
    through the sign-in dialog. Configured by ``[security]`` (`counter_app.config`).
    """

    attempts: int = 5
    minutes: int = 15


_policy = LockoutPolicy()


def lockout_policy() -> LockoutPolicy:
    return _policy


def set_lockout_policy(policy: LockoutPolicy) -> LockoutPolicy:
    """Use `policy` from now on; returns the previous one."""
    global _policy
    if policy.attempts < 1 or policy.minutes < 1:
        raise InvalidInput("lockout", "attempts and minutes must be at least 1")
    previous, _policy = _policy, policy
    return previous


def _refused(
    actor: str,
    counter_id: str,
    action: str,
    entity_id: object,
    after: Mapping[str, Any],
) -> None:
    """Audit a refused authority in its own transaction (I3: refusals are kept too)."""
    with write_transaction():
        audit.record(actor, counter_id, action, "user", entity_id, after=after)


def _count_failure(user: User, counter_id: str, purpose: str, actor: str) -> None:
    """One more wrong password: count it, lock the account at the policy's limit (audited)."""
    policy = _policy
    now = utcnow()
    with write_transaction():
        row: User = locked(User.select().where(User.id == user.id)).first()
        failures = int(row.failed_attempts) + 1
        until = None
        if failures >= policy.attempts:
            until = now + dt.timedelta(minutes=policy.minutes)
            User.update(failed_attempts=0, locked_until=until).where(User.id == row.id).execute()
        else:
            User.update(failed_attempts=failures).where(User.id == row.id).execute()
        audit.record(
            actor,
            counter_id,
            "sign-in-failed" if purpose == SIGN_IN else "authorization-refused",
            "user",
            row.id,
            after={"username": str(row.username), "reason": "wrong-password", "failures": failures},
        )
        if until is not None:
            audit.record(
                actor,
                counter_id,
                "account-locked",
                "user",
                row.id,
                after={
                    "username": str(row.username),
                    "failures": failures,
                    "until": until.isoformat(timespec="seconds"),
                    "during": purpose,
                },
            )


SIGN_IN = "sign-in"
AUTHORIZATION = "authorization"


def authenticate(
    username: str,
    password: str,
    *,
    counter_id: str = "-",
    purpose: str = SIGN_IN,
    actor: str | None = None,
) -> SignedInUser:
    """Verify a username and password, with lockout; every refusal is audited (I3).

    Refused: an unknown or inactive user and a wrong password (`AuthenticationFailed`, which
    does not say which), and a locked account (`AccountLocked`, even with the right password).
    `purpose` is `SIGN_IN` or `AUTHORIZATION` (a supervisor's password for a reversal); the
    audit record is ``sign-in-failed`` or ``authorization-refused`` accordingly, by `actor`
    (default: the username tried).
    """
    who = actor or username
    failed_action = "sign-in-failed" if purpose == SIGN_IN else "authorization-refused"
    user = User.get_or_none(User.username == username)
    if user is None or not user.active:
        reason = "unknown-user" if user is None else "inactive"
        _refused(who, counter_id, failed_action, username, {"username": username, "reason": reason})
        raise AuthenticationFailed(username)
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        until = user.locked_until.isoformat(timespec="seconds")
        _refused(
            who,
            counter_id,
            failed_action,
            user.id,
            {"username": username, "reason": "locked", "until": until},
        )
        raise AccountLocked(username, until)
    try:
        _hasher.verify(str(user.password_hash), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        _count_failure(user, counter_id, purpose, who)
        raise AuthenticationFailed(username) from None
    changes: dict[Any, Any] = {}
    if int(user.failed_attempts) or user.locked_until is not None:
        changes.update({User.failed_attempts: 0, User.locked_until: None})
    if _hasher.check_needs_rehash(str(user.password_hash)):
        changes[User.password_hash] = hash_password(password)
    if changes:
        User.update(changes).where(User.id == user.id).execute()
    return _signed(user)


def sign_in(username: str, password: str, counter_id: str = "-") -> SignedInUser:
    """Sign in at a counter: authenticate (refusals audited there) and audit the sign-in (I3)."""
    user = authenticate(username, password, counter_id=counter_id)
    with write_transaction():
        audit.record(username, counter_id, "sign-in", "user", user.id, after={"role": user.role})
    return user


def require(user: SignedInUser, action: str, *, counter_id: str = "-") -> None:
    """Raise `NotAuthorized` unless the user's role allows `action`; a refusal is audited.

    Called before the service's own transaction, so the refusal's audit record is committed
    on its own (I3: every refused authority leaves a record).
    """
    if not user.may(action):
        raise refuse(user, action, counter_id=counter_id)


def refuse(user: SignedInUser, action: str, *, counter_id: str = "-") -> NotAuthorized:
    """Audit that `user` was refused `action` (committed on its own) and return the error to
    raise; for refusals beyond the role matrix (another person's shift, ...)."""
    _refused(
        user.username,
        counter_id,
        "permission-refused",
        user.id,
        {"username": user.username, "role": user.role, "action": action},
    )
    return NotAuthorized(user.username, user.role, action)


def authorize_supervisor(
    operator: str, supervisor_username: str, supervisor_password: str, *, counter_id: str = "-"
) -> SignedInUser:
    """R15: a supervisor's own credentials authorize a reversal; audited either way (I3).

    Refused: a wrong password (counting towards the supervisor's lockout), a locked, unknown
    or inactive user, any role without "authorize-reversal", and the operator's own account
    (nobody authorizes themself).
    """
    user = authenticate(
        supervisor_username,
        supervisor_password,
        counter_id=counter_id,
        purpose=AUTHORIZATION,
        actor=operator,
    )
    refusal = None
    if user.username == operator:
        refusal = NotAuthorized(user.username, user.role, "authorize their own reversal")
    elif not user.may(Action.AUTHORIZE_REVERSAL):
        refusal = NotAuthorized(user.username, user.role, Action.AUTHORIZE_REVERSAL)
    if refusal is not None:
        _refused(
            operator,
            counter_id,
            "authorization-refused",
            supervisor_username,
            {"supervisor": supervisor_username, "code": refusal.code, "role": user.role},
        )
        raise refusal
    with write_transaction():
        audit.record(
            operator,
            counter_id,
            "authorization-granted",
            "user",
            user.id,
            after={"supervisor": user.username, "action": Action.AUTHORIZE_REVERSAL},
        )
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


# -- the first administrator, and published passwords ----------------------------------------


def admin_exists() -> bool:
    """Whether an active administrator exists (then only an administrator adds users)."""
    query = User.select().where((User.role == Role.ADMIN) & (User.active == True))  # noqa: E712
    return bool(query.exists())


def bootstrap_admin(
    username: str, password: str, *, full_name: str = "", counter_id: str = "-"
) -> SignedInUser:
    """Create the first administrator of a new database; refused once any administrator exists.

    The one way to a user without signing in: every later user is added by an administrator
    (`services.users`). Checked and created in one write transaction, so two shells racing to
    bootstrap cannot both succeed.
    """
    with write_transaction():
        refused = admin_exists()
        if not refused:
            return create_user(
                username,
                password,
                Role.ADMIN,
                full_name=full_name,
                actor=f"bootstrap:{username}",
                counter_id=counter_id,
            )
    _refused(
        username,
        counter_id,
        "permission-refused",
        username,
        {"username": username, "action": "bootstrap-admin", "reason": "admin-exists"},
    )
    raise NotAuthorized(username, "-", "bootstrap an administrator (one exists already)")


def users_with_published_passwords(published: Iterable[tuple[str, str]]) -> list[str]:
    """The users (of `published` name/password pairs) whose password is still the published
    one: a production counter refuses to start while any is there."""
    found = []
    for username, password in published:
        user = User.get_or_none(User.username == username)
        if user is None or not user.active:
            continue
        try:
            _hasher.verify(str(user.password_hash), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
        found.append(username)
    return found
