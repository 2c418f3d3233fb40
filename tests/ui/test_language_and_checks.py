"""Translations, the language switch at sign-in, the self-check and the error texts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from counter_app.ui.resources import LANGUAGES, Language, resources_dir, translation_file
from tests.ui.conftest import CounterEnv


def test_every_shipped_translation_loads() -> None:
    """Every .ts has its compiled .qm (scripts/build-translations.sh), and each loads."""
    directory = resources_dir() / "translations"
    counter = sorted(directory.glob("counter_*.ts"))
    assert {p.stem.removeprefix("counter_") for p in counter} == {c for c, _ in LANGUAGES}
    for ts in sorted(directory.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        assert qm.exists(), f"{qm} missing: run scripts/build-translations.sh"
        translator = QTranslator()
        assert translator.load(str(qm)), qm
        assert not translator.isEmpty()


def test_chinese_is_complete_and_keeps_placeholders() -> None:
    """No unfinished message in the Chinese .ts; named placeholders survive translation."""
    import re
    import xml.etree.ElementTree as ET

    tree = ET.parse(resources_dir() / "translations" / "counter_zh_CN.ts")
    messages = tree.getroot().iter("message")
    for message in messages:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None and translation.get("type") != "unfinished", source
        text = translation.text or ""
        assert text, source
        assert sorted(re.findall(r"\{\w+\}", source)) == sorted(re.findall(r"\{\w+\}", text)), (
            source
        )


def test_language_switch_translates_the_window(qtbot: Any) -> None:
    language = Language()
    try:
        assert language.install("zh_CN")
        assert QCoreApplication.translate("MainWindow", "Print receipt (F9)") == "打印票据 (F9)"
        assert language.install("en")
        assert QCoreApplication.translate("MainWindow", "Print receipt (F9)") == (
            "Print receipt (F9)"
        )
    finally:
        language.install("en")


def test_sign_in_offers_english_and_refuses_a_wrong_password(
    qtbot: Any, counter_env: CounterEnv
) -> None:
    from PySide6.QtCore import Qt

    from counter_app.ui.signin import SignInDialog

    language = Language()
    language.install("zh_CN")
    try:
        dialog = SignInDialog(
            counter_env.workers,
            language,
            counter_env.context.counter_id,
            counter_env.context.sign_in,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.ok_button.text() == "登录 (Enter)"
        dialog.language_box.setCurrentIndex(dialog.language_box.findData("en"))
        assert dialog.ok_button.text() == "Sign in (Enter)"
        qtbot.keyClicks(dialog.username, "teller1")
        qtbot.keyClicks(dialog.password, "not-the-password")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "Wrong" in dialog.message.text(), timeout=10_000)
        assert dialog.user is None
    finally:
        language.install("en")


def test_self_check_says_what_is_missing() -> None:
    from counter_app.ui.self_check import check_meter_link, check_pcsc

    link = check_meter_link("socket://127.0.0.1:9")  # discard port: nothing listens
    assert not link.ok and "unreachable" in link.detail
    assert not check_meter_link(None).ok
    reader = check_pcsc("no reader has this name fragment")
    assert not reader.ok
    assert "PC/SC" in reader.detail or "reader" in reader.detail


def test_errors_are_explained_in_words(qtbot: Any) -> None:
    from card_io.errors import CountMismatch, NoPcscService
    from counter_app.core.money import MoneyError, parse_yuan
    from counter_app.services.errors import ReversalRefused
    from counter_app.ui.errors import explain

    with pytest.raises(MoneyError) as bad:
        parse_yuan("12.345")
    assert explain(bad.value) == "At most two decimals (fen)."
    assert "card_count" not in (explain(CountMismatch(3, 2)) or "")
    assert "3" in (explain(CountMismatch(3, 2)) or "")
    assert "pcscd" in (explain(NoPcscService()) or "")
    refused = ReversalRefused(1, "unresolved-dispatch", "probe first")
    assert "R8" in (explain(refused) or "")
    assert explain(RuntimeError("a bug")) is None  # unknown: the report dialog


def test_translation_file_paths_point_into_resources() -> None:
    assert translation_file("zh_CN") == resources_dir() / "translations" / "counter_zh_CN.qm"
    assert isinstance(resources_dir(), Path)


def test_counter_app_self_check_on_the_embedded_demo(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``counter-app --self-check``: demo database, simulated meter bus, translations, font."""
    from counter_app.app import main
    from counter_app.store import database as store_db

    monkeypatch.setenv("COUNTER_DATA_DIR", str(tmp_path))
    try:
        rc = main(["--self-check", "--demo", "--no-card"])
    finally:
        store_db.close_database()
        Language().install("en")
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "Database" in out or "数据库" in out
    assert "127.0.0.1" in out  # the embedded meter bus answered


def test_receipt_prints_through_qt_print_support(qtbot: Any, tmp_path: Path) -> None:
    """The receipt PDF's pages are painted onto a QPrinter (here one that writes a PDF)."""
    import datetime as dt
    import subprocess

    from PySide6.QtPrintSupport import QPrinter

    from counter_app.services.receipts import ReceiptData, ReceiptKind, render_receipt
    from counter_app.ui.receipt_preview import print_pdf

    data = ReceiptData(
        kind=ReceiptKind.PAYMENT,
        receipt_no="T-1",
        record_id=1,
        issued_at=dt.datetime(2026, 11, 24, 9, 0),
        counter_id="t",
        operator="柜员",
        customer_no="1",
        customer_name="张伟",
        amount_fen=100,
    )
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    print_pdf(render_receipt(data), printer)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, check=True)
    fields = dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition(":") for line in info.stdout.decode().splitlines())
    )
    assert fields["Pages"] == "1"
    width_pt = float(fields["Page size"].split()[0])
    assert abs(width_pt / 72 * 25.4 - 80) < 1  # printed at its true 80 mm width
    assert target.stat().st_size > 5_000  # the page image, not an empty sheet
