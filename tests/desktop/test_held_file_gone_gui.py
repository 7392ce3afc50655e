"""A bundle held in quarantine at the Lviv desk whose file is gone when
Kyiv's vouch for its device arrives (the worker's stick went home): the
CLI says so ('bundle import': "... is no longer that bundle: import the
file again"); the GUI said nothing — Import bundles… showed Kyiv's bundle
imported, and Coordinator → Devices… showed the device verified with "1
bundle(s) held until its verification code is compared", which is no
longer what it waits for. Now both say the file is gone and to import it
again, in English and Ukrainian. Real vaults and bundle files
(sync.bundle.quarantine.release_held's ``file_gone``, held_states)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sync.bundle.quarantine import held_states
from tests.desktop.bundle_dialog_helpers import import_in_dialog, shown_devices
from tests.gui_helpers import all_texts, in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks

desks = usb_desks  # the fixture, under the name the tests ask for


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "qm"):
        yield


def _held_then_gone(desks: UsbDesks) -> tuple[str, Path]:
    """The worker's first bundle held at Lviv (it cannot check Kyiv's
    token), imported at Kyiv, then its file taken away from where Lviv
    left it. Returns the worker's device id and the path Lviv holds."""
    field = desks.worker("field")
    first = desks.org.export(field.vault)
    desks.hold_at_lviv(first.path)
    desks.org.import_(first.path)
    away = desks.tmp_path / "taken-home"
    away.mkdir()
    shutil.move(first.path, away / first.path.name)
    return field.vault.device_id, first.path


def test_a_held_bundle_whose_file_is_gone_is_named_by_the_import_and_the_devices_view(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    device_id, path = _held_then_gone(desks)

    importing = import_in_dialog(qtbot, desks.lviv, [desks.kyiv_bundle()])
    [row] = importing.result_texts()
    assert row.startswith(f"imported: bundle 1 of device {desks.kyiv.device_id}"), row
    said = importing.status.text()
    assert (
        f"Bundle 1 of device {device_id}, held in quarantine, was not imported although its device is "
        f"now vouched for: the file it was imported from ({path}) is gone or is another file. Import the "
        "bundle file again."
    ) in said, said
    screenshot(importing, "bundle-import-held-file-gone.png")
    # Still held: nothing was imported in its name.
    assert [h.bundle_id for h in desks.lviv.sync.held_bundles()] and desks.lviv.sync.device(device_id)
    [state] = held_states(desks.lviv)
    assert (state.state, state.held.path) == ("file-gone", str(path))

    devices = shown_devices(qtbot, desks.lviv)
    texts = devices.row_texts()
    [worker_row] = [r for r in texts if device_id[:12] in r[devices.DEVICE_COLUMN]]
    assert worker_row[devices.VERIFICATION_COLUMN] == "verified"
    assert "1 file(s) gone" in worker_row[devices.WARNING_COLUMN]
    warnings = devices.full_warnings(device_id)
    assert (
        f"Bundle 1 is still held: its device is verified now, but the file it was imported from ({path}) "
        "is gone or is another file. Import the bundle file again."
    ) in warnings
    # Not what it waited for before (the code was compared: the device is verified).
    assert not any("until its verification code is compared" in text for text in warnings)
    devices.choose(device_id)
    screenshot(devices, "coordinator-devices-held-file-gone.png")

    # The file given again: imported, and the view has nothing more to say about it.
    shutil.move(desks.tmp_path / "taken-home" / path.name, path)
    assert not desks.to_lviv(path).replay
    assert held_states(desks.lviv) == []


def test_a_held_bundle_whose_file_is_gone_in_ukrainian(
    qtbot: QtBot, desks: UsbDesks, ukrainian: None
) -> None:
    device_id, path = _held_then_gone(desks)
    importing = import_in_dialog(qtbot, desks.lviv, [desks.kyiv_bundle()])
    said = importing.status.text()
    assert str(path) in said and "file it was imported" not in said, said
    screenshot(importing, "bundle-import-held-file-gone-uk.png")
    devices = shown_devices(qtbot, desks.lviv)
    devices.choose(device_id)
    warnings = devices.full_warnings(device_id)
    assert any(str(path) in text for text in warnings) and "Пристрої" in all_texts(devices)
    assert not any("file it was imported" in text for text in warnings), warnings
    screenshot(devices, "coordinator-devices-held-file-gone-uk.png")
