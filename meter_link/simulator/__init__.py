"""Simulated cost-control meters on a DL/T 645-2007 bus (TCP port or pty), with faults."""

from .bus import MeterSimulator
from .faults import Fault, FaultKind
from .meter import PurchaseRecord, SimulatedMeter

__all__ = ["Fault", "FaultKind", "MeterSimulator", "PurchaseRecord", "SimulatedMeter"]
