"""The hall's end of day (营业厅日结): every counter's Z reports, channel totals, reversals,
the cash that goes to the bank with its deposit slip (缴款单), and every difference explained.

Why a service of its own: a supervisor closes the hall's day across all counters, not one
drawer. The figures come from the same ledger as every shift report (`ShiftService`,
`core.shift_ledger`), so the day and its shifts cannot disagree:

* the day covers the shifts that were live during it; one still open (not Z-closed) keeps the
  day from being settled — its cash is in no counted drawer yet;
* the cash to the bank is, per closed shift, the blind count less the float (the float stays
  in the hall for tomorrow);
* every difference is explained: a short or over drawer with its reason (Z), and any cash
  payment or refund taken **outside a shift** (`ShiftService.payments_outside_shifts`) — money
  in no drawer's ledger, the check that nothing was taken outside a shift;
* channel totals cover every payment of the day at every counter (cash and the others), and
  reversals list each refund with who authorised it.

Issuing the deposit slip records the settlement in the audit log (I3: it is a money
movement out of the hall) and writes the slip as a PDF with the amount in Chinese capitals.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from counter_app.core.desk import amount_in_capitals
from counter_app.services import audit, auth
from counter_app.services.auth import SignedInUser
from counter_app.services.context import ServiceContext
from counter_app.services.errors import ServiceError
from counter_app.services.receipts import find_cjk_font, format_fen
from counter_app.services.shifts import (
    LIVE_STATES,
    ShiftReport,
    ShiftService,
    UncoveredMoney,
)
from counter_app.store.database import write_transaction
from counter_app.store.models import Payment, Refund, Shift

ACTION_SETTLE = auth.Action.VIEW_OPEN_SHIFTS  # supervisors: they see every drawer already


class DayNotSettled(ServiceError):
    """The day cannot be settled yet: a shift is still open (its drawer is not counted)."""

    code = "day-not-settled"

    def __init__(self, day: dt.date, open_shifts: int) -> None:
        super().__init__(
            f"the day {day.isoformat()} cannot be settled: {open_shifts} shift(s) still open "
            "(close them with the Z read first)",
            day=day.isoformat(),
            open_shifts=open_shifts,
        )


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The naive-UTC moments where the hall's local ``day`` begins and ends."""

    def utc(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone().astimezone(dt.UTC).replace(tzinfo=None)

    start = dt.datetime.combine(day, dt.time())
    return utc(start), utc(start + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class ChannelDayTotal:
    channel: str
    count: int
    amount_fen: int


@dataclass(frozen=True)
class ReversalLine:
    at: dt.datetime
    receipt_no: str
    operator: str
    supervisor: str
    counter_id: str
    amount_fen: int


@dataclass(frozen=True)
class ShiftDay:
    """One shift of the day: its Z (or its figures so far while open) and its cash to bank."""

    report: ShiftReport

    @property
    def closed(self) -> bool:
        return self.report.shift.state == "closed"

    @property
    def to_bank_fen(self) -> int:
        """Counted cash less the float (the float stays in the hall)."""
        counted = self.report.shift.counted_fen
        if counted is None:
            return 0
        return counted - self.report.ledger.float_fen

    @property
    def variance_fen(self) -> int:
        return int(self.report.shift.variance_fen or 0)


@dataclass(frozen=True)
class Difference:
    """One explained difference of the day."""

    kind: str  # "short" | "over" | "outside-shift" | "open-shift"
    who: str
    counter_id: str
    amount_fen: int
    explanation: str


@dataclass(frozen=True)
class DaySettlement:
    day: dt.date
    since: dt.datetime
    until: dt.datetime
    shifts: tuple[ShiftDay, ...]
    channels: tuple[ChannelDayTotal, ...]
    reversals: tuple[ReversalLine, ...]
    outside: tuple[UncoveredMoney, ...]
    differences: tuple[Difference, ...]

    @property
    def open_shifts(self) -> tuple[ShiftDay, ...]:
        return tuple(s for s in self.shifts if not s.closed)

    @property
    def settled(self) -> bool:
        """Every shift Z-closed: every drawer is counted and the day can go to the bank."""
        return not self.open_shifts

    @property
    def all_in_shifts(self) -> bool:
        """The check that nothing was taken outside a shift (cash in no drawer's ledger)."""
        return not self.outside

    @property
    def payments_fen(self) -> int:
        return sum(c.amount_fen for c in self.channels)

    @property
    def cash_payments_fen(self) -> int:
        return sum(s.report.ledger.cash_payments_fen for s in self.shifts)

    @property
    def refunds_fen(self) -> int:
        return sum(r.amount_fen for r in self.reversals)

    @property
    def expected_cash_fen(self) -> int:
        return sum(s.report.ledger.expected_cash_fen for s in self.shifts if s.closed)

    @property
    def counted_fen(self) -> int:
        return sum(int(s.report.shift.counted_fen or 0) for s in self.shifts if s.closed)

    @property
    def floats_fen(self) -> int:
        return sum(s.report.ledger.float_fen for s in self.shifts if s.closed)

    @property
    def variance_fen(self) -> int:
        return sum(s.variance_fen for s in self.shifts if s.closed)

    @property
    def to_bank_fen(self) -> int:
        return sum(s.to_bank_fen for s in self.shifts if s.closed)


class DailySettlementService:
    """See the module docstring."""

    def __init__(self, ctx: ServiceContext, shifts: ShiftService | None = None) -> None:
        self.ctx = ctx
        self.shifts = shifts or ShiftService(ctx)

    def settlement(self, user: SignedInUser, day: dt.date) -> DaySettlement:
        """The hall's ``day`` as it stands (read-only; supervisors)."""
        auth.require(user, ACTION_SETTLE, counter_id=self.ctx.counter_id)
        since, until = local_day_bounds(day)
        rows = (
            Shift.select()
            .where(
                (Shift.opened_at <= until)
                & (
                    Shift.state.in_(LIVE_STATES)
                    | (Shift.closed_at.is_null(False) & (Shift.closed_at >= since))
                )
            )
            .order_by(Shift.counter_id, Shift.opened_at)
        )
        days = tuple(ShiftDay(self.shifts.report(int(s.id))) for s in rows)
        channels: dict[str, list[int]] = {}
        for p in Payment.select().where(
            (Payment.created_at >= since) & (Payment.created_at <= until)
        ):
            tally = channels.setdefault(str(p.channel), [0, 0])
            tally[0] += 1
            tally[1] += int(p.amount_fen)
        reversals = tuple(
            ReversalLine(
                r.created_at,
                str(r.payment.receipt_no),
                str(r.operator),
                str(r.supervisor),
                str(r.counter_id),
                int(r.amount_fen),
            )
            for r in Refund.select(Refund, Payment)
            .join(Payment)
            .where((Refund.created_at >= since) & (Refund.created_at <= until))
            .order_by(Refund.created_at)
        )
        outside = tuple(self.shifts.payments_outside_shifts(user, since, until))
        differences = _differences(days, outside)
        return DaySettlement(
            day,
            since,
            until,
            days,
            tuple(ChannelDayTotal(c, n, fen) for c, (n, fen) in sorted(channels.items())),
            reversals,
            outside,
            differences,
        )

    def issue_deposit_slip(
        self, user: SignedInUser, day: dt.date, path: Path, *, hall: str = "", supplier: str = ""
    ) -> tuple[DaySettlement, Path]:
        """Settle the day: refuse while it is not settled, audit it (I3), write the slip."""
        settlement = self.settlement(user, day)
        if not settlement.settled:
            raise DayNotSettled(day, len(settlement.open_shifts))
        with write_transaction():
            audit.record(
                user.username,
                self.ctx.counter_id,
                "daily-settlement",
                "hall-day",
                day.isoformat(),
                after={
                    "shifts": [s.report.shift.id for s in settlement.shifts],
                    "payments_fen": settlement.payments_fen,
                    "refunds_fen": settlement.refunds_fen,
                    "counted_fen": settlement.counted_fen,
                    "variance_fen": settlement.variance_fen,
                    "to_bank_fen": settlement.to_bank_fen,
                    "outside_shifts": len(settlement.outside),
                },
            )
        written = write_deposit_slip(
            settlement,
            path,
            prepared_by=user.full_name or user.username,
            hall=hall,
            supplier=supplier,
        )
        return settlement, written


def _differences(
    days: tuple[ShiftDay, ...], outside: tuple[UncoveredMoney, ...]
) -> tuple[Difference, ...]:
    out: list[Difference] = []
    for s in days:
        shift = s.report.shift
        if not s.closed:
            out.append(
                Difference(
                    "open-shift",
                    shift.operator,
                    shift.counter_id,
                    s.report.ledger.expected_cash_fen,
                    f"班次 {shift.id} 未结班（Z），现金尚未盲点",
                )
            )
        elif s.variance_fen:
            out.append(
                Difference(
                    "short" if s.variance_fen < 0 else "over",
                    shift.operator,
                    shift.counter_id,
                    s.variance_fen,
                    shift.variance_reason or "-",
                )
            )
    for u in outside:
        sign = 1 if u.kind == "payment" else -1
        out.append(
            Difference(
                "outside-shift",
                u.operator,
                u.counter_id,
                sign * u.amount_fen,
                f"{'收款' if u.kind == 'payment' else '退款'} {u.receipt_no}"
                f"（{u.at:%H:%M}）不在任何班次内",
            )
        )
    return tuple(out)


DIFFERENCE_TEXT = {
    "short": "短款",
    "over": "长款",
    "outside-shift": "班外收款",
    "open-shift": "未结班",
}


def settlement_lines(s: DaySettlement) -> list[tuple[str, str]]:
    """The day as label/value lines (the back office, counterctl and the slip say these)."""
    lines: list[tuple[str, str]] = [
        ("日期", s.day.isoformat()),
        ("状态", "可日结" if s.settled else "不能日结：尚有未结班次"),
        ("班外收款", "无" if s.all_in_shifts else f"{len(s.outside)} 笔，见下方差异说明"),
    ]
    for d in s.shifts:
        sh, led = d.report.shift, d.report.ledger
        state = "已结班" if d.closed else "未结班"
        counted = format_fen(sh.counted_fen) if sh.counted_fen is not None else "-"
        lines.append(
            (
                f"班次 {sh.id} {sh.counter_id} {sh.operator}",
                f"{state}；应有 {format_fen(led.expected_cash_fen)}，盲点 {counted}，"
                f"解缴 {format_fen(d.to_bank_fen)}",
            )
        )
    for c in s.channels:
        lines.append((f"收费 {c.channel}", f"{format_fen(c.amount_fen)}（{c.count} 笔）"))
    lines.append(("冲正退款", f"{format_fen(s.refunds_fen)}（{len(s.reversals)} 笔）"))
    lines.append(("备用金", format_fen(s.floats_fen)))
    lines.append(("盲点合计", format_fen(s.counted_fen)))
    lines.append(("差额合计", format_fen(s.variance_fen)))
    lines.append(("解缴银行", format_fen(s.to_bank_fen)))
    for diff in s.differences:
        lines.append(
            (
                f"{DIFFERENCE_TEXT.get(diff.kind, diff.kind)} {diff.counter_id} {diff.who}",
                f"{format_fen(diff.amount_fen)}：{diff.explanation}",
            )
        )
    return lines


_FONT = "DepositSlipCJK"
_fonts: dict[tuple[str, int], str] = {}


def _font(configured: str | None) -> str:
    path, index = find_cjk_font(configured)
    if (path, index) not in _fonts:
        name = f"{_FONT}{len(_fonts)}"
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        _fonts[(path, index)] = name
    return _fonts[(path, index)]


def _yuan(fen: int) -> str:
    """¥ with the sign in front (−¥2.00, not ¥-2.00)."""
    return f"-¥{format_fen(-fen)}" if fen < 0 else f"¥{format_fen(fen)}"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with … to ``width`` points: a long reason must not run off the page."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


SLIP_ROW_MM = 4.6
"""Height of one drawer or difference line on the slip (9 pt text)."""


def write_deposit_slip(
    s: DaySettlement,
    path: Path,
    *,
    prepared_by: str,
    hall: str = "",
    supplier: str = "",
    font_path: str | None = None,
) -> Path:
    """The deposit slip (现金缴款单) on one A5 landscape page: each drawer's cash, the total in
    figures and in capitals, and lines for the payer, the checker and the bank's stamp.

    The bank stamps one sheet, so the slip never grows a second page: when a busy day has
    more drawers or differences than the page holds, the last line of each list sums up the
    rest (其余 N 个班次 with their cash; 另有 N 条差异 — the day's report lists them all) and
    long reasons are cut to the line.
    """
    font = _font(font_path)
    width, height = landscape(A5)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(width, height), initialFontName=font)
    pdf.setTitle(f"现金缴款单 {s.day.isoformat()}")
    margin = 12 * mm
    line_width = width - 2 * margin
    y = height - margin - 4 * mm
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, y, "现金缴款单")
    y -= 8 * mm
    pdf.setFont(font, 10)
    heading = " · ".join(x for x in (supplier, hall) if x)
    if heading:
        pdf.drawCentredString(width / 2, y, heading)
        y -= 6 * mm
    pdf.drawString(margin, y, f"营业日期：{s.day.isoformat()}")
    pdf.drawRightString(width - margin, y, f"制单：{prepared_by}")
    y -= 7 * mm

    # below the lists: totals (7 + 7 + 5.5 mm), a gap and the signatures (12 mm + the line)
    footer = 7 * mm + 7 * mm + 5.5 * mm + 12 * mm
    rows = max(2, int((y - 6 * mm - footer - margin) / (SLIP_ROW_MM * mm)))
    closed = [d for d in s.shifts if d.closed]
    diffs = list(s.differences)
    diff_rows = min(len(diffs), max(rows // 3, rows - len(closed)))
    shift_rows = rows - diff_rows

    columns = (margin, margin + 24 * mm, margin + 50 * mm, margin + 80 * mm, margin + 115 * mm)
    for x, title in zip(columns, ("班次", "柜台", "柜员", "盲点现金", "解缴金额"), strict=True):
        pdf.drawString(x, y, title)
    y -= 5.5 * mm
    pdf.setFont(font, 9)
    shown = closed if len(closed) <= shift_rows else closed[: shift_rows - 1]
    for d in shown:
        sh = d.report.shift
        values = (
            str(sh.id),
            sh.counter_id,
            sh.operator,
            format_fen(int(sh.counted_fen or 0)),
            format_fen(d.to_bank_fen),
        )
        for x, value in zip(columns, values, strict=True):
            pdf.drawString(x, y, _fit(value, font, 9, 24 * mm))
        y -= SLIP_ROW_MM * mm
    rest = closed[len(shown) :]
    if rest:
        pdf.drawString(columns[0], y, f"其余{len(rest)}个班次")
        pdf.drawString(
            columns[3], y, format_fen(sum(int(d.report.shift.counted_fen or 0) for d in rest))
        )
        pdf.drawString(columns[4], y, format_fen(sum(d.to_bank_fen for d in rest)))
        y -= SLIP_ROW_MM * mm
    y -= 2 * mm
    pdf.setFont(font, 12)
    pdf.drawString(margin, y, f"解缴合计：{_yuan(s.to_bank_fen)}")
    y -= 7 * mm
    pdf.drawString(margin, y, f"大写金额：{amount_in_capitals(max(s.to_bank_fen, 0))}")
    y -= 6 * mm
    pdf.setFont(font, 10)
    pdf.drawString(
        margin, y, f"备用金留存：{_yuan(s.floats_fen)}    差额合计：{_yuan(s.variance_fen)}"
    )
    pdf.setFont(font, 9)
    listed = diffs if len(diffs) <= diff_rows else diffs[: diff_rows - 1]
    for diff in listed:
        y -= SLIP_ROW_MM * mm
        line = (
            f"{DIFFERENCE_TEXT.get(diff.kind, diff.kind)} {diff.counter_id} {diff.who} "
            f"{_yuan(diff.amount_fen)}：{diff.explanation}"
        )
        pdf.drawString(margin, y, _fit(line, font, 9, line_width))
    if len(listed) < len(diffs):
        y -= SLIP_ROW_MM * mm
        pdf.drawString(margin, y, f"另有{len(diffs) - len(listed)}条差异，见当日日结报表")
    y -= 12 * mm
    pdf.setFont(font, 10)
    for i, who in enumerate(("缴款人：", "复核人：", "银行签章：")):
        pdf.drawString(margin + i * 60 * mm, y, who + "__________")
    pdf.showPage()
    pdf.save()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path
