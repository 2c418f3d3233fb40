"""A simulated State Grid local cost-control meter (Q/GDW 364 as summarised by R21).

It keeps the money register and the ESAM wallet as one balance in fen, deducts
consumption × tariff (R21), counts overdraft below zero, trips the relay when the overdraft
passes its limit, loads purchases overdraft-first and closes the relay again, and refuses a
purchase over the hoarding limit. Remote recharge (070102FF) is checked in the order of
DLT645 notes §4.2. The attribute names below are a contract: the card library's "meter
meets card" function acts on them structurally (it never imports this package).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .. import sm4_scheme as scheme
from ..dlt645 import data_ids as d
from ..dlt645.bcd import digits_to_bcd_le
from ..dlt645.codes import (
    BROADCAST_ADDRESS,
    ErrFlag,
    Function,
    SerrFlag,
)
from ..dlt645.commands import (
    PASSWORD_LEVEL_CIPHER,
    RelayCommand,
    RelayPlaintext,
    parse_time_field,
    password_text,
)
from ..dlt645.errors import FrameError
from ..dlt645.frame import Frame, address_matches, di_bytes
from ..dlt645.security_payloads import (
    DI_ACCOUNT_OPENING,
    DI_END_SESSION,
    DI_IDENTITY_AUTHENTICATION,
    DI_RECHARGE,
    DI_STATUS_QUERY,
    AuthReply,
    AuthRequest,
    RechargeRequest,
    StatusReply,
)
from .esam import Esam, EsamSession

MAX_PURCHASE_RECORDS = 10
MAC_ERRORS_BEFORE_SUSPEND = 200
BROADCAST_TIME_WINDOW = timedelta(minutes=5)
# Read-type 03H commands a meter accepts at the AA wildcard address (DLT645 notes §1.2).
WILDCARD_SECURITY_DIS = frozenset({DI_IDENTITY_AUTHENTICATION, DI_END_SESSION, DI_STATUS_QUERY})
# Every 03H command this meter knows; any other DI is SERR 0x0001 (DLT645 notes §3.2).
SECURITY_DIS = WILDCARD_SECURITY_DIS | {DI_RECHARGE, DI_ACCOUNT_OPENING}


class _Refusal(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass(slots=True)
class PurchaseRecord:
    """One purchase event record (DI 0333xx01…0A)."""

    at: str  # YYMMDDhhmm
    amount_fen: int
    balance_before_fen: int
    balance_after_fen: int
    cumulative_fen: int
    count: int


@dataclass(eq=False)
class SimulatedMeter:
    """One meter on the simulated bus. Money in fen; energy in Wh; price in 0.0001 yuan/kWh."""

    meter_no: str
    customer_no: str
    esam_key: bytes = field(repr=False, default=b"")
    address: str = ""
    esam_serial: bytes = field(default_factory=lambda: secrets.token_bytes(8))
    purchase_count: int = 0
    balance_fen: int = 0
    overdraft_fen: int = 0
    alarm1_fen: int = 1000
    alarm2_fen: int = 500
    overdraft_limit_fen: int = 0
    hoarding_limit_fen: int = 0
    reconnect_limit_fen: int = 0
    card_serial: str | None = None
    opened: bool = True
    illegal_insertions: int = 0
    last_purchase_fen: int = 0
    total_purchased_fen: int = 0
    relay_open: bool = False
    relay_trip_commanded: bool = False
    keep_power: bool = False
    energy_wh: int = 0
    price_e4: int = 5283
    load_w: int = 0
    password: str = "02000000"
    session_minutes: int = 5
    mac_errors: int = 0
    clock_offset_s: float = 0.0
    max_reply_data: int = 200
    supports_blocks: bool = True
    purchase_records: list[PurchaseRecord] = field(default_factory=list)
    _session: EsamSession | None = field(default=None, repr=False)
    _joules: int = field(default=0, repr=False)
    _cost_residual: int = field(default=0, repr=False)
    _follow_up: tuple[int, bytes] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.address:
            self.address = self.meter_no
        self._evaluate_relay()

    @classmethod
    def create(
        cls, meter_no: str, customer_no: str, master_key: bytes, **fields: Any
    ) -> SimulatedMeter:
        """A meter whose ESAM holds ``master_key`` diversified by ``meter_no``."""
        return cls(meter_no, customer_no, scheme.meter_key(master_key, meter_no), **fields)

    # -- R21: consumption, overdraft, relay, purchases -------------------------------------
    @property
    def esam(self) -> Esam:
        """The meter's ESAM."""
        return Esam(self.esam_key, self.esam_serial)

    @property
    def suspended(self) -> bool:
        """Meter suspended (挂起) after too many MAC errors (SERR 0x0100)."""
        return self.mac_errors >= MAC_ERRORS_BEFORE_SUSPEND

    @property
    def alarm_level(self) -> int:
        """0 none, 1 at/below alarm amount 1, 2 at/below alarm amount 2 (R21 warnings)."""
        if self.balance_fen <= self.alarm2_fen:
            return 2
        if self.balance_fen <= self.alarm1_fen:
            return 1
        return 0

    def consume_fen(self, cost_fen: int) -> None:
        """Deduct ``cost_fen`` of consumption: balance first, then overdraft (R21)."""
        if cost_fen <= 0:
            return
        paid = min(self.balance_fen, cost_fen)
        self.balance_fen -= paid
        self.overdraft_fen += cost_fen - paid
        self._evaluate_relay()

    def consume_wh(self, wh: int) -> None:
        """Meter ``wh`` of energy at the current price."""
        self._add_joules(wh * 3600)

    def advance(self, seconds: int) -> None:
        """Simulated consumption of ``load_w`` watts for ``seconds`` seconds."""
        if self.load_w > 0 and seconds > 0 and not self.relay_open:
            self._add_joules(self.load_w * seconds)

    def _add_joules(self, joules: int) -> None:
        total = self._joules + joules
        self.energy_wh += total // 3600
        self._joules = total % 3600
        # fen = J × price_e4 / 3.6e8 (J → kWh: /3.6e6; 0.0001 yuan → fen: /100)
        cost_units = self._cost_residual + joules * self.price_e4
        self.consume_fen(cost_units // 360_000_000)
        self._cost_residual = cost_units % 360_000_000

    def would_exceed_hoarding(self, amount_fen: int) -> bool:
        """Whether a purchase of ``amount_fen`` would take the balance over the limit (R21)."""
        if self.hoarding_limit_fen <= 0:
            return False
        return self.balance_fen + amount_fen - self.overdraft_fen > self.hoarding_limit_fen

    def load_purchase(self, amount_fen: int, count: int) -> None:
        """Apply purchase ``count`` of ``amount_fen``: overdraft first, count set (R21).

        Callers (remote recharge, a purchase card) check the count and the hoarding limit
        first; this is the meter's final step, keeping the purchase record (03330x01).
        """
        before = self.balance_fen
        repaid = min(self.overdraft_fen, amount_fen)
        self.overdraft_fen -= repaid
        self.balance_fen += amount_fen - repaid
        self.purchase_count = count
        self.last_purchase_fen = amount_fen
        self.total_purchased_fen += amount_fen
        record = PurchaseRecord(
            self.now().strftime("%y%m%d%H%M"),
            amount_fen,
            before,
            self.balance_fen,
            self.total_purchased_fen,
            count,
        )
        self.purchase_records.insert(0, record)
        del self.purchase_records[MAX_PURCHASE_RECORDS:]
        self._evaluate_relay()

    def _evaluate_relay(self) -> None:
        if self.keep_power:
            self.relay_open = False
        elif self.relay_trip_commanded or self.overdraft_fen > self.overdraft_limit_fen:
            self.relay_open = True
        elif self.overdraft_fen == 0 and self.balance_fen > self.reconnect_limit_fen:
            self.relay_open = False

    def now(self) -> datetime:
        """The meter's clock."""
        return datetime.now() + timedelta(seconds=self.clock_offset_s)

    # -- reading the register --------------------------------------------------------------
    def status_word3(self, wall: float | None = None) -> int:
        """电表运行状态字3 (04000503)."""
        word = d.STATUS3_MONEY_PREPAID
        if self.relay_open:
            word |= d.STATUS3_RELAY_OPEN
        if self.relay_trip_commanded:
            word |= d.STATUS3_RELAY_COMMAND_TRIP
        if self.alarm_level:
            word |= d.STATUS3_PRE_TRIP_ALARM
        if self.keep_power:
            word |= d.STATUS3_KEEP_POWER
        if wall is not None and self._session_valid(wall):
            word |= d.STATUS3_SESSION_VALID
        if not self.opened:
            word |= d.STATUS3_REMOTE_NOT_OPENED | d.STATUS3_LOCAL_NOT_OPENED
        return word

    def value_of(self, di: int, wall: float) -> d.DIValue | None:
        """The value of a readable data identifier, ``None`` if the meter has no such item."""
        last = self.purchase_records[0] if self.purchase_records else None
        energy = self.energy_wh // 10
        clock = self.now()
        session_left = 0
        if self._session is not None and self._session_valid(wall):
            session_left = int((self._session.expires_at - wall) // 60) + 1
        values: dict[int, d.DIValue] = {
            0x00000000: energy,
            0x00010000: energy,
            0x0001FF00: (energy, energy, 0, 0, 0),
            0x00900200: self.balance_fen,
            0x00900201: self.overdraft_fen,
            0x009002FF: (self.balance_fen, self.overdraft_fen),
            0x0333FF01: (
                int(last.at) if last else 0,
                self.purchase_count % 10000,
                self.last_purchase_fen,
                last.balance_before_fen if last else 0,
                last.balance_after_fen if last else 0,
                self.total_purchased_fen % 100_000_000,
            ),
            0x03330101: last.at if last else "0000000000",
            0x03330201: self.purchase_count % 10000,
            0x03330301: self.last_purchase_fen,
            0x03330401: last.balance_before_fen if last else 0,
            0x03330501: last.balance_after_fen if last else 0,
            0x03330601: self.total_purchased_fen % 100_000_000,
            0x04001001: self.alarm1_fen,
            0x04001002: self.alarm2_fen,
            0x04001003: self.overdraft_limit_fen,
            0x04001004: self.hoarding_limit_fen,
            0x04001005: self.reconnect_limit_fen,
            0x02800020: self.price_e4,
            0x02800022: session_left,
            0x04000101: clock.date(),
            0x04000102: clock.time().replace(microsecond=0),
            0x04000401: self.address,
            0x04000402: self.meter_no,
            0x0400040E: self.customer_no,
            0x04000503: self.status_word3(wall),
        }
        if di not in values and di & 0xFFFF0000 == 0x03330000 and 2 <= di & 0xFF <= 10:
            return self._record_value(di)
        if not self.supports_blocks and di in (0x009002FF, 0x0333FF01):
            return None  # an older meter: only single items
        return values.get(di)

    def _record_value(self, di: int) -> d.DIValue | None:
        """Field ``di >> 8 & 0xFF`` of the n-th last purchase record (0333FFnn)."""
        n, field_no = di & 0xFF, (di >> 8) & 0xFF
        record = self.purchase_records[n - 1] if len(self.purchase_records) >= n else None
        if field_no == 1:
            return record.at if record else "0000000000"
        if record is None:
            return 0 if 2 <= field_no <= 6 else None
        return {
            2: record.count % 10000,
            3: record.amount_fen,
            4: record.balance_before_fen,
            5: record.balance_after_fen,
            6: record.cumulative_fen % 100_000_000,
        }.get(field_no)

    # -- the protocol ----------------------------------------------------------------------
    def answers(self, frame: Frame) -> bool:
        """Whether this meter answers ``frame`` (own address, or a matching wildcard)."""
        return frame.address == self.address or (
            "AA" in frame.address and address_matches(frame.address, self.address)
        )

    def handle(self, frame: Frame, wall: float) -> Frame | None:
        """Process one request addressed to this meter; the reply, or ``None`` for none.

        Replies always carry the meter's real address, also to a wildcard request.
        """
        reply = self._handle(frame, wall)
        if reply is None or reply.address == self.address:
            return reply
        return Frame(self.address, reply.control, reply.data)

    def _handle(self, frame: Frame, wall: float) -> Frame | None:
        if frame.is_reply:
            return None
        if frame.address == BROADCAST_ADDRESS:
            if frame.function == Function.BROADCAST_TIME:
                self._broadcast_time(frame.data)
            return None
        function = frame.function
        try:
            if function == Function.READ:
                return self._read(frame, wall)
            if function == Function.READ_FOLLOW_UP:
                return self._read_follow_up(frame)
            if function == Function.READ_ADDRESS:
                return frame.reply(bytes(reversed(bytes.fromhex(self.address))))
            if function == Function.WRITE:
                return self._write(frame)
            if function == Function.RELAY_CONTROL:
                return self._relay(frame, wall)
            if function == Function.SECURITY:
                return self._security(frame, wall)
        except _Refusal as refusal:
            if function == Function.SECURITY:
                return frame.reply(refusal.code.to_bytes(2, "little"), exception=True)
            return frame.reply(bytes([refusal.code]), exception=True)
        except FrameError:
            if function == Function.SECURITY:  # a short or malformed 03H payload
                return frame.reply(int(SerrFlag.OTHER).to_bytes(2, "little"), exception=True)
            return frame.reply(bytes([ErrFlag.OTHER]), exception=True)
        return frame.reply(bytes([ErrFlag.OTHER]), exception=True)

    def _broadcast_time(self, data: bytes) -> None:
        try:
            moment = parse_time_field(data)
        except FrameError:
            return
        if abs(moment - self.now()) <= BROADCAST_TIME_WINDOW:
            self.clock_offset_s = (moment - datetime.now()).total_seconds()

    def _read(self, frame: Frame, wall: float) -> Frame:
        di = frame.di
        entry = d.BY_DI.get(di) if di is not None else None
        value = self.value_of(di, wall) if di is not None else None
        if entry is None or value is None or di is None:
            raise _Refusal(ErrFlag.NO_DATA)
        raw = entry.encode(value)
        if len(raw) + 4 > self.max_reply_data:
            first = self.max_reply_data - 4
            self._follow_up = (di, raw[first:])
            return frame.reply(di_bytes(di) + raw[:first], follow_up=True)
        self._follow_up = None
        return frame.reply(di_bytes(di) + raw)

    def _read_follow_up(self, frame: Frame) -> Frame:
        if self._follow_up is None or frame.di != self._follow_up[0] or len(frame.payload) != 1:
            raise _Refusal(ErrFlag.NO_DATA)
        di, rest = self._follow_up
        room = self.max_reply_data - 5
        part, rest = rest[:room], rest[room:]
        self._follow_up = (di, rest) if rest else None
        return frame.reply(di_bytes(di) + part + frame.payload, follow_up=bool(rest))

    def _write(self, frame: Frame) -> Frame:
        di = frame.di
        payload = frame.payload
        if di is None or len(payload) < 8:
            raise _Refusal(ErrFlag.OTHER)
        if password_text(payload[:4]) != self.password.upper():
            raise _Refusal(ErrFlag.PASSWORD)
        entry = d.BY_DI.get(di)
        if entry is None or not entry.writable:
            raise _Refusal(ErrFlag.NO_DATA)
        value = entry.decode(payload[8:])
        attribute = {
            0x04001001: "alarm1_fen",
            0x04001002: "alarm2_fen",
            0x04001003: "overdraft_limit_fen",
            0x04001004: "hoarding_limit_fen",
            0x04001005: "reconnect_limit_fen",
        }[di]
        setattr(self, attribute, value)
        self._evaluate_relay()
        return frame.reply()

    def _relay(self, frame: Frame, wall: float) -> Frame:
        data = frame.data
        if len(data) < 8:
            raise _Refusal(ErrFlag.OTHER)
        body = data[8:]
        command: RelayPlaintext | None
        if data[0] == PASSWORD_LEVEL_CIPHER:
            session = self._session if self._session_valid(wall) else None
            if session is None:
                raise _Refusal(ErrFlag.PASSWORD)
            command = self.esam.open_relay_command(session, bytes(reversed(body)))
            if command is None:
                self.mac_errors += 1
                raise _Refusal(ErrFlag.PASSWORD)
        else:
            if password_text(data[:4]) != self.password.upper():
                raise _Refusal(ErrFlag.PASSWORD)
            command = RelayPlaintext.from_bytes(body)
        if command.valid_until < self.now():
            raise _Refusal(ErrFlag.OTHER)  # expired command
        if command.command == RelayCommand.TRIP:
            self.relay_trip_commanded = True
        elif command.command in (RelayCommand.ALLOW_CLOSE, RelayCommand.CLOSE):
            self.relay_trip_commanded = False
        elif command.command == RelayCommand.KEEP_POWER:
            self.keep_power = True
        elif command.command == RelayCommand.KEEP_POWER_OFF:
            self.keep_power = False
        elif command.command not in (RelayCommand.ALARM, RelayCommand.ALARM_OFF):
            raise _Refusal(ErrFlag.OTHER)
        self._evaluate_relay()
        if command.command in (RelayCommand.ALLOW_CLOSE, RelayCommand.CLOSE) and (
            self.overdraft_fen <= self.overdraft_limit_fen
        ):
            self.relay_open = False
        return frame.reply()

    # -- 03H security ----------------------------------------------------------------------
    def end_session(self) -> None:
        """Drop the security session (expiry, power loss, 070002FF)."""
        self._session = None

    def _session_valid(self, wall: float) -> bool:
        return self._session is not None and wall < self._session.expires_at

    def _security(self, frame: Frame, wall: float) -> Frame:
        di = frame.di
        if di is None or len(frame.payload) < 4 or di not in SECURITY_DIS:
            raise _Refusal(SerrFlag.OTHER)  # SERR 0x0001 other error, before any session check
        if "AA" in frame.address and di not in WILDCARD_SECURITY_DIS:
            raise _Refusal(SerrFlag.ADDRESS)
        if self.suspended:
            raise _Refusal(SerrFlag.SUSPENDED)
        body = frame.payload[4:]  # after the operator code
        if di == DI_IDENTITY_AUTHENTICATION:
            return frame.reply(di_bytes(di) + self._authenticate(body, wall).to_wire())
        if not self._session_valid(wall):
            raise _Refusal(SerrFlag.AUTHENTICATION)
        assert self._session is not None
        if di == DI_RECHARGE:
            self._recharge(RechargeRequest.from_wire(body), self._session)
            return frame.reply(di_bytes(di))
        if di == DI_ACCOUNT_OPENING:
            self._open_account(RechargeRequest.from_wire(body), self._session)
            return frame.reply(di_bytes(di))
        if di == DI_STATUS_QUERY:
            return frame.reply(di_bytes(di) + self.status_reply(self._session).to_wire())
        if di == DI_END_SESSION:
            self._session = None
            tail = (
                digits_to_bcd_le(self.customer_no)
                + self.balance_fen.to_bytes(4, "little")
                + self.purchase_count.to_bytes(4, "little")
                + bytes(4)
            )
            return frame.reply(di_bytes(di) + tail)
        raise _Refusal(SerrFlag.OTHER)

    def _authenticate(self, body: bytes, wall: float) -> AuthReply:
        auth = AuthRequest.from_wire(body)
        self._session = None
        expected_factor = scheme.factor_for(self.meter_no)
        if auth.factor[2:] != expected_factor[2:]:
            raise _Refusal(SerrFlag.AUTHENTICATION)
        if not self.esam.check_cipher1(auth.random1, auth.cipher1):
            self.mac_errors += 1
            raise _Refusal(SerrFlag.AUTHENTICATION)
        random2 = Esam.challenge()
        minutes = self.session_minutes or 5
        self._session = EsamSession(auth.random1, random2, wall + 60 * minutes)
        return AuthReply(random2, self.esam_serial)

    def _check_mac(self, session: EsamSession, header: bytes, data: bytes, mac: bytes) -> None:
        if not self.esam.check_mac(session, header, data, mac):
            self.mac_errors += 1
            raise _Refusal(SerrFlag.ESAM_MAC)

    def _recharge(self, req: RechargeRequest, session: EsamSession) -> None:
        """070102FF in the order of DLT645 notes §4.2 (steps 2–8)."""
        if not self.opened:
            raise _Refusal(SerrFlag.OTHER)
        if req.customer_no != self.customer_no:
            raise _Refusal(SerrFlag.CUSTOMER_NUMBER)
        self._check_mac(
            session, scheme.HEADER_CUSTOMER, scheme.customer_bytes(req.customer_no), req.mac2
        )
        if req.count == self.purchase_count:
            raise _Refusal(SerrFlag.REPEATED_RECHARGE)
        if req.count != self.purchase_count + 1:
            raise _Refusal(SerrFlag.PURCHASE_COUNT)
        if self.would_exceed_hoarding(req.amount_fen):
            raise _Refusal(SerrFlag.HOARDING_LIMIT)
        self._check_mac(
            session,
            scheme.HEADER_INCREASE,
            scheme.amount_count_bytes(req.amount_fen, req.count),
            req.mac1,
        )
        self.load_purchase(req.amount_fen, req.count)

    def _open_account(self, req: RechargeRequest, session: EsamSession) -> None:
        """070101FF: sets the customer number; loads the purchase if it is count + 1."""
        self._check_mac(
            session, scheme.HEADER_CUSTOMER, scheme.customer_bytes(req.customer_no), req.mac2
        )
        self._check_mac(
            session,
            scheme.HEADER_OPEN,
            scheme.amount_count_bytes(req.amount_fen, req.count),
            req.mac1,
        )
        if self.opened and req.customer_no != self.customer_no:
            raise _Refusal(SerrFlag.CUSTOMER_NUMBER)
        if req.count not in (self.purchase_count, self.purchase_count + 1):
            raise _Refusal(SerrFlag.PURCHASE_COUNT)
        if req.count == self.purchase_count + 1 and self.would_exceed_hoarding(req.amount_fen):
            raise _Refusal(SerrFlag.HOARDING_LIMIT)
        self.customer_no = req.customer_no
        self.opened = True
        if req.count == self.purchase_count + 1 and req.amount_fen > 0:
            self.load_purchase(req.amount_fen, req.count)

    def status_reply(self, session: EsamSession) -> StatusReply:
        """078102FF: wallet balance and count, each with the ESAM's read-back MAC."""
        balance = self.balance_fen.to_bytes(4, "big")
        count = self.purchase_count.to_bytes(4, "big")
        return StatusReply(
            self.balance_fen,
            self.esam.readback_mac(session, balance),
            self.purchase_count,
            self.esam.readback_mac(session, count),
            self.customer_no,
            bytes(4),
        )

    # -- persistence -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """State for the simulator's state file (the ESAM key included: it is the meter's)."""
        return {
            "meter_no": self.meter_no,
            "customer_no": self.customer_no,
            "esam_key": self.esam_key.hex(),
            "address": self.address,
            "esam_serial": self.esam_serial.hex(),
            "purchase_count": self.purchase_count,
            "balance_fen": self.balance_fen,
            "overdraft_fen": self.overdraft_fen,
            "alarm1_fen": self.alarm1_fen,
            "alarm2_fen": self.alarm2_fen,
            "overdraft_limit_fen": self.overdraft_limit_fen,
            "hoarding_limit_fen": self.hoarding_limit_fen,
            "reconnect_limit_fen": self.reconnect_limit_fen,
            "card_serial": self.card_serial,
            "opened": self.opened,
            "illegal_insertions": self.illegal_insertions,
            "last_purchase_fen": self.last_purchase_fen,
            "total_purchased_fen": self.total_purchased_fen,
            "relay_open": self.relay_open,
            "relay_trip_commanded": self.relay_trip_commanded,
            "keep_power": self.keep_power,
            "energy_wh": self.energy_wh,
            "price_e4": self.price_e4,
            "load_w": self.load_w,
            "password": self.password,
            "session_minutes": self.session_minutes,
            "mac_errors": self.mac_errors,
            "clock_offset_s": self.clock_offset_s,
            "max_reply_data": self.max_reply_data,
            "supports_blocks": self.supports_blocks,
            "purchase_records": [vars_of(r) for r in self.purchase_records],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimulatedMeter:
        """Inverse of :meth:`to_dict`."""
        fields = dict(data)
        fields["esam_key"] = bytes.fromhex(fields["esam_key"])
        fields["esam_serial"] = bytes.fromhex(fields["esam_serial"])
        fields["purchase_records"] = [
            PurchaseRecord(**r) for r in fields.get("purchase_records", [])
        ]
        relay_open = bool(fields.pop("relay_open", False))
        meter = cls(**fields)
        meter.relay_open = relay_open
        return meter


def vars_of(record: PurchaseRecord) -> dict[str, Any]:
    """A purchase record as a JSON-ready dict."""
    return {
        "at": record.at,
        "amount_fen": record.amount_fen,
        "balance_before_fen": record.balance_before_fen,
        "balance_after_fen": record.balance_after_fen,
        "cumulative_fen": record.cumulative_fen,
        "count": record.count,
    }


__all__ = ["PurchaseRecord", "SimulatedMeter"]
