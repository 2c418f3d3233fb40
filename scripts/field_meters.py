"""The demo meters out in the field, for the screenshot scripts.

Since the embedded counter hands its purchases to the collection system (a ``meter-station``
subprocess on the link of a ``meter-sim`` subprocess), a meter's state and its faults live in
``meter-sim``, not in this process: changing the in-process simulator object of
:class:`~counter_app.embedded.EmbeddedDevices` reaches no meter. A scene therefore changes
the field the way it changes in a hall's day — before the counter starts (a meter that is
already dead, a replacement meter already hung on the bus, a hoarding limit set at
installation), or by taking the bus down and bringing it back changed (power restored, a
meter repaired); the station opens the link again on its next job. The counter, the station
and the hand-over between them run unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Edit = Callable[[Any], None]
"""Changes to the meters: called with a loaded ``MeterSimulator`` that is then saved."""


def prepare_meters(directory: Path, edit: Edit | None = None) -> None:
    """The demo meters' state file in ``directory`` before ``start_embedded`` runs there,
    with ``edit`` applied (new meters, limits, counts)."""
    from counter_app.embedded import _key, prepare_meter_state

    directory.mkdir(parents=True, exist_ok=True)
    simulator = prepare_meter_state(directory, _key(directory / "meter-master.key"))
    if edit is not None:
        edit(simulator)
        simulator.save()


def restart_meter_bus(devices: Any, faults: Sequence[str] = (), edit: Edit | None = None) -> None:
    """Stop ``meter-sim``, apply ``edit`` to its state file, start it again on the same port
    with ``faults`` (``meter-sim --fault`` specs; the old ones are gone)."""
    from counter_app.embedded import (
        _key,
        helper_command,
        prepare_meter_state,
        start_process,
        stop_process,
    )

    directory = Path(devices.directory)
    simulator_process = devices.processes[0]  # the meters first, then the station
    stop_process(simulator_process)
    if edit is not None:
        simulator = prepare_meter_state(directory, _key(directory / "meter-master.key"))
        edit(simulator)
        simulator.save()
    port = devices.meter_url.rsplit(":", 1)[-1]
    argv = [
        *helper_command("meter-sim", "meter_link.simulator.cli"),
        "serve",
        "--tcp",
        f"127.0.0.1:{port}",
        "--state",
        str(directory / "meters.json"),
    ]
    for fault in faults:
        argv += ["--fault", fault]
    process, _ = start_process(argv, "meter-sim:")
    devices.processes[0] = process


def set_meter(address: str, **fields: object) -> Edit:
    """An edit that sets attributes of one meter (``hoarding_limit_fen=…``)."""

    def edit(simulator: Any) -> None:
        with simulator.meter(address) as meter:
            for name, value in fields.items():
                setattr(meter, name, value)

    return edit
