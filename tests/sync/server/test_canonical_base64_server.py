"""The server reads the base64 a client sends only in its canonical
spelling (db/strict_b64.py, through sync/server/protocol.py ``unb64``): a
tus ``Upload-Checksum``, an enrolment's key and signature, a login's
signature. Another spelling of the same bytes (unused low bits of the last
character flipped, padding dropped or added) is refused with the request's
documented code; the genuine request then still succeeds. Real TLS server,
real client (tests/sync/test_canonical_base64.py has the other readers)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.transport import ServerSaid
from sync.server.protocol import TUS_VERSION, b64, challenge_message, enrol_message
from tests.sync.bundle_samples import ORG_ID, device_from_seed, write_sample
from tests.sync.server.server_helpers import Org, RunningServer, make_org, running_server
from tests.sync.test_canonical_base64 import other_spellings


@pytest.fixture
def org() -> Org:
    return make_org(org_id=ORG_ID)


@pytest.fixture
def server(tmp_path: Path, org: Org) -> Iterator[RunningServer]:
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as running:
        yield running


def test_an_upload_checksum_reads_only_in_its_canonical_spelling(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    device = device_from_seed(b"sample device")
    client = server.client()
    client.enrol(org.token(), device.private_key)
    client.login(device.private_key, device.device_id)
    path = tmp_path / "b1.fvbundle"
    write_sample(path, org.recipients)
    data = path.read_bytes()
    location = client.create_upload(len(data))
    headers = {
        "Tus-Resumable": TUS_VERSION,
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": "0",
    }
    checksum = base64.b64encode(hashlib.sha256(data[:100]).digest()).decode()
    for spelling in other_spellings(checksum):
        with pytest.raises(ServerSaid) as said:
            client.request(
                "PATCH",
                location,
                content=data[:100],
                headers=headers | {"Upload-Checksum": f"sha256 {spelling}"},
            )
        assert (said.value.status, said.value.code) == (400, "checksum-form"), spelling
        assert client.offset(location) == 0
    client.request(
        "PATCH", location, content=data[:100], headers=headers | {"Upload-Checksum": f"sha256 {checksum}"}
    )
    assert client.offset(location) == 100


def test_an_enrolment_and_a_login_read_only_in_their_canonical_spelling(
    server: RunningServer, org: Org
) -> None:
    device = device_from_seed(b"canonical enrolment")
    key, public = device.private_key, device.public_key
    token = org.token()
    client = server.client()
    genuine = {
        "token": token,
        "device_key": b64(public),
        "signature": b64(key.sign(enrol_message(token, public))),
    }
    for name in ("device_key", "signature"):
        for spelling in other_spellings(genuine[name]):
            with pytest.raises(ServerSaid) as said:
                client.request("POST", "/v1/enrol", json={**genuine, name: spelling})
            assert (said.value.status, said.value.code) == (400, "request-form"), (name, spelling)
    assert client.request("POST", "/v1/enrol", json=genuine).json()["device_id"] == device.device_id

    asked = client.request("POST", "/v1/auth/challenge", json={"device_id": device.device_id}).json()
    server_key = base64.b64decode(asked["server_key"])
    signature = b64(key.sign(challenge_message(asked["challenge"], device.device_id, server_key)))
    answer = {"device_id": device.device_id, "challenge": asked["challenge"], "signature": signature}
    for spelling in other_spellings(signature):
        with pytest.raises(ServerSaid) as said:
            client.request("POST", "/v1/auth/token", json={**answer, "signature": spelling})
        assert (said.value.status, said.value.code) == (400, "request-form"), spelling
    # The form is checked before the challenge is taken: the genuine answer still logs in.
    assert client.request("POST", "/v1/auth/token", json=answer).json()["token"]
