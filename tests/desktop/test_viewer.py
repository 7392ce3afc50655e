"""The evidence viewer, its blob device and thumbnails, against a real vault.

Offscreen, no sleeps: the viewer's ``shown`` signal, the player's own state and
``qtbot.waitUntil`` tell when something happened. Everything here runs
offscreen, video included: QVideoWidget falls back to converting frames on the
CPU ("No RHI backend"), and with no sound device the player plays silently.
Screenshots go to build/screenshots/viewer-*.png (make screenshots: docs/screenshots/).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QPoint, QRect, QSize, QStandardPaths, Qt, Slot
from PySide6.QtGui import QColor, QPainter
from PySide6.QtMultimedia import QMediaDevices, QMediaPlayer, QVideoFrame
from PySide6.QtWidgets import QApplication

from db.blobformat import DEFAULT_SEGMENT_SIZE, HEADER_SIZE, BlobIntegrityError
from db.entities import Case, EvidenceItem
from db.sandbox import PDF_PAGES_AT_ONCE
from db.vault import Vault
from desktop import viewer as viewer_module
from desktop import viewer_image as image_page_module
from desktop import viewer_text as text_page_module
from desktop.blob_device import BlobDevice, DeviceAborted
from desktop.tasks import Lane
from desktop.thumbnails import ThumbnailCache, make_thumbnail
from desktop.viewer import EvidenceViewer, Shown
from tests.evidence_samples import (
    AUDIO_SECONDS,
    PDF_PAGES,
    VIDEO_SECONDS,
    make_jpeg,
    make_mp4,
    make_pdf,
    make_random,
    make_wav,
)
from tests.gui_helpers import screenshot
from tests.screenshots import SCREENSHOTS

REPO = Path(__file__).resolve().parents[2]
WAIT_MS = 15_000
QUADRANTS = {  # a generated image: one colour per quadrant
    (0, 0): (200, 30, 30),
    (1, 0): (30, 160, 40),
    (0, 1): (30, 60, 200),
    (1, 1): (240, 200, 20),
}
UKRAINIAN_TEXT = "Свідок бачив, як двох полонених вивели з підвалу.\nЦе було вранці.\n"
RECENT_FILE_CAP = 256 << 20  # a decrypted copy of this test's 3 MB video is far smaller
LOADED = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)


# -- helpers ------------------------------------------------------------------


@pytest.fixture
def case(vault: Vault) -> Case:
    return vault.cases.create(Case(title="Ізюм, березень 2022"))


def ingest(vault: Vault, case: Case, path: Path, **options) -> EvidenceItem:
    return vault.evidence.ingest(path, case.id, **options).item


@pytest.fixture
def viewer(qtbot) -> Iterator[EvidenceViewer]:
    widget = EvidenceViewer()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    widget.activateWindow()  # the Space / arrow shortcuts need an active window
    qtbot.waitUntil(widget.isActiveWindow)
    yield widget
    widget.clear()  # before Qt deletes it: the player must let go of the device first


def show(qtbot, viewer: EvidenceViewer, vault: Vault, item: EvidenceItem) -> Shown:
    with qtbot.waitSignal(viewer.shown, timeout=WAIT_MS) as blocker:
        viewer.show_item(vault, item.id)
    return Shown(blocker.args[0])


def video_screenshot(viewer: EvidenceViewer, name: str) -> None:
    """QVideoWidget draws into a native child window, which QWidget.grab()
    leaves blank: the frame the player last delivered is painted where the
    video widget is, as it would appear on screen."""
    QApplication.processEvents()
    shot = viewer.grab().toImage()
    frame = viewer.media_page.video_widget.videoSink().videoFrame().toImage()
    assert not frame.isNull()
    area = QRect(
        viewer.media_page.video_widget.mapTo(viewer, QPoint(0, 0)), viewer.media_page.video_widget.size()
    )
    scaled = frame.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    painter = QPainter(shot)
    painter.fillRect(area, Qt.GlobalColor.black)
    painter.drawImage(
        area.x() + (area.width() - scaled.width()) // 2,
        area.y() + (area.height() - scaled.height()) // 2,
        scaled,
    )
    painter.end()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert shot.save(str(SCREENSHOTS / name)), name


def blob_file(vault_dir: Path) -> Path:
    (path,) = (vault_dir / "blobs").iterdir()
    return path


def flip(path: Path, offset: int) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def make_quadrants_png(path: Path, size: tuple[int, int] = (800, 600)) -> Path:
    from PIL import Image

    image = Image.new("RGB", size)
    half_w, half_h = size[0] // 2, size[1] // 2
    for (col, row), colour in QUADRANTS.items():
        image.paste(colour, (col * half_w, row * half_h, (col + 1) * half_w, (row + 1) * half_h))
    image.save(path, format="PNG")
    return path


def make_noise_mp4(path: Path, seed: int, *, size: tuple[int, int] = (320, 240)) -> Path:
    """Like evidence_samples.make_mp4 (same length and rate), but of random noise
    frames: its bytes are this test's own (make_mp4's grey frames are the same
    in every run, so they could be found in another test's folder), and at
    high quality it spans several blob segments."""
    import av

    rng = random.Random(seed)
    frames = round(VIDEO_SECONDS * 10)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = 40_000_000
        stream.options = {"qmin": "1", "qmax": "2"}
        for index in range(frames):
            frame = av.VideoFrame(*size, "yuv420p")
            for plane in frame.planes:
                plane.update(rng.randbytes(plane.buffer_size))
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


class FrameLog(QObject):
    """Start times (µs) of the frames the player delivers. A QObject in the GUI
    thread: the sink emits from Qt's render thread, and the slot runs here."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: list[int] = []

    @Slot(QVideoFrame)
    def record(self, frame: QVideoFrame) -> None:
        if frame.isValid():
            self.starts.append(frame.startTime())


def wait_loaded(qtbot, viewer: EvidenceViewer) -> QMediaPlayer:
    player = viewer.media_page.player
    qtbot.waitUntil(lambda: player.mediaStatus() in LOADED, timeout=WAIT_MS)
    return player


def colour_at(image, x: int, y: int) -> tuple[int, int, int]:
    colour = QColor(image.pixel(x, y))
    return colour.red(), colour.green(), colour.blue()


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 6) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


# -- BlobDevice -----------------------------------------------------------------


def test_blob_device_reads_equal_the_source_at_random_offsets(vault, case, tmp_path):
    size = 2 * DEFAULT_SEGMENT_SIZE + DEFAULT_SEGMENT_SIZE // 2 + 123  # three segments
    source = make_random(tmp_path / "random.bin", size, seed=5)
    data = source.read_bytes()
    item = ingest(vault, case, source)
    device = BlobDevice(vault.evidence.open(item.id))
    assert device.isOpen() and device.isReadable() and not device.isWritable()
    assert not device.isSequential()
    assert device.size() == size and device.pos() == 0
    assert device.bytesAvailable() == size and not device.atEnd()

    rng = random.Random(11)
    for _ in range(200):
        offset = rng.randrange(size)
        length = rng.randrange(1, 300_000)
        assert device.seek(offset)
        got = device.read(length).data()
        assert got == data[offset : offset + length]
        assert device.pos() == offset + len(got)
        assert device.bytesAvailable() == size - device.pos()

    # Across a segment boundary, then sequential reads carry on from there.
    assert device.seek(DEFAULT_SEGMENT_SIZE - 10)
    assert device.read(20).data() == data[DEFAULT_SEGMENT_SIZE - 10 : DEFAULT_SEGMENT_SIZE + 10]
    assert device.read(5).data() == data[DEFAULT_SEGMENT_SIZE + 10 : DEFAULT_SEGMENT_SIZE + 15]
    assert device.seek(0)
    assert device.readAll().data() == data
    assert device.atEnd() and device.bytesAvailable() == 0
    assert device.read(10).data() == b""
    assert device.seek(size) and device.atEnd()
    assert not device.seek(size + 1) and not device.seek(-1)
    assert device.write(b"x") == -1

    reader = device.reader
    assert reader is not None
    device.close()
    assert reader.closed and device.reader is None and not device.isOpen()
    assert not device.open(device.OpenModeFlag.ReadOnly)  # a closed device stays closed


def test_blob_device_stops_at_a_damaged_segment(vault, case, tmp_path, vault_dir):
    size = 2 * DEFAULT_SEGMENT_SIZE + 500
    item = ingest(vault, case, make_random(tmp_path / "random.bin", size, seed=6))
    flip(blob_file(vault_dir), HEADER_SIZE + 100)  # inside segment 0; the last one is whole
    device = BlobDevice(vault.evidence.open(item.id))  # opening checks only the last segment
    assert device.seek(2 * DEFAULT_SEGMENT_SIZE)
    assert len(device.read(100).data()) == 100  # the whole segments read fine
    assert device.seek(0)
    assert device.read(10).data() == b""
    assert isinstance(device.failure, BlobIntegrityError)
    assert "segment 0" in str(device.failure)
    assert device.atEnd() and device.bytesAvailable() == 0  # a reader stops instead of retrying
    device.close()


def test_blob_device_abort_from_another_thread_stops_reads(vault, case, tmp_path):
    item = ingest(vault, case, make_random(tmp_path / "random.bin", 5000, seed=7))
    device = BlobDevice(vault.evidence.open(item.id))
    reader = device.reader
    assert reader is not None
    aborter = threading.Thread(target=device.abort)
    aborter.start()
    aborter.join()
    assert reader.closed
    assert device.read(10).data() == b""
    assert isinstance(device.failure, DeviceAborted) and device.atEnd()
    device.close()


# -- images and thumbnails ------------------------------------------------------


def test_an_image_is_shown_scaled_to_fit_with_its_colours(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_quadrants_png(tmp_path / "quadrants.png"))
    assert show(qtbot, viewer, vault, item) is Shown.IMAGE
    assert viewer.kind is Shown.IMAGE and viewer.evidence_id == item.id
    assert viewer.stack.currentWidget() is viewer.image_page
    assert viewer.title.text() == "quadrants.png"
    assert viewer.image_page.image.size() == QSize(800, 600)

    pixmap = viewer.image_page.label.pixmap()
    room = viewer.image_page.area.viewport().size()
    assert 0 < pixmap.width() <= room.width() and 0 < pixmap.height() <= room.height()
    assert pixmap.width() < 800  # shrunk to fit, aspect kept
    assert abs(pixmap.width() / pixmap.height() - 800 / 600) < 0.02
    shown = pixmap.toImage()
    for (col, row), colour in QUADRANTS.items():
        x = round((col + 0.5) * shown.width() / 2)
        y = round((row + 0.5) * shown.height() / 2)
        assert close_to(colour_at(shown, x, y), colour), (col, row)
    screenshot(viewer, "viewer-image.png")

    # Zoom with the keyboard: Ctrl++ enlarges, Ctrl+0 fits again.
    fitted = pixmap.width()
    viewer.image_page.area.setFocus()
    qtbot.keyClick(viewer.image_page.area, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert abs(viewer.image_page.label.pixmap().width() - fitted * image_page_module.ZOOM_STEP) <= 1
    qtbot.keyClick(viewer.image_page.area, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert viewer.image_page.label.pixmap().width() == fitted

    viewer.clear()
    assert viewer.image_page.image is None and viewer.image_page.label.pixmap().isNull()
    # clear() changed the kind; mypy keeps its narrowing to IMAGE across the call.
    assert viewer.kind is Shown.NOTHING and viewer.title.text() == ""  # type: ignore[comparison-overlap]


def test_a_small_photo_is_not_enlarged(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_jpeg(tmp_path / "photo.jpg"))
    assert show(qtbot, viewer, vault, item) is Shown.IMAGE
    pixmap = viewer.image_page.label.pixmap()
    assert pixmap.size() == QSize(64, 48)
    assert close_to(colour_at(pixmap.toImage(), 32, 24), (120, 30, 30), tolerance=8)


def test_showing_an_item_is_recorded_in_its_custody(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_jpeg(tmp_path / "photo.jpg"))
    show(qtbot, viewer, vault, item)
    actions = [event.action for event in vault.evidence.custody(item.id)]
    assert actions == ["intake", "view"]


def test_clearing_while_an_image_decodes_shows_nothing_later(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_quadrants_png(tmp_path / "quadrants.png", (2000, 1500)))
    seen: list[str] = []
    viewer.shown.connect(seen.append)
    viewer.show_item(vault, item.id)
    viewer.clear()
    qtbot.waitUntil(lambda: viewer.tasks.pool(Lane.VIEWER).activeThreadCount() == 0)
    QApplication.processEvents()  # a report already on its way is delivered, and ignored
    assert seen == [] and viewer.kind is Shown.NOTHING and viewer.image_page.image is None


def test_thumbnails_are_made_in_memory_and_cached(vault, case, tmp_path):
    photo = ingest(vault, case, make_jpeg(tmp_path / "photo.jpg"))
    big = ingest(vault, case, make_quadrants_png(tmp_path / "quadrants.png"))
    document = ingest(vault, case, make_pdf(tmp_path / "report.pdf"))
    cache = ThumbnailCache(capacity=2)

    thumb = cache.thumbnail(vault, big.id, QSize(80, 80))
    assert thumb is not None and thumb.size() == QSize(80, 60)
    assert close_to(colour_at(thumb, 20, 15), QUADRANTS[(0, 0)], tolerance=12)
    assert cache.thumbnail(vault, big.id, QSize(80, 80)) is thumb  # cached: not opened again
    events = vault.evidence.custody(big.id)
    assert [(e.action, e.details.get("purpose")) for e in events] == [("intake", None), ("view", "thumbnail")]

    small = cache.thumbnail(vault, photo.id, QSize(80, 80))
    assert small is not None and small.size() == QSize(64, 48)  # never enlarged
    assert cache.thumbnail(vault, document.id) is None  # not an image: not opened at all
    assert [e.action for e in vault.evidence.custody(document.id)] == ["intake"]
    assert len(cache) == 2  # bounded: the least recently used was dropped
    cache.clear()
    assert len(cache) == 0

    # make_thumbnail on its own: straight from the reader, which it closes.
    reader = vault.evidence.open(big.id, purpose="thumbnail")
    assert make_thumbnail(reader, QSize(40, 40)).size() == QSize(40, 30)
    assert reader.closed


def test_a_damaged_thumbnail_raises_the_vaults_error(vault, case, tmp_path, vault_dir):
    item = ingest(vault, case, make_jpeg(tmp_path / "photo.jpg"))
    flip(blob_file(vault_dir), HEADER_SIZE + 50)
    with pytest.raises(BlobIntegrityError):
        ThumbnailCache().thumbnail(vault, item.id)


# -- PDF and text ---------------------------------------------------------------


def test_a_pdf_is_shown_with_all_its_pages(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_pdf(tmp_path / "report.pdf"))
    assert show(qtbot, viewer, vault, item) is Shown.PDF
    assert viewer.stack.currentWidget() is viewer.pdf_page
    assert viewer.pdf_page.page_count == viewer.pdf_page.pages_shown == PDF_PAGES == 3
    assert not viewer.pdf_page.more_button.isVisible()
    screenshot(viewer, "viewer-pdf.png")
    viewer.clear()
    assert viewer.pdf_page.page_count == viewer.pdf_page.pages_shown == 0


def test_a_long_pdf_shows_its_pages_a_few_at_a_time(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_pdf(tmp_path / "long.pdf", pages=11))
    assert show(qtbot, viewer, vault, item) is Shown.PDF
    assert (viewer.pdf_page.pages_shown, viewer.pdf_page.page_count) == (PDF_PAGES_AT_ONCE, 11)
    assert viewer.pdf_page.more_button.isVisible() and "of 11" in viewer.pdf_page.status.text()
    qtbot.mouseClick(viewer.pdf_page.more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: viewer.pdf_page.pages_shown == 11, timeout=30_000)
    assert not viewer.pdf_page.more_button.isVisible()
    views = [e for e in vault.evidence.custody(item.id) if e.action == "view"]
    assert len(views) == 2  # each read of the item is in its custody


def test_a_damaged_pdf_is_a_message(qtbot, vault, case, viewer, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"not really a pdf\n" * 20)
    item = ingest(vault, case, broken)
    assert item.mime_type == "application/pdf"
    assert show(qtbot, viewer, vault, item) is Shown.ERROR
    assert "cannot be shown here" in viewer.message_page.message.text()
    assert viewer.message_page.export_button.isVisible()


def test_a_password_protected_pdf_says_so(qtbot, vault, case, viewer, tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(make_pdf(tmp_path / "plain.pdf")))
    writer.encrypt("a secret")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as out:
        writer.write(out)
    item = ingest(vault, case, locked)
    assert show(qtbot, viewer, vault, item) is Shown.ERROR
    assert "protected by a password" in viewer.message_page.message.text()


def test_pdfs_are_never_parsed_in_the_apps_process(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_pdf(tmp_path / "report.pdf"))
    assert show(qtbot, viewer, vault, item) is Shown.PDF
    assert "pypdfium2" not in sys.modules and "PySide6.QtPdf" not in sys.modules


def test_a_text_item_shows_its_text(qtbot, vault, case, viewer, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(UKRAINIAN_TEXT, encoding="utf-8")
    item = ingest(vault, case, path)
    assert item.mime_type == "text/plain"
    assert show(qtbot, viewer, vault, item) is Shown.TEXT
    assert viewer.text_page.view.toPlainText() == UKRAINIAN_TEXT
    assert viewer.text_page.view.isReadOnly() and not viewer.notice.isVisible()
    viewer.clear()
    assert viewer.text_page.view.toPlainText() == ""


def test_a_long_text_is_cut_with_a_notice(qtbot, vault, case, viewer, tmp_path, monkeypatch):
    monkeypatch.setattr(text_page_module, "TEXT_LIMIT", 20)
    path = tmp_path / "long.txt"
    path.write_bytes(b"abcdefghij" * 10 + b"\xff tail")  # an invalid byte past the cut
    item = ingest(vault, case, path)
    assert show(qtbot, viewer, vault, item) is Shown.TEXT
    assert viewer.text_page.view.toPlainText() == "abcdefghij" * 2
    assert viewer.notice.isVisible() and "Showing the first" in viewer.notice.text()


def test_invalid_utf8_is_replaced_not_refused(qtbot, vault, case, viewer, tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Свідок\n".encode() + b"bad \xff\xfe byte\n")
    item = ingest(vault, case, path)
    assert show(qtbot, viewer, vault, item) is Shown.TEXT
    assert viewer.text_page.view.toPlainText().startswith("Свідок\nbad \ufffd")


# -- audio and video --------------------------------------------------------------


def test_a_video_plays_and_seeks_from_the_vault(qtbot, vault, case, viewer, tmp_path, monkeypatch):
    reading_threads: set[int] = set()
    read_data = BlobDevice.readData

    def recording_read(device, maxlen):
        reading_threads.add(threading.get_ident())
        return read_data(device, maxlen)

    monkeypatch.setattr(BlobDevice, "readData", recording_read)
    item = ingest(vault, case, make_mp4(tmp_path / "clip.mp4"))
    assert show(qtbot, viewer, vault, item) is Shown.MEDIA
    player = wait_loaded(qtbot, viewer)
    assert player.source().isEmpty() and player.sourceDevice() is viewer.media_page.device
    assert player.hasVideo() and player.isSeekable()
    assert abs(player.duration() - VIDEO_SECONDS * 1000) <= 150
    assert viewer.media_page.video_widget.isVisible() and not viewer.media_page.audio_label.isVisible()
    # Qt Multimedia reads the device on its own threads: why BlobDevice locks.
    assert reading_threads and threading.get_ident() not in reading_threads
    frames = FrameLog()
    viewer.media_page.video_widget.videoSink().videoFrameChanged.connect(frames.record)

    # Space plays (with the focus on the play button: one toggle, not two).
    viewer.media_page.play_button.setFocus()
    qtbot.waitUntil(viewer.media_page.play_button.hasFocus)
    qtbot.keyClick(viewer.media_page.play_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)
    assert viewer.media_page.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: bool(frames.starts), timeout=WAIT_MS)

    # Seek to the middle while playing: frames come from there on.
    middle = player.duration() // 2
    seen = len(frames.starts)
    viewer.media_page.seek(middle)
    qtbot.waitUntil(lambda: any(s >= middle * 1000 for s in frames.starts[seen:]), timeout=WAIT_MS)
    after_seek = frames.starts[seen:]
    assert min(s for s in after_seek if s >= middle * 1000) <= (middle + 300) * 1000
    assert middle - 100 <= player.position() <= player.duration()
    qtbot.keyClick(viewer.media_page.play_button, Qt.Key.Key_Space)  # pause
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PausedState)
    qtbot.waitUntil(lambda: viewer.media_page.position_slider.value() > 0)
    assert viewer.media_page.time_label.text().endswith(" / 0:02")
    video_screenshot(viewer, "viewer-video.png")

    # Left seeks back 5 s (to the start here), Right forward 5 s (to the end).
    qtbot.keyClick(viewer.media_page.play_button, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: player.position() < 300)
    qtbot.keyClick(viewer.media_page.play_button, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: player.position() >= player.duration() - 300)

    # clear(): playback stops, the device closes, nothing of the item is kept.
    qtbot.keyClick(viewer.media_page.play_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)
    device = viewer.media_page.device
    assert isinstance(device, BlobDevice)
    reader = device.reader
    viewer.clear()
    assert player.playbackState() == QMediaPlayer.PlaybackState.StoppedState
    assert player.mediaStatus() == QMediaPlayer.MediaStatus.NoMedia
    assert player.sourceDevice() is None and viewer.media_page.device is None
    assert not device.isOpen() and device.reader is None and reader.closed
    assert not viewer.media_page.video_widget.videoSink().videoFrame().isValid()
    assert viewer.kind is Shown.NOTHING and viewer.media_page.position_slider.maximum() == 0


def test_a_played_video_leaves_no_plaintext_on_disk(
    qtbot, vault, case, viewer, tmp_path, vault_dir, monkeypatch
):
    started = time.time()
    system_temp = Path(tempfile.gettempdir())
    # Whatever Qt, FFmpeg or Python would put in "the" temp folder lands in
    # this test's folder, which is searched whole.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    source = make_noise_mp4(tmp_path / "noise.mp4", seed=random.SystemRandom().randrange(1 << 30))
    data = source.read_bytes()
    assert len(data) > 2 * DEFAULT_SEGMENT_SIZE
    canary = data[len(data) // 2 : len(data) // 2 + 64]
    assert data.count(canary) == 1
    assert contains(source, canary)  # the search finds it where it is
    item = ingest(vault, case, source, remove_source=True)
    assert not source.exists()

    show(qtbot, viewer, vault, item)
    player = wait_loaded(qtbot, viewer)
    player.play()
    qtbot.waitUntil(lambda: player.position() > 300, timeout=WAIT_MS)
    viewer.media_page.seek(player.duration() - 400)
    qtbot.waitUntil(
        lambda: player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia or player.position() > 1700,
        timeout=WAIT_MS,
    )
    viewer.clear()

    searched = list(files_under(tmp_path))  # the vault, the test's files, TMPDIR
    recent = {system_temp}
    for test_mode in (True, False):  # Qt's cache folders, the test ones and the real ones
        QStandardPaths.setTestModeEnabled(test_mode)
        for location in (
            QStandardPaths.StandardLocation.CacheLocation,
            QStandardPaths.StandardLocation.GenericCacheLocation,
            QStandardPaths.StandardLocation.AppDataLocation,
        ):
            recent.update(Path(p) for p in QStandardPaths.standardLocations(location))
    QStandardPaths.setTestModeEnabled(True)
    for folder in recent:  # shared folders: only what changed during the test
        searched += [
            path
            for path in files_under(folder)
            if not path.is_relative_to(tmp_path) and changed_since(path, started, max_size=RECENT_FILE_CAP)
        ]
    assert any(path.is_relative_to(vault_dir) for path in searched)
    for path in searched:
        assert not contains(path, canary), path


def files_under(folder: Path):
    for root, _dirs, names in os.walk(folder, onerror=lambda _err: None):
        for name in names:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                yield path


def changed_since(path: Path, started: float, *, max_size: int) -> bool:
    """Modified during the test, and not some other program's huge file (other
    test runs may share the system temp folder)."""
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_mtime >= started and info.st_size <= max_size


def contains(path: Path, needle: bytes, chunk: int = 1 << 20) -> bool:
    try:
        with path.open("rb") as handle:
            tail = b""
            while block := handle.read(chunk):
                if needle in tail + block:
                    return True
                tail = block[-(len(needle) - 1) :]
    except OSError:  # gone, or not ours to read
        return False
    return False


def test_audio_plays_even_without_a_sound_device(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_wav(tmp_path / "voice.wav"))
    assert show(qtbot, viewer, vault, item) is Shown.MEDIA
    player = wait_loaded(qtbot, viewer)
    assert player.hasAudio() and not player.hasVideo()
    assert abs(player.duration() - AUDIO_SECONDS * 1000) <= 150
    qtbot.waitUntil(lambda: viewer.media_page.audio_label.isVisible())
    assert not viewer.media_page.video_widget.isVisible()
    if QMediaDevices.defaultAudioOutput().isNull():
        assert viewer.notice.isVisible() and "No sound device" in viewer.notice.text()
    viewer.media_page.toggle_playback()
    qtbot.waitUntil(lambda: player.position() > 200, timeout=WAIT_MS)
    viewer.clear()
    assert player.mediaStatus() == QMediaPlayer.MediaStatus.NoMedia


def test_media_that_does_not_decode_is_a_message(qtbot, vault, case, viewer, tmp_path):
    fake = tmp_path / "clip.mp4"
    fake.write_bytes(make_mp4(tmp_path / "real.mp4").read_bytes()[:40])  # headers cut off
    item = ingest(vault, case, fake)
    assert item.mime_type.startswith("video/") or item.mime_type in viewer_module.MEDIA_TYPES
    assert show(qtbot, viewer, vault, item) is Shown.MEDIA
    qtbot.waitUntil(lambda: viewer.kind is Shown.ERROR, timeout=WAIT_MS)
    assert "cannot be played here" in viewer.message_page.message.text()
    assert viewer.message_page.export_button.isVisible()
    qtbot.waitUntil(lambda: viewer.media_page.device is None)  # the player was reset after its signal


# -- damage, unsupported types, the message page -----------------------------------


def test_a_damaged_item_shows_a_message_not_a_traceback(qtbot, vault, case, viewer, tmp_path, vault_dir):
    item = ingest(vault, case, make_jpeg(tmp_path / "photo.jpg"))
    flip(blob_file(vault_dir), HEADER_SIZE + 50)
    assert show(qtbot, viewer, vault, item) is Shown.ERROR
    text = viewer.message_page.message.text()
    assert text.startswith("This item cannot be shown.")
    assert "damaged or was altered" in text and "Traceback" not in text
    assert viewer.stack.currentWidget() is viewer.message_page
    assert not viewer.message_page.export_button.isVisible()  # an export would fail the same way


def test_a_video_damaged_mid_file_stops_with_the_message(qtbot, vault, case, viewer, tmp_path, vault_dir):
    item = ingest(vault, case, make_noise_mp4(tmp_path / "noise.mp4", seed=3))
    flip(blob_file(vault_dir), HEADER_SIZE + DEFAULT_SEGMENT_SIZE + 16 + 1000)  # inside segment 1
    assert show(qtbot, viewer, vault, item) is Shown.MEDIA
    player = viewer.media_page.player
    qtbot.waitUntil(lambda: viewer.kind is Shown.ERROR or player.mediaStatus() in LOADED, timeout=WAIT_MS)
    if viewer.kind is not Shown.ERROR:
        player.play()
    qtbot.waitUntil(lambda: viewer.kind is Shown.ERROR, timeout=WAIT_MS)
    assert "damaged or was altered" in viewer.message_page.message.text()
    qtbot.waitUntil(lambda: viewer.media_page.device is None)


def test_an_unsupported_type_offers_export(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_random(tmp_path / "data.bin", 4096, seed=9))
    assert item.mime_type == "application/octet-stream"
    assert show(qtbot, viewer, vault, item) is Shown.UNSUPPORTED
    assert "cannot be shown here" in viewer.message_page.message.text()
    assert viewer.message_page.export_button.isVisible()
    with qtbot.waitSignal(viewer.export_requested) as blocker:
        qtbot.mouseClick(viewer.message_page.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [item.id]
    assert [e.action for e in vault.evidence.custody(item.id)] == ["intake"]  # not opened


def test_controls_have_accessible_names(viewer):
    for widget in (
        viewer,
        viewer.media_page.play_button,
        viewer.media_page.position_slider,
        viewer.media_page.time_label,
        viewer.media_page.video_widget,
        viewer.pdf_page.view,
        viewer.text_page.view,
        viewer.image_page.area,
        viewer.message_page.export_button,
        viewer.message_page.message,
    ):
        assert widget.accessibleName(), widget


def test_hiding_the_viewer_pauses_playback(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_mp4(tmp_path / "clip.mp4"))
    show(qtbot, viewer, vault, item)
    player = wait_loaded(qtbot, viewer)
    viewer.media_page.toggle_playback()
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState)
    viewer.hide()
    assert player.playbackState() == QMediaPlayer.PlaybackState.PausedState


def test_a_locked_vault_is_a_message(qtbot, vault, case, viewer, tmp_path):
    item = ingest(vault, case, make_jpeg(tmp_path / "photo.jpg"))
    vault.lock()
    assert show(qtbot, viewer, vault, item) is Shown.ERROR
    assert (
        "locked" in viewer.message_page.message.text()
        and "Traceback" not in viewer.message_page.message.text()
    )
