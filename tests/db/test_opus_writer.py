"""The Opus writer's two promises about libsndfile (review 10 F7, F8;
issue 16): it records only when libsndfile really closes an Ogg page after
PAGE_LATENCY_MS of audio, and a writer dropped without ``close`` does not
keep libsndfile's handle and buffered audio.

The installed libsndfile (Debian's 1.2.0) is used throughout. It takes any
command it does not know silently, as a libsndfile older than
SFC_SET_OGG_PAGE_LATENCY_MS may take that one: sending it an unknown
command number in its place is that older library's behaviour, reproduced."""

from __future__ import annotations

import errno
import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

import db.opus_writer as opus_writer
from db.opus_writer import PAGE_LATENCY_MS, OpusEncoderMissing, OpusWriter

RATE = 48_000
FRAME = bytes(2 * RATE // 50)  # 20 ms of mono silence


class Sink:
    def __init__(self) -> None:
        self.data = bytearray()
        self.fail = False

    def write(self, data: bytes) -> None:
        if self.fail:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.data += data

    def pages(self) -> list[bytes]:
        """The whole Ogg pages written so far (each page's header bytes)."""
        found, at = [], 0
        while at + 27 <= len(self.data):
            assert self.data[at : at + 4] == b"OggS"
            segments = self.data[at + 26]
            end = at + 27 + segments + sum(self.data[at + 27 : at + 27 + segments])
            if end > len(self.data):
                break
            found.append(bytes(self.data[at : at + 27]))
            at = end
        return found

    def ended(self) -> bool:
        """Whether the last page is marked end of stream (what sf_close writes)."""
        pages = self.pages()
        return bool(pages) and bool(pages[-1][5] & 0x04)


@pytest.fixture(autouse=True)
def fresh_probe() -> Iterator[None]:
    """Each test finds out again what the library does."""
    opus_writer._probed.clear()
    yield
    opus_writer._probed.clear()


def _audio_ms_until_first_audio_page(writer: OpusWriter, sink: Sink) -> int:
    for n in range(1, 200):
        writer.write(FRAME)
        if len(sink.pages()) >= 3:  # OpusHead, OpusTags, then audio
            return n * 20
    raise AssertionError("no audio page in 4 s")


def test_the_installed_libsndfile_closes_pages_early_and_records() -> None:
    sink = Sink()
    writer = OpusWriter(sink, sample_rate=RATE, channels=1)
    assert opus_writer._probed == {(RATE, 1, PAGE_LATENCY_MS): True}
    assert not sink.data  # the probe encoded into memory of its own
    assert _audio_ms_until_first_audio_page(writer, sink) <= PAGE_LATENCY_MS + 40
    writer.close()
    assert sink.ended()


def test_a_latency_command_taken_silently_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # An unknown command: 1.2.0 answers 0 and keeps its 1 s pages, as a
    # libsndfile before the command does with 0x1302.
    monkeypatch.setattr(opus_writer, "SFC_SET_OGG_PAGE_LATENCY_MS", 0x13FF)
    sink = Sink()
    with pytest.raises(OpusEncoderMissing) as refused:
        OpusWriter(sink, sample_rate=RATE, channels=1)
    assert refused.value.code == "recording-encoder-missing"
    assert "does not close Ogg pages after 500 ms" in str(refused.value)
    assert "libsndfile-" in str(refused.value)  # which library it was
    assert not sink.data  # nothing of a recording was written
    # Found once: the next writer is refused without encoding again.
    assert opus_writer._probed == {(RATE, 1, PAGE_LATENCY_MS): False}
    with pytest.raises(OpusEncoderMissing):
        OpusWriter(Sink(), sample_rate=RATE, channels=1)


def test_a_writer_dropped_without_close_lets_libsndfile_go() -> None:
    sink = Sink()
    writer = OpusWriter(sink, sample_rate=RATE, channels=1)
    for _ in range(10):
        writer.write(FRAME)
    assert not sink.ended()
    dropped = weakref.ref(writer)
    del writer
    gc.collect()
    assert dropped() is None  # no cycle keeps it (the callbacks live apart)
    # sf_close ran: libsndfile flushed what it buffered and ended the stream.
    assert sink.ended()  # before: nothing, the handle and its audio stayed in native memory


def test_a_dropped_writer_whose_sink_fails_raises_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    sink = Sink()
    writer = OpusWriter(sink, sample_rate=RATE, channels=1)
    writer.write(FRAME)
    sink.fail = True  # the recording's file is gone (disk full, vault locked)
    del writer
    gc.collect()
    assert unraisable == []
    assert not sink.ended()


def test_a_closed_writer_is_closed_once() -> None:
    sink = Sink()
    writer = OpusWriter(sink, sample_rate=RATE, channels=1)
    writer.write(FRAME)
    writer.close()
    size = len(sink.data)
    assert not writer._finalizer.alive
    del writer
    gc.collect()
    assert len(sink.data) == size and sink.ended()


def test_a_writer_alive_at_interpreter_exit_is_not_closed_then(tmp_path: Path) -> None:
    """Review 12 F4: at exit the finaliser would run sf_close on the main
    thread without the recording's lock, while another thread may still be
    inside sf_writef_short on the same handle. It is not run at exit: the
    process ends and its native memory with it. (A real interpreter is run
    and left with a live writer; its sink must get nothing after the last
    write, where sf_close would write the end-of-stream page.)"""
    out = tmp_path / "sink.ogg"
    script = f"""
import sys
from db.opus_writer import OpusWriter

class FileSink:
    def __init__(self, path):
        self.file = open(path, "ab", buffering=0)
    def write(self, data):
        self.file.write(data)

writer = OpusWriter(FileSink({str(out)!r}), sample_rate={RATE}, channels=1)
for _ in range(10):
    writer.write(bytes({len(FRAME)}))
print(writer.written)
"""
    ran = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stat().st_size == int(ran.stdout)  # before: the end page written at exit
