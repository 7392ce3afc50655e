"""Recording an interview straight into the vault (docs/vault-format.md,
"Recordings").

Any audio source (the desktop's microphone, a test's generator) pushes PCM
frames, signed 16-bit little-endian, into a ``Recording``. They are encoded in
this process by libsndfile (Opus in Ogg, db/opus_writer.py) and the encoded
bytes go straight into an encrypted blob: no plaintext file exists at any
moment. The blob is written segment by segment (``RECORDING_SEGMENT_SIZE``,
about 1 s of audio), each segment sealed, written and flushed to the disk as
soon as it is full, so a crash or a power cut loses at most the segment being
filled. Next to the blob, an encrypted journal holds its key, the case and
testimony and the markers; with it the next unlock turns an interrupted
recording into evidence (``recover_interrupted``) marked "interrupted", hashed
over what was kept.

On ``stop`` the recording becomes an evidence item like any intake: its
SHA-256 computed over the bytes as they were written, an "intake" custody
event, and an ``evidence-of`` link to its testimony. Markers and the duration
are in the item's ``claimed`` (what the recorder states about the file, kept
apart from what the worker states).
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import math
import os
import secrets
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from db.atomicio import TEMP_PREFIX, atomic_write, fsync_directory, sync_data
from db.blobformat import HEADER_SIZE, TAG_SIZE, BlobHeader, BlobReader, SegmentSealer
from db.blobstore import RECORDING_PREFIX, WrittenBlob
from db.entities import EvidenceItem
from db.errors import Codes, FieldvaultError, NotFound, StorageError
from db.evidence import EvidenceService, IngestResult
from db.evidence_links import EvidenceLinks
from db.opus_writer import SAMPLE_RATES, OpusWriter
from db.services import VaultContext

JOURNAL_SUFFIX = ".journal"
# 8 KiB is about 1 s of libopus at libsndfile's default rate (VBR, ~62 kbit/s
# for mono speech-like sound): with the segment being filled, what a crash
# may lose. (Older recordings, made with FFmpeg's ~118 kbit/s, have 16 KiB
# segments: every blob names its own segment size.)
RECORDING_SEGMENT_SIZE = 8 * 1024
SAMPLE_RATE = 48_000
MIME_TYPE = "audio/ogg"
# Level of the most recent audio for a meter: about 0.1 s.
LEVEL_WINDOW = SAMPLE_RATE // 10


class RecordingError(FieldvaultError):
    """A recording used wrongly (pushed after it was stopped) or audio the
    encoder cannot take."""

    codes: ClassVar[Codes] = {
        "recording-stopped": (),
        "recording-audio-format": (),
    }

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code)


@dataclass(frozen=True)
class Marker:
    """A moment the interviewer marked: seconds into the recording (pauses
    not counted), the wall-clock time (UTC, ISO 8601) and an optional label."""

    at_seconds: float
    wall_time: str
    label: str = ""

    def to_json(self) -> dict[str, object]:
        return {"at": round(self.at_seconds, 3), "wall": self.wall_time, "label": self.label}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Marker:
        return cls(float(data["at"]), str(data["wall"]), str(data.get("label", "")))


def markers_of(item: EvidenceItem) -> list[Marker]:
    """The markers a recording's evidence item holds (none for other items)."""
    raw = item.claimed.get("recording_markers", "")
    return [Marker.from_json(entry) for entry in json.loads(raw)] if raw else []


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _journal_aad(blob_id: str) -> bytes:
    return f"fieldvault-recording-journal|{blob_id}".encode()


class _Journal:
    """The recording's encrypted side file: blob key, case, testimony, start
    time, markers. Rewritten atomically when a marker is added."""

    def __init__(self, folder: Path, blobs_subkey: bytes, blob_id: str, state: dict[str, Any]) -> None:
        self.path = folder / f"{RECORDING_PREFIX}{blob_id}{JOURNAL_SUFFIX}"
        self._aead = AESGCM(blobs_subkey)
        self._blob_id = blob_id
        self.state = state

    def save(self) -> None:
        nonce = secrets.token_bytes(12)
        plain = json.dumps(self.state, ensure_ascii=False).encode()
        sealed = nonce + self._aead.encrypt(nonce, plain, _journal_aad(self._blob_id))
        atomic_write(self.path, sealed, what="save the recording's journal")

    @classmethod
    def load(cls, path: Path, blobs_subkey: bytes) -> _Journal | None:
        blob_id = path.name[len(RECORDING_PREFIX) : -len(JOURNAL_SUFFIX)]
        try:
            data = path.read_bytes()
            plain = AESGCM(blobs_subkey).decrypt(data[:12], data[12:], _journal_aad(blob_id))
        except (OSError, InvalidTag, ValueError):
            return None  # not ours or damaged: left where it is, never deleted
        return cls(path.parent, blobs_subkey, blob_id, json.loads(plain))

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()


class _SealedStream:
    """The Opus writer's sink: the bytes written are hashed and
    sealed into the blob one full segment at a time, each flushed to the disk
    at once. Only the segment being filled is held in memory."""

    def __init__(self, path: Path, key: bytes, blob_id: bytes) -> None:
        self._header = BlobHeader.new(blob_id, RECORDING_SEGMENT_SIZE)
        self._sealer = SegmentSealer(key, self._header)
        self._digest = hashlib.sha256()
        self._pending = bytearray()
        self.size = 0
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._write_all(self._header.to_bytes())
        os.fsync(self._fd)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]

    def write(self, data: bytes | bytearray | memoryview) -> int:
        chunk = bytes(data)
        self._pending += chunk
        # Strictly more than a segment: the last segment must be sealed as
        # last, so one full segment may wait for ``finish``.
        while len(self._pending) > RECORDING_SEGMENT_SIZE:
            self._seal(bytes(self._pending[:RECORDING_SEGMENT_SIZE]), last=False)
            del self._pending[:RECORDING_SEGMENT_SIZE]
            sync_data(self._fd)
        return len(chunk)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        self._digest.update(plain)
        self.size += len(plain)
        self._write_all(self._sealer.seal(plain, last=last))

    def finish(self) -> str:
        self._seal(bytes(self._pending), last=True)
        self._pending.clear()
        os.fsync(self._fd)
        os.close(self._fd)
        return self._digest.hexdigest()

    def abandon(self) -> None:
        self._pending.clear()
        with contextlib.suppress(OSError):
            os.close(self._fd)


class Recording:
    """One recording under way. Push PCM with ``push`` from the audio
    thread's callback or any loop; ``pause``/``resume`` leave the paused time
    out of the file; ``mark`` drops a marker; ``stop`` makes it evidence.

    Not thread-safe: call it from one thread (the GUI's, for Qt's audio
    source)."""

    def __init__(
        self,
        ctx: VaultContext,
        evidence: EvidenceService,
        links: EvidenceLinks,
        case_id: str,
        testimony_id: str = "",
        *,
        sample_rate: int = SAMPLE_RATE,
        channels: int = 1,
    ) -> None:
        if channels not in (1, 2) or sample_rate not in SAMPLE_RATES:
            raise RecordingError(
                f"Recording needs mono or stereo audio at 8, 12, 16, 24 or 48 kHz "
                f"(got {channels} channel(s) at {sample_rate} Hz).",
                "recording-audio-format",
            )
        evidence._require_case(case_id)
        if testimony_id:
            links.kind_of(testimony_id)  # NotFound for a record that is not there
        self._ctx = ctx
        self._evidence = evidence
        self._links = links
        self._rate = sample_rate
        self._channels = channels
        blob_id = secrets.token_bytes(16)
        self._blob_id = blob_id.hex()
        self._key = secrets.token_bytes(32)
        folder = ctx.blob_store.folder
        self._path = folder / f"{RECORDING_PREFIX}{self._blob_id}"
        self.started = _now_iso()
        self._journal = _Journal(
            folder,
            ctx.blobs_subkey,
            self._blob_id,
            {
                "key": self._key.hex(),
                "case_id": case_id,
                "testimony_id": testimony_id,
                "started": self.started,
                "markers": [],
            },
        )
        self.markers: list[Marker] = []
        self._samples = 0  # per channel, recorded (pauses not counted)
        self._level = (0.0, 0.0)
        self.paused = False
        self.stopped = False
        self._busy = threading.Lock()
        try:
            # The journal first: a blob without it could not be recovered.
            self._journal.save()
            fsync_directory(folder)
            self._stream = _SealedStream(self._path, self._key, blob_id)
            fsync_directory(folder)
        except OSError as err:
            self._journal.remove()
            raise StorageError("start the recording", err) from err
        try:
            # Ogg pages close every 0.5 s and go to the stream at once, so
            # what the disk holds trails the audio by little.
            self._encoder = OpusWriter(self._stream, sample_rate=sample_rate, channels=channels)
        except FieldvaultError:
            # No encoder (libsndfile missing, or built without Opus): nothing
            # was recorded, so the empty blob and its journal go.
            self._stream.abandon()
            with contextlib.suppress(OSError):
                self._path.unlink()
            self._journal.remove()
            raise

    # -- what a meter and a clock show -------------------------------------

    @property
    def elapsed(self) -> float:
        """Seconds recorded so far, pauses not counted."""
        return self._samples / self._rate

    @property
    def level(self) -> tuple[float, float]:
        """(RMS, peak) of the most recent audio pushed, each 0.0–1.0 of full scale."""
        return self._level

    @property
    def blob_id(self) -> str:
        return self._blob_id

    # -- control ------------------------------------------------------------

    def push(self, pcm: bytes) -> None:
        """Add audio: signed 16-bit little-endian samples, channels interleaved.
        While paused the audio only moves the meter."""
        with self._busy:
            self._push(pcm)

    def _push(self, pcm: bytes) -> None:
        if self.stopped:
            raise RecordingError("The recording was already stopped.", "recording-stopped")
        frame_bytes = 2 * self._channels
        usable = len(pcm) - len(pcm) % frame_bytes
        if usable <= 0:
            return
        pcm = pcm[:usable]
        self._level = _level_of(pcm[-LEVEL_WINDOW * frame_bytes :])
        if self.paused:
            return
        self._samples += usable // frame_bytes
        try:
            self._encoder.write(pcm)
        except OSError as err:
            raise StorageError("write the recording", err) from err

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def mark(self, label: str = "") -> Marker:
        """A marker at the current time; kept in the journal at once, so an
        interrupted recording keeps its markers too."""
        with self._busy:
            return self._mark(label)

    def _mark(self, label: str) -> Marker:
        if self.stopped:
            raise RecordingError("The recording was already stopped.", "recording-stopped")
        marker = Marker(self.elapsed, _now_iso(), label)
        self.markers.append(marker)
        self._journal.state["markers"] = [m.to_json() for m in self.markers]
        self._journal.save()
        return marker

    def abandon(self) -> None:
        """Close the file without recording it (the vault is locking and could
        not take it): the blob is finished if it can be, the journal stays, and
        the next unlock recovers it as "interrupted". Keys are let go."""
        with self._busy:
            self._abandon()

    def _abandon(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        try:
            self._encoder.close()
            self._stream.finish()
        except (OSError, ValueError):
            self._stream.abandon()
        self._key = b""

    def stop(self, *, description: str = "") -> IngestResult:
        """Finish the file and record it as evidence, linked to the testimony."""
        with self._busy:
            return self._stop(description)

    def _stop(self, description: str) -> IngestResult:
        if self.stopped:
            raise RecordingError("The recording was already stopped.", "recording-stopped")
        self.stopped = True
        try:
            self._encoder.close()
            sha256 = self._stream.finish()
        except OSError as err:
            self._stream.abandon()
            # The journal stays: the next unlock recovers what reached the disk.
            raise StorageError("finish the recording", err) from err
        written = WrittenBlob(self._blob_id, self._path, self._key, sha256, self._stream.size)
        claimed = {
            "recording": "complete",
            "recording_started": self.started,
            "duration_seconds": f"{self.elapsed:.3f}",
            "recording_markers": json.dumps([m.to_json() for m in self.markers], ensure_ascii=False),
        }
        return _intake(self._evidence, self._links, self._journal, written, claimed, description)


def _intake(
    evidence: EvidenceService,
    links: EvidenceLinks,
    journal: _Journal,
    written: WrittenBlob,
    claimed: dict[str, str],
    description: str,
) -> IngestResult:
    state = journal.state
    stamp = state["started"][:19].replace(":", "-").replace("T", " ")
    draft = EvidenceItem(
        case_id=state["case_id"],
        original_name=f"Recording {stamp}.ogg",
        sha256=written.sha256,
        size=written.size,
        mime_type=MIME_TYPE,
        source="Fieldvault recorder",
        description=description,
        claimed=claimed,
    )
    draft.validate()
    # Intake gets a second name of the blob: on failure it discards its
    # temp file, and the .rec- name and the journal stay for recovery.
    recording_path = written.temp_path
    intake_name = recording_path.with_name(f"{TEMP_PREFIX}{secrets.token_hex(8)}")
    try:
        os.link(recording_path, intake_name)
    except OSError as err:
        raise StorageError("record the recording", err) from err
    result = evidence._record_intake(replace(written, temp_path=intake_name), draft)
    if state.get("testimony_id"):
        with contextlib.suppress(NotFound):  # the testimony was deleted meanwhile
            links.link(result.item.id, state["testimony_id"])
    # Last: until they go, a crash leaves names of a recorded blob, which the
    # next unlock only removes.
    with contextlib.suppress(OSError):
        recording_path.unlink()
    journal.remove()
    return result


def _level_of(pcm: bytes) -> tuple[float, float]:
    samples = array.array("h")
    samples.frombytes(pcm)
    if not samples:
        return (0.0, 0.0)
    peak = max(max(samples), -min(samples)) / 32768
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768
    return (min(rms, 1.0), min(peak, 1.0))


# -- after a crash --------------------------------------------------------------


def recover_interrupted(ctx: VaultContext, evidence: EvidenceService, links: EvidenceLinks) -> list[str]:
    """Turn every recording a crash interrupted into evidence; the new items' ids.

    Each full segment that authenticates is kept; a torn segment at the end
    (cut mid-write) is cut off and an empty last segment is sealed after the
    kept ones, so the blob is whole again in the ordinary format. The SHA-256
    is computed over the kept bytes. A journal that does not decrypt, or a
    blob whose header is not this recording's, is left untouched."""
    folder = ctx.blob_store.folder
    recovered: list[str] = []
    for path in sorted(folder.glob(f"{RECORDING_PREFIX}*{JOURNAL_SUFFIX}")):
        journal = _Journal.load(path, ctx.blobs_subkey)
        if journal is None:
            continue
        blob_id = path.name[len(RECORDING_PREFIX) : -len(JOURNAL_SUFFIX)]
        blob_path = folder / f"{RECORDING_PREFIX}{blob_id}"
        if ctx.blob_store.path(blob_id).exists():
            # Recorded, then interrupted before its .rec- name and journal went:
            # both are only other names of, and notes about, a recorded blob.
            with contextlib.suppress(OSError):
                blob_path.unlink()
            journal.remove()
            continue
        if not blob_path.exists():
            continue
        # One recording that cannot be recovered now (a damaged journal, a
        # busy writer) never stops the unlock: it stays for the next one.
        try:
            written = _make_whole(blob_path, bytes.fromhex(journal.state["key"]), blob_id)
            if written is None:
                continue
            claimed = {
                "recording": "interrupted",
                "recording_started": str(journal.state["started"]),
                "recording_markers": json.dumps(journal.state.get("markers", []), ensure_ascii=False),
            }
            result = _intake(evidence, links, journal, written, claimed, "")
        except (OSError, ValueError, KeyError, TypeError, FieldvaultError):
            continue
        recovered.append(result.item.id)
    return recovered


def _make_whole(blob_path: Path, key: bytes, blob_id: str) -> WrittenBlob | None:
    raw_id = bytes.fromhex(blob_id)
    with blob_path.open("r+b", buffering=0) as handle:
        try:
            header = BlobHeader.parse(handle.read(HEADER_SIZE), raw_id)
        except FieldvaultError:
            return None
        digest = hashlib.sha256()
        aead = AESGCM(key)
        aad = header.to_bytes()
        sealed_size = header.segment_size + TAG_SIZE
        stored = os.fstat(handle.fileno()).st_size - HEADER_SIZE
        # Finished but not yet recorded (a crash during intake): whole already.
        with contextlib.suppress(FieldvaultError):
            with BlobReader(blob_path.open("rb"), key, raw_id) as reader:
                size = 0
                for plain in reader.segments():
                    digest.update(plain)
                    size += len(plain)
            return WrittenBlob(blob_id, blob_path, key, digest.hexdigest(), size)
        digest = hashlib.sha256()
        kept = 0
        last_plain = b""
        for index in range(stored // sealed_size):
            handle.seek(HEADER_SIZE + index * sealed_size)
            try:
                plain = aead.decrypt(header.nonce(index, False), handle.read(sealed_size), aad)
            except InvalidTag:
                break
            digest.update(plain)
            last_plain = plain
            kept += 1
        # The torn tail goes first; then the last kept segment is sealed again
        # as the last (the format has no empty segment after full ones). A
        # crash in between only makes the next unlock do this again, over one
        # segment less at worst.
        handle.truncate(HEADER_SIZE + kept * sealed_size)
        os.fsync(handle.fileno())
        final = max(kept - 1, 0)
        handle.seek(HEADER_SIZE + final * sealed_size)
        handle.write(aead.encrypt(header.nonce(final, True), last_plain, aad))
        os.fsync(handle.fileno())
    return WrittenBlob(blob_id, blob_path, key, digest.hexdigest(), kept * header.segment_size)


__all__ = [
    "RECORDING_PREFIX",
    "Marker",
    "Recording",
    "RecordingError",
    "markers_of",
    "recover_interrupted",
]
