#!/usr/bin/env bash
# Compile the window's translations: resources/translations/*.ts -> *.qm (build products,
# not committed). scripts/setup.sh runs this; run it again after editing a .ts file.
#
#   scripts/build-translations.sh           compile every .ts
#   scripts/build-translations.sh --update  first refresh the .ts files from the sources
#                                           (pyside6-lupdate keeps existing translations)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=.venv/bin
lrelease="$bin/pyside6-lrelease"
lupdate="$bin/pyside6-lupdate"
[ -x "$lrelease" ] || lrelease="$(command -v pyside6-lrelease || true)"
[ -n "$lrelease" ] || { echo "build-translations: pyside6-lrelease not found (run scripts/setup.sh)" >&2; exit 1; }

dir=resources/translations
if [ "${1:-}" = "--update" ]; then
    [ -x "$lupdate" ] || lupdate="$(command -v pyside6-lupdate)"
    # counter_*.ts: the counter window. Other catalogues (e.g. the back office's) are kept
    # by their own maintainers from their own sources; every *.ts is compiled below.
    sources=(counter_app/app.py counter_app/embedded.py
             $(find counter_app/ui -name '*.py' -not -path 'counter_app/ui/backoffice/*' | sort))
    for ts in "$dir"/counter_*.ts; do
        "$lupdate" -no-obsolete -locations none "${sources[@]}" -ts "$ts" >/dev/null
    done
fi

status=0
for ts in "$dir"/*.ts; do
    qm="${ts%.ts}.qm"
    if ! "$lrelease" -silent "$ts" -qm "$qm"; then
        echo "build-translations: failed to compile $ts" >&2
        status=1
    fi
done
[ "$status" = 0 ] && echo "build-translations: $(ls "$dir"/*.qm | wc -l) translation(s) in $dir"
exit "$status"
