"""``fieldvault org hand-over`` (docs/cli.md; docs/bundle-format.md §10):
the real command at the Kyiv desk writes its history for the Lviv desk,
added since, onto a stick; Lviv's ``fieldvault bundle import`` takes it,
and Lviv then holds the worker's work that Kyiv took before Lviv joined.
A device that is not a coordinator of the profile gets nothing. Real
vaults, the real ``fieldvault`` command, a folder for the stick."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import UsbDesks, ack_by_usb, heads_hash, stored_bytes
from tests.sync.desk_world import usb_desks as desks
from tests.vault_helpers import PASSPHRASE, open_vault

__all__ = ["desks"]  # the fixture


def test_org_hand_over_reaches_the_new_desk(desks: UsbDesks, tmp_path: Path) -> None:
    field = desks.worker("field")
    made = desks.org.export(field.vault)  # to Kyiv and Lviv: Lviv never gets this stick
    desks.org.import_(made.path)
    ack_by_usb(desks.kyiv, field.vault, made.bundle_id)
    kyiv_heads = heads_hash(desks.kyiv)
    kyiv_folder, lviv_folder, lviv_id = desks.kyiv.folder, desks.lviv.folder, desks.lviv.device_id
    desks.kyiv.lock()
    desks.lviv.lock()
    env = child_env(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()

    handed = Cli(kyiv_folder, env).json(
        "org", "hand-over", "--to-device", lviv_id, "--to", str(stick), secrets=[PASSPHRASE]
    )
    assert handed["device_id"] == lviv_id and handed["chains"] == 1 and handed["blobs"] == 1
    assert handed["received"] >= 1 and handed["withheld"] == []
    assert Path(handed["bundle"]).parent == stick
    printed = Cli(lviv_folder, env).run("bundle", "import", handed["bundle"], secrets=[PASSPHRASE])
    assert "refused" not in printed.stdout, printed.stdout

    lviv = open_vault(lviv_folder)
    try:
        assert heads_hash(lviv) == kyiv_heads
        assert stored_bytes(lviv, field.data) == field.data
        assert lviv.sync.received_bundle(made.bundle_id) is not None  # the worker's bundle: a replay now
        report = lviv.verify()
        assert report.ok, report.problems
    finally:
        lviv.lock()


def test_org_hand_over_to_a_field_worker_writes_nothing(desks: UsbDesks, tmp_path: Path) -> None:
    field = desks.worker("field")
    kyiv_folder = desks.kyiv.folder
    desks.kyiv.lock()
    stick = tmp_path / "stick"
    stick.mkdir()
    refused = Cli(kyiv_folder, child_env(tmp_path)).run(
        "org",
        "hand-over",
        "--to-device",
        field.vault.device_id,
        "--to",
        str(stick),
        secrets=[PASSPHRASE],
        check=False,
    )
    assert refused.returncode == 1, refused.stderr
    assert field.vault.device_id in refused.stderr
    assert list(stick.iterdir()) == []
