"""``fieldvault bundle export`` at a coordinator desk says truly what its
count of withheld revisions holds (docs/cli.md ``bundle export``): since
53ff9cb not only the revisions a revoked device signed, but also the desk's
own edits of that device's records (their parent is withheld, so they go
with it). The line said "signed by a device the organisation revoked" of
all of them, the desk's edit included.

Real vaults, the real ``fieldvault`` command, bundles through a folder
standing for a USB stick."""

from __future__ import annotations

from pathlib import Path

from sync import org_vault
from tests.cli_helpers import Cli
from tests.sync.client.test_sync_cli import _env
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.vault_helpers import PASSPHRASE

__all__ = ["usb_desks"]  # the fixture

WORDING = "revision(s) withheld (signed by a revoked device, or edits of its records)"


def test_the_export_line_counts_the_desks_edits_of_a_revoked_devices_records(
    usb_desks: UsbDesks, tmp_path: Path
) -> None:
    desks = usb_desks
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)  # Kyiv holds the worker's work, by USB
    worker_revisions = {
        r.revision_id for r in desks.kyiv.revisions.since(0, 10_000) if r.device_id == field.vault.device_id
    }
    [testimony] = desks.kyiv.testimonies.list()
    desk_edit = desks.kyiv.testimonies.edit(testimony.id, title="checked at the Kyiv desk").revision
    org_vault.revoke_device(desks.kyiv, field.vault.device_id)
    folder = desks.kyiv.folder
    desks.kyiv.lock()
    cli = Cli(folder, _env(tmp_path))
    stick = tmp_path / "stick"
    stick.mkdir()

    printed = cli.run("bundle", "export", "--to", str(stick), secrets=[PASSPHRASE]).stdout.rstrip()
    withheld = worker_revisions | {desk_edit}  # the desk's edit is counted with them
    assert printed.endswith(f"; {len(withheld)} {WORDING}"), printed
    made = cli.json("bundle", "export", "--to", str(stick), secrets=[PASSPHRASE])
    assert set(made["withheld"]) == withheld  # --json as before: the ids
