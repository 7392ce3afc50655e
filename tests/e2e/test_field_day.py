"""A field worker's whole day, through the real window and a real vault:

create vault → case → testimony in Ukrainian → three files dropped → idle
until auto-lock → unlock → search finds the testimony → open the video and
seek → Ctrl+L. Afterwards the canary strings from the testimony and the files
appear nowhere in plaintext outside the vault (home, temp, Qt's locations).
Screens are saved in English and, for the same day, in Ukrainian.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSettings, QStandardPaths, Qt
from PySide6.QtMultimedia import QMediaPlayer

from db.keyring_store import NoKeyring
from desktop.i18n import install_translators
from desktop.window import FieldvaultWindow
from tests.canary_helpers import encodings, files_containing
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
    for source in (photo, report, clip):
        source.unlink()  # the worker wipes the camera card after intake

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
    roots = [vault_dir, home, temp, isolated_qt_settings, *qt_places]
    assert files_containing(roots, needles) == []
