"""The viewer decodes images in a confined child process, not in the app.

Through the real ``EvidenceViewer`` and a real vault: the decoding child
exists while an image opens and is killed when the viewer is cleared (a lock
does that); an image built to exhaust a decoder (a decompression bomb) is a
message, with the app unharmed.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from db import sandbox
from db.entities import Case, EvidenceItem
from db.vault import Vault
from desktop.viewer import EvidenceViewer, Shown

WAIT_MS = 15_000


@pytest.fixture
def case(vault: Vault) -> Case:
    return vault.cases.create(Case(title="Бомба"))


@pytest.fixture
def viewer(qtbot) -> Iterator[EvidenceViewer]:
    widget = EvidenceViewer()
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    widget.show()
    yield widget
    widget.clear()


def ingest(vault: Vault, case: Case, path: Path) -> EvidenceItem:
    return vault.evidence.ingest(path, case.id).item


def noisy_png(path: Path, size: tuple[int, int] = (3000, 2000)) -> Path:
    """A photo-sized PNG of noise: slow to inflate, so the child lives a while."""
    from PIL import Image

    rng = random.Random(5)
    Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)).save(
        path, format="PNG", compress_level=1
    )
    return path


def test_the_image_is_decoded_in_a_child_that_clear_kills(qtbot, vault, case, viewer, tmp_path) -> None:
    item = ingest(vault, case, noisy_png(tmp_path / "noise.png"))
    shown: list[str] = []
    viewer.shown.connect(shown.append)
    viewer.show_item(vault, item.id)
    qtbot.waitUntil(lambda: sandbox.running() == 1, timeout=WAIT_MS)
    viewer.clear()  # what a lock does; how fast a child goes: benchmarks/bench_sandbox.py
    qtbot.waitUntil(lambda: sandbox.running() == 0, timeout=WAIT_MS)
    qtbot.wait(300)  # a report from the killed job would arrive by now
    assert shown == [] or shown == [Shown.NOTHING.value]
    assert viewer.kind is Shown.NOTHING and viewer.image_page.image is None


def test_an_image_still_shows_from_the_child(qtbot, vault, case, viewer, tmp_path) -> None:
    item = ingest(vault, case, noisy_png(tmp_path / "small.png", (300, 200)))
    with qtbot.waitSignal(viewer.shown, timeout=WAIT_MS) as blocker:
        viewer.show_item(vault, item.id)
    assert blocker.args == [Shown.IMAGE.value]
    assert viewer.image_page.image is not None and (
        viewer.image_page.image.width(),
        viewer.image_page.image.height(),
    ) == (300, 200)


def test_a_decompression_bomb_is_a_message_not_a_crash(qtbot, vault, case, viewer, tmp_path) -> None:
    from PIL import Image

    bomb = tmp_path / "bomb.png"
    encoded = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(encoded, format="PNG")  # 400 megapixels in a few kB
    bomb.write_bytes(encoded.getvalue())
    item = ingest(vault, case, bomb)
    with qtbot.waitSignal(viewer.shown, timeout=WAIT_MS) as blocker:
        viewer.show_item(vault, item.id)
    assert blocker.args == [Shown.ERROR.value]
    assert "cannot be decoded" in viewer.message_page.message.text()
    assert viewer.message_page.export_button.isVisible()
    assert sandbox.running() == 0
