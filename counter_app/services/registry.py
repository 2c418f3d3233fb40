"""All services of one counter, built from one `ServiceContext` (see `counter_app.bootstrap`).

Each service is built once here and handed its collaborators, so the window, the back
office, counterctl and the counter-server share one dispatch service (one owner of the
meter links) and never build a service themselves."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.services.bank import BankCollectionService
from counter_app.services.business import BusinessService
from counter_app.services.cards import CardService
from counter_app.services.context import ServiceContext
from counter_app.services.daily_settlement import DailySettlementService
from counter_app.services.dispatching import DispatchService
from counter_app.services.offsets import OffsetService
from counter_app.services.payments import PaymentService
from counter_app.services.reconciliation import ReconciliationService
from counter_app.services.recovery import RecoveryService
from counter_app.services.reversals import ReversalService
from counter_app.services.shifts import ShiftService
from counter_app.services.success_board import SuccessBoardService
from counter_app.services.terminals import TerminalService
from counter_app.services.work_orders import WorkOrderService


@dataclass(frozen=True)
class Services:
    ctx: ServiceContext
    payments: PaymentService
    dispatch: DispatchService
    reversals: ReversalService
    cards: CardService
    work_orders: WorkOrderService
    business: BusinessService
    recovery: RecoveryService
    shifts: ShiftService
    success_board: SuccessBoardService
    bank: BankCollectionService
    reconciliation: ReconciliationService
    offsets: OffsetService
    daily_settlement: DailySettlementService
    terminals: TerminalService


def build_services(ctx: ServiceContext) -> Services:
    dispatch = DispatchService(ctx)
    payments = PaymentService(ctx, dispatch)
    reversals = ReversalService(ctx, dispatch)
    cards = CardService(ctx)
    shifts = ShiftService(ctx)
    return Services(
        ctx=ctx,
        payments=payments,
        dispatch=dispatch,
        reversals=reversals,
        cards=cards,
        work_orders=WorkOrderService(ctx, dispatch),
        business=BusinessService(ctx, dispatch, payments),
        recovery=RecoveryService(ctx, dispatch),
        shifts=shifts,
        success_board=SuccessBoardService(ctx),
        bank=BankCollectionService(ctx, reversals),
        reconciliation=ReconciliationService(ctx, reversals),
        offsets=OffsetService(ctx, payments),
        daily_settlement=DailySettlementService(ctx, shifts),
        terminals=TerminalService(ctx, dispatch, cards, reversals),
    )
