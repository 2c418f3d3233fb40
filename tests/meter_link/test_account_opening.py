"""Remote account opening of a newly installed meter (070101FF, R18) by the dispatcher:
no money, the meter's own count; the account is then open for ordinary recharges (I2 goes on
from that count), and a meter opened for another customer refuses."""

from __future__ import annotations

import pytest

from meter_link.dispatch import DispatchRequest
from meter_link.errors import SecurityRefusal
from meter_link.security import SoftwareSecurityModule, generate_master_key
from tests.fixtures.meters import MeterBus

NEW = "000000000041"


def test_open_account_without_money_then_the_first_recharge_loads(meter_bus: MeterBus) -> None:
    meter_bus.add_meter(NEW, "000000000000", opened=False, purchase_count=6, balance_fen=120)
    dispatcher = meter_bus.dispatcher()
    reading = dispatcher.open_account(NEW, "200000000041")
    assert (reading.count, reading.balance_fen) == (6, 120)  # nothing loaded, count kept
    with meter_bus.simulator.meter(NEW) as m:
        assert m.opened and m.customer_no == "200000000041"
    result = dispatcher.dispatch(DispatchRequest(NEW, "200000000041", 1_000, 7))
    assert result.succeeded and result.count == 7 and result.balance_fen == 1_120


def test_opening_is_refused_for_another_customer_or_a_wrong_key(meter_bus: MeterBus) -> None:
    address = meter_bus.addresses[0]  # opened for its own customer already
    with pytest.raises(SecurityRefusal):
        meter_bus.dispatcher().open_account(address, "299999999999")
    meter_bus.add_meter(NEW, "000000000000", opened=False)
    stranger = SoftwareSecurityModule(generate_master_key())
    with pytest.raises(SecurityRefusal):
        meter_bus.dispatcher(security=stranger).open_account(NEW, "200000000041")
    with meter_bus.simulator.meter(NEW) as m:
        assert not m.opened
