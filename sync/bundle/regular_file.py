"""Open a bundle or acknowledgement file someone handed us — a path on a
stick, a held bundle's path, a command-line argument — for reading, only if
it is a regular file.

A plain ``open()`` of a named pipe (FIFO) blocks until a writer appears,
which for a FIFO on a stick is never: the Devices view's worker, an import,
``bundle verify`` would hang until the app ends (review 9, F8). A stick
formatted ext4 or btrfs can carry a FIFO or a device node; FAT and exFAT
cannot. So the path is opened with O_NONBLOCK (an open of a FIFO then
returns at once, and of a device does not wait for it), the descriptor is
checked with fstat — what was opened, not what the name pointed at a moment
before — and anything but a regular file is refused with
``NotARegularFile``, an OSError: every caller already reports an OSError as
a file that could not be read (``bundle import``: ``unreadable``; a held
bundle: its file is gone).

Symlinks are followed: a user may name a bundle through a link. What the
link leads to must still be a regular file (the fstat check is on the
opened file), so a link to a FIFO is refused like the FIFO."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

NOT_REGULAR = "Not a regular file (a named pipe, device or socket is not read)"


class NotARegularFile(OSError):
    """The path names a FIFO, a device, a socket: not read (it could block
    or have effects). ``strerror`` says so; ``filename`` is the path."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EINVAL, NOT_REGULAR, str(path))


def _refuse_unless_regular(mode: int, path: Path) -> None:
    if stat.S_ISDIR(mode):  # what open() said of a folder before
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise NotARegularFile(path)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for binary reading, positioned at its start, if it
    (or what its symlinks lead to) is a regular file; else NotARegularFile
    (IsADirectoryError for a folder) without having waited on it. Other
    OSErrors (missing, no permission) as ``open`` raises them."""
    # The name first: a device node is then not even opened (opening some
    # has effects), in all but a race with a swap, which fstat catches.
    _refuse_unless_regular(path.stat().st_mode, path)
    nonblock = getattr(os, "O_NONBLOCK", 0)  # none on Windows, which has no FIFOs in the file system
    # O_NOCTTY: a name swapped for a terminal in that race never becomes
    # the controlling terminal of a process that has none.
    no_ctty = getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | nonblock | no_ctty)
    try:
        _refuse_unless_regular(os.fstat(fd).st_mode, path)
        if nonblock:
            os.set_blocking(fd, True)  # reads as from any file (no effect on a regular file's reads)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
