"""The core is pure: importing it pulls in no Qt, no database, no device library of ours."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("PySide6", "peewee", "playhouse", "smartcard", "serial", "card_io", "meter_link")
FORBIDDEN_OURS = ("counter_app.store", "counter_app.services", "counter_app.ui")


def test_core_imports_nothing_impure() -> None:
    code = (
        "import sys, pkgutil, importlib, counter_app.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__):\n"
        "    importlib.import_module('counter_app.core.' + m.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    assert "counter_app.core.payment_plan" in loaded
    bad = [
        name
        for name in loaded
        if name.split(".")[0] in FORBIDDEN or name.startswith(FORBIDDEN_OURS)
    ]
    assert bad == []
