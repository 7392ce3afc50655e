"""The import's settling thread (db/blob_settling.py) on real files: a
failed import's files are removed under whichever name they have, and
those not begun are not made durable first only to be removed (review 31
F2: on a slow disk a cancel or a refusal waited for the fsync and rename
of every file queued, up to MAX_UNSETTLED + 1)."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import pytest

from db.blob_settling import MAX_UNSETTLED, BlobSettler
from db.blobstore import BlobStore, WrittenBlob

SLOW_FSYNC = 0.3  # a slow USB disk
FILES = 8


def hand_over(settler: BlobSettler, folder: Path, number: int) -> WrittenBlob:
    """A temp blob written in full and handed to the settler, as BlobWriter.close does."""
    temp = folder / f".tmp-{number:04x}"
    out = open(temp, "xb")  # noqa: SIM115 - the settler closes it
    out.write(secrets.token_bytes(4096))
    out.flush()
    written = WrittenBlob(secrets.token_hex(16), temp, b"k" * 32, "0" * 64, 4096)
    settler.settle(out, None, written)
    return written


def slow_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    real_fsync = os.fsync
    fsynced: list[int] = []

    def slow_fsync(fd: int) -> None:
        time.sleep(SLOW_FSYNC)
        fsynced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)  # as the settling thread calls it
    return fsynced


def test_abandon_removes_every_file_and_makes_none_durable_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fsynced = slow_fsyncs(monkeypatch)
    settler = BlobSettler(BlobStore(tmp_path))
    for number in range(FILES):
        hand_over(settler, tmp_path, number)
    started = time.monotonic()
    settler.abandon()  # the import was cancelled just after its last file closed
    took = time.monotonic() - started
    assert list(tmp_path.iterdir()) == []  # nothing of the import is left, under either name
    # At most the file under way when the cancel came was made durable.
    assert len(fsynced) <= 1, f"{len(fsynced)} of {FILES} files fsynced only to be removed"
    assert took < 2 * SLOW_FSYNC + 1.0, took


def test_finish_leaves_every_file_under_its_blob_id(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    settler = BlobSettler(store)
    written = [hand_over(settler, tmp_path, number) for number in range(MAX_UNSETTLED + 3)]
    settler.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(w.blob_id for w in written)
    settler.abandon()  # a commit that failed after finish: they are this import's, removed
    assert list(tmp_path.iterdir()) == []
