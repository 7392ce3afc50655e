"""Looking for witness text in plaintext on disk: the canary tests of the CLI,
the GUI and a field worker's day share these."""

from __future__ import annotations

import os
from pathlib import Path

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")


def encodings(canary: str) -> list[bytes]:
    """The canary's bytes in every encoding an editor or a toolkit might write."""
    return [canary.encode(encoding) for encoding in ENCODINGS]


def files_containing(roots: list[Path], needles: list[bytes], newer_than: float = 0.0) -> list[str]:
    """Each regular file under ``roots`` (links not followed, files modified before
    ``newer_than`` skipped) holding any needle, with the needle's first bytes."""
    found = []
    for root in roots:
        for path in _files_under(root):
            try:
                if not path.is_file() or path.is_symlink() or path.stat().st_mtime < newer_than:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            found += [f"{path} ({needle[:8]!r}…)" for needle in needles if needle in data]
    return found


def _files_under(root: Path) -> list[Path]:
    """Every name under root. os.walk skips a folder that vanishes mid-walk
    (another test's temporary folder under /tmp), where Path.rglob raises."""
    return [Path(folder) / name for folder, _dirs, names in os.walk(root) for name in names]
