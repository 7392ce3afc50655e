"""Coordinator → Devices… marks a device whose carried receipts raised a
receipt alarm (docs/sync.md §2.2; sync/bundle/carried_receipts.py): a real
server on loopback rewrites the entry of a field worker's first receipt
before the coordinator reads its log; the worker's next bundle carries the
receipt, the coordinator's pull finds the difference and keeps the alarm,
and the Devices view names it in plain words, with what to do, on the
worker's row (coloured, first), in the row's tooltip and below the list.
A second worker, without an alarm, stays unmarked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.devices_view import WARNING_COLOUR, DevicesDialog
from sync.bundle.carried_receipts import LOG_DIFFERS
from sync.client.pull import pull
from sync.client.push import push
from sync.merge.devices import devices_view
from tests.cli_helpers import Cli
from tests.gui_helpers import screenshot
from tests.sync.client.sync_helpers import Org, add_testimony, organisation, quick_backoff, record_work
from tests.sync.client.test_sync_cli import _env
from tests.sync.client.test_sync_receipt_forks import _rewrite_log
from tests.vault_helpers import PASSPHRASE

WAIT_MS = 30_000


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _alarm_about_anna(org: Org, tmp_path: Path) -> tuple[str, str]:
    """The coordinator's vault keeps a receipt alarm about anna's
    deliveries, none about boris's. Returns their device ids."""
    anna, boris = org.worker("anna"), org.worker("boris")
    record_work(anna, tmp_path, "anna")
    record_work(boris, tmp_path, "boris")
    push(anna, backoff=quick_backoff())
    _rewrite_log(org, 1)  # anna's receipt 1, as the coordinator will be shown it
    push(boris, backoff=quick_backoff())
    assert pull(org.coordinator, backoff=quick_backoff()).server_forks == []
    add_testimony(anna, "second")
    push(anna, backoff=quick_backoff())  # carries the receipt anna holds
    (alarm,) = pull(org.coordinator, backoff=quick_backoff()).server_forks
    assert (alarm.kind, alarm.index, alarm.device_id) == (LOG_DIFFERS, 1, anna.device_id)
    return anna.device_id, boris.device_id


def test_a_device_whose_receipts_raised_an_alarm_is_marked_in_words(
    qtbot: QtBot, org: Org, tmp_path: Path
) -> None:
    anna_id, boris_id = _alarm_about_anna(org, tmp_path)

    # The core's rows (and so fieldvault devices --json): the warning and the alarm.
    rows = {row.device_id: row for row in devices_view(org.coordinator)}
    assert "receipt-alarm" in rows[anna_id].warnings
    assert rows[anna_id].to_json()["receipt_alarms"] == [{"kind": LOG_DIFFERS, "index": 1}]
    assert "receipt-alarm" not in rows[boris_id].warnings

    dialog = DevicesDialog(org.coordinator)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.topLevelItemCount() == 2, timeout=WAIT_MS)
    first, second = dialog.row_texts()
    assert anna_id[:12] in first[dialog.DEVICE_COLUMN]  # rows with warnings first
    assert first[dialog.WARNING_COLUMN] == "⚠ 1 receipt alarm(s)"
    assert dialog.row_colour(anna_id) == WARNING_COLOUR
    assert boris_id[:12] in second[dialog.DEVICE_COLUMN]
    assert second[dialog.WARNING_COLUMN] == "" and dialog.row_colour(boris_id) is None

    said = (
        "Receipt alarm: the server showed this device another record of deliveries than the one this "
        "vault checked (receipt 1). The server may be hiding or rewriting deliveries: tell your "
        "organisation, and have this worker bring its bundles by USB."
    )
    assert dialog.full_warnings(anna_id) == [said]
    item = dialog.table.topLevelItem(0)
    assert item is not None and item.toolTip(dialog.WARNING_COLUMN) == said
    dialog.choose(anna_id)
    assert dialog.details.text() == f"{anna_id}\n{said}"
    dialog.show()
    screenshot(dialog, "coordinator-devices-receipt-alarm.png")


def test_fieldvault_devices_names_the_alarm(org: Org, tmp_path: Path) -> None:
    anna_id, boris_id = _alarm_about_anna(org, tmp_path)
    org.coordinator.lock()  # the command opens the vault itself
    run = Cli(org.coordinator.folder, _env(tmp_path)).run("--json", "devices", secrets=[PASSPHRASE])
    rows = {row["device_id"]: row for row in map(json.loads, run.stdout.splitlines())}
    assert rows[anna_id]["receipt_alarms"] == [{"kind": LOG_DIFFERS, "index": 1}]
    assert "receipt-alarm" in rows[anna_id]["warnings"] and rows[boris_id]["receipt_alarms"] == []
    assert (
        f"warning: device {anna_id}: receipt alarm (receipt 1): the server showed it another record "
        "of deliveries than this vault checked" in run.stderr
    )
    assert f"warning: device {boris_id}" not in run.stderr
