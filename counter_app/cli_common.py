"""What every counterctl command shares: opening the counter, printing, reading a secret.

Its own module so that the command modules (`counter_app.cli` and `counter_app.cli_office`)
depend on it and not on each other.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import json
import sys
from collections.abc import Sequence
from typing import Any

from counter_app.bootstrap import Counter, open_counter
from counter_app.config import load_config


class CliError(Exception):
    """A one-line error for the person at the shell."""


class CommandParser(argparse.ArgumentParser):
    """counterctl's parsers: a usage error is one line and exit code 2."""

    def error(self, message: str) -> Any:
        self.exit(2, f"counterctl: error: {message}\n")


def jsonable(value: Any) -> Any:
    """Dataclasses, mappings, sequences and dates as JSON values (``--json``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def emit(args: argparse.Namespace, data: Any, lines: Sequence[str]) -> None:
    """One JSON document with ``--json``, else the lines for a person."""
    if args.json:
        print(json.dumps(jsonable(data), ensure_ascii=False, sort_keys=True))
    else:
        for line in lines:
            print(line)


def open_from_args(args: argparse.Namespace, *, dispatch: bool = True) -> Counter:
    """The counter of the configuration, with ``--db`` and ``--counter`` applied."""
    config = load_config(args.config)
    overrides: dict[str, Any] = {}
    if args.db:
        overrides["database_url"] = args.db
    if getattr(args, "counter", None):
        overrides["counter_id"] = args.counter
    config = dataclasses.replace(config, **overrides)
    return open_counter(config, use_meter_link=dispatch)


def read_secret(prompt: str) -> str:
    """A password from standard input: no echo on a terminal, one line from a pipe."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise CliError("no password on standard input")
    return line.rstrip("\r\n")
