"""The success-rate study: how many remote purchases reach their meter without the customer
coming back, when a single dispatch attempt succeeds only about 80 % of the time.

The field report behind the rules counts 769,784 remote purchases of which "nearly 80 %"
succeeded. Here every R7 attempt draws its fate: it succeeds with `success` probability; else
it fails in one of three ways, in equal shares unless told otherwise —

- *terminal offline*: the collection terminal cannot be reached. At the start of a dispatch
  call the link is really refused (a second `MeterLinkDispatcher` on a closed loopback port);
  within a call the bus falls silent for that attempt;
- *meter silent*: the meter does not answer (simulator fault ``no-reply`` for one request);
- *lost reply*: the meter applies the recharge and its reply is lost (simulator fault
  ``reply-lost-after-apply`` on 070102FF) — the next attempt's count check finds it loaded (R8).

Purchases go through the real services (`PaymentService` → `DispatchService` → DL/T 645 over
TCP → `MeterSimulator`). What fails after three attempts (R9) gets a work order (R10) that
inspection staff retry up to `retries` times; what still fails is closed as failed (R11: bring
your card) and the customer, coming back, is refunded by a counter reversal (R15; the meter is
probed first when the recharge may have arrived, R8/R16). The study reports the share loaded
without the customer returning (goal ≥ 99 %) and the share eventually loaded or refunded
(goal 100 %), and leaves the database for the success board.
"""

from __future__ import annotations

import random
import socket
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_app.services.ports import DispatchProgress, DispatchReport, MeterProbe

CAUSES = ("terminal-offline", "meter-silent", "lost-reply")
RECHARGE = 0x070102FF


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class StudyFigures:
    purchases: int = 0
    first_attempt: int = 0
    within_three: int = 0
    after_work_orders: int = 0
    refunded: int = 0
    loaded_at_refund: int = 0  # the probe before the refund found it loaded (R8)
    stranded: int = 0
    kept_pending: int = 0  # payments kept in prepayment while a purchase was pending (R2)
    attempts: Counter[str] = field(default_factory=Counter)

    @property
    def without_return(self) -> int:
        return self.after_work_orders

    def share(self, part: int) -> float:
        return 100.0 * part / self.purchases if self.purchases else 0.0

    def lines(self) -> list[str]:
        drawn = sum(self.attempts.values())
        return [
            f"purchases {self.purchases}; attempts drawn {drawn}: "
            + ", ".join(
                f"{k} {v} ({100.0 * v / drawn:.1f}%)" for k, v in sorted(self.attempts.items())
            ),
            f"loaded at the first attempt: {self.first_attempt} "
            f"({self.share(self.first_attempt):.1f}%)",
            f"loaded within 3 attempts (R9): {self.within_three} "
            f"({self.share(self.within_three):.2f}%)",
            f"loaded without the customer returning (3 attempts + work-order retries): "
            f"{self.without_return} ({self.share(self.without_return):.2f}%; goal >= 99%)",
            f"eventually loaded or refunded: {self.without_return + self.refunded} "
            f"({self.share(self.without_return + self.refunded):.2f}%; goal 100%); refunded "
            f"{self.refunded}, of which found loaded by the R8 probe {self.loaded_at_refund}",
            f"stranded (neither loaded nor refunded): {self.stranded}",
            f"payments kept in prepayment while the customer's purchase was pending (R2; they "
            f"go with the next payment): {self.kept_pending}",
        ]


class FieldTerminal:
    """A `Dispatcher` whose attempts fail like the field's (see the module docstring)."""

    def __init__(
        self,
        simulator: Any,
        online: Any,
        offline: Any,
        rng: random.Random,
        success: float,
        figures: StudyFigures,
    ) -> None:
        self.simulator = simulator
        self.online = online
        self.offline = offline
        self.rng = rng
        self.success = success
        self.figures = figures

    def draw(self) -> str:
        fate = "success" if self.rng.random() < self.success else self.rng.choice(CAUSES)
        self.figures.attempts[fate] += 1
        return fate

    def _arm(self, address: str, fate: str) -> None:
        from meter_link.simulator.faults import Fault, FaultKind

        self.simulator.clear_faults()
        if fate in ("meter-silent", "terminal-offline"):
            self.simulator.inject(address, Fault(FaultKind.NO_REPLY, times=1))
        elif fate == "lost-reply":
            self.simulator.inject(
                address, Fault(FaultKind.REPLY_LOST_AFTER_APPLY, times=1, di=RECHARGE)
            )

    def dispatch(
        self,
        meter_address: str,
        customer_no: str,
        amount_fen: int,
        count: int,
        progress: DispatchProgress | None = None,
        *,
        meter_no: str | None = None,
    ) -> DispatchReport:
        first = self.draw()
        if first == "terminal-offline":
            self.simulator.clear_faults()
            return self.offline.dispatch(  # type: ignore[no-any-return]
                meter_address, customer_no, amount_fen, count, progress, meter_no=meter_no
            )
        pending = [first]

        def step(name: str, attempt: int) -> None:
            if name == "channel-test":
                self._arm(meter_address, pending.pop() if pending else self.draw())
            if progress is not None:
                progress(name, attempt)

        try:
            return self.online.dispatch(  # type: ignore[no-any-return]
                meter_address, customer_no, amount_fen, count, step, meter_no=meter_no
            )
        finally:
            self.simulator.clear_faults()

    def probe(self, meter_address: str) -> MeterProbe:
        self.simulator.clear_faults()
        return self.online.probe(meter_address)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.online.close()
        self.offline.close()


def run_study(
    workdir: Path,
    *,
    purchases: int = 1000,
    meters: int = 50,
    success: float = 0.8,
    retries: int = 3,
    seed: int = 20130601,
) -> StudyFigures:
    """Run the study on a fresh SQLite database in `workdir` (left there for the board)."""
    from counter_app.bootstrap import MeterLinkDispatcher
    from counter_app.config import MeterLinkConfig
    from counter_app.services import auth
    from counter_app.services.context import ServiceContext
    from counter_app.services.errors import ServiceError
    from counter_app.services.registry import build_services
    from counter_app.store.database import bind_database
    from counter_app.store.migrations import migrate
    from counter_app.store.models import Customer, Meter, Purchase
    from meter_link.client import Dlt645Client, Timeouts
    from meter_link.security import SoftwareSecurityModule, generate_master_key
    from meter_link.simulator import MeterSimulator

    rng = random.Random(seed)
    figures = StudyFigures()
    key = generate_master_key()
    simulator = MeterSimulator(master_key=key, state_file=None)
    for i in range(1, meters + 1):
        simulator.create_meter(
            f"{i:012d}", f"{100000000000 + i:012d}", hoarding_limit_fen=999_999_999
        )
    port = simulator.start_tcp("127.0.0.1", 0)
    bind_database(f"sqlite:///{workdir / 'study.db'}")
    migrate()
    for name, role in (("teller1", "teller"), ("tech1", "technician"), ("super1", "supervisor")):
        auth.create_user(name, f"{name}-pass", role)
    for address in simulator.addresses:
        c = Customer.create(customer_no=f"{100000000000 + int(address):012d}", name=address)
        Meter.create(
            customer=c,
            address=address,
            meter_no=address,
            customer_no=c.customer_no,
            collection_capable=True,
            purchase_mode="remote",
        )
    security = SoftwareSecurityModule(key)

    def client(url: str) -> Dlt645Client:
        return Dlt645Client(url, timeouts=Timeouts.uniform(0.08))

    terminal = FieldTerminal(
        simulator,
        MeterLinkDispatcher(
            MeterLinkConfig(url=f"socket://127.0.0.1:{port}"),
            security=security,
            client_factory=client,
        ),
        MeterLinkDispatcher(
            MeterLinkConfig(url=f"socket://127.0.0.1:{_closed_port()}"),
            security=security,
            client_factory=client,
        ),
        rng,
        success,
        figures,
    )
    services = build_services(ServiceContext(counter_id="study", dispatcher=terminal))
    tech = auth.get_user("tech1")
    try:
        ids: list[int] = []
        for _ in range(purchases):
            customer = f"{100000000000 + int(rng.choice(simulator.addresses)):012d}"
            out = services.payments.take_payment(
                customer, rng.randint(10, 500) * 100, operator="teller1"
            )
            if out.purchase_id is not None:
                ids.append(out.purchase_id)
            else:
                figures.kept_pending += 1
        for _ in range(retries):
            for order in services.work_orders.list_orders():
                try:
                    services.work_orders.retry(order.id, tech)
                except ServiceError:
                    continue
        for order in services.work_orders.list_orders():
            services.work_orders.close(order.id, tech, success=False, note="bring the card")
        from counter_app.core.success_stats import PurchasePath, classify
        from counter_app.services.success_board import purchase_facts

        facts = {f.purchase_id: f for f in purchase_facts()}
        figures.purchases = len(ids)
        for pid in ids:
            path = classify(facts[pid]) if pid in facts else None
            if path is PurchasePath.FIRST_ATTEMPT:
                figures.first_attempt += 1
            if path in (PurchasePath.FIRST_ATTEMPT, PurchasePath.WITHIN_THREE):
                figures.within_three += 1
            if path in (
                PurchasePath.FIRST_ATTEMPT,
                PurchasePath.WITHIN_THREE,
                PurchasePath.AFTER_WORK_ORDER,
            ):
                figures.after_work_orders += 1
                continue
            # the customer comes back: refunded at the counter (R15), after an R8 probe
            purchase = Purchase.get_by_id(pid)
            outcome = services.reversals.reverse_payment(
                int(purchase.payment_id),
                operator="teller1",
                supervisor="super1",
                supervisor_password="super1-pass",
                reason="dispatch failed, customer refunded",
            )
            figures.refunded += 1
            figures.loaded_at_refund += outcome.case == "payment-only"
        figures.stranded = sum(
            1 for pid in ids if str(Purchase.get_by_id(pid).state) not in ("loaded", "reversed")
        )
    finally:
        terminal.close()
        simulator.stop()
    return figures
