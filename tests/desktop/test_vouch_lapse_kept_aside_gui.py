"""Import bundles… says which record changes it kept aside because the vouch
for their device lapsed (review 15 F2; docs/user-guide.md, docs/bundle-format.md
§8).

The scene of tests/sync/test_vouch_lapse_kept_aside.py: Odesa vouched for X,
Kyiv took X's later case, Kyiv removed Odesa. Before, Lviv's Import bundles…
refused Kyiv's bundle ('refused: … a key that may not write here'). Now it is
imported, and its row says that one change was kept aside and how to have
it stored. Real vaults, a real bundle on a folder standing for a USB stick,
the real dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.bundle_actions import BundleImportDialog
from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_vouch_after_removal import LATER_CASE, _case_titles, _odesa_vouched_then_removed

__all__ = ["usb_desks"]  # the fixture
KEPT_ASIDE = (
    "; 1 record change(s) kept aside: the vouch for their device lapsed; stored once it is enrolled again "
    "(add it by its card, or approve its bundle by code)"
)


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _import_kyivs_bundle(qtbot: QtBot, desks: UsbDesks) -> BundleImportDialog:
    _odesa_vouched_then_removed(desks)
    return import_in_dialog(qtbot, desks.lviv, [desks.kyiv_bundle()])


def test_import_bundles_says_what_it_kept_aside(qtbot: QtBot, usb_desks: UsbDesks) -> None:
    dialog = _import_kyivs_bundle(qtbot, usb_desks)
    [row] = dialog.result_texts()
    assert row.endswith(KEPT_ASIDE), row  # before: 'refused: …'
    assert LATER_CASE not in _case_titles(usb_desks.lviv)
    screenshot(dialog, "bundle-import-vouch-lapsed.png")


def test_import_bundles_says_it_in_ukrainian(qtbot: QtBot, usb_desks: UsbDesks, ukrainian: None) -> None:
    dialog = _import_kyivs_bundle(qtbot, usb_desks)
    [row] = dialog.result_texts()
    assert "1 зміну запису відкладено: поручительство за її пристрій втратило силу" in row, row
    screenshot(dialog, "bundle-import-vouch-lapsed-uk.png")
