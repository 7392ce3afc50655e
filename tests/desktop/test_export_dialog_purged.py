"""Vault → Export case… as BagIt, in a case one of whose items was
delivered and purged from this laptop (review 6, F2): the dialog says which
file is not in the package and why, in English and Ukrainian. Before, the
export failed whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.api import DeliveredBundle, EvidencePurge
from tests.desktop.test_export_dialog import CYRILLIC, export, open_dialog, window_on_case
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.exports.samples import SampleCase, sample_vault


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


@pytest.fixture
def case(vault_dir: Path, tmp_path: Path) -> Iterator[SampleCase]:
    """The export tests' sample case (tests/desktop/test_export_dialog.py's) (samples.sample_vault:
    a copy of one recorded once per test process)."""
    created, sample = sample_vault(vault_dir, tmp_path)
    yield sample
    created.vault.lock()


def _purge_one(case: SampleCase) -> str:
    vault = case.vault
    purged_id = case.item_ids[0]
    sha256 = vault.evidence.get(purged_id).sha256
    vault.sync.record_transfers([(purged_id, sha256)], bundle_id="bundle-1")
    EvidencePurge.of(vault).purge([DeliveredBundle("bundle-1", 7, "ab" * 32, (sha256,))])
    vault.lock()
    return purged_id


def _bag_from_the_dialog(qtbot, case: SampleCase, vault_dir: Path, tmp_path: Path) -> tuple[str, str]:
    purged_id = _purge_one(case)
    window = window_on_case(qtbot, vault_dir, case.case_id)
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_dialog(window, usb)
    bag = export(qtbot, dialog, "bagit")
    assert not (bag / "data" / "evidence" / purged_id).exists()
    text = dialog.status.text()
    screenshot(dialog, "export-dialog-purged-" + ("uk" if CYRILLIC.search(text) else "en") + ".png")
    return purged_id, text


def test_the_dialog_names_the_file_a_bag_lacks(
    qtbot, case: SampleCase, vault_dir: Path, tmp_path: Path
) -> None:
    purged_id, text = _bag_from_the_dialog(qtbot, case, vault_dir, tmp_path)
    assert "Not in the package: 1 evidence file(s) delivered to the organisation's server" in text
    assert f"({purged_id})" in text


def test_the_dialog_names_the_file_a_bag_lacks_in_ukrainian(
    qtbot,
    ukrainian: None,
    case: SampleCase,
    vault_dir: Path,
    tmp_path: Path,
) -> None:
    purged_id, text = _bag_from_the_dialog(qtbot, case, vault_dir, tmp_path)
    assert "Не в пакеті: файлів доказів — 1" in text and f"({purged_id})" in text
