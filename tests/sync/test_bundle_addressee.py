"""The header's optional ``addressee`` (docs/bundle-format.md §2.2): a
coordinator's send-back bundle names the one field worker it is for, under
the header's signature, so that the server files it in that worker's inbox
and not in the coordinators' changes feed (docs/sync.md §9). Ordinary
bundles have no such member, and stay byte for byte what they were."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from sync.bundle import BundleRejected, check_bundle, write_bundle
from sync.bundle.format import MAGIC, canonical, parse_header
from sync.bundle.send_back import send_back
from tests.sync.bundle_samples import CREATED_MS, archive, forge, plain_members, sample, signing
from tests.sync.merge.conflict_fixtures import ConflictScene, build_conflict
from tests.sync.merge.test_conflict_round_trip import resolve

IDENTITY = pyrage.x25519.Identity.generate()
RECIPIENT = str(IDENTITY.to_public())
WORKER = "0123456789abcdef0123456789abcdef"


def _header_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "big")
    return data[len(MAGIC) + 4 : len(MAGIC) + 4 + length]


def test_an_addressed_bundle_names_its_worker_under_the_header_signature(tmp_path: Path) -> None:
    made = sample()
    contents = dataclasses.replace(made.contents, addressee=WORKER)
    written = write_bundle(
        tmp_path / "a.fvbundle", contents, signing(made.device), [RECIPIENT], created_ms=CREATED_MS
    )
    assert written.header.addressee == WORKER
    assert check_bundle(written.path).header.addressee == WORKER
    assert b'"addressee":"' + WORKER.encode() + b'"' in _header_bytes(written.path)


def test_an_ordinary_bundle_has_no_addressee_member(tmp_path: Path) -> None:
    made = sample()
    written = write_bundle(
        tmp_path / "a.fvbundle", made.contents, signing(made.device), [RECIPIENT], created_ms=CREATED_MS
    )
    assert written.header.addressee is None
    assert b"addressee" not in _header_bytes(written.path)


def test_a_changed_addressee_breaks_the_header_signature(tmp_path: Path) -> None:
    """Nobody on the way (the server, a courier) can readdress a bundle."""
    made = sample()
    signed = forge(archive(plain_members(made)), made, [RECIPIENT], header_changes={"addressee": WORKER})
    assert check_bundle(_write(tmp_path / "a.fvbundle", signed)).header.addressee == WORKER
    other = "f" * 32
    readdressed = signed.replace(WORKER.encode(), other.encode())
    with pytest.raises(BundleRejected) as refused:
        check_bundle(_write(tmp_path / "b.fvbundle", readdressed))
    assert refused.value.kind == "header-signature"


@pytest.mark.parametrize(
    "addressee", ["", "0123", "0123456789ABCDEF0123456789ABCDEF", 7, None, ["0" * 32], "own"]
)
def test_a_malformed_addressee_is_header_form(addressee: object) -> None:
    made = sample()
    header = made.contents
    value = {
        "format": "fieldvault-bundle",
        "version": 1,
        "org_id": header.org_id,
        "profile_version": header.profile_version,
        "device_id": made.device.device_id,
        "device_key": "A" * 43 + "=",
        "sequence": 1,
        "previous": None,
        "created_ms": CREATED_MS,
        "custody_head": None,
        "payload_size": 10,
        "payload_sha256": "0" * 64,
    }
    assert parse_header(canonical(value)).addressee is None
    value["addressee"] = made.device.device_id if addressee == "own" else addressee
    with pytest.raises(BundleRejected) as refused:
        parse_header(canonical(value))
    assert refused.value.kind == "header-form"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[ConflictScene]:
    built = build_conflict(tmp_path)
    yield built
    built.close()


def test_a_send_back_bundle_is_addressed_to_its_worker(scene: ConflictScene) -> None:
    resolve(scene)
    for worker in (scene.first, scene.second):
        sent = send_back(scene.coordinator, scene.org.usb, worker.device_id)
        assert sent is not None
        assert check_bundle(sent.path).header.addressee == worker.device_id
    # The coordinators' ordinary bundle is addressed to nobody.
    assert check_bundle(scene.send_back().path).header.addressee is None
