"""Work-arounds for defects of the Qt binding that would crash a long-running counter.

PySide6 6.12.0: ``SignalInstance.emit`` returns ``True`` without a new reference, so every
signal emitted from Python takes one reference from the ``True`` singleton. Python 3.11's
``True`` is not immortal: after some thousands of emissions (a few hours of a busy counter,
or one test session) the interpreter aborts with "bool_dealloc: deallocating True or False".
``patch_signal_emit`` detects the defect at run time and, only when present, wraps ``emit``
so that the missing reference is given back. A fixed binding is left alone.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance

_patched = False


class _Probe(QObject):
    sig_probed = Signal()


def emit_steals_a_reference(trials: int = 8) -> bool:
    """True when emitting a Python-declared signal loses a reference to ``True``."""
    probe = _Probe()
    before = sys.getrefcount(True)
    emit: Callable[[], object] = probe.sig_probed.emit  # the binding may return a value
    results = [emit() for _ in range(trials)]
    lost = before - sys.getrefcount(True) + sum(1 for r in results if r is True)
    # ``results`` holds one (borrowed) reference per call; a correct binding loses none.
    for r in results:
        if r is True:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(r))  # give back what the probe took
    del results
    return lost >= trials


def patch_signal_emit() -> bool:
    """Install the work-around once if the binding needs it; returns whether it is active."""
    global _patched
    if _patched:
        return True
    if not emit_steals_a_reference():
        return False
    original = SignalInstance.emit

    def emit(self: SignalInstance, *args: object) -> object:
        result = original(self, *args)
        if isinstance(result, bool):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign, assignment]
    _patched = True
    return True
