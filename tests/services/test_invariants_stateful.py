"""Property test: random sequences of payments, bills, dispatch outcomes, work orders, card
purchases and reversals on the real database keep I1 and I2 after every step.

Runs on SQLite and PostgreSQL (fewer examples there). The dispatcher is the scripted test
double of `conftest` (a meter that follows the purchase-count rule, R7/R8) with injected
failures: channel failures, timeouts, count mismatches, a link that drops before sending and a
reply lost after the meter loaded (R8).
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from counter_app.core.purchase_state import PurchaseState
from counter_app.services import auth
from counter_app.services.checks import check_customer, check_meter
from counter_app.services.errors import ServiceError
from counter_app.store.models import Meter, Payment, Purchase, WorkOrder
from tests.fixtures.database import TestDatabase
from tests.services.conftest import World

OUTCOMES = st.sampled_from(
    [
        "natural",
        "natural",
        "natural",
        "channel-failure",
        "timeout",
        "count-mismatch",
        "security-refusal",
        "raise",
        "lost-reply",
    ]
)
AMOUNTS = st.integers(min_value=1, max_value=50_000)
_run = itertools.count(1)


def make_machine(world: World) -> type[RuleBasedStateMachine]:
    tech = auth.authenticate("tech1", "tech1-pass")

    class Ledger(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            run = next(_run)
            self.customers = [
                world.customer(f"R{run}-single").customer_no,
                world.customer(f"R{run}-second").customer_no,
                world.customer(f"R{run}-multi", meters=2).customer_no,
            ]
            self.customer_ids = [int(c.id) for c in world_customers(self.customers)]
            self.meter_ids = [
                int(m.id) for m in Meter.select().where(Meter.customer.in_(self.customer_ids))
            ]
            self.payments: list[int] = []

        @rule(who=st.integers(0, 2), amount=AMOUNTS, outcome=OUTCOMES)
        def pay(self, who: int, amount: int, outcome: str) -> None:
            world.dispatcher.script = [outcome]
            out = world.services.payments.take_payment(
                self.customers[who], amount, operator="teller1"
            )
            world.dispatcher.script = []
            self.payments.append(out.payment_id)

        @rule(who=st.integers(0, 2), amount=AMOUNTS)
        def bill(self, who: int, amount: int) -> None:
            world.services.payments.issue_bill(self.customers[who], amount)

        @rule(who=st.integers(0, 2))
        def offset(self, who: int) -> None:
            """R4: prepayment settles arrears (no new money)."""
            world.services.payments.offset_arrears(self.customers[who], operator="teller1")

        @rule(pick=st.integers(0, 10_000))
        def reverse(self, pick: int) -> None:
            if not self.payments:
                return
            payment = self.payments[pick % len(self.payments)]
            try:
                world.services.reversals.reverse_payment(
                    payment,
                    operator="teller1",
                    supervisor="super1",
                    supervisor_password="super1-pass",
                    reason="property test",
                )
            except ServiceError as exc:
                assert exc.code == "reversal-refused", exc
                assert Payment.get_by_id(payment).reversed or exc.fields["refusal"] in (
                    "unresolved-dispatch",
                    "unresolved-card-write",
                    "card-not-cleared",
                )

        @rule(outcome=OUTCOMES, close_failed=st.booleans())
        def work_order(self, outcome: str, close_failed: bool) -> None:
            order = world.services.work_orders.take_next(tech)
            if order is None:
                return
            world.dispatcher.script = [outcome]
            world.services.work_orders.retry(order.id, tech)
            world.dispatcher.script = []
            if close_failed and WorkOrder.get_by_id(order.id).state == "taken":
                world.services.work_orders.close(order.id, tech, success=False)

        @rule()
        def resolve(self) -> None:
            for pid in world.services.dispatch.unresolved_purchases():
                if Purchase.get_by_id(pid).customer_id in self.customer_ids:
                    world.services.dispatch.resolve_unresolved(pid, "teller1")

        @rule(which=st.integers(0, 1), loads=st.booleans())
        def card_purchase(self, which: int, loads: bool) -> None:
            """R6/R12/R13 for the multi-meter household: write, confirm, write-back."""
            meter = (
                Meter.select()
                .where(Meter.customer == self.customer_ids[2])
                .order_by(Meter.id)[which]
            )
            try:
                ticket = world.services.cards.begin_card_write(
                    meter.address,
                    operator="teller1",
                    card_serial="S1",
                    card_count=int(meter.committed_count),
                )
            except ServiceError:
                return  # nothing to load, or a purchase pending
            if not loads and ticket.amount_fen % 3 == 0:  # the card came back unchanged
                world.services.cards.abandon_card_write(ticket.purchase_id, operator="teller1")
                world.services.cards.cancel_card_purchase(ticket.purchase_id, operator="teller1")
                return
            world.services.cards.confirm_card_write(
                ticket.purchase_id, operator="teller1", card_serial="S1"
            )
            if loads:
                world.services.cards.apply_writeback(
                    meter.address,
                    remaining_fen=ticket.amount_fen,
                    count=ticket.count,
                    overdraft_fen=0,
                    illegal_insertions=0,
                    written_at=None,
                    operator="teller1",
                )

        @rule()
        def card_reaches_meter(self) -> None:
            """R13: a card-written purchase goes through its meter; the write-back loads it."""
            written = (
                Purchase.select()
                .where(
                    Purchase.customer.in_(self.customer_ids)
                    & (Purchase.state == PurchaseState.CARD_WRITTEN.value)
                )
                .first()
            )
            if written is None:
                return
            meter = Meter.get_by_id(written.meter_id)
            world.services.cards.apply_writeback(
                meter.address,
                remaining_fen=written.amount_fen,
                count=written.count,
                overdraft_fen=0,
                illegal_insertions=0,
                written_at=None,
                operator="teller1",
            )

        @invariant()
        def i1_and_i2_hold(self) -> None:
            breaks = [str(b) for cid in self.customer_ids for b in check_customer(cid)]
            breaks += [str(b) for mid in self.meter_ids for b in check_meter(mid)]
            assert breaks == []

        @invariant()
        def meter_and_system_agree_on_counts(self) -> None:
            """I2: a count is committed only after the meter confirmed it, and every count the
            meter confirmed is committed once the dispatch is resolved (R8)."""
            for meter in Meter.select().where(Meter.id.in_(self.meter_ids)):
                fake = world.dispatcher.meters.get(str(meter.address))
                if fake is None:
                    continue
                committed = int(meter.committed_count)
                unresolved = (
                    Purchase.select()
                    .where(
                        (Purchase.meter == meter.id)
                        & (Purchase.state == PurchaseState.DISPATCHING.value)
                    )
                    .exists()
                )
                assert fake.count == committed or (unresolved and fake.count == committed + 1)

    return Ledger


def world_customers(numbers: list[str]) -> list[object]:
    from counter_app.store.models import Customer

    return [Customer.get(Customer.customer_no == n) for n in numbers]


def test_i1_i2_hold_under_random_sequences(world: World, db: TestDatabase) -> None:
    examples = 30 if db.kind == "sqlite" else 8
    run_state_machine_as_test(
        make_machine(world),
        settings=settings(
            max_examples=examples,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
