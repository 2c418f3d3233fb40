"""Success board, audit search and user management on both engines.

The success board is fed by the real payment, dispatch and card services; the dispatcher is
the services' scripted test double (`tests.services.conftest.ScriptedDispatcher`): the board
reads what the services recorded, the DL/T 645 path itself is exercised in the view test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from counter_app.services import audit, audit_view, auth, users
from counter_app.services.context import ServiceContext
from counter_app.services.errors import AuthenticationFailed, InvalidInput, NotAuthorized
from counter_app.services.registry import build_services
from counter_app.services.success_board import SuccessBoardService, board_csv
from counter_app.store.models import Customer, Meter
from tests.office_views.conftest import Office
from tests.services.conftest import ScriptedDispatcher


def _remote_customer(no: str) -> Meter:
    c = Customer.create(customer_no=no, name=f"Customer {no}")
    return Meter.create(
        customer=c,
        address=f"{int(c.id):012d}",
        meter_no=f"M{no}",
        customer_no=f"{int(c.id):012d}",
        collection_capable=True,
        purchase_mode="remote",
    )


def test_board_r7_r10_r12_paths_and_causes_from_the_real_services(office: Office) -> None:
    dispatcher = ScriptedDispatcher()
    s = build_services(ServiceContext(counter_id="C1", dispatcher=dispatcher))
    meters = {no: _remote_customer(no) for no in ("B1", "B2", "B3", "B4")}
    ok = s.payments.take_payment("B1", 1_000, operator="teller1")
    assert ok.dispatch is not None and ok.dispatch.loaded
    dispatcher.script = ["channel-failure"]
    wo = s.payments.take_payment("B2", 1_000, operator="teller1")
    assert wo.dispatch is not None and wo.dispatch.work_order_id is not None
    assert s.dispatch.dispatch_purchase(wo.purchase_id or 0, "tech1").loaded  # round 2
    dispatcher.script = ["hoarding-limit"]
    card = s.payments.take_payment("B3", 1_000, operator="teller1")
    pid = card.purchase_id or 0
    s.cards.begin_card_write(
        str(meters["B3"].address),
        operator="teller1",
        card_serial="CARD-B3",
        card_count=0,
        purchase_id=pid,
    )
    s.cards.confirm_card_write(pid, operator="teller1", card_serial="CARD-B3")
    s.cards.apply_writeback(
        str(meters["B3"].address),
        remaining_fen=1_000,
        count=1,
        overdraft_fen=0,
        illegal_insertions=0,
        written_at=None,
        operator="teller1",
    )
    dispatcher.script = ["timeout"]
    s.payments.take_payment("B4", 1_000, operator="teller1")

    board = SuccessBoardService(s.ctx).board(office.users["super1"])
    o = board.overall
    assert o.total == 4
    assert (o.first_attempt, o.within_three, o.after_work_orders, o.eventually) == (1, 1, 2, 3)
    assert o.failures == {"channel-failure": 1, "hoarding-limit": 1, "timeout": 1}
    assert o.eventually_rate == 75.0
    assert [m for m, _ in board.by_meter] == sorted(str(m.address) for m in meters.values())
    rows = list(csv.DictReader(io.StringIO(board_csv(board))))
    assert rows[0]["group"] == "all" and rows[0]["eventually_incl_card"] == "3"
    assert rows[0]["failed_hoarding-limit"] == "1"
    assert sum(int(r["dispatched"]) for r in rows if r["group"] == "meter") == 4
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    assert (
        SuccessBoardService(s.ctx).board(office.users["tech1"], since=tomorrow).overall.total == 0
    )
    with pytest.raises(NotAuthorized):
        SuccessBoardService(s.ctx).board(office.users["teller1"])


def test_audit_search_who_what_when_where(office: Office) -> None:
    office.customer("A1")
    first = office.services.payments.take_payment("A1", 4_321, operator="teller1")
    office.services_at("C9").payments.take_payment("A1", 100, operator="teller2")
    sup = office.users["super1"]
    hits = audit_view.search_as(sup, text=first.receipt_no.lower())
    assert [(h.actor, h.action, h.counter_id) for h in hits] == [("teller1", "take-payment", "C1")]
    assert {h.actor for h in audit_view.search_as(sup, counter_id="C9")} == {"teller2"}
    assert all(h.action == "create-user" for h in audit_view.search_as(sup, action="create-user"))
    newest = audit_view.search_as(sup, entity="payment")
    assert newest[0].after["amount_fen"] == 100  # newest first
    assert audit_view.search_as(sup, text="TELLER2")  # case-insensitive
    future = dt.datetime.now() + dt.timedelta(days=1)
    assert audit_view.search_as(office.users["admin"], since=future) == []
    assert "take-payment" in audit.distinct_values("action")
    with pytest.raises(NotAuthorized):
        audit_view.search_as(office.users["teller1"], text="x")


def test_admin_manages_users_and_nobody_else_may(office: Office) -> None:
    admin = office.users["admin"]
    row = users.create_user(admin, "teller9", "secret-9", "teller", full_name="柜员九")
    assert row.role == "teller" and row.active
    assert auth.authenticate("teller9", "secret-9").role == "teller"
    users.change_role(admin, "teller9", "supervisor")
    users.reset_password(admin, "teller9", "new-secret")
    with pytest.raises(AuthenticationFailed):
        auth.authenticate("teller9", "secret-9")
    assert auth.authenticate("teller9", "new-secret").role == "supervisor"
    users.set_active(admin, "teller9", False)
    with pytest.raises(AuthenticationFailed):
        auth.authenticate("teller9", "new-secret")
    with pytest.raises(NotAuthorized):
        users.set_active(admin, "admin", False)
    with pytest.raises(InvalidInput):
        users.reset_password(admin, "teller9", "123")
    for who in ("teller1", "super1", "tech1"):
        with pytest.raises(NotAuthorized):
            users.create_user(office.users[who], "x1", "secret-x", "teller")
        with pytest.raises(NotAuthorized):
            users.reset_password(office.users[who], "teller2", "hacked-1")
    actions = [e.action for e in audit.search(actor="admin")]
    assert actions[:5] == [
        "permission-refused",  # I3: the refused self-deactivation is on record too
        "deactivate-user",
        "reset-password",
        "change-role",
        "create-user",
    ]
    for who in ("teller1", "super1", "tech1"):
        refused = audit.search(actor=who, action="permission-refused")
        assert [e.after["action"] for e in refused] == ["manage-users", "manage-users"]
