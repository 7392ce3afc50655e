"""``fieldvault org hand-over`` when the history is split over several
bundles (docs/cli.md; docs/bundle-format.md §10 "Size"): the command writes
every part, says so and lists them in the order to import them, and Lviv's
``bundle import`` of those files in that order takes the whole history. A
``--to-device`` that is not another coordinator desk is refused naming the
id. The command runs in this process (``run_cli``) so that the part limit
can be lowered; real vaults, a folder for the stick."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fieldvault.cli import run_cli
from sync.bundle import hand_over as hand_over_module
from tests.sync.desk_world import UsbDesks, ack_by_usb, heads_hash
from tests.sync.desk_world import usb_desks as desks
from tests.vault_helpers import PASSPHRASE, open_vault

__all__ = ["desks"]  # the fixture


def _fieldvault(folder: Path, *argv: str) -> int:
    """``fieldvault --vault FOLDER --passphrase-fd N ARGV`` in this process."""
    read, write = os.pipe()
    os.write(write, f"{PASSPHRASE}\n".encode())
    os.close(write)
    try:
        return run_cli(["--vault", str(folder), "--passphrase-fd", str(read), *argv])
    finally:
        os.close(read)


def test_org_hand_over_writes_every_part_and_says_so(
    desks: UsbDesks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    desks.org.import_(made.path)
    ack_by_usb(desks.kyiv, field.vault, made.bundle_id)
    kyiv_heads = heads_hash(desks.kyiv)
    kyiv_folder, lviv_folder, lviv_id = desks.kyiv.folder, desks.lviv.folder, desks.lviv.device_id
    desks.kyiv.lock()
    desks.lviv.lock()
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 2)

    assert _fieldvault(kyiv_folder, "org", "hand-over", "--to-device", lviv_id, "--to", str(stick)) == 0
    said = capsys.readouterr().out
    files = said.split("fieldvault bundle import ", 1)[1].split()
    assert len(files) >= 3 and f"{len(files)} bundles in {stick}" in said
    assert sorted(files) == sorted(str(p) for p in stick.iterdir())

    assert (
        _fieldvault(kyiv_folder, "--json", "org", "hand-over", "--to-device", lviv_id, "--to", str(stick))
        == 0
    )
    again = json.loads(capsys.readouterr().out)
    assert len(again["parts"]) == len(files) and again["bundle"] == again["parts"][-1]["bundle"]

    assert _fieldvault(lviv_folder, "bundle", "import", *files) == 0
    lviv = open_vault(lviv_folder)
    try:
        assert heads_hash(lviv) == kyiv_heads
        assert lviv.sync.received_bundle(made.bundle_id) is not None
        report = lviv.verify()
        assert report.ok, report.problems
    finally:
        lviv.lock()


def test_org_hand_over_to_a_device_that_is_no_coordinator_names_it(
    desks: UsbDesks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    field = desks.worker("field")
    kyiv_folder = desks.kyiv.folder
    desks.kyiv.lock()
    stick = tmp_path / "stick"
    stick.mkdir()
    device_id = field.vault.device_id
    assert _fieldvault(kyiv_folder, "org", "hand-over", "--to-device", device_id, "--to", str(stick)) == 1
    said = capsys.readouterr().err
    assert f"--to-device {device_id} is not a coordinator desk" in said and "org add-coordinator" in said
    assert list(stick.iterdir()) == []
