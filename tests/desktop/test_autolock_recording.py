"""A recording under way counts as activity (issue 15, the lead's decision):
the idle lock waits while an interview is recorded without a key pressed,
and starts its whole delay again when the recording stops; Ctrl+L still
locks at once, the recording kept. Real window, real vault, audio fed as
Qt's source would hand it over (there is no microphone here)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt

from desktop.autolock import ACTIVITY, ActivityHolds
from desktop.recorder import RecorderWidget
from tests.desktop.test_recorder_ui import feed, tone, wait_recorded
from tests.factory import make_case
from tests.sync.window_scenes import recording_in_a_window
from tests.vault_helpers import open_vault

IDLE_MINUTES = 0.01  # 600 ms
WAIT_MS = 15_000


def _recording_window(qtbot, created_vault, vault_dir: Path):
    window, dialog, case, _testimony = recording_in_a_window(qtbot, created_vault.vault, vault_dir)
    window.auto_lock.set_idle_minutes(IDLE_MINUTES)
    return window, dialog.recorder, case.id


def test_the_idle_lock_waits_for_a_recording_then_runs_its_whole_delay(
    qtbot, created_vault, vault_dir
) -> None:
    window, recorder, _case_id = _recording_window(qtbot, created_vault, vault_dir)
    assert recorder.begin()
    assert window.auto_lock.waiting_for_activity
    # Three idle delays without a key or a mouse move: still recording, still open.
    with qtbot.assertNotEmitted(window.auto_lock.lock_now, wait=3 * 600):
        feed(recorder, tone(1.0, 440))
    assert window.vault_view is not None and recorder.encoder is not None

    with qtbot.waitSignal(recorder.recorded, timeout=WAIT_MS):
        recorder.stop()
    assert not window.auto_lock.waiting_for_activity
    with qtbot.waitSignal(window.auto_lock.lock_now, timeout=WAIT_MS) as locked:
        pass
    assert locked.args == ["idle"]
    qtbot.waitUntil(lambda: window.vault_view is None, timeout=WAIT_MS)


def test_a_paused_recording_lets_the_idle_lock_run_and_keeps_what_was_recorded(
    qtbot, created_vault, vault_dir
) -> None:
    """Paused, nothing is recorded: a worker called away mid-interview must
    not leave the vault open for as long as the pause lasts."""
    window, recorder, case_id = _recording_window(qtbot, created_vault, vault_dir)
    assert recorder.begin()
    feed(recorder, tone(1.0, 440))
    wait_recorded(qtbot, recorder, 1.0)
    recorder.toggle_pause()
    assert not window.auto_lock.waiting_for_activity
    with qtbot.waitSignal(window.auto_lock.lock_now, timeout=WAIT_MS) as locked:
        pass
    assert locked.args == ["idle"]
    qtbot.waitUntil(lambda: window.vault_view is None, timeout=WAIT_MS)
    with open_vault(vault_dir) as reopened:
        (item,) = reopened.evidence.list(case_id)
        assert item.claimed["recording"] == "complete"


def test_ctrl_l_locks_at_once_during_a_recording_and_keeps_it(qtbot, created_vault, vault_dir) -> None:
    window, recorder, case_id = _recording_window(qtbot, created_vault, vault_dir)
    window.auto_lock.set_idle_minutes(60)
    assert recorder.begin()
    feed(recorder, tone(1.0, 440))
    wait_recorded(qtbot, recorder, 1.0)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.vault_view is None, timeout=WAIT_MS)
    assert not ACTIVITY.held  # the recording let go of the idle lock when it stopped
    with open_vault(vault_dir) as reopened:
        (item,) = reopened.evidence.list(case_id)
        assert item.claimed["recording"] == "complete"


def test_a_hold_ends_with_its_holder(qtbot) -> None:
    holds = ActivityHolds()
    changes: list[bool] = []
    holds.changed.connect(changes.append)
    first, second = QObject(), QObject()
    holds.hold(first)
    holds.hold(second)
    holds.hold(first)  # twice: one hold
    holds.release(first)
    assert holds.held and changes == [True]
    second.deleteLater()
    qtbot.waitUntil(lambda: not holds.held)
    assert changes == [True, False]


def test_a_recorder_widget_holds_only_while_recording(qtbot, vault) -> None:
    case = make_case(vault)
    recorder = RecorderWidget(vault, case.id)
    qtbot.addWidget(recorder)
    assert not ACTIVITY.held
    assert recorder.begin()
    assert ACTIVITY.held
    with qtbot.waitSignal(recorder.recorded, timeout=WAIT_MS):
        feed(recorder, tone(0.3, 440))
        recorder.stop()
    assert not ACTIVITY.held
