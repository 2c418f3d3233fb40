"""The pacing transport delivers bytes as a real line does, whatever is behind it."""

from __future__ import annotations

import time

from meter_link.client import Dlt645Client, Exchange
from meter_link.transport import PacedLink, open_link
from tests.fixtures.meters import FAST_TIMEOUTS, MeterBus

M1 = "000000000001"


def test_a_read_takes_the_line_time_of_its_bytes_plus_td(meter_bus: MeterBus) -> None:
    baud, td = 4800, 0.05
    link = PacedLink(open_link(meter_bus.url), baudrate=baud, response_delay=td)
    exchanges: list[Exchange] = []
    with Dlt645Client(link, timeouts=FAST_TIMEOUTS, trace=exchanges.append) as client:
        started = time.monotonic()
        assert client.read_int(M1, "balance") == 5000
        elapsed = time.monotonic() - started
    link.close()
    (exchange,) = exchanges
    wire = len(exchange.sent) + len(exchange.received)
    assert wire == (4 + 16) + (2 + 20)  # request with 4 FE, reply with 2 FE
    bound = wire * 11 / baud + td
    assert bound <= elapsed < bound + 0.1
    assert (link.bytes_written, link.bytes_read, link.replies) == (20, 22, 1)


def test_no_reply_costs_nothing_but_the_request(meter_bus: MeterBus) -> None:
    link = PacedLink(open_link(meter_bus.url), baudrate=2400, response_delay=0.02)
    started = time.monotonic()
    link.write(bytes(24))  # noise: no meter answers
    assert time.monotonic() - started >= 24 * 11 / 2400
    assert link.read(1) == b"" and link.replies == 0
    link.close()
