"""Coordinator → Devices… at a desk added later names the desk whose history
hand-over carried a photo's record but not its file (review 21 "Bytes-only
drop"; docs/bundle-format.md §10 "Completeness against the workers'
signatures"; the scene and the import side in
tests/sync/test_hand_over_files_dropped.py: Kyiv's real writer with the
photo's bytes filtered out, signed with Kyiv's key). Before, the worker's
row said nothing. In English and Ukrainian; a re-read of the worker's file
ends it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.devices_view import DevicesDialog
from sync.bundle.reread import reread_bundle
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.gui_helpers import in_ukrainian
from tests.sync.test_hand_over_files_dropped import Scene, scene

__all__ = ["scene"]  # the fixture


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _warned(dialog: DevicesDialog) -> list[str]:
    return [cells[dialog.WARNING_COLUMN] for cells in dialog.row_texts() if cells[dialog.WARNING_COLUMN]]


def test_the_workers_row_names_the_desk_that_did_not_bring_the_file(qtbot: QtBot, scene: Scene) -> None:
    dialog = shown_devices(qtbot, scene.rivne)
    worker, kyiv = scene.worker.vault.device_id, scene.kyiv.device_id
    said = [text for text in dialog.full_warnings(worker) if kyiv in text]
    assert len(said) == 1, dialog.full_warnings(worker)
    assert said[0].startswith(
        "1 evidence file(s) that this device's own signed bundles name did not come with the history "
        "hand-over from the coordinator desk "
    ), said[0]
    assert "their files are not (verify names them)" in said[0]
    assert "fieldvault bundle import --reread" in said[0] and "devices parked" in said[0]
    assert _warned(dialog) == ["⚠ 1 file(s) not handed over"]
    dialog.choose(worker)
    assert said[0] in dialog.details.text()
    dialog.done(0)
    # The worker's own file, re-read: the bytes are here and the row is quiet.
    reread_bundle(scene.rivne, scene.bundle, scene.rivne.vault_keys.age_identity(), org_id=scene.org.org_id)
    again = shown_devices(qtbot, scene.rivne)
    assert _warned(again) == []
    assert not [text for text in again.full_warnings(worker) if kyiv in text]
    again.done(0)


def test_it_is_said_in_ukrainian(qtbot: QtBot, scene: Scene, ukrainian: None) -> None:
    dialog = shown_devices(qtbot, scene.rivne)
    worker, kyiv = scene.worker.vault.device_id, scene.kyiv.device_id
    said = [text for text in dialog.full_warnings(worker) if kyiv in text]
    assert len(said) == 1, dialog.full_warnings(worker)
    assert "Файлів доказів" in said[0] and "--reread" in said[0] and "evidence file" not in said[0], said[0]
    assert _warned(dialog) == ["⚠ Файлів не передано: 1"]
    dialog.done(0)
