"""Receipts render in Chinese with an embedded font and hold the right figures (R1–R3, R15).

The PDF is read back with poppler's ``pdftotext``/``pdffonts``, as a printer driver or a
person opening the file would see it.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from counter_app.services.receipts import (
    FONT_ENV,
    FontNotFoundError,
    PaperSize,
    ReceiptData,
    ReceiptKind,
    ReceiptMeter,
    find_cjk_font,
    format_fen,
    qr_payload,
    render_receipt,
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def _text(pdf: bytes, tmp_path: Path, name: str = "r.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def _payment(**overrides: object) -> ReceiptData:
    base: dict[str, object] = dict(
        kind=ReceiptKind.PAYMENT,
        receipt_no="C01-20261124-000123",
        record_id=123,
        issued_at=datetime(2026, 11, 24, 14, 5, 9),
        counter_id="C01",
        operator="张敏",
        customer_no="3100012345",
        customer_name="王建国",
        amount_fen=20_000,
        arrears_settled_fen=5_050,
        adjusted_fee_fen=14_950,
        prepayment_after_fen=0,
        meters=(ReceiptMeter("000000123456", 8, 15_000),),
        route="remote",
        dispatch_outcome="success",
        purchase_count=8,
    )
    base.update(overrides)
    return ReceiptData(**base)  # type: ignore[arg-type]


def test_format_fen_groups_without_float() -> None:
    assert format_fen(0) == "0.00"
    assert format_fen(5) == "0.05"
    assert format_fen(123_456_789) == "1,234,567.89"
    assert format_fen(-1_050) == "-10.50"


def test_payment_receipt_r1_r3_figures_in_chinese(tmp_path: Path) -> None:
    text = _text(render_receipt(_payment()), tmp_path)
    for expected in (
        "电费缴费凭证",
        "C01-20261124-000123",
        "张敏",
        "王建国",
        "3100012345",
        "000000123456",
        "¥200.00",  # paid
        "¥50.50",  # arrears settled (R1)
        "¥149.50",  # adjusted fee (R3)
        "远程下发成功",
        "2026-11-24 14:05:09",
    ):
        assert expected in text, expected
    assert "副本" not in text


def test_receipt_embeds_its_truetype_font(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(render_receipt(_payment()))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
    rows = fonts.stdout.decode().splitlines()[2:]
    assert rows, "no font in the PDF"
    for row in rows:
        # columns: name type encoding emb sub uni ...: every font is embedded
        assert " yes " in row, row


def test_reprint_is_marked_copy_with_the_same_number(tmp_path: Path) -> None:
    original = _text(render_receipt(_payment()), tmp_path, "o.pdf")
    copy = _text(render_receipt(_payment(), copy=True), tmp_path, "c.pdf")
    assert "副本" in copy and "COPY" in copy
    assert "C01-20261124-000123" in original and "C01-20261124-000123" in copy


def test_r2_reason_is_printed_when_money_stays_in_prepayment(tmp_path: Path) -> None:
    data = _payment(
        route="none",
        reason="arrears-remain",
        dispatch_outcome=None,
        adjusted_fee_fen=0,
        arrears_after_fen=3_000,
        purchase_count=None,
    )
    text = _text(render_receipt(data, PaperSize.A5), tmp_path)
    assert "尚有欠费未结清" in text
    assert "¥30.00" in text


def test_card_write_and_reversal_receipts(tmp_path: Path) -> None:
    card = _payment(
        kind=ReceiptKind.CARD_WRITE,
        amount_fen=8_800,
        purchase_count=3,
        card_serial="0102030405060708",
        dispatch_outcome="card-written",
    )
    text = _text(render_receipt(card), tmp_path, "card.pdf")
    assert "购电卡写卡凭证" in text and "¥88.00" in text and "0102030405060708" in text
    reversal = _payment(
        kind=ReceiptKind.REVERSAL,
        receipt_no="C01-20261124-000124",
        original_receipt_no="C01-20261124-000123",
        supervisor="李主管",
        reversal_case="payment-and-purchase",
        reversal_reason="金额录入错误",
        dispatch_outcome=None,
    )
    text = _text(render_receipt(reversal, PaperSize.A5), tmp_path, "rev.pdf")
    for expected in ("冲正凭证", "C01-20261124-000123", "李主管", "金额录入错误", "购电次数释放"):
        assert expected in text, expected


def test_a5_and_roll_page_sizes(tmp_path: Path) -> None:
    for paper, width_mm in ((PaperSize.ROLL_80MM, 80), (PaperSize.A5, 148)):
        path = tmp_path / f"{paper}.pdf"
        path.write_bytes(render_receipt(_payment(), paper))
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True)
        size = next(x for x in info.stdout.decode().splitlines() if x.startswith("Page size"))
        width_pt = float(size.split()[2])
        assert abs(width_pt / 72 * 25.4 - width_mm) < 1


def test_qr_payload_identifies_the_record() -> None:
    assert qr_payload(_payment()) == "FCC1|payment|C01-20261124-000123|123|C01"


def test_missing_configured_font_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FONT_ENV, "/nonexistent/font.ttc")
    with pytest.raises(FontNotFoundError, match="fonts-wqy-microhei"):
        find_cjk_font()
    monkeypatch.delenv(FONT_ENV)
    path, index = find_cjk_font()
    assert Path(path).is_file() and index == 0


def _layout_text(pdf: bytes, tmp_path: Path, name: str) -> str:
    """The receipt's rows as printed, label beside value, spaces removed."""
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


def test_receipt_as_halls_print_it_capitals_cash_tariff_and_heading(tmp_path: Path) -> None:
    """Supplier and hall at the head, 大写金额, 实收/找零, the tariff and its kWh estimate."""
    data = _payment(
        amount_fen=1_005_000,
        adjusted_fee_fen=1_000_000,
        tendered_fen=1_010_000,
        change_fen=5_000,
        supplier="国网示范供电公司",
        hall="城东营业厅",
        tariff=5_283,
    )
    for paper in (PaperSize.ROLL_80MM, PaperSize.A5):
        flat = _layout_text(render_receipt(data, paper), tmp_path, f"{paper.value}.pdf")
        for expected in (
            "国网示范供电公司",
            "城东营业厅",
            "壹万零伍拾元整",
            "实收¥10,100.00",
            "找零¥50.00",
            "¥0.5283/千瓦时",
            "约18928.63千瓦时（按当前电价估算）",  # 10,000.00 yuan / 0.5283, rounded down
        ):
            assert expected in flat, (paper, expected, flat)
        assert "补打" not in flat  # an original


def test_reprint_copy_says_when_and_by_whom(tmp_path: Path) -> None:
    data = _payment(reprinted_at=datetime(2026, 11, 25, 9, 30, 0), reprinted_by="李主管")
    flat = _layout_text(render_receipt(data, copy=True), tmp_path, "copy.pdf")
    assert "副本" in flat and "COPY" in flat
    assert "补打时间2026-11-2509:30:00" in flat and "补打人李主管" in flat
    assert "2026-11-2414:05:09" in flat  # the original's time stays
