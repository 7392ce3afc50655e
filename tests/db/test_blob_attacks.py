"""The blob format against the attacks streaming AEADs are known for.

First straight on BlobStore/BlobReader with 1 KiB segments (so a blob of a few
KiB has several segments and every cut can be tried), then through the vault
with its real 1 MiB segments:

- a flipped byte anywhere (header, ciphertext, tag);
- truncation: every proper prefix of a blob fails to open, whether the cut is
  mid-segment or exactly at a segment boundary;
- dropped, duplicated and reordered segments;
- the final-segment flag removed (the last segment re-sealed with the real key
  as a non-final one);
- segments or bytes appended, even a segment sealed with the real key;
- the header's blob id changed, a blob moved under another item's key (two
  blob files swapped on disk), a blob file missing.

Each raises BlobIntegrityError with a detail naming what failed; a damaged item
raises on reading (and on export, leaving no file) while the other items stay
readable, and ``verify`` names the damaged item's id and nothing else.
"""

from __future__ import annotations

import io
import random
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from db.blobformat import HEADER_SIZE, TAG_SIZE, BlobHeader, BlobIntegrityError, BlobReader
from db.blobstore import BlobStore, WrittenBlob, unwrap_blob_key
from db.entities import EvidenceItem
from db.errors import VaultDamaged
from db.model import Blob, EvidenceBlob
from db.vault import BLOB_DIR, Vault
from db.verify import Problem
from tests.evidence_samples import make_random
from tests.factory import make_case

SEG = 1024  # the smallest segment size the format allows
SEED = 4_040_404
AUTH = re.compile(r"segment \d+ fails authentication")


# -- a blob file taken apart ----------------------------------------------------


@dataclass
class BlobFile:
    """A blob on disk as header + sealed segments, to be tampered with."""

    path: Path
    header: bytes
    segments: list[bytes]

    @classmethod
    def load(cls, path: Path) -> BlobFile:
        data = path.read_bytes()
        header = data[:HEADER_SIZE]
        (segment_size,) = struct.unpack(">I", header[8:12])
        sealed = segment_size + TAG_SIZE
        body = data[HEADER_SIZE:]
        return cls(path, header, [body[i : i + sealed] for i in range(0, len(body), sealed)])

    @property
    def segment_size(self) -> int:
        return int(struct.unpack(">I", self.header[8:12])[0])

    @property
    def blob_id(self) -> bytes:
        return self.header[12:28]

    def save(self) -> None:
        self.path.write_bytes(self.header + b"".join(self.segments))

    def reseal(self, key: bytes, index: int, *, was_last: bool, last: bool) -> None:
        """Decrypt segment ``index`` with the real key and seal it again with
        another final flag (what only someone holding the key could do)."""
        header = BlobHeader.parse(self.header, self.blob_id)
        aead = AESGCM(key)
        plain = aead.decrypt(header.nonce(index, was_last), self.segments[index], self.header)
        self.segments[index] = aead.encrypt(header.nonce(index, last), plain, self.header)

    def seal_extra(self, key: bytes, plaintext: bytes, *, last: bool) -> bytes:
        header = BlobHeader.parse(self.header, self.blob_id)
        return AESGCM(key).encrypt(header.nonce(len(self.segments), last), plaintext, self.header)


def flip(path: Path, offset: int, mask: int = 0x01) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ mask]))


def read_whole(store: BlobStore, blob_id: str, key: bytes) -> bytes:
    with store.open(blob_id, key) as reader:
        return reader.read()


def detail_of(action: Callable[[], object]) -> str:
    with pytest.raises(BlobIntegrityError) as caught:
        action()
    message = str(caught.value)
    assert "damaged or was altered" in message and caught.value.detail in message
    return caught.value.detail


# -- straight on the store ------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    folder = tmp_path / "blobs"
    folder.mkdir()
    return BlobStore(folder)


def put(store: BlobStore, data: bytes) -> WrittenBlob:
    written = store.write(io.BytesIO(data), len(data), segment_size=SEG)
    store.commit(written)
    return written


# 3 full segments and a short last one; and 4 full ones (no short last segment).
SHORT_LAST = random.Random(SEED).randbytes(3 * SEG + 500)
FULL_LAST = random.Random(SEED + 1).randbytes(4 * SEG)


@pytest.fixture(params=[SHORT_LAST, FULL_LAST], ids=["short-last", "full-last"])
def data(request: pytest.FixtureRequest) -> bytes:
    return bytes(request.param)


def test_an_untouched_blob_reads_back(store: BlobStore, data: bytes) -> None:
    written = put(store, data)
    assert read_whole(store, written.blob_id, written.key) == data
    assert len(BlobFile.load(store.path(written.blob_id)).segments) == 4


@pytest.mark.parametrize("segment", [0, 1, 2, 3])
@pytest.mark.parametrize("where", ["first-byte", "middle", "tag"])
def test_a_flipped_byte_in_a_segment_fails_that_segment(
    store: BlobStore, data: bytes, segment: int, where: str
) -> None:
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    inside = {"first-byte": 0, "middle": len(blob.segments[segment]) // 2, "tag": -1}[where]
    start = HEADER_SIZE + segment * (SEG + TAG_SIZE)
    flip(blob.path, start + inside % len(blob.segments[segment]))

    expected = f"segment {segment} fails authentication"
    if segment == 3:  # the last segment is checked when the blob is opened
        assert detail_of(lambda: store.open(written.blob_id, written.key)) == expected
        return
    with store.open(written.blob_id, written.key) as reader:
        # Only what a read touches is decrypted: the segments before still read.
        assert reader.read(segment * SEG) == data[: segment * SEG]
        assert detail_of(reader.read) == expected
        reader.seek((segment + 1) * SEG)
        assert reader.read() == data[(segment + 1) * SEG :]


HEADER_FIELDS = {
    "magic": (range(0, 8), {"not a Fieldvault blob"}),
    "segment size": (range(8, 12), None),  # another size re-cuts the segments: any failure
    "blob id": (range(12, 28), {"belongs to another item"}),
    "nonce prefix": (range(28, 35), {"segment 3 fails authentication"}),
    "reserved": (range(35, 36), {"not a Fieldvault blob"}),
}


@pytest.mark.parametrize("field", list(HEADER_FIELDS))
def test_a_flipped_header_byte_is_refused_at_open(store: BlobStore, data: bytes, field: str) -> None:
    written = put(store, data)
    positions, expected = HEADER_FIELDS[field]
    for position in positions:
        for mask in (0x01, 0x80):
            flip(store.path(written.blob_id), position, mask)
            detail = detail_of(lambda: store.open(written.blob_id, written.key))
            if expected is None:
                assert detail in {"bad segment size", "truncated"} or AUTH.fullmatch(detail), detail
            else:
                assert detail in expected, f"byte {position} ^ {mask:#x}: {detail}"
            flip(store.path(written.blob_id), position, mask)  # undo
    assert read_whole(store, written.blob_id, written.key) == data


def test_every_truncation_is_refused_at_open(store: BlobStore, data: bytes) -> None:
    """Every proper prefix: in the header, at and between segment boundaries."""
    written = put(store, data)
    path = store.path(written.blob_id)
    whole = path.read_bytes()
    sealed = SEG + TAG_SIZE
    for length in range(len(whole)):
        path.write_bytes(whole[:length])
        where = f"cut to {length} of {len(whole)} bytes"
        with pytest.raises(BlobIntegrityError) as caught:
            store.open(written.blob_id, written.key)
        detail = caught.value.detail
        body = length - HEADER_SIZE
        if body < 0:
            assert detail == "header truncated", where
        elif (body % sealed and body % sealed < TAG_SIZE) or body == 0:
            assert detail == "truncated", where
        else:
            # Mid-segment or exactly at a boundary: the new last segment fails.
            last = max(0, -(-body // sealed) - 1)
            assert detail == f"segment {last} fails authentication", where


@pytest.mark.parametrize("cut_after", [1, 2, 3], ids=lambda n: f"after-segment-{n - 1}")
def test_truncation_exactly_at_a_segment_boundary(store: BlobStore, data: bytes, cut_after: int) -> None:
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    blob.segments = blob.segments[:cut_after]
    blob.save()
    assert detail_of(lambda: store.open(written.blob_id, written.key)) == (
        f"segment {cut_after - 1} fails authentication"
    )


@pytest.mark.parametrize("dropped", [0, 1, 2, 3])
def test_a_dropped_segment_is_detected(store: BlobStore, data: bytes, dropped: int) -> None:
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    del blob.segments[dropped]
    blob.save()
    # Three segments left: the new last one (index 2) was sealed as index 3, or
    # as a non-final segment. Refused when opened, before any read.
    assert detail_of(lambda: store.open(written.blob_id, written.key)) == "segment 2 fails authentication"


@pytest.mark.parametrize("duplicated", [0, 1, 2, 3])
def test_a_duplicated_segment_is_detected(store: BlobStore, data: bytes, duplicated: int) -> None:
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    blob.segments.insert(duplicated + 1, blob.segments[duplicated])
    blob.save()
    detail = detail_of(lambda: store.open(written.blob_id, written.key))
    if duplicated < 3 or data == FULL_LAST:
        # The copy shifts every later segment: the last one no longer matches its counter.
        assert detail == "segment 4 fails authentication"
    else:  # a short last segment twice: both copies fit in what is read as segment 3
        assert detail == "segment 3 fails authentication"


@pytest.mark.parametrize(("i", "j"), [(0, 1), (0, 2), (1, 2)])
def test_reordered_segments_are_detected_on_reading(store: BlobStore, data: bytes, i: int, j: int) -> None:
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    blob.segments[i], blob.segments[j] = blob.segments[j], blob.segments[i]
    blob.save()
    with store.open(written.blob_id, written.key) as reader:  # the last segment is intact
        assert detail_of(reader.read) == f"segment {i} fails authentication"
        reader.seek(j * SEG)
        assert detail_of(lambda: reader.read(1)) == f"segment {j} fails authentication"
        reader.seek(3 * SEG)
        assert reader.read() == data[3 * SEG :]


def test_a_removed_final_flag_is_detected(store: BlobStore, data: bytes) -> None:
    """Even re-sealed with the blob's own key, a last segment without the final
    flag means the end is missing: the blob does not open."""
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    blob.reseal(written.key, 3, was_last=True, last=False)
    blob.save()
    assert detail_of(lambda: store.open(written.blob_id, written.key)) == "segment 3 fails authentication"


def test_a_final_flag_moved_to_an_earlier_segment_does_not_hide_a_cut(store: BlobStore, data: bytes) -> None:
    """The control: re-sealing segment 2 as final (with the key) and cutting
    after it does open, with 3 segments, so the flag is what the reader checks."""
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    blob.reseal(written.key, 2, was_last=False, last=True)
    blob.segments = blob.segments[:3]
    blob.save()
    assert read_whole(store, written.blob_id, written.key) == data[: 3 * SEG]


@pytest.mark.parametrize(
    "appended",
    ["one byte", "a tag's worth", "random segment", "copy of segment 0", "copy of the last segment"],
)
def test_appended_bytes_or_segments_are_refused_at_open(store: BlobStore, data: bytes, appended: str) -> None:
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    extra = {
        "one byte": b"\x00",
        "a tag's worth": bytes(TAG_SIZE),
        "random segment": random.Random(SEED).randbytes(SEG + TAG_SIZE),
        "copy of segment 0": blob.segments[0],
        "copy of the last segment": blob.segments[-1],
    }[appended]
    blob.path.write_bytes(blob.path.read_bytes() + extra)
    detail = detail_of(lambda: store.open(written.blob_id, written.key))
    assert detail == "truncated" or AUTH.fullmatch(detail), detail


def test_a_segment_appended_with_the_real_key_breaks_the_old_last_one(store: BlobStore) -> None:
    """The old last segment carries the final flag: followed by anything, it fails."""
    written = put(store, FULL_LAST)
    blob = BlobFile.load(store.path(written.blob_id))
    blob.segments.append(blob.seal_extra(written.key, b"appended evidence", last=True))
    blob.save()
    with store.open(written.blob_id, written.key) as reader:
        assert reader.read(3 * SEG) == FULL_LAST[: 3 * SEG]
        assert detail_of(reader.read) == "segment 3 fails authentication"


def test_a_changed_blob_id_in_the_header_is_detected(store: BlobStore, data: bytes) -> None:
    written = put(store, data)
    blob = BlobFile.load(store.path(written.blob_id))
    other_id = bytes(16)
    blob.header = blob.header[:12] + other_id + blob.header[28:]
    blob.save()
    # Opened as itself: the header names another blob.
    assert detail_of(lambda: store.open(written.blob_id, written.key)) == "belongs to another item"
    # Renamed to match its new header: the header is associated data of every segment.
    store.path(written.blob_id).rename(store.path(other_id.hex()))
    assert detail_of(lambda: store.open(other_id.hex(), written.key)) == "segment 3 fails authentication"


def test_a_blob_moved_under_another_blobs_key_is_detected(store: BlobStore, data: bytes) -> None:
    mine, theirs = put(store, data), put(store, SHORT_LAST[::-1])
    mine_path, theirs_path = store.path(mine.blob_id), store.path(theirs.blob_id)
    swapped = theirs_path.read_bytes()
    mine_path.write_bytes(swapped)
    assert detail_of(lambda: store.open(mine.blob_id, mine.key)) == "belongs to another item"
    # Even with its header rewritten to carry my blob id, my key does not open it.
    blob = BlobFile.load(mine_path)
    blob.header = blob.header[:12] + bytes.fromhex(mine.blob_id) + blob.header[28:]
    blob.save()
    detail = detail_of(lambda: store.open(mine.blob_id, mine.key))
    assert AUTH.fullmatch(detail), detail
    # The other blob is unaffected.
    assert read_whole(store, theirs.blob_id, theirs.key) == SHORT_LAST[::-1]


def test_a_blob_opened_with_a_wrong_key_fails_at_once(store: BlobStore) -> None:
    written = put(store, SHORT_LAST)
    assert detail_of(lambda: store.open(written.blob_id, bytes(32))) == "segment 3 fails authentication"


def test_a_file_that_is_not_a_blob_is_refused(store: BlobStore) -> None:
    written = put(store, SHORT_LAST)
    store.path(written.blob_id).write_bytes(b"%PDF-1.7\n" + bytes(100))
    assert detail_of(lambda: store.open(written.blob_id, written.key)) == "not a Fieldvault blob"
    store.path(written.blob_id).write_bytes(b"")
    assert detail_of(lambda: store.open(written.blob_id, written.key)) == "header truncated"


def test_a_reader_handle_is_closed_when_opening_fails(store: BlobStore) -> None:
    written = put(store, SHORT_LAST)
    flip(store.path(written.blob_id), len(store.path(written.blob_id).read_bytes()) - 1)
    with pytest.raises(BlobIntegrityError):
        store.open(written.blob_id, written.key)
    # Nothing keeps the file open: on Windows this would block the rename.
    store.path(written.blob_id).rename(store.folder / "renamed")


# -- through the vault ------------------------------------------------------------

MiB = 1 << 20


@dataclass
class Stored:
    item: EvidenceItem
    data: bytes
    blob_id: str
    key: bytes


def stored(vault: Vault, item: EvidenceItem, data: bytes) -> Stored:
    ctx = vault.services.context
    with ctx.sessions() as session:
        blob_id, wrapped = session.execute(
            select(Blob.blob_id, Blob.wrapped_key)
            .join(EvidenceBlob, EvidenceBlob.blob_id == Blob.blob_id)
            .where(EvidenceBlob.evidence_id == item.id)
        ).one()
    return Stored(item, data, blob_id, unwrap_blob_key(ctx.blobs_subkey, blob_id, wrapped))


@pytest.fixture
def three_items(vault: Vault, tmp_path: Path) -> list[Stored]:
    """Three items of 3.5 MiB (4 segments of 1 MiB) in one case."""
    case = make_case(vault)
    items = []
    for n in range(3):
        path = make_random(tmp_path / f"item-{n}.bin", 3 * MiB + MiB // 2, seed=SEED + n)
        items.append(stored(vault, vault.evidence.ingest(path, case.id).item, path.read_bytes()))
    return items


def blob_path(vault: Vault, item: Stored) -> Path:
    return vault.folder / BLOB_DIR / item.blob_id


def swap_files(a: Path, b: Path) -> None:
    temp = a.with_name("swap")
    a.rename(temp)
    b.rename(a)
    temp.rename(b)


def damage(vault: Vault, items: list[Stored], attack: str) -> None:
    target = items[0]
    path = blob_path(vault, target)
    blob = BlobFile.load(path)
    if attack == "flipped byte":
        flip(path, HEADER_SIZE + (MiB + TAG_SIZE) + 12_345)
    elif attack == "truncated mid-segment":
        blob.segments[-1] = blob.segments[-1][:100]
        blob.save()
    elif attack == "truncated at a segment boundary":
        blob.segments = blob.segments[:3]
        blob.save()
    elif attack == "dropped segment":
        del blob.segments[1]
        blob.save()
    elif attack == "duplicated segment":
        blob.segments.insert(1, blob.segments[1])
        blob.save()
    elif attack == "reordered segments":
        blob.segments[1], blob.segments[2] = blob.segments[2], blob.segments[1]
        blob.save()
    elif attack == "final flag removed":
        blob.reseal(target.key, 3, was_last=True, last=False)
        blob.save()
    elif attack == "appended segment":
        blob.segments.append(blob.segments[0])
        blob.save()
    elif attack == "header blob id changed":
        blob.header = blob.header[:12] + bytes(16) + blob.header[28:]
        blob.save()
    elif attack == "blob swapped with another item's":
        swap_files(path, blob_path(vault, items[1]))
    elif attack == "blob file missing":
        path.unlink()
    else:
        raise ValueError(attack)


# attack -> (the detail verify reports, is the blob refused already at open?)
VAULT_ATTACKS = {
    "flipped byte": ("segment 1 fails authentication", False),
    "truncated mid-segment": ("segment 3 fails authentication", True),
    "truncated at a segment boundary": ("segment 2 fails authentication", True),
    "dropped segment": ("segment 2 fails authentication", True),
    "duplicated segment": ("segment 4 fails authentication", True),
    "reordered segments": ("segment 1 fails authentication", False),
    "final flag removed": ("segment 3 fails authentication", True),
    "appended segment": ("segment 4 fails authentication", True),
    "header blob id changed": ("belongs to another item", True),
    "blob swapped with another item's": ("belongs to another item", True),
    "blob file missing": ("is missing from the vault", True),
}


@pytest.mark.parametrize("attack", list(VAULT_ATTACKS))
def test_a_damaged_item_raises_others_stay_readable_and_verify_names_it(
    vault: Vault, three_items: list[Stored], tmp_path: Path, attack: str
) -> None:
    expected_detail, at_open = VAULT_ATTACKS[attack]
    damage(vault, three_items, attack)
    damaged = three_items[:2] if attack == "blob swapped with another item's" else three_items[:1]
    intact = [s for s in three_items if s not in damaged]

    for each in damaged:
        error = BlobIntegrityError if attack != "blob file missing" else VaultDamaged
        if at_open:
            with pytest.raises(error) as caught:
                vault.evidence.open(each.item.id)
        else:
            with vault.evidence.open(each.item.id) as reader, pytest.raises(error) as caught:
                reader.read()
        assert expected_detail in str(caught.value)
        # Export refuses too, and leaves nothing at the destination.
        destination = tmp_path / "out" / f"{each.item.id}.bin"
        destination.parent.mkdir(exist_ok=True)
        with pytest.raises(error):
            vault.evidence.export(each.item.id, destination)
        assert list(destination.parent.iterdir()) == [], "a failed export left a file"

    for each in intact:
        with vault.evidence.open(each.item.id) as reader:
            assert reader.read() == each.data, "an undamaged item does not read back"
        out = vault.evidence.export(each.item.id, tmp_path / f"ok-{each.item.id}.bin")
        assert out.path.read_bytes() == each.data

    report = vault.verify()
    assert not report.ok
    problems = sorted(report.problems, key=lambda p: p.subject)
    assert [(p.kind, p.subject) for p in problems] == sorted(("blob", s.item.id) for s in damaged), problems
    assert all(expected_detail in p.detail for p in problems), problems
    # The verification is in each item's custody, with its outcome.
    for each in three_items:
        last = vault.evidence.custody(each.item.id)[-1]
        assert last.action == "verify"
        assert last.details == {"ok": each not in damaged}, (each.item.id, last.details)


def test_a_damaged_blob_shared_by_two_cases_names_both_items(vault: Vault, tmp_path: Path) -> None:
    path = make_random(tmp_path / "shared.bin", 2 * MiB, seed=SEED)
    a = vault.evidence.ingest(path, make_case(vault, title="A").id).item
    b = vault.evidence.ingest(path, make_case(vault, title="B").id).item
    (blob,) = (vault.folder / BLOB_DIR).iterdir()
    flip(blob, HEADER_SIZE + 10)
    report = vault.verify()
    assert report.problems == [
        Problem("blob", ", ".join(sorted([a.id, b.id])), "segment 0 fails authentication")
    ]


def test_reading_stops_at_the_damage_not_before(vault: Vault, three_items: list[Stored]) -> None:
    """A video with a damaged middle still plays up to the damage."""
    target = three_items[0]
    flip(blob_path(vault, target), HEADER_SIZE + 2 * (MiB + TAG_SIZE) + 5)
    with vault.evidence.open(target.item.id) as reader:
        assert reader.read(2 * MiB) == target.data[: 2 * MiB]
        with pytest.raises(BlobIntegrityError, match="segment 2 fails authentication"):
            reader.read(1)
        reader.seek(3 * MiB)
        assert reader.read() == target.data[3 * MiB :]


def test_an_intact_vault_verifies(vault: Vault, three_items: list[Stored]) -> None:
    """The control for the attacks above."""
    report = vault.verify()
    assert report.ok, report.problems
    assert report.blobs_checked == 3 and report.bytes_checked == sum(len(s.data) for s in three_items)


def test_the_integrity_error_names_the_blob_and_never_the_content(
    store: BlobStore,
) -> None:
    secret = "Свідок: командир підрозділу 1234".encode()
    written = put(store, secret * 100)
    flip(store.path(written.blob_id), HEADER_SIZE + 3)
    with pytest.raises(BlobIntegrityError) as caught:
        read_whole(store, written.blob_id, written.key)
    assert written.blob_id in str(caught.value)
    assert "Свідок" not in str(caught.value) and "restore" in str(caught.value)


def test_opening_a_blob_reader_directly_checks_the_expected_id(store: BlobStore) -> None:
    written = put(store, SHORT_LAST)
    with store.path(written.blob_id).open("rb") as handle, pytest.raises(BlobIntegrityError):
        BlobReader(handle, written.key, bytes(16))


def test_segment_sized_reads_are_the_plaintext_and_still_checked(store: BlobStore, data: bytes) -> None:
    """A read of a whole segment from its start hands back the decrypted
    segment itself (the bundle writer's path, no copy): the bytes are the
    same as through any other read sizes, the position moves on, and a
    damaged segment is refused on that path too."""
    written = put(store, data)
    with store.open(written.blob_id, written.key) as reader:
        whole = [reader.read(SEG) for _ in range(4)]
        assert b"".join(whole) == data and reader.tell() == len(data) and reader.read(SEG) == b""
    with store.open(written.blob_id, written.key) as reader:
        pieces = [reader.read(SEG + 7), reader.read(SEG - 7), reader.read(SEG), reader.read(2 * SEG)]
        assert b"".join(pieces) == data and reader.read() == b""
    flip(store.path(written.blob_id), HEADER_SIZE + (SEG + TAG_SIZE) + 5)
    with store.open(written.blob_id, written.key) as reader:
        assert reader.read(SEG) == data[:SEG]
        assert detail_of(lambda: reader.read(SEG)) == "segment 1 fails authentication"
