"""Record changes kept aside because their device's vouch lapsed are counted
apart from those waiting for their parents (issue 14, session 11): in the
Devices view, the sync panel, ``fieldvault devices`` and ``fieldvault sync``.
docs/bundle-format.md §8 "A vouch lapses with its coordinator",
docs/user-guide.md (Devices, Sync).

The scene (tests/sync/test_vouch_lapse_kept_aside.py): Odesa vouched for
field worker X; Kyiv took X's later case while Odesa's word stood, then
removed Odesa; Lviv, taking Kyiv's bundle, keeps X's case aside until X is
enrolled again. Before, the Devices view and the sync panel said those
changes "wait for their parents", which bringing no bundle would ever
satisfy, and the sync panel and ``sync`` did not say they were kept aside.
Real vaults and signed bundles by USB; the panel shows the status the sync
worker builds from the real vault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from db.api import parked_revision_count
from desktop.devices_view import DevicesDialog
from desktop.sync_panel import SyncPanel
from fieldvault.devices_cli import _human as device_line
from fieldvault.sync_cli import _pulled
from sync.client.inbox import RelayResult
from sync.client.pull import PullResult, Received
from sync.client.push import PushResult
from sync.client.worker import IDLE, SyncStatus, parked_counts
from sync.merge.devices import devices_view, kept_aside_by_signer
from tests.desktop.bundle_dialog_helpers import shown_devices
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sync.desk_world import UsbDesks, import_by_usb, usb_desks
from tests.sync.test_lapsed_signer_handed_over import _rivne_added
from tests.sync.test_vouch_after_removal import _odesa_vouched_then_removed
from tests.sync.test_vouch_lapse_kept_aside import _kept_aside_at_lviv, _x_revisions_lviv_lacks
from tests.sync.window_scenes import panel_showing

desks = usb_desks  # the fixture, under the name the scene's helpers use
__all__ = ["desks"]
WAIT_MS = 60_000
KEPT = "record change(s) from devices whose vouch lapsed, kept until they are enrolled again"


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def _panel(qtbot: QtBot, desks: UsbDesks) -> SyncPanel:
    """The sync panel showing what the sync worker counts after a pull at Lviv."""
    waiting, kept_aside = parked_counts(desks.lviv)
    return panel_showing(
        qtbot,
        desks.lviv,
        SyncStatus(state=IDLE, role="coordinator", last_success_ms=0, parked=waiting, kept_aside=kept_aside),
    )


def test_the_devices_view_and_the_cli_count_kept_aside_changes_apart(qtbot: QtBot, desks: UsbDesks) -> None:
    world = _kept_aside_at_lviv(desks)
    x_id = world.x.vault.device_id
    kept = len(_x_revisions_lviv_lacks(desks, world))
    assert parked_revision_count(desks.lviv) == kept  # parked, all of them X's
    assert kept_aside_by_signer(desks.lviv) == {x_id: kept}
    [row] = [r for r in devices_view(desks.lviv) if r.device_id == x_id]
    # Before: parked_revisions == kept ("wait here for their parents").
    assert (row.parked_revisions, row.kept_aside_revisions) == (0, kept)
    assert row.to_json()["kept_aside_revisions"] == kept
    said = device_line(row)
    assert f"revisions kept aside until it is enrolled again (its vouch lapsed): {kept}" in said
    assert "waiting here for their parents" not in said

    dialog = shown_devices(qtbot, desks.lviv)
    assert not dialog.parked.isVisible()  # before: "N record change(s) wait for their parents"
    assert dialog.kept_aside.isVisible()
    assert dialog.kept_aside.text().startswith(f"{kept} {KEPT}"), dialog.kept_aside.text()
    dialog.choose(x_id)
    details = dialog.details.text()
    assert f"{kept} record change(s) it signed are kept aside here until it is enrolled again." in details
    # Odesa was removed: its word lapsed; relayed changes are kept aside, not refused (review 15 F2).
    assert (
        f"on the word of coordinator {world.odesa.device_id}, which the organisation has removed" in details
    )
    assert "kept aside" in details and "refused" not in details
    assert dialog.set_aside_button.isEnabled()  # a coordinator can still set them aside
    screenshot(dialog, "coordinator-devices-kept-aside.png")


def test_the_sync_panel_and_sync_say_what_was_kept_aside(qtbot: QtBot, desks: UsbDesks) -> None:
    world = _odesa_vouched_then_removed(desks)
    imported = desks.to_lviv(desks.kyiv_bundle())  # what a pull imports of Kyiv's bundle
    kept = len(_x_revisions_lviv_lacks(desks, world))
    assert len(imported.signer_pending) == kept > 0
    # ``fieldvault sync`` (a coordinator's): its JSON and its plain line count them.
    data, human = _pulled(PullResult(received=[Received.of(imported)]), RelayResult(), PushResult())
    assert data["signer_pending"] == kept  # before: no count, only each bundle's ids
    assert (
        f"{kept} record change(s) from devices whose vouch lapsed kept aside until they are enrolled again"
    ) in human

    panel = _panel(qtbot, desks)
    lines = panel.pull_details.text().split("\n")
    assert f"{kept} {KEPT} (Coordinator → Devices… names them)." in lines, lines  # before: no line
    assert not any("wait for their parents" in line for line in lines), lines  # before: counted there
    screenshot(panel, "sync-panel-kept-aside.png")


def test_the_devices_view_and_the_sync_panel_say_it_in_ukrainian(
    qtbot: QtBot, desks: UsbDesks, ukrainian: None
) -> None:
    world = _kept_aside_at_lviv(desks)
    kept = len(_x_revisions_lviv_lacks(desks, world))
    dialog = shown_devices(qtbot, desks.lviv)
    said = dialog.kept_aside.text()
    assert said and "vouch" not in said and str(kept) in said, said
    dialog.choose(world.x.vault.device_id)
    assert "enrolled again" not in dialog.details.text()
    screenshot(dialog, "coordinator-devices-kept-aside-uk.png")
    panel = _panel(qtbot, desks)
    text = panel.pull_details.text()
    assert text and "vouch" not in text and "Координатор → Пристрої…" in text, text
    screenshot(panel, "sync-panel-kept-aside-uk.png")


def test_a_device_another_desk_named_as_lapsed_is_not_said_to_have_a_removed_voucher(
    qtbot: QtBot, desks: UsbDesks
) -> None:
    """Rivne, a desk added later, knows X only from Kyiv's ``lapsed``:
    ``vouched_by`` is Kyiv, a current coordinator. Before, the Devices view
    said Kyiv was a coordinator "the organisation has removed"."""
    world, rivne = _rivne_added(desks)
    x_id = world.x.vault.device_id
    imported = import_by_usb(rivne, desks.kyiv_bundle(), desks.org.org_id)
    assert imported.signer_pending
    dialog = DevicesDialog(rivne)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() > 0, timeout=WAIT_MS)
    [said] = [text for text in dialog.full_warnings(x_id) if "vouches for it" in text]
    assert said.startswith(
        f"Coordinator {desks.kyiv.device_id} relays changes of it and no longer vouches for it"
    ), said
    assert "the organisation has removed" not in said
    assert dialog.kept_aside.text().startswith(f"{len(imported.signer_pending)} {KEPT}")
