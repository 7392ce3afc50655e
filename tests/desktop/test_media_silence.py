"""Playing a video or a recording prints none of its metadata.

Qt Multimedia's FFmpeg backend, left alone, writes the container's tags
(title, comment, GPS location) to stderr when it opens a file, and a desktop
session keeps stderr in the system journal. Each check runs a child process
that starts the way the app does (``desktop.app``'s Qt logging set-up), shows
a file with a canary in its tags in the real ``EvidenceViewer`` from a real
vault, plays it, and exits; the child's whole stderr (file descriptor 2,
native writes included) is searched for the canary. A second run shows the
viewer alone (as embedded elsewhere) is silent too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtMultimedia")  # needs libpulse0 (PLATFORM-NOTES.md)

REPO = Path(__file__).resolve().parents[2]
CANARY = "CANARY-Hanna-Moroz-Kupiansk"

CHILD = """
import math, struct, sys, time
from pathlib import Path

import av

CANARY, KIND, FOLDER, APP_SETUP = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4] == "app"


def frames_mp4(container):
    stream = container.add_stream("mpeg4", rate=10)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    for index in range(10):
        frame = av.VideoFrame(64, 48, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([index * 20 % 256]) * plane.buffer_size)
        frame.pts = index
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def frames_ogg(container):
    stream = container.add_stream("flac", rate=8000)
    stream.layout, stream.format = "mono", "s16"
    stream.metadata["title"] = CANARY + " stream title"
    written = 0
    while written < 8000:
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(struct.pack("<960h", *(int(3000 * math.sin((written + k) / 10)) for k in range(960))))
        frame.sample_rate, frame.pts = 8000, written
        written += 960
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


source = FOLDER / ("clip." + KIND)
with av.open(str(source), "w", format=KIND) as container:
    container.metadata["title"] = CANARY + " title"
    container.metadata["comment"] = "Witness " + CANARY + " filmed this"
    container.metadata["location"] = "+49.7093+037.6156/"
    (frames_mp4 if KIND == "mp4" else frames_ogg)(container)

if APP_SETUP:
    from desktop.qt_logging import prepare_qt_logging
    prepare_qt_logging()  # what desktop.app.run_gui does before Qt starts

from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QApplication

from db.entities import Case
from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.vault import Vault
from desktop.viewer import EvidenceViewer, Shown

app = QApplication([])
vault = Vault.create(
    FOLDER / "vault", "correct horse battery staple", keyring=NoKeyring(),
    argon2=Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1),
).vault
item = vault.evidence.ingest(source, vault.cases.create(Case(title="Kupiansk")).id).item
viewer = EvidenceViewer()
viewer.show()
viewer.show_item(vault, item.id)
loaded = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
deadline = time.monotonic() + 20
while viewer.media_page.player.mediaStatus() not in loaded and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
viewer.media_page.player.play()
until = time.monotonic() + 0.7
while time.monotonic() < until:
    app.processEvents()
    time.sleep(0.01)
print("shown", viewer.kind.value, viewer.media_page.player.mediaStatus().name)
viewer.clear()
vault.lock()
"""


def play_in_child(tmp_path: Path, kind: str, *, app_setup: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_LOGGING")}
    env.update(PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    env.pop("QT_MESSAGE_PATTERN", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(CHILD),
            CANARY,
            kind,
            str(tmp_path),
            "app" if app_setup else "-",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("kind", ["mp4", "ogg"])
@pytest.mark.parametrize("app_setup", [True, False], ids=["app", "viewer-alone"])
def test_playing_a_file_prints_none_of_its_metadata(tmp_path: Path, kind: str, app_setup: bool) -> None:
    result = play_in_child(tmp_path, kind, app_setup=app_setup)
    assert result.returncode == 0, result.stderr[-2000:]
    # It really was opened and played by Qt Multimedia.
    assert result.stdout.split()[:2] == ["shown", "media"]
    assert result.stdout.split()[2] in {"LoadedMedia", "BufferedMedia", "EndOfMedia"}
    assert CANARY not in result.stderr
    assert CANARY not in result.stdout
    assert "+49.7093" not in result.stderr  # the location tag


def test_with_the_app_set_up_qt_messages_carry_no_text(tmp_path: Path) -> None:
    """Whatever Qt still prints (a missing sound device here) is its type
    and category, never the message."""
    result = play_in_child(tmp_path, "ogg", app_setup=True)
    assert result.returncode == 0, result.stderr[-2000:]
    qt_lines = [line for line in result.stderr.splitlines() if line.startswith("qt ")]
    assert all(line.endswith(": (message withheld)") for line in qt_lines), qt_lines
    assert "pa_context_connect" not in result.stderr
