"""Every purchase has a next step: the ways out of each non-final state, and the sweep that
takes them after a crash, a link failure or a restart.

Money in transit (I1) must never strand. A purchase ends ``loaded``, ``reversed``,
``card-written`` (the customer carries it to the meter, R12/R13) or ``failed``/``work-order``
with a live re-dispatch order (R10) — and from each non-final state at least one step leads on,
reachable from the shell (``counterctl``) and from the window (the services the window calls).
`WAYS_OUT` lists them; a test walks the state machine (`counter_app.core.purchase_state`) and
takes every one.

`RecoveryService.resume` is what an operator runs after a restart or a link failure
(``counterctl resume``; the window's meter check, F7): R8-probe every ``dispatching`` purchase
(loaded, or back to the retry path with a work order), dispatch queued remote purchases, and
open a work order for every ``failed`` purchase without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from counter_app.core.purchase_state import FINAL, PurchaseEvent, PurchaseState
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService, DispatchSummary, NoDispatcher
from counter_app.services.work_order_closing import live_work_order
from counter_app.store.models import Purchase

_S = PurchaseState
_E = PurchaseEvent


@dataclass(frozen=True)
class WayOut:
    """One step out of a state: the events it may cause, the service call, and where a person
    starts it (the shell command, the window's key or tab)."""

    events: frozenset[PurchaseEvent]
    service: str
    shell: str
    window: str
    text: str  # the next step in words (English; the window translates by state)


def _way(events: set[PurchaseEvent], service: str, shell: str, window: str, text: str) -> WayOut:
    return WayOut(frozenset(events), service, shell, window, text)


WAYS_OUT: Final[Mapping[PurchaseState, tuple[WayOut, ...]]] = MappingProxyType(
    {
        _S.CREATED: (
            _way(
                {_E.START_DISPATCH},
                "RecoveryService.resume",
                "counterctl resume",
                "F7 check meter",
                "dispatch the queued purchase (R7)",
            ),
            _way(
                {_E.START_CARD_WRITE},
                "CardService.begin_card_write",
                "card-tool write-purchase, then counterctl card settle",
                "F6 write card",
                "write it to the customer's card (R12)",
            ),
            _way(
                {_E.REVERSE},
                "ReversalService.reverse_payment | CardService.cancel_card_purchase",
                "counterctl reverse | counterctl purchase cancel",
                "F8 reversal",
                "reverse the payment (R15) or return a card purchase to the prepayment",
            ),
        ),
        _S.DISPATCHING: (
            _way(
                {_E.METER_CONFIRMED, _E.DISPATCH_FAILED},
                "RecoveryService.resume",
                "counterctl resume",
                "F7 check meter",
                "check the meter (R8): loaded, or a re-dispatch work order opens (R10)",
            ),
        ),
        _S.FAILED: (
            _way(
                {_E.OPEN_WORK_ORDER},
                "RecoveryService.resume",
                "counterctl resume",
                "F7 check meter",
                "open the re-dispatch work order (R10)",
            ),
            _way(
                {_E.START_CARD_WRITE},
                "CardService.begin_card_write",
                "card-tool write-purchase, then counterctl card settle",
                "F6 write card",
                "write it to the customer's card (R12)",
            ),
        ),
        _S.WORK_ORDER: (
            _way(
                {_E.START_DISPATCH},
                "WorkOrderService.retry",
                "counterctl work-order retry",
                "back office: work orders, retry",
                "inspection staff retry the work order (R10)",
            ),
            _way(
                {_E.START_CARD_WRITE},
                "CardService.begin_card_write",
                "card-tool write-purchase, then counterctl card settle",
                "F6 write card",
                "write it to the customer's card (R12)",
            ),
        ),
        _S.CARD_WRITING: (
            _way(
                {_E.CARD_WRITE_CONFIRMED, _E.CARD_WRITE_ABANDONED},
                "CardService.settle_card_write",
                "counterctl card settle",
                "F6 write card, F3 read the card again",
                "read the card again: written or not (R12)",
            ),
        ),
        _S.CARD_WRITTEN: (
            _way(
                {_E.DISPATCH_SUCCEEDED},
                "DispatchService.dispatch_purchase",
                "counterctl purchase dispatch",
                "back office: card workbench",
                "the customer inserts the card in the meter; or dispatch its remote twin (R5)",
            ),
            _way(
                {_E.METER_CONFIRMED},
                "CardService.apply_writeback",
                "counterctl card writeback",
                "back office: card workbench, apply write-back",
                "read the card's write-back after the meter (R13)",
            ),
        ),
    }
)
"""The ways out of every non-final state (see the module docstring)."""


@dataclass(frozen=True)
class OpenPurchase:
    """A purchase not yet final, with what happens next."""

    purchase_id: int
    customer_no: str
    meter_address: str
    count: int
    amount_fen: int
    state: str
    route: str
    work_order_id: int | None
    next_step: str


def next_step(state: str, *, live_work_order: bool = False) -> str:
    """The next step for a purchase in ``state`` (English; the window translates by state)."""
    s = PurchaseState(state)
    if s in FINAL:
        return "none: final"
    if s is PurchaseState.WORK_ORDER and not live_work_order:
        return "the order was closed as failed: write it to the customer's card (R10, R12)"
    return "; or ".join(w.text for w in WAYS_OUT[s])


@dataclass(frozen=True)
class ResumeResult:
    """What one resume did: probes and dispatches (their summaries) and work orders opened."""

    summaries: tuple[DispatchSummary, ...]
    work_orders_opened: tuple[int, ...]
    skipped: tuple[str, ...]

    def lines(self) -> list[str]:
        out = [
            f"purchase {s.purchase_id} n={s.count}: {s.outcome} -> {s.state}"
            + (f" (work order {s.work_order_id})" if s.work_order_id is not None else "")
            for s in self.summaries
        ]
        out += [
            f"work order {w} opened for a failed purchase (R10)" for w in self.work_orders_opened
        ]
        out += list(self.skipped)
        return out or ["nothing to resume"]


class RecoveryService:
    """R8/R10 after a restart or a link failure; the list of purchases still open."""

    def __init__(self, ctx: ServiceContext, dispatch: DispatchService | None = None) -> None:
        self.ctx = ctx
        self.dispatch = dispatch or DispatchService(ctx)

    def resume(self, operator: str, *, customer_id: int | None = None) -> ResumeResult:
        """Probe ``dispatching`` purchases, dispatch queued ones, reopen failed ones (R8, R10).

        With `customer_id`, only that customer's purchases (the window's meter check). Without
        a dispatcher, dispatching and queued purchases are left as they are and said so.
        """

        def mine(ids: list[int]) -> list[int]:
            if customer_id is None:
                return ids
            return [i for i in ids if int(Purchase.get_by_id(i).customer_id) == customer_id]

        summaries: list[DispatchSummary] = []
        skipped: list[str] = []
        waiting = mine(self.dispatch.unresolved_purchases())
        queued = mine(self.dispatch.queued_purchases())
        if self.ctx.dispatcher is None:
            if waiting or queued:
                skipped.append(
                    f"{len(waiting)} unresolved and {len(queued)} queued purchase(s) wait: "
                    "no meter link is configured"
                )
        else:
            for pid in waiting:
                summaries.append(self.dispatch.resolve_unresolved(pid, operator))
            for pid in queued:
                try:
                    summaries.append(self.dispatch.dispatch_purchase(pid, operator))
                except NoDispatcher:  # pragma: no cover - checked above
                    skipped.append(f"purchase {pid}: no meter link")
        opened = self.dispatch.reopen_failed(operator, customer_id=customer_id)
        return ResumeResult(tuple(summaries), tuple(opened), tuple(skipped))

    @staticmethod
    def open_purchases(customer_id: int | None = None) -> list[OpenPurchase]:
        """Every purchase not yet final, oldest first, with its next step."""
        from counter_app.store.models import Customer, Meter

        query = Purchase.select().where(Purchase.state.not_in([s.value for s in FINAL]))
        if customer_id is not None:
            query = query.where(Purchase.customer == customer_id)
        rows = []
        for p in query.order_by(Purchase.id):
            live = live_work_order(int(p.id))
            rows.append(
                OpenPurchase(
                    purchase_id=int(p.id),
                    customer_no=str(Customer.get_by_id(p.customer_id).customer_no),
                    meter_address=str(Meter.get_by_id(p.meter_id).address),
                    count=int(p.count),
                    amount_fen=int(p.amount_fen),
                    state=str(p.state),
                    route=str(p.route),
                    work_order_id=None if live is None else int(live.id),
                    next_step=next_step(str(p.state), live_work_order=live is not None),
                )
            )
        return rows
