"""One contract for every PayloadStore (sync/server/payloads.py): the
directory on one machine and S3-compatible object storage (moto's server
over HTTP, spoken to by boto3 as a deployment would). What the tus server
and the coordinators' downloads rely on: appends resume at the stored
offset and refuse any other, a dropped connection keeps what arrived,
commit is atomic and idempotent across crashes, range reads are exact,
names are the server's own, and big uploads never sit whole in memory."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import threading
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sync.server.payload_dir import DirectoryPayloadStore, OffsetMismatch
from sync.server.payload_s3 import MIB, MIN_PART, PIECE_SIZE, S3PayloadStore
from sync.server.payloads import PayloadStore
from tests.s3_helpers import S3Endpoint

UPLOAD = "0123456789abcdef0123456789abcdef"
BUNDLE = "fedcba9876543210fedcba9876543210"
OTHER_UPLOAD = "00000000000000000000000000000001"


def _bytes(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.fixture(params=["directory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PayloadStore:
    if request.param == "directory":
        return DirectoryPayloadStore(tmp_path / "payloads")
    endpoint: S3Endpoint = request.getfixturevalue("s3_endpoint")
    bucket: str = request.getfixturevalue("s3_bucket")
    return S3PayloadStore(endpoint.client(), bucket, prefix="fieldvault")


@pytest.fixture
def s3_store(s3_endpoint: S3Endpoint, s3_bucket: str) -> S3PayloadStore:
    return S3PayloadStore(s3_endpoint.client(), s3_bucket, prefix="fieldvault")


def _staged(store: PayloadStore, upload_id: str = UPLOAD) -> bytes:
    return b"".join(store.read_staged(upload_id))


def _bundle(store: PayloadStore, bundle_key: str = BUNDLE) -> bytes:
    size = store.size(bundle_key)
    assert size is not None
    return b"".join(store.read_range(bundle_key, 0, size))


def test_appends_resume_at_the_stored_offset(store: PayloadStore) -> None:
    data = _bytes(3 * MIB + 123)
    assert store.staged_length(UPLOAD) == 0
    first = 1 * MIB + 7
    assert store.append(UPLOAD, 0, _chunks(data[:first], 64 * 1024)) == first
    assert store.staged_length(UPLOAD) == first
    assert store.append(UPLOAD, first, [data[first:]]) == len(data)
    assert store.staged_length(UPLOAD) == len(data)
    assert _staged(store) == data


def test_an_append_at_any_other_offset_is_refused_and_changes_nothing(store: PayloadStore) -> None:
    data = _bytes(100_000)
    store.append(UPLOAD, 0, [data[:60_000]])
    for wrong in (0, 59_999, 60_001, 100_000):
        with pytest.raises(OffsetMismatch) as refused:
            store.append(UPLOAD, wrong, [b"\xff" * 40_000])
        assert refused.value.stored == 60_000
    with pytest.raises(OffsetMismatch):
        store.append(OTHER_UPLOAD, 5, [b"x"])
    assert store.staged_length(UPLOAD) == 60_000
    assert store.staged_length(OTHER_UPLOAD) == 0
    store.append(UPLOAD, 60_000, [data[60_000:]])
    assert _staged(store) == data


def test_a_dropped_connection_keeps_what_arrived(store: PayloadStore) -> None:
    data = _bytes(PIECE_SIZE + 3 * MIB)
    arrived = PIECE_SIZE + MIB + 5

    def connection() -> Iterator[bytes]:
        yield from _chunks(data[:arrived], 256 * 1024)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.append(UPLOAD, 0, connection())
    assert store.staged_length(UPLOAD) == arrived
    store.append(UPLOAD, arrived, [data[arrived:]])
    assert _staged(store) == data


def test_commit_makes_the_bundle_and_is_idempotent(store: PayloadStore) -> None:
    data = _bytes(2 * MIB + 1)
    store.append(UPLOAD, 0, [data])
    assert store.size(BUNDLE) is None
    store.commit(UPLOAD, BUNDLE)
    assert store.size(BUNDLE) == len(data)
    assert store.staged_length(UPLOAD) == 0
    # The response was lost; the server commits again: nothing changes.
    store.commit(UPLOAD, BUNDLE)
    assert _bundle(store) == data


def test_a_crash_between_storing_the_bundle_and_clearing_the_upload_is_repaired(
    store: PayloadStore,
) -> None:
    # The state such a crash leaves: the bundle committed and the staged
    # bytes still there. The next commit finishes the job.
    data = _bytes(MIB + 17)
    store.append(UPLOAD, 0, [data])
    store.commit(UPLOAD, BUNDLE)
    store.append(UPLOAD, 0, [data])
    store.commit(UPLOAD, BUNDLE)
    assert store.staged_length(UPLOAD) == 0
    assert _bundle(store) == data


def test_commit_without_staged_bytes_or_bundle_is_an_error(store: PayloadStore) -> None:
    with pytest.raises(FileNotFoundError):
        store.commit(UPLOAD, BUNDLE)
    assert store.size(BUNDLE) is None


def test_range_reads_are_exact_at_every_boundary(store: PayloadStore) -> None:
    # Past one S3 part / piece boundary, with an odd tail.
    data = _bytes(PIECE_SIZE + MIB + 3)
    store.append(UPLOAD, 0, _chunks(data, 3 * MIB))
    store.commit(UPLOAD, BUNDLE)
    size = len(data)
    edges = [
        (0, 1),
        (0, size),
        (size - 1, size),
        (1, size - 1),
        (PIECE_SIZE - 1, PIECE_SIZE + 1),
        (PIECE_SIZE, PIECE_SIZE + 1),
        (MIB - 1, 3 * MIB + 1),
        (5, 5),
        (size - 10, size + 1000),  # past the end: what is there
        (size, size + 10),
    ]
    for start, end in edges:
        assert b"".join(store.read_range(BUNDLE, start, end)) == data[start:end], (start, end)


def test_reading_a_bundle_that_is_not_there_is_an_error(store: PayloadStore) -> None:
    assert store.size(BUNDLE) is None
    with pytest.raises(FileNotFoundError):
        b"".join(store.read_range(BUNDLE, 0, 10))
    with pytest.raises(FileNotFoundError):
        b"".join(store.read_staged(UPLOAD))


def test_discard_removes_only_that_upload(store: PayloadStore) -> None:
    store.append(UPLOAD, 0, [b"a" * 1000])
    store.append(OTHER_UPLOAD, 0, [b"b" * 1000])
    store.commit(OTHER_UPLOAD, BUNDLE)
    store.append(OTHER_UPLOAD, 0, [b"c" * 10])
    store.discard(UPLOAD)
    store.discard(UPLOAD)  # again, and for an id never used: no error
    store.discard("ffffffffffffffffffffffffffffffff")
    assert store.staged_length(UPLOAD) == 0
    assert store.staged_length(OTHER_UPLOAD) == 10
    assert _bundle(store) == b"b" * 1000
    store.append(UPLOAD, 0, [b"fresh"])  # the id starts over from 0
    assert _staged(store) == b"fresh"


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b", "", "0123456789ABCDEF0123456789ABCDEF", "x" * 32])
def test_names_not_made_by_the_server_are_refused(store: PayloadStore, name: str) -> None:
    with pytest.raises(ValueError):
        store.append(name, 0, [b"x"])
    with pytest.raises(ValueError):
        store.staged_length(name)
    with pytest.raises(ValueError):
        store.size(name)
    with pytest.raises(ValueError):
        store.commit(UPLOAD, name)


@pytest.mark.slow
def test_a_64_mib_upload_in_1_mib_appends_is_never_held_whole(store: PayloadStore) -> None:
    size, step = 64 * MIB, MIB
    expected = hashlib.sha256()

    def piece(offset: int) -> bytes:
        return random.Random(offset).randbytes(step)

    tracemalloc.start()
    try:
        offset = 0
        while offset < size:
            chunk = piece(offset)
            expected.update(chunk)
            offset = store.append(UPLOAD, offset, _chunks(chunk, 64 * 1024))
        assert store.staged_length(UPLOAD) == size
        store.commit(UPLOAD, BUNDLE)
        got = hashlib.sha256()
        for chunk in store.read_range(BUNDLE, 0, size):
            got.update(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.size(BUNDLE) == size
    assert got.digest() == expected.digest()
    # A few pieces' worth at most, far from the 64 MiB a whole copy takes.
    assert peak < 4 * PIECE_SIZE, peak


# -- S3 only: several stateless processes, crashes inside a commit ---------


def test_s3_two_server_processes_share_an_upload(s3_endpoint: S3Endpoint, s3_bucket: str) -> None:
    # Each store has its own client and no state of its own, as two server
    # processes behind a load balancer would.
    one = S3PayloadStore(s3_endpoint.client(), s3_bucket, prefix="fv")
    two = S3PayloadStore(s3_endpoint.client(), s3_bucket, prefix="fv")
    data = _bytes(3 * MIB)
    one.append(UPLOAD, 0, [data[:MIB]])
    assert two.staged_length(UPLOAD) == MIB
    with pytest.raises(OffsetMismatch):
        two.append(UPLOAD, 0, [data[:MIB]])
    two.append(UPLOAD, MIB, [data[MIB:]])
    errors: list[BaseException] = []

    def commit(store: S3PayloadStore) -> None:
        try:
            store.commit(UPLOAD, BUNDLE)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=commit, args=(s,)) for s in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _bundle(one) == data
    assert two.staged_length(UPLOAD) == 0


def test_s3_large_appends_are_pieces_s3_can_copy_server_side(s3_store: S3PayloadStore) -> None:
    # Appends of 20 MiB become pieces of at least S3's part minimum, so the
    # commit composes them without streaming the bytes through the server.
    data = _bytes(2 * 20 * MIB + 5)
    offset = 0
    for chunk in _chunks(data, 20 * MIB):
        offset = s3_store.append(UPLOAD, offset, [chunk])
    pieces = s3_store._pieces(UPLOAD)
    assert all(size >= MIN_PART for _offset, size, _key in pieces[:-1])
    s3_store.commit(UPLOAD, BUNDLE)
    assert _bundle(s3_store) == data


def test_s3_racing_appends_at_one_offset_still_give_the_clients_bytes(s3_store: S3PayloadStore) -> None:
    # A client's retry at offset 0 while its first PATCH (slower, on another
    # process) was still arriving: both pieces start at 0 with the same
    # bytes, one longer. The staged bytes read once, in order.
    data = _bytes(3 * MIB)
    s3_store._put_piece(UPLOAD, 0, data[: 2 * MIB])
    s3_store._put_piece(UPLOAD, MIB, data[MIB : 3 * MIB])
    s3_store._put_piece(UPLOAD, 0, data[:MIB])
    assert s3_store.staged_length(UPLOAD) == 3 * MIB
    assert _staged(s3_store) == data
    s3_store.commit(UPLOAD, BUNDLE)
    assert _bundle(s3_store) == data


def test_s3_a_commit_that_died_midway_is_redone_and_its_leftovers_aborted(
    s3_store: S3PayloadStore,
) -> None:
    data = _bytes(2 * MIB)
    s3_store.append(UPLOAD, 0, [data])
    # What a process killed mid-commit leaves: a multipart upload into the
    # bundle's key with a part of wrong bytes, never completed.
    target = s3_store._bundle_key(BUNDLE)
    client, bucket = s3_store.client, s3_store.bucket
    dead = client.create_multipart_upload(Bucket=bucket, Key=target)["UploadId"]
    client.upload_part(Bucket=bucket, Key=target, UploadId=dead, PartNumber=1, Body=b"garbage")
    assert s3_store.size(BUNDLE) is None
    s3_store.commit(UPLOAD, BUNDLE)
    assert _bundle(s3_store) == data
    assert s3_store.abort_stale_commits(timedelta(0)) == 1
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_s3_a_committed_bundle_is_never_replaced(s3_store: S3PayloadStore) -> None:
    s3_store.append(OTHER_UPLOAD, 0, [b"first" * 1000])
    s3_store.commit(OTHER_UPLOAD, BUNDLE)
    s3_store.append(UPLOAD, 0, [b"other bytes"])
    with pytest.raises(Exception, match=BUNDLE):
        s3_store.commit(UPLOAD, BUNDLE)
    assert _bundle(s3_store) == b"first" * 1000


def test_s3_keys_hold_only_the_servers_names(s3_store: S3PayloadStore) -> None:
    s3_store.append(UPLOAD, 0, [_bytes(PIECE_SIZE + MIN_PART + 10)])
    s3_store.append(OTHER_UPLOAD, 0, [b"x" * 10])
    s3_store.commit(OTHER_UPLOAD, BUNDLE)
    keys = [
        item["Key"] for item in s3_store.client.list_objects_v2(Bucket=s3_store.bucket).get("Contents", [])
    ]
    assert sorted(keys) == [
        f"fieldvault/bundles/{BUNDLE}",
        f"fieldvault/staged/{UPLOAD}/{0:016x}",
        f"fieldvault/staged/{UPLOAD}/{PIECE_SIZE:016x}",
    ]


# -- S3: a server process killed (SIGKILL) at each step of an upload -------


def _upload_in_child(endpoint: S3Endpoint, bucket: str, data: bytes, step: int, kill_at: int) -> int:
    """In a forked child (a server process), upload data as the server does
    and commit it; the child SIGKILLs itself as its kill_at-th request to
    S3 is about to be sent (-1: never). Returns how many requests it made."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            client = endpoint.client()
            calls = 0

            def count(**_kwargs: object) -> None:
                nonlocal calls
                if calls == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
                calls += 1

            client.meta.events.register("before-call.s3", count)
            store = S3PayloadStore(client, bucket, prefix="fv")
            # The server's start-up recovery: a bundle already there is only
            # committed again (clears the pieces); else the client resumes.
            if store.size(BUNDLE) is None:
                offset = store.staged_length(UPLOAD)
                while offset < len(data):
                    offset = store.append(UPLOAD, offset, [data[offset : offset + step]])
            store.commit(UPLOAD, BUNDLE)
            os.write(write_end, str(calls).encode())
            os._exit(0)
        except BaseException:  # noqa: BLE001 - a child reports failure by its exit code only
            os._exit(1)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reported = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    if kill_at < 0:
        assert os.waitstatus_to_exitcode(status) == 0
        return int(reported)
    assert os.waitstatus_to_exitcode(status) in (0, -signal.SIGKILL)
    return -1


def _kill_sweep(endpoint: S3Endpoint, size: int, step: int, *, every_request: bool) -> None:
    data = random.Random(size).randbytes(size)
    requests = _upload_in_child(endpoint, endpoint.create_bucket(), data, step, -1)
    assert requests > 8
    # Every request (make stress), or eight spread over the upload, the
    # last two being the commit's completion check and its clean-up.
    spread = {requests * i // 7 for i in range(7)} | {requests - 2, requests - 1}
    for kill_at in range(requests) if every_request else sorted(spread):
        bucket = endpoint.create_bucket()
        store = S3PayloadStore(endpoint.client(), bucket, prefix="fv")
        _upload_in_child(endpoint, bucket, data, step, kill_at)
        # Right after the kill: the bundle is whole or absent, never half.
        assert store.size(BUNDLE) in (None, size), kill_at
        _upload_in_child(endpoint, bucket, data, step, -1)
        assert _bundle(store) == data, kill_at
        assert store.staged_length(UPLOAD) == 0, kill_at
        store.abort_stale_commits(timedelta(0))
        assert store.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


KILL_CASES = pytest.mark.parametrize(
    ("size", "step"),
    [(12 * MIB + 5, 6 * MIB), (3 * MIB + 5, MIB)],
    ids=["server-side-copy", "streamed"],
)


@pytest.mark.slow
@KILL_CASES
def test_s3_a_process_killed_at_any_request_leaves_a_whole_bundle_or_none(
    s3_endpoint: S3Endpoint, size: int, step: int
) -> None:
    _kill_sweep(s3_endpoint, size, step, every_request=False)


@pytest.mark.stress
@KILL_CASES
def test_s3_a_process_killed_at_every_request_stress(s3_endpoint: S3Endpoint, size: int, step: int) -> None:
    _kill_sweep(s3_endpoint, size, step, every_request=True)
