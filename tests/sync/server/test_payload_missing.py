"""A bundle whose stored copy is gone or unreadable on the server's disk is
refused for itself alone: ``410 bundle-payload-missing`` naming its id,
never a path (issue 14; docs/server.md, "Downloads"). Before, the download
answered 200 and the stream broke at once, which the client could only
take for a dropped link: its pull stopped, every other device's bundles
behind it. The store itself gone (its folder, as on a disk not mounted) is
still the server's fault: a 500, which stops the client's run instead of
marking every bundle stuck.

A real server on loopback with TLS, a coordinator's and two workers' real
vaults; the files are the ones the test's pushes made."""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.api import Vault
from sync.client.push import push
from sync.client.transport import ServerClient, ServerSaid
from sync.server.payload_dir import DirectoryPayloadStore
from sync.server.payload_s3 import S3PayloadStore
from sync.server.payloads import PayloadMissing, PayloadStore
from tests.s3_helpers import S3Endpoint
from tests.sync.client.sync_helpers import Org, organisation, quick_backoff, record_work


@dataclass
class Stored:
    org: Org
    lost: str  # the first worker's bundle id
    kept: str  # the second worker's bundle id
    lost_file: Path  # the first one's committed file in the server's store

    def coordinator(self) -> ServerClient:
        client = self.org.server.client()
        client.login(self.org.coordinator.sync.signing_key(), self.org.coordinator.device_id)
        return client


def _committed(org: Org) -> set[Path]:
    return set((org.data / "payloads" / "bundles").iterdir())


def _push(worker: Vault, org: Org) -> tuple[str, Path]:
    before = _committed(org)
    pushed = push(worker, backoff=quick_backoff())
    ((bundle_id,), (path,)) = (pushed.sent, _committed(org) - before)
    return bundle_id, path


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[Stored]:
    with organisation(tmp_path) as org:
        first, second = org.worker("first"), org.worker("second")
        record_work(first, tmp_path, "first", size=4_000)
        record_work(second, tmp_path, "second", size=4_000)
        lost, lost_file = _push(first, org)
        kept, _ = _push(second, org)
        yield Stored(org, lost, kept, lost_file)


def _refusal(client: ServerClient, bundle_id: str, start: int = 0) -> ServerSaid:
    with pytest.raises(ServerSaid) as refused:
        client.download(bundle_id, io.BytesIO(), start=start)
    return refused.value


def _downloads(client: ServerClient, bundle_id: str) -> int:
    out = io.BytesIO()
    client.download(bundle_id, out)
    return len(out.getvalue())


def test_a_deleted_payload_file_is_refused_as_missing_naming_the_bundle_only(stored: Stored) -> None:
    stored.lost_file.unlink()
    with stored.coordinator() as client:
        said = _refusal(client, stored.lost)
        assert (said.status, said.code) == (410, "bundle-payload-missing")
        assert stored.lost in said.message
        assert stored.lost_file.name not in said.message and "/" not in said.message  # no path
        assert _downloads(client, stored.kept) > 0  # the other bundles are still served
    log = stored.org.tmp.joinpath("server.log").read_text()
    assert '"event":"bundle-payload-missing"' in log and stored.lost in log
    assert stored.lost_file.name not in log and str(stored.org.data) not in log


def test_an_unreadable_payload_is_refused_as_missing(stored: Stored) -> None:
    """Its name taken by something that is not a readable file (here a
    folder: the tests run as root, whom file modes do not stop)."""
    intact = stored.lost_file.read_bytes()
    stored.lost_file.unlink()
    stored.lost_file.mkdir()
    with stored.coordinator() as client:
        assert _refusal(client, stored.lost).code == "bundle-payload-missing"
        stored.lost_file.rmdir()
        stored.lost_file.write_bytes(intact)  # put back: served again, whole
        assert _downloads(client, stored.lost) == len(intact)


def test_a_truncated_payload_is_refused_as_missing(stored: Stored) -> None:
    """A copy cut short. Before, its answer started and broke off where the
    bytes ended (or waited, the client's whole read timeout, 120 s, for
    bytes promised by its Content-Length), at every try: the client took
    it for a bad link and stopped its pull. Now refused, whatever the
    range, before any byte is sent."""
    intact = stored.lost_file.read_bytes()
    stored.lost_file.write_bytes(intact[:1000])
    with stored.coordinator() as client:
        started = time.monotonic()
        for start in (0, 500, 1000):
            said = _refusal(client, stored.lost, start=start)
            assert (said.status, said.code) == (410, "bundle-payload-missing")
        assert time.monotonic() - started < 20


def test_the_store_gone_is_the_servers_fault_not_each_bundles(stored: Stored) -> None:
    """The bundles folder gone (a disk not mounted): 500, so a client stops
    instead of recording every bundle as lost."""
    bundles = stored.org.data / "payloads" / "bundles"
    shutil.move(bundles, stored.org.data / "payloads" / "away")
    try:
        with stored.coordinator() as client:
            for bundle_id in (stored.lost, stored.kept):
                said = _refusal(client, bundle_id)
                assert (said.status, said.code) == (500, "internal-error")
    finally:
        shutil.move(stored.org.data / "payloads" / "away", bundles)


@pytest.fixture(params=["directory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PayloadStore:
    if request.param == "directory":
        return DirectoryPayloadStore(tmp_path / "payloads")
    endpoint: S3Endpoint = request.getfixturevalue("s3_endpoint")
    bucket: str = request.getfixturevalue("s3_bucket")
    return S3PayloadStore(endpoint.client(), bucket, prefix="fieldvault")


def test_each_store_says_a_lost_bundle_is_missing(store: PayloadStore) -> None:
    """Both stores raise PayloadMissing, what the route turns into 410."""
    with pytest.raises(PayloadMissing):
        next(store.read_range("ab" * 16, 0, 10))
