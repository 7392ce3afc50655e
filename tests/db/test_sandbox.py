"""Untrusted files stay in a box (db/sandbox.py, db/sandbox_worker.py).

Metadata is read by a confined child process: what its libraries print never
reaches our stderr, a child that runs too long or too big is killed and the
file is stored anyway with "metadata not read: <reason>", and the child can
neither open a socket nor write a file.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from db import capture, sandbox
from db.capture import examine_file
from db.sandbox import Limits, SandboxFailed, SandboxRun, decode_image
from db.vault import Vault
from tests.evidence_samples import PDF_PAGES, make_jpeg, make_mp4, make_pdf
from tests.factory import make_case
from tests.sandbox_helpers import stand_in_child

CANARY = "CANARY-Olena-Kovalenko-Izium"


def malformed_pdf_with_author(path: Path, author: str = CANARY) -> Path:
    """A one-page PDF whose /Info dictionary is broken right where /Author is:
    pypdf, reading it, logs an error that quotes the author's name."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Author": author})
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue().replace(b"/Author", b"/Author /Broken", 1)
    path.write_bytes(data)
    return path


def test_a_malformed_pdf_never_prints_its_author_and_is_stored(
    vault: Vault, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    source = malformed_pdf_with_author(tmp_path / "statement.pdf")
    item = vault.evidence.ingest(source, make_case(vault).id).item

    out, err = capfd.readouterr()  # file descriptors 1 and 2 of this process
    assert CANARY not in err and CANARY not in out
    assert item.mime_type == "application/pdf"
    assert CANARY not in json.dumps(item.claimed)
    with vault.evidence.open(item.id) as reader:
        assert reader.read() == source.read_bytes()


def test_claims_still_come_back_through_the_box(tmp_path: Path) -> None:
    mime, claims = examine_file(make_pdf(tmp_path / "a.pdf"))
    assert mime == "application/pdf" and claims["pages"] == str(PDF_PAGES)
    mime, claims = examine_file(make_jpeg(tmp_path / "a.jpg"))
    assert mime == "image/jpeg" and "gps_latitude" in claims
    mime, claims = examine_file(make_mp4(tmp_path / "a.mp4"))
    assert mime.startswith("video/") and "duration_seconds" in claims


def _hanging_examine_child(
    monkeypatch: pytest.MonkeyPatch, answer: list[dict[str, object]], marker: Path
) -> None:
    """The intake's metadata child writes ``answer``'s lines, then its pid
    to ``marker``, then hangs: a hostile file that took the parser over, or
    a parse that never ends. The Content Credentials child is the real one."""
    stand_in_child(monkeypatch, "examine", answer, hangs_after=marker)


def test_a_child_past_its_time_is_killed_and_the_file_stored_anyway(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A child that answered in full and then hung past its wall time: timed
    # out, so nothing it wrote is used, its type no more than its claims
    # (they may be cut short, or a hostile file's words). They were used
    # once: an intake with a 0.01 s limit got them whenever a child forked
    # by the zygote read the photo within it.
    marker = tmp_path / "answered"
    answer: list[dict[str, object]] = [
        {"mime": "image/jpeg"},
        {"claims": {"camera": CANARY, "gps_latitude": "49.2"}},
    ]
    _hanging_examine_child(monkeypatch, answer, marker)
    # 3 s: room for the child to start and answer under load (checked below)
    monkeypatch.setattr(capture, "INTAKE_LIMITS", Limits(wall_seconds=3.0))
    source = make_jpeg(tmp_path / "photo.jpg")
    started = time.monotonic()
    item = vault.evidence.ingest(source, make_case(vault).id).item
    assert time.monotonic() - started < 60  # killed at its wall time, not waited for
    assert marker.exists(), "the child had not answered by its deadline: the test proves nothing"
    assert not Path(f"/proc/{marker.read_text()}").exists()  # killed and reaped
    assert item.claimed == {"metadata": "metadata not read: timed out"}  # no C2PA read either
    assert item.mime_type == "application/octet-stream"
    assert CANARY not in json.dumps(item.claimed)
    with vault.evidence.open(item.id) as reader:
        assert reader.read() == source.read_bytes()
    assert sandbox.running() == 0
    assert vault.verify().ok


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the zygote is Linux only")
def test_a_forked_child_blocked_past_its_time_is_timed_out(tmp_path: Path) -> None:
    # The real worker, forked from the zygote, reading a FIFO whose write end
    # this test holds open: it is still reading at its deadline, however
    # fast it is (a 0.01 s limit was a race: a forked child can read a
    # small photo within it).
    zygote = sandbox.start_zygote()
    assert zygote is not None
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    write_end = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer, never closed in time
    outcome: list[tuple[str, dict[str, str]]] = []
    try:
        os.write(write_end, make_jpeg(tmp_path / "a.jpg").read_bytes())
        examining = threading.Thread(
            target=lambda: outcome.append(examine_file(fifo, Limits(wall_seconds=1.0))), daemon=True
        )
        examining.start()
        examining.join(30)  # a hang guard: the sandbox kills it at 1 s
    finally:
        os.close(write_end)  # a child still reading now ends (and fails the test)
    examining.join(30)
    assert outcome == [("application/octet-stream", {"metadata": "metadata not read: timed out"})]
    assert sandbox.running() == 0
    # Forked, not spawned: a timed-out child retires its zygote, which ends.
    deadline = time.monotonic() + 30
    while sandbox._runs_still(zygote):
        assert time.monotonic() < deadline, "the zygote forked no child (or was not retired)"
        time.sleep(0.01)


def test_a_child_out_of_memory_gives_a_reason_not_a_crash(tmp_path: Path) -> None:
    # A WMV (ASF) whose header holds one object said to be 4 GiB long: the
    # parser (mutagen) asks for 4 GiB at once, past the child's 1 GiB of
    # address space. (An MP4 movie header of 4 GiB did this until the MP4
    # boxes got a bounded reader of our own: tests/db/test_media_claims_fuzz.py.)
    hostile = tmp_path / "clip.wmv"
    asf_header_object = bytes.fromhex("3026B2758E66CF11A6D900AA0062CE6C")
    payload = 4 << 30
    hostile.write_bytes(
        asf_header_object
        + (30 + 24 + payload).to_bytes(8, "little")
        + b"\x01\x00\x00\x00\x01\x02"  # one object; two reserved bytes
        + bytes(16)  # the object's GUID (any)
        + (24 + payload).to_bytes(8, "little")
        + bytes(64)
    )
    mime, claims = examine_file(hostile)
    assert mime == "video/x-ms-asf"
    # (Content Credentials are read by a child of their own: db/c2pa_read.py.)
    assert [key for key in claims if not key.startswith("c2pa_")] == ["metadata"]
    assert claims["metadata"] == "metadata not read: too much memory"


def selftest(limits: Limits | None = None) -> dict[str, object]:
    output = SandboxRun("selftest", limits=limits).run(feed=lambda write: None)
    answer = json.loads(output)
    assert isinstance(answer, dict)
    return answer


def test_the_child_opens_no_socket_writes_no_file_and_dumps_no_core() -> None:
    answer = selftest(Limits(memory_bytes=300 << 20, cpu_seconds=7))
    assert answer["socket"] != "open"
    assert answer["file_write"] != "open"
    rlimits = answer["rlimits"]
    assert isinstance(rlimits, dict)
    assert rlimits["RLIMIT_CORE"] == [0, 0]
    assert rlimits["RLIMIT_FSIZE"] == [0, 0]
    # For the parse, on top of the parsers a child forked from the zygote
    # holds already (0 when spawned): review 24 F1.
    preloaded = answer["preloaded_bytes"]
    assert isinstance(preloaded, int)
    assert rlimits["RLIMIT_AS"] == [(300 << 20) + preloaded, (300 << 20) + preloaded]
    assert rlimits["RLIMIT_CPU"][0] == 7
    assert answer["not_dumpable"] is True


def test_stop_all_kills_a_running_child_at_once() -> None:
    release = threading.Event()
    outcome: list[BaseException] = []

    def slow_feed(write: object) -> None:
        release.wait(30)  # the child waits for input that does not come

    def run() -> None:
        try:
            SandboxRun("image", "64").run(feed=slow_feed)
        except BaseException as err:  # noqa: BLE001 - the test looks at it
            outcome.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while sandbox.running() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    sandbox.stop_all()
    release.set()
    thread.join(30)  # a hang guard; how fast the child goes: benchmarks/bench_sandbox.py
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], SandboxFailed)
    assert outcome[0].reason == "stopped"


def test_a_decompression_bomb_is_refused_by_the_image_decoder(tmp_path: Path) -> None:
    from PIL import Image

    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, format="PNG")  # 400 Mpx, a few kB
    data = bomb.getvalue()
    with pytest.raises(SandboxFailed) as failed:
        decode_image(io.BytesIO(data).read)
    assert failed.value.reason == "unreadable file (DecompressionBombError)"


def test_an_image_comes_back_as_pixels_scaled_and_turned_by_its_exif(tmp_path: Path) -> None:
    from PIL import Image

    picture = Image.new("RGB", (400, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees to show
    encoded = io.BytesIO()
    picture.save(encoded, format="JPEG", exif=exif)
    decoded = decode_image(io.BytesIO(encoded.getvalue()).read, max_side=100)
    assert (decoded.width, decoded.height) == (50, 100)
    red, green, blue, alpha = decoded.rgba[:4]
    assert red > 150 and green < 80 and blue < 80 and alpha == 255
