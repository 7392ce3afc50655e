"""A coordinator's sync panel shows the send-backs its field workers have
not taken (docs/sync.md §2.1): how many and since when, which were sent
again, and for one left to a person what to do (bring it by USB), in
English and in Ukrainian. Screenshots in docs/screenshots.

A real server on loopback, a coordinator's vault and two field workers'.
The core's own send-back runs (sync/client/inbox.py) with a clock set
days back build the state the coordinator's desktop app then finds at its
first sync, at the real time:

- boris never takes anything: his send-back was resent MAX_RESENDS times,
  the last delivered over 3 days ago, so the app's run leaves it to a person
  (``by-hand``);
- anna's newer work went to boris a little over 3 days ago, untaken: the
  app's run sends it again (``resent``), and after "Sync now" that resend
  is shown as waiting, resent once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync import org_vault
from sync.client.inbox import (
    BY_HAND,
    MAX_RESENDS,
    RESEND_AFTER_MS,
    RESENT,
    WAITING,
    receive_inbox,
    send_back_over_server,
)
from sync.client.pull import pull
from sync.client.push import push
from tests.desktop.test_sync_gui import WAIT_MS, status_of, ukrainian
from tests.gui_helpers import screenshot
from tests.sync.client.sync_helpers import Org, add_testimony, organisation, quick_backoff, record_work
from tests.sync.window_scenes import synced_panel

__all__ = ["ukrainian"]  # the fixture, used by name below

HOUR_MS = 60 * 60 * 1000


@dataclass
class Untaken:
    boris: str  # the worker's device id
    by_hand: str  # boris's bundle resent MAX_RESENDS times, never taken
    due_again: str  # anna's newer work for boris, delivered over 3 days ago


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def _send_back(org: Org, at_ms: int) -> list[tuple[str, str]]:
    """The coordinator's send-back as if run at ``at_ms``; (worker, bundle) delivered."""
    return send_back_over_server(org.coordinator, backoff=quick_backoff(), now_ms=lambda: at_ms).sent


def _untaken(org: Org, tmp_path: Path) -> Untaken:
    org_vault.set_policy(org.coordinator, send_to_workers="all")
    anna, boris = org.worker("anna"), org.worker("boris")
    record_work(anna, tmp_path, "anna")
    record_work(boris, tmp_path, "boris")
    for worker in (anna, boris):
        push(worker, backoff=quick_backoff())
    pull(org.coordinator, backoff=quick_backoff())
    now = time.time_ns() // 1_000_000
    start = now - (MAX_RESENDS + 1) * RESEND_AFTER_MS - 1
    _send_back(org, start)
    receive_inbox(anna, backoff=quick_backoff())  # anna takes hers; boris never does
    for resend in range(1, MAX_RESENDS + 1):
        sent = _send_back(org, start + resend * RESEND_AFTER_MS)
        assert [device for device, _ in sent] == [boris.device_id]
    (by_hand,) = [bundle for device, bundle in sent if device == boris.device_id]
    add_testimony(anna, "newer work")  # due to boris: a second send-back
    push(anna, backoff=quick_backoff())
    pull(org.coordinator, backoff=quick_backoff())
    sent = _send_back(org, now - RESEND_AFTER_MS - HOUR_MS)
    (due_again,) = [bundle for device, bundle in sent if device == boris.device_id]
    org.coordinator.lock()  # the window opens it
    return Untaken(boris.device_id, by_hand, due_again)


def test_the_panel_names_the_send_backs_not_taken_and_says_to_bring_one_by_usb(
    qtbot, org: Org, tmp_path: Path
) -> None:
    untaken = _untaken(org, tmp_path)
    window, panel = synced_panel(qtbot, org.coordinator.folder)
    status = status_of(window)
    assert {(u.bundle_id, u.action) for u in status.untaken} == {
        (untaken.by_hand, BY_HAND),
        (untaken.due_again, RESENT),
    }
    # Seen without opening the panel: a person must act.
    assert window.sync_indicator.text().endswith(" · 1 send-back(s) to bring by USB")

    assert panel.untaken.isVisible() and panel.untaken_details.isVisible()
    assert panel.untaken.text().startswith(
        "2 bundle(s) not taken from the server by their field worker yet, the oldest since "
    )
    lines = panel.untaken_details.text().split("\n")
    assert lines[0].startswith(f"Device {untaken.boris} has not taken bundle {untaken.by_hand[:12]}… (sent ")
    assert f"even after {MAX_RESENDS} resend(s)" in lines[0]
    assert "Coordinator → Send back to field workers…" in lines[0]
    assert "Write again for a lost stick" in lines[0]
    assert f"fieldvault bundle export --to FOLDER --to-device {untaken.boris} --resend" in lines[0]
    assert lines[1].startswith(
        f"Sent again now: device {untaken.boris} has not taken bundle {untaken.due_again[:12]}… (sent "
    )
    screenshot(panel, "sync-panel-send-backs.png")

    # The next run: the resend is delivered and watched in its place, waiting.
    panel.sync_now_button.click()
    qtbot.waitUntil(lambda: any(u.action == WAITING for u in status_of(window).untaken), timeout=WAIT_MS)
    (waiting,) = [u for u in status_of(window).untaken if u.action == WAITING]
    assert waiting.resends == 1 and waiting.bundle_id != untaken.due_again
    assert f"has not taken bundle {waiting.bundle_id[:12]}… yet (sent " in panel.untaken_details.text()
    assert "was already sent again 1 time(s)" in panel.untaken_details.text()


def test_the_send_backs_speak_ukrainian(qtbot, org: Org, tmp_path: Path, ukrainian: None) -> None:
    untaken = _untaken(org, tmp_path)
    window, panel = synced_panel(qtbot, org.coordinator.folder)
    assert window.sync_indicator.text().endswith(" · 1 пакет для працівника треба передати на флешці")
    assert panel.untaken.text().startswith("2 пакети ще не забрали з сервера")
    by_hand = panel.untaken_details.text().split("\n")[0]
    assert by_hand.startswith(f"Пристрій {untaken.boris} не забрав пакет {untaken.by_hand[:12]}…")
    assert "Координатор → Надіслати польовим працівникам…" in by_hand
    assert "Записати знову (накопичувач загублено)" in by_hand
    assert f"--to-device {untaken.boris} --resend" in by_hand
    screenshot(panel, "sync-panel-send-backs-uk.png")


def test_nothing_untaken_says_so(qtbot, org: Org, tmp_path: Path) -> None:
    """A coordinator whose workers took everything: the row says nothing waits."""
    anna = org.worker("anna")
    record_work(anna, tmp_path, "anna")
    push(anna, backoff=quick_backoff())
    org.coordinator.lock()
    _window, panel = synced_panel(qtbot, org.coordinator.folder)
    assert panel.untaken.text() == "none known: the last sync found none waiting"
    assert not panel.untaken_details.isVisible()
