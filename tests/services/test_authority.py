"""Authority: lockout after wrong passwords, every refusal audited (I3), the first administrator.

On both engines: the lockout counter lives in the database, so it holds for every counter of
a hall and across restarts; a supervisor's authorisation of a reversal counts like a sign-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from counter_app.services import audit, audit_view, auth, users
from counter_app.services.context import ServiceContext
from counter_app.services.errors import (
    AccountLocked,
    AuthenticationFailed,
    NotAuthorized,
)
from counter_app.services.registry import build_services
from counter_app.store.models import Refund, User, utcnow
from tests.fixtures.database import TestDatabase


@pytest.fixture
def people(db: TestDatabase) -> Iterator[None]:
    for name, role in (("teller1", "teller"), ("super1", "supervisor"), ("tech1", "technician")):
        auth.create_user(name, f"{name}-pass", role)
    previous = auth.set_lockout_policy(auth.LockoutPolicy(attempts=3, minutes=10))
    yield
    auth.set_lockout_policy(previous)


def actions() -> list[str]:
    return [e.action for e in audit.entries()]


def test_three_wrong_passwords_lock_the_account_even_for_the_right_one(people: None) -> None:
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            auth.sign_in("teller1", "guess", counter_id="C1")
    with pytest.raises(AccountLocked) as locked:
        auth.sign_in("teller1", "teller1-pass", counter_id="C1")
    assert "locked" in str(locked.value)
    assert actions().count("sign-in-failed") == 4  # three wrong, one refused while locked
    lock = audit.entries(actions=["account-locked"])
    assert len(lock) == 1 and lock[0].after["username"] == "teller1"
    assert lock[0].after["failures"] == 3
    assert "sign-in" not in actions()
    # the period passes: the right password works again and the count starts afresh
    User.update(locked_until=utcnow() - dt.timedelta(seconds=1)).where(
        User.username == "teller1"
    ).execute()
    assert auth.sign_in("teller1", "teller1-pass").username == "teller1"
    assert User.get(User.username == "teller1").failed_attempts == 0


def test_a_right_password_resets_the_count(people: None) -> None:
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            auth.sign_in("teller1", "guess")
    auth.sign_in("teller1", "teller1-pass")
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            auth.sign_in("teller1", "guess")
    assert auth.sign_in("teller1", "teller1-pass").username == "teller1"  # not locked


def test_supervisor_authorisation_attempts_count_towards_the_lockout(people: None) -> None:
    services = build_services(ServiceContext(counter_id="C1"))
    from counter_app.store.models import Customer

    Customer.create(customer_no="C-1", name="lockout")
    paid = services.payments.take_payment("C-1", 1_000, operator="teller1")

    def reverse(password: str) -> None:
        services.reversals.reverse_payment(
            paid.payment_id,
            operator="teller1",
            supervisor="super1",
            supervisor_password=password,
            reason="wrong customer",
        )

    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            reverse("guess")
    with pytest.raises(AccountLocked):
        reverse("super1-pass")
    with pytest.raises(AccountLocked):
        auth.sign_in("super1", "super1-pass")  # the window's sign-in is locked as well
    assert Refund.select().count() == 0
    refused = audit.entries(actions=["authorization-refused"])
    assert len(refused) == 4 and all(e.actor == "teller1" for e in refused)
    assert audit.entries(actions=["account-locked"])[0].after["during"] == "authorization"


def test_unknown_and_inactive_users_are_refused_and_audited(people: None) -> None:
    with pytest.raises(AuthenticationFailed):
        auth.sign_in("nobody", "whatever")
    admin = auth.create_user("admin1", "admin1-pass", "admin")
    users.set_active(admin, "tech1", False)
    with pytest.raises(AuthenticationFailed):
        auth.sign_in("tech1", "tech1-pass")
    reasons = [e.after["reason"] for e in audit.entries(actions=["sign-in-failed"])]
    assert reasons == ["unknown-user", "inactive"]


def test_a_missing_permission_is_refused_and_audited(people: None) -> None:
    teller = auth.get_user("teller1")
    with pytest.raises(NotAuthorized):
        users.create_user(teller, "mallory", "mallory-pass", "supervisor")
    with pytest.raises(NotAuthorized):
        audit_view.search_as(teller)
    refused = audit.entries(actions=["permission-refused"])
    assert [e.after["action"] for e in refused] == ["manage-users", "view-audit"]
    assert User.get_or_none(User.username == "mallory") is None


def test_the_first_administrator_is_bootstrapped_once(people: None) -> None:
    assert not auth.admin_exists()
    first = auth.bootstrap_admin("root", "root-pass-1")
    assert first.role == "admin" and auth.admin_exists()
    with pytest.raises(NotAuthorized):
        auth.bootstrap_admin("second", "second-pass")
    assert User.get_or_none(User.username == "second") is None
    assert audit.entries(actions=["permission-refused"])[-1].after["reason"] == "admin-exists"


def test_published_passwords_are_found(people: None) -> None:
    published = [("teller1", "teller1-pass"), ("super1", "not-this-one"), ("ghost", "x")]
    assert auth.users_with_published_passwords(published) == ["teller1"]
