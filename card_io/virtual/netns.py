"""Keeping the virtual reader on loopback: pcscd in a network namespace of its own.

vsmartcard's vpcd (Debian 12: 3.3) listens for virtual cards on TCP 35963/35964 of **all**
interfaces (``INADDR_ANY``, no option to bind loopback), so any host that reaches those
ports could insert a card into the counter's reader. Its "reversed" mode (vpcd connecting
out to the card) would avoid the listener, but in that version it aborts pcscd at the first
poll (``bit out of range 0 - FD_SETSIZE on fd_set``). The project therefore starts pcscd in
a private network namespace that has only a loopback interface
(``unshare --net``, ``ip link set lo up``): vpcd's listener exists only there, unreachable
from any other host or namespace, while programs still reach pcscd itself through its UNIX
socket (``/run/pcscd/pcscd.comm``, which network namespaces do not separate).

A virtual card joins pcscd's namespace for its one connection: a short-lived thread enters
it (``setns``, which changes only the calling thread), creates and connects the socket,
and ends; the socket stays in that namespace. Entering another namespace needs root
(CAP_SYS_ADMIN), as starting pcscd does.

``PCSCD_OPEN_ENV=1`` (or ``scripts/pcsc.sh start --open``) starts pcscd in the host's
namespace instead: vpcd then accepts cards from every interface (a card on another machine,
``python -m card_io.virtual --host``); firewall TCP 35963/35964 when doing so.
"""

from __future__ import annotations

import ctypes
import os
import socket
import threading
from pathlib import Path

PCSCD_PIDFILE = Path("/run/pcscd/pcscd.pid")
PCSCD_OPEN_ENV = "COUNTER_PCSCD_OPEN"
CLONE_NEWNET = 0x40000000

# pcscd in a namespace with only "lo": ``exec`` keeps one PID from unshare to pcscd
PRIVATE_PCSCD = ["unshare", "--net", "sh", "-c", "ip link set lo up && exec pcscd -f"]
OPEN_PCSCD = ["pcscd", "-f"]


def pcscd_command(open_to_network: bool | None = None) -> list[str]:
    """How the project starts pcscd: private (loopback only) unless asked to open it."""
    if open_to_network is None:
        open_to_network = os.environ.get(PCSCD_OPEN_ENV, "") not in ("", "0")
    return list(OPEN_PCSCD if open_to_network else PRIVATE_PCSCD)


def _netns_of(pid: int | str) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return None


def pcscd_pid() -> int | None:
    """The running pcscd's PID from its own pid file (None when none runs)."""
    try:
        pid = int(PCSCD_PIDFILE.read_bytes().strip(b"\0 \n") or b"0")
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except (OSError, ValueError):
        return None
    return pid if comm == "pcscd" else None


def pcscd_netns() -> str | None:
    """``/proc/PID/ns/net`` of pcscd when it runs in another network namespace than this
    process (the project's private, loopback-only pcscd); None when it shares ours."""
    pid = pcscd_pid()
    if pid is None:
        return None
    theirs, ours = _netns_of(pid), _netns_of("self")
    if theirs is None or ours is None or theirs == ours:
        return None
    return f"/proc/{pid}/ns/net"


def listening_ports(netns: str | None = None) -> set[tuple[str, int]]:
    """(address, port) of the TCP listeners of a namespace (default: this process's), read
    from ``/proc/<pid>/net/tcp`` — what a port scan from the same namespace would find."""
    table = Path(netns).parent.parent / "net" / "tcp" if netns else Path("/proc/self/net/tcp")
    found: set[tuple[str, int]] = set()
    for line in table.read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] != "0A":  # LISTEN
            continue
        addr_hex, port_hex = fields[1].split(":")
        addr = ".".join(str(b) for b in reversed(bytes.fromhex(addr_hex)))
        found.add((addr, int(port_hex, 16)))
    return found


def connect_in(netns: str | None, host: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to ``host:port`` made inside ``netns`` (None: this namespace)."""
    if netns is None:
        return socket.create_connection((host, port), timeout=timeout)
    result: dict[str, object] = {}

    def worker() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(netns, os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise PermissionError(
                        err,
                        "joining pcscd's private network namespace needs root "
                        f"({os.strerror(err)})",
                    )
            finally:
                os.close(fd)
            result["socket"] = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            result["error"] = exc

    thread = threading.Thread(target=worker, name="vpcd-netns-connect", daemon=True)
    thread.start()
    thread.join()
    sock = result.get("socket")
    if isinstance(sock, socket.socket):
        return sock
    error = result.get("error")
    raise error if isinstance(error, OSError) else OSError("cannot connect to vpcd")
