"""One frozen program, several commands (the bundle's entry script).

The one-folder bundle holds one copy of Python, Qt and our packages and several small
executables built from this script: ``counter-app``, ``counter-app-debug``, ``counterctl``,
``card-tool``, ``meter-link``, ``meter-sim``, ``meter-station``. Each executable picks its
command by its own file name, the way busybox does, so the commands share every library
instead of carrying one copy each (the bundle would otherwise be seven times the size).

The imports sit inside the functions so that starting ``counterctl`` does not load Qt; they
are plain ``import`` statements so that PyInstaller's analysis still finds every module.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def _counter_app() -> int:
    from counter_app.app import main

    return int(main() or 0)


def _counterctl() -> int:
    from counter_app.cli import main

    return int(main() or 0)


def _card_tool() -> int:
    from card_io.cli import main

    return int(main() or 0)


def _meter_link() -> int:
    from meter_link.cli import main

    return int(main() or 0)


def _meter_sim() -> int:
    from meter_link.simulator.cli import main

    return int(main() or 0)


def _meter_station() -> int:
    from meter_link.station.cli import main

    return int(main() or 0)


COMMANDS: dict[str, Callable[[], int]] = {
    "counter-app": _counter_app,
    "counter-app-debug": _counter_app,
    "counterctl": _counterctl,
    "card-tool": _card_tool,
    "meter-link": _meter_link,
    "meter-sim": _meter_sim,
    "meter-station": _meter_station,
}


def command_name(executable: str) -> str:
    """``/opt/x/counterctl``, ``C:\\x\\counterctl.exe`` -> ``counterctl``."""
    name = Path(executable).name
    return name[:-4] if name.lower().endswith(".exe") else name


def main() -> int:
    name = command_name(sys.executable if getattr(sys, "frozen", False) else sys.argv[0])
    if name not in COMMANDS and len(sys.argv) > 1 and sys.argv[1] in COMMANDS:
        # `python installer/launcher.py counterctl ...` when run from a checkout
        name = sys.argv.pop(1)
    command = COMMANDS.get(name)
    if command is None:
        print(f"{name}: not a command of this bundle ({', '.join(COMMANDS)})", file=sys.stderr)
        return 2
    return command()


if __name__ == "__main__":
    sys.exit(main())
