"""Import bundles… takes one sender's bundles in its sequence order, read
from each file's signed outer header, whatever the order the files were
chosen in (desktop/bundle_actions.py ImportTask; sync/bundle/import_order.py).

A file chooser lists a split history hand-over's parts by name: ``…-10`` and
``…-11`` before ``…-2``. Before, the parts after their place in that order
were refused (``bundle-hand-over-part``) until a second import. Real vaults
(Kyiv hands its history over to Lviv in 11 parts, the part limit lowered),
a folder for the USB stick, Lviv's dialog driven as a user drives it; each
row keeps the file it was chosen as and says what became of it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.item_lists import rows
from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.gui_helpers import screenshot
from tests.sync.desk_world import UsbDesks, assert_verified, heads_hash
from tests.sync.desk_world import usb_desks as desks
from tests.sync.test_import_order_cli import eleven_parts
from tests.vault_helpers import open_vault

__all__ = ["desks", "eleven_parts"]  # the fixtures


def test_parts_chosen_in_name_order_are_all_imported(
    qtbot: QtBot, desks: UsbDesks, eleven_parts: tuple[Path, str]
) -> None:
    stick, kyiv_heads = eleven_parts
    chosen = sorted(stick.glob("*.fvbundle"))  # a file chooser's name order
    numbers = [int(path.stem.rsplit("-", 1)[1]) for path in chosen]
    assert numbers != sorted(numbers)
    lviv = open_vault(desks.lviv.folder)
    try:
        dialog = import_in_dialog(qtbot, lviv, chosen)
        texts = dialog.result_texts()
        # Each row is its file's (as chosen), and each file was imported.
        assert [row.text(0) for row in rows(dialog.results)] == [path.name for path in chosen]
        for number, text in zip(numbers, texts, strict=True):
            assert text.startswith(f"imported: bundle {number} of device {desks.kyiv.device_id}"), text
        assert heads_hash(lviv) == kyiv_heads
        assert_verified(lviv)
        screenshot(dialog, "coordinator-import-hand-over-parts-name-order.png")
    finally:
        lviv.lock()
