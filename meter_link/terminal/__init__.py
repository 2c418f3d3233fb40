"""The concentrator path: station ↔ terminal (Q/GDW 1376.1 over TCP) ↔ meter (DL/T 645).

* :class:`TerminalHub` — the station's TCP listener: terminals log in and send heartbeats;
  the hub forwards DL/T 645 frames to meters behind them (AFN 10H F1).
* :class:`TerminalLink` / :class:`TerminalDirectory` — a serial-like link through a terminal
  for the ordinary ``Dlt645Client`` and ``MeterDispatcher``; meter number in, link out.
* :class:`SimulatedTerminal` — a field terminal with simulated meters behind it and its own
  faults (``meter-sim terminal``).
"""

from .hub import TerminalHub, TerminalStatus
from .link import (
    TERMINAL_LINK_PREFIX,
    RoutingTerminalLink,
    TerminalDirectory,
    TerminalLink,
    is_terminal_url,
    terminal_client_factory,
)
from .simulator import MeterHop, SerialHop, SimulatedTerminal, SimulatorHop

__all__ = [
    "TERMINAL_LINK_PREFIX",
    "MeterHop",
    "RoutingTerminalLink",
    "SerialHop",
    "SimulatedTerminal",
    "SimulatorHop",
    "TerminalDirectory",
    "TerminalHub",
    "TerminalLink",
    "TerminalStatus",
    "is_terminal_url",
    "terminal_client_factory",
]
