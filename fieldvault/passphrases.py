"""Reading secrets for the command line: from a file descriptor or the terminal,
never from an argument or the environment (both leak into process listings and
shell history)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys

from db.api import (
    MIN_PASSPHRASE_CHARS,
    Argon2Params,
    FieldvaultError,
    WeakPassphrase,
    require_acceptable_passphrase,
    suggest_passphrase,
)

# A few passphrases and a recovery key, one per line, are well under this; a
# descriptor giving more is not a passphrase file (a wrong fd, a big file).
MAX_SECRETS_BYTES = 64 * 1024
# Descriptor numbers are C ints; anything larger cannot be open.
MAX_FD = 2**31 - 1


def fd_number(text: str) -> int:
    """``--passphrase-fd N``: a file descriptor number (argparse type)."""
    if not text.isascii() or not text.isdigit() or int(text) > MAX_FD:
        raise argparse.ArgumentTypeError("must be the number of an open file descriptor (0 or more)")
    return int(text)


def _read_bounded(fd: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_SECRETS_BYTES:
        chunk = os.read(fd, MAX_SECRETS_BYTES + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class SecretSource:
    """Hands out secrets in order: line 1, line 2… of ``--passphrase-fd``, or
    prompts on the terminal."""

    def __init__(self, fd: int | None) -> None:
        self._lines: list[str] | None = None
        if fd is not None:
            try:
                data = _read_bounded(fd)
            except OSError as err:
                raise FieldvaultError(f"Cannot read file descriptor {fd}: {err.strerror}.") from None
            if len(data) > MAX_SECRETS_BYTES:
                raise FieldvaultError(
                    f"File descriptor {fd} gives more than {MAX_SECRETS_BYTES // 1024} KiB: "
                    "not a passphrase per line. Nothing was read as a secret."
                )
            try:
                self._lines = data.decode("utf-8").splitlines()
            except UnicodeDecodeError:
                raise FieldvaultError(f"The secrets on file descriptor {fd} are not UTF-8 text.") from None

    def next(self, prompt: str, *, confirm: bool = False) -> str:
        if self._lines is not None:
            if not self._lines:
                raise FieldvaultError("--passphrase-fd ran out of lines for: " + prompt.rstrip(": "))
            return self._lines.pop(0)
        if not sys.stdin.isatty():
            raise FieldvaultError("No terminal to ask for a passphrase on; use --passphrase-fd N.")
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat: ") != first:
            raise FieldvaultError("The two entries differ; nothing was changed.")
        return first


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise FieldvaultError(f"A passphrase needs at least {MIN_PASSPHRASE_CHARS} characters.")
    return passphrase


def check_strong_passphrase(passphrase: str, argon2: Argon2Params) -> str:
    """The new passphrase of ``init``, ``passwd`` and ``recover`` must pass the
    rule (db/passphrase_policy.py). Refused, a terminal user is offered a
    passphrase of random words (on the terminal only: never into a pipe or a log)."""
    try:
        require_acceptable_passphrase(passphrase, argon2)
    except WeakPassphrase:
        if sys.stderr.isatty():
            with contextlib.suppress(RuntimeError):  # no word list: no suggestion
                print(
                    "A suggestion (six words drawn at random; take it or make your own): "
                    + suggest_passphrase(),
                    file=sys.stderr,
                )
        raise
    return passphrase
