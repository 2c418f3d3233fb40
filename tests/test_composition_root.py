"""Only the composition root builds services and adapters.

The window, the back office, the counter-server and counterctl are handed what
``counter_app.bootstrap`` built (``Services``, the purchase card, the gateways): a widget
that builds its own service gets a second dispatch service beside the counter's (two owners
of one meter link), and a test that gives the window a scripted dispatcher no longer
reaches it. This scan reads the sources (no import, nothing runs) and names every call to a
service or adapter class outside ``bootstrap`` and the services' own registry; the second
test shows the scan fails on a widget that builds one.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "counter_app"

ADAPTERS = frozenset(
    {
        # the ports' implementations and the devices behind them
        "HttpSmsGateway",
        "FileSmsGateway",
        "CollectionSystemDispatcher",
        "MeterLinkDispatcher",
        "HandoverWorkers",
        "CardWorkbench",
        "PurchaseCard",
        "PcscReader",
        "CardMonitor",
        "SoftwareCardCrypto",
        "Dlt645Client",
        "MeterDispatcher",
        "SoftwareSecurityModule",
    }
)


def service_classes() -> frozenset[str]:
    """Every class of ``counter_app.services`` named ``…Service``."""
    names = set()
    for path in (PACKAGE / "services").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Service"):
                names.add(node.name)
    return frozenset(names)


def handed_over_modules() -> list[Path]:
    """The modules that are handed services: the window and back office, the
    counter-server, the entry points and the shell (not ``bootstrap``, which builds them,
    nor ``embedded``, which starts the demo's simulated devices)."""
    modules = sorted((PACKAGE / "ui").rglob("*.py")) + sorted((PACKAGE / "server").rglob("*.py"))
    for name in ("app.py", "cli_session.py", "cli_common.py", "shell_prompts.py", "demo.py"):
        modules.append(PACKAGE / name)
    modules += sorted(PACKAGE.glob("cli*.py"))
    return sorted(set(modules))


def constructions(source: str, classes: frozenset[str]) -> list[tuple[int, str]]:
    """(line, class) of every call ``Class(...)`` or ``module.Class(...)`` in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else None
        )
        if name in classes:
            found.append((node.lineno, name))
    return found


def test_the_service_classes_are_found() -> None:
    classes = service_classes()
    assert {"PaymentService", "DispatchService", "OffsetService", "TerminalService"} <= classes


def test_nothing_outside_the_composition_root_builds_a_service_or_an_adapter() -> None:
    classes = service_classes() | ADAPTERS
    offences = [
        f"{path.relative_to(ROOT)}:{line} builds {name}"
        for path in handed_over_modules()
        for line, name in constructions(path.read_text(encoding="utf-8"), classes)
    ]
    assert offences == []


def test_the_scan_finds_a_widget_that_builds_its_own_service() -> None:
    offset_dialog = (PACKAGE / "ui" / "offset.py").read_text(encoding="utf-8")
    wrong = offset_dialog.replace(
        "self.service = service",
        "self.service = OffsetService(service.ctx, service.payments)",
    )
    assert wrong != offset_dialog
    classes = service_classes() | ADAPTERS
    assert constructions(offset_dialog, classes) == []
    assert [name for _line, name in constructions(wrong, classes)] == [
        "OffsetService",
        "OffsetService",
    ]
    assert [
        name for _line, name in constructions("x = services.RecoveryService(ctx)", classes)
    ] == ["RecoveryService"]
