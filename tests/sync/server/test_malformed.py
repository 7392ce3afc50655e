"""Every malformed, oversized or misdirected request gets a 4xx with a JSON
error body (a stable code), never a 5xx or a traceback, and the log names
no address. Raw requests over the pinned TLS connection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.client.transport import ServerClient
from sync.server.protocol import TUS_VERSION
from tests.sync.bundle_samples import ORG_ID, device_from_seed, write_sample
from tests.sync.server.server_helpers import Org, RunningServer, make_org, running_server

TUS = {"Tus-Resumable": TUS_VERSION}
OCTETS = {**TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}


@pytest.fixture(scope="module")
def setting(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningServer, Org, ServerClient, ServerClient, str]]:
    tmp = tmp_path_factory.mktemp("malformed")
    org = make_org(org_id=ORG_ID)
    with running_server(tmp / "server", org.profile.fingerprint, profile=org.signed.signed) as server:
        device = device_from_seed(b"sample device")
        worker = server.client()
        worker.enrol(org.token(), device.private_key)
        worker.login(device.private_key, device.device_id)
        path = tmp / "b.fvbundle"
        write_sample(path, org.recipients)
        bundle_id = worker.upload(path).bundle_id
        coordinator = server.client()
        coordinator.login(org.coordinator_key, org.coordinator_id)
        yield server, org, worker, coordinator, bundle_id


def raw(client: ServerClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}))
    if client._token:
        headers.setdefault("Authorization", f"Bearer {client._token}")
    return client._client().request(method, path, headers=headers, **kwargs)


def chunked() -> Iterator[bytes]:
    yield b'{"device_id": '
    yield b'"00"}'


CASES: list[tuple[str, str, str, dict[str, Any], int]] = [
    ("anon", "GET", "/nope", {}, 404),
    ("anon", "DELETE", "/healthz", {}, 405),
    ("anon", "POST", "/v1/enrol", {"content": b"{not json"}, 400),
    (
        "anon",
        "POST",
        "/v1/enrol",
        {"content": b"\xff\xfe\x00", "headers": {"Content-Type": "application/json"}},
        400,
    ),
    ("anon", "POST", "/v1/enrol", {"json": {"token": 5, "device_key": [], "signature": None}}, 400),
    ("anon", "POST", "/v1/enrol", {"json": {"token": "x" * 5000, "device_key": "a", "signature": "b"}}, 400),
    ("anon", "POST", "/v1/enrol", {"json": {"token": "fvt1.a.b", "device_key": "!!", "signature": "b"}}, 400),
    ("anon", "POST", "/v1/enrol", {"content": b"[" * 70_000}, 413),
    ("anon", "POST", "/v1/auth/challenge", {"json": {"device_id": "../../etc"}}, 400),
    ("anon", "POST", "/v1/auth/challenge", {"content": chunked()}, 411),
    (
        "anon",
        "POST",
        "/v1/auth/token",
        {"json": {"device_id": "0" * 32, "challenge": "0" * 64, "signature": "AA=="}},
        403,
    ),
    ("anon", "PUT", "/v1/profile", {"content": b""}, 400),
    ("anon", "PUT", "/v1/profile", {"content": b"{}"}, 400),
    ("anon", "PUT", "/v1/profile", {"content": b" " * 2_000_000}, 413),
    ("anon", "GET", "/v1/changes", {"headers": {"Authorization": "Bearer " + "x" * 5000}}, 401),
    ("anon", "GET", "/v1/changes", {"headers": {"Authorization": "Basic dXNlcjpwYXNz"}}, 401),
    ("anon", "POST", "/v1/uploads", {"headers": {"Upload-Length": "10"}}, 412),
    ("worker", "POST", "/v1/uploads", {"headers": {**TUS, "Upload-Length": "abc"}}, 400),
    ("worker", "POST", "/v1/uploads", {"headers": {**TUS, "Upload-Length": "9" * 30}}, 400),
    ("worker", "POST", "/v1/uploads", {"headers": {**TUS, "Upload-Length": str(2**62)}}, 413),
    ("worker", "POST", "/v1/uploads", {"headers": {**TUS, "Upload-Length": "0"}}, 413),
    ("worker", "POST", "/v1/uploads", {"headers": {**TUS, "Upload-Defer-Length": "1"}}, 400),
    (
        "worker",
        "POST",
        "/v1/uploads",
        {"headers": {**TUS, "Upload-Length": "10"}, "content": b"0123456789"},
        400,
    ),
    ("worker", "PATCH", "/v1/uploads/" + "0" * 32, {"headers": OCTETS, "content": b"x"}, 404),
    ("worker", "PATCH", "/v1/uploads/..%2F..%2Fetc", {"headers": OCTETS, "content": b"x"}, 404),
    (
        "worker",
        "PATCH",
        "/v1/uploads/" + "0" * 32,
        {"headers": {**TUS, "Upload-Offset": "0"}, "content": b"x"},
        415,
    ),
    (
        "worker",
        "PATCH",
        "/v1/uploads/" + "0" * 32,
        {"headers": {**OCTETS, "Upload-Offset": "-1"}, "content": b"x"},
        400,
    ),
    (
        "worker",
        "PATCH",
        "/v1/uploads/" + "0" * 32,
        {"headers": {**OCTETS, "Upload-Checksum": "sha256 !!"}},
        400,
    ),
    ("worker", "HEAD", "/v1/uploads/zz", {"headers": TUS}, 404),
    ("worker", "GET", "/v1/changes", {}, 403),
    ("coordinator", "GET", "/v1/changes", {"params": {"cursor": "-1"}}, 400),
    ("coordinator", "GET", "/v1/changes", {"params": {"cursor": "x", "limit": "100000"}}, 400),
    ("coordinator", "GET", "/v1/receipts", {"params": {"from": "0"}}, 400),
    ("coordinator", "GET", "/v1/bundles/" + "f" * 64, {}, 404),
    ("coordinator", "GET", "/v1/bundles/..%2F..%2Fserver.db", {}, 404),
    ("coordinator", "GET", "/v1/bundles/BUNDLE", {"headers": {"Range": "bytes=abc"}}, 416),
    ("coordinator", "GET", "/v1/bundles/BUNDLE", {"headers": {"Range": "bytes=999999999-"}}, 416),
    ("coordinator", "GET", "/v1/bundles/BUNDLE", {"headers": {"Range": "bytes=0-1,4-5"}}, 416),
    ("coordinator", "POST", "/v1/bundles/" + "e" * 64 + "/ack", {}, 404),
]


@pytest.mark.parametrize(("who", "method", "path", "kwargs", "status"), CASES)
def test_a_malformed_request_gets_a_json_4xx(
    setting: tuple[RunningServer, Org, ServerClient, ServerClient, str],
    who: str,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    server, _org, worker, coordinator, bundle_id = setting
    client = {
        "anon": ServerClient(server.url, server.cert_sha256),
        "worker": worker,
        "coordinator": coordinator,
    }[who]
    response = raw(client, method, path.replace("BUNDLE", bundle_id), **kwargs)
    assert response.status_code == status
    assert response.headers["Fieldvault-Error"]
    if method != "HEAD":
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == response.headers["Fieldvault-Error"]


def test_ranges_and_the_log_after_all_that(
    setting: tuple[RunningServer, Org, ServerClient, ServerClient, str],
) -> None:
    server, _org, _worker, coordinator, bundle_id = setting
    whole = raw(coordinator, "GET", f"/v1/bundles/{bundle_id}").content
    tail = raw(coordinator, "GET", f"/v1/bundles/{bundle_id}", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == whole[-10:]
    assert tail.headers["Content-Range"] == f"bytes {len(whole) - 10}-{len(whole) - 1}/{len(whole)}"
    middle = raw(coordinator, "GET", f"/v1/bundles/{bundle_id}", headers={"Range": "bytes=5-9"})
    assert middle.content == whole[5:10]
    assert raw(coordinator, "GET", "/v1/openapi.json").json()["paths"]["/v1/uploads"]
    log = server.log.read_text()
    assert "Traceback" not in log and "127.0.0.1" not in log and '"status":5' not in log


def test_an_internal_failure_is_a_json_500_without_a_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The database loses a table under the running server (a broken disk,
    an operator's mistake): the request fails as JSON, and nothing but the
    error's type reaches the log or the terminal."""
    from sqlalchemy import create_engine, text

    org = make_org(org_id=ORG_ID)
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as server:
        with create_engine(f"sqlite:///{server.data / 'server.db'}").begin() as conn:
            conn.execute(text("DROP TABLE challenges"))
        client = ServerClient(server.url, server.cert_sha256)
        response = raw(client, "POST", "/v1/auth/challenge", json={"device_id": org.coordinator_id})
        assert response.status_code == 500
        assert response.json()["error"]["code"] == "internal-error"
        client.close()
        captured = capfd.readouterr()  # before the test's forced stop, which uvicorn reports
    log = server.log.read_text()
    assert '"event":"unexpected","type":"OperationalError"' in log
    for text_seen in (log, captured.out, captured.err):
        assert "Traceback" not in text_seen and "challenges" not in text_seen
