"""Recording an interview from the testimony form (desktop/recording_action.py,
desktop/recorder.py) and playing it back with its markers (desktop/viewer_media.py),
offscreen, on a real vault. The microphone is replaced by audio fed to the
recorder as Qt's audio source would hand it over (there is none here)."""

from __future__ import annotations

import array
import hashlib
import math
import random
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QApplication

from db.api import Vault, markers_of
from desktop.recorder import RecorderWidget
from desktop.recording_action import RecordInterviewDialog
from desktop.vault_view import VaultView
from desktop.viewer_page import Shown
from tests.canary_helpers import encodings, files_containing
from tests.factory import make_case, make_testimony
from tests.gui_helpers import Ticks, click_row, in_ukrainian, screenshot, type_text
from tests.sync.window_scenes import recording_in_a_window, vault_views
from tests.vault_helpers import open_vault

RATE = 48_000
CHUNK_S = 0.1  # Qt's audio source hands over about this much at a time
WAIT_MS = 15_000
LOADED_WAIT_MS = 180_000  # only a guard against a hang: what is timed is the GUI thread
LOADED = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
# The interviewer's marker notes: witness data, encrypted only. A random tail:
# the canary scan must not find this file's own text (a copy of the tree in /tmp).
FIRST_NOTE = f"вибух, будинок {1000 + secrets.randbelow(9000)}"
SECOND_NOTE = f"names the commander of unit {1000 + secrets.randbelow(9000)}"


def tone(seconds: float, freq: float, phase: float = 0.0) -> bytes:
    """A sine at 0.5 of full scale; ``phase`` random, so that no other test's
    file holds the same encoded bytes (the canary scan would find it)."""
    count = int(seconds * RATE)
    step = 2 * math.pi * freq / RATE
    return array.array("h", (int(16000 * math.sin(phase + step * i)) for i in range(count))).tobytes()


def feed(recorder: RecorderWidget, pcm: bytes) -> None:
    size = int(CHUNK_S * RATE) * 2
    for offset in range(0, len(pcm), size):
        recorder.feed(pcm[offset : offset + size])


def wait_recorded(qtbot, recorder: RecorderWidget, seconds: float, timeout_ms: int = WAIT_MS) -> None:
    """The encoder thread has taken the audio fed so far."""
    encoder = recorder.encoder
    assert encoder is not None
    qtbot.waitUntil(lambda: encoder.elapsed >= seconds - 1e-6, timeout=timeout_ms)


def marker_shown(recorder: RecorderWidget, status: str) -> Callable[[], None]:
    def check() -> None:
        assert recorder.status.text() == status

    return check


@pytest.fixture
def make_view(qtbot, vault: Vault) -> Iterator[Callable[[], VaultView]]:
    yield from vault_views(qtbot, vault, 1200, 800)


def open_testimony(qtbot, vault: Vault, view: VaultView) -> str:
    case = make_case(vault)
    testimony = make_testimony(vault, case.id, title="Statement of witness W-7")
    view.cases.reload(select_id=case.id)
    click_row(qtbot, view.testimony_list, 0)
    qtbot.waitUntil(lambda: view.testimony_editor.testimony_id == testimony.id)
    return testimony.id


def record_dialog_by_keyboard(qtbot, view: VaultView) -> RecordInterviewDialog:
    """Ctrl+R in the testimony form opens the recorder for it."""
    editor = view.testimony_editor
    editor.title_field.setFocus()
    qtbot.waitUntil(editor.title_field.hasFocus)
    qtbot.keyClick(editor.title_field, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = view.testimonies.recording.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_record_from_the_testimony_form_then_play_with_the_markers(
    qtbot, vault: Vault, make_view, tmp_path: Path
) -> None:
    began = time.time() - 1
    view = make_view()
    editor = view.testimony_editor
    assert not editor.record_button.isEnabled()  # no testimony shown: nothing to link to
    testimony_id = open_testimony(qtbot, vault, view)
    assert editor.record_button.isEnabled()
    # In the form's tab order, right after the fields.
    assert editor.record_button.focusPolicy() & Qt.FocusPolicy.TabFocus

    dialog = record_dialog_by_keyboard(qtbot, view)
    assert "Statement of witness W-7" in dialog.heading.text()
    recorder = dialog.recorder
    phase = random.uniform(0, 2 * math.pi)
    first, second, third = tone(2.0, 440, phase), tone(1.5, 660, phase), tone(1.5, 880, phase)

    assert recorder.begin()  # Record, with the fed audio standing in for the microphone
    feed(recorder, first)
    wait_recorded(qtbot, recorder, 2.0)
    type_text(qtbot, recorder.marker_label, FIRST_NOTE)
    qtbot.keyClick(recorder.marker_label, Qt.Key.Key_Return)  # Enter adds the marker
    qtbot.waitUntil(lambda: "Marker added at 0:02" in recorder.status.text())
    feed(recorder, second)
    type_text(qtbot, recorder.marker_label, SECOND_NOTE)
    qtbot.mouseClick(recorder.marker_button, Qt.MouseButton.LeftButton)
    feed(recorder, third)
    wait_recorded(qtbot, recorder, 5.0)
    qtbot.waitUntil(lambda: recorder.elapsed.text() == "0:05" and recorder.meter.value() > 40)
    screenshot(dialog, "recorder.png")
    qtbot.mouseClick(recorder.stop_button, Qt.MouseButton.LeftButton)

    # The evidence tab lists it, selected; the form lists it as linked evidence.
    panel = view.evidence_panel
    qtbot.waitUntil(lambda: len(panel.evidence_ids()) == 1, timeout=WAIT_MS)
    (evidence_id,) = panel.evidence_ids()
    assert panel.selected_evidence_id() == evidence_id
    assert editor.linked_evidence.linked_ids() == [evidence_id]
    assert [t.entity_id for t in vault.evidence_links.targets_of(evidence_id)] == [testimony_id]
    assert "saved in the vault" in recorder.status.text()

    item = vault.evidence.get(evidence_id)
    assert item.mime_type == "audio/ogg" and item.claimed["recording"] == "complete"
    assert [(m.at_seconds, m.label) for m in markers_of(item)] == [(2.0, FIRST_NOTE), (3.5, SECOND_NOTE)]
    with vault.evidence.open(item.id, purpose="test") as reader:
        encoded = reader.read()
    assert hashlib.sha256(encoded).hexdigest() == item.sha256
    (intake,) = [e for e in vault.evidence.custody(item.id) if e.action == "intake"]
    assert intake.sha256 == item.sha256
    assert vault.verify().ok

    # Canary: neither the audio (as fed or encoded) nor the notes reached the disk in plaintext.
    needles = [first[RATE : RATE + 64], third[RATE : RATE + 64], encoded[:64]]
    needles += [encoded[len(encoded) // 2 : len(encoded) // 2 + 64]]
    needles += encodings(FIRST_NOTE) + encodings(SECOND_NOTE)
    assert files_containing([tmp_path, Path(tempfile.gettempdir())], needles, newer_than=began) == []

    # Played back with its markers; choosing one seeks there.
    dialog.close()
    view.case_tabs.setCurrentWidget(view.evidence)
    viewer = view.evidence.viewer
    with qtbot.waitSignal(viewer.shown, timeout=WAIT_MS):
        panel.open_selected()
    assert viewer.kind is Shown.MEDIA
    page = viewer.media_page
    player = page.player
    qtbot.waitUntil(lambda: player.mediaStatus() in LOADED, timeout=WAIT_MS)
    assert page.marker_texts() == [f"0:02  {FIRST_NOTE}", f"0:03  {SECOND_NOTE}"]
    assert page.markers_list.isVisible()
    row = page.markers_list.item(1)
    qtbot.mouseClick(
        page.markers_list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=page.markers_list.visualItemRect(row).center(),
    )
    qtbot.waitUntil(lambda: abs(player.position() - 3500) <= 300, timeout=WAIT_MS)
    screenshot(view.evidence, "recording-playback.png")
    # The keyboard too: Enter on the first marker.
    page.markers_list.setFocus()
    page.markers_list.setCurrentRow(0)
    qtbot.keyClick(page.markers_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: abs(player.position() - 2000) <= 300, timeout=WAIT_MS)

    viewer.clear()
    assert page.marker_texts() == [] and not page.markers_list.isVisible()


def test_escape_does_not_end_an_interview_and_closing_saves_it(qtbot, vault: Vault, make_view) -> None:
    view = make_view()
    testimony_id = open_testimony(qtbot, vault, view)
    dialog = record_dialog_by_keyboard(qtbot, view)
    recorder = dialog.recorder
    assert recorder.begin()
    feed(recorder, tone(1.0, 440, random.uniform(0, 2 * math.pi)))
    qtbot.keyClick(recorder.marker_label, Qt.Key.Key_Escape)
    assert dialog.isVisible() and recorder.is_recording
    # Ctrl+R again brings the same recorder forward, never a second one.
    view.testimony_editor.record_button.click()
    assert view.testimonies.recording.dialog is dialog

    dialog.close()  # the title bar's close button, or Close

    assert view.testimonies.recording.dialog is None
    panel = view.evidence_panel
    qtbot.waitUntil(lambda: len(panel.evidence_ids()) == 1, timeout=WAIT_MS)
    (evidence_id,) = panel.evidence_ids()
    assert vault.evidence.get(evidence_id).claimed["duration_seconds"] == "1.000"
    assert view.testimony_editor.linked_evidence.linked_ids() == [evidence_id]
    assert [t.entity_id for t in vault.evidence_links.targets_of(evidence_id)] == [testimony_id]


def test_the_window_keeps_responding_while_the_encoder_works(qtbot, vault: Vault) -> None:
    """Five minutes of audio arriving at once (a source catching up after a
    stall) are encoded on the encoder thread: the GUI's timer keeps ticking."""
    case = make_case(vault)
    recorder = RecorderWidget(vault, case.id)
    qtbot.addWidget(recorder)
    chunk = tone(CHUNK_S, 440, random.uniform(0, 2 * math.pi))
    assert recorder.begin()
    ticks = Ticks()
    encoder = recorder.encoder
    assert encoder is not None
    while_encoding = ticks.count_while(lambda: encoder.elapsed < 300.0 - 1e-6)
    for _ in range(3000):  # 300 s
        recorder.feed(chunk)
    encoding = time.monotonic()
    # A few seconds of encoding here; at load 12 on two cores, a minute.
    wait_recorded(qtbot, recorder, 300.0, timeout_ms=LOADED_WAIT_MS)
    print(f"300 s encoded in {time.monotonic() - encoding:.1f} s")
    ticks.assert_never_froze()
    assert len(while_encoding) >= 5, "the window's loop did not turn while the audio was encoded"
    with qtbot.waitSignal(recorder.recorded, timeout=LOADED_WAIT_MS) as stored:
        recorder.stop()
    assert vault.evidence.get(stored.args[0]).claimed["duration_seconds"] == "300.000"


def test_locking_during_a_recording_keeps_what_was_recorded(qtbot, created_vault, vault_dir: Path) -> None:
    window, dialog, case, testimony = recording_in_a_window(qtbot, created_vault.vault, vault_dir)
    recorder = dialog.recorder
    assert recorder.begin()
    feed(recorder, tone(2.5, 440, random.uniform(0, 2 * math.pi)))
    recorder.add_marker()
    feed(recorder, tone(0.5, 440))

    window.lock()  # Ctrl+L in the middle of the interview

    assert window.vault_view is None
    assert not list((vault_dir / "blobs").glob(".rec-*"))  # stored, not left for recovery
    with open_vault(vault_dir) as reopened:
        (item,) = reopened.evidence.list(case.id)
        assert item.claimed["recording"] == "complete"
        assert item.claimed["duration_seconds"] == "3.000"  # all of it, fed before the lock
        assert [m.at_seconds for m in markers_of(item)] == [2.5]
        assert [t.entity_id for t in reopened.evidence_links.targets_of(item.id)] == [testimony.id]
        assert reopened.verify().ok


def test_a_backup_during_a_recording_leaves_the_recording_out(qtbot, vault: Vault, tmp_path: Path) -> None:
    """What docs/user-guide.md says: a backup made while recording holds the
    vault as it was, without the recording under way (its file is not yet
    evidence); the recording is whole in the vault once stopped."""
    case = make_case(vault)
    earlier = vault.evidence.ingest(_small_file(tmp_path), case.id).item
    recorder = RecorderWidget(vault, case.id)
    qtbot.addWidget(recorder)
    assert recorder.begin()
    feed(recorder, tone(1.0, 440, random.uniform(0, 2 * math.pi)))
    wait_recorded(qtbot, recorder, 1.0)
    usb = tmp_path / "usb"
    usb.mkdir()
    backup = vault.back_up(usb)
    feed(recorder, tone(1.0, 440))
    with qtbot.waitSignal(recorder.recorded, timeout=WAIT_MS) as stored:
        recorder.stop()

    with open_vault(backup.path) as copy:
        assert [item.id for item in copy.evidence.list(case.id)] == [earlier.id]
        assert not list((backup.path / "blobs").glob(".rec-*"))
        assert copy.verify().ok
    assert vault.evidence.get(stored.args[0]).claimed["duration_seconds"] == "2.000"


def _small_file(folder: Path) -> Path:
    path = folder / "note.txt"
    path.write_text("A photo's caption, added before the interview.\n", encoding="utf-8")
    return path


# -- Ukrainian -------------------------------------------------------------------


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def test_recorder_and_markers_in_ukrainian(qtbot, vault: Vault, make_view, ukrainian: None) -> None:
    view = make_view()
    open_testimony(qtbot, vault, view)
    assert view.testimony_editor.record_button.text() == "Записати інтерв’ю…"
    dialog = record_dialog_by_keyboard(qtbot, view)
    recorder = dialog.recorder
    assert recorder.begin()
    feed(recorder, tone(1.0, 440, random.uniform(0, 2 * math.pi)))
    wait_recorded(qtbot, recorder, 1.0)
    type_text(qtbot, recorder.marker_label, FIRST_NOTE)
    qtbot.keyClick(recorder.marker_label, Qt.Key.Key_Return)
    feed(recorder, tone(1.5, 660))
    wait_recorded(qtbot, recorder, 2.5)
    qtbot.waitUntil(lambda: recorder.elapsed.text() == "0:02" and recorder.meter.value() > 40)
    # The encoder's report of the marker reaches the GUI thread as a queued
    # signal, which the clock's refresh can overtake on a loaded machine.
    qtbot.waitUntil(marker_shown(recorder, "Позначку додано на 0:01."), timeout=WAIT_MS)
    screenshot(dialog, "recorder-uk.png")
    recorder.stop()
    panel = view.evidence_panel
    qtbot.waitUntil(lambda: len(panel.evidence_ids()) == 1, timeout=WAIT_MS)
    dialog.close()
    view.case_tabs.setCurrentWidget(view.evidence)
    viewer = view.evidence.viewer
    with qtbot.waitSignal(viewer.shown, timeout=WAIT_MS):
        panel.open_selected()
    player = viewer.media_page.player
    qtbot.waitUntil(lambda: player.mediaStatus() in LOADED, timeout=WAIT_MS)
    assert viewer.media_page.markers_heading.text().startswith("Позначки")
    QApplication.processEvents()
    screenshot(view.evidence, "recording-playback-uk.png")
    viewer.clear()
