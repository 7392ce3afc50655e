"""Coordinator → Hand over history… when this desk's history is past one
bundle's limits (desktop/hand_over_dialog.py; docs/bundle-format.md §10
"Size"): the dialog writes every part, lists the files in the order the new
desk imports them and says so, in English and in Ukrainian; Lviv's import
of those files in that order leaves it with Kyiv's heads. Real vaults, no
server, the part limit lowered (``MAX_PART_LINES``) so that the small
history of tests/desktop/test_hand_over_gui.py needs three parts or more."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sync.bundle import hand_over as hand_over_module
from tests.desktop.test_hand_over_gui import UKRAINIAN, LateDesk, _build, _write, open_hand_over
from tests.gui_helpers import in_ukrainian, screenshot, unlocked_window
from tests.sync.desk_world import assert_verified, heads_hash, import_by_usb, narratives


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LateDesk]:
    world = _build(tmp_path)
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 2)
    yield world
    world.lviv.lock()


def test_every_part_is_written_and_listed_in_order(qtbot: QtBot, desk: LateDesk) -> None:
    window = unlocked_window(qtbot, desk.kyiv_folder)
    dialog = open_hand_over(window)
    _write(qtbot, dialog, desk.stick)
    handed = dialog.handed
    assert handed is not None, dialog.status.text()
    names = [part.path.name for part in handed.parts]
    assert len(names) >= 3 and sorted(os.listdir(desk.stick)) == sorted(names)
    status = dialog.status.text()
    assert f"in {len(names)} bundles" in status and "\n".join(names) in status
    assert "in the order listed" in status
    screenshot(dialog, "coordinator-hand-over-parts.png")

    for part in handed.parts:
        import_by_usb(desk.lviv, part.path, desk.org_id)
    kyiv = window.vault
    assert kyiv is not None
    assert heads_hash(desk.lviv) == heads_hash(kyiv)
    assert desk.worker_narratives <= narratives(desk.lviv)
    assert_verified(kyiv, desk.lviv)
    window.lock()


def test_the_parts_in_ukrainian(qtbot: QtBot, desk: LateDesk, tmp_path: Path) -> None:
    with in_ukrainian(tmp_path / "translations"):
        window = unlocked_window(qtbot, desk.kyiv_folder)
        dialog = open_hand_over(window)
        _write(qtbot, dialog, desk.stick)
        handed = dialog.handed
        assert handed is not None and len(handed.parts) >= 3
        status = dialog.status.text()
        assert UKRAINIAN.search(status) and "\n".join(p.path.name for p in handed.parts) in status
        assert "Hand-over written" not in status
        screenshot(dialog, "coordinator-hand-over-parts-uk.png")
        window.lock()
