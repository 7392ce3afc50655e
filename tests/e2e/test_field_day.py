"""A field worker's whole day, through the real window and a real vault:

create vault → case → testimony in Ukrainian → three files dropped → the
witness's consent recorded → the interview recorded from the form (audio fed
as Qt's source hands it over: there is no microphone here) → the photo
linked to the testimony → a backup to a USB stick → idle until auto-lock →
unlock → search finds the testimony → open the video and seek → Ctrl+L → the
backup restored on a new laptop holds the day (testimony, files, recording,
consent, link). Afterwards the canary strings from the testimony and the
files appear nowhere in plaintext outside the vault (home, temp, Qt's
locations, the USB stick, the restored copy). The recorder itself is tested
in depth in tests/desktop/test_recorder_ui.py. Screens are saved in English
and, for the same day, in Ukrainian.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSettings, QStandardPaths, Qt
from PySide6.QtMultimedia import QMediaPlayer

from db.keyring_store import NoKeyring
from desktop.consent_dialog import ConsentDialog
from desktop.i18n import install_translators
from desktop.window import FieldvaultWindow
from tests.canary_helpers import encodings, files_containing
from tests.desktop.test_recorder_ui import feed, tone
from tests.evidence_samples import make_jpeg, make_mp4, make_pdf
from tests.gui_helpers import SAVE_WAIT_MS, click_row, drop_files, qt_app, screenshot, type_text
from tests.vault_helpers import FAST_ARGON2

WAIT_MS = 30_000
PASSPHRASE = "тиха вода греблю рве 1917"
LOADED = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)


@pytest.fixture
def ukrainian(request):
    """Install the Ukrainian translation for the test's window (if asked)."""
    installed = []
    if request.param == "uk":
        installed = install_translators(qt_app(), QLocale("uk"))
        assert installed, "the Ukrainian .qm is missing: run make translations"
    yield request.param
    for translator in installed:
        qt_app().removeTranslator(translator)


@pytest.mark.parametrize("ukrainian", ["en", "uk"], indirect=True)
def test_a_field_workers_day(qtbot, tmp_path, monkeypatch, ukrainian, isolated_qt_settings) -> None:
    lang = ukrainian
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(temp))
    tag = secrets.token_hex(4)
    witness_canary = f"Свідок-{tag}-Петренко"
    file_canary = f"FILE-CANARY-{tag}-Файл"
    vault_dir = tmp_path / "vault"

    window = FieldvaultWindow(vault_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    qtbot.waitExposed(window)

    # Morning: a new vault.
    page = window.create_page
    qtbot.keyClicks(page.passphrase, "x")  # strength meter reacts at once
    page.passphrase.clear()
    type_text(qtbot, page.passphrase, PASSPHRASE)
    type_text(qtbot, page.confirmation, PASSPHRASE)
    screenshot(window, f"day-01-create-{lang}.png")
    qtbot.keyClick(page.confirmation, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.recovery_page, timeout=WAIT_MS)
    qtbot.mouseClick(window.recovery_page.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=WAIT_MS)
    view = window.vault_view
    assert view is not None

    # A case and a testimony in Ukrainian.
    type_text(qtbot, view.case_title_field, "Ізюм, вересень 2022")
    with qtbot.waitSignal(view.cases.case_created, timeout=SAVE_WAIT_MS):  # stored on the save lane
        qtbot.keyClick(view.case_title_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.selected_case_id() is not None)
    type_text(qtbot, view.title_field, "Свідчення W-7")
    type_text(qtbot, view.narrative_field, f"{witness_canary} бачив, як полонених розстріляли після здачі.")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.testimony_labels() == ["Свідчення W-7"])
    screenshot(window, f"day-02-testimony-{lang}.png")

    # Three files arrive by drag and drop.
    sources = tmp_path / "camera"
    sources.mkdir()
    photo = make_jpeg(sources / "photo.jpg")
    report = make_pdf(sources / "report.pdf")
    clip = make_mp4(sources / "clip.mp4")
    with photo.open("ab") as handle:  # a canary inside a file's bytes
        handle.write(file_canary.encode())
    view.case_tabs.setCurrentIndex(1)
    panel = view.evidence_panel
    with qtbot.waitSignal(panel.intake_idle, timeout=WAIT_MS):
        drop_files(panel, [photo, report, clip])
    vault = window.vault
    assert vault is not None
    items = vault.evidence.list(view.selected_case_id())
    assert sorted(i.original_name for i in items) == ["clip.mp4", "photo.jpg", "report.pdf"]
    screenshot(window, f"day-03-evidence-{lang}.png")
    photo_sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    for source in (photo, report, clip):
        source.unlink()  # the worker wipes the camera card after intake
    case_id = view.selected_case_id()
    assert case_id is not None
    (testimony,) = vault.testimonies.list(case_id)
    photo_id = next(i.id for i in items if i.original_name == "photo.jpg")

    # The witness's consent, recorded on the testimony's form.
    view.case_tabs.setCurrentIndex(0)
    assert view.testimony_editor.testimony_id == testimony.id  # still the one saved
    section = view.testimony_editor.consent_section
    qtbot.mouseClick(section.record_button, Qt.MouseButton.LeftButton)
    consent_dialog = section.dialog
    assert isinstance(consent_dialog, ConsentDialog)
    qtbot.waitUntil(consent_dialog.isVisible)
    prosecution = consent_dialog.scope_boxes["prosecution"]
    prosecution.setFocus()
    qtbot.keyClick(prosecution, Qt.Key.Key_Space)  # ticked from the keyboard
    type_text(qtbot, consent_dialog.given_to, "О. Коваленко")
    with qtbot.waitSignal(consent_dialog.stored, timeout=WAIT_MS):
        qtbot.mouseClick(consent_dialog.record_button, Qt.MouseButton.LeftButton)
    assert [c.scopes for c in vault.consents.for_testimony(testimony.id)] == [["prosecution"]]
    screenshot(window, f"day-03b-consent-{lang}.png")

    # The interview itself, recorded from the form (Record interview…).
    qtbot.mouseClick(view.testimony_editor.record_button, Qt.MouseButton.LeftButton)
    recording_dialog = view.testimonies.recording.dialog
    assert recording_dialog is not None
    recorder = recording_dialog.recorder
    assert recorder.begin()
    feed(recorder, tone(1.5, 440, random.uniform(0, 2 * math.pi)))
    with qtbot.waitSignal(recorder.recorded, timeout=WAIT_MS) as recorded:
        recorder.stop()
    recording_id = recorded.args[0]
    recording_dialog.close()
    assert [t.entity_id for t in vault.evidence_links.targets_of(recording_id)] == [testimony.id]

    # The photo is evidence of this testimony: linked from the evidence item.
    view.case_tabs.setCurrentIndex(1)
    click_row(qtbot, panel.evidence_list, panel.evidence_ids().index(photo_id))
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    links = view.evidence.item.links_box
    qtbot.waitUntil(lambda: links.target.findData(testimony.id) >= 0, timeout=WAIT_MS)
    links.target.setCurrentIndex(links.target.findData(testimony.id))
    qtbot.mouseClick(links.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: links.linked_ids() == [testimony.id], timeout=WAIT_MS)
    screenshot(window, f"day-03c-linked-{lang}.png")

    # Before lunch: Vault → Back up to USB…
    usb = tmp_path / "usb"
    usb.mkdir()
    window.backup_action.chooser = lambda _parent, _caption: str(usb)
    window.backup_action.trigger()
    backup_dialog = window.backup_action.dialog
    assert backup_dialog is not None
    qtbot.mouseClick(backup_dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not backup_dialog.running, timeout=WAIT_MS)
    backup = backup_dialog.result_path
    assert backup is not None and backup.parent == usb
    backup_dialog.close()

    # Lunch: nobody touches the laptop; the vault locks itself.
    window.auto_lock.set_idle_minutes(0.002)
    qtbot.waitUntil(lambda: window.vault is None, timeout=WAIT_MS)
    assert window.unlock_page.notice.isVisible()
    screenshot(window, f"day-04-auto-locked-{lang}.png")

    # Back: unlock, and search finds the testimony by another word form.
    type_text(qtbot, window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=WAIT_MS)
    view = window.vault_view
    assert view is not None
    with qtbot.waitSignal(view.search_done, timeout=WAIT_MS) as searched:
        type_text(qtbot, view.search_field, "полонений")
    assert searched.args[0] >= 1
    assert "полонених" in view.search_results.item(0).text()
    screenshot(window, f"day-05-search-{lang}.png")

    # The video, from the encrypted store, and a seek.
    click_row(qtbot, view.case_list, 0)
    view.case_tabs.setCurrentIndex(1)
    assert window.vault is not None
    clip_id = next(
        i.id for i in window.vault.evidence.list(view.selected_case_id()) if i.original_name == "clip.mp4"
    )
    view.evidence.open_evidence(clip_id)
    viewer = view.evidence.viewer
    qtbot.waitUntil(lambda: viewer.media_page.player.mediaStatus() in LOADED, timeout=WAIT_MS)
    player = viewer.media_page.player
    viewer.media_page.seek(player.duration() // 2)
    qtbot.waitUntil(lambda: player.position() >= player.duration() // 2 - 150, timeout=WAIT_MS)
    screenshot(window, f"day-06-video-{lang}.png")

    # Evening: Ctrl+L.
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.vault is None
    assert window.stack.currentWidget() is window.unlock_page

    # The laptop is lost: the stick's backup, copied to a new one, opens with
    # the same passphrase and holds the day.
    restored_dir = tmp_path / "new-laptop" / "vault"
    shutil.copytree(backup, restored_dir)
    restored = FieldvaultWindow(restored_dir, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(restored)
    restored.resize(1200, 760)
    restored.show()
    qtbot.waitExposed(restored)
    type_text(qtbot, restored.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(restored.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: restored.vault_view is not None, timeout=WAIT_MS)
    again = restored.vault
    assert again is not None and restored.vault_view is not None
    assert restored.vault_view.testimony_labels() == ["Свідчення W-7"]  # the last case, selected
    names = {i.id: i.original_name for i in again.evidence.list(case_id)}
    assert sorted(name for item_id, name in names.items() if item_id != recording_id) == [
        "clip.mp4",
        "photo.jpg",
        "report.pdf",
    ]
    assert again.evidence.get(recording_id).claimed["recording"] == "complete"
    with again.evidence.open(photo_id, purpose="test") as reader:
        assert hashlib.sha256(reader.read()).hexdigest() == photo_sha
    assert [c.scopes for c in again.consents.for_testimony(testimony.id)] == [["prosecution"]]
    assert [e.entity_id for e in again.evidence_links.targets_of(photo_id)] == [testimony.id]
    assert again.verify().ok
    screenshot(restored, f"day-07-restored-{lang}.png")
    qtbot.keyClick(restored, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert restored.vault is None

    # Nothing in plaintext outside the vault's encryption.
    needles = encodings(witness_canary) + encodings(file_canary)
    qt_places = [
        Path(p)
        for location in (
            QStandardPaths.StandardLocation.CacheLocation,
            QStandardPaths.StandardLocation.GenericCacheLocation,
            QStandardPaths.StandardLocation.AppDataLocation,
            QStandardPaths.StandardLocation.AppConfigLocation,
        )
        for p in QStandardPaths.standardLocations(location)
        if Path(p).exists() and len(Path(p).parts) > 2
    ]
    # Qt's settings are the test's own (tests/conftest.py), and hold no witness text either.
    assert Path(QSettings("Fieldvault", "Fieldvault").fileName()).is_relative_to(isolated_qt_settings)
    roots = [vault_dir, home, temp, isolated_qt_settings, usb, restored_dir, *qt_places]
    assert files_containing(roots, needles) == []
