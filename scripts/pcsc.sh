#!/usr/bin/env bash
# The PC/SC service for development and tests, without systemd:
#
#   scripts/pcsc.sh start    install pcscd + vsmartcard-vpcd (+ swig, libpcsclite-dev for
#                            building pyscard, iproute2) with apt-get if missing, then start
#                            `pcscd -f` in the background unless a pcscd already runs (root)
#   scripts/pcsc.sh start --open
#                            the same, but with the virtual reader open to the network
#   scripts/pcsc.sh stop     stop the pcscd this script started (by the PID in var/pcscd.pid)
#   scripts/pcsc.sh status   say whether pcscd runs, who started it, and list the readers
#
# The vpcd driver makes pcscd listen for virtual cards on TCP 35963/35964 (readers
# "Virtual PCD 00 00" and "Virtual PCD 00 01") on all interfaces, with no option to bind
# loopback. So pcscd is started in a network namespace of its own that has only a loopback
# interface (unshare --net): nobody on the network can insert a card, programs still reach
# pcscd through its UNIX socket, and the project's virtual card joins that namespace to
# connect (card_io/virtual/netns.py). `--open` (or COUNTER_PCSCD_OPEN=1) starts pcscd in the
# host's namespace instead, for a card on another machine; firewall 35963/35964 then.
# The test fixtures (tests/fixtures/pcsc.py) start it the same way and use a running pcscd
# when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."

VARDIR="${COUNTER_PCSC_VAR:-var}"
PIDFILE="$VARDIR/pcscd.pid"
LOG="$VARDIR/pcscd.log"
SOCKET="/run/pcscd/pcscd.comm"
PACKAGES=(pcscd vsmartcard-vpcd swig libpcsclite-dev iproute2)
OPEN="${COUNTER_PCSCD_OPEN:-0}"

say() { echo "pcsc: $*"; }

our_pid() {
    # the PID from our pid file, if that process is still a pcscd
    [ -f "$PIDFILE" ] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "pcscd" ] && echo "$pid"
}

running_pid() {
    # pcscd writes its own pid file; trust it only if that process is a pcscd
    local pid
    pid="$( { tr -d '\0 \n' < /run/pcscd/pcscd.pid; } 2>/dev/null || true)"
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "pcscd" ] && echo "$pid"
}

install_missing() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null || { say "missing ${missing[*]} and no apt-get" >&2; exit 1; }
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    say "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start() {
    install_missing
    local pid
    if pid="$(running_pid)"; then
        say "pcscd already running (PID $pid)"
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        say "pcscd is not running and starting it needs root (sudo scripts/pcsc.sh start)" >&2
        exit 1
    fi
    mkdir -p "$VARDIR"
    # -f: foreground (we keep its PID); no --auto-exit, which quits 60 s after the last client.
    # `exec` keeps one PID from unshare through sh to pcscd.
    if [ "$OPEN" != 0 ]; then
        setsid pcscd -f >"$LOG" 2>&1 < /dev/null &
    else
        setsid unshare --net sh -c 'ip link set lo up && exec pcscd -f' >"$LOG" 2>&1 < /dev/null &
    fi
    pid=$!
    echo "$pid" > "$PIDFILE"
    for _ in $(seq 1 50); do
        [ -S "$SOCKET" ] && break
        kill -0 "$pid" 2>/dev/null || { say "pcscd exited; see $LOG" >&2; rm -f "$PIDFILE"; exit 1; }
        sleep 0.1
    done
    [ -S "$SOCKET" ] || { say "pcscd did not open $SOCKET; see $LOG" >&2; exit 1; }
    if [ "$OPEN" != 0 ]; then
        say "pcscd started (PID $pid, log $LOG); virtual reader open to the network"
    else
        say "pcscd started (PID $pid, log $LOG); virtual reader on loopback only"
    fi
}

stop() {
    local pid
    if ! pid="$(our_pid)"; then
        rm -f "$PIDFILE"
        say "no pcscd started by this script is running"
        return 0
    fi
    kill "$pid"
    for _ in $(seq 1 50); do
        [ -d "/proc/$pid" ] || break
        sleep 0.1
    done
    [ -d "/proc/$pid" ] && kill -9 "$pid"
    rm -f "$PIDFILE"
    say "pcscd stopped (PID $pid)"
}

status() {
    local pid ours=""
    if pid="$(running_pid)"; then
        [ "$(our_pid || true)" = "$pid" ] && ours=", started by scripts/pcsc.sh"
        if [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ]; then
            say "pcscd running (PID $pid$ours); virtual reader open to the network"
        else
            say "pcscd running (PID $pid$ours); virtual reader on loopback only"
        fi
        if [ -x .venv/bin/card-tool ]; then
            .venv/bin/card-tool readers || true
        fi
    else
        say "pcscd not running"
        return 3
    fi
}

case "${1:-}" in
    start)
        [ "${2:-}" = "--open" ] && OPEN=1
        start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
