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
        for path in _files_under(root, newer_than):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            found += [f"{path} ({needle[:8]!r}…)" for needle in needles if needle in data]
    return found


def _files_under(root: Path, newer_than: float) -> list[Path]:
    """Every regular file under root (not a link, not through one) modified at
    or after ``newer_than``. One ``lstat`` per file, from ``os.scandir``'s
    entries: a walk of a shared /tmp holding 400,000 files takes seconds, not
    a minute. A folder that vanishes mid-walk (another test's temporary
    folder under /tmp) is skipped, as is a file that does."""
    files: list[Path] = []
    folders = [root]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(Path(entry.path))
                    elif (
                        entry.is_file(follow_symlinks=False)
                        and entry.stat(follow_symlinks=False).st_mtime >= newer_than
                    ):
                        files.append(Path(entry.path))
                except OSError:
                    continue
    return files
