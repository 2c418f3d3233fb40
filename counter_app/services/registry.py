"""All services of one counter, built from one `ServiceContext` (see `counter_app.bootstrap`)."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.services.business import BusinessService
from counter_app.services.cards import CardService
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService
from counter_app.services.payments import PaymentService
from counter_app.services.reversals import ReversalService
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


def build_services(ctx: ServiceContext) -> Services:
    dispatch = DispatchService(ctx)
    payments = PaymentService(ctx, dispatch)
    return Services(
        ctx=ctx,
        payments=payments,
        dispatch=dispatch,
        reversals=ReversalService(ctx, dispatch),
        cards=CardService(ctx),
        work_orders=WorkOrderService(ctx, dispatch),
        business=BusinessService(ctx, dispatch, payments),
    )
