"""The virtual reader is reachable from loopback only, as the project starts pcscd.

vpcd (vsmartcard 3.3) listens on all interfaces and cannot be told otherwise; the project's
scripts and fixtures run pcscd in a network namespace of its own that has only a loopback
interface. This test checks it on the real pcscd: vpcd's ports exist only inside that
namespace, nothing listens on them where other hosts could connect, a connection attempt
from outside is refused, and a virtual card still reads through pyscard and ``card-tool``.
``COUNTER_PCSCD_OPEN=1`` / ``scripts/pcsc.sh start --open`` opens it deliberately.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from card_io.cli import main
from card_io.virtual.netns import (
    PRIVATE_PCSCD,
    listening_ports,
    pcscd_command,
    pcscd_netns,
)
from tests.fixtures.pcsc import REPO, SLOT_READERS, CardFactory, PcscService, insert

pytestmark = pytest.mark.pcsc
VPCD_PORTS = (35963, 35964)


@pytest.fixture
def private_pcscd(pcsc_service: PcscService) -> Iterator[PcscService]:
    """pcscd as the project starts it; one started otherwise is restarted privately for the
    test and restored afterwards (only when this session owns it and is alone)."""
    was_private = pcsc_service.private
    if not was_private:
        pcsc_service.restart(open_to_network=False)
    yield pcsc_service
    if not was_private:
        pcsc_service.restart(open_to_network=True)


def test_project_starts_pcscd_privately_unless_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNTER_PCSCD_OPEN", raising=False)
    assert pcscd_command() == PRIVATE_PCSCD
    assert pcscd_command(open_to_network=True) == ["pcscd", "-f"]
    monkeypatch.setenv("COUNTER_PCSCD_OPEN", "1")
    assert pcscd_command() == ["pcscd", "-f"]
    script = (REPO / "scripts" / "pcsc.sh").read_text()
    assert "unshare --net sh -c 'ip link set lo up && exec pcscd -f'" in script


def test_vpcd_ports_are_reachable_from_loopback_only(
    private_pcscd: PcscService,
    virtual_card_factory: CardFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    netns = pcscd_netns()
    assert netns is not None, "pcscd runs in the host's network namespace"
    # inside pcscd's namespace vpcd listens (on all of its interfaces) ...
    inside = listening_ports(netns)
    assert {port for _, port in inside} >= set(VPCD_PORTS)
    # ... and that namespace has no interface but loopback
    devices = Path(netns).parent.parent / "net" / "dev"
    names = {line.split(":")[0].strip() for line in devices.read_text().splitlines()[2:]}
    assert names == {"lo"}, names
    # where other hosts could connect (this namespace, every interface) nothing listens ...
    assert not {port for _, port in listening_ports()} & set(VPCD_PORTS)
    for address in _own_addresses():
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, VPCD_PORTS[0]), timeout=1.0).close()
    # ... and the project's virtual card still goes in and reads
    card = virtual_card_factory(amount_fen=88, count=1)
    insert(card)
    assert main(["--reader", SLOT_READERS[0], "read"]) == 0
    assert json.loads(capsys.readouterr().out)["wallet"] == {"amount_fen": 88, "count": 1}
    status = subprocess.run(
        [str(REPO / "scripts" / "pcsc.sh"), "status"], capture_output=True, text=True, cwd=REPO
    )
    assert "virtual reader on loopback only" in status.stdout


def _own_addresses() -> set[str]:
    """127.0.0.1 and this host's other IPv4 addresses (what a neighbour would dial)."""
    found = {"127.0.0.1"}
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout
        found |= {a for a in out.split() if "." in a}
    except OSError:
        pass
    return found
