#!/usr/bin/env bash
# Prepare this checkout on a fresh Debian/Ubuntu machine: system packages (apt-get),
# the virtual environment in .venv/ and the project installed into it.
# Safe to run again: each step is skipped when it is already done.
#
#   scripts/setup.sh          what the application needs
#   scripts/setup.sh --test   also what the test suite needs (PostgreSQL, poppler)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# -- system packages ---------------------------------------------------------
# pcscd + vsmartcard-vpcd: the PC/SC service and the virtual reader the virtual purchase
# card plugs into; iproute2: brings up loopback in pcscd's own network namespace (the
# virtual reader on loopback only); swig + libpcsclite-dev + gcc: pyscard has no Linux
# wheel and builds here;
# fonts-wqy-microhei: Chinese text in the window and embedded in receipts;
# the lib* packages: what Qt's offscreen/xcb platforms load on a bare machine.
packages=(pcscd vsmartcard-vpcd iproute2 swig libpcsclite-dev gcc fonts-wqy-microhei
          libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
          libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
          libxcb-xinerama0 libxcb-randr0 libxcb-image0 libxcb-render-util0 xvfb xauth)
if [ "$want_test" = 1 ]; then
    packages+=(postgresql poppler-utils)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
        echo "setup: missing system packages (${missing[*]}) and no apt-get to install them" >&2
        exit 1
    fi
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# -- Python environment --------------------------------------------------------
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "setup: Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip setuptools wheel
fi

# Reinstall only when the project's metadata changed since the last install.
extra=""
[ "$want_test" = 1 ] && extra="[test]"
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)${extra:+-test}"
if [ ! -f "$stamp" ]; then
    # pyscard builds from source on Linux (no wheel): swig + libpcsclite-dev above.
    .venv/bin/python -m pip install -q -e ".${extra}"
    rm -f .venv/.installed-*
    touch "$stamp"
    # a test install also satisfies the plain one
    [ -n "$extra" ] && touch "${stamp%-test}"
fi
# Compiled translations are build products of resources/translations/*.ts.
if [ -x scripts/build-translations.sh ]; then
    scripts/build-translations.sh
fi
echo "setup: ready (.venv/bin/counter-app, .venv/bin/counterctl)"
