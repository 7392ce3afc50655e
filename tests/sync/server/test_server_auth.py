"""Who the server lets in (docs/server.md, "Authentication"): unknown,
revoked and replaying devices are refused; expired, reused and foreign
tokens are refused; a profile signed by another key is refused and an older
profile never replaces a newer one. A real server with TLS on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client.transport import PinMismatch, ServerClient, ServerSaid
from sync.org import make_token, sign_profile
from sync.server.protocol import TUS_VERSION, b64, challenge_message
from sync.server.service import Limits
from tests.sync.server.server_helpers import Org, RunningServer, device_id, make_org, running_server


@pytest.fixture
def org() -> Org:
    return make_org()


@pytest.fixture
def server(tmp_path: Path, org: Org) -> Iterator[RunningServer]:
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as running:
        yield running


def refusal(call: object, *args: object, **kwargs: object) -> tuple[int, str]:
    with pytest.raises(ServerSaid) as said:
        call(*args, **kwargs)  # type: ignore[operator]
    return said.value.status, said.value.code


def enrolled(server: RunningServer, org: Org) -> tuple[ServerClient, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    client = server.client()
    client.enrol(org.token(), key)
    client.login(key, device_id(key))
    return client, key


def test_unknown_device_and_missing_or_forged_tokens_are_refused(server: RunningServer) -> None:
    stranger = Ed25519PrivateKey.generate()
    with server.client() as client:
        assert refusal(client.login, stranger, device_id(stranger)) == (403, "device-unknown")
        assert refusal(client.changes) == (401, "auth-required")
        client._token = "made-up"
        assert refusal(client.changes)[0] == 401
        assert refusal(client.create_upload, 100)[0] == 401


def test_a_challenge_answer_is_good_once_and_only_from_the_devices_key(
    server: RunningServer, org: Org
) -> None:
    client, key = enrolled(server, org)
    ident = device_id(key)
    asked = client.request("POST", "/v1/auth/challenge", json={"device_id": ident}).json()
    server_key = client.server_key or b""
    answer = {
        "device_id": ident,
        "challenge": asked["challenge"],
        "signature": b64(key.sign(challenge_message(asked["challenge"], ident, server_key))),
    }
    client.request("POST", "/v1/auth/token", json=answer)
    assert refusal(client.request, "POST", "/v1/auth/token", json=answer) == (401, "challenge-unknown")
    # Signed by another key, or for another server: refused.
    for signer, for_key in ((Ed25519PrivateKey.generate(), server_key), (key, b"\x01" * 32)):
        asked = client.request("POST", "/v1/auth/challenge", json={"device_id": ident}).json()
        forged = answer | {
            "challenge": asked["challenge"],
            "signature": b64(signer.sign(challenge_message(asked["challenge"], ident, for_key))),
        }
        assert refusal(client.request, "POST", "/v1/auth/token", json=forged) == (403, "challenge-signature")
    # A challenge asked for one device is no good for another.
    other, other_key = enrolled(server, org)
    asked = client.request("POST", "/v1/auth/challenge", json={"device_id": ident}).json()
    stolen = {
        "device_id": device_id(other_key),
        "challenge": asked["challenge"],
        "signature": b64(
            other_key.sign(challenge_message(asked["challenge"], device_id(other_key), server_key))
        ),
    }
    assert refusal(other.request, "POST", "/v1/auth/token", json=stolen) == (401, "challenge-unknown")


def test_a_revoked_device_is_refused_from_its_next_request(server: RunningServer, org: Org) -> None:
    client, key = enrolled(server, org)
    location = client.create_upload(1000)
    assert client.offset(location) == 0
    with server.client() as coordinator_side:
        coordinator_side.put_profile(org.next_version(revoked=(device_id(key),)).signed)
    assert refusal(client.offset, location) == (403, "device-revoked")
    assert refusal(client.create_upload, 1000) == (403, "device-revoked")
    with server.client() as again:
        assert refusal(again.login, key, device_id(key)) == (403, "device-revoked")
        assert refusal(again.enrol, org.token(), key) == (403, "device-revoked")


def test_expired_reused_and_foreign_tokens_are_refused(server: RunningServer, org: Org) -> None:
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    with server.client() as client:
        expired = org.token(expires_ms=int(time.time() * 1000) - 1)
        assert refusal(client.enrol, expired, first) == (403, "token-expired")
        token = org.token()
        assert client.enrol(token, first) == device_id(first)
        assert client.enrol(token, first) == device_id(first)  # a retry after a lost answer
        assert refusal(client.enrol, token, second) == (409, "token-used")
        other_org = make_org()
        foreign = make_token(other_org.key, org.profile.org_id, int(time.time() * 1000) + 60_000).text
        assert refusal(client.enrol, foreign, second) == (403, "token-signature")
        assert refusal(client.enrol, "fvt1.nonsense.x", second) == (400, "token-form")
        # The token's holder must hold the key it registers.
        body = {
            "token": org.token(),
            "device_key": b64(second.public_key().public_bytes_raw()),
            "signature": b64(b"\0" * 64),
        }
        assert refusal(client.request, "POST", "/v1/enrol", json=body) == (403, "enrol-signature")
        assert refusal(client.login, second, device_id(second)) == (403, "device-unknown")


def test_a_profile_signed_by_another_key_is_refused_and_older_never_replaces_newer(
    server: RunningServer, org: Org
) -> None:
    with server.client() as client:
        impostor = make_org()
        forged = sign_profile(
            impostor.profile.__class__(
                **{**org.profile.__dict__, "org_key": impostor.profile.org_key, "version": 9}
            ),
            impostor.key,
        )
        assert refusal(client.put_profile, forged.signed) == (403, "org-key-changed")
        assert refusal(client.put_profile, impostor.signed.signed) == (403, "org-key-changed")
        first = org.signed.signed
        newer = org.next_version(purge_after_delivery=True)
        assert client.put_profile(newer.signed) == {
            "org_id": org.profile.org_id,
            "version": 2,
            "changed": True,
        }
        assert refusal(client.put_profile, first) == (409, "profile-older")
        assert client.put_profile(newer.signed)["changed"] is False
        tampered = newer.signed.replace(b'"purge_after_delivery":true', b'"purge_after_delivery":false')
        assert refusal(client.put_profile, tampered) == (403, "org-profile-signature")
        coordinator = server.client()
        coordinator.login(org.coordinator_key, org.coordinator_id)
        assert coordinator.get_profile() == newer.signed


def test_a_server_pinned_by_fingerprint_alone_takes_only_that_organisations_profile(tmp_path: Path) -> None:
    org, impostor = make_org(), make_org()
    with running_server(tmp_path / "server", org.profile.fingerprint) as server, server.client() as client:
        assert refusal(client.enrol, org.token(), Ed25519PrivateKey.generate()) == (409, "org-no-profile")
        assert refusal(client.put_profile, impostor.signed.signed) == (403, "org-fingerprint-mismatch")
        assert client.put_profile(org.signed.signed)["version"] == 1
        assert client.enrol(org.token(), Ed25519PrivateKey.generate())


def test_only_coordinators_follow_changes_download_and_read_the_log(server: RunningServer, org: Org) -> None:
    client, _key = enrolled(server, org)
    assert refusal(client.changes) == (403, "coordinator-only")
    assert refusal(client.receipts) == (403, "coordinator-only")
    assert refusal(client.ack, "0" * 64) == (403, "coordinator-only")
    headers = {"Tus-Resumable": TUS_VERSION}
    assert (
        client.request("OPTIONS", "/v1/uploads", headers=headers).headers["Tus-Checksum-Algorithm"]
        == "sha256"
    )


def test_a_device_that_floods_the_server_is_slowed_down(tmp_path: Path, org: Org) -> None:
    with running_server(
        tmp_path / "limited",
        org.profile.fingerprint,
        profile=org.signed.signed,
        limits=Limits(device_requests_per_minute=5),
    ) as server:
        client, _key = enrolled(server, org)  # the challenge was request 1
        for _ in range(4):
            client.create_upload(100)
        assert refusal(client.create_upload, 100) == (429, "rate-limited")
        other, _ = enrolled(server, org)  # another device is not held back
        assert other.create_upload(100)


def test_a_server_with_another_certificate_gets_nothing_secret(server: RunningServer, org: Org) -> None:
    """The client reads the certificate first and compares it with the pin
    (an interceptor's certificate, or a server re-keyed without a new
    profile): the enrolment token is not sent, so it still works afterwards."""
    token = org.token()
    key = Ed25519PrivateKey.generate()
    wrong = ServerClient(server.url, "ab" * 32)
    with pytest.raises(PinMismatch) as mismatch:
        wrong.enrol(token, key)
    assert mismatch.value.actual == server.cert_sha256
    with server.client() as right:
        assert right.enrol(token, key) == device_id(key)  # the token was never spent
