"""The counter-server's background workers: task outbox sender, result poller, SMS outbox.

One thread runs the rounds one after the other (`HandoverWorkers.run_once`): send the tasks
waiting in our outbox, read the station's result feed after our cursor and apply what came
back, drain the SMS outbox when a gateway is configured. Every step is a short transaction of
its own and no transaction is open during a network call, so any number of these workers
(the embedded one in a window, a counter-server, ``counterctl resume``) can run against the
same database: a task is one task at the station (task id), a result is applied once
(`counter_app.services.handover`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from counter_app.services import notifications
from counter_app.services.handover import HandoverService
from counter_app.services.ports import SmsGateway, StationUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundReport:
    """What one round did (for logs and tests)."""

    sent: int
    results: int
    applied: int
    station_up: bool
    sms_sent: int = 0


class HandoverWorkers:
    """The workers of one counter database, on one background thread."""

    def __init__(
        self,
        handover: HandoverService,
        *,
        interval_s: float = 1.0,
        sms_gateway: SmsGateway | None = None,
        name: str = "handover-workers",
    ) -> None:
        self.handover = handover
        self.interval_s = interval_s
        self.sms_gateway = sms_gateway
        self.name = name
        self.rounds = 0
        self.last: RoundReport | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> RoundReport:
        """Send, poll, apply (and drain SMS) once; never raises for an unreachable station."""
        sent = results = applied = sms = 0
        up = True
        try:
            sent = self.handover.send_pending()
            polled = self.handover.poll()
            results, applied = polled.results, polled.applied
        except StationUnavailable as exc:
            up = False
            log.info("collection system unreachable: %s", exc)
        if self.sms_gateway is not None:
            sms = notifications.drain_outbox(self.sms_gateway, limit=20).sent
        report = RoundReport(sent, results, applied, up, sms)
        self.rounds += 1
        self.last = report
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a worker must outlive one bad round (the database was busy)
                log.exception("hand-over round failed")
            self._wake.wait(self.interval_s)
            self._wake.clear()

    def wake(self) -> None:
        """Run the next round now (a payment just wrote a task)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 15.0) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout_s)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
