"""``meter-link``: a technician's command line for DL/T 645 meters.

``decode`` explains a captured frame; ``read`` reads a data item; ``write`` writes one
(14H, password); ``address`` reads the communication address of the only meter on the
segment (13H); ``time`` broadcasts the time (08H) or reads a meter's clock; ``relay``
trips or closes the relay (1CH, plain with a password or ciphertext after authentication);
``probe`` runs R7's channel test (the R8 "read before you act"); ``dispatch`` runs R7–R9
for one purchase; ``keygen`` writes a random master key for a test bench. Every command
takes ``--json``; the link commands take ``--trace`` (every frame sent and received, in
hex, on stderr); failures print one line on stderr and exit non-zero.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from .client import Dlt645Client, Exchange, Timeouts
from .dispatch import DispatchRequest, DispatchResult, DispatchStep, MeterDispatcher
from .dlt645 import FrameError, decode_frame, describe_err, describe_serr, lookup, parse_serr
from .dlt645.codes import WILDCARD_ADDRESS, Function
from .dlt645.commands import RelayCommand
from .dlt645.data_ids import STATUS3_RELAY_OPEN, TABLE
from .dlt645.security_payloads import SECURITY_DI_NAMES
from .errors import MeterLinkError
from .security import MasterKeyError, SoftwareSecurityModule, generate_master_key, write_key_file


class CliError(Exception):
    """A failure reported as one line."""


def _jsonable(value: object) -> Any:
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def frame_to_json(raw: bytes) -> dict[str, Any]:
    """The fields ``meter-link decode --json`` prints for one frame."""
    frame = decode_frame(raw)
    di = frame.di
    out: dict[str, Any] = {
        "address": frame.address,
        "control": frame.control,
        "function": frame.function,
        "direction": "reply" if frame.is_reply else "request",
        "exception": frame.is_exception,
        "follow_up": frame.has_follow_up,
        "di": None if di is None else f"{di:08X}",
        "data": frame.payload.hex().upper(),
    }
    try:
        out["function_name"] = Function(frame.function).name.lower().replace("_", "-")
    except ValueError:
        out["function_name"] = None
    if frame.is_exception:
        if frame.function == Function.SECURITY:
            serr = parse_serr(frame.data)
            out["serr"] = serr
            out["reasons"] = describe_serr(serr)
        else:
            err = frame.data[0] if frame.data else 0
            out["err"] = err
            out["reasons"] = describe_err(err)
    elif di is not None:
        if di in SECURITY_DI_NAMES:
            out["item"] = SECURITY_DI_NAMES[di]
        else:
            try:
                entry = lookup(di)
            except KeyError:
                entry = None
            if entry is not None:
                out["item"] = entry.name
                if frame.is_reply and frame.function == Function.READ:
                    try:
                        out["value"] = _jsonable(entry.decode(frame.payload))
                        out["unit"] = entry.unit
                    except FrameError:
                        out["value"] = None
    return out


def _cmd_decode(args: argparse.Namespace) -> int:
    text = "".join(args.hex).replace(" ", "")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise CliError("not hex") from None
    try:
        info = frame_to_json(raw)
    except FrameError as exc:
        raise CliError(f"invalid frame: {exc}") from None
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        for key, value in info.items():
            print(f"{key:14} {value}")
    return 0


def _hex(data: bytes) -> str:
    return data.hex(" ").upper()


def _print_exchange(exchange: Exchange) -> None:
    """``--trace``: what went over the wire, the way a serial monitor shows it."""
    print(f"> {_hex(exchange.sent)}", file=sys.stderr)
    if exchange.received or exchange.seconds:
        shown = _hex(exchange.received) if exchange.received else "(nothing)"
        print(f"< {shown}  [{exchange.seconds * 1000:.0f} ms]", file=sys.stderr)


def _client(args: argparse.Namespace) -> Dlt645Client:
    timeouts = Timeouts.uniform(args.timeout) if args.timeout else Timeouts()
    trace = _print_exchange if getattr(args, "trace", False) else None
    return Dlt645Client(
        args.url, baudrate=args.baud, parity=args.parity, timeouts=timeouts, trace=trace
    )


def _emit(args: argparse.Namespace, data: dict[str, Any]) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(" ".join(f"{k}={v}" for k, v in data.items()))


def _cmd_write(args: argparse.Namespace) -> int:
    try:
        entry = lookup(args.item)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    if not entry.writable:
        raise CliError(f"{entry.code} {entry.name} is not writable with this tool")
    try:
        value = int(args.value)
    except ValueError:
        raise CliError(f"{entry.name} takes an integer in {entry.unit}") from None
    with _client(args) as client:
        client.write_value(args.address, entry.di, value, password=args.password)
        read_back = client.read_value(args.address, entry.di)
    _emit(
        args,
        {
            "address": args.address,
            "di": entry.code,
            "item": entry.name,
            "value": _jsonable(read_back),
            "unit": entry.unit,
        },
    )
    return 0


def _cmd_address(args: argparse.Namespace) -> int:
    with _client(args) as client:
        address = client.read_address(args.pattern)
    _emit(args, {"address": address})
    return 0


def _parse_moment(text: str | None) -> datetime:
    if not text:
        return datetime.now().replace(microsecond=0)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--at {text!r} is not an ISO date-time (2026-05-01T10:22:51)") from None


def _cmd_time(args: argparse.Namespace) -> int:
    with _client(args) as client:
        if args.read:
            day = client.read_value(args.read, "date")
            clock = client.read_value(args.read, "time")
            _emit(args, {"address": args.read, "date": _jsonable(day), "time": _jsonable(clock)})
            return 0
        moment = _parse_moment(args.at)
        client.broadcast_time(moment)
    _emit(args, {"broadcast": moment.isoformat(), "address": "999999999999"})
    return 0


RELAY_COMMANDS = {
    "trip": RelayCommand.TRIP,
    "allow-close": RelayCommand.ALLOW_CLOSE,
    "close": RelayCommand.CLOSE,
    "alarm": RelayCommand.ALARM,
    "alarm-off": RelayCommand.ALARM_OFF,
    "keep-power": RelayCommand.KEEP_POWER,
    "keep-power-off": RelayCommand.KEEP_POWER_OFF,
}


def _cmd_relay(args: argparse.Namespace) -> int:
    command = RELAY_COMMANDS[args.command_name]
    valid_until = datetime.now() + timedelta(minutes=args.valid_minutes)
    with _client(args) as client:
        secure = None
        if args.secure:
            module = _security(args)
            session = client.authenticate(args.address, args.meter_no or args.address, module)
            secure = (module, session)
        client.relay_control(
            args.address, command, valid_until, password=args.password, secure=secure
        )
        status = client.read_int(args.address, "status3")
    _emit(
        args,
        {
            "address": args.address,
            "command": args.command_name,
            "relay_open": bool(status & STATUS3_RELAY_OPEN),
            "status3": f"{status:04X}",
        },
    )
    return 0


def _cmd_read(args: argparse.Namespace) -> int:
    try:
        entry = lookup(args.item)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    with _client(args) as client:
        value = client.read_value(args.address, entry.di)
    if args.json:
        print(
            json.dumps(
                {
                    "address": args.address,
                    "di": entry.code,
                    "item": entry.name,
                    "value": _jsonable(value),
                    "unit": entry.unit,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(f"{entry.code} {entry.name}: {_jsonable(value)} {entry.unit}")
    return 0


def _security(args: argparse.Namespace) -> SoftwareSecurityModule:
    try:
        return SoftwareSecurityModule.from_config(args.key_file)
    except MasterKeyError as exc:
        raise CliError(str(exc)) from None


def _cmd_probe(args: argparse.Namespace) -> int:
    with _client(args) as client:
        reading = MeterDispatcher(client, _security(args)).probe(args.address)
    data = {
        "address": args.address,
        "balance_fen": reading.balance_fen,
        "overdraft_fen": reading.overdraft_fen,
        "count": reading.count,
        "last_purchase_fen": reading.last_purchase_fen,
        "relay_open": reading.relay_open,
    }
    print(json.dumps(data) if args.json else " ".join(f"{k}={v}" for k, v in data.items()))
    return 0


def result_to_json(result: DispatchResult) -> dict[str, Any]:
    """A dispatch result as JSON-ready data (money in fen, times in seconds)."""
    return {
        "outcome": result.outcome.value,
        "succeeded": result.succeeded,
        "reason": result.reason,
        "cause": result.link_cause,
        "balance_fen": result.balance_fen,
        "count": result.count,
        "attempts": [
            {
                "attempt": a.attempt,
                "outcome": a.outcome.value,
                "reason": a.reason,
                "cause": a.link_cause,
                "balance_fen": a.balance_fen,
                "count": a.count,
                "step_times": {k: round(v, 4) for k, v in a.step_times.items()},
                "started_at": a.started_at.isoformat(),
                "duration_s": round(a.duration_s, 4),
            }
            for a in result.attempts
        ],
    }


def _cmd_dispatch(args: argparse.Namespace) -> int:
    security = _security(args)
    try:
        request = DispatchRequest(
            args.address, args.customer, args.amount, args.count, meter_no=args.meter_no
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None

    def progress(step: DispatchStep, attempt: int, total: int) -> None:
        if not args.json:
            print(f"attempt {attempt}/{total}: {step.value}", file=sys.stderr)

    with _client(args) as client:
        result = MeterDispatcher(client, security, attempts=args.attempts).dispatch(
            request, progress
        )
    if args.json:
        print(json.dumps(result_to_json(result)))
    else:
        print(f"{result.outcome.value}: {result.reason}")
    return 0 if result.succeeded else 3


def _cmd_keygen(args: argparse.Namespace) -> int:
    write_key_file(args.file, generate_master_key())
    if args.json:
        print(json.dumps({"key_file": args.file}))
    else:
        print(f"wrote a random master key to {args.file} (mode 600)")
    return 0


def _cmd_items(args: argparse.Namespace) -> int:
    rows = [{"di": e.code, "name": e.name, "bytes": e.size, "unit": e.unit} for e in TABLE]
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            print(f"{row['di']}  {row['name']:32} {row['bytes']:>2} B  {row['unit']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="meter-link", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, link: bool = False) -> None:
        p.add_argument("--json", action="store_true", help="print one JSON object")
        if link:
            p.add_argument(
                "--trace", action="store_true", help="print every frame sent and received"
            )
            p.add_argument("--baud", type=int, default=2400, help="baud rate (default 2400)")
            p.add_argument("--parity", default="E", choices="NEO", help="parity (default E)")
            p.add_argument(
                "--timeout",
                type=float,
                default=0.0,
                help="seconds per command (default: per command kind)",
            )

    p = sub.add_parser("decode", help="decode a frame given in hex")
    p.add_argument("hex", nargs="+", help="frame bytes in hex (spaces allowed)")
    common(p)
    p.set_defaults(func=_cmd_decode)

    p = sub.add_parser("read", help="read a data item")
    p.add_argument("url", help="COM3, /dev/ttyUSB0, socket://host:port, rfc2217://host:port")
    p.add_argument("address", help="12-digit meter address, or AAAAAAAAAAAA for the only one")
    p.add_argument("item", help="alias (balance, purchase-count, ...) or DI code (00900200)")
    common(p, link=True)
    p.set_defaults(func=_cmd_read)

    for name, func, helptext in (
        ("probe", _cmd_probe, "channel test of R7 (a)"),
        ("dispatch", _cmd_dispatch, "dispatch one purchase (R7-R9)"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("url")
        p.add_argument("address")
        if name == "dispatch":
            p.add_argument("amount", type=int, help="purchase amount in fen")
            p.add_argument("count", type=int, help="purchase count n")
            p.add_argument("--customer", required=True, help="12-digit customer number")
            p.add_argument("--meter-no", help="meter number if it differs from the address")
            p.add_argument("--attempts", type=int, default=3)
        p.add_argument("--key-file", help="master key file (hex); default $METER_MASTER_KEY")
        common(p, link=True)
        p.set_defaults(func=func)

    p = sub.add_parser("write", help="write a data item (14H) and read it back")
    p.add_argument("url")
    p.add_argument("address")
    p.add_argument("item", help="alias (alarm1, hoarding-limit, ...) or DI code")
    p.add_argument("value", help="integer in the item's unit (fen for money)")
    p.add_argument("--password", default="02000000", help="PA + password, 8 hex digits")
    common(p, link=True)
    p.set_defaults(func=_cmd_write)

    p = sub.add_parser("address", help="read the address of the only meter on the line (13H)")
    p.add_argument("url")
    p.add_argument("pattern", nargs="?", default=WILDCARD_ADDRESS, help="default AAAAAAAAAAAA")
    common(p, link=True)
    p.set_defaults(func=_cmd_address)

    p = sub.add_parser("time", help="broadcast the time (08H), or read a meter's clock")
    p.add_argument("url")
    p.add_argument("--at", help="ISO date-time to broadcast (default: now)")
    p.add_argument("--read", metavar="ADDRESS", help="read this meter's date and time instead")
    common(p, link=True)
    p.set_defaults(func=_cmd_time)

    p = sub.add_parser("relay", help="relay control (1CH): trip, allow-close, close, ...")
    p.add_argument("url")
    p.add_argument("address")
    p.add_argument("command_name", metavar="command", choices=sorted(RELAY_COMMANDS))
    p.add_argument("--password", default="02000000", help="PA + password for the plain form")
    p.add_argument(
        "--secure", action="store_true", help="authenticate and send ciphertext + MAC (PA 98H)"
    )
    p.add_argument("--meter-no", help="meter number if it differs from the address")
    p.add_argument("--key-file", help="master key file (hex); default $METER_MASTER_KEY")
    p.add_argument("--valid-minutes", type=int, default=10, help="command validity (default 10)")
    common(p, link=True)
    p.set_defaults(func=_cmd_relay)

    p = sub.add_parser("keygen", help="write a random master key file for a test bench")
    p.add_argument("file")
    common(p)
    p.set_defaults(func=_cmd_keygen)

    p = sub.add_parser("items", help="list the data identifiers this tool knows")
    common(p)
    p.set_defaults(func=_cmd_items)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``meter-link``."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except (CliError, MeterLinkError, FrameError, OSError) as exc:
        print(f"meter-link: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
