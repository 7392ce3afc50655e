"""The sync panel shows a receipt alarm plainly (docs/sync.md §2.2): a real
server on loopback rewrites the entry of a field worker's receipt before
the coordinator reads its log; the worker's next bundle carries the
receipt; the coordinator's desktop app pulls it by itself and its sync
panel warns, in English and in Ukrainian, naming the device and the
receipt. Screenshots in docs/screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.sync_panel import SyncPanel
from sync.client.pull import pull
from sync.client.push import push
from tests.desktop.test_sync_gui import ukrainian
from tests.gui_helpers import screenshot
from tests.sync.client.sync_helpers import Org, add_testimony, organisation, quick_backoff, record_work
from tests.sync.client.test_sync_receipt_forks import _rewrite_log
from tests.sync.window_scenes import synced_panel

__all__ = ["ukrainian"]  # the fixture, used by name below


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _forked(org: Org, tmp_path: Path) -> str:
    """The worker's first receipt rewritten on the server, the coordinator's
    vault has checked the rewritten log, and the worker's second bundle (which
    carries the receipt) waits on the server. Returns the worker's device id."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    push(anna, backoff=quick_backoff())
    _rewrite_log(org, 1)
    assert pull(org.coordinator, backoff=quick_backoff()).server_forks == []
    add_testimony(anna, "second")
    push(anna, backoff=quick_backoff())
    org.coordinator.lock()
    return anna.device_id


def _panel(qtbot, org: Org) -> tuple[SyncPanel, str]:
    """The coordinator's sync panel after its first run, and the status bar's words."""
    window, panel = synced_panel(qtbot, org.coordinator.folder)
    return panel, window.sync_indicator.text()


def test_the_coordinators_sync_panel_warns_of_a_server_showing_a_worker_another_log(
    qtbot, org: Org, tmp_path: Path
) -> None:
    device = _forked(org, tmp_path)
    panel, indicator = _panel(qtbot, org)
    assert indicator.endswith(" · Warning about the server")  # seen without opening the panel
    assert panel.pull_details.isVisible()
    assert panel.pull_details.text().startswith(
        f"Warning: the server showed device {device} another record of deliveries than the one this "
        "vault checked (receipt 1)."
    )
    screenshot(panel, "sync-panel-receipt-alarm.png")


def test_the_warning_speaks_ukrainian(qtbot, org: Org, tmp_path: Path, ukrainian: None) -> None:
    device = _forked(org, tmp_path)
    panel, indicator = _panel(qtbot, org)
    assert indicator.endswith(" · Попередження щодо сервера")
    assert panel.pull_details.text().startswith(f"Увага: сервер показав пристрою {device} інший облік")
    screenshot(panel, "sync-panel-receipt-alarm-uk.png")
