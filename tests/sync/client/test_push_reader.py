"""push's chunk reader (sync/client/push.py): the next chunk is read and
hashed while one travels, and the whole file's SHA-256 (what the server's
receipt must state) comes from the same reads only when they ran in order
from byte 0 over the whole file; after a resume or a re-read it is not
claimed, and the receipt is checked against the file read again."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from sync.client.push import _ChunkReader

KiB = 1024


def _file(tmp_path: Path, size: int) -> tuple[Path, bytes]:
    data = os.urandom(size)
    path = tmp_path / "b.fvbundle"
    path.write_bytes(data)
    return path, data


def test_chunks_read_in_order_give_each_checksum_and_the_whole_files_hash(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 700 * KiB + 3)
    with path.open("rb") as file:
        reader = _ChunkReader(file)
        offset, sizes = 0, [100 * KiB, 256 * KiB, 512 * KiB]
        for size in sizes:
            chunk, digest = reader.submit(offset, size).result()
            assert chunk == data[offset : offset + size]
            assert base64.b64decode(digest) == hashlib.sha256(chunk).digest()
            offset += len(chunk)
        assert reader.submit(offset, 256 * KiB).result()[0] == b""  # past the end: nothing
        reader.close()
    assert reader.hashed_to == len(data)
    assert reader.whole.hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_resumed_or_repeated_read_claims_no_whole_file_hash(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 300 * KiB)
    with path.open("rb") as file:
        resumed = _ChunkReader(file)
        resumed.submit(100 * KiB, 200 * KiB).result()  # the server held the first 100 KiB
        resumed.close()
        repeated = _ChunkReader(file)
        repeated.submit(0, 100 * KiB).result()
        repeated.submit(0, 100 * KiB).result()  # sent again after a cut: hashed once
        repeated.submit(100 * KiB, 200 * KiB).result()
        repeated.close()
    assert resumed.hashed_to == 0
    assert repeated.hashed_to == len(data)
    assert repeated.whole.hexdigest() == hashlib.sha256(data).hexdigest()
