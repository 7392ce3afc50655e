"""tus 1.0 at /v1/uploads, against the reference Python client (tuspy) as
well as ours: an upload cut mid-body resumes at the last stored offset; a
chunk with a wrong sha256 checksum is refused and not stored; a retry never
stores a bundle twice; another bundle with the same device and sequence is
a conflict; bundles that fail the outer checks are refused; termination and
the expiry of partial uploads remove staged bytes. Real TLS server."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tusclient import client as tus_client
from tusclient.uploader.uploader import Uploader

from sync.client.transport import ServerClient, ServerSaid
from sync.server import service, storage
from sync.server.protocol import TUS_VERSION
from sync.server.service import Limits
from tests import thread_stalls
from tests.sync.bundle_samples import ORG_ID, device_from_seed, write_sample
from tests.sync.server.server_helpers import Org, RunningServer, make_org, running_server

SEED = b"sample device"


class Sha256Uploader(Uploader):
    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def org() -> Org:
    return make_org(org_id=ORG_ID)


@pytest.fixture
def server(tmp_path: Path, org: Org) -> Iterator[RunningServer]:
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as running:
        yield running


def worker(server: RunningServer, org: Org, seed: bytes = SEED) -> ServerClient:
    device = device_from_seed(seed)
    client = server.client()
    client.enrol(org.token(), device.private_key)
    client.login(device.private_key, device.device_id)
    return client


def bundle(tmp_path: Path, org: Org, name: str = "b1", **kwargs: object) -> Path:
    path = tmp_path / f"{name}.fvbundle"
    write_sample(path, org.recipients, **kwargs)
    return path


def committed_files(server: RunningServer) -> list[Path]:
    return sorted((server.data / "payloads" / "bundles").iterdir())


def staged_files(server: RunningServer) -> list[Path]:
    return sorted((server.data / "payloads" / "staged").iterdir())


def tuspy_client(
    server: RunningServer, client: ServerClient, monkeypatch: pytest.MonkeyPatch
) -> tus_client.TusClient:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.data / "tls-cert.pem"))  # requests trusts exactly it
    return tus_client.TusClient(
        f"{server.url}/v1/uploads", headers={"Authorization": f"Bearer {client._token}"}
    )


@contextmanager
def open_patch(
    server: RunningServer,
    client: ServerClient,
    location: str,
    data: bytes,
    sent: int,
    *,
    checked: bool = False,
) -> Iterator[None]:
    """A PATCH announcing all of ``data`` (with its Upload-Checksum when
    ``checked``) that has sent ``sent`` bytes; its connection drops when the
    block ends."""
    context = ssl.create_default_context(cafile=str(server.data / "tls-cert.pem"))
    port = int(server.url.rsplit(":", 1)[1])
    checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
    with (
        socket.create_connection(("127.0.0.1", port)) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        head = (
            f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: {TUS_VERSION}\r\n"
            f"Authorization: Bearer {client._token}\r\nUpload-Offset: 0\r\n"
            + (f"Upload-Checksum: sha256 {checksum}\r\n" if checked else "")
            + f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        tls.sendall(head.encode() + data[:sent])
        yield


def cut_patch(
    server: RunningServer,
    client: ServerClient,
    location: str,
    data: bytes,
    sent: int,
    *,
    checked: bool = False,
) -> None:
    """A PATCH announcing all of ``data`` whose connection drops after ``sent`` bytes."""
    with open_patch(server, client, location, data, sent, checked=checked):
        time.sleep(0.2)


def patches_answered(server: RunningServer) -> int:
    """How many PATCHes the server has finished with: its request log line
    is written once the handler has returned (app.py RequestLog), so after
    a cut PATCH's last bytes are stored."""
    *whole, _unfinished = server.log.read_text(encoding="utf-8").split("\n")  # a line being written
    return sum(1 for line in whole if _is_patch_answered(json.loads(line)))


def _is_patch_answered(entry: dict[str, object]) -> bool:
    return entry.get("event") == "request" and entry.get("method") == "PATCH"


def offset_after_cut(server: RunningServer, client: ServerClient, location: str, answered_before: int) -> int:
    """The offset the server keeps once it has finished with a cut request.
    It stores a cut request's bytes in pieces as they arrive, so an offset
    read while it still works may grow (CI once read 1,130,237, then the
    server stored all 1,203,802). Two equal answers 0.3 s apart need not
    mean it has finished on a loaded machine (its event loop may not have
    read the rest yet); its log line of the PATCH does."""
    deadline = time.monotonic() + 60
    while patches_answered(server) == answered_before:
        assert time.monotonic() < deadline, "the server never finished with the cut PATCH"
        time.sleep(0.05)
    return client.offset(location)


def first_pieces_written(server: RunningServer) -> None:
    """Wait until the server writes a checked chunk: a staged file with
    bytes in it, which its writer holds locked until the chunk's fate. A
    fixed sleep was not enough on a loaded machine, where the server may
    not have begun the chunk yet and a HEAD is rightly answered at once."""
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size for p in staged_files(server)):
        assert time.monotonic() < deadline, "the server wrote none of the checked chunk"
        time.sleep(0.05)


def test_tuspy_uploads_with_sha256_checksums_and_gets_the_bundle_stored(
    tmp_path: Path, server: RunningServer, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = worker(server, org)
    path = bundle(tmp_path, org)
    uploader = Sha256Uploader(
        file_path=str(path),
        client=tuspy_client(server, client, monkeypatch),
        chunk_size=4096,
        upload_checksum=True,
        metadata={"filename": "witness-name.fvbundle"},
    )
    uploader.upload()
    assert uploader.url is not None  # set by the creation request
    location = uploader.url.removeprefix(server.url)
    head = client.request("HEAD", location, headers={"Tus-Resumable": TUS_VERSION}).headers
    assert head["Upload-Offset"] == str(path.stat().st_size)
    receipt = client.receipt(head["Fieldvault-Bundle-Id"])
    assert client.check_receipt(receipt)["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [p.read_bytes() for p in committed_files(server)] == [path.read_bytes()]
    assert staged_files(server) == []
    assert b"witness-name" not in (server.data / "server.db").read_bytes()  # Upload-Metadata is not kept


def test_an_upload_cut_mid_body_resumes_at_the_stored_offset_with_tuspy(
    tmp_path: Path, server: RunningServer, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = worker(server, org)
    path = bundle(tmp_path, org, blobs=[b"x" * 3_000_000])
    data = path.read_bytes()
    location = client.create_upload(len(data))
    answered_before = patches_answered(server)  # none yet, as the test stands; counted, not assumed
    cut_patch(server, client, location, data, sent=len(data) * 2 // 5)
    stored = offset_after_cut(server, client, location, answered_before)
    assert 0 < stored <= len(data) * 2 // 5
    uploader = Sha256Uploader(
        file_path=str(path),
        client=tuspy_client(server, client, monkeypatch),
        url=f"{server.url}{location}",
        chunk_size=1_000_000,
        upload_checksum=True,
    )
    assert uploader.offset == stored  # tuspy asked the server where to resume
    uploader.upload()
    assert [p.read_bytes() for p in committed_files(server)] == [data]


def test_a_wrong_checksum_or_offset_stores_nothing(tmp_path: Path, server: RunningServer, org: Org) -> None:
    client = worker(server, org)
    data = bundle(tmp_path, org).read_bytes()
    location = client.create_upload(len(data))
    headers = {
        "Tus-Resumable": TUS_VERSION,
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": "0",
    }
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    with pytest.raises(ServerSaid) as said:
        client.request(
            "PATCH", location, content=data[:100], headers=headers | {"Upload-Checksum": f"sha256 {wrong}"}
        )
    assert (said.value.status, said.value.code) == (460, "checksum-mismatch")
    assert client.offset(location) == 0
    with pytest.raises(ServerSaid) as said:
        client.request(
            "PATCH", location, content=data[:100], headers=headers | {"Upload-Checksum": "md5 AAAA"}
        )
    assert said.value.code == "checksum-algorithm"
    client.request("PATCH", location, content=data[:100], headers=headers)
    with pytest.raises(ServerSaid) as said:
        client.request("PATCH", location, content=data[:100], headers=headers)  # offset 0 again
    assert (said.value.status, said.value.code) == (409, "upload-offset")
    assert client.offset(location) == 100


def test_a_checked_chunk_written_while_it_arrives_is_kept_whole_or_not_at_all(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    """The server writes a checked chunk as it arrives (for speed): a wrong
    hash found at its end, or a connection dropped in its middle, must
    still leave none of it stored, and nobody may be told an offset that
    counts its unchecked bytes."""
    client = worker(server, org)
    data = bundle(tmp_path, org, blobs=[b"y" * 3_000_000]).read_bytes()  # several 1 MiB pieces
    location = client.create_upload(len(data))
    headers = {
        "Tus-Resumable": TUS_VERSION,
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": "0",
    }
    wrong = base64.b64encode(hashlib.sha256(data[:-1]).digest()).decode()
    with pytest.raises(ServerSaid) as said:
        client.request(
            "PATCH", location, content=data, headers=headers | {"Upload-Checksum": f"sha256 {wrong}"}
        )
    assert (said.value.status, said.value.code) == (460, "checksum-mismatch")
    assert client.offset(location) == 0
    assert [p.stat().st_size for p in staged_files(server)] in ([], [0])

    answers: list[int] = []
    with open_patch(server, client, location, data, sent=len(data) * 3 // 4, checked=True):
        first_pieces_written(server)
        asking = threading.Thread(target=lambda: answers.append(client.offset(location)))
        asking.start()
        asking.join(0.5)
        assert asking.is_alive() and not answers  # HEAD waits for the chunk's fate
    asking.join(10)
    assert answers == [0]  # the dropped chunk left nothing
    client.upload(tmp_path / "b1.fvbundle", location=location)
    assert [p.read_bytes() for p in committed_files(server)] == [data]


def test_silent_uploads_neither_hold_the_server_nor_keep_their_bytes(tmp_path: Path, org: Org) -> None:
    """A client that opens checked PATCHes and then sends nothing (a dead
    link, or a stolen laptop trying to tie the server up) holds no server
    thread: the server keeps answering, a second PATCH of the same device is
    refused at once, and a silent one is given up (408) with nothing kept."""
    limits = Limits(body_idle_s=2.0)
    with running_server(
        tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed, limits=limits
    ) as server:
        client = worker(server, org)
        data = bundle(tmp_path, org, blobs=[b"z" * 3_000_000]).read_bytes()
        locations = [client.create_upload(len(data)) for _ in range(45)]
        with contextlib.ExitStack() as stalled:
            for location in locations:
                stalled.enter_context(
                    open_patch(server, client, location, data, sent=2 * 1024 * 1024, checked=True)
                )
            # Held up, not wall clock: at load 12 that is mostly other processes'
            # turn (the server is a thread of this process: tests/thread_stalls.py).
            with thread_stalls.HeldUp() as asking, server.client() as probe:
                assert probe.request("GET", "/healthz").json() == {"ok": True}
            assert asking.stall.held_up < 2.0, asking.stall
            time.sleep(limits.body_idle_s + 1.5)  # each silent PATCH is given up
            assert all(client.offset(location) == 0 for location in locations)
        client.upload(tmp_path / "b1.fvbundle", location=locations[0])
        assert [p.read_bytes() for p in committed_files(server)] == [data]


def test_a_retry_never_stores_twice_and_other_content_is_a_conflict(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    client = worker(server, org)
    path = bundle(tmp_path, org)
    first = client.upload(path)
    again = client.upload(path)  # a new upload of the same bundle: the answer was lost
    assert again.receipt == first.receipt
    assert len(committed_files(server)) == 1 and staged_files(server) == []
    other = bundle(tmp_path, org, "other", blobs=[b"different evidence"])
    with pytest.raises(ServerSaid) as said:
        client.upload(other)
    assert (said.value.status, said.value.code) == (409, "bundle-conflict")
    second = client.upload(bundle(tmp_path, org, "b2", sequence=2, previous=first.bundle_id))
    assert second.receipt.index == 2 and second.body["previous"] == first.receipt.sha256
    assert len(committed_files(server)) == 2 and staged_files(server) == []


def test_bundles_failing_the_outer_checks_are_refused(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    client = worker(server, org)
    flipped = bundle(tmp_path, org)
    data = bytearray(flipped.read_bytes())
    data[-5] ^= 1
    flipped.write_bytes(bytes(data))
    someone_else = bundle(tmp_path, org, "else", seed=b"another device")
    other_org = tmp_path / "other-org.fvbundle"
    write_sample(other_org, org.recipients, org_id="01936f3e-8a00-7000-8000-0000000000ff")
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a bundle" * 100)
    cases = [
        (flipped, "bundle-payload-hash"),
        (someone_else, "bundle-other-device"),
        (other_org, "bundle-organisation"),
        (junk, "bundle-magic"),
    ]
    for path, code in cases:
        with pytest.raises(ServerSaid) as said:
            client.upload(path)
        assert said.value.code == code, path
    assert committed_files(server) == [] and staged_files(server) == []


def test_termination_and_expiry_remove_partial_uploads(tmp_path: Path, org: Org) -> None:
    with running_server(
        tmp_path / "server",
        org.profile.fingerprint,
        profile=org.signed.signed,
        limits=Limits(upload_ttl_ms=300),
    ) as server:
        client = worker(server, org)
        headers = {
            "Tus-Resumable": TUS_VERSION,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
        }
        ended = client.create_upload(1000)
        client.request("PATCH", ended, content=b"x" * 10, headers=headers)
        client.request("DELETE", ended, headers={"Tus-Resumable": TUS_VERSION})
        with pytest.raises(ServerSaid) as said:
            client.offset(ended)
        assert said.value.status == 404
        stale = client.create_upload(1000)
        client.request("PATCH", stale, content=b"x" * 10, headers=headers)
        assert len(staged_files(server)) == 1
        time.sleep(0.4)
        client.create_upload(1000)  # creating an upload sweeps expired ones
        assert staged_files(server) == []
        with pytest.raises(ServerSaid):
            client.offset(stale)


class ServerClock:
    """The clock the server reads its uploads' expiry by (service.now_ms),
    moved on by the test instead of slept through. With a 300 ms expiry, a
    loaded machine took 207-259 ms (4 busy loops) and over 300 ms (6) from
    creating an upload to creating the next one, whose sweep then forgot
    the first before the test asked it (404). A session's end is still
    checked by the real clock (storage.now_ms)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ahead_ms = 0
        monkeypatch.setattr(service, "now_ms", self.now_ms)

    def now_ms(self) -> int:
        return storage.now_ms() + self.ahead_ms

    def advance(self, ms: int) -> None:
        self.ahead_ms += ms


def test_finished_uploads_are_forgotten_after_expiry_and_their_bundle_stays(
    tmp_path: Path, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of finished uploads (and of repeat sends of a stored bundle)
    do not grow for ever: past the upload's expiry only the row goes, and a
    device that resumes that late hears 404, sends again and gets the bundle
    stored before."""
    clock = ServerClock(monkeypatch)
    ttl_ms = 60_000  # never reached by the real clock while the test runs
    with running_server(
        tmp_path / "server",
        org.profile.fingerprint,
        profile=org.signed.signed,
        limits=Limits(upload_ttl_ms=ttl_ms),
    ) as server:
        client = worker(server, org)
        path = bundle(tmp_path, org)
        first = client.create_upload(path.stat().st_size)
        stored = client.upload(path, location=first)
        again = client.create_upload(path.stat().st_size)
        assert client.upload(path, location=again).bundle_id == stored.bundle_id
        assert client.offset(first) == path.stat().st_size  # answered until the expiry
        committed = committed_files(server)
        assert len(committed) == 1
        clock.advance(ttl_ms + 1000)
        client.create_upload(1000)  # creating an upload sweeps expired ones
        for location in (first, again):
            with pytest.raises(ServerSaid) as said:
                client.offset(location)
            assert said.value.status == 404
        assert committed_files(server) == committed
        assert client.upload(path).bundle_id == stored.bundle_id
        assert committed_files(server) == committed and staged_files(server) == []
