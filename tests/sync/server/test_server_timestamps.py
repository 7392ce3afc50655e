"""Independent time through the real server (docs/server.md, "Independent
time"): `fieldvault serve --tsa-url --tsa-ca --tsa-interval` processes with
a local TSA (`openssl ts -reply`, tests/tsa_helpers.py). A coordinator
asks for a token over the log's head (POST /v1/receipts/timestamps) and
fetches the tokens (GET); what it gets passes `openssl ts -verify` over
the checkpoint, whose head is the one the coordinator computes from the
receipts. The tokens live in the server's database, so a second server
process on the same database (another data folder: no token files) hands
out the same token, does not stamp that size again, and its periodic
stamper adds the next one."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fieldvault.serve_cli import main as serve_main
from sync.client.transport import ServerClient, ServerSaid
from sync.server.deploy import init_server
from sync.server.keys import ServerFiles, load_receipt_key
from sync.server.receipts import check_log
from sync.server.schema import log_timestamps
from sync.server.storage import Metadata, open_engine, sqlite_url
from sync.server.timestamping import LogCheckpoint
from tests.sync.bundle_samples import ORG_ID, device_from_seed, write_sample
from tests.sync.server.server_helpers import Org, make_org, running_server
from tests.sync.server.test_recovery import ServeProcess, _free_port
from tests.tsa_helpers import LocalTsa, openssl_verify, running_tsa


def _upload(url: str, cert: str, org: Org, folder: Path, seed: bytes) -> None:
    device = device_from_seed(seed)
    path = folder / f"{seed.hex()}.fvbundle"
    write_sample(path, org.recipients, seed=seed)
    with ServerClient(url, cert) as client:
        client.enrol(org.token(), device.private_key)
        client.login(device.private_key, device.device_id)
        client.upload(path)


def _as_coordinator(url: str, cert: str, org: Org) -> ServerClient:
    client = ServerClient(url, cert)
    client.login(org.coordinator_key, org.coordinator_id)
    return client


def _court_check(tsa: LocalTsa, stamp: dict[str, Any], folder: Path) -> LogCheckpoint:
    """What a court's expert does with a token fetched from the API: openssl
    ts -verify over the checkpoint, trusting only the TSA's CA."""
    folder.mkdir(exist_ok=True)
    token = folder / f"{stamp['size']}.tsr"
    checkpoint = folder / f"{stamp['size']}.checkpoint"
    token.write_bytes(base64.b64decode(stamp["token"]))
    checkpoint.write_bytes(base64.b64decode(stamp["checkpoint"]))
    court = openssl_verify(tsa, token, checkpoint)
    assert "Verification: OK" in court.stdout, court.stderr
    return LogCheckpoint.from_bytes(checkpoint.read_bytes())


def test_tokens_are_stamped_on_demand_fetched_and_shared_by_server_processes(tmp_path: Path) -> None:
    org = make_org(org_id=ORG_ID)
    data = tmp_path / "server"
    made = init_server(data, org.profile.fingerprint, profile=org.signed.signed)
    server_key = load_receipt_key(ServerFiles(data)).public_key().public_bytes_raw()
    # A second process on the same database from another data folder (its
    # keys, not its files): what it knows of the tokens comes from the database.
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    for name in ("tls-cert.pem", "tls-key.pem", "receipt-key.pem"):
        (other / name).write_bytes((data / name).read_bytes())
    database = sqlite_url(data / "server.db")
    with running_tsa(tmp_path / "tsa") as tsa:
        tsa_args = ("--tsa-url", tsa.url, "--tsa-ca", str(tsa.ca_pem))
        first = ServeProcess(data, _free_port(), (*tsa_args, "--tsa-interval", "0"), lean=True)
        second = ServeProcess(
            other, _free_port(), (*tsa_args, "--tsa-interval", "0.2", "--db", database), lean=True
        )
        try:
            first.start(made.cert_sha256)
            url = f"https://127.0.0.1:{first.port}"
            with _as_coordinator(url, made.cert_sha256, org) as coordinator:
                with pytest.raises(ServerSaid) as empty:
                    coordinator.request("POST", "/v1/receipts/timestamps")
                assert (empty.value.status, empty.value.code) == (409, "log-empty")
                assert tsa.requests_seen == 0

            _upload(url, made.cert_sha256, org, tmp_path, b"first device")
            with _as_coordinator(url, made.cert_sha256, org) as coordinator:
                stamp = coordinator.request("POST", "/v1/receipts/timestamps").json()
                head = check_log(coordinator.receipts(), server_key)
                again = coordinator.request("POST", "/v1/receipts/timestamps").json()
                fetched = coordinator.request("GET", "/v1/receipts/timestamps").json()
            assert stamp["size"] == 1 and stamp["head"] == head
            assert again == stamp and tsa.requests_seen == 1  # the head had its token: no new stamp
            assert fetched["timestamps"] == [stamp]
            assert _court_check(tsa, stamp, tmp_path / "court") == LogCheckpoint(server_key.hex(), 1, head)
            # The file copy beside the log is the same token.
            assert (data / "timestamps" / f"000000000001-{stamp['serial']}.tsr").read_bytes() == (
                base64.b64decode(stamp["token"])
            )

            second.start(made.cert_sha256)
            other_url = f"https://127.0.0.1:{second.port}"
            with _as_coordinator(other_url, made.cert_sha256, org) as coordinator:
                assert coordinator.request("GET", "/v1/receipts/timestamps").json()["timestamps"] == [stamp]
                assert coordinator.request("POST", "/v1/receipts/timestamps").json() == stamp
            assert tsa.requests_seen == 1

            # The second process's periodic stamper stamps the next head;
            # the first process hands that token out too.
            _upload(other_url, made.cert_sha256, org, tmp_path, b"second device")
            deadline = time.monotonic() + 30
            with _as_coordinator(url, made.cert_sha256, org) as coordinator:
                while (
                    len(tokens := coordinator.request("GET", "/v1/receipts/timestamps").json()["timestamps"])
                    < 2
                ):
                    assert time.monotonic() < deadline, "the periodic stamp did not come"
                    time.sleep(0.1)
                head = check_log(coordinator.receipts(), server_key)
                later = coordinator.request("GET", "/v1/receipts/timestamps", params={"from": 2}).json()
            assert tokens[0] == stamp and tokens[1]["size"] == 2
            assert later["timestamps"] == [tokens[1]]
            assert _court_check(tsa, tokens[1], tmp_path / "court") == LogCheckpoint(
                server_key.hex(), 2, head
            )
            assert list((other / "timestamps").glob("000000000002-*.tsr"))
        finally:
            first.kill()
            second.kill()
    metadata = Metadata(open_engine(database))
    with metadata.engine.connect() as conn:
        assert sorted(conn.execute(select(log_timestamps.c.size)).scalars()) == [1, 2]
    metadata.engine.dispose()


def test_only_coordinators_stamp_and_a_server_without_a_tsa_or_with_one_down_says_so(tmp_path: Path) -> None:
    org = make_org(org_id=ORG_ID)
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as server:
        _upload(server.url, server.cert_sha256, org, tmp_path, b"first device")
        device = device_from_seed(b"first device")
        with server.client() as worker:
            worker.login(device.private_key, device.device_id)
            for method in ("GET", "POST"):
                with pytest.raises(ServerSaid) as refused:
                    worker.request(method, "/v1/receipts/timestamps")
                assert refused.value.status == 403
        with _as_coordinator(server.url, server.cert_sha256, org) as coordinator:
            with pytest.raises(ServerSaid) as none:
                coordinator.request("POST", "/v1/receipts/timestamps")
            assert (none.value.status, none.value.code) == (409, "tsa-not-configured")
            assert coordinator.request("GET", "/v1/receipts/timestamps").json()["timestamps"] == []

    data = tmp_path / "server"
    with running_tsa(tmp_path / "tsa") as tsa:
        down = ServeProcess(
            data,
            _free_port(),
            ("--tsa-url", "http://127.0.0.1:9/tsa", "--tsa-ca", str(tsa.ca_pem)),
            lean=True,
        )
        try:
            down.start(server.cert_sha256)
            url = f"https://127.0.0.1:{down.port}"
            with _as_coordinator(url, server.cert_sha256, org) as coordinator:
                with pytest.raises(ServerSaid) as unavailable:
                    coordinator.request("POST", "/v1/receipts/timestamps")
                assert (unavailable.value.status, unavailable.value.code) == (503, "tsa-unavailable")
                assert coordinator.request("GET", "/v1/receipts/timestamps").json()["timestamps"] == []
        finally:
            down.kill()
    assert not (data / "timestamps").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--tsa-url", "http://127.0.0.1:9/tsa"],
        ["--tsa-ca", "ca.pem"],
        ["--tsa-url", "ftp://tsa.example/", "--tsa-ca", "ca.pem"],
        ["--tsa-url", "http://127.0.0.1:9/tsa", "--tsa-ca", "missing.pem"],
        ["--tsa-url", "http://127.0.0.1:9/tsa", "--tsa-ca", "ca.pem", "--tsa-interval", "-1"],
    ],
)
def test_tsa_switches_that_do_not_fit_are_usage_errors(
    tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    assert serve_main(["--data", str(tmp_path / "server"), *args]) == 2
    assert "--tsa" in capsys.readouterr().err
