"""A bundle held in quarantine at the Lviv desk whose release fails a later
check (here the copy Lviv was given is damaged after its header: its device
is admitted by Kyiv's vouch, then the payload's hash fails). The bundle
stays held (nothing of it applied), but Coordinator → Devices… showed the
device "verified" with "1 bundle(s) held until its verification code is
compared": untrue, the code is not what it waits for. Now the view (and
Import bundles…, which took Kyiv's vouch) say it was refused and why, with
the refusal's reason code; sync.bundle.quarantine keeps that reason
(held_states). Real vaults and bundle files."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.devices_view import DevicesDialog
from sync.bundle.quarantine import held_states, release_held
from tests.desktop.bundle_dialog_helpers import import_in_dialog, shown_devices
from tests.gui_helpers import screenshot
from tests.sync.desk_world import UsbDesks, usb_desks

WAIT_MS = 60_000


desks = usb_desks  # the fixture, under the name the tests ask for


def _damaged_copy_held(desks: UsbDesks) -> tuple[str, Path]:
    """The worker's first bundle imported at Kyiv; Lviv holds a copy whose
    last payload byte changed on the way (the header, all Lviv could check
    then, is intact). Returns the worker's device id and Lviv's copy."""
    field = desks.worker("field")
    first = desks.org.export(field.vault)
    stick = desks.tmp_path / "lviv-stick"
    stick.mkdir()
    copy = stick / first.path.name
    shutil.copyfile(first.path, copy)
    data = bytearray(copy.read_bytes())
    data[-1] ^= 0x01
    copy.write_bytes(bytes(data))
    desks.hold_at_lviv(copy)
    desks.org.import_(first.path)
    return field.vault.device_id, copy


def test_a_held_bundle_refused_at_its_release_says_why_in_the_devices_view(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    device_id, copy = _damaged_copy_held(desks)
    kyiv_bundle = desks.kyiv_bundle()

    importing = import_in_dialog(qtbot, desks.lviv, [kyiv_bundle])
    [row] = importing.result_texts()
    assert row.startswith(f"imported: bundle 1 of device {desks.kyiv.device_id}"), row
    said = importing.status.text()
    assert (
        f"Bundle 1 of device {device_id}, held in quarantine, was refused when imported after its device "
        "was vouched for (payload-hash); nothing of it was applied."
    ) in said, said

    # Held still, its device verified: the reason is kept.
    [held] = desks.lviv.sync.held_bundles()
    assert held.path == str(copy)
    known = desks.lviv.sync.device(device_id)
    assert known is not None and known.status == "enrolled"
    [state] = held_states(desks.lviv)
    assert (state.state, state.reason) == ("refused", "payload-hash")

    devices = shown_devices(qtbot, desks.lviv)
    [worker_row] = [r for r in devices.row_texts() if device_id[:12] in r[devices.DEVICE_COLUMN]]
    assert worker_row[devices.VERIFICATION_COLUMN] == "verified"
    assert "1 refused" in worker_row[devices.WARNING_COLUMN]
    warnings = devices.full_warnings(device_id)
    assert (
        "Bundle 1 is still held: importing it was refused (payload-hash), and nothing of it was applied. "
        "Keep the file aside and report it."
    ) in warnings
    assert not any("until its verification code is compared" in text for text in warnings), warnings
    devices.choose(device_id)
    assert "refused (payload-hash)" in devices.details.text()
    screenshot(devices, "coordinator-devices-held-refused.png")


def test_a_good_copy_imported_later_clears_the_refusal(qtbot: QtBot, desks: UsbDesks) -> None:
    device_id, copy = _damaged_copy_held(desks)
    desks.to_lviv(desks.kyiv_bundle())
    [released] = release_held(desks.lviv, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert released.refusal is not None
    # The worker's own copy, undamaged, brought again: imported; nothing is held or said any more.
    good = desks.org.usb / copy.name
    assert not desks.to_lviv(good).replay
    assert desks.lviv.sync.held_bundles() == [] and held_states(desks.lviv) == []
    devices = DevicesDialog(desks.lviv)
    qtbot.addWidget(devices)
    qtbot.waitUntil(lambda: not devices.busy and devices.table.topLevelItemCount() > 0, timeout=WAIT_MS)
    assert not any("refused" in text for text in devices.full_warnings(device_id))
