#!/usr/bin/env bash
# Start the counter window with the embedded defaults (SQLite demo database, simulated
# meter bus, the virtual purchase card in the PC/SC service where it can be started).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run: no display found; starting the window on a virtual screen (Xvfb)" >&2
    exec xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/counter-app "$@"
fi
exec .venv/bin/counter-app "$@"
