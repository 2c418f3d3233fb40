#!/usr/bin/env bash
# Build the installable program: the PyInstaller one-folder bundle and a Debian package of it.
#
#   scripts/package.sh            -> dist/fee-control-counter/ and dist/fee-control-counter_<v>_<arch>.deb
#   scripts/package.sh --out DIR  -> the same under DIR
#
# Needs what `scripts/setup.sh` prepares (the .venv with the project) and installs PyInstaller
# into that .venv. The bundle carries its own Python, Qt, translations and the CJK font; the
# .deb puts it under /opt/fee-control-counter with commands in /usr/bin, a desktop entry and
# the meter-station systemd unit. The Windows installer is built on Windows from the same
# bundle (installer/windows-installer.iss).
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist
[ "${1:-}" = "--out" ] && out="$2"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

.venv/bin/python -c 'import PyInstaller' 2>/dev/null || .venv/bin/python -m pip install -q "pyinstaller>=6.10"
scripts/build-translations.sh >/dev/null

echo "package: building the bundle"
.venv/bin/pyinstaller --noconfirm --clean --log-level ERROR \
    --distpath "$out" --workpath "$work/pyinstaller" installer/fee-control-counter.spec
bundle="$out/fee-control-counter"
[ -x "$bundle/counterctl" ] || { echo "package: the bundle has no counterctl" >&2; exit 1; }

version="$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
stage="$work/deb"
echo "package: building fee-control-counter_${version}_${arch}.deb"
install -d "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/lib/systemd/system" "$stage/usr/share/doc/fee-control-counter"
cp -a "$bundle" "$stage/opt/fee-control-counter"
for cmd in counter-app counterctl card-tool meter-link meter-sim meter-station; do
    ln -s "/opt/fee-control-counter/$cmd" "$stage/usr/bin/$cmd"
done
sed 's|^Exec=.*|Exec=/opt/fee-control-counter/counter-app|' installer/counter-app.desktop \
    > "$stage/usr/share/applications/fee-control-counter.desktop"
install -m 0644 installer/systemd/meter-station.service "$stage/lib/systemd/system/"
install -m 0644 installer/config.example.toml installer/debian/station.env \
    "$stage/usr/share/doc/fee-control-counter/"
install -m 0755 installer/debian/postinst installer/debian/postrm "$stage/DEBIAN/"
size="$(du -sk "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    installer/debian/control.in > "$stage/DEBIAN/control"
deb="$out/fee-control-counter_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip -z"${DEB_COMPRESSION_LEVEL:-6}" --build "$stage" "$deb" >/dev/null
echo "package: $bundle"
echo "package: $deb"
