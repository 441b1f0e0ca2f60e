#!/usr/bin/env bash
# Keep the Qt Linguist translations in step with the GUI code.
#
#   scripts/update_translations.sh            re-extract strings (existing translations are kept),
#                                             then report what is untranslated
#   scripts/update_translations.sh --release  only compile resources/translations/*.ts -> .qm
#                                             (build time; .qm files are git-ignored)
#
# Extraction runs pyside6-lupdate over facecurator/gui/*.py into
# resources/translations/facecurator_<lang>.ts (no source locations, so diffs stay small;
# messages that left the code are dropped). Translate new messages with pyside6-linguist
# (or any .ts editor), then run this again: exit status 1 while any message is untranslated.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"
TOOLS="$("$PY" -c 'import pathlib, PySide6; print(pathlib.Path(PySide6.__file__).parent)')"
LUPDATE="$TOOLS/lupdate"
LRELEASE="$TOOLS/lrelease"
[ -x "$LUPDATE" ] || LUPDATE="$(command -v pyside6-lupdate)"
[ -x "$LRELEASE" ] || LRELEASE="$(command -v pyside6-lrelease)"

TS_DIR=resources/translations
LANGUAGES=(zh_CN)

if [ "${1:-}" = "--release" ]; then
  for lang in "${LANGUAGES[@]}"; do
    "$LRELEASE" -silent "$TS_DIR/facecurator_$lang.ts" -qm "$TS_DIR/facecurator_$lang.qm"
    echo "compiled $TS_DIR/facecurator_$lang.qm"
  done
  exit 0
fi

mkdir -p "$TS_DIR"
for lang in "${LANGUAGES[@]}"; do
  "$LUPDATE" -silent -no-obsolete -locations none -target-language "$lang" \
    facecurator/gui/*.py -ts "$TS_DIR/facecurator_$lang.ts"
done

status=0
"$PY" - "${LANGUAGES[@]}" <<'EOF' || status=1
import sys
import xml.etree.ElementTree as ET

missing_total = 0
for lang in sys.argv[1:]:
    path = f"resources/translations/facecurator_{lang}.ts"
    root = ET.parse(path).getroot()
    total = 0
    missing = []
    for context in root.iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            total += 1
            translation = message.find("translation")
            forms = [f.text for f in translation.findall("numerusform")] or [translation.text]
            if translation.get("type") == "unfinished" or not all(forms):
                missing.append(f"  [{name}] {message.findtext('source')}")
    print(f"{path}: {total - len(missing)} of {total} messages translated")
    for line in missing:
        print(line)
    missing_total += len(missing)
sys.exit(1 if missing_total else 0)
EOF

echo "visible strings not marked for translation:"
"$PY" scripts/find_untranslated_strings.py || true
exit "$status"
