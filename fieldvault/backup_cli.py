"""``fieldvault backup --to DIR``: an encrypted copy of the whole vault
(docs/cli.md, docs/vault-format.md "Backups"). Parsing and wiring only; the
work is db/backup.py's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from db.api import Vault
from fieldvault.passphrases import SecretSource

Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class ProgressLine(Protocol):
    def __call__(self, done: int, total: int) -> None: ...

    def finish(self) -> None: ...


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...


def add_backup_parser(commands: Any) -> None:
    backup = commands.add_parser(
        "backup",
        help="an encrypted copy of the whole vault (itself a vault folder: same passphrase, same recovery key)",
    )
    backup.add_argument(
        "--to",
        required=True,
        type=Path,
        metavar="DIR",
        help="a new folder, or an existing one (a USB stick) to make a dated backup folder in; "
        "nothing there is overwritten",
    )


def cmd_backup(
    args: argparse.Namespace,
    out: Output,
    secrets: SecretSource,
    open_vault: Opener,
    progress_line: Callable[[str], ProgressLine],
) -> None:
    with open_vault(args, secrets) as vault:
        progress = progress_line("Backing up")
        result = vault.back_up(args.to, progress=progress)
        progress.finish()
    for blob_id in result.missing:
        print(
            f"evidence file {blob_id} was already missing from the vault and is not in the backup "
            "('fieldvault verify' lists it)",
            file=sys.stderr,
        )
    out.result(
        {
            "backup": str(result.path),
            "files": result.blobs,
            "bytes": result.bytes,
            "finished_at": result.finished_at,
            "missing": result.missing,
        },
        f"Backup written to {result.path} ({result.blobs} evidence files, {result.bytes} bytes, encrypted).\n"
        "It opens with this vault's passphrase or recovery key: "
        f"fieldvault --vault {result.path} verify",
    )
