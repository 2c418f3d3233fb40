"""The customer archive (档案导入): the marketing system's export, checked row by row.

Pure: bytes and text in, checked rows or rejections out. The service
(`counter_app.services.archive`) reads the file, books the rows that pass in batches and
writes the rejection report; docs/archive-import.md documents the columns for the people who
produce the export.

One line is one meter of one customer, with at most one open bill of that customer (a
customer without a meter leaves the meter columns empty; a second bill is a second line with
the same customer and an empty meter). Columns are named by the header line, in English or
in the marketing system's Chinese; their order does not matter. The file is UTF-8 (with or
without BOM) or GB18030, detected from its bytes (`detect_encoding`); a line that does not
decode in the detected encoding is rejected as ``bad-encoding``.

R18 at archiving: a card meter that is collection-capable is put in ``remote`` mode unless
the export names a mode; a meter that is not collection-capable cannot be ``remote`` (R2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from counter_app.core.eligibility import PurchaseMode
from counter_app.core.money import MoneyError, parse_yuan

ENCODINGS = ("utf-8", "gb18030")
"""The encodings the export may use, in the order they are tried."""

COLUMNS: tuple[str, ...] = (
    "customer_no",
    "name",
    "address",
    "phone",
    "sms",
    "meter_address",
    "meter_no",
    "meter_customer_no",
    "meter_kind",
    "collection_capable",
    "purchase_mode",
    "purchase_count",
    "bill_period",
    "bill_issued_on",
    "bill_amount",
)
"""Every column the import understands (docs/archive-import.md describes each)."""

REQUIRED: tuple[str, ...] = ("customer_no", "name")

ALIASES: Mapping[str, str] = {
    "户号": "customer_no",
    "用户编号": "customer_no",
    "户名": "name",
    "用户名称": "name",
    "地址": "address",
    "用电地址": "address",
    "电话": "phone",
    "联系电话": "phone",
    "短信": "sms",
    "短信订阅": "sms",
    "表地址": "meter_address",
    "通信地址": "meter_address",
    "表号": "meter_no",
    "电能表资产号": "meter_no",
    "表内户号": "meter_customer_no",
    "客户编号": "meter_customer_no",
    "表类型": "meter_kind",
    "电能表类型": "meter_kind",
    "采集": "collection_capable",
    "具备采集条件": "collection_capable",
    "购电方式": "purchase_mode",
    "购电次数": "purchase_count",
    "欠费期": "bill_period",
    "电费年月": "bill_period",
    "欠费日期": "bill_issued_on",
    "出账日期": "bill_issued_on",
    "欠费金额": "bill_amount",
}
"""Chinese header names of the marketing export, mapped to the column names above."""

METER_KINDS: Mapping[str, bool] = {
    "card": True,
    "卡表": True,
    "费控卡表": True,
    "本地费控卡表": True,
    "plain": False,
    "普通表": False,
    "非费控表": False,
}
"""Meter kind as exported → is it a card meter (本地费控卡表)? Any other value is refused."""

_TRUE = frozenset({"1", "y", "yes", "true", "是"})
_FALSE = frozenset({"", "0", "n", "no", "false", "否"})
_MODES: Mapping[str, PurchaseMode] = {
    "remote": PurchaseMode.REMOTE,
    "远程": PurchaseMode.REMOTE,
    "card": PurchaseMode.CARD,
    "卡": PurchaseMode.CARD,
    "本地": PurchaseMode.CARD,
}


class RejectCode(StrEnum):
    """Why a line of the export was not imported (the rejection report's ``reason``)."""

    BAD_ENCODING = "bad-encoding"
    BAD_LINE = "bad-line"
    MISSING_FIELD = "missing-field"
    BAD_CUSTOMER_NO = "bad-customer-no"
    BAD_METER_ADDRESS = "bad-meter-address"
    BAD_METER_CUSTOMER_NO = "bad-meter-customer-no"
    UNKNOWN_METER_KIND = "unknown-meter-kind"
    BAD_FLAG = "bad-flag"
    BAD_MODE = "bad-mode"
    BAD_COUNT = "bad-count"
    BAD_BILL = "bad-bill"
    METER_ON_TWO_CUSTOMERS = "meter-on-two-customers"
    METER_NO_TAKEN = "meter-no-taken"
    CUSTOMER_CONFLICT = "customer-conflict"


class HeaderError(ValueError):
    """The header line cannot be used (missing required columns, unknown or repeated ones)."""


@dataclass(frozen=True)
class Rejection:
    """One refused line: its line number in the file (the header is line 1), why, and how.

    ``detail`` is the sentence of the rejection report (English, like its codes); the window
    shows ``template`` translated and filled with ``values``, so the sentence reaches the
    person in their language with the file's own values in it."""

    row: int
    code: RejectCode
    detail: str
    template: str = ""
    values: tuple[tuple[str, str], ...] = ()


def refusal(
    row: int, code: RejectCode, template: str, *, detail: str | None = None, **values: object
) -> Rejection:
    """A rejection whose detail is `template` filled with `values` (or `detail` when the
    report says more than the window, e.g. a parser's own message)."""
    texts = {name: str(value) for name, value in values.items()}
    return Rejection(
        row,
        code,
        template.format(**texts) if detail is None else detail,
        template,
        tuple(texts.items()),
    )


@dataclass(frozen=True)
class ArchiveMeter:
    address: str
    meter_no: str
    customer_no: str  # the 12-digit customer number held in the meter (R7c)
    is_card_meter: bool
    collection_capable: bool
    mode: PurchaseMode
    count: int  # the meter's purchase count when archived: I2 counts from count + 1


@dataclass(frozen=True)
class ArchiveBill:
    period: str
    issued_on: dt.date
    amount_fen: int


@dataclass(frozen=True)
class ArchiveRow:
    """A line that passed every check of its own (the store still checks it against others)."""

    row: int
    customer_no: str
    name: str
    address: str
    phone: str
    sms: bool
    meter: ArchiveMeter | None
    bill: ArchiveBill | None


def is_twelve_digits(text: str) -> bool:
    """A DL/T 645 address or an in-meter customer number: exactly 12 decimal digits."""
    return len(text) == 12 and text.isascii() and text.isdigit()


def detect_encoding(sample: bytes) -> str:
    """UTF-8 when every non-ASCII line of `sample` decodes as UTF-8, else GB18030.

    Decided line by line so that one stray line (a GB18030 name pasted into a UTF-8 file)
    only rejects that line: the encoding that decodes more of the non-ASCII lines wins. The
    last line of a sample may be cut in the middle of a character, so it is not counted.
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    lines = sample.split(b"\n")
    if len(lines) > 1:
        lines = lines[:-1]
    votes = {name: 0 for name in ENCODINGS}
    for raw in lines:
        if raw.isascii():
            continue
        for name in ENCODINGS:
            try:
                raw.decode(name)
            except UnicodeDecodeError:
                continue
            votes[name] += 1
    return "utf-8" if votes["utf-8"] >= votes["gb18030"] else "gb18030"


def decode_line(raw: bytes, encoding: str) -> str | None:
    """One line as text (BOM and line end removed), or None when it does not decode."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return text.rstrip("\r\n")


def map_header(fields: Sequence[str]) -> list[str]:
    """The column names of a header line (Chinese aliases mapped); `HeaderError` if unusable."""
    names: list[str] = []
    for raw in fields:
        key = raw.strip().lstrip("\ufeff")
        name = ALIASES.get(key, key.lower())
        if name not in COLUMNS:
            raise HeaderError(f"unknown column {key!r}")
        if name in names:
            raise HeaderError(f"column {name!r} appears twice")
        names.append(name)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise HeaderError(f"missing column(s): {', '.join(missing)}")
    return names


class _Reject(Exception):
    def __init__(
        self, code: RejectCode, template: str, *, detail: str | None = None, **values: object
    ) -> None:
        super().__init__(template)
        self.code = code
        self.template = template
        self.detail = detail
        self.values = values

    def at(self, row: int) -> Rejection:
        return refusal(row, self.code, self.template, detail=self.detail, **self.values)


def _flag(values: Mapping[str, str], column: str) -> bool:
    text = values.get(column, "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Reject(
        RejectCode.BAD_FLAG, "{column} must be 1 or 0, got {text!r}", column=column, text=text
    )


def _meter(values: Mapping[str, str], customer_no: str) -> ArchiveMeter | None:
    address = values.get("meter_address", "").strip()
    if not address:
        others = [c for c in ("meter_no", "meter_kind") if values.get(c, "").strip()]
        if others:
            raise _Reject(RejectCode.MISSING_FIELD, "meter_address is empty but the meter is named")
        return None
    if not is_twelve_digits(address):
        raise _Reject(
            RejectCode.BAD_METER_ADDRESS,
            "meter address {address!r} is not 12 digits",
            address=address,
        )
    meter_no = values.get("meter_no", "").strip() or address
    in_meter = values.get("meter_customer_no", "").strip() or customer_no
    if not is_twelve_digits(in_meter):
        raise _Reject(
            RejectCode.BAD_METER_CUSTOMER_NO,
            "customer number in the meter {number!r} is not 12 digits",
            number=in_meter,
        )
    kind = values.get("meter_kind", "").strip()
    if kind.lower() not in METER_KINDS and kind not in METER_KINDS:
        raise _Reject(RejectCode.UNKNOWN_METER_KIND, "unknown meter kind {kind!r}", kind=kind)
    is_card = METER_KINDS.get(kind.lower(), METER_KINDS.get(kind, False))
    capable = _flag(values, "collection_capable")
    mode_text = values.get("purchase_mode", "").strip()
    if mode_text:
        mode = _MODES.get(mode_text.lower())
        if mode is None:
            raise _Reject(
                RejectCode.BAD_MODE,
                "purchase mode must be remote or card: {mode!r}",
                mode=mode_text,
            )
        if mode is PurchaseMode.REMOTE and not (is_card and capable):
            raise _Reject(
                RejectCode.BAD_MODE,
                "remote mode needs a collection-capable card meter (R2)",
            )
    else:
        mode = archived_mode(is_card, capable)
    count_text = values.get("purchase_count", "").strip() or "0"
    if not (count_text.isascii() and count_text.isdigit()) or len(count_text) > 9:
        raise _Reject(
            RejectCode.BAD_COUNT, "purchase count {count!r} is not a whole number", count=count_text
        )
    return ArchiveMeter(address, meter_no, in_meter, is_card, capable, mode, int(count_text))


def _bill(values: Mapping[str, str], today: dt.date) -> ArchiveBill | None:
    amount_text = values.get("bill_amount", "").strip()
    period = values.get("bill_period", "").strip()
    issued_text = values.get("bill_issued_on", "").strip()
    if not amount_text:
        if period or issued_text:
            raise _Reject(RejectCode.BAD_BILL, "a bill period or date without an amount")
        return None
    try:
        amount = parse_yuan(amount_text)
    except MoneyError as exc:
        raise _Reject(
            RejectCode.BAD_BILL,
            "bill amount {amount!r} is not an amount in yuan",
            detail=f"bill amount {amount_text!r}: {exc}",
            amount=amount_text,
        ) from None
    if amount <= 0:
        raise _Reject(RejectCode.BAD_BILL, "an open bill must be above zero")
    if not period:
        raise _Reject(RejectCode.BAD_BILL, "an open bill needs its period (e.g. 2026-10)")
    if len(period) > 32:
        raise _Reject(RejectCode.BAD_BILL, "bill period longer than 32 characters")
    try:
        issued = dt.date.fromisoformat(issued_text) if issued_text else today
    except ValueError:
        raise _Reject(
            RejectCode.BAD_BILL, "bill date {date!r} is not YYYY-MM-DD", date=issued_text
        ) from None
    return ArchiveBill(period, issued, amount)


def archived_mode(is_card_meter: bool, collection_capable: bool) -> PurchaseMode:
    """R18: at archiving, a collection-capable card meter is put in remote mode."""
    return PurchaseMode.REMOTE if is_card_meter and collection_capable else PurchaseMode.CARD


def check_row(
    row: int, header: Sequence[str], fields: Sequence[str], today: dt.date
) -> ArchiveRow | Rejection:
    """Every check a line can pass on its own: field count, numbers, kinds, flags, bill."""
    if len(fields) != len(header):
        return refusal(
            row,
            RejectCode.BAD_LINE,
            "{fields} fields, the header has {header}",
            fields=len(fields),
            header=len(header),
        )
    values = dict(zip(header, fields, strict=True))
    try:
        customer_no = values["customer_no"].strip()
        name = values["name"].strip()
        if not customer_no or not name:
            raise _Reject(RejectCode.MISSING_FIELD, "customer_no and name are required")
        if not is_twelve_digits(customer_no):
            raise _Reject(
                RejectCode.BAD_CUSTOMER_NO,
                "customer number {number!r} is not 12 digits",
                number=customer_no,
            )
        address = values.get("address", "").strip()
        phone = values.get("phone", "").strip()
        if len(name) > 128 or len(address) > 255 or len(phone) > 32:
            raise _Reject(RejectCode.BAD_LINE, "name, address or phone too long")
        sms = _flag(values, "sms")
        meter = _meter(values, customer_no)
        bill = _bill(values, today)
    except _Reject as exc:
        return exc.at(row)
    return ArchiveRow(row, customer_no, name, address, phone, sms, meter, bill)


@dataclass
class FileChecker:
    """Checks across the lines of one file: the same meter on two customers, a meter number
    on two meters, one customer under two names. The first line wins; later ones are refused.
    """

    meter_owner: dict[str, tuple[str, int]]
    meter_no_owner: dict[str, tuple[str, int]]
    customer_name: dict[str, tuple[str, int]]

    @classmethod
    def new(cls) -> FileChecker:
        return cls({}, {}, {})

    def check(self, row: ArchiveRow) -> Rejection | None:
        seen = self.customer_name.get(row.customer_no)
        if seen is not None and seen[0] != row.name:
            return refusal(
                row.row,
                RejectCode.CUSTOMER_CONFLICT,
                "customer {customer} is {name!r} on line {line}",
                customer=row.customer_no,
                name=seen[0],
                line=seen[1],
            )
        if row.meter is not None:
            owner = self.meter_owner.get(row.meter.address)
            if owner is not None and owner[0] != row.customer_no:
                return refusal(
                    row.row,
                    RejectCode.METER_ON_TWO_CUSTOMERS,
                    "meter {meter} is on customer {customer} on line {line}",
                    meter=row.meter.address,
                    customer=owner[0],
                    line=owner[1],
                )
            no_owner = self.meter_no_owner.get(row.meter.meter_no)
            if no_owner is not None and no_owner[0] != row.meter.address:
                return refusal(
                    row.row,
                    RejectCode.METER_NO_TAKEN,
                    "meter number {number} is meter {meter} on line {line}",
                    number=row.meter.meter_no,
                    meter=no_owner[0],
                    line=no_owner[1],
                )
        self.customer_name.setdefault(row.customer_no, (row.name, row.row))
        if row.meter is not None:
            self.meter_owner.setdefault(row.meter.address, (row.customer_no, row.row))
            self.meter_no_owner.setdefault(row.meter.meter_no, (row.meter.address, row.row))
        return None


def rejection_lines(rejections: Iterable[Rejection]) -> list[list[str]]:
    """The rejection report as CSV rows (header first): line, reason, detail."""
    return [["row", "reason", "detail"]] + [
        [str(r.row), r.code.value, r.detail] for r in rejections
    ]
