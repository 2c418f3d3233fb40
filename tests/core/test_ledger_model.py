"""I1/I2 over random histories: a pure in-memory ledger driven only by the core's decisions.

The model books what ``plan_payment``, ``plan_offset``, ``plan_card_purchase``, ``transition``,
``decide_reversal`` and ``plan_reversal`` decide, simulates the meter's own purchase count
(it accepts ``n`` only at count ``n-1``) and the customer's card, and after every step sums the
figures independently of the core and asserts ``check_i1`` and ``check_i2``. The store has the
same test against a real database; this one pins down that the rules themselves lose no fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from counter_app.core.allocation import OpenBill
from counter_app.core.channels import Channel
from counter_app.core.eligibility import IneligibleReason, MeterFacts, PurchaseMode
from counter_app.core.invariants import CustomerLedger, check_i1, check_i2
from counter_app.core.payment_plan import (
    PaymentPlan,
    PlanError,
    Route,
    plan_card_purchase,
    plan_offset,
    plan_payment,
)
from counter_app.core.purchase_state import (
    UNRESOLVED,
    PurchaseEvent,
    PurchaseState,
    transition,
)
from counter_app.core.reversal import ReversalCase, decide_reversal, plan_reversal

S = PurchaseState
E = PurchaseEvent
# Written out here rather than imported, so the model's sums do not lean on the core's sets.
OPEN_STATES = {S.CREATED, S.DISPATCHING, S.FAILED, S.WORK_ORDER, S.CARD_WRITING, S.CARD_WRITTEN}

LAYOUTS = {
    "one-remote-meter": [(True, True, PurchaseMode.REMOTE)],
    "card-mode-meter": [(True, True, PurchaseMode.CARD)],
    "not-collection-capable": [(True, False, PurchaseMode.REMOTE)],
    "multi-meter": [(True, True, PurchaseMode.REMOTE), (True, True, PurchaseMode.REMOTE)],
    "remote-plus-plain-meter": [
        (True, True, PurchaseMode.REMOTE),
        (False, False, PurchaseMode.CARD),
    ],
}
amounts = st.integers(min_value=1, max_value=300_00)


@dataclass
class Bill:
    bill_id: int
    issued_on: date
    amount_fen: int
    outstanding_fen: int
    debit: bool  # a reversal debit (R15), not consumption


@dataclass
class Payment:
    payment_id: int
    amount_fen: int
    offset: bool
    settlements: tuple[tuple[int, int], ...]
    purchase_id: int | None
    reversed: bool = False


@dataclass
class Purchase:
    purchase_id: int
    meter_id: int
    amount_fen: int
    count: int
    state: PurchaseState


@dataclass
class Meter:
    facts: MeterFacts
    device_count: int = 0  # the meter's own purchase count
    committed: list[int] = field(default_factory=list)  # the system's committed counts (I2)
    card_purchase_id: int | None = None  # purchase written on this meter's card
    write_landed: bool = False  # for an interrupted card write: did it reach the card?


class LedgerModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.bills: dict[int, Bill] = {}
        self.payments: dict[int, Payment] = {}
        self.purchases: dict[int, Purchase] = {}
        self.meters: dict[int, Meter] = {}
        self.prepayment = 0
        self.paid = 0
        self.refunded = 0
        self.today = date(2026, 1, 1)
        self.next_id = 1

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    # --- set-up -----------------------------------------------------------------------------
    @initialize(
        layout=st.sampled_from(sorted(LAYOUTS)), opening_bills=st.lists(amounts, max_size=3)
    )
    def set_up(self, layout: str, opening_bills: list[int]) -> None:
        for card, capable, mode in LAYOUTS[layout]:
            meter_id = self._new_id()
            facts = MeterFacts(meter_id, card, capable, mode, True, 0)
            self.meters[meter_id] = Meter(facts)
        for amount in opening_bills:
            self.issue_bill(amount)

    # --- helpers ----------------------------------------------------------------------------
    def meter_facts(self) -> list[MeterFacts]:
        facts = []
        for meter in self.meters.values():
            pending = any(
                p.meter_id == meter.facts.meter_id and p.state in OPEN_STATES
                for p in self.purchases.values()
            )
            last = meter.committed[-1] if meter.committed else 0
            facts.append(
                MeterFacts(
                    meter_id=meter.facts.meter_id,
                    is_card_meter=meter.facts.is_card_meter,
                    collection_capable=meter.facts.collection_capable,
                    mode=meter.facts.mode,
                    active=meter.facts.active,
                    last_committed_count=last,
                    pending_purchase=pending,
                )
            )
        return facts

    def open_bills(self) -> list[OpenBill]:
        return [
            OpenBill(b.bill_id, b.issued_on, b.outstanding_fen)
            for b in self.bills.values()
            if b.outstanding_fen > 0
        ]

    def purchases_in(self, *states: PurchaseState) -> list[Purchase]:
        return [p for p in self.purchases.values() if p.state in states]

    def move(self, purchase: Purchase, event: PurchaseEvent) -> None:
        purchase.state = transition(purchase.state, event)
        if purchase.state is S.LOADED:
            # I2: a count is committed only once the meter (or its card) confirmed it.
            meter = self.meters[purchase.meter_id]
            assert meter.device_count >= purchase.count
            meter.committed.append(purchase.count)

    def book(self, plan: PaymentPlan, offset: bool) -> None:
        arrears_before = sum(b.outstanding_fen for b in self.bills.values())
        for bill_id, fen in plan.allocation.settlements:
            assert 0 < fen <= self.bills[bill_id].outstanding_fen
            self.bills[bill_id].outstanding_fen -= fen
        assert plan.allocation.arrears_after_fen == arrears_before - plan.allocation.settled_fen
        self.prepayment = plan.prepayment_after_fen
        self.paid += plan.paid_fen
        purchase_id = None
        if plan.purchase is not None:
            # R2/R4: never dispatched while arrears remain; R6: never for several card meters
            assert plan.allocation.arrears_after_fen == 0
            assert plan.route is Route.REMOTE
            card_meters = [m for m in self.meters.values() if m.facts.is_card_meter]
            assert len(card_meters) == 1
            meter = self.meters[plan.purchase.meter_id]
            assert plan.purchase.count == len(meter.committed) + 1  # R3
            purchase_id = self._new_id()
            self.purchases[purchase_id] = Purchase(
                purchase_id,
                plan.purchase.meter_id,
                plan.purchase.amount_fen,
                plan.purchase.count,
                S.CREATED,
            )
        elif plan.allocation.arrears_after_fen > 0:
            assert plan.reason is IneligibleReason.ARREARS_REMAIN
        payment_id = self._new_id()
        self.payments[payment_id] = Payment(
            payment_id, plan.amount_fen, offset, plan.allocation.settlements, purchase_id
        )

    # --- money in ---------------------------------------------------------------------------
    @rule(amount=amounts)
    def issue_bill(self, amount: int) -> None:
        self.today += timedelta(days=30)
        bill_id = self._new_id()
        self.bills[bill_id] = Bill(bill_id, self.today, amount, amount, debit=False)

    @rule(
        amount=amounts,
        channel=st.sampled_from([c for c in Channel if c is not Channel.OFFSET]),
    )
    def pay(self, amount: int, channel: Channel) -> None:
        plan = plan_payment(amount, channel, self.open_bills(), self.prepayment, self.meter_facts())
        self.book(plan, offset=False)

    @rule()
    def offset(self) -> None:
        """R4: prepayment offsets arrears."""
        plan = plan_offset(self.open_bills(), self.prepayment, self.meter_facts())
        if plan is not None:
            self.book(plan, offset=True)

    @rule(data=st.data())
    def card_purchase(self, data: st.DataObject) -> None:
        """R6: the teller picks a meter and writes the card from prepayment."""
        facts = data.draw(st.sampled_from(self.meter_facts()))
        amount = data.draw(st.none() | st.integers(1, max(1, self.prepayment)))
        try:
            planned = plan_card_purchase(self.prepayment, facts, amount)
        except PlanError as error:
            assert error.code in {
                "nothing-to-load",
                "purchase-pending",
                "not-card-meter",
                "amount-exceeds-prepayment",
                "bad-amount",
            }
            return
        self.prepayment -= planned.amount_fen
        purchase_id = self._new_id()
        self.purchases[purchase_id] = Purchase(
            purchase_id, planned.meter_id, planned.amount_fen, planned.count, S.CREATED
        )

    # --- dispatch (R7-R10) ------------------------------------------------------------------
    def meter_takes(self, purchase: Purchase) -> bool:
        """The simulated meter: loads n at count n-1; at count n it is already loaded (R8)."""
        meter = self.meters[purchase.meter_id]
        if meter.device_count == purchase.count - 1:
            meter.device_count = purchase.count
            return True
        return meter.device_count == purchase.count

    @precondition(lambda self: self.purchases_in(S.CREATED, S.FAILED, S.WORK_ORDER))
    @rule(data=st.data(), outcome=st.sampled_from(["success", "failure", "lost-reply"]))
    def dispatch(self, data: st.DataObject, outcome: str) -> None:
        purchase = data.draw(st.sampled_from(self.purchases_in(S.CREATED, S.FAILED, S.WORK_ORDER)))
        self.move(purchase, E.START_DISPATCH)
        if outcome == "failure":
            self.move(purchase, E.DISPATCH_FAILED)
        elif outcome == "success" and self.meter_takes(purchase):
            self.move(purchase, E.DISPATCH_SUCCEEDED)
        elif outcome == "lost-reply":
            self.meter_takes(purchase)  # reached the meter, the reply did not come back
        else:
            self.move(purchase, E.DISPATCH_FAILED)

    @precondition(lambda self: self.purchases_in(S.DISPATCHING))
    @rule(data=st.data())
    def probe(self, data: st.DataObject) -> None:
        """R8: (a)+(b) again; never guess."""
        purchase = data.draw(st.sampled_from(self.purchases_in(S.DISPATCHING)))
        if self.meters[purchase.meter_id].device_count == purchase.count:
            self.move(purchase, E.METER_CONFIRMED)
        else:
            self.move(purchase, E.DISPATCH_FAILED)

    @precondition(lambda self: self.purchases_in(S.FAILED))
    @rule(data=st.data())
    def open_work_order(self, data: st.DataObject) -> None:
        """R10."""
        self.move(data.draw(st.sampled_from(self.purchases_in(S.FAILED))), E.OPEN_WORK_ORDER)

    # --- cards (R5, R12, R13, R16) ----------------------------------------------------------
    def writable(self) -> list[Purchase]:
        return [
            p
            for p in self.purchases_in(S.CREATED, S.FAILED, S.WORK_ORDER)
            if self.meters[p.meter_id].card_purchase_id is None
            and self.meters[p.meter_id].facts.is_card_meter
        ]

    @precondition(lambda self: self.writable())
    @rule(
        data=st.data(),
        outcome=st.sampled_from(["written", "unchanged", "pulled-written", "pulled-unchanged"]),
    )
    def write_card(self, data: st.DataObject, outcome: str) -> None:
        purchase = data.draw(st.sampled_from(self.writable()))
        meter = self.meters[purchase.meter_id]
        self.move(purchase, E.START_CARD_WRITE)
        if outcome == "written":
            meter.card_purchase_id = purchase.purchase_id
            self.move(purchase, E.CARD_WRITE_CONFIRMED)
        elif outcome == "unchanged":
            self.move(purchase, E.CARD_WRITE_ABANDONED)
        else:  # the card was pulled: the write may or may not have landed (R12)
            meter.card_purchase_id = purchase.purchase_id
            meter.write_landed = outcome == "pulled-written"

    @precondition(lambda self: self.purchases_in(S.CARD_WRITING))
    @rule(data=st.data())
    def read_card_again(self, data: st.DataObject) -> None:
        """R12: an interrupted write is resolved by reading the card, never by writing twice."""
        purchase = data.draw(st.sampled_from(self.purchases_in(S.CARD_WRITING)))
        meter = self.meters[purchase.meter_id]
        if meter.write_landed:
            self.move(purchase, E.CARD_WRITE_CONFIRMED)
        else:
            meter.card_purchase_id = None
            self.move(purchase, E.CARD_WRITE_ABANDONED)
        meter.write_landed = False

    def cards_written(self) -> list[Purchase]:
        return self.purchases_in(S.CARD_WRITTEN)

    @precondition(lambda self: self.cards_written())
    @rule(data=st.data())
    def insert_card_in_meter(self, data: st.DataObject) -> None:
        """R13: the meter loads the card's purchase; the write-back marks it loaded."""
        purchase = data.draw(st.sampled_from(self.cards_written()))
        meter = self.meters[purchase.meter_id]
        if self.meter_takes(purchase):
            meter.card_purchase_id = None
            self.move(purchase, E.METER_CONFIRMED)

    @precondition(lambda self: self.cards_written())
    @rule(data=st.data(), success=st.booleans())
    def terminal_remote_twin(self, data: st.DataObject, success: bool) -> None:
        """R5: the same n dispatched remotely; whichever arrives first loads it."""
        purchase = data.draw(st.sampled_from(self.cards_written()))
        if success and self.meter_takes(purchase):
            self.move(purchase, E.DISPATCH_SUCCEEDED)
            # the card still carries n; the meter will see an equal count and load nothing
            self.meters[purchase.meter_id].card_purchase_id = None
        else:
            self.move(purchase, E.DISPATCH_FAILED)

    @precondition(lambda self: self.cards_written())
    @rule(data=st.data())
    def clear_card(self, data: st.DataObject) -> None:
        """R16: read the card and clear a purchase that did not reach the meter."""
        purchase = data.draw(st.sampled_from(self.cards_written()))
        self.meters[purchase.meter_id].card_purchase_id = None
        self.move(purchase, E.CARD_CLEARED)

    # --- reversals (R15, R16) ---------------------------------------------------------------
    def reversible(self) -> list[Payment]:
        return [p for p in self.payments.values() if not p.offset and not p.reversed]

    def with_open_purchase(self) -> list[Payment]:
        return [
            p
            for p in self.reversible()
            if p.purchase_id is not None and self.purchases[p.purchase_id].state in OPEN_STATES
        ]

    @precondition(lambda self: self.reversible())
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        self.try_reversal(data.draw(st.sampled_from(self.reversible())))

    @precondition(lambda self: self.with_open_purchase())
    @rule(data=st.data())
    def reverse_payment_with_open_purchase(self, data: st.DataObject) -> None:
        self.try_reversal(data.draw(st.sampled_from(self.with_open_purchase())))

    @precondition(lambda self: any(p.reversed for p in self.payments.values()))
    @rule(data=st.data())
    def reverse_again(self, data: st.DataObject) -> None:
        """R15: a second reversal of the same payment is refused and changes nothing."""
        payment = data.draw(st.sampled_from([p for p in self.payments.values() if p.reversed]))
        before = self.ledger()
        self.try_reversal(payment)
        assert self.ledger() == before

    def try_reversal(self, payment: Payment) -> None:
        purchase = self.purchases[payment.purchase_id] if payment.purchase_id else None
        decision = decide_reversal(payment.reversed, purchase.state if purchase else None)
        if not decision.allowed:
            refused_states = UNRESOLVED | {S.CARD_WRITTEN}
            assert payment.reversed or (purchase is not None and purchase.state in refused_states)
            return  # refused: nothing changes
        assert decision.case is not None
        settled = sum(fen for _, fen in payment.settlements)
        plan = plan_reversal(
            decision.case,
            payment.amount_fen,
            settled,
            purchase.amount_fen if purchase else 0,
            self.prepayment,
        )
        if plan.purchase_reversed:
            assert purchase is not None
            self.move(purchase, E.REVERSE)  # count n is free again: nothing was committed
        if decision.case is ReversalCase.PAYMENT_ONLY:
            assert purchase is not None and purchase.state is S.LOADED
        for bill_id, fen in payment.settlements:
            self.bills[bill_id].outstanding_fen += fen
        self.prepayment = plan.prepayment_after_fen
        if plan.debit_fen:
            bill_id = self._new_id()
            self.bills[bill_id] = Bill(bill_id, self.today, plan.debit_fen, plan.debit_fen, True)
        self.refunded += plan.refund_fen
        payment.reversed = True

    # --- invariants -------------------------------------------------------------------------
    def ledger(self) -> CustomerLedger:
        return CustomerLedger(
            paid_fen=self.paid,
            refunded_fen=self.refunded,
            consumption_settled_fen=sum(
                b.amount_fen - b.outstanding_fen for b in self.bills.values() if not b.debit
            ),
            prepayment_fen=self.prepayment,
            in_transit_fen=sum(p.amount_fen for p in self.purchases_in(*OPEN_STATES)),
            loaded_fen=sum(p.amount_fen for p in self.purchases_in(S.LOADED)),
            reversal_debit_outstanding_fen=sum(
                b.outstanding_fen for b in self.bills.values() if b.debit
            ),
        )

    @invariant()
    def i1_holds(self) -> None:
        assert check_i1(self.ledger()) == []
        for bill in self.bills.values():
            assert 0 <= bill.outstanding_fen <= bill.amount_fen

    @invariant()
    def i2_holds(self) -> None:
        for meter in self.meters.values():
            assert check_i2(meter.committed) == []
            assert meter.committed == list(range(1, len(meter.committed) + 1))
            assert meter.device_count in (len(meter.committed), len(meter.committed) + 1)
            # ours: at most one open purchase per meter, so no two purchases share an n
            open_ = [
                p for p in self.purchases_in(*OPEN_STATES) if p.meter_id == meter.facts.meter_id
            ]
            assert len(open_) <= 1


LedgerModel.TestCase.settings = settings(
    max_examples=400,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_i1_i2_hold_after_every_step = LedgerModel.TestCase
