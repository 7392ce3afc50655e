"""Reading secrets for the command line: from a file descriptor or the terminal,
never from an argument or the environment (both leak into process listings and
shell history)."""

from __future__ import annotations

import getpass
import os
import sys

from db.errors import FieldvaultError
from db.keys import MIN_PASSPHRASE_CHARS


class SecretSource:
    """Hands out secrets in order: line 1, line 2… of ``--passphrase-fd``, or
    prompts on the terminal."""

    def __init__(self, fd: int | None) -> None:
        self._lines: list[str] | None = None
        if fd is not None:
            try:
                with os.fdopen(fd, "r", encoding="utf-8", closefd=False) as stream:
                    self._lines = stream.read().splitlines()
            except OSError as err:
                raise FieldvaultError(f"Cannot read file descriptor {fd}: {err.strerror}.") from None

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
