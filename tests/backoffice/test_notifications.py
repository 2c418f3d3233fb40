"""The SMS outbox (R11) with its gateways: the HTTP adapter against a real HTTP server on
127.0.0.1 started by the test (configurable URL and template), the file adapter of the
embedded default; states queued → retried → sent / failed; Chinese texts carrying the
purchase id and the dispatch state. Services on SQLite and PostgreSQL; the view offscreen.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from counter_app.services import auth, notifications
from counter_app.services.sms_gateways import (
    FORM_CONTENT_TYPE,
    FileSmsGateway,
    HttpSmsGateway,
    SmsGatewayError,
    gateway_for,
)
from counter_app.store.models import Notification, WorkOrder
from tests.backoffice.conftest import WAIT_MS
from tests.services.conftest import World


@dataclass
class SmsPlatform:
    """A tiny SMS platform: records every POST; answers `status` (200 by default)."""

    url: str
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def sms_platform() -> Iterator[SmsPlatform]:
    platform = SmsPlatform("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            platform.requests.append((self.path, self.headers["Content-Type"], body))
            self.send_response(platform.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    platform.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def bring_card_message(world: World, customer_no: str = "N001") -> tuple[int, Notification]:
    """A dispatch failed, the order closed as failed: the "bring your card" SMS (R10, R11)."""
    c = world.customer(customer_no, phone="13912345678")
    world.dispatcher.script = ["timeout"]
    out = world.services.payments.take_payment(c.customer_no, 2_345, operator="teller1")
    (order,) = WorkOrder.select().where(WorkOrder.purchase == out.purchase_id)
    tech = auth.authenticate("tech1", "tech1-pass")
    world.services.work_orders.close(order.id, tech, success=False, note="unreachable")
    (sms,) = Notification.select().where(Notification.template == "bring-card")
    assert out.purchase_id is not None
    return out.purchase_id, sms


def test_r11_http_gateway_sends_the_chinese_message_with_purchase_id_and_state(
    world: World, sms_platform: SmsPlatform
) -> None:
    purchase_id, sms = bring_card_message(world)
    assert f"（购电记录号{purchase_id}）" in sms.body and "下发状态：失败" in sms.body
    assert "23.45元" in sms.body and "请携带购电卡到营业厅写卡" in sms.body
    gateway = HttpSmsGateway(
        sms_platform.url, template='{"mobile": $phone, "content": $body, "sign": "国网"}'
    )
    tech = auth.authenticate("tech1", "tech1-pass")
    result = notifications.send_now(gateway, tech)
    assert (result.sent, result.retried, result.failed) == (1, 0, 0)
    ((path, ctype, body),) = sms_platform.requests
    assert path == "/sms/send" and ctype.startswith("application/json")
    sent = json.loads(body.decode("utf-8"))
    assert sent == {"mobile": "13912345678", "content": sms.body, "sign": "国网"}
    row = Notification.get_by_id(sms.id)
    assert row.state == "sent" and row.sent_at is not None and row.tries == 1


def test_r11_gateway_down_retried_then_failed_then_put_back_and_sent(
    world: World, sms_platform: SmsPlatform
) -> None:
    _, sms = bring_card_message(world)
    tech = auth.authenticate("tech1", "tech1-pass")
    sms_platform.status = 503
    gateway = HttpSmsGateway(sms_platform.url)
    first = notifications.send_now(gateway, tech, max_tries=2)
    assert (first.sent, first.retried) == (0, 1)
    row = Notification.get_by_id(sms.id)
    assert row.state == "retried" and "HTTP 503" in row.last_error
    assert notifications.pending_count() == 1  # nothing lost while the platform is down
    second = notifications.send_now(gateway, tech, max_tries=2)
    assert second.failed == 1 and Notification.get_by_id(sms.id).state == "failed"
    assert notifications.state_counts()["failed"] == 1
    notifications.requeue(sms.id, tech, counter_id="T1")
    assert Notification.get_by_id(sms.id).state == "retried"
    sms_platform.status = 200
    assert notifications.send_now(gateway, tech).sent == 1
    assert Notification.get_by_id(sms.id).state == "sent"
    assert len(sms_platform.requests) == 3
    rows = notifications.list_outbox(tech, states=("sent",))
    assert [r.id for r in rows] == [sms.id] and rows[0].customer_no == "N001"


def test_r11_http_gateway_form_template_and_unreachable_platform(sms_platform: SmsPlatform) -> None:
    gateway = HttpSmsGateway(
        sms_platform.url, template="to=$phone&text=$body", content_type=FORM_CONTENT_TYPE
    )
    gateway.send("13900000000", "您好 & 再见")
    ((_, ctype, body),) = sms_platform.requests
    assert ctype.startswith("application/x-www-form-urlencoded")
    assert parse_qs(body.decode()) == {"to": ["13900000000"], "text": ["您好 & 再见"]}
    closed = HttpSmsGateway("http://127.0.0.1:9/none", timeout=2.0)
    with pytest.raises(SmsGatewayError, match="unreachable"):
        closed.send("13900000000", "x")
    with pytest.raises(ValueError):
        HttpSmsGateway("ftp://example")


def test_r11_file_gateway_is_the_embedded_default(world: World, tmp_path: Path) -> None:
    gateway = gateway_for("", tmp_path)
    assert isinstance(gateway, FileSmsGateway)
    assert isinstance(gateway_for("http://127.0.0.1:1/x", tmp_path), HttpSmsGateway)
    purchase_id, sms = bring_card_message(world)
    tech = auth.authenticate("tech1", "tech1-pass")
    assert notifications.send_now(gateway, tech).sent == 1
    (line,) = (tmp_path / "sms-sent.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["phone"] == "13912345678" and record["body"] == sms.body
    assert f"购电记录号{purchase_id}" in record["body"]  # readable Chinese, not \\u escapes
    assert "购电记录号" in line


def test_r11_outbox_view_shows_states_and_sends(qtbot: Any, bo_env: Any, back_office: Any) -> None:
    from counter_app.store.models import Customer

    env = bo_env
    # a dispatch that loads: the success SMS is queued (R11) for the subscribed customer
    out = env.counter.services.payments.take_payment("100000000001", 1_000, operator="teller1")
    assert out.purchase_id is not None
    assert Customer.get(Customer.customer_no == "100000000001").sms_subscribed
    window = back_office(env, "tech1", "tech1-pass")
    tab = window.tab("outbox")
    window.show_tab("outbox")
    qtbot.waitUntil(lambda: tab.refreshes > 0 and not tab.loading, timeout=WAIT_MS)
    assert [r.state for r in tab.rows] == ["queued"]
    assert "下发状态：成功" in tab.rows[0].body
    assert f"（购电记录号{out.purchase_id}）" in tab.rows[0].body  # R11: the purchase id
    assert tab.counts["queued"] == 1 and "sms-sent.jsonl" in tab.gateway_label.text()
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.last_drain is not None, timeout=WAIT_MS)
    assert tab.last_drain.sent == 1
    qtbot.waitUntil(lambda: tab.counts.get("sent") == 1, timeout=WAIT_MS)
    assert [r.state for r in tab.rows] == ["sent"]
    messages = FileSmsGateway(env.tmp / "sms-sent.jsonl").messages()
    assert [m["phone"] for m in messages] == ["13800000001"]
