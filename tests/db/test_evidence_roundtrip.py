"""Evidence round trip: what goes in comes out byte for byte, under the hash
the standard tools compute, and intake never touches the source.

- files of 0 B, 1 B, one segment -1/0/+1, a few MiB of random bytes and a
  300 MiB sparse file: export gives identical bytes, the stored SHA-256 is what
  coreutils' ``sha256sum`` and ``openssl dgst -sha256`` print, ``open()`` gives
  the same bytes with seeks anywhere (a seeded random walk);
- a >4 GiB sparse file does the same under ``make stress`` (it takes over 30 s);
- memory stays bounded while a 1 GiB file is ingested (peak RSS of a forked child);
- the source file's bytes, size, mtime and inode are unchanged by intake;
- duplicates: same case -> the same item and an 'intake-duplicate' custody
  event; another case -> a new item sharing the one stored blob;
- ``remove_source`` deletes the source only after the stored copy checked out;
- cancel mid-intake leaves no item, no blob and no temp file; progress
  reports increasing byte counts ending at the total.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import random
import resource
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from sqlalchemy import func, select

from db.blobformat import DEFAULT_SEGMENT_SIZE, BlobIntegrityError
from db.blobstore import BlobStore, CancelToken, ExportCancelled, IntakeCancelled
from db.errors import FieldvaultError, InvalidInput, NotFound
from db.model import Blob, CustodyEventRow
from db.vault import BLOB_DIR, Vault
from tests.evidence_samples import file_identity, make_random, make_sparse, sparse_markers
from tests.factory import make_case
from tests.vault_helpers import open_vault

SEG = DEFAULT_SEGMENT_SIZE
MiB = 1 << 20
GiB = 1 << 30
HASH_CHUNK = 4 * MiB
SEED = 4_004_004
STRESS = os.environ.get("FIELDVAULT_STRESS") == "1"
MAX_RSS_GROWTH = 100 * MiB
# coreutils sha256sum runs at ~150 MB/s here (openssl at ~1 GB/s): in the
# default run it checks every file up to this size, openssl checks them all.
SHA256SUM_UP_TO = 64 * MiB


# -- helpers -------------------------------------------------------------------


def stream_sha256(handle: BinaryIO | io.RawIOBase) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(HASH_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return stream_sha256(handle)


def sha256sum(path: Path) -> str:
    """What GNU coreutils says: the real binary, not a Python re-implementation."""
    binary = shutil.which("sha256sum")
    if binary is None:
        pytest.skip("coreutils sha256sum is not installed")
    out = subprocess.run([binary, "--binary", str(path)], capture_output=True, text=True, check=True)
    return out.stdout.split()[0]


def openssl_sha256(path: Path) -> str:
    binary = shutil.which("openssl")
    if binary is None:
        pytest.skip("openssl is not installed")
    out = subprocess.run(
        [binary, "dgst", "-sha256", "-r", str(path)], capture_output=True, text=True, check=True
    )
    return out.stdout.split()[0]


def blob_files(vault: Vault) -> list[str]:
    return sorted(p.name for p in (vault.folder / BLOB_DIR).iterdir())


def stored_blob_ids(vault: Vault) -> list[str]:
    with vault.services.context.sessions() as session:
        return sorted(session.scalars(select(Blob.blob_id)))


def custody_rows(vault: Vault) -> int:
    with vault.services.context.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(CustodyEventRow)) or 0)


def leftovers(folder: Path) -> list[str]:
    """Temp files anywhere under the vault folder."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".tmp-*"))


class Progress:
    """Records every (done, total) report."""

    def __init__(self, then: Callable[[int, int], None] | None = None) -> None:
        self.calls: list[tuple[int, int]] = []
        self._then = then

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))
        if self._then is not None:
            self._then(done, total)

    def check(self, size: int) -> None:
        assert self.calls, "no progress was reported"
        assert all(total == size for _, total in self.calls), f"total is not {size}: {self.calls[:5]}"
        done = [d for d, _ in self.calls]
        if size:
            assert all(a < b for a, b in itertools.pairwise(done)), f"not increasing: {done[:20]}"
        assert done[-1] == size, f"progress ends at {done[-1]}, not at the total {size}"


def make_source(folder: Path, size: int, kind: str, seed: int) -> Path:
    path = folder / f"source-{kind}-{size}.bin"
    if kind == "sparse":
        return make_sparse(path, size, markers=sparse_markers(size, seed))
    return make_random(path, size, seed=seed)


def compare_random_access(reader: io.RawIOBase, source: BinaryIO, size: int, seed: int, steps: int) -> None:
    """Apply the same seeded seeks and reads to both and compare every answer."""
    rng = random.Random(seed)
    assert reader.seek(0) == source.seek(0) == 0
    # Positions worth trying: edges of segments, the end, past the end.
    edges = [0, 1, size // 2, max(size - 1, 0), size, size + 1, size + SEG]
    edges += [k * SEG + d for k in range(1, min(size // SEG, 6) + 1) for d in (-1, 0, 1)]
    for step in range(steps):
        whence = rng.choice([io.SEEK_SET, io.SEEK_SET, io.SEEK_CUR, io.SEEK_END])
        if whence == io.SEEK_SET:
            offset = rng.choice(edges) if rng.random() < 0.4 else rng.randrange(0, size + 2 * SEG)
        elif whence == io.SEEK_CUR:
            offset = rng.randrange(-min(source.tell(), 3 * SEG), 3 * SEG)
        else:
            offset = -rng.randrange(0, size + 1) if rng.random() < 0.8 else rng.randrange(0, 100)
        length = rng.choice([0, 1, 17, SEG - 1, SEG, SEG + 1, 3 * SEG + 5, rng.randrange(1, 70_000)])
        where = f"step {step}: seek({offset}, {whence}) then read({length})"
        assert reader.seek(offset, whence) == source.seek(offset, whence), where
        assert reader.tell() == source.tell(), where
        got, want = reader.read(length), source.read(length)
        assert len(got) == len(want), f"{where}: {len(got)} bytes, expected {len(want)}"
        assert got == want, f"{where}: different bytes"
        assert reader.tell() == source.tell(), where


# -- round trip ----------------------------------------------------------------

SIZES = [
    pytest.param(0, "random", id="0B"),
    pytest.param(1, "random", id="1B"),
    pytest.param(SEG - 1, "random", id="segment-1"),
    pytest.param(SEG, "random", id="segment"),
    pytest.param(SEG + 1, "random", id="segment+1"),
    pytest.param(2 * SEG, "random", id="2segments"),
    pytest.param(5 * MiB + 12_345, "random", id="5MiB-random"),
    pytest.param(300 * MiB + 7, "sparse", id="300MiB-sparse"),
]


def round_trip(vault: Vault, tmp_path: Path, size: int, kind: str, *, seeks: int) -> None:
    source = make_source(tmp_path, size, kind, seed=SEED + size)
    before = file_identity(source)
    source_hash = file_sha256(source)
    case = make_case(vault)
    progress = Progress()

    result = vault.evidence.ingest(source, case.id, progress=progress)

    item = result.item
    assert not result.duplicate
    assert item.size == size
    assert item.original_name == source.name
    # The hash intake stored is the one the standard tools give for the original.
    assert item.sha256 == source_hash
    if size <= SHA256SUM_UP_TO or STRESS:
        assert item.sha256 == sha256sum(source), "stored SHA-256 differs from coreutils sha256sum"
    assert item.sha256 == openssl_sha256(source), "stored SHA-256 differs from openssl dgst -sha256"
    progress.check(size)
    # Intake only read the source.
    assert file_identity(source) == before, "intake changed the source's size, mtime, mode or inode"
    assert file_sha256(source) == source_hash, "intake changed the source's bytes"
    # The stored blob is encrypted (its size is not the plaintext's) and named at random.
    (name,) = blob_files(vault)
    assert source_hash[:16] not in name and name == stored_blob_ids(vault)[0]
    blob_size = (vault.folder / BLOB_DIR / name).stat().st_size
    assert blob_size == 36 + size + 16 * max(1, -(-size // SEG)), "unexpected blob size"

    # Read back after a lock and an unlock: nothing lives only in memory.
    vault.lock()
    vault = open_vault(vault.folder)
    try:
        with vault.evidence.open(item.id) as reader, source.open("rb") as original:
            assert reader.seekable() and reader.readable() and not reader.writable()
            assert reader.size == size
            assert stream_sha256(reader) == source_hash
            assert reader.read(10) == b"", "read at the end returns bytes"
            compare_random_access(reader, original, size, seed=SEED ^ size, steps=seeks)
        destination = tmp_path / "exported"
        exported = vault.evidence.export(item.id, destination)
        try:
            assert exported.path == destination and exported.sha256 == source_hash
            assert destination.stat().st_size == size
            assert file_sha256(destination) == source_hash, "exported bytes differ from the original"
        finally:
            destination.unlink()
        assert leftovers(vault.folder) == [] and leftovers(tmp_path) == []
    finally:
        vault.lock()


@pytest.mark.parametrize(("size", "kind"), SIZES)
def test_round_trip_is_byte_exact_and_hash_matches_sha256sum(
    vault: Vault, tmp_path: Path, size: int, kind: str
) -> None:
    round_trip(vault, tmp_path, size, kind, seeks=150)


@pytest.mark.slow
@pytest.mark.stress
def test_round_trip_of_a_sparse_file_over_4_gib(vault: Vault, tmp_path: Path) -> None:
    """Past 2**32 bytes (a 32-bit offset or size would wrap here). Over 30 s,
    so under ``make stress`` only."""
    size = 4 * GiB + 3 * MiB + 11
    try:
        round_trip(vault, tmp_path, size, "sparse", seeks=60)
    finally:
        # Several GiB of real (encrypted) bytes: do not leave them to pytest's retention.
        shutil.rmtree(vault.folder / BLOB_DIR, ignore_errors=True)
        for path in tmp_path.glob("source-*"):
            path.unlink()


def test_a_file_that_grows_during_intake_is_stored_as_read(vault: Vault, tmp_path: Path) -> None:
    """The size recorded is what was read and hashed, not an earlier stat."""
    source = make_random(tmp_path / "growing.bin", 2 * SEG + 10, seed=1)
    case = make_case(vault)
    appended: list[int] = []

    def grow(done: int, total: int) -> None:
        if not appended:
            with source.open("ab") as out:
                out.write(b"appended while being read")
            appended.append(done)

    item = vault.evidence.ingest(source, case.id, progress=grow).item
    with vault.evidence.open(item.id) as reader:
        data = reader.read()
    assert item.size == len(data)
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert vault.verify().ok


def test_blob_reader_answers_like_a_file(tmp_path: Path) -> None:
    """BlobReader straight from the store, with a small segment size so that
    a seeded walk crosses hundreds of segment edges."""
    store = BlobStore(tmp_path / "blobs")
    store.folder.mkdir()
    data = random.Random(SEED).randbytes(300 * 1024 + 333)
    written = store.write(io.BytesIO(data), len(data), segment_size=1024)
    store.commit(written)
    assert written.sha256 == hashlib.sha256(data).hexdigest() and written.size == len(data)
    with store.open(written.blob_id, written.key) as reader:
        assert reader.read() == data
        assert reader.seek(0, io.SEEK_END) == len(data)
        assert reader.read() == b""
        assert reader.seek(-5, io.SEEK_END) == len(data) - 5
        assert reader.read(100) == data[-5:]
        assert reader.seek(len(data) + 1000) == len(data) + 1000
        assert reader.read(1) == b""
        with pytest.raises(ValueError, match="negative"):
            reader.seek(-1)
        buffer = bytearray(3000)
        reader.seek(1020)
        assert reader.readinto(buffer) == 3000 and bytes(buffer) == data[1020:4020]
        rng = random.Random(SEED + 1)
        for _ in range(500):
            start = rng.randrange(0, len(data) + 50)
            length = rng.randrange(0, 5000)
            reader.seek(start)
            assert reader.read(length) == data[start : start + length], (start, length)
    # As a buffered stream too (what a media player's file adapter would do).
    with io.BufferedReader(store.open(written.blob_id, written.key), buffer_size=4096) as buffered:
        buffered.seek(123_456)
        assert buffered.read(10_000) == data[123_456:133_456]


def test_blob_reader_reads_right_from_every_offset(tmp_path: Path) -> None:
    """Exhaustive on a small blob: every start position, several lengths."""
    store = BlobStore(tmp_path / "blobs")
    store.folder.mkdir()
    data = random.Random(SEED + 2).randbytes(3 * 1024 + 100)
    written = store.write(io.BytesIO(data), len(data), segment_size=1024)
    store.commit(written)
    with store.open(written.blob_id, written.key) as reader:
        for start in range(len(data) + 2):
            for length in (1, 5, 1023, 1024, 1500):
                reader.seek(start)
                assert reader.read(length) == data[start : start + length], (start, length)


# -- bounded memory -------------------------------------------------------------


def test_memory_stays_bounded_while_ingesting_1_gib(vault: Vault, tmp_path: Path) -> None:
    """Peak RSS of a forked child grows by less than 100 MB over the intake of a
    1 GiB (sparse) file: the file is streamed, never held whole."""
    case = make_case(vault)
    warm_up = make_random(tmp_path / "warm-up.bin", 3 * SEG, seed=2)
    big = make_sparse(tmp_path / "big.bin", GiB, markers=sparse_markers(GiB, 3))
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own connection, its own peak RSS
        code = 1
        try:
            child = open_vault(vault.folder)
            # Imports, libmagic, thread pools: loaded before the baseline.
            child.evidence.ingest(warm_up, case.id)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            item = child.evidence.ingest(big, case.id).item
            after_ingest = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            with child.evidence.open(item.id) as reader:
                while reader.read(SEG):
                    pass
            after_read = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            child.lock()
            message = {"before": before, "ingest": after_ingest, "read": after_read, "size": item.size}
            os.write(write_fd, json.dumps(message).encode())
            code = 0
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            os.write(write_fd, json.dumps({"error": repr(err)}).encode())
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        raw = pipe.read()
    _, status = os.waitpid(pid, 0)
    report = json.loads(raw or b'{"error": "no message"}')
    assert os.waitstatus_to_exitcode(status) == 0 and "error" not in report, report
    assert report["size"] == GiB
    ingest_growth = report["ingest"] - report["before"]
    read_growth = report["read"] - report["before"]
    assert ingest_growth < MAX_RSS_GROWTH, f"peak RSS grew {ingest_growth / MiB:.0f} MiB during intake"
    assert read_growth < MAX_RSS_GROWTH, f"peak RSS grew {read_growth / MiB:.0f} MiB reading it back"
    shutil.rmtree(vault.folder / BLOB_DIR, ignore_errors=True)


# -- duplicates -----------------------------------------------------------------


def test_the_same_file_twice_in_a_case_is_linked_not_stored_twice(vault: Vault, tmp_path: Path) -> None:
    source = make_random(tmp_path / "video.mp4", 2 * SEG + 5, seed=4)
    copy = tmp_path / "renamed copy.mp4"
    shutil.copyfile(source, copy)
    case = make_case(vault)

    first = vault.evidence.ingest(source, case.id)
    again = vault.evidence.ingest(source, case.id)
    renamed = vault.evidence.ingest(copy, case.id)  # same bytes under another name

    assert not first.duplicate
    assert again.duplicate and renamed.duplicate
    assert again.item.id == renamed.item.id == first.item.id
    assert again.item == first.item, "a duplicate intake changed the item"
    assert vault.evidence.count() == 1
    assert len(blob_files(vault)) == 1 and blob_files(vault) == stored_blob_ids(vault)
    events = vault.evidence.custody(first.item.id)
    assert [e.action for e in events] == ["intake", "intake-duplicate", "intake-duplicate"]
    assert [e.details.get("name") for e in events] == [source.name, source.name, copy.name]
    assert {e.sha256 for e in events} == {first.item.sha256}
    assert leftovers(vault.folder) == []
    assert vault.verify().ok


def test_the_same_file_in_another_case_is_a_new_item_sharing_the_blob(vault: Vault, tmp_path: Path) -> None:
    source = make_random(tmp_path / "photo.jpg", SEG + 77, seed=5)
    case_a = make_case(vault, title="Bucha")
    case_b = make_case(vault, title="Irpin")

    a = vault.evidence.ingest(source, case_a.id, description="in Bucha")
    b = vault.evidence.ingest(source, case_b.id, description="in Irpin")

    assert not a.duplicate and not b.duplicate
    assert a.item.id != b.item.id
    assert (a.item.case_id, b.item.case_id) == (case_a.id, case_b.id)
    assert a.item.sha256 == b.item.sha256
    assert (a.item.description, b.item.description) == ("in Bucha", "in Irpin")
    assert len(blob_files(vault)) == 1, f"the bytes are stored twice: {blob_files(vault)}"
    assert [i.id for i in vault.evidence.list(case_b.id)] == [b.item.id]
    for item in (a.item, b.item):
        with vault.evidence.open(item.id) as reader:
            assert reader.read() == source.read_bytes()
        assert next(e.action for e in vault.evidence.custody(item.id)) == "intake"
    # Deleting one item leaves the other (and the shared blob) whole.
    vault.evidence.delete(a.item.id, reason="entered in the wrong case")
    with vault.evidence.open(b.item.id) as reader:
        assert reader.read() == source.read_bytes()
    assert vault.verify().ok


# -- remove_source --------------------------------------------------------------


def test_remove_source_deletes_the_source_after_a_verified_intake(vault: Vault, tmp_path: Path) -> None:
    source = make_random(tmp_path / "to-remove.bin", 3 * SEG + 1, seed=6)
    source_hash = file_sha256(source)
    case = make_case(vault)

    result = vault.evidence.ingest(source, case.id, remove_source=True)

    assert result.source_removed and not source.exists()
    assert result.item.sha256 == source_hash
    destination = vault.evidence.export(result.item.id, tmp_path / "back.bin").path
    assert file_sha256(destination) == source_hash


def test_remove_source_keeps_the_source_when_the_stored_copy_does_not_check_out(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blob damaged between writing and the read-back: the source must stay."""
    source = make_random(tmp_path / "keep-me.bin", 2 * SEG + 3, seed=7)
    before, source_hash = file_identity(source), file_sha256(source)
    case = make_case(vault)
    store = vault.services.context.blob_store
    real_commit = store.commit

    def commit_then_damage(written):
        real_commit(written)
        with store.path(written.blob_id).open("r+b") as blob:
            blob.seek(36 + 100)
            byte = blob.read(1)
            blob.seek(36 + 100)
            blob.write(bytes([byte[0] ^ 0x01]))

    monkeypatch.setattr(store, "commit", commit_then_damage)
    with pytest.raises(BlobIntegrityError):
        vault.evidence.ingest(source, case.id, remove_source=True)
    assert source.exists(), "the source was deleted although its stored copy is damaged"
    assert file_identity(source) == before and file_sha256(source) == source_hash


def test_remove_source_flag_tells_the_truth_for_a_duplicate(vault: Vault, tmp_path: Path) -> None:
    source = make_random(tmp_path / "dup.bin", 1000, seed=8)
    case = make_case(vault)
    vault.evidence.ingest(source, case.id)
    result = vault.evidence.ingest(source, case.id, remove_source=True)
    assert result.duplicate
    assert result.source_removed == (not source.exists())


# -- cancel and progress --------------------------------------------------------


@pytest.mark.parametrize("cancel_after", [0, 1, 3, 6], ids=lambda n: f"after-{n}-MiB")
def test_cancel_mid_intake_leaves_nothing_behind(vault: Vault, tmp_path: Path, cancel_after: int) -> None:
    size = 5 * SEG + 9
    # 6: the cancel comes with the last segment's report, after every byte was
    # written; the intake must still be undone, since the user saw it accepted.
    cancel_point = min(cancel_after * SEG, size)
    source = make_random(tmp_path / "long.bin", size, seed=9)
    before, source_hash = file_identity(source), file_sha256(source)
    case = make_case(vault)
    token = CancelToken()
    if cancel_after == 0:
        token.cancel()  # cancelled before the first byte

    def cancel_at(done: int, total: int) -> None:
        if done >= cancel_point:
            token.cancel()

    progress = Progress(then=cancel_at)
    with pytest.raises(IntakeCancelled, match="nothing was added"):
        vault.evidence.ingest(source, case.id, progress=progress, cancel=token, remove_source=True)

    if cancel_after:
        assert progress.calls[-1][0] == cancel_point, "intake went on after the cancel"
    assert vault.evidence.count() == 0, "a cancelled intake left an item"
    assert blob_files(vault) == [], f"a cancelled intake left files in blobs/: {blob_files(vault)}"
    assert stored_blob_ids(vault) == [] and custody_rows(vault) == 0
    assert leftovers(vault.folder) == []
    assert source.exists() and file_identity(source) == before and file_sha256(source) == source_hash
    # And the vault takes the same file afterwards.
    assert vault.evidence.ingest(source, case.id).item.sha256 == source_hash
    assert vault.verify().ok


def test_progress_reports_increasing_bytes_ending_at_the_total(vault: Vault, tmp_path: Path) -> None:
    size = 4 * SEG + 321
    source = make_random(tmp_path / "progress.bin", size, seed=10)
    progress = Progress()
    vault.evidence.ingest(source, make_case(vault).id, progress=progress)
    progress.check(size)
    # One report per segment: a GUI bar moves during the intake, not only at the end.
    assert [d for d, _ in progress.calls] == [SEG, 2 * SEG, 3 * SEG, 4 * SEG, size]


@pytest.mark.parametrize("cancel_after", [0, 2, 6], ids=lambda n: f"after-{n}-MiB")
def test_cancelled_export_writes_no_file_and_records_no_export(
    vault: Vault, tmp_path: Path, cancel_after: int
) -> None:
    size = 5 * SEG + 17
    source = make_random(tmp_path / "evidence.bin", size, seed=12)
    item = vault.evidence.ingest(source, make_case(vault).id).item
    events_before = [e.action for e in vault.evidence.custody(item.id)]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    token = CancelToken()
    cancel_point = min(cancel_after * SEG, size)

    def cancel_at(done: int, total: int) -> None:
        if done >= cancel_point:
            token.cancel()

    if cancel_after == 0:
        token.cancel()
    progress = Progress(then=cancel_at)
    with pytest.raises(ExportCancelled, match=f"{item.id}.*no file was written"):
        vault.evidence.export(item.id, out_dir / "copy.bin", progress=progress, cancel=token)

    assert list(out_dir.iterdir()) == [], "a cancelled export left a file (or a temp file) behind"
    if cancel_after:
        assert progress.calls[-1][0] == cancel_point, "export went on after the cancel"
    assert [e.action for e in vault.evidence.custody(item.id)] == events_before, (
        "a cancelled export was recorded in the custody log"
    )
    # The same export, not cancelled, works and reports its progress.
    progress = Progress()
    result = vault.evidence.export(item.id, out_dir / "copy.bin", progress=progress, cancel=CancelToken())
    progress.check(size)
    assert file_sha256(result.path) == item.sha256 == file_sha256(source)
    assert [e.action for e in vault.evidence.custody(item.id)] == [*events_before, "export"]


def test_an_export_that_cannot_be_recorded_leaves_no_copy(vault: Vault, tmp_path: Path) -> None:
    source = make_random(tmp_path / "evidence.bin", 3 * SEG, seed=13)
    item = vault.evidence.ingest(source, make_case(vault).id).item
    destination = tmp_path / "copy.bin"

    def lock_at_the_end(done: int, total: int) -> None:
        if done == total:
            vault.lock()  # e.g. auto-lock while the last segment was written

    with pytest.raises(FieldvaultError):
        vault.evidence.export(item.id, destination, progress=lock_at_the_end)
    assert not destination.exists(), "a copy exists whose export the custody log does not show"
    assert list(tmp_path.glob(".tmp-*")) == []
    reopened = open_vault(vault.folder)
    assert [e.action for e in reopened.evidence.custody(item.id)] == ["intake"]
    reopened.lock()


# -- refusals ---# -- refusals -------------------------------------------------------------------


def test_what_cannot_be_ingested_is_refused_cleanly(vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault)
    with pytest.raises(InvalidInput, match="no such file"):
        vault.evidence.ingest(tmp_path / "missing.jpg", case.id)
    with pytest.raises(InvalidInput, match="not a regular file"):
        vault.evidence.ingest(tmp_path, case.id)
    source = make_random(tmp_path / "orphan.bin", 100, seed=11)
    with pytest.raises(NotFound):
        vault.evidence.ingest(source, "00000000-0000-0000-0000-000000000000")
    assert vault.evidence.count() == 0 and blob_files(vault) == [] and custody_rows(vault) == 0


def test_a_file_name_that_is_not_utf8_is_ingested_under_a_readable_name(vault: Vault, tmp_path: Path) -> None:
    """Cameras and old archives give names in other encodings; the file is still evidence."""
    case = make_case(vault)
    source = Path(os.fsdecode(bytes(tmp_path) + b"/photo-\xcf\xf0\xe8.jpg"))  # cp1251 "При"
    source.write_bytes(b"jpeg bytes" * 100)
    result = vault.evidence.ingest(source, case.id)
    assert result.item.original_name == "photo-\ufffd\ufffd\ufffd.jpg"
    assert vault.verify().ok


def test_a_source_that_grows_while_read_is_never_removed(vault: Vault, tmp_path: Path) -> None:
    """A recording still being copied: what arrives after the read is not in the vault."""
    case = make_case(vault)
    source = make_random(tmp_path / "recording.wav", 3 * DEFAULT_SEGMENT_SIZE, seed=5)
    grown: list[bool] = []

    def keep_copying(done: int, total: int) -> None:
        if done == total and not grown:
            with source.open("ab") as out:
                out.write(b"\x01" * 700_000)
            grown.append(True)

    result = vault.evidence.ingest(source, case.id, remove_source=True, progress=keep_copying)
    assert grown and result.source_changed and not result.source_removed
    assert source.exists() and source.stat().st_size == 3 * DEFAULT_SEGMENT_SIZE + 700_000
    assert result.item.size == 3 * DEFAULT_SEGMENT_SIZE


def test_a_source_replaced_under_its_name_is_never_removed(vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault)
    source = make_random(tmp_path / "photo.jpg", 2 * DEFAULT_SEGMENT_SIZE, seed=6)
    other = make_random(tmp_path / "other.jpg", 2 * DEFAULT_SEGMENT_SIZE, seed=7)

    def swap(done: int, total: int) -> None:
        if done == total:
            other.replace(source)  # another file now has the name

    result = vault.evidence.ingest(source, case.id, remove_source=True, progress=swap)
    assert result.source_changed and source.exists()
