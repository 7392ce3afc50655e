"""The recorder widget (desktop/recorder.py), offscreen: with no microphone
(as here) Record says so and starts nothing; the audio path from the widget
to the vault (feed, pause, marker, stop) stores linked evidence."""

from __future__ import annotations

import array
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtMultimedia import QMediaDevices

from db.api import Vault, markers_of
from desktop.i18n import install_translators, remove_translators
from desktop.recorder import RecorderWidget
from tests.factory import make_case, make_testimony
from tests.gui_helpers import TS_FILE, compile_qm, qt_app, show, type_text

RATE = 48_000


def sine(seconds: float, freq: float) -> bytes:
    count = int(seconds * RATE)
    return array.array(
        "h", (int(16000 * math.sin(2 * math.pi * freq * i / RATE)) for i in range(count))
    ).tobytes()


@pytest.fixture(scope="module")
def ukrainian_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("translations")
    compile_qm(TS_FILE, folder / "fieldvault_uk.qm")
    return folder


@pytest.fixture(params=["en", "uk"])
def language(request: pytest.FixtureRequest, qtbot, ukrainian_qm: Path) -> Iterator[str]:
    if request.param == "uk":
        assert install_translators(qt_app(), QLocale("uk"), ukrainian_qm)
    yield request.param
    if request.param == "uk":
        remove_translators(qt_app())


def test_without_a_microphone_record_says_so_and_starts_nothing(
    qtbot, vault: Vault, vault_dir: Path, language: str
) -> None:
    if not QMediaDevices.defaultAudioInput().isNull():
        pytest.skip("this machine has a microphone")
    case = make_case(vault)
    widget = RecorderWidget(vault, case.id)
    show(qtbot, widget)
    qtbot.mouseClick(widget.record_button, Qt.MouseButton.LeftButton)
    expected = "Мікрофон не знайдено" if language == "uk" else "No microphone was found"
    assert widget.status.text().startswith(expected), widget.status.text()
    assert not widget.is_recording and widget.record_button.isEnabled()
    assert not list((vault_dir / "blobs").glob(".rec-*"))


def test_audio_fed_to_the_widget_is_stored_with_its_markers(qtbot, vault: Vault) -> None:
    case = make_case(vault)
    testimony = make_testimony(vault, case.id, title="Statement W-7")
    widget = RecorderWidget(vault, case.id, testimony.id)
    show(qtbot, widget)
    stored: list[str] = []
    widget.recorded.connect(stored.append)

    assert widget.begin()
    assert not widget.record_button.isEnabled() and widget.stop_button.isEnabled()
    for _ in range(10):
        widget.feed(sine(0.1, 440))
    qtbot.waitUntil(lambda: widget.meter.value() > 40 and widget.elapsed.text() == "0:01", timeout=2000)
    type_text(qtbot, widget.marker_label, "вибух")
    qtbot.mouseClick(widget.marker_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(widget.pause_button, Qt.MouseButton.LeftButton)
    assert widget.pause_button.text() == "Res&ume"
    widget.feed(sine(0.5, 3000))  # paused: not recorded
    qtbot.mouseClick(widget.pause_button, Qt.MouseButton.LeftButton)
    widget.feed(sine(0.5, 440))
    qtbot.mouseClick(widget.stop_button, Qt.MouseButton.LeftButton)
    assert widget.status.text() == "Saving the recording…"
    qtbot.waitUntil(lambda: bool(stored), timeout=5000)  # the encoder thread stores it

    (evidence_id,) = stored
    item = vault.evidence.get(evidence_id)
    assert item.claimed["duration_seconds"] == "1.500"
    assert [(m.at_seconds, m.label) for m in markers_of(item)] == [(1.0, "вибух")]
    assert [t.entity_id for t in vault.evidence_links.targets_of(evidence_id)] == [testimony.id]
    assert not widget.is_recording and widget.record_button.isEnabled()
