"""A virtual user purchase card that plugs into the real pcscd through vsmartcard's vpcd.

``VirtualPurchaseCard`` runs in a thread of the caller (tests, the demo) or as a process:
``python -m card_io.virtual --state FILE [--port 35963]``.
"""

from card_io.virtual.card import DirectLink, VirtualCardState, atr_for, serial_from_atr
from card_io.virtual.vpcd import (
    VIRTUAL_READER_PREFIX,
    VPCD_PORT_SLOT0,
    VPCD_PORT_SLOT1,
    VirtualPurchaseCard,
)

__all__ = [
    "VIRTUAL_READER_PREFIX",
    "VPCD_PORT_SLOT0",
    "VPCD_PORT_SLOT1",
    "DirectLink",
    "VirtualCardState",
    "VirtualPurchaseCard",
    "atr_for",
    "serial_from_atr",
]
