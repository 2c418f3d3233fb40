"""Roles are enforced in the services, not only by hidden buttons.

A teller calling the services directly cannot close a work order as failed, retry it, or
issue / re-issue / clear a card; only a supervisor authorizes a reversal (R15); an admin
manages users. SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from card_io.purchase_card import PurchaseCard
from card_io.reader import PcscReader
from counter_app.services import auth, notifications
from counter_app.services.auth import Action
from counter_app.services.cards import CardWorkbench
from counter_app.services.errors import NotAuthorized
from counter_app.services.sms_gateways import FileSmsGateway
from counter_app.store.models import Notification, Role, WorkOrder
from tests.services.conftest import World


def failed_order(world: World) -> int:
    c = world.customer("R001")
    world.dispatcher.script = ["channel-failure"]
    world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    (order,) = WorkOrder.select()
    return int(order.id)


def test_teller_cannot_close_a_work_order_as_failed_even_calling_the_service(
    world: World,
) -> None:
    order_id = failed_order(world)
    teller = auth.authenticate("teller1", "teller1-pass")
    wo = world.services.work_orders
    for call in (
        lambda: wo.close(order_id, teller, success=False, note="x"),
        lambda: wo.retry(order_id, teller),
        lambda: wo.take(order_id, teller),
        lambda: wo.list_orders(user=teller),
        lambda: wo.history(order_id, teller),
    ):
        with pytest.raises(NotAuthorized) as refused:
            call()
        assert refused.value.role == "teller"
    assert WorkOrder.get_by_id(order_id).state == "open"  # nothing changed
    assert Notification.select().count() == 0  # and no SMS queued
    tech = auth.authenticate("tech1", "tech1-pass")
    assert wo.close(order_id, tech, success=False, note="unreachable").state == "closed-failed"
    assert Notification.select().where(Notification.template == "bring-card").count() == 1


def test_teller_cannot_issue_reissue_or_clear_a_card_even_calling_the_service(
    world: World,
) -> None:
    # the check comes before any card I/O: this reader does not even exist
    bench = CardWorkbench(
        world.services.ctx, world.services.cards, PurchaseCard(PcscReader("no such reader"))
    )
    c = world.customer("R002", remote=False)
    meter = c.meters[0]
    teller = auth.authenticate("teller1", "teller1-pass")
    supervisor = auth.authenticate("super1", "super1-pass")
    for user in (teller, supervisor):
        for call in (
            lambda u=user: bench.issue(u, meter.address),
            lambda u=user: bench.reissue(u, meter.address),
            lambda u=user: bench.clear(u, 1),
        ):
            with pytest.raises(NotAuthorized):
                call()
    with pytest.raises(NotAuthorized):
        bench.inspect(teller)
    assert meter.card_serial is None


def test_role_matrix_reversal_users_outbox(world: World, tmp_path: Path) -> None:
    assert auth.roles_allowed(Action.AUTHORIZE_REVERSAL) == (Role.SUPERVISOR,)
    assert auth.roles_allowed(Action.MANAGE_USERS) == (Role.ADMIN,)
    assert set(auth.roles_allowed(Action.CLOSE_WORK_ORDER)) == {Role.SUPERVISOR, Role.TECHNICIAN}
    assert set(auth.roles_allowed(Action.ISSUE_CARD)) == {Role.TECHNICIAN, Role.ADMIN}
    assert set(auth.roles_allowed(Action.RETRY_DISPATCH)) == {Role.SUPERVISOR, Role.TECHNICIAN}
    assert set(auth.roles_allowed(Action.VIEW_AUDIT)) == {Role.SUPERVISOR, Role.ADMIN}
    assert Action.TAKE_PAYMENT not in auth.PERMISSIONS[Role.ADMIN]  # admins handle no money
    # R15: only a supervisor's own credentials authorize a reversal
    with pytest.raises(NotAuthorized):
        auth.authorize_supervisor("teller1", "tech1", "tech1-pass")
    assert auth.authorize_supervisor("teller1", "super1", "super1-pass").role == "supervisor"
    # the outbox: tellers neither see nor send it
    teller = auth.authenticate("teller1", "teller1-pass")
    with pytest.raises(NotAuthorized):
        notifications.list_outbox(teller)
    with pytest.raises(NotAuthorized):
        notifications.send_now(FileSmsGateway(tmp_path / "sms.jsonl"), teller)
    assert not (tmp_path / "sms.jsonl").exists()


def test_back_office_tabs_follow_the_role(world: World) -> None:
    from counter_app.ui.backoffice.window import visible_tabs

    def keys(username: str, password: str) -> set[str]:
        return {s.key for s in visible_tabs(auth.authenticate(username, password))}

    assert keys("teller1", "teller1-pass") == {"shifts"}
    assert {"work-orders", "card-workbench", "outbox"} <= keys("tech1", "tech1-pass")
    assert "users" not in keys("tech1", "tech1-pass")
    assert {"work-orders", "audit", "shifts"} <= keys("super1", "super1-pass")
    auth.create_user("admin1", "admin1-pass", "admin")
    assert {"users", "audit", "card-workbench"} <= keys("admin1", "admin1-pass")
    assert "work-orders" not in keys("admin1", "admin1-pass")
