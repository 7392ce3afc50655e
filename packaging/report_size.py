"""The one-folder build's size and its largest contributors (`make package`).

    python packaging/report_size.py dist/fieldvault [LIMIT_MB]

Contributors are grouped by their first folder under _internal/ (a Python
package with its libraries, e.g. PySide6, av.libs), or the file itself.
LIMIT_MB is a target to report against (issue 16: under 250 MB), not a gate."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

MB = 1024 * 1024
TOP = 15  # contributors listed


def main(folder: Path, limit_mb: float | None) -> int:
    sizes: Counter[str] = Counter()
    total = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        parts = path.relative_to(folder).parts
        group = "/".join(parts[:2]) if parts[0] == "_internal" and len(parts) > 2 else "/".join(parts)
        if parts[:3] == ("_internal", "PySide6", "Qt") and len(parts) > 4:
            group = "/".join(parts[:4])  # Qt/lib, Qt/plugins, Qt/translations
        sizes[group] += size
    verdict = ""
    if limit_mb is not None:
        over = total / MB - limit_mb
        verdict = f" (target under {limit_mb:.0f} MB: " + (f"over by {over:.0f} MB)" if over > 0 else "met)")
    print(f"{folder}: {total / MB:.0f} MB{verdict}; largest contributors:")
    for group, size in sizes.most_common(TOP):
        print(f"  {size / MB:7.1f} MB  {group}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else None))
