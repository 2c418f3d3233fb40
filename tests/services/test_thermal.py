"""ESC/POS receipts, asserted byte by byte on python-escpos's Dummy printer and on a network
receipt printer on 127.0.0.1 (a TCP server that keeps what it is sent, as a printer would)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
from escpos.printer import Dummy

from counter_app.config import ThermalPrinterConfig
from counter_app.services.receipts import ReceiptData, ReceiptKind, ReceiptMeter, qr_payload
from counter_app.services.thermal import (
    CHINESE_MODE,
    LINE_WIDTH,
    ThermalPrinterError,
    open_printer,
    opens_drawer,
    print_receipt,
    receipt_text_lines,
)

CUT = b"\x1dV\x00"  # GS V 0: full cut
KICK_PIN2 = b"\x1bp\x00"  # ESC p 0 …: pulse on the drawer's pin 2
QR_STORE = b"\x1d(k"  # GS ( k: the printer's own QR code


def payment(**overrides: object) -> ReceiptData:
    base: dict[str, object] = dict(
        kind=ReceiptKind.PAYMENT,
        receipt_no="C01-20261124-00000123",
        record_id=123,
        issued_at=datetime(2026, 11, 24, 14, 5, 9),
        counter_id="C01",
        operator="张敏",
        customer_no="3100012345",
        customer_name="王建国",
        amount_fen=20_000,
        adjusted_fee_fen=20_000,
        meters=(ReceiptMeter("000000123456", 8, 15_000),),
        route="remote",
        dispatch_outcome="success",
        purchase_count=8,
        tendered_fen=20_000,
        change_fen=0,
        supplier="国网示范供电公司",
        hall="城东营业厅",
    )
    base.update(overrides)
    return ReceiptData(**base)  # type: ignore[arg-type]


def test_cash_receipt_bytes_chinese_qr_cut_and_drawer_kick() -> None:
    printer = Dummy()
    data = payment()
    print_receipt(printer, data, kick_drawer=True)
    out = printer.output
    assert out.startswith(b"\x1b@" + CHINESE_MODE)
    for text in ("电费缴费凭证", "国网示范供电公司", "贰佰元整", "实收", "找零", "王建国"):
        assert text.encode("gb18030") in out, text
    assert "电费缴费凭证".encode() not in out  # GB18030, not UTF-8
    assert QR_STORE in out and qr_payload(data).encode("ascii") in out
    assert CUT in out and out.index(CUT) < out.index(KICK_PIN2)  # cut, then open the drawer
    assert out.endswith(KICK_PIN2 + b"22")


def test_copy_and_non_cash_receipts_never_open_the_drawer() -> None:
    data = payment()
    copy = Dummy()
    print_receipt(copy, data, copy=True, kick_drawer=True)
    assert "副本 / COPY".encode("gb18030") in copy.output and KICK_PIN2 not in copy.output
    transfer = payment(channel="transfer", tendered_fen=None, change_fen=None)
    assert opens_drawer(data) and not opens_drawer(transfer)
    card = payment(kind=ReceiptKind.CARD_WRITE)
    assert not opens_drawer(card)


def test_lines_fit_the_80_mm_roll() -> None:
    lines = receipt_text_lines(payment(customer_name="王" * 40), training=True)
    widths = [sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in lines]
    assert max(widths) <= LINE_WIDTH, lines
    assert any("培训模式" in line for line in lines)


@pytest.fixture
def network_printer() -> Iterator[tuple[int, bytearray, threading.Event]]:
    """A receipt printer on 127.0.0.1: accepts one job and keeps its bytes."""
    server = socket.create_server(("127.0.0.1", 0))
    received = bytearray()
    done = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)
        done.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received, done
    server.close()
    thread.join(timeout=5)


def test_network_printer_receives_the_receipt(
    network_printer: tuple[int, bytearray, threading.Event],
) -> None:
    port, received, done = network_printer
    config = ThermalPrinterConfig(kind="network", host="127.0.0.1", port=port)
    printer = open_printer(config)
    print_receipt(printer, payment(), kick_drawer=True, drawer_pin=config.drawer_pin)
    printer.close()
    assert done.wait(10)
    assert "贰佰元整".encode("gb18030") in received and CUT in received
    assert KICK_PIN2 in received


def test_an_unreachable_printer_is_said_not_hidden() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        free = probe.getsockname()[1]
    config = ThermalPrinterConfig(kind="network", host="127.0.0.1", port=free, timeout_s=1)
    with pytest.raises(ThermalPrinterError):
        open_printer(config)
    with pytest.raises(ThermalPrinterError):
        open_printer(ThermalPrinterConfig(kind="carrier-pigeon"))
