"""Refresh resources/translations/fieldvault_uk.ts from the code, then fill
new entries from resources/translations/pending/*.tsv (context, source,
translation per line, tab-separated).

    .venv/bin/python scripts/update_translations.py
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TS_FILE = REPO / "resources" / "translations" / "fieldvault_uk.ts"
PENDING = REPO / "resources" / "translations" / "pending"


def pending_translations() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for path in sorted(PENDING.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                sys.exit(f"{path.name}:{number}: expected context, source, translation separated by tabs")
            context, source, translation = parts
            found[(context, source.replace("\\n", "\n"))] = translation.replace("\\n", "\n")
    return found


def main() -> int:
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    # The files git knows: a module still being written elsewhere in the work
    # tree does not leak half-done strings into the committed .ts.
    listed = subprocess.run(
        ["git", "ls-files", "desktop/*.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    sources = sorted(str(REPO / name) for name in listed)
    subprocess.run([str(lupdate), "-no-obsolete", "-silent", *sources, "-ts", str(TS_FILE)], check=True)
    known = pending_translations()
    tree = ET.parse(TS_FILE)  # noqa: S314 - our own file, in our repository
    missing = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type") != "unfinished":
                continue
            source = message.findtext("source") or ""
            key = (name or "", source)
            if key not in known:
                missing.append(key)
                continue
            if message.get("numerus") == "yes":
                for child in list(translation):
                    translation.remove(child)
                translation.text = None
                for form in known[key].split("|"):
                    ET.SubElement(translation, "numerusform").text = form
            else:
                translation.text = known[key]
            del translation.attrib["type"]
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    TS_FILE.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n{body}\n', encoding="utf-8")
    for context, source in missing:
        print(f"untranslated: [{context}] {source!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
