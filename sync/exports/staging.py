"""Where an export is written, and how it becomes whole at once.

Every export is first written under a partial name beside its final one,
``.<name>.partial-<16 hex>`` (a hidden name that says it is not finished),
in the folder the user chose, and renamed to its final name only once it is
complete. A cancel or a failure removes the partial file or folder (ours:
we created it, mode 0600/0700). The final name is never replaced: if
something appeared there meanwhile the export fails and the partial copy
is removed. A crash (power cut, kill -9) can leave the partial copy behind:
so its path is recorded inside the vault before it is created
(``vault.exports_in_progress``, db/partial_exports.py) and the record goes
when the export ends; the next unlock finds what a crash left, removes it
when it is ours and tells the user (docs/exports.md, "Crashes").
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from db.api import InvalidInput, OperationCancelled, StorageError

PARTIAL_MARK = ".partial-"
_CREATE_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)


def default_name(case_id: str, kind: str, suffix: str = "") -> str:
    """``fieldvault-case-<first 8 of the id>-<kind>-<UTC time>[suffix]``: names
    ids and a time, never a case title (a title can name a place or a person)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"fieldvault-case-{case_id[:8]}-{kind}-{stamp}{suffix}"


def choose_target(destination: Path, name: str) -> Path:
    """The path an export takes: ``destination`` itself when nothing is there
    (its folder must exist), or ``name`` inside it when it is a folder.
    Refuses a symbolic link and anything that exists: nothing is replaced."""
    destination = Path(destination)
    if destination.is_dir() and not destination.is_symlink():
        destination = destination / name
    try:
        found = destination.lstat()
    except FileNotFoundError:
        if not destination.parent.is_dir():
            raise InvalidInput(
                f"Cannot export to {destination}: its folder does not exist.",
                "export-target-unusable",
                path=str(destination),
                errno=errno.ENOENT,
            ) from None
        return destination
    except OSError as err:
        raise InvalidInput(
            f"Cannot export to {destination}: {err.strerror}.",
            "export-target-unusable",
            path=str(destination),
            errno=err.errno,
        ) from None
    if stat.S_ISLNK(found.st_mode):
        raise InvalidInput(
            f"{destination} is a symbolic link; an export never writes through one. Choose another name.",
            "export-target-symlink",
            path=str(destination),
        )
    raise InvalidInput(
        f"{destination} already exists; choose another name.", "export-target-exists", path=str(destination)
    )


class ExportRecord(Protocol):
    """Where the partial copies under way are recorded (``vault.exports_in_progress``)."""

    def begin(self, partial: Path) -> str: ...

    def identify(self, token: str, partial: Path) -> None: ...

    def finish(self, token: str) -> None: ...


def partial_path(target: Path) -> Path:
    return target.with_name(f".{target.name}{PARTIAL_MARK}{secrets.token_hex(8)}")


def check_cancel(cancel: object | None) -> None:
    """Raise OperationCancelled when ``cancel`` (a db.api CancelToken) is set."""
    if cancel is not None and getattr(cancel, "cancelled", False):
        raise OperationCancelled("Export cancelled; nothing was kept.")


@contextlib.contextmanager
def partial_folder(target: Path, record: ExportRecord) -> Iterator[Path]:
    """A new private folder beside ``target``, recorded in ``record`` before
    it exists; removed on any exception (including a cancel and Ctrl+C),
    renamed to ``target`` by ``commit_folder``; the record goes either way."""
    with _recorded(target, record, lambda partial: partial.mkdir(mode=0o700)) as partial:
        yield partial


@contextlib.contextmanager
def partial_file(target: Path, record: ExportRecord) -> Iterator[Path]:
    """A new private (0600) empty file beside ``target``, recorded like
    ``partial_folder``'s; removed on any exception."""
    with _recorded(
        target, record, lambda partial: os.close(os.open(partial, _CREATE_FLAGS, 0o600))
    ) as partial:
        yield partial


@contextlib.contextmanager
def _recorded(target: Path, record: ExportRecord, create: Callable[[Path], None]) -> Iterator[Path]:
    """The partial path, recorded in the vault before ``create`` makes it and
    identified (device, inode) once made, before the caller writes a byte: a
    crash then leaves a record the next unlock acts on. The record goes when
    the export took its name or its partial copy was removed."""
    partial = partial_path(target)
    token = record.begin(partial)
    try:
        try:
            create(partial)
        except OSError as err:
            raise StorageError(f"export to {target.name}", err) from err
        try:
            record.identify(token, partial)
            yield partial
        except BaseException:
            remove_partial(partial)
            raise
    finally:
        record.finish(token)


def remove_partial(partial: Path) -> None:
    """Remove a partial copy this export created (a folder or a file); never
    follows a link out of it."""
    with contextlib.suppress(FileNotFoundError):
        if partial.is_dir() and not partial.is_symlink():
            shutil.rmtree(partial)
        else:
            partial.unlink()


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` to disk before the rename
    that makes the export look complete."""
    for root, dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(Path(root) / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for name in dirs:
            _fsync_dir(Path(root) / name)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit_folder(partial: Path, target: Path) -> None:
    """Give the finished folder its name, never replacing anything there."""
    fsync_tree(partial)
    _rename_no_replace(partial, target)


def commit_file(partial: Path, target: Path) -> None:
    """Give the finished file its name; a file that appeared at ``target``
    meanwhile is never replaced (a hard link fails if the name exists)."""
    fd = os.open(partial, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(partial, target, follow_symlinks=False)
    except FileExistsError:
        _exists(target)
    except OSError:
        # No hard links (FAT on a USB stick): a rename after the check.
        _rename_no_replace(partial, target)
        return
    partial.unlink()
    with contextlib.suppress(OSError):
        _fsync_dir(target.parent)


def _rename_no_replace(partial: Path, target: Path) -> None:
    # POSIX rename() replaces an empty folder or a file: check just before.
    # (A name made in the microseconds between would be replaced if it is an
    # empty folder or a file; Linux's RENAME_NOREPLACE is not in the stdlib.)
    if os.path.lexists(target):
        _exists(target)
    try:
        partial.rename(target)
    except OSError as err:
        raise StorageError(f"export to {target.name}", err) from err
    with contextlib.suppress(OSError):
        _fsync_dir(target.parent)


def _exists(target: Path) -> None:
    raise InvalidInput(
        f"{target} appeared while the export ran; it was left alone and nothing was kept.",
        "export-target-exists",
        path=str(target),
    )
