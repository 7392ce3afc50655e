"""``fieldvault passwd``, ``recover`` and ``duress`` unlock the vault, and the
unlock clears what interrupted exports left (db/partial_exports.py): like
every other command they say so on stderr (docs/exports.md, "Crashes";
review 6, F5). Before, they cleared the record and the copy silently.

The crash is the record an export makes before its first byte (``begin``,
``identify``) left in the vault with the copy beside it: what a kill
during an export leaves (tests/sync/exports/test_export_custody_and_crash.py
kills a real one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tests.vault_helpers import PASSPHRASE, open_vault

NEW = "second passphrase of the field worker"


def _interrupted_export(cli: Cli, folder: Path) -> Path:
    partial = folder / ".Case report.pdf.partial-0123456789abcdef"
    with open_vault(cli.vault) as vault:
        token = vault.exports_in_progress.begin(partial)
        partial.write_bytes(b"%PDF- the unfinished plaintext")
        vault.exports_in_progress.identify(token, partial)
    return partial  # never finished: the program stopped during the export


@pytest.mark.parametrize("command", ["passwd", "recover", "duress"])
def test_the_commands_that_change_keys_tell_what_the_unlock_removed(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    recovery_key = cli.create_fast(PASSPHRASE)
    partial = _interrupted_export(cli, tmp_path)
    argv, secrets = {
        "passwd": (["passwd"], [PASSPHRASE, NEW]),
        "recover": (["recover", "--no-keyring"], [recovery_key, NEW]),
        "duress": (["duress", "set"], [PASSPHRASE, "coerced passphrase"]),
    }[command]
    result = cli.run(*argv, secrets=secrets)
    assert f"its unfinished copy {partial} held plaintext and was removed" in result.stderr
    assert not partial.exists()
