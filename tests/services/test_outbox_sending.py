"""R11: the outbox hands a message to the gateway with no transaction open.

On SQLite the database has one write lock. A gateway that takes its time (here a real HTTP
server on 127.0.0.1 that answers only when the test lets it) must not keep that lock: the
counter takes a payment while the send is still waiting, and the message is recorded as sent
once the gateway answers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from counter_app.services.notifications import SENDING, DrainResult, drain_outbox, pending_count
from counter_app.services.sms_gateways import HttpSmsGateway
from counter_app.store.models import Notification, NotificationState, Payment
from tests.fixtures.database import TestDatabase
from tests.services.conftest import World


class SlowGateway:
    """An HTTP SMS platform that holds every request until `release` is set."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.bodies: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                outer.entered.set()
                outer.release.wait(30)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def slow_gateway() -> Iterator[SlowGateway]:
    gateway = SlowGateway()
    gateway.thread.start()
    yield gateway
    gateway.close()


def test_a_slow_gateway_does_not_hold_the_write_lock(
    world: World, db: TestDatabase, slow_gateway: SlowGateway
) -> None:
    first = world.customer("S1", phone="13900000001")
    second = world.customer("S2", phone="13900000002", remote=False)
    world.services.payments.take_payment(first.customer_no, 1_000, operator="teller1")
    assert pending_count() == 1

    results: list[DrainResult] = []
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            results.append(drain_outbox(HttpSmsGateway(slow_gateway.url, timeout=20)))
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    drainer = threading.Thread(target=drain)
    drainer.start()
    try:
        assert slow_gateway.entered.wait(10), "the gateway never got the message"
        message = Notification.get()
        assert message.state == SENDING  # claimed and committed before the send
        started = time.monotonic()
        outcome = world.services.payments.take_payment(
            second.customer_no, 2_000, operator="teller2", dispatch=False
        )
        took = time.monotonic() - started
        assert drainer.is_alive() and not slow_gateway.release.is_set()  # still sending
        assert took < 5, f"the payment waited {took:.1f} s for the database"
        assert Payment.get_by_id(outcome.payment_id).amount_fen == 2_000
    finally:
        slow_gateway.release.set()
        drainer.join(30)
    assert not errors, errors
    assert results == [DrainResult(sent=1, retried=0, failed=0)]
    message = Notification.get_by_id(message.id)
    assert message.state == NotificationState.SENT and message.tries == 1
    assert message.sent_at is not None
    assert b"13900000001" in slow_gateway.bodies[0]
    assert pending_count() == 0


def test_a_claim_left_by_a_dead_drainer_is_sent_again_after_the_lease(
    world: World, slow_gateway: SlowGateway
) -> None:
    import datetime as dt

    customer = world.customer("S3", phone="13900000003")
    world.services.payments.take_payment(customer.customer_no, 1_000, operator="teller1")
    message = Notification.get()
    # a drainer claimed it an hour ago and died before recording the result
    Notification.update(state=SENDING, tries=1, sent_at=dt.datetime(2000, 1, 1)).execute()
    assert pending_count() == 1
    slow_gateway.release.set()
    result = drain_outbox(HttpSmsGateway(slow_gateway.url, timeout=5))
    assert result == DrainResult(sent=1, retried=0, failed=0)
    message = Notification.get_by_id(message.id)
    assert (message.state, message.tries) == (NotificationState.SENT, 2)
