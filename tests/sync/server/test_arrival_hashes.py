"""The last byte of an upload checks a bundle hashed while its bytes arrived
(docs/server.md, "Upload speed"; sync/server/arrival_hashes.py): only the
signed prefix is read back, and the checks and the receipt's file hash are
exactly those of reading the whole staged file, through chunks refused for
a wrong checksum, chunks cut off mid-way, uploads without checksums, and a
server restarted mid-upload (which reads the whole file back instead).
Real Service, metadata database and payload directory; the store only
counts what is read back."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync.bundle.format import MAGIC, PREFIX_SIZE
from sync.server.deploy import database_url, init_server
from sync.server.errors import ServerRefused
from sync.server.keys import ServerFiles, load_receipt_key
from sync.server.payload_dir import DirectoryPayloadStore
from sync.server.service import Caller, Limits, Service
from sync.server.storage import Metadata, UploadRow, now_ms, open_engine
from tests.sync.bundle_samples import ORG_ID, device_from_seed, write_sample
from tests.sync.server.server_helpers import Org, make_org

KiB = 1024
MiB = 1024 * KiB
READ_PIECE = MiB  # DirectoryPayloadStore.read_staged's piece


class CountingStore(DirectoryPayloadStore):
    """The payload directory, counting the staged bytes read back."""

    read_back = 0

    def read_staged(self, upload_id: str) -> Iterator[bytes]:
        for chunk in super().read_staged(upload_id):
            self.read_back += len(chunk)
            yield chunk


@dataclass
class Server:
    service: Service
    store: CountingStore
    caller: Caller


def start(data: Path) -> Server:
    """A server process's Service over ``data`` (a restart: nothing held)."""
    metadata = Metadata(open_engine(database_url(data, None)))
    store = CountingStore(data / "payloads")
    service = Service(metadata, store, load_receipt_key(ServerFiles(data)), Limits())
    return Server(service, store, Caller(device_from_seed(b"sample device").device_id, "device"))


@pytest.fixture
def org() -> Org:
    return make_org(org_id=ORG_ID)


@pytest.fixture
def data(tmp_path: Path, org: Org) -> Path:
    data = tmp_path / "server"
    init_server(data, org.profile.fingerprint, profile=org.signed.signed)
    device = device_from_seed(b"sample device")
    metadata = Metadata(open_engine(database_url(data, None)))
    metadata.enrol(device.device_id, device.public_key, "token-1", now_ms() + 60_000)
    return data


def big_bundle(tmp_path: Path, org: Org, name: str = "big") -> bytes:
    """A real bundle of ~3 MiB (incompressible evidence)."""
    path = tmp_path / f"{name}.fvbundle"
    write_sample(path, org.recipients, blobs=[os.urandom(3 * MiB), b"note" * 100])
    return path.read_bytes()


def pieces(data: bytes, size: int = 256 * KiB) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def row_of(server: Server, upload_id: str) -> UploadRow:
    return server.service.own_upload(server.caller, upload_id)


def send(server: Server, upload_id: str, data: bytes, start: int, end: int) -> int:
    """Bytes start..end as one checked chunk."""
    return server.service.append_checked(
        row_of(server, upload_id), start, pieces(data[start:end]), digest(data[start:end])
    )


def receipt_entry(server: Server, upload_id: str) -> dict[str, object]:
    bundle = server.service.finish(row_of(server, upload_id))
    entry: dict[str, object] = json.loads(server.service.receipt_of(bundle).entry)
    return entry


def refusal(server: Server, upload_id: str) -> str:
    with pytest.raises(ServerRefused) as refused:
        server.service.finish(row_of(server, upload_id))
    return refused.value.code


def test_the_last_byte_reads_back_only_the_signed_prefix_through_refused_and_cut_chunks(
    tmp_path: Path, org: Org, data: Path
) -> None:
    bundle = big_bundle(tmp_path, org)
    server = start(data)
    upload_id = server.service.create_upload(server.caller, len(bundle))
    third = len(bundle) // 3
    assert send(server, upload_id, bundle, 0, third) == third
    # A chunk whose bytes do not match its checksum: 460, none of it kept.
    wrong = bytearray(bundle[third : 2 * third])
    wrong[100] ^= 1
    with pytest.raises(ServerRefused) as refused:
        server.service.append_checked(
            row_of(server, upload_id), third, pieces(bytes(wrong)), digest(bundle[third : 2 * third])
        )
    assert refused.value.code == "checksum-mismatch"

    # A chunk whose connection drops after some of its (wrong) bytes.
    def cut() -> Iterator[bytes]:
        yield bytes(wrong[: 300 * KiB])
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        server.service.append_checked(row_of(server, upload_id), third, cut(), digest(b"anything"))
    # The rest without checksums (tus core), in two requests.
    middle = 2 * third
    assert send(server, upload_id, bundle, third, middle) == middle
    row = row_of(server, upload_id)
    assert server.service.append(row, middle, pieces(bundle[middle : middle + 5000])) == middle + 5000
    assert server.service.append(row, middle + 5000, pieces(bundle[middle + 5000 :])) == len(bundle)

    entry = receipt_entry(server, upload_id)

    assert entry["file_sha256"] == hashlib.sha256(bundle).hexdigest()
    assert entry["size"] == len(bundle)
    assert server.store.read_back <= READ_PIECE < len(bundle) // 3, "only the prefix is read back"
    committed = list((data / "payloads" / "bundles").iterdir())
    assert [p.read_bytes() == bundle for p in committed] == [True]
    deadline = time.monotonic() + 10
    while hashing_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert hashing_threads() == [], "each chunk's hashing thread ends by itself"


def hashing_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "arrival-sha256"]


def test_a_server_restarted_mid_upload_reads_the_whole_file_back_and_gets_the_same_receipt(
    tmp_path: Path, org: Org, data: Path
) -> None:
    bundle = big_bundle(tmp_path, org)
    first = start(data)
    upload_id = first.service.create_upload(first.caller, len(bundle))
    send(first, upload_id, bundle, 0, len(bundle) // 2)
    again = start(data)  # the same data after a restart: no hashes held

    send(again, upload_id, bundle, len(bundle) // 2, len(bundle))
    entry = receipt_entry(again, upload_id)

    assert entry["file_sha256"] == hashlib.sha256(bundle).hexdigest()
    assert again.store.read_back == len(bundle)


def _flip_payload_byte(bundle: bytes) -> bytes:
    flipped = bytearray(bundle)
    flipped[-5] ^= 1
    return bytes(flipped)


def _drop_last_byte(bundle: bytes) -> bytes:
    return bundle[:-1]


def _add_a_byte(bundle: bytes) -> bytes:
    return bundle + b"\x00"


@pytest.mark.parametrize("restarted", [False, True], ids=["hashed-on-arrival", "read-back"])
@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (_flip_payload_byte, "bundle-payload-hash"),
        (_drop_last_byte, "bundle-truncated"),
        (_add_a_byte, "bundle-trailing-data"),
        (None, "bundle-organisation"),
        (lambda b: b[:30], "bundle-truncated"),
        (lambda b: b"not a bundle" * 100, "bundle-magic"),
    ],
    ids=["payload-byte", "truncated", "trailing", "other-org", "prefix-only", "junk"],
)
def test_spoilt_bundles_are_refused_alike_whether_hashed_on_arrival_or_read_back(
    tmp_path: Path, org: Org, data: Path, spoil: object, code: str, restarted: bool
) -> None:
    if spoil is None:
        other = tmp_path / "other.fvbundle"
        write_sample(other, org.recipients, org_id="01936f3e-8a00-7000-8000-0000000000ff")
        sent = other.read_bytes()
    else:
        sent = spoil(big_bundle(tmp_path, org))  # type: ignore[operator]
    server = start(data)
    upload_id = server.service.create_upload(server.caller, len(sent))
    half = len(sent) // 2
    send(server, upload_id, sent, 0, half)
    if restarted:
        server = start(data)
    send(server, upload_id, sent, half, len(sent))

    assert refusal(server, upload_id) == code
    assert list((data / "payloads" / "staged").iterdir()) == []
    assert list((data / "payloads" / "bundles").iterdir()) == []


def test_a_payload_start_beyond_the_header_limit_falls_back_and_is_refused(
    tmp_path: Path, org: Org, data: Path
) -> None:
    """A header length the server would never accept: the arrival hashes
    take the payload to start far away; the check refuses the header."""
    bundle = big_bundle(tmp_path, org)
    forged = bundle[: len(MAGIC)] + (2**31).to_bytes(4, "big") + bundle[PREFIX_SIZE:]
    server = start(data)
    upload_id = server.service.create_upload(server.caller, len(forged))
    send(server, upload_id, forged, 0, len(forged))

    assert refusal(server, upload_id) == "bundle-header-size"


def test_the_receipt_names_what_was_stored_with_one_piece_chunks(
    org: Org, tmp_path: Path, data: Path
) -> None:
    """Chunks of a single piece each, one helper thread per chunk, each
    continuing the hashes of the one before."""
    bundle = big_bundle(tmp_path, org)
    server = start(data)
    upload_id = server.service.create_upload(server.caller, len(bundle))
    offset = 0
    for piece in pieces(bundle, 700 * KiB):
        offset = server.service.append_checked(row_of(server, upload_id), offset, [piece], digest(piece))

    entry = receipt_entry(server, upload_id)

    assert entry["file_sha256"] == hashlib.sha256(bundle).hexdigest()
    assert server.store.read_back <= READ_PIECE


class RacingStore(CountingStore):
    """A store that does not promise exclusive appends (as S3's, where two
    puts at one offset race and the last one wins)."""

    exclusive_appends = False


def test_a_store_whose_appends_may_race_has_every_byte_read_back(
    tmp_path: Path, org: Org, data: Path
) -> None:
    bundle = big_bundle(tmp_path, org)
    metadata = Metadata(open_engine(database_url(data, None)))
    store = RacingStore(data / "payloads")
    server = Server(
        Service(metadata, store, load_receipt_key(ServerFiles(data)), Limits()),
        store,
        Caller(device_from_seed(b"sample device").device_id, "device"),
    )
    upload_id = server.service.create_upload(server.caller, len(bundle))
    send(server, upload_id, bundle, 0, len(bundle))

    entry = receipt_entry(server, upload_id)

    assert entry["file_sha256"] == hashlib.sha256(bundle).hexdigest()
    assert store.read_back == len(bundle)


def test_no_thread_to_be_had_costs_the_read_back_not_the_upload(
    tmp_path: Path, org: Org, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server out of threads (RuntimeError from Thread.start) still takes
    every chunk and checks the bundle, reading its bytes back at the end."""
    bundle = big_bundle(tmp_path, org)
    server = start(data)
    upload_id = server.service.create_upload(server.caller, len(bundle))
    send(server, upload_id, bundle, 0, len(bundle) // 2)
    real_start = threading.Thread.start

    def refuse_hashing_threads(thread: threading.Thread) -> None:
        if thread.name == "arrival-sha256":
            raise RuntimeError("can't start new thread")
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", refuse_hashing_threads)
    send(server, upload_id, bundle, len(bundle) // 2, len(bundle))
    entry = receipt_entry(server, upload_id)

    assert entry["file_sha256"] == hashlib.sha256(bundle).hexdigest()
    assert server.store.read_back == len(bundle)
