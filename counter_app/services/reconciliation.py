"""Reconciliation (对账) of a bank's statement for one day, and its sign-off (R17).

`prepare` reads the bank's file for a past day, compares it with our bank payments of that
day (`core.reconciliation.compare`) and stores the report: bank-only lines to book or refuse,
ours-only payments to reverse (R15 by dispatch state) or hold (R16), differences to hold.
**Nothing is booked or reversed then.** The report is printed (PDF, with the receipts' embedded
CJK font) and exported (CSV) for the supervisor.

`sign_off` takes the supervisor's own credentials (never the preparer's), and only then
applies the actions: bank-only lines are booked through R1–R6 (`channel_booking`, channel
``bank``, idempotent on the serial), ours-only payments are reversed through
`ReversalService.reverse_authorized` with the supervisor as the authority (idempotent on the
reversal serial ``R17-<reconciliation id>``). A payment whose purchase changed state since the
report (now dispatching) is held, with the reason, instead of guessed at (R16). Every step is
audited (I3).

Refusals carry the bank systems' numbers (`core.channel_codes`, in
`ReconciliationRefused.bank_code`): 703 a reconciliation of this day is being signed off,
706 this day is already reconciled, 707 only past days can be reconciled.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from counter_app.core.channel_codes import channel_code
from counter_app.core.channels import Channel
from counter_app.core.purchase_state import PurchaseState
from counter_app.core.reconciliation import (
    BookedPayment,
    ItemAction,
    StatementLine,
    compare,
)
from counter_app.services import audit, auth
from counter_app.services.bank import (
    ChannelReversalRefused,
    file_digest,
    read_bank_file,
    reverse_channel_payment,
)
from counter_app.services.channel_booking import (
    BookingStatus,
    ChannelPaymentRequest,
    book_channel_payments,
)
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService
from counter_app.services.errors import InvalidInput, ServiceError
from counter_app.services.receipts import find_cjk_font, format_fen
from counter_app.services.reversals import ReversalService
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import (
    ChannelPayment,
    Customer,
    Payment,
    Purchase,
    Reconciliation,
    ReconciliationState,
)

SIGNING = "signing"
"""State while the actions of a signed-off report are applied (a crash leaves it here; signing
off again finishes the work, every action being idempotent)."""


class ReconciliationRefused(ServiceError):
    code = "reconciliation-refused"

    def __init__(self, refusal: str, detail: str) -> None:
        bank_code = channel_code(refusal)
        super().__init__(
            f"reconciliation refused ({refusal}): {detail}",
            refusal=refusal,
            bank_code=bank_code,
            detail=detail,
        )
        self.refusal = refusal
        self.bank_code = bank_code
        self.detail = detail


@dataclass(frozen=True)
class ReconciliationReport:
    """A stored reconciliation: its figures and items (dicts: kind, action, serial, ...)."""

    id: int
    bank_id: str
    business_date: dt.date
    state: str
    file_name: str
    bank_count: int
    bank_total_fen: int
    ours_count: int
    ours_total_fen: int
    matched_count: int
    items: tuple[dict[str, Any], ...]
    prepared_by: str
    prepared_at: dt.datetime
    signed_by: str | None
    signed_at: dt.datetime | None

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i["action"] == action)

    def explain(self) -> list[str]:
        lines = [
            f"reconciliation {self.id} of bank {self.bank_id} for {self.business_date} "
            f"({self.state}): statement {self.bank_count} lines {format_fen(self.bank_total_fen)}"
            f" yuan, our books {self.ours_count} {format_fen(self.ours_total_fen)} yuan, "
            f"matched {self.matched_count}"
        ]
        for i in self.items:
            done = f" -> {i['outcome']}" if i.get("outcome") else ""
            lines.append(
                f"  {i['kind']} {i['action']} serial {i['serial']} customer {i['customer_no']} "
                f"{format_fen(int(i['amount_fen']))}: {i['reason']}{done}"
            )
        if self.state == ReconciliationState.PREPARED:
            lines.append("nothing is booked or reversed until a supervisor signs it off")
        return lines


def _report(row: Reconciliation) -> ReconciliationReport:
    return ReconciliationReport(
        id=int(row.id),
        bank_id=str(row.bank_id),
        business_date=row.business_date,
        state=str(row.state),
        file_name=str(row.file_name),
        bank_count=int(row.bank_count),
        bank_total_fen=int(row.bank_total_fen),
        ours_count=int(row.ours_count),
        ours_total_fen=int(row.ours_total_fen),
        matched_count=int(row.matched_count),
        items=tuple(row.items or ()),
        prepared_by=str(row.prepared_by),
        prepared_at=row.prepared_at,
        signed_by=row.signed_by,
        signed_at=row.signed_at,
    )


def _ours(bank_id: str, day: dt.date) -> list[BookedPayment]:
    query = (
        ChannelPayment.select(ChannelPayment, Payment)
        .join(Payment)
        .where(
            (ChannelPayment.channel == Channel.BANK.value)
            & (ChannelPayment.source == bank_id)
            & (ChannelPayment.business_date == day)
        )
    )
    rows = list(query)
    states: dict[int, str] = {}
    ids = [int(r.payment_id) for r in rows]
    for start in range(0, len(ids), 500):
        purchases = Purchase.select(Purchase.payment, Purchase.state, Purchase.id).where(
            Purchase.payment.in_(ids[start : start + 500])
        )
        for p in purchases.order_by(Purchase.id):
            states[int(p.payment_id)] = str(p.state)
    return [
        BookedPayment(
            serial=str(r.serial),
            customer_no=str(r.customer_no),
            amount_fen=int(r.amount_fen),
            payment_id=int(r.payment_id),
            receipt_no=str(r.payment.receipt_no),
            reversed=bool(r.payment.reversed),
            purchase_state=(
                PurchaseState(states[int(r.payment_id)]) if int(r.payment_id) in states else None
            ),
        )
        for r in rows
    ]


class ReconciliationService:
    """Prepare, show, export and sign off the reconciliation of a bank's day (R17)."""

    def __init__(self, ctx: ServiceContext, reversals: ReversalService | None = None) -> None:
        self.ctx = ctx
        self.reversals = reversals or ReversalService(ctx, DispatchService(ctx))

    def prepare_file(
        self, path: Path | str, business_date: dt.date, *, operator: str
    ) -> ReconciliationReport:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput("file", f"{path}: {exc.strerror or exc}") from None
        return self.prepare(data, business_date, file_name=path.name, operator=operator)

    def prepare(
        self, data: bytes, business_date: dt.date, *, file_name: str, operator: str
    ) -> ReconciliationReport:
        """Compare the statement with our books and store the report; changes no money."""
        auth.require(auth.get_user(operator), auth.Action.RECONCILE)
        if business_date >= self.ctx.clock.today():
            raise ReconciliationRefused(
                "not-a-past-day", f"{business_date}: only past days can be reconciled"
            )
        parsed = read_bank_file(data)
        if parsed.business_date != business_date:
            raise InvalidInput(
                "date",
                f"the file is bank {parsed.bank_id}'s statement of {parsed.business_date}, "
                f"not of {business_date}",
            )
        statement = [
            StatementLine(line.line_no, line.serial, line.customer_no, line.amount_fen)
            for line in parsed.lines
        ]
        numbers = sorted({line.customer_no for line in statement})
        known: set[str] = set()
        for start in range(0, len(numbers), 500):
            query = Customer.select(Customer.customer_no).where(
                Customer.customer_no.in_(numbers[start : start + 500])
            )
            known.update(str(c.customer_no) for c in query)
        ours = _ours(parsed.bank_id, business_date)
        unusable = [(p.line_no, p.serial, str(p)) for p in parsed.problems]
        result = compare(statement, ours, frozenset(known), unusable)
        items = [
            {
                "kind": i.kind.value,
                "action": i.action.value,
                "serial": i.serial,
                "customer_no": i.customer_no,
                "amount_fen": i.amount_fen,
                "reason": i.reason,
                "line_no": i.line_no,
                "payment_id": i.payment_id,
                "receipt_no": i.receipt_no,
                "outcome": None,
            }
            for i in result.items
        ]
        live = [p for p in ours if not p.reversed]
        with write_transaction():
            previous = locked(
                Reconciliation.select().where(
                    (Reconciliation.bank_id == parsed.bank_id)
                    & (Reconciliation.business_date == business_date)
                    & (Reconciliation.state != ReconciliationState.CANCELLED)
                )
            ).first()
            if previous is not None:
                if previous.state == ReconciliationState.SIGNED_OFF:
                    raise ReconciliationRefused(
                        "already-done",
                        f"bank {parsed.bank_id} {business_date} was reconciled "
                        f"(report {previous.id}, signed off by {previous.signed_by})",
                    )
                if previous.state == SIGNING:
                    raise ReconciliationRefused(
                        "in-progress",
                        f"report {previous.id} is being signed off; sign it off again to finish",
                    )
                previous.state = ReconciliationState.CANCELLED
                previous.save()
                audit.record(
                    operator,
                    self.ctx.counter_id,
                    "reconciliation-superseded",
                    "reconciliation",
                    previous.id,
                    before={"state": ReconciliationState.PREPARED},
                    after={"state": ReconciliationState.CANCELLED},
                )
            row = Reconciliation.create(
                bank_id=parsed.bank_id,
                business_date=business_date,
                state=ReconciliationState.PREPARED,
                file_name=file_name[:255],
                file_sha256=file_digest(data),
                bank_count=len(statement),
                bank_total_fen=sum(line.amount_fen for line in statement),
                ours_count=len(live),
                ours_total_fen=sum(p.amount_fen for p in live),
                matched_count=result.matched,
                items=items,
                prepared_by=operator,
                prepared_at=self.ctx.clock.now(),
                counter_id=self.ctx.counter_id,
            )
            audit.record(
                operator,
                self.ctx.counter_id,
                "reconciliation-prepared",
                "reconciliation",
                row.id,
                after={
                    "bank_id": parsed.bank_id,
                    "business_date": str(business_date),
                    "matched": result.matched,
                    "book": sum(1 for i in items if i["action"] == ItemAction.BOOK),
                    "reverse": sum(1 for i in items if i["action"] == ItemAction.REVERSE),
                    "refuse": sum(1 for i in items if i["action"] == ItemAction.REFUSE),
                    "hold": sum(1 for i in items if i["action"] == ItemAction.HOLD),
                },
            )
        return _report(row)

    def get(self, reconciliation_id: int) -> ReconciliationReport:
        row = Reconciliation.get_or_none(Reconciliation.id == reconciliation_id)
        if row is None:
            raise InvalidInput("reconciliation", f"there is no reconciliation {reconciliation_id}")
        return _report(row)

    def recent(self, limit: int = 50) -> list[ReconciliationReport]:
        query = Reconciliation.select().order_by(Reconciliation.id.desc()).limit(limit)
        return [_report(r) for r in query]

    def sign_off(
        self,
        reconciliation_id: int,
        *,
        operator: str,
        supervisor: str,
        supervisor_password: str,
    ) -> ReconciliationReport:
        """R17: the supervisor's own credentials, then the report's actions (module doc)."""
        sup = auth.authorize_supervisor_for(
            operator,
            supervisor,
            supervisor_password,
            auth.Action.SIGN_OFF_RECONCILIATION,
            counter_id=self.ctx.counter_id,
        )
        with write_transaction():
            row = locked(
                Reconciliation.select().where(Reconciliation.id == reconciliation_id)
            ).first()
            if row is None:
                raise InvalidInput(
                    "reconciliation", f"there is no reconciliation {reconciliation_id}"
                )
            if row.state == ReconciliationState.SIGNED_OFF:
                raise ReconciliationRefused(
                    "already-done", f"report {row.id} was signed off by {row.signed_by}"
                )
            if row.state == ReconciliationState.CANCELLED:
                raise ReconciliationRefused(
                    "superseded", f"report {row.id} was replaced by a newer one"
                )
            row.state = SIGNING
            row.signed_by = sup.username
            row.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "reconciliation-sign-off",
                "reconciliation",
                row.id,
                after={"supervisor": sup.username},
            )
        items = [dict(i) for i in row.items or ()]
        self._book_bank_only(row, items, operator)
        self._reverse_ours_only(row, items, operator, sup.username)
        with write_transaction():
            row.items = items
            row.state = ReconciliationState.SIGNED_OFF
            row.signed_at = self.ctx.clock.now()
            row.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "reconciliation-applied",
                "reconciliation",
                row.id,
                after={
                    "supervisor": sup.username,
                    "outcomes": [
                        {"serial": i["serial"], "action": i["action"], "outcome": i["outcome"]}
                        for i in items
                        if i["action"] in (ItemAction.BOOK, ItemAction.REVERSE)
                    ],
                },
            )
        return _report(row)

    def _book_bank_only(self, row: Reconciliation, items: list[dict[str, Any]], actor: str) -> None:
        todo = [i for i in items if i["action"] == ItemAction.BOOK]
        requests = [
            ChannelPaymentRequest(
                channel=Channel.BANK,
                source=str(row.bank_id),
                serial=str(i["serial"]),
                customer_no=str(i["customer_no"]),
                amount_fen=int(i["amount_fen"]),
                business_date=row.business_date,
                line_no=i.get("line_no"),
            )
            for i in todo
        ]
        if not requests:
            return
        results = book_channel_payments(self.ctx, requests, actor=actor)
        for item, result in zip(todo, results, strict=True):
            if result.status is BookingStatus.BOOKED:
                item["outcome"] = f"booked: receipt {result.receipt_no}"
                item["payment_id"] = result.payment_id
            elif result.status is BookingStatus.DUPLICATE:
                item["outcome"] = f"already booked: receipt {result.receipt_no}"
            else:
                item["outcome"] = f"not booked: {result.detail}"

    def _reverse_ours_only(
        self, row: Reconciliation, items: list[dict[str, Any]], operator: str, supervisor: str
    ) -> None:
        for item in items:
            if item["action"] != ItemAction.REVERSE:
                continue
            try:
                done = reverse_channel_payment(
                    self.ctx,
                    self.reversals,
                    Channel.BANK,
                    str(row.bank_id),
                    str(item["serial"]),
                    f"R17-{row.id}",
                    reason=f"R17 reconciliation {row.id}: not on the bank's statement",
                    operator=operator,
                    same_day=False,
                    authority=supervisor,
                )
            except ChannelReversalRefused as exc:
                item["outcome"] = f"held: {exc.refusal}: {exc.detail}"
                continue
            if done.outcome is None:
                item["outcome"] = "already reversed"
            else:
                item["outcome"] = (
                    f"reversed ({done.outcome.case}), refund {format_fen(done.outcome.refund_fen)}"
                )


# -- the report as CSV and PDF ---------------------------------------------------------------

CSV_COLUMNS = (
    "kind",
    "action",
    "serial",
    "customer_no",
    "amount_fen",
    "line_no",
    "receipt_no",
    "reason",
    "outcome",
)

KIND_TEXT = {
    "bank-only": "银行单边 bank only",
    "ours-only": "系统单边 ours only",
    "differs": "不符 differs",
}
ACTION_TEXT = {
    "book": "补记 book",
    "refuse": "拒绝 refuse",
    "reverse": "冲正 reverse",
    "hold": "挂起 hold",
}


def report_csv(report: ReconciliationReport) -> str:
    """The report as CSV: a summary line, then one line per item."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "reconciliation",
            report.id,
            "bank",
            report.bank_id,
            "date",
            report.business_date.isoformat(),
            "state",
            report.state,
            "matched",
            report.matched_count,
        ]
    )
    writer.writerow(CSV_COLUMNS)
    for item in report.items:
        writer.writerow([item.get(c) if item.get(c) is not None else "" for c in CSV_COLUMNS])
    return out.getvalue()


def write_report_csv(report: ReconciliationReport, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_csv(report), encoding="utf-8-sig")  # BOM: Excel reads it as UTF-8
    return path


_FONT_NAME = "ReconciliationCJK"
_registered: dict[tuple[str, int], str] = {}


def _font(configured: str | None) -> str:
    path, index = find_cjk_font(configured)
    key = (path, index)
    if key not in _registered:
        name = f"{_FONT_NAME}{len(_registered)}"
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        _registered[key] = name
    return _registered[key]


def render_report_pdf(report: ReconciliationReport, *, font_path: str | None = None) -> bytes:
    """The report as PDF (A4, embedded CJK font like the receipts), with a sign-off box."""
    font = _font(font_path)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    pdf.setTitle(f"Reconciliation {report.id} {report.bank_id} {report.business_date}")
    width, height = float(A4[0]), float(A4[1])
    unit = float(mm)
    left, right = 15 * unit, width - 15 * unit
    y = height - 20 * unit

    def line(text: str, size: float = 10, step: float = 6.0) -> None:
        nonlocal y
        if y < 25 * unit:
            pdf.showPage()
            y = height - 20 * unit
        pdf.setFont(font, size)
        pdf.drawString(left, y, text)
        y -= step * unit

    line("银行代收对账单 Bank reconciliation", 15, 10)
    line(f"对账编号 Report: {report.id}    状态 State: {report.state}")
    line(f"银行 Bank: {report.bank_id}    账务日期 Date: {report.business_date}")
    line(f"对账文件 File: {report.file_name}")
    line(
        f"银行 Statement: {report.bank_count} 笔 / ¥{format_fen(report.bank_total_fen)}    "
        f"系统 Ours: {report.ours_count} 笔 / ¥{format_fen(report.ours_total_fen)}"
    )
    line(f"相符 Matched: {report.matched_count}    单边及不符 Items: {len(report.items)}", step=9)
    line("类型 Kind / 处理 Action / 流水号 Serial / 户号 Customer / 金额 Amount", 9.5, 6)
    for item in report.items:
        line(
            f"{KIND_TEXT.get(item['kind'], item['kind'])} | "
            f"{ACTION_TEXT.get(item['action'], item['action'])} | {item['serial']} | "
            f"{item['customer_no']} | ¥{format_fen(int(item['amount_fen']))}",
            9,
            5,
        )
        line(f"    {item['reason']}"[:110], 8, 5)
        if item.get("outcome"):
            line(f"    结果 Outcome: {item['outcome']}"[:110], 8, 5)
    y -= 6 * unit
    line(f"编制 Prepared by: {report.prepared_by}  {report.prepared_at:%Y-%m-%d %H:%M}", 10, 8)
    if report.signed_by and report.signed_at:
        line(f"审核签字 Signed off by: {report.signed_by}  {report.signed_at:%Y-%m-%d %H:%M}")
    else:
        line("审核签字 Supervisor sign-off: ______________________  日期 Date: __________")
        line("签字前不做任何补记或冲正 Nothing is booked or reversed before the sign-off.", 9)
    pdf.drawRightString(right, 12 * unit, f"{report.bank_id} {report.business_date}")
    pdf.save()
    return buffer.getvalue()


def write_report_pdf(
    report: ReconciliationReport, path: Path, *, font_path: str | None = None
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_report_pdf(report, font_path=font_path))
    return path
