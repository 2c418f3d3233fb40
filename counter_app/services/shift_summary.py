"""The shift summary PDF (班次结算单): the X read or the Z close of one shift, on A4.

Rendered from a `services.shifts.ShiftReport` only, so its totals are the ledger's
(`core.shift_ledger.compute_ledger`) and nothing else: tests extract the text with
``pdftotext`` and compare every figure with the ledger. The CJK font is embedded the same way
as the receipts' (`services.receipts.find_cjk_font`: a TrueType subset, never an unembedded
CID font that prints blank on a PC without it).
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from counter_app.services.receipts import format_fen, register_cjk_font
from counter_app.services.shifts import ShiftReport

_FONT_NAME = "ShiftSummaryCJK"

KIND_TEXT = {
    "payment": "收费 payment",
    "refund": "冲正退款 refund",
    "cash-in": "现金存入 cash in",
    "cash-out": "现金取出 cash out",
}
VARIANCE_TEXT = {"short": "短款 short", "over": "长款 over", "exact": "相符 exact"}


def _font(configured: str | None) -> str:
    return register_cjk_font(configured, _FONT_NAME)


def summary_lines(report: ShiftReport) -> list[tuple[str, str]]:
    """The label/value lines of the summary, in order (the PDF prints exactly these)."""
    s, led = report.shift, report.ledger
    kind = "Z 结班 close" if s.state == "closed" else "X 班中读数 mid-shift read"
    lines: list[tuple[str, str]] = [
        ("班次 Shift", f"#{s.id} {kind}"),
        ("柜员 Teller", s.operator),
        ("柜台 Counter", s.counter_id),
        ("开班 Opened", f"{s.opened_at:%Y-%m-%d %H:%M:%S}"),
        ("截至 Until", f"{report.until:%Y-%m-%d %H:%M:%S}"),
        ("备用金 Float", format_fen(led.float_fen)),
    ]
    for ch in led.by_channel:
        lines.append((f"收费 Payments [{ch.channel}] x{ch.count}", format_fen(ch.amount_fen)))
    lines += [
        (f"收费合计 Payments total x{led.payment_count}", format_fen(led.payments_fen)),
        ("现金收费 Cash payments", format_fen(led.cash_payments_fen)),
        (f"冲正退款 Refunds x{led.refund_count}", format_fen(led.refunds_fen)),
        (f"现金存入 Cash in x{led.cash_in_count}", format_fen(led.cash_in_fen)),
        (f"现金取出 Cash out x{led.cash_out_count}", format_fen(led.cash_out_fen)),
        ("应有现金 Expected cash", format_fen(led.expected_cash_fen)),
    ]
    variance = report.variance
    if variance is not None:
        lines += [
            ("盲点现金 Counted cash", format_fen(variance.counted_fen)),
            (
                f"差额 Variance ({VARIANCE_TEXT[variance.kind.value]})",
                format_fen(variance.fen),
            ),
        ]
        if s.variance_reason:
            lines.append(("原因 Reason", s.variance_reason))
    if s.closed_at is not None:
        lines.append(("结班 Closed", f"{s.closed_at:%Y-%m-%d %H:%M:%S} {s.closed_by or ''}"))
    if report.audit_head:  # I3: keep this outside the database (core.audit_chain)
        lines.append(("审计链首 Audit head", report.audit_head))
    return lines


def render_shift_summary(report: ShiftReport, *, font_path: str | None = None) -> bytes:
    """The summary as PDF bytes (A4, embedded CJK font)."""
    font = _font(font_path)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle(f"Shift {report.shift.id} summary")
    width, height = float(A4[0]), float(A4[1])
    unit = float(mm)
    left, right = 20 * unit, width - 20 * unit
    y = height - 22 * unit

    size = [10.5]

    def new_page_if_needed(y: float) -> float:
        if y < 20 * unit:
            pdf.showPage()  # a new page starts without a font
            pdf.setFont(font, size[0])
            return height - 20 * unit
        return y

    pdf.setFont(font, 16)
    pdf.drawString(left, y, "班次结算单 Shift summary")
    y -= 12 * unit
    pdf.setFont(font, 10.5)
    for label, value in summary_lines(report):
        pdf.drawString(left, y, label)
        pdf.drawRightString(right, y, value)
        y = new_page_if_needed(y - 6.5 * unit)
    y -= 4 * unit
    pdf.setFont(font, 12)
    pdf.drawString(left, y, "明细 Details")
    y -= 7 * unit
    pdf.setFont(font, 9)
    size[0] = 9
    for line in report.lines:
        pdf.drawString(left, y, f"{line.at:%H:%M:%S}")
        pdf.drawString(left + 20 * unit, y, KIND_TEXT.get(line.kind, line.kind))
        pdf.drawString(left + 55 * unit, y, f"{line.reference} {line.channel}".strip()[:60])
        pdf.drawRightString(right, y, format_fen(line.amount_fen))
        y = new_page_if_needed(y - 5.5 * unit)
    pdf.save()
    return buffer.getvalue()


def write_shift_summary(report: ShiftReport, path: Path, *, font_path: str | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_shift_summary(report, font_path=font_path))
    return path
