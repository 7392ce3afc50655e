"""Recording an interview into the vault (db/recording.py): a known signal
pushed by a fake audio source comes back decoded with its length and its
frequencies, hashed at intake, linked to its testimony, with its markers; no
plaintext audio reaches the disk; a kill -9 mid-recording keeps all but the
last seconds. The encoder is libsndfile (db/opus_writer.py); PyAV, a
development dependency only, decodes what it wrote."""

from __future__ import annotations

import array
import ctypes.util
import errno
import hashlib
import io
import math
import secrets
import tempfile
import time
from pathlib import Path

import av
import pytest

from db import entities, opus_writer
from db.errors import FieldvaultError
from db.opus_writer import OpusWriter
from db.recording import RECORDING_SEGMENT_SIZE, Recording, RecordingError, markers_of
from db.vault import Vault
from tests.canary_helpers import encodings, files_containing
from tests.crash_helpers import die, run_child, send
from tests.vault_helpers import open_vault

RATE = 48_000
CHUNK = RATE // 50  # 20 ms, as an audio device delivers it
MARKER = "вибух біля школи 7f3e"


def tone(seconds: float, freqs: tuple[float, ...], start: int = 0) -> bytes:
    """Signed 16-bit mono PCM: equal sines at ``freqs``, from sample ``start``."""
    count = int(seconds * RATE)
    amplitude = 0.6 / len(freqs)
    samples = array.array(
        "h",
        (
            int(32767 * amplitude * sum(math.sin(2 * math.pi * f * (start + i) / RATE) for f in freqs))
            for i in range(count)
        ),
    )
    return samples.tobytes()


def push(recording: Recording, pcm: bytes) -> None:
    for offset in range(0, len(pcm), CHUNK * 2):
        recording.push(pcm[offset : offset + CHUNK * 2])


def decode(data: bytes) -> list[float]:
    """The decoded samples (mono, float) of an Ogg Opus file."""
    out: list[float] = []
    with av.open(io.BytesIO(data), mode="r") as container:
        for frame in container.decode(audio=0):
            plane = array.array("f")
            plane.frombytes(bytes(frame.planes[0])[: frame.samples * 4])
            out.extend(plane)
    return out


def power(samples: list[float], freq: float) -> float:
    """Goertzel: the signal's power at ``freq``."""
    coeff = 2 * math.cos(2 * math.pi * freq / RATE)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def case_and_testimony(vault: Vault) -> tuple[str, str]:
    case = vault.cases.create(entities.Case(title="Ізюм, березень 2022"))
    testimony = vault.testimonies.create(entities.Testimony(case_id=case.id, title="W-7"))
    return case.id, testimony.id


def test_a_recording_becomes_linked_evidence_that_decodes_to_the_signal(vault: Vault, tmp_path: Path) -> None:
    began = time.time()
    case_id, testimony_id = case_and_testimony(vault)
    recording = vault.start_recording(case_id, testimony_id)
    # A phase of its own: the other tests record the same tones, and a parallel
    # test's deliberately exported .ogg must not look like a leak of this one.
    speech = tone(1.5, (440, 1000), start=secrets.randbelow(RATE))
    push(recording, speech)
    assert recording.elapsed == pytest.approx(1.5)
    assert recording.level[1] == pytest.approx(0.6, abs=0.02)  # the meter sees the peak
    first = recording.mark(MARKER)
    recording.pause()
    push(recording, tone(1.0, (3000,)))  # while paused: not in the file
    assert recording.elapsed == pytest.approx(1.5)
    recording.resume()
    push(recording, tone(1.5, (440, 1000), start=len(speech) // 2))
    second = recording.mark()
    # While it runs: its blob, its journal (holding the marker) and the database.
    assert (tmp_path / "vault" / "blobs" / f".rec-{recording.blob_id}.journal").exists()
    running = [*encodings(MARKER), speech[48000:48064]]
    assert files_containing([tmp_path, Path(tempfile.gettempdir())], running, newer_than=began) == []
    result = recording.stop(description="Interview W-7")

    item = result.item
    assert item.mime_type == "audio/ogg" and item.claimed["recording"] == "complete"
    assert [(round(m.at_seconds, 2), m.label) for m in markers_of(item)] == [(1.5, MARKER), (3.0, "")]
    assert markers_of(item) == [first, second]
    assert [t.entity_id for t in vault.evidence_links.targets_of(item.id)] == [testimony_id]
    (intake,) = [e for e in vault.evidence.custody(item.id) if e.action == "intake"]
    assert intake.sha256 == item.sha256

    # Read through the vault (memory only) for the canary scan.
    with vault.evidence.open(item.id) as reader:
        encoded = reader.read()
    needles = [encoded[:64], encoded[len(encoded) // 2 : len(encoded) // 2 + 64], speech[48000:48064]]
    needles += encodings(MARKER)  # the marker's words: in the journal and the database, encrypted
    roots = [tmp_path, Path(tempfile.gettempdir())]
    assert files_containing(roots, needles, newer_than=began) == []

    exported = vault.evidence.export(item.id, tmp_path / "out.ogg")
    data = exported.path.read_bytes()
    assert data == encoded
    assert hashlib.sha256(data).hexdigest() == item.sha256 == exported.sha256

    samples = decode(data)
    assert len(samples) / RATE == pytest.approx(3.0, abs=0.05)
    middle = samples[RATE // 2 : RATE // 2 + 4800]
    heard = {f: power(middle, f) for f in (440, 1000, 3000, 700, 2000)}
    assert min(heard[440], heard[1000]) > 100 * max(heard[3000], heard[700], heard[2000]), heard
    # The paused tone never made it in, anywhere in the file.
    assert power(samples, 3000) < power(samples, 440) / 1000


def test_a_stopped_recording_refuses_more_audio(vault: Vault) -> None:
    case_id, _ = case_and_testimony(vault)
    recording = vault.start_recording(case_id)
    push(recording, tone(0.2, (440,)))
    recording.stop()
    with pytest.raises(RecordingError) as caught:
        recording.push(tone(0.1, (440,)))
    assert caught.value.code == "recording-stopped"


def test_unsupported_audio_is_refused_with_a_code(vault: Vault) -> None:
    case_id, _ = case_and_testimony(vault)
    with pytest.raises(FieldvaultError) as caught:
        vault.start_recording(case_id, sample_rate=44_100)
    assert caught.value.code == "recording-audio-format"


def test_kill_9_mid_recording_keeps_all_but_the_last_seconds(vault_dir: Path, vault: Vault) -> None:
    case_id, testimony_id = case_and_testimony(vault)
    vault.lock()
    seconds = 8.0

    def child(fd: int) -> None:
        inside = open_vault(vault_dir)
        recording = inside.start_recording(case_id, testimony_id)
        send(fd, e="open")
        push(recording, tone(1.0, (440, 1000)))
        recording.mark("перший")
        push(recording, tone(seconds - 1.0, (440, 1000), start=RATE))
        send(fd, e="pushed", elapsed=recording.elapsed)
        die()

    run = run_child(child, kill_after=None)
    assert run.killed and [m["e"] for m in run.messages] == ["open", "pushed"]

    reopened = open_vault(vault_dir)
    try:
        (recovered,) = reopened.recovered_recordings
        item = reopened.evidence.get(recovered)
        assert item.claimed["recording"] == "interrupted"
        assert [(round(m.at_seconds, 2), m.label) for m in markers_of(item)] == [(1.0, "перший")]
        assert [t.entity_id for t in reopened.evidence_links.targets_of(item.id)] == [testimony_id]
        with reopened.evidence.open(item.id) as reader:
            data = reader.read()
        assert hashlib.sha256(data).hexdigest() == item.sha256
        kept = len(decode(data)) / RATE
        assert seconds - 3.0 <= kept <= seconds, kept
        assert reopened.verify().ok
        assert_conforms(vault_dir, item)
        assert not list((vault_dir / "blobs").glob(".rec-*"))
    finally:
        reopened.lock()
    # Recovered once: the next unlock finds nothing more to do.
    again = open_vault(vault_dir)
    try:
        assert again.recovered_recordings == []
    finally:
        again.lock()


def assert_conforms(vault_dir: Path, item: entities.EvidenceItem) -> None:
    """The recovered blob is in the ordinary format: full segments, then a
    last one of 1 byte to a full segment (no empty one after full ones)."""
    (blob,) = [p for p in (vault_dir / "blobs").iterdir() if not p.name.startswith(".")]
    segments = -(-item.size // RECORDING_SEGMENT_SIZE)
    assert item.size > 0 and blob.stat().st_size == 36 + item.size + 16 * segments


def test_a_torn_segment_at_the_end_is_cut_off_at_the_next_unlock(vault_dir: Path, vault: Vault) -> None:
    case_id, testimony_id = case_and_testimony(vault)
    vault.lock()

    def child(fd: int) -> None:
        recording = open_vault(vault_dir).start_recording(case_id, testimony_id)
        send(fd, e="open")
        push(recording, tone(4.0, (440, 1000)))
        die()

    assert run_child(child, kill_after=None).killed
    (blob,) = (vault_dir / "blobs").glob(".rec-*[0-9a-f]")
    with blob.open("ab") as handle:  # half a segment's write when the power went
        handle.write(b"\x5a" * 700)

    reopened = open_vault(vault_dir)
    try:
        (recovered,) = reopened.recovered_recordings
        item = reopened.evidence.get(recovered)
        assert item.claimed["recording"] == "interrupted"
        assert_conforms(vault_dir, item)
        exported = reopened.evidence.export(item.id, vault_dir.parent / "kept.ogg")
        data = exported.path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == item.sha256
        assert 2.0 <= len(decode(data)) / RATE <= 4.0
        assert reopened.verify().ok
    finally:
        reopened.lock()


def test_a_journal_that_is_not_ours_stops_no_unlock_and_is_kept(vault_dir: Path, vault: Vault) -> None:
    vault.lock()
    stranger = "ab" * 16
    journal = vault_dir / "blobs" / f".rec-{stranger}.journal"
    blob = vault_dir / "blobs" / f".rec-{stranger}"
    journal.write_bytes(b"\x00" * 80)
    blob.write_bytes(b"FVBLOB" + b"\x00" * 200)
    reopened = open_vault(vault_dir)
    try:
        assert reopened.recovered_recordings == []
        assert journal.read_bytes() == b"\x00" * 80 and blob.exists()  # neither deleted nor quarantined
        assert not (vault_dir / "quarantine").exists()
    finally:
        reopened.lock()


def test_locking_stops_and_records_a_recording_under_way(vault_dir: Path, vault: Vault) -> None:
    case_id, testimony_id = case_and_testimony(vault)
    recording = vault.start_recording(case_id, testimony_id)
    push(recording, tone(2.0, (440, 1000)))
    vault.lock()
    assert recording.stopped
    assert not list((vault_dir / "blobs").glob(".*"))  # no .rec- blob or journal, no temp name
    reopened = open_vault(vault_dir)
    try:
        assert reopened.recovered_recordings == []
        (link,) = reopened.evidence_links.evidence_of(testimony_id)
        item = reopened.evidence.get(link.entity_id)
        assert item.claimed["recording"] == "complete" and item.claimed["duration_seconds"] == "2.000"
        with reopened.evidence.open(item.id) as reader:
            assert len(decode(reader.read())) / RATE == pytest.approx(2.0, abs=0.05)
    finally:
        reopened.lock()


# -- the encoder (db/opus_writer.py) -------------------------------------------


class MemorySink:
    """What the encoder hands over, call by call (the recording's sealed
    stream in the app)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.data = bytearray()
        self.fail_after = fail_after

    def write(self, data: bytes) -> int:
        if self.fail_after is not None and len(self.data) + len(data) > self.fail_after:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.data += data
        return len(data)


def test_what_the_encoder_hands_over_trails_the_audio_by_about_half_a_second() -> None:
    # What a crash can lose besides the segment being filled (docs/vault-format.md).
    sink = MemorySink()
    writer = OpusWriter(sink, sample_rate=RATE, channels=1)
    pcm = tone(3.0, (440, 1000))
    behind = []
    for second in (1.0, 2.0, 3.0):
        start = int((second - 1.0) * RATE) * 2
        push_into(writer, pcm[start : int(second * RATE) * 2])
        # Not closed: the stream as a crash would leave it, without its last page.
        behind.append(second - len(decode(bytes(sink.data))) / RATE)
    assert all(0.0 <= lag <= 0.6 for lag in behind), behind
    writer.close()
    samples = decode(bytes(sink.data))
    assert len(samples) / RATE == pytest.approx(3.0, abs=0.03)
    middle = samples[RATE : RATE + 4800]
    assert min(power(middle, 440), power(middle, 1000)) > 100 * power(middle, 3000)


def push_into(writer: OpusWriter, pcm: bytes) -> None:
    for offset in range(0, len(pcm), CHUNK * 2):
        writer.write(pcm[offset : offset + CHUNK * 2])


def test_stereo_and_other_rates_decode_to_their_length() -> None:
    sink = MemorySink()
    writer = OpusWriter(sink, sample_rate=16_000, channels=2)
    writer.write(b"\x10\x00\xf0\xff" * 16_000)  # 1 s of a (quiet) stereo square
    writer.close()
    with av.open(io.BytesIO(bytes(sink.data)), mode="r") as container:
        stream = container.streams.audio[0]
        assert stream.channels == 2
        frames = sum(frame.samples for frame in container.decode(stream))
    assert frames / stream.sample_rate == pytest.approx(1.0, abs=0.03)


def test_a_full_disk_under_the_encoder_is_an_os_error_not_a_silent_loss() -> None:
    sink = MemorySink(fail_after=6_000)  # past the headers, inside the first second
    writer = OpusWriter(sink, sample_rate=RATE, channels=1)
    with pytest.raises(OSError) as caught:
        push_into(writer, tone(3.0, (440,)))
    assert caught.value.errno == errno.ENOSPC
    with pytest.raises(OSError):
        writer.close()  # the last page cannot go either, and says so


def test_without_libsndfile_recording_is_refused_with_a_code_and_leaves_no_file(
    vault: Vault, vault_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installation without the library (a Linux without libsndfile1).
    monkeypatch.setattr(opus_writer, "_loaded", None)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    case_id, testimony_id = case_and_testimony(vault)
    with pytest.raises(FieldvaultError) as caught:
        vault.start_recording(case_id, testimony_id)
    assert caught.value.code == "recording-encoder-missing"
    assert not list((vault_dir / "blobs").glob(".rec-*"))
    assert vault.evidence_links.evidence_of(testimony_id) == []
