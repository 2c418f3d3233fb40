"""Bank collection (银行代收): importing a bank's daily file, and a bank's reversal (代收冲正).

Import (`BankCollectionService.import_file`):

1. the file is parsed and checked as a whole (`core.bank_file`): a file without its header or
   trailer is refused and nothing is booked (`BankFileRefused`, naming the line and field);
2. an import record is written (who, when, which file, its header and trailer);
3. the good lines are booked in batches through R1–R6 (`services.channel_booking`, channel
   ``bank``), each batch one transaction; a line whose serial is already booked is a
   duplicate (importing the same file twice books nothing twice); an unknown customer or a
   serial booked for another customer or amount is rejected;
4. every line not booked is kept with its line number and reason (`BankImportLine`); the
   report lists them, and the rest of the file is booked.

Remote purchases are left ``created``: the dispatch tasks are queued for the dispatcher
(`counterctl resume`, the counter-server's worker) and never sent inside a booking.

A bank's reversal names the bank serial of the payment and its own reversal serial. It
follows R15/R16 by the purchase's dispatch state (`ReversalService.reverse_authorized`), and
like the bank systems of INTEGRATION.md only on the payment's own accounting day: a later
difference is a single-sided account for the reconciliation (R17).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.core.bank_file import (
    BankFile,
    BankFileError,
    LineCode,
    LineProblem,
    decode,
    parse_bank_file,
)
from counter_app.core.channels import Channel
from counter_app.services import audit, auth
from counter_app.services.channel_booking import (
    BookingStatus,
    ChannelPaymentRequest,
    book_channel_payments,
)
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService
from counter_app.services.errors import InvalidInput, ReversalRefused, ServiceError
from counter_app.services.reversals import ReversalOutcome, ReversalService
from counter_app.store.bulk import bulk_insert
from counter_app.store.database import write_transaction
from counter_app.store.models import BankImport, BankImportLine, ChannelPayment

BATCH_LINES = 5000
"""Lines booked per transaction: large enough for speed, small enough that a counter paying
one of these customers waits a second or two at most for the lock."""


class BankFileRefused(ServiceError):
    """The bank file as a whole cannot be imported; nothing was booked."""

    code = "bank-file-refused"

    def __init__(self, line_no: int, field: str, detail: str) -> None:
        where = f"line {line_no}" if line_no else "file"
        super().__init__(
            f"bank file refused ({where}, {field}): {detail}",
            line_no=line_no,
            field=field,
            detail=detail,
        )
        self.line_no = line_no
        self.field = field
        self.detail = detail


class ChannelReversalRefused(ServiceError):
    """A channel's reversal cannot be done: no such serial (704), not the same day (707),
    already reversed under another reversal serial, or R15/R16 refused it."""

    code = "channel-reversal-refused"

    def __init__(self, serial: str, refusal: str, detail: str) -> None:
        super().__init__(
            f"reversal of serial {serial} refused ({refusal}): {detail}",
            serial=serial,
            refusal=refusal,
            detail=detail,
        )
        self.serial = serial
        self.refusal = refusal
        self.detail = detail


@dataclass(frozen=True)
class ImportReport:
    """What one import did: the header and trailer, the counts and every line not booked."""

    import_id: int
    bank_id: str
    business_date: dt.date
    file_name: str
    detail_lines: int
    booked_count: int
    booked_fen: int
    duplicate_count: int
    rejected_count: int
    purchases_queued: int
    rejected: tuple[LineProblem, ...]
    duplicates: tuple[LineProblem, ...]

    def explain(self) -> list[str]:
        lines = [
            f"bank {self.bank_id} file of {self.business_date}: {self.detail_lines} lines; "
            f"booked {self.booked_count} ({self.booked_fen} fen, {self.purchases_queued} "
            f"dispatch tasks queued), already booked {self.duplicate_count}, "
            f"rejected {self.rejected_count} (import {self.import_id})"
        ]
        lines += [f"  {p}" for p in self.rejected]
        return lines


@dataclass(frozen=True)
class ChannelReversal:
    """A channel's reversal: the serials, and what R15 did (or the first answer again)."""

    channel: str
    source: str
    serial: str
    reversal_serial: str
    repeated: bool
    outcome: ReversalOutcome | None

    def explain(self) -> list[str]:
        if self.repeated or self.outcome is None:
            return [f"serial {self.serial} was already reversed by {self.reversal_serial}"]
        return self.outcome.explain()


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bank_file(data: bytes) -> BankFile:
    """Decode and parse a bank file; `BankFileRefused` when it cannot be used at all."""
    try:
        return parse_bank_file(decode(data))
    except BankFileError as exc:
        raise BankFileRefused(exc.line_no, exc.field, exc.detail) from None


def _requests(parsed: BankFile) -> list[ChannelPaymentRequest]:
    return [
        ChannelPaymentRequest(
            channel=Channel.BANK,
            source=parsed.bank_id,
            serial=line.serial,
            customer_no=line.customer_no,
            amount_fen=line.amount_fen,
            business_date=parsed.business_date,
            channel_time=line.paid_at,
            agency=line.agency,
            channel_operator=line.operator,
            line_no=line.line_no,
        )
        for line in parsed.lines
    ]


ImportRow = BankImport
"""One imported bank file as the back office lists it (the stored record, read only)."""

ImportLineRow = BankImportLine
"""One line of an imported bank file that was not booked (the stored record, read only)."""


class BankCollectionService:
    """Bank files in, payments booked (R1–R6, R5); a bank's reversal (R15/R16)."""

    def __init__(
        self,
        ctx: ServiceContext,
        reversals: ReversalService | None = None,
        *,
        batch_lines: int = BATCH_LINES,
    ) -> None:
        self.ctx = ctx
        self.reversals = reversals or ReversalService(ctx, DispatchService(ctx))
        self.batch_lines = batch_lines

    def import_file(self, path: Path | str, *, operator: str) -> ImportReport:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput("file", f"{path}: {exc.strerror or exc}") from None
        return self.import_bytes(data, file_name=path.name, operator=operator)

    def import_bytes(self, data: bytes, *, file_name: str, operator: str) -> ImportReport:
        """Import one bank file (see the module docstring). `operator` needs the
        bank-collection action (supervisors)."""
        auth.require(auth.get_user(operator), auth.Action.BANK_COLLECTION)
        parsed = read_bank_file(data)
        now = self.ctx.clock.now()
        with write_transaction():
            record = BankImport.create(
                bank_id=parsed.bank_id,
                business_date=parsed.business_date,
                file_name=file_name[:255],
                file_sha256=file_digest(data),
                trailer_count=parsed.trailer_count,
                trailer_total_fen=parsed.trailer_total_fen,
                detail_lines=parsed.detail_count,
                operator=operator,
                counter_id=self.ctx.counter_id,
                started_at=now,
            )
            audit.record(
                operator,
                self.ctx.counter_id,
                "bank-import-start",
                "bank-import",
                record.id,
                after={
                    "bank_id": parsed.bank_id,
                    "business_date": str(parsed.business_date),
                    "file": file_name,
                    "lines": parsed.detail_count,
                    "trailer_count": parsed.trailer_count,
                    "trailer_total_fen": parsed.trailer_total_fen,
                },
            )
        requests = _requests(parsed)
        rejected: list[LineProblem] = list(parsed.problems)
        duplicates: list[LineProblem] = list(parsed.duplicates)
        booked = booked_fen = queued = 0
        raw_by_line = {line.line_no: line for line in parsed.lines}
        for start in range(0, len(requests), self.batch_lines):
            batch = requests[start : start + self.batch_lines]
            with write_transaction():
                results = book_channel_payments(
                    self.ctx, batch, actor=operator, bank_import_id=int(record.id)
                )
                rows: list[dict[str, Any]] = []
                for result in results:
                    line_no = int(result.request.line_no or 0)
                    if result.status is BookingStatus.BOOKED:
                        booked += 1
                        booked_fen += result.request.amount_fen
                        queued += result.purchase_id is not None
                        continue
                    problem = LineProblem(
                        line_no,
                        LineCode(str(result.code)),
                        result.detail,
                        result.request.serial,
                        _raw(raw_by_line.get(line_no)),
                    )
                    if result.status is BookingStatus.DUPLICATE:
                        duplicates.append(problem)
                    else:
                        rejected.append(problem)
                    rows.append(_line_row(int(record.id), problem, str(result.status)))
                bulk_insert(BankImportLine, rows)
        with write_transaction():
            parsed_rows = [_line_row(int(record.id), p, "rejected") for p in parsed.problems]
            parsed_rows += [_line_row(int(record.id), p, "duplicate") for p in parsed.duplicates]
            bulk_insert(BankImportLine, parsed_rows)
            BankImport.update(
                booked_count=booked,
                booked_fen=booked_fen,
                duplicate_count=len(duplicates),
                rejected_count=len(rejected),
                finished_at=self.ctx.clock.now(),
            ).where(BankImport.id == record.id).execute()
            audit.record(
                operator,
                self.ctx.counter_id,
                "bank-import-done",
                "bank-import",
                record.id,
                after={
                    "booked": booked,
                    "booked_fen": booked_fen,
                    "duplicates": len(duplicates),
                    "rejected": len(rejected),
                    "purchases_queued": queued,
                },
            )
        rejected.sort(key=lambda p: p.line_no)
        duplicates.sort(key=lambda p: p.line_no)
        return ImportReport(
            import_id=int(record.id),
            bank_id=parsed.bank_id,
            business_date=parsed.business_date,
            file_name=file_name,
            detail_lines=parsed.detail_count,
            booked_count=booked,
            booked_fen=booked_fen,
            duplicate_count=len(duplicates),
            rejected_count=len(rejected),
            purchases_queued=queued,
            rejected=tuple(rejected),
            duplicates=tuple(duplicates),
        )

    def imports(self, limit: int = 100) -> list[ImportRow]:
        """The latest imports, newest first (for the back office)."""
        return list(BankImport.select().order_by(BankImport.id.desc()).limit(limit))

    def import_lines(self, import_id: int) -> list[ImportLineRow]:
        """The lines of an import that were not booked, by line number."""
        query = BankImportLine.select().where(BankImportLine.bank_import == import_id)
        return list(query.order_by(BankImportLine.line_no))

    # -- reversal ----------------------------------------------------------------------------
    def reverse(
        self,
        bank_id: str,
        serial: str,
        reversal_serial: str,
        *,
        reason: str,
        operator: str,
        today: dt.date | None = None,
    ) -> ChannelReversal:
        """A bank's reversal (代收冲正) of its payment `serial` (see the module docstring)."""
        auth.require(auth.get_user(operator), auth.Action.BANK_COLLECTION)
        return reverse_channel_payment(
            self.ctx,
            self.reversals,
            Channel.BANK,
            bank_id,
            serial,
            reversal_serial,
            reason=reason,
            operator=operator,
            today=today,
        )


def _raw(line: Any) -> str:
    if line is None:
        return ""
    return (
        f"D,{line.serial},{line.customer_no},{line.amount_fen},"
        f"{line.paid_at:%Y%m%d%H%M%S},{line.agency},{line.operator}"
    )


def _line_row(import_id: int, problem: LineProblem, status: str) -> dict[str, Any]:
    return {
        "bank_import": import_id,
        "line_no": problem.line_no,
        "status": status,
        "code": problem.code.value,
        "detail": problem.detail,
        "serial": problem.serial[:64],
        "raw_text": problem.raw[:500],
    }


def reverse_channel_payment(
    ctx: ServiceContext,
    reversals: ReversalService,
    channel: Channel,
    source: str,
    serial: str,
    reversal_serial: str,
    *,
    reason: str,
    operator: str,
    today: dt.date | None = None,
    same_day: bool = True,
    authority: str | None = None,
) -> ChannelReversal:
    """Reverse a channel's payment by its serial, idempotent on the reversal serial.

    Refusals (each a `ChannelReversalRefused`, nothing changed): no such serial
    (``no-record``, the seed's 704), another day's payment (``not-today``, 707: cross-day
    differences go through the reconciliation, R17), already reversed by another reversal
    serial, and every R15/R16 refusal (an unresolved dispatch or card write). The same
    reversal serial again returns the first answer (``repeated``). `authority` is who
    allowed it (default: the channel itself; a reconciliation's supervisor, R17).
    """
    if not reversal_serial.strip() or not reason.strip():
        raise InvalidInput("reversal", "a reversal needs its own serial and a reason")
    row = ChannelPayment.get_or_none(
        (ChannelPayment.channel == Channel(channel).value)
        & (ChannelPayment.source == source)
        & (ChannelPayment.serial == serial)
    )
    if row is None:
        raise ChannelReversalRefused(serial, "no-record", f"no {channel} payment {source}/{serial}")
    if row.reversal_serial is not None:
        if row.reversal_serial == reversal_serial:
            return ChannelReversal(channel, source, serial, reversal_serial, True, None)
        raise ChannelReversalRefused(
            serial, "already-reversed", f"already reversed by {row.reversal_serial}"
        )
    day = today or ctx.clock.today()
    if same_day and row.business_date != day:
        raise ChannelReversalRefused(
            serial,
            "not-today",
            f"the payment is of {row.business_date}; only the same day's payments are reversed "
            "this way (later: reconciliation)",
        )
    now = ctx.clock.now()

    def mark(_: ReversalOutcome) -> None:
        ChannelPayment.update(reversal_serial=reversal_serial, reversed_at=now).where(
            ChannelPayment.id == row.id
        ).execute()

    try:
        outcome = reversals.reverse_authorized(
            int(row.payment_id),
            operator=operator,
            authority=authority or f"{Channel(channel).value}:{source}",
            reason=f"{reason} (reversal {reversal_serial})",
            counter_id=source,
            on_booked=mark,
        )
    except ReversalRefused as exc:
        raise ChannelReversalRefused(serial, exc.refusal, exc.detail) from None
    return ChannelReversal(channel, source, serial, reversal_serial, False, outcome)
