"""What every service needs: the counter it runs at, a clock, and the device ports."""

from __future__ import annotations

from dataclasses import dataclass, field

from counter_app.services.ports import Clock, Dispatcher, SmsGateway, SystemClock, TaskHandover


@dataclass
class ServiceContext:
    """Built once by `counter_app.bootstrap`; passed to every service class.

    `dispatcher` is None when no meter link is configured: remote purchases then stay
    ``created`` (queued) until a dispatcher is available (R8 resumes them).

    `handover` is the collection system (station mode): purchases then go to it as tasks
    through our outbox, and a payment follows its task live for at most `handover_wait_s`
    seconds before it reports "result not yet known" (下发中). None: direct dispatch.
    """

    counter_id: str = "counter-1"
    clock: Clock = field(default_factory=SystemClock)
    dispatcher: Dispatcher | None = None
    sms_gateway: SmsGateway | None = None
    work_order_due_hours: int = 48
    dispatch_attempts: int = 3
    """R9: how often a dispatcher that raises (the link cannot be opened) is called again."""
    handover: TaskHandover | None = None
    handover_wait_s: float = 20.0
