"""R18 new installation (archiving sets remote mode; remote account opening 070101FF or the
open-account card), and the account changes: close (refund through a supervisor), move a
meter, purchase mode remote ↔ card with the facts R2 needs. I1/I2 after each step."""

from __future__ import annotations

import pytest

from counter_app.services import audit
from counter_app.services.business import ChangeRefused
from counter_app.services.errors import InvalidInput, NotAuthorized
from counter_app.store.models import Customer, Meter, PrepaymentRefund, ReviewedPrepayment
from tests.business.conftest import Hall

NEW = "000000000011"


def test_new_collection_capable_card_meter_is_remote_and_opened_remotely(hall: Hall) -> None:
    s = hall.services
    hall.new_meter_on_bus(NEW, opened=False)
    with hall.sim(NEW) as m:
        assert not m.opened
    out = s.business.install_meter(
        hall.users["tech1"],
        customer_no="200000000001",
        name="新装 New Customer",
        meter_address=NEW,
        collection_capable=True,
    )
    assert (out.purchase_mode, out.opening.way, out.base_count) == ("remote", "remote", 0)
    with hall.sim(NEW) as m:
        assert m.opened and m.customer_no == "200000000001"
    paid = s.payments.take_payment("200000000001", 3_000, operator="teller1")
    assert paid.dispatch is not None and paid.dispatch.loaded and paid.purchase_count == 1
    with hall.sim(NEW) as m:
        assert (m.purchase_count, m.balance_fen) == (1, 3_000)
    hall.assert_invariants()
    assert [
        e.action
        for e in audit.entries(entity="meter", entity_id=Meter.get(Meter.address == NEW).id)
    ][:2] == [
        "new-installation",
        "account-opened-remote",
    ]


def test_installation_without_remote_opening_falls_back_to_the_card(hall: Hall) -> None:
    s = hall.services
    card_mode = s.business.install_meter(
        hall.users["tech1"],
        customer_no="200000000002",
        name="Card customer",
        meter_address="000000000021",
        collection_capable=False,
    )
    assert (card_mode.purchase_mode, card_mode.opening.way) == ("card", "card")
    unreachable = s.business.install_meter(
        hall.users["tech1"],
        customer_no="200000000002",
        meter_address="000000000022",  # not on the bus: 070101FF cannot reach it
        collection_capable=True,
    )
    assert unreachable.purchase_mode == "remote" and unreachable.opening.way == "card-needed"
    assert audit.entries(actions=["account-opening-failed"])
    with pytest.raises(InvalidInput):
        s.business.install_meter(
            hall.users["tech1"], customer_no="200000000002", meter_address="000000000021"
        )
    with pytest.raises(InvalidInput):
        s.business.install_meter(
            hall.users["tech1"], customer_no="2000", name="x", meter_address="000000000023"
        )
    with pytest.raises(NotAuthorized):
        s.business.install_meter(
            hall.users["teller1"],
            customer_no="200000000003",
            name="x",
            meter_address="000000000024",
        )
    hall.assert_invariants()


def test_close_account_offsets_arrears_and_refunds_the_rest_through_a_supervisor(
    hall: Hall,
) -> None:
    s = hall.services
    customer = "100000000002"
    s.business.change_mode(
        hall.users["tech1"], "000000000002", "card", reason="keeps money at home"
    )
    s.payments.take_payment(customer, 5_000, operator="teller1")  # card mode: stays in prepayment
    s.payments.issue_bill(customer, 1_500, period="2026-11")
    change_id, held_id = s.business.close_account(
        hall.users["tech1"], customer, reason="house sold"
    )
    assert held_id is not None
    assert not Meter.get(Meter.address == "000000000002").active
    assert ReviewedPrepayment.get_by_id(held_id).amount_fen == 3_500  # 50.00 − 15.00 arrears
    assert Customer.get(Customer.customer_no == customer).prepayment_fen == 0
    hall.assert_invariants()
    with pytest.raises(ChangeRefused):  # a closed account's money is refunded, not dispatched
        s.business.approve(hall.users["super1"], held_id)
    from counter_app.services.shifts import ShiftService
    from counter_app.store.models import CashMovement

    drawer = ShiftService(s.ctx).open_shift(hall.users["super1"], 100_000)
    out = s.business.refund_cash(hall.users["super1"], held_id, reason="account closed")
    paid_out = CashMovement.get(CashMovement.shift == drawer.id)
    assert (paid_out.direction, paid_out.amount_fen) == ("out", 3_500)
    assert out.refund_receipt_no in paid_out.reason
    assert (
        PrepaymentRefund.get(PrepaymentRefund.receipt_no == out.refund_receipt_no).amount_fen
        == 3_500
    )
    hall.assert_invariants()
    assert audit.entries(actions=["account-close"])[0].after["change_id"] == change_id


def test_move_a_meter_and_change_its_mode_with_reasons(hall: Hall) -> None:
    s = hall.services
    tech = hall.users["tech1"]
    s.payments.take_payment("100000000001", 1_000, operator="teller1")
    s.business.move_meter(tech, "000000000001", "100000000002", reason="inherited")
    moved = Meter.get(Meter.address == "000000000001")
    assert Customer.get_by_id(moved.customer_id).customer_no == "100000000002"
    # the second customer now has two card meters: R6, nothing dispatched directly
    multi = s.payments.take_payment("100000000002", 1_000, operator="teller1")
    assert multi.reason == "multi-meter"
    hall.assert_invariants()

    with pytest.raises(InvalidInput):
        s.business.change_mode(tech, "000000000002", "remote", reason="")
    s.business.change_mode(
        tech, "000000000002", "card", reason="collection unit removed", collection_capable=False
    )
    with pytest.raises(ChangeRefused) as caught:
        s.business.change_mode(tech, "000000000002", "remote", reason="try")
    assert caught.value.refusal == "not-collection-capable"
    s.business.change_mode(
        tech, "000000000002", "remote", reason="new concentrator", collection_capable=True
    )
    meter = Meter.get(Meter.address == "000000000002")
    assert (meter.purchase_mode, meter.collection_capable) == ("remote", True)
    assert [e.action for e in audit.entries(actions=["mode-change", "meter-move"])] == [
        "meter-move",
        "mode-change",
        "mode-change",
    ]
    hall.assert_invariants()
