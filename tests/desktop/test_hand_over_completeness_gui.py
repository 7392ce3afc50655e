"""Coordinator → Devices… at a desk added later names the desk whose history
hand-over did not bring a revision the worker's own signed manifest names
(docs/bundle-format.md §10 "Completeness against the workers' signatures";
the import side in tests/sync/test_hand_over_completeness.py, whose scene
this reuses: Kyiv's real writer, one testimony of W filtered out of its
walk, signed with Kyiv's key). Before, nothing at Rivne said so. In English
and in Ukrainian. And a bundle whose entry came without the worker's
manifest (stripped here by the dishonest maker) is said to be unchecked,
naming that desk: before, it was silently unchecked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.devices_view import DevicesDialog
from sync.bundle.hand_over import hand_over
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.test_hand_over_completeness import Scene, _dropping, _stripping, scene

__all__ = ["scene"]  # the fixture


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _dropped_and_handed_over(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, *, stripped: bool = False
) -> DevicesDialog:
    _dropping(monkeypatch, scene.testimony_revision)
    if stripped:
        _stripping(monkeypatch, 2)  # the manifest that would show the drop, left off
    scene.to_rivne(hand_over(scene.kyiv, scene.stick("stick"), scene.rivne.device_id).path)
    return shown_devices(qtbot, scene.rivne)


def test_the_devices_view_names_the_desk_whose_hand_over_did_not_bring_it(
    qtbot: QtBot, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = _dropped_and_handed_over(scene, monkeypatch, qtbot)
    worker, kyiv = scene.worker.vault.device_id, scene.kyiv.device_id
    said = [text for text in dialog.full_warnings(worker) if "did not come" in text]
    assert len(said) == 1, dialog.full_warnings(worker)
    assert said[0].startswith("1 record change(s) that this device's own signed bundles name did not come")
    assert f"({kyiv})" in said[0] and "devices parked" in said[0]
    # The Warning column says it on the worker's row alone.
    warned = [cells[dialog.WARNING_COLUMN] for cells in dialog.row_texts() if cells[dialog.WARNING_COLUMN]]
    assert warned == ["⚠ 1 not handed over"]
    dialog.choose(worker)
    assert said[0] in dialog.details.text()
    screenshot(dialog, "coordinator-devices-not-handed-over.png")
    dialog.done(0)


def test_the_devices_view_says_it_in_ukrainian(
    qtbot: QtBot, scene: Scene, monkeypatch: pytest.MonkeyPatch, ukrainian: None
) -> None:
    dialog = _dropped_and_handed_over(scene, monkeypatch, qtbot)
    worker, kyiv = scene.worker.vault.device_id, scene.kyiv.device_id
    said = [text for text in dialog.full_warnings(worker) if kyiv in text]
    assert len(said) == 1, dialog.full_warnings(worker)
    assert "не надійш" in said[0] and "did not come" not in said[0], said[0]
    dialog.choose(worker)
    screenshot(dialog, "coordinator-devices-not-handed-over-uk.png")
    dialog.done(0)


def test_a_stripped_manifest_is_said_unchecked_naming_the_desk(
    qtbot: QtBot, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = _dropped_and_handed_over(scene, monkeypatch, qtbot, stripped=True)
    worker, kyiv = scene.worker.vault.device_id, scene.kyiv.device_id
    said = [text for text in dialog.full_warnings(worker) if kyiv in text]
    assert len(said) == 1, dialog.full_warnings(worker)
    assert said[0].startswith("1 of this device's bundles came with the history hand-over"), said[0]
    assert "were not checked" in said[0] and "devices parked" in said[0]
    warned = [cells[dialog.WARNING_COLUMN] for cells in dialog.row_texts() if cells[dialog.WARNING_COLUMN]]
    assert warned == ["⚠ 1 bundle(s) not checked"]
    dialog.choose(worker)
    assert said[0] in dialog.details.text()
    dialog.done(0)


def test_unchecked_is_said_in_ukrainian(
    qtbot: QtBot, scene: Scene, monkeypatch: pytest.MonkeyPatch, ukrainian: None
) -> None:
    dialog = _dropped_and_handed_over(scene, monkeypatch, qtbot, stripped=True)
    worker, kyiv = scene.worker.vault.device_id, scene.kyiv.device_id
    said = [text for text in dialog.full_warnings(worker) if kyiv in text]
    assert len(said) == 1, dialog.full_warnings(worker)
    assert "не перевірено" in said[0] and "not checked" not in said[0], said[0]
    warned = [cells[dialog.WARNING_COLUMN] for cells in dialog.row_texts() if cells[dialog.WARNING_COLUMN]]
    assert warned == ["⚠ Пакетів не перевірено: 1"]
    dialog.done(0)
