"""``fieldvault bundle export`` at a coordinator desk says what it left out
(docs/cli.md ``bundle export``; docs/sync.md §2.3): the revisions signed by
a device the organisation revoked (``ExportedBundle.withheld``), counted on
the printed line and listed by id with ``--json``. Before, the command said
nothing of them, and the bundle looked like everything the desk held.

Real vaults, the real ``fieldvault`` command, bundles through a folder
standing for a USB stick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync import org_vault
from tests.cli_helpers import Cli, child_env
from tests.sync.test_coordinator_vouching import Desks
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    made = Desks(tmp_path)
    yield made
    made.close()


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    return child_env(tmp_path)


def test_bundle_export_prints_the_revisions_withheld_for_a_revoked_signer(
    desks: Desks, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)  # Kyiv holds the worker's work, by USB
    worker_revisions = sorted(
        r.revision_id for r in desks.kyiv.revisions.since(0, 10_000) if r.device_id == field.vault.device_id
    )
    assert worker_revisions
    org_vault.revoke_device(desks.kyiv, field.vault.device_id)
    kyiv_folder = desks.kyiv.folder
    desks.kyiv.lock()
    cli = Cli(kyiv_folder, isolated_env)
    stick = tmp_path / "stick"
    stick.mkdir()

    printed = cli.run("bundle", "export", "--to", str(stick), secrets=[PASSPHRASE])
    count = len(worker_revisions)
    assert printed.stdout.rstrip().endswith(
        f"; {count} revision(s) withheld (signed by a revoked device, or edits of its records)"
    ), printed.stdout
    made = cli.json("bundle", "export", "--to", str(stick), secrets=[PASSPHRASE])
    assert sorted(made["withheld"]) == worker_revisions


def test_bundle_export_of_a_field_worker_withholds_nothing(
    desks: Desks, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    field = desks.worker("field")
    folder = field.vault.folder
    field.vault.lock()
    stick = tmp_path / "stick"
    stick.mkdir()
    cli = Cli(folder, isolated_env)
    printed = cli.run("bundle", "export", "--to", str(stick), secrets=[PASSPHRASE])
    assert "withheld" not in printed.stdout
    made = cli.json("bundle", "export", "--to", str(stick), secrets=[PASSPHRASE])
    assert made["withheld"] == []
