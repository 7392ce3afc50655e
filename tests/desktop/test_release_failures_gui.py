"""A held bundle whose release fails for a reason not its own (this vault's
state: sync/bundle/quarantine.py RELEASE_FAILED) is not said to be refused:
Import bundles… (which took the vouch that released it) and Coordinator →
Devices… say the release failed, how many times, with the error code, that
the file is kept, and what to do; in English and in Ukrainian.

Real vaults and bundle files; the failure is the one
tests/sync/test_release_failures.py makes (``import_bundle`` as the
quarantine module calls it raises HeldRevisionDamaged for that bundle)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sync.bundle.quarantine import RELEASE_TRIES, release_held
from tests.desktop.bundle_dialog_helpers import import_in_dialog, shown_devices
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_release_failures import WITNESS_TEXT, FailingImport, fault_of_ours

desks = usb_desks  # the fixture, under the name the tests ask for


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "qm"):
        yield


def _held(desks: UsbDesks) -> tuple[str, str]:
    """The worker's first bundle imported at Kyiv and held at Lviv (from
    Kyiv's stick). (its device id, its bundle id)"""
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    desks.hold_at_lviv(made.path)
    desks.org.import_(made.path)
    return field.vault.device_id, made.bundle_id


def test_a_release_that_failed_here_is_said_so_not_refused(
    qtbot: QtBot, desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    device_id, bundle_id = _held(desks)
    FailingImport(monkeypatch, bundle_id)

    importing = import_in_dialog(qtbot, desks.lviv, [desks.kyiv_bundle()])
    said = importing.status.text()
    assert (
        f"Bundle 1 of device {device_id}, held in quarantine, was not imported after its device was vouched "
        "for: importing it failed on this computer (held-revision-damaged), 1 time(s) in a row. It was not "
        "refused and its file is kept."
    ) in said, said
    assert "was refused" not in said

    devices = shown_devices(qtbot, desks.lviv)
    [worker_row] = [r for r in devices.row_texts() if device_id[:12] in r[devices.DEVICE_COLUMN]]
    assert "release failed 1 time(s) (held-revision-damaged)" in worker_row[devices.WARNING_COLUMN]
    assert "refused" not in worker_row[devices.WARNING_COLUMN]
    warnings = devices.full_warnings(device_id)
    assert (
        "Bundle 1 is still held, though its device is verified now: release failed 1 time(s) "
        "(held-revision-damaged) on this computer. It was not refused and its file is kept."
    ) in " ".join(warnings), warnings

    # Passed over after the limit: the view says a person must import it again.
    for _ in range(RELEASE_TRIES - 1):
        release_held(desks.lviv, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    devices = shown_devices(qtbot, desks.lviv)
    [text] = [t for t in devices.full_warnings(device_id) if "release failed" in t]
    assert f"release failed {RELEASE_TRIES} time(s) (held-revision-damaged)" in text
    assert "no longer tried automatically" in text and str(desks.org.usb) in text
    devices.choose(device_id)
    screenshot(devices, "coordinator-devices-held-release-failed.png")


def test_a_release_that_failed_here_in_ukrainian(
    qtbot: QtBot, desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, ukrainian: None
) -> None:
    device_id, bundle_id = _held(desks)
    FailingImport(monkeypatch, bundle_id)
    importing = import_in_dialog(qtbot, desks.lviv, [desks.kyiv_bundle()])
    said = importing.status.text()
    assert "імпорт не вдався на цьому комп’ютері (held-revision-damaged), 1 раз поспіль" in said, said
    devices = shown_devices(qtbot, desks.lviv)
    [worker_row] = [r for r in devices.row_texts() if device_id[:12] in r[devices.DEVICE_COLUMN]]
    assert "імпорт не вдався 1 раз (held-revision-damaged)" in worker_row[devices.WARNING_COLUMN]
    warnings = " ".join(devices.full_warnings(device_id))
    assert "імпорт не вдався 1 раз (held-revision-damaged) на цьому комп’ютері" in warnings, warnings
    assert "release failed" not in warnings
    screenshot(devices, "coordinator-devices-held-release-failed-uk.png")


def test_import_bundles_says_a_bundle_passed_over_was_not_tried_now(
    qtbot: QtBot, desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 31 F8: a held bundle passed over (RELEASE_TRIES failures in a
    row) is not tried by a later vouch's release; Import bundles… said it as
    if its import had just failed again. It says it was passed over, and
    the error's own message."""
    device_id, bundle_id = _held(desks)
    failing = FailingImport(monkeypatch, bundle_id)
    assert device_id in desks.to_lviv(desks.kyiv_bundle()).vouched
    for _ in range(RELEASE_TRIES):
        release_held(desks.lviv, desks.lviv.vault_keys.age_identity(), org_id=desks.org.org_id)
    assert failing.tries == RELEASE_TRIES
    # Another worker Kyiv vouches for: its bundle's import at Lviv releases again.
    bohdan = desks.worker("bohdan")
    desks.org.import_(desks.org.export(bohdan.vault).path)

    importing = import_in_dialog(qtbot, desks.lviv, [desks.kyiv_bundle()])
    said = importing.status.text()
    assert failing.tries == RELEASE_TRIES  # passed over: not tried
    assert (
        f"Bundle 1 of device {device_id}, held in quarantine, was not imported after its device was vouched "
        f"for: it was passed over, not tried now, after failing {RELEASE_TRIES} time(s) in a row on this "
        "computer (held-revision-damaged). It was not refused and its file is kept."
    ) in said, said
    assert "importing it failed on this computer" not in said
    assert f"Bundle {bundle_id} was not imported: a record change this vault holds aside" in said


def test_a_bug_of_ours_in_one_release_is_shown_by_its_type_and_the_others_are_released(
    qtbot: QtBot, desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error that is not a FieldvaultError in one held bundle's import
    (tests/sync/test_release_failures.py fault_of_ours: a KeyError quoting
    witness text, deep in our import) stopped Import bundles…'s release
    before, the other held bundle not imported. Now the other is, and the
    failing one is said as a release failure named by the error's type
    alone, in the dialog and in Devices…."""
    anna_id, anna_bundle = _held(desks)
    bohdan = desks.worker("bohdan")
    made = desks.org.export(bohdan.vault)
    desks.hold_at_lviv(made.path)
    desks.org.import_(made.path)
    tripped = fault_of_ours(monkeypatch, anna_bundle)

    importing = import_in_dialog(qtbot, desks.lviv, [desks.kyiv_bundle()])
    said = importing.status.text()
    assert tripped == [anna_bundle]
    assert desks.lviv.sync.received_bundle(made.bundle_id) is not None  # released all the same
    assert desks.lviv.sync.received_bundle(anna_bundle) is None
    assert (
        f"Bundle 1 of device {anna_id}, held in quarantine, was not imported after its device was vouched "
        "for: importing it failed on this computer (KeyError), 1 time(s) in a row. It was not refused and "
        "its file is kept."
    ) in said, said
    assert "An error stopped it (KeyError). If this stays, tell your organisation." in said
    assert WITNESS_TEXT not in said

    devices = shown_devices(qtbot, desks.lviv)
    [anna_row] = [r for r in devices.row_texts() if anna_id[:12] in r[devices.DEVICE_COLUMN]]
    assert "release failed 1 time(s) (KeyError)" in anna_row[devices.WARNING_COLUMN]
    warnings = " ".join(devices.full_warnings(anna_id))
    assert "release failed 1 time(s) (KeyError) on this computer" in warnings, warnings
    assert "An error stopped it (KeyError)" in warnings and WITNESS_TEXT not in warnings
