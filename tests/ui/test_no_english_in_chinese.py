"""No English in the Chinese interface: amount errors, refusals, the audit log's actions and
data, and the sign-in self-check, which follows the language switch like the dialog does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from counter_app.ui.resources import Language
from tests.ui.conftest import CounterEnv
from tests.ui.helpers import find_customer

ZHAO_MIN = "100000000007"
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(text: str) -> list[str]:
    """Latin words of three letters or more, except the codes a Chinese text keeps (F6, PDF,
    R15, SMS, UTC, Enter...) and what the person typed."""
    allowed = {"Enter", "Esc", "Ctrl", "PDF", "SMS", "UTC", "COPY", "pcscd", "Linux", "Windows"}
    return [w for w in LATIN_WORD.findall(text) if w not in allowed]


@pytest.fixture
def chinese(qapp: Any) -> Iterator[Language]:
    language = Language()
    assert language.install("zh_CN")
    yield language
    language.install("en")


def test_amount_errors_are_chinese(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, chinese: Language
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    for typed in ("1e3", "nan", "-5", "12.345", "abc"):
        window.payment.amount.clear()
        qtbot.keyClicks(window.payment.amount, typed)
        text = window.payment.error.text()
        assert text and not english_words(text.replace(typed, "")), (typed, text)


def test_refusals_and_back_office_amounts_are_chinese(chinese: Language) -> None:
    from counter_app.services import auth
    from counter_app.services.errors import NotAuthorized
    from counter_app.services.payments import parse_amount
    from counter_app.ui.backoffice.office_jobs import describe
    from counter_app.ui.errors import explain

    refused = NotAuthorized("admin", "admin", "deactivate their own account")
    text = explain(refused) or ""
    assert (
        "停用自己的账号" in text
        and "管理员" in text
        and not english_words(text.replace("admin", ""))
    )
    coded = NotAuthorized("teller1", "teller", auth.Action.VIEW_AUDIT)
    assert "审计" in (explain(coded) or "")
    with pytest.raises(Exception) as bad:
        parse_amount("1e3")
    text = describe(bad.value)
    assert text and not english_words(text.replace("1e3", "")), text


def test_audit_shows_words_and_yuan_not_codes_and_fen(
    qtbot: Any, counter_env: CounterEnv, chinese: Language
) -> None:
    from counter_app.services import auth
    from counter_app.ui.backoffice.audit import AuditTab
    from tests.backoffice.conftest import back_office_context

    counter_env.counter.services.payments.take_payment(ZHAO_MIN, 12_345, operator="teller1")
    user = auth.sign_in("super1", "super1-pass", counter_id="test-01")
    tab = AuditTab(back_office_context(counter_env), user)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.searches >= 1 and tab.busy == 0, timeout=15_000)
    rows = [
        [tab.table.item(r, c).text() for c in range(tab.table.columnCount())]
        for r in range(tab.table.rowCount())
    ]
    taken = [r for r in rows if r[3] == "收费"]
    assert taken, rows
    after = taken[0][5]
    assert "¥123.45" in after and "_fen" not in after and "12345" not in after
    assert "金额" in after
    assert not any(re.fullmatch(r"[a-z]+(-[a-z]+)+", r[3]) for r in rows), rows
    tab.table.selectRow(rows.index(taken[0]))
    assert "¥123.45" in tab.detail.toPlainText() and "{" not in tab.detail.toPlainText()


def test_the_sign_in_check_switches_language_with_the_dialog(
    qtbot: Any, counter_env: CounterEnv, chinese: Language
) -> None:
    from counter_app.ui.self_check import CheckPanel, check_meter_link, local_checks
    from counter_app.ui.signin import SignInDialog

    panel = CheckPanel()
    for check in [*local_checks(True, []), check_meter_link(None)]:
        panel.add(check)
    dialog = SignInDialog(
        counter_env.workers,
        chinese,
        counter_env.context.counter_id,
        counter_env.context.sign_in,
        check_panel=panel,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    lines = [label.text() for label in panel.labels]
    assert any("界面翻译" in line for line in lines) and panel.title() == "系统自检"
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("en"))
    qtbot.waitUntil(lambda: panel.title() == "System check", timeout=5_000)
    lines = [label.text() for label in panel.labels]
    assert any("Translations: loaded" in line for line in lines), lines
    assert not any(re.search(r"[\u4e00-\u9fff]", line) for line in lines), lines
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("zh_CN"))
    qtbot.waitUntil(lambda: panel.title() == "系统自检", timeout=5_000)
    assert any("界面翻译" in label.text() for label in panel.labels)


def audited_actions() -> set[str]:
    """Every action code the counter writes to the audit log (literal ``audit.record`` calls
    and ``"action": "..."`` rows of ``audit.record_many``), read from the source."""
    import ast
    from pathlib import Path

    import counter_app

    codes: set[str] = set()
    for path in Path(counter_app.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                action = node.args[2] if len(node.args) > 2 else None
                action = next((k.value for k in node.keywords if k.arg == "action"), action)
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    codes.add(action.value)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "action"
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                    ):
                        codes.add(value.value)
    return codes


def test_every_audited_action_has_chinese_words(
    qtbot: Any, counter_env: CounterEnv, chinese: Language
) -> None:
    """The audit tab and a work order's history say each audited step in words — also the
    collection hand-over's steps (handed over, result applied) a station-mode counter writes."""
    from counter_app.services import auth
    from counter_app.ui.backoffice.audit_words import action_text
    from counter_app.ui.backoffice.work_orders import WorkOrdersTab
    from tests.backoffice.conftest import back_office_context

    codes = audited_actions()
    assert {"dispatch-handed-over", "dispatch-result-applied"} <= codes
    untranslated = sorted(c for c in codes if action_text(c) == c or english_words(action_text(c)))
    assert untranslated == []
    user = auth.sign_in("tech1", "tech1-pass", counter_id="test-01")
    orders = WorkOrdersTab(back_office_context(counter_env), user)
    qtbot.addWidget(orders)
    steps = sorted(c for c in codes if c.startswith(("dispatch", "work-order", "card")))
    assert [c for c in steps if english_words(orders.action_text(c))] == []


def test_the_collection_systems_reasons_are_chinese(chinese: Language) -> None:
    """A work order's attempts say why each failed in words, not the station's codes."""
    from counter_app.ui import texts
    from meter_link.station.reasons import Reason

    said = {reason.value: texts.attempt_reason(reason.value) for reason in Reason}
    assert [code for code, words in said.items() if english_words(words)] == []


def test_every_sms_kind_in_the_outbox_is_chinese(
    qtbot: Any, counter_env: CounterEnv, chinese: Language
) -> None:
    from counter_app.services import auth, notifications
    from counter_app.ui.backoffice.outbox import OutboxTab
    from tests.backoffice.conftest import back_office_context

    user = auth.sign_in("tech1", "tech1-pass", counter_id="test-01")
    outbox = OutboxTab(back_office_context(counter_env), user)
    qtbot.addWidget(outbox)
    kinds = [v for k, v in vars(notifications).items() if k.startswith("TEMPLATE_")]
    assert "dispatch-failed" in kinds
    assert [k for k in kinds if english_words(outbox.template_text(k))] == []


def test_a_reversals_audit_data_is_in_words(chinese: Language) -> None:
    from counter_app.core.reversal import ReversalCase
    from counter_app.ui.backoffice.audit_words import data_text

    for case in ReversalCase:
        text = data_text({"case": case.value, "payment_reversed": False, "amount_fen": 8_800})
        assert "¥88.00" in text and not english_words(text), text
