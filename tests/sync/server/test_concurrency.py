"""Many devices at once (docs/server.md, "Storage"): concurrent uploads to
one server, and to two server instances sharing PostgreSQL and S3 (two
apps with their own engines, stores and workers, as two processes would
be, run in threads of the test process), each get one stored bundle and
one receipt; the receipt log stays one unbroken chain; the same bundle sent
to both at once is stored once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sync.bundle.reader import check_header
from sync.client.transport import ServerSaid
from sync.server.payload_s3 import S3PayloadStore
from sync.server.receipts import check_log
from sync.server.service import Limits
from tests.s3_helpers import S3Endpoint
from tests.sync.bundle_samples import ORG_ID, device_from_seed, write_sample
from tests.sync.server import server_helpers
from tests.sync.server.server_helpers import Backend, Org, RunningServer, make_org, running_server

DEVICES = 6


def _all(work: list[Callable[[], object]]) -> list[object]:
    """Run each callable in its own thread, all started together."""
    results: list[object] = [None] * len(work)
    start = threading.Barrier(len(work))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work[index]()
        except Exception as error:  # noqa: BLE001 - collected and asserted on
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _upload(server: RunningServer, org: Org, seed: bytes, path: Path, token: str | None = None) -> str:
    device = device_from_seed(seed)
    with server.client() as client:
        if token is not None:
            client.enrol(token, device.private_key)
        client.login(device.private_key, device.device_id)
        return client.upload(path, chunk=16 * 1024).bundle_id


def _bundles(tmp_path: Path, org: Org, count: int) -> list[tuple[bytes, Path]]:
    made = []
    for index in range(count):
        seed = f"device {index}".encode()
        path = tmp_path / f"b{index}.fvbundle"
        write_sample(path, org.recipients, seed=seed, blobs=[bytes([index]) * 200_000])
        made.append((seed, path))
    return made


def _uploading(server: RunningServer, org: Org, seed: bytes, path: Path) -> Callable[[], str]:
    """One device's first upload with a fresh enrolment token, to run on a thread."""

    def upload() -> str:
        return _upload(server, org, seed, path, org.token())

    return upload


def _check_everything(server: RunningServer, org: Org, bundles: list[tuple[bytes, Path]]) -> None:
    with server.client() as coordinator:
        coordinator.login(org.coordinator_key, org.coordinator_id)
        changes = coordinator.changes(limit=1000)["changes"]
        assert sorted(c["bundle_id"] for c in changes) == sorted(
            check_header(p).bundle_id for _, p in bundles
        )
        receipts = coordinator.receipts(limit=1000)
        assert [r.index for r in receipts] == list(range(1, len(bundles) + 1))
        check_log(receipts, coordinator.server_key or b"")


def test_devices_uploading_at_once_each_get_one_bundle_in_one_chain(tmp_path: Path) -> None:
    org = make_org(org_id=ORG_ID)
    bundles = _bundles(tmp_path, org, DEVICES)
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as server:
        results = _all([_uploading(server, org, s, p) for s, p in bundles])
        assert results == [check_header(p).bundle_id for _, p in bundles]
        _check_everything(server, org, bundles)


def test_two_processes_sharing_postgresql_and_s3(
    tmp_path: Path,
    postgres_url: str,
    s3_endpoint: S3Endpoint,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = make_org(org_id=ORG_ID)
    bundles = _bundles(tmp_path, org, DEVICES)
    store = S3PayloadStore(s3_endpoint.client(), s3_bucket, prefix="fv")
    monkeypatch.setattr(server_helpers, "BACKEND", Backend(db=postgres_url, payloads=store))
    data = tmp_path / "server"
    with (
        running_server(data, org.profile.fingerprint, profile=org.signed.signed) as one,
        running_server(data) as two,
    ):
        servers = [one, two]
        results = _all([_uploading(servers[i % 2], org, s, p) for i, (s, p) in enumerate(bundles)])
        assert results == [check_header(p).bundle_id for _, p in bundles]
        # The same next bundle of one device, sent to both processes at once,
        # and another bundle with that sequence: one is stored, once.
        seed = bundles[0][0]
        first = check_header(bundles[0][1]).bundle_id
        again = tmp_path / "again.fvbundle"
        write_sample(again, org.recipients, seed=seed, sequence=2, previous=first)
        rival = tmp_path / "rival.fvbundle"
        write_sample(rival, org.recipients, seed=seed, sequence=2, previous=first, blobs=[b"other"])
        outcome = _all(
            [
                lambda: _upload(one, org, seed, again),
                lambda: _upload(two, org, seed, again),
                lambda: _upload(one, org, seed, rival),
            ]
        )
        stored = {r for r in outcome if isinstance(r, str)}
        refused = [r for r in outcome if isinstance(r, ServerSaid)]
        assert len(stored) == 1 and all(r.code == "bundle-conflict" for r in refused)
        assert len(refused) in (0, 1, 2) and len(refused) + sum(isinstance(r, str) for r in outcome) == 3
        winner = again if stored == {check_header(again).bundle_id} else rival
        _check_everything(one, org, [*bundles, (seed, winner)])
    keys = [o["Key"] for o in s3_endpoint.client().list_objects_v2(Bucket=s3_bucket).get("Contents", [])]
    assert len(keys) == DEVICES + 1 and all(k.startswith("fv/bundles/") for k in keys)


def test_two_processes_sharing_postgresql_share_each_devices_rate_limit(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A device taking two server processes in turn gets the limit once,
    not once per process (the count lives in the shared database)."""
    org = make_org(org_id=ORG_ID)
    monkeypatch.setattr(server_helpers, "BACKEND", Backend(db=postgres_url))
    per_minute = 12
    limits = Limits(device_requests_per_minute=per_minute)
    data = tmp_path / "server"
    device = device_from_seed(b"busy device")
    with (
        running_server(data, org.profile.fingerprint, profile=org.signed.signed, limits=limits) as one,
        running_server(data, limits=limits) as two,
        one.client() as first,
        two.client() as second,
    ):
        first.enrol(org.token(), device.private_key)
        first.login(device.private_key, device.device_id)
        second.login(device.private_key, device.device_id)
        accepted = 0
        with pytest.raises(ServerSaid) as limited:
            for turn in range(2 * per_minute):
                (first if turn % 2 == 0 else second).create_upload(100)
                accepted += 1
        assert limited.value.status == 429 and limited.value.code == "rate-limited"
        # The two challenges of the logins counted too; each process alone
        # would have taken per_minute, nearly twice as many in all.
        assert per_minute // 2 < accepted <= per_minute - 2

        # Challenges naming made-up devices are refused and counted nowhere:
        # nobody can grow the shared table by inventing ids.
        counted = _rate_rows(postgres_url)
        for index in range(30):
            with pytest.raises(ServerSaid) as unknown:
                first.request("POST", "/v1/auth/challenge", json={"device_id": f"{index:032x}"})
            assert unknown.value.code == "device-unknown"
        assert _rate_rows(postgres_url) == counted


def _rate_rows(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM rate_counts")).scalar_one())
    finally:
        engine.dispose()
