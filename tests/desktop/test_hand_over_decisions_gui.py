"""Coordinator → Devices… at a desk added later names what another desk said,
in its history hand-over, it kept out of the worker's revisions
(docs/bundle-format.md §10 "The maker's decisions"; the import side in
tests/sync/test_hand_over_decisions.py, whose scene this reuses: Kyiv parked
W's edit and set it aside, then handed over to Rivne). Before, nothing at
Rivne said so. In English and in Ukrainian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from db.api import set_aside_parked
from desktop.devices_view import DevicesDialog
from sync.bundle.hand_over import hand_over
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.test_hand_over_decisions import Scene, scene

__all__ = ["scene"]  # the fixture


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _set_aside_and_handed_over(qtbot: QtBot, scene: Scene) -> DevicesDialog:
    set_aside_parked(scene.kyiv, revision_ids=[scene.edit.revision_id])
    scene.to_rivne(hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id).path)
    return shown_devices(qtbot, scene.rivne)


def test_the_devices_view_names_the_desk_that_kept_the_workers_revision_out(
    qtbot: QtBot, scene: Scene
) -> None:
    dialog = _set_aside_and_handed_over(qtbot, scene)
    worker, kyiv = scene.worker.vault.device_id, scene.kyiv.device_id
    said = [text for text in dialog.full_warnings(worker) if "kept out" in text]
    assert len(said) == 1, dialog.full_warnings(worker)
    assert said[0].startswith("1 record change(s) it signed were kept out (left out or set aside)")
    assert f"({kyiv})" in said[0] and "decides them itself" in said[0]
    dialog.choose(worker)
    assert said[0] in dialog.details.text()
    screenshot(dialog, "coordinator-devices-kept-out-elsewhere.png")
    dialog.done(0)


def test_the_devices_view_says_it_in_ukrainian(qtbot: QtBot, scene: Scene, ukrainian: None) -> None:
    dialog = _set_aside_and_handed_over(qtbot, scene)
    worker, kyiv = scene.worker.vault.device_id, scene.kyiv.device_id
    said = [text for text in dialog.full_warnings(worker) if kyiv in text]
    assert len(said) == 1, dialog.full_warnings(worker)
    assert "не прийняло" in said[0] and "kept out" not in said[0], said[0]
    dialog.choose(worker)
    screenshot(dialog, "coordinator-devices-kept-out-elsewhere-uk.png")
    dialog.done(0)
