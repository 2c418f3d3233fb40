"""Receipts (票据) as PDF: payment, card-write and reversal receipts in Chinese.

Why this module looks the way it does:

- Pure functions over a plain :class:`ReceiptData`: the caller (the counter window, the CLI)
  gathers the figures from the services; rendering needs no database and no Qt, so tests
  render a receipt and read it back with ``pdftotext``.
- The CJK font is **embedded** (a TrueType subset). reportlab's CID fonts (``STSong-Light``)
  are not embedded and print blank on a PC without that font, so we look up a TrueType font
  by a configurable path (:data:`FONT_ENV`) with a list of well-known locations on Debian
  (fonts-wqy-microhei, fonts-noto-cjk) and Windows (微软雅黑 ``msyh.ttc``, 宋体
  ``simsun.ttc``), and fail with a message naming every place we looked.
- A receipt says *why* money stayed in prepayment (R2: "the receipt says why"), what was
  settled (R1), the adjusted fee loaded (R3) and the dispatch outcome (R7–R9).
- A reprint carries the same receipt number and a "副本 / COPY" mark, so a customer can never
  hold two originals for one payment.
- The QR code identifies the record (kind, receipt number, record id) so a supervisor can
  scan a receipt at the counter to open the payment.
- As halls print them: the supplier and the hall at the head, the amount again in Chinese
  capitals (大写金额, ``core.desk.amount_in_capitals``) so it cannot be altered, cash tendered
  and change (实收/找零), the tariff and the kWh the purchase buys at it (an estimate: the
  meter's own tariff and steps decide), and on a COPY when and by whom it was reprinted.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from counter_app.core.desk import (
    TARIFF_SCALE,
    amount_in_capitals,
    estimated_kwh_hundredths,
    format_kwh,
)

__all__ = [
    "FONT_CANDIDATES",
    "FONT_ENV",
    "FontNotFoundError",
    "PaperSize",
    "ReceiptData",
    "ReceiptKind",
    "ReceiptMeter",
    "find_cjk_font",
    "format_fen",
    "qr_payload",
    "receipt_lines",
    "receipt_title",
    "render_receipt",
    "write_receipt",
]

FONT_ENV = "COUNTER_RECEIPT_FONT"
"""Environment variable naming a TrueType font (``.ttf``/``.ttc``) with CJK glyphs; a
``.ttc`` path may end in ``#N`` to choose the face (default 0)."""

FONT_CANDIDATES: tuple[str, ...] = (
    # Debian / Ubuntu: fonts-wqy-microhei (installed by scripts/setup.sh)
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    # Fedora / Arch layouts of the same font
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    # Noto Sans CJK ships as OpenType/CFF on most distributions: reportlab cannot embed CFF,
    # so only TrueType-outline builds are listed (the .ttc from fonts-noto-cjk is CFF).
    # Windows counter PCs: 微软雅黑 and 宋体
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/msyh.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    # macOS (development machines)
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)

_FONT_NAME = "CounterCJK"


def bundled_fonts() -> tuple[str, ...]:
    """Fonts the installed bundle carries (``resources/fonts`` beside the program).

    A counter PC without a Chinese TrueType font (a fresh Windows without 微软雅黑's .ttc, a
    minimal Linux) would otherwise print blank receipts; the packaged program ships
    WenQuanYi Micro Hei there, and a checkout has no such folder.
    """
    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return ()
    folder = Path(base) / "resources" / "fonts"
    return tuple(str(p) for p in sorted(folder.glob("*.tt[cf]")))


class FontNotFoundError(RuntimeError):
    """No TrueType CJK font could be embedded; ``tried`` lists every path looked at."""

    def __init__(self, tried: Sequence[str]) -> None:
        self.tried = tuple(tried)
        super().__init__(
            "no TrueType font with Chinese glyphs found for receipts; install "
            "fonts-wqy-microhei (Debian/Ubuntu) or set "
            f"{FONT_ENV}=/path/to/font.ttc[#index]. Looked at: " + ", ".join(self.tried)
        )


def _split_index(spec: str) -> tuple[str, int]:
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return spec, 0


def find_cjk_font(configured: str | None = None) -> tuple[str, int]:
    """Return ``(path, subfont_index)`` of the first usable CJK TrueType font.

    Order: the ``configured`` path (from the configuration file), then :data:`FONT_ENV`,
    then :data:`FONT_CANDIDATES`. A configured path that does not exist is an error rather
    than a silent fallback: the operator asked for that font.
    """
    tried: list[str] = []
    for spec in (configured, os.environ.get(FONT_ENV)):
        if spec:
            path, index = _split_index(spec)
            if Path(path).is_file():
                return path, index
            raise FontNotFoundError([path])
    for spec in (*bundled_fonts(), *FONT_CANDIDATES):
        tried.append(spec)
        if Path(spec).is_file():
            return spec, 0
    raise FontNotFoundError(tried)


_registered: dict[tuple[str, str, int], str] = {}


def register_cjk_font(configured: str | None, family: str = _FONT_NAME) -> str:
    """The reportlab name of the CJK font (`find_cjk_font`), registered once per document
    family (receipts, shift summaries) and font file: an embedded TrueType subset."""
    path, index = find_cjk_font(configured)
    key = (family, path, index)
    if key not in _registered:
        name = f"{family}{sum(1 for k in _registered if k[0] == family)}"
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        _registered[key] = name
    return _registered[key]


class ReceiptKind(StrEnum):
    PAYMENT = "payment"
    CARD_WRITE = "card-write"
    REVERSAL = "reversal"
    PREPAYMENT_REFUND = "prepayment-refund"  # R19 "refund cash", a closed account's prepayment


class PaperSize(StrEnum):
    ROLL_80MM = "roll-80mm"
    A5 = "a5"


@dataclass(frozen=True)
class ReceiptMeter:
    """A meter as the receipt names it, with what the counter knows of it."""

    meter_no: str
    purchase_count: int | None = None
    balance_fen: int | None = None


@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt prints; plain values, money in fen.

    ``dispatch_outcome`` and ``reason`` are the codes of meter_link / core
    (``success``, ``already-loaded``, ``channel-failure``, ``arrears-remain``...): the
    receipt turns them into Chinese sentences a teller can read out.
    """

    kind: ReceiptKind
    receipt_no: str
    record_id: int
    issued_at: datetime
    counter_id: str
    operator: str
    customer_no: str
    customer_name: str
    amount_fen: int = 0
    channel: str = "counter"
    arrears_settled_fen: int = 0
    adjusted_fee_fen: int = 0
    prepayment_after_fen: int = 0
    arrears_after_fen: int = 0
    meters: tuple[ReceiptMeter, ...] = ()
    route: str | None = None
    reason: str | None = None
    dispatch_outcome: str | None = None
    dispatch_detail: str | None = None
    purchase_count: int | None = None
    card_serial: str | None = None
    supervisor: str | None = None
    reversal_case: str | None = None
    reversal_reason: str | None = None
    original_receipt_no: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    supplier: str = ""
    hall: str = ""
    tariff: int = 0
    """Yuan per kWh in 1/10000 yuan (``core.desk.TARIFF_SCALE``); 0: no kWh estimate."""
    tendered_fen: int | None = None
    change_fen: int | None = None
    reprinted_at: datetime | None = None
    reprinted_by: str | None = None


_TITLES = {
    ReceiptKind.PAYMENT: "电费缴费凭证",
    ReceiptKind.CARD_WRITE: "购电卡写卡凭证",
    ReceiptKind.REVERSAL: "冲正凭证",
    ReceiptKind.PREPAYMENT_REFUND: "预收退款凭证",
}

_CHANNELS = {
    "counter": "柜台",
    "terminal": "自助终端",
    "bank": "银行代收",
    "transfer": "转账",
    "offset": "预收冲抵",
    "other": "其他",
}

_ROUTES = {
    "remote": "远程下发",
    "card": "待写卡（请持卡购电）",
    "none": "存入预收",
}

# R2/R6: why money stays in prepayment, as the receipt says it (DOMAIN.md R2 "the receipt
# says why").
_REASONS = {
    "arrears-remain": "尚有欠费未结清，本次缴费未下发至电表",
    "no-active-meter": "无在用卡表，款项存入预收",
    "multi-meter": "一户多表，请持卡到柜台选择电表写卡",
    "not-card-meter": "非本地费控卡表，款项存入预收",
    "not-collection-capable": "电表不具备采集条件，请持卡购电",
    "card-mode": "电表为插卡购电方式，请持卡购电",
    "purchase-pending": "上一笔购电尚未完成，款项存入预收",
    "nothing-to-load": "无可下发金额",
}

# R7–R9 dispatch outcomes as meter_link names them.
_OUTCOMES = {
    "success": "远程下发成功",
    "already-loaded": "电表已充值（已确认）",
    "channel-failure": "通信失败，已转工单处理",
    "count-mismatch": "购电次数不一致，已转工单处理",
    "refused": "电表拒绝充值，已转工单处理",
    "failed": "远程下发失败，已转工单处理",
    "card-written": "已写入购电卡，请插入电表",
    "not-dispatched": "未下发（排队等待）",
    "unresolved": "下发结果待核实，请勿重复缴费",
    "pending": "下发中（结果将以短信通知，请勿重复缴费）",
}

_REVERSAL_CASES = {
    "payment-only": "仅冲正缴费（电表已充值，金额转为欠费）",
    "payment-and-purchase": "冲正缴费及购电记录（购电次数释放）",
    "payment-no-purchase": "冲正缴费（无购电记录）",
}


TRAINING_MARK = "培训模式 / TRAINING"
"""What a receipt printed in training mode (the embedded demo) says at its head and foot."""


def format_fen(fen: int) -> str:
    """Integer fen as yuan with two decimals and grouping, without floats."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def receipt_title(kind: ReceiptKind) -> str:
    """The receipt's printed title (电费缴费凭证, 冲正凭证…)."""
    return _TITLES[kind]


def qr_payload(data: ReceiptData) -> str:
    """What the QR code holds: enough to find the record, nothing personal."""
    return f"FCC1|{data.kind.value}|{data.receipt_no}|{data.record_id}|{data.counter_id}"


def receipt_lines(data: ReceiptData) -> list[tuple[str, str]]:
    """The receipt body as (label, value) rows, in print order."""
    rows: list[tuple[str, str]] = []
    if data.supplier:
        rows.append(("供电单位", data.supplier))
    if data.hall:
        rows.append(("营业厅", data.hall))
    rows += [
        ("票据号", data.receipt_no),
        ("时间", data.issued_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("柜台", data.counter_id),
        ("操作员", data.operator),
        ("户号", data.customer_no),
        ("户名", data.customer_name),
    ]
    for meter in data.meters:
        rows.append(("表号", meter.meter_no))
    if data.kind is ReceiptKind.PAYMENT:
        rows += [
            ("缴费方式", _CHANNELS.get(data.channel, data.channel)),
            ("缴费金额", f"¥{format_fen(data.amount_fen)}"),
            ("大写金额", amount_in_capitals(data.amount_fen)),
        ]
        if data.tendered_fen is not None:
            rows.append(("实收", f"¥{format_fen(data.tendered_fen)}"))
            rows.append(("找零", f"¥{format_fen(data.change_fen or 0)}"))
        rows += [
            ("结清欠费", f"¥{format_fen(data.arrears_settled_fen)}"),
            ("调整电费", f"¥{format_fen(data.adjusted_fee_fen)}"),
        ]
        rows += _tariff_rows(data, data.adjusted_fee_fen)
        if data.purchase_count is not None:
            rows.append(("购电次数", str(data.purchase_count)))
        rows += [
            ("预收余额", f"¥{format_fen(data.prepayment_after_fen)}"),
            ("剩余欠费", f"¥{format_fen(data.arrears_after_fen)}"),
        ]
        if data.route:
            rows.append(("处理方式", _ROUTES.get(data.route, data.route)))
        if data.reason:
            rows.append(("说明", _REASONS.get(data.reason, data.reason)))
    elif data.kind is ReceiptKind.CARD_WRITE:
        rows.append(("写卡金额", f"¥{format_fen(data.amount_fen)}"))
        rows.append(("大写金额", amount_in_capitals(data.amount_fen)))
        rows += _tariff_rows(data, data.amount_fen)
        if data.purchase_count is not None:
            rows.append(("购电次数", str(data.purchase_count)))
        if data.card_serial:
            rows.append(("卡号", data.card_serial))
        rows.append(("预收余额", f"¥{format_fen(data.prepayment_after_fen)}"))
    elif data.kind is ReceiptKind.PREPAYMENT_REFUND:
        rows.append(("退款金额", f"¥{format_fen(data.amount_fen)}"))
        rows.append(("大写金额", amount_in_capitals(data.amount_fen)))
        if data.original_receipt_no:
            rows.append(("业务变更", data.original_receipt_no))
        if data.supervisor:
            rows.append(("审核人", data.supervisor))
        if data.reversal_reason:
            rows.append(("退款原因", data.reversal_reason))
    else:
        rows += [
            ("原票据号", data.original_receipt_no or "-"),
            ("冲正金额", f"¥{format_fen(data.amount_fen)}"),
            ("大写金额", amount_in_capitals(data.amount_fen)),
        ]
        if data.reversal_case:
            rows.append(("冲正类型", _REVERSAL_CASES.get(data.reversal_case, data.reversal_case)))
        if data.supervisor:
            rows.append(("授权人", data.supervisor))
        if data.reversal_reason:
            rows.append(("冲正原因", data.reversal_reason))
        rows.append(("剩余欠费", f"¥{format_fen(data.arrears_after_fen)}"))
    if data.dispatch_outcome:
        rows.append(("下发结果", _OUTCOMES.get(data.dispatch_outcome, data.dispatch_outcome)))
    if data.dispatch_detail:
        rows.append(("详情", data.dispatch_detail))
    for meter in data.meters:
        if meter.balance_fen is not None:
            count = f" / 第{meter.purchase_count}次" if meter.purchase_count is not None else ""
            rows.append(("电表余额", f"{meter.meter_no}: ¥{format_fen(meter.balance_fen)}{count}"))
    for note in data.notes:
        rows.append(("备注", note))
    if data.reprinted_at is not None:
        rows.append(("补打时间", data.reprinted_at.strftime("%Y-%m-%d %H:%M:%S")))
    if data.reprinted_by:
        rows.append(("补打人", data.reprinted_by))
    return rows


def _tariff_rows(data: ReceiptData, loaded_fen: int) -> list[tuple[str, str]]:
    """The tariff and the kWh ``loaded_fen`` buys at it, said to be an estimate."""
    if data.tariff <= 0:
        return []
    whole, part = divmod(data.tariff, TARIFF_SCALE)
    rows = [("电价", f"¥{whole}.{part:04d}/千瓦时")]
    if loaded_fen > 0:
        kwh = format_kwh(estimated_kwh_hundredths(loaded_fen, data.tariff))
        rows.append(("预计电量", f"约 {kwh} 千瓦时（按当前电价估算）"))
    return rows


@dataclass(frozen=True)
class _Layout:
    width: float
    margin: float
    title_size: float
    body_size: float
    leading: float
    label_width: float
    qr_size: float


_LAYOUTS = {
    PaperSize.ROLL_80MM: _Layout(80 * mm, 4 * mm, 12, 8.5, 12, 17 * mm, 26 * mm),
    PaperSize.A5: _Layout(A5[0], 14 * mm, 16, 10.5, 16, 28 * mm, 32 * mm),
}


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break a line by characters (Chinese has no spaces) to fit ``width`` points."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if pdfmetrics.stringWidth(current + ch, font, size) > width and current:
            lines.append(current)
            current = ch
        else:
            current += ch
    lines.append(current)
    return lines


def _draw_qr(pdf: canvas.Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code's dark modules as filled rectangles (quiet zone of 2 modules).

    Drawn on the canvas directly: reportlab's graphics renderer would select its default,
    unembedded Helvetica, and every font in a receipt must be embedded. Imported here: the
    barcode package costs a tenth of a second, which every counterctl command would pay.
    """
    from reportlab.graphics.barcode.qr import QrCodeWidget

    code = QrCodeWidget(payload, barLevel="M").qr
    code.make()
    count = code.getModuleCount()
    box = size / (count + 4)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(code.modules):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + (c + 2) * box, y + size - (r + 3) * box, box, box, stroke=0, fill=1)


def render_receipt(
    data: ReceiptData,
    paper: PaperSize = PaperSize.ROLL_80MM,
    *,
    copy: bool = False,
    font_path: str | None = None,
    training: bool = False,
) -> bytes:
    """Render one receipt as PDF bytes.

    ``copy=True`` marks a reprint "副本 / COPY" under the same receipt number.
    ``training=True`` (the embedded demo) marks it `TRAINING_MARK` above the title and again
    at the foot: a receipt printed while training must never pass for a real one. The roll
    layout grows with its content (a thermal printer cuts where the page ends); A5 is one
    fixed page.
    """
    font = register_cjk_font(font_path)
    lay = _LAYOUTS[paper]
    text_width = lay.width - 2 * lay.margin
    value_width = text_width - lay.label_width
    body: list[tuple[str, list[str]]] = [
        (label, _wrap(value, font, lay.body_size, value_width))
        for label, value in receipt_lines(data)
    ]
    body_lines = sum(len(v) for _, v in body)
    header = (
        lay.title_size * 2
        + (lay.leading * 1.5 if copy else 0)
        + (lay.leading * 1.5 if training else 0)
        + lay.leading
    )
    footer = lay.qr_size + lay.leading * (4 if training else 3)
    if paper is PaperSize.ROLL_80MM:
        height = lay.margin * 2 + header + body_lines * lay.leading + footer
    else:
        height = A5[1]

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(lay.width, height), pageCompression=1, initialFontName=font)
    pdf.setTitle(f"{_TITLES[data.kind]} {data.receipt_no}" + (" 副本" if copy else ""))
    pdf.setAuthor(data.counter_id)
    pdf.setSubject(qr_payload(data))
    y = height - lay.margin - lay.title_size
    if training:
        pdf.setFont(font, lay.title_size)
        pdf.drawCentredString(lay.width / 2, y, f"【{TRAINING_MARK}】")
        y -= lay.leading * 1.5
    pdf.setFont(font, lay.title_size)
    pdf.drawCentredString(lay.width / 2, y, _TITLES[data.kind])
    y -= lay.title_size * 1.4
    if copy:
        pdf.setFont(font, lay.title_size)
        pdf.drawCentredString(lay.width / 2, y, "【副本 / COPY】")
        y -= lay.leading * 1.5
    pdf.setLineWidth(0.5)
    pdf.setDash(2, 2)
    pdf.line(lay.margin, y + lay.leading * 0.4, lay.width - lay.margin, y + lay.leading * 0.4)
    y -= lay.leading * 0.6
    pdf.setFont(font, lay.body_size)
    for label, values in body:
        pdf.drawString(lay.margin, y, label)
        for value in values:
            pdf.drawString(lay.margin + lay.label_width, y, value)
            y -= lay.leading
    pdf.line(lay.margin, y + lay.leading * 0.4, lay.width - lay.margin, y + lay.leading * 0.4)

    qr_y = y - lay.qr_size - lay.leading * 0.2
    _draw_qr(pdf, qr_payload(data), (lay.width - lay.qr_size) / 2, qr_y, lay.qr_size)
    pdf.setFont(font, lay.body_size * 0.85)
    pdf.drawCentredString(lay.width / 2, qr_y - lay.leading, "请妥善保管本凭证 · 扫码查询")
    if copy:
        pdf.drawCentredString(
            lay.width / 2, qr_y - lay.leading * 2, "副本 COPY：重打凭证，非新缴费"
        )
    if training:
        pdf.drawCentredString(
            lay.width / 2,
            qr_y - lay.leading * (3 if copy else 2),
            f"{TRAINING_MARK}：演示数据，非正式凭证 not a valid receipt",
        )
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def write_receipt(
    data: ReceiptData,
    path: Path,
    paper: PaperSize = PaperSize.ROLL_80MM,
    *,
    copy: bool = False,
    font_path: str | None = None,
    training: bool = False,
) -> Path:
    """Render and write a receipt; returns ``path``."""
    path.write_bytes(render_receipt(data, paper, copy=copy, font_path=font_path, training=training))
    return path
