"""A relay is bound to the coordinator's key, not only its session (review
8, F4; docs/server.md §4, sync/server/relay_statement.py). A coordinator's
session alone — a stolen bearer token — once put bundles of any freshly made
key into the organisation's feed. Now each relay upload carries the
coordinator's statement, signed by its device key over the organisation,
itself and the relayed bundle's id, maker, number and payload hash; the
server checks it against that coordinator's key in the newest profile it
holds. Without a valid one the upload is refused (403 ``relay-statement``)
and nothing of it is stored. Real server on loopback, real bundles."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from alembic import command
from alembic.config import Config
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, inspect, text

from sync.bundle.reader import check_header
from sync.client.transport import ServerClient
from sync.org import Coordinator
from sync.server.deploy import database_url
from sync.server.relay_statement import RelayStatement, signature_in, upload_metadata
from sync.server.service import Limits
from sync.server.storage import MIGRATIONS, open_engine, sqlite_url, upgrade
from tests.sync.server.server_helpers import (
    BACKEND,
    Org,
    RunningServer,
    device_id,
    make_org,
    running_server,
)
from tests.sync.server.test_inbox import _coordinator
from tests.sync.server.test_relay import _bundle, relay_metadata
from tests.sync.server.test_server_auth import enrolled, refusal

REFUSED = (403, "relay-statement")


@pytest.fixture
def org() -> Org:
    return make_org()


@pytest.fixture
def server(tmp_path: Path, org: Org) -> Iterator[RunningServer]:
    with running_server(tmp_path / "server", org.profile.fingerprint, profile=org.signed.signed) as running:
        yield running


def _stored_nothing_of(server: RunningServer, client: ServerClient, bundle: Path) -> None:
    """The coordinators' feed does not list it, and no byte run of its
    (encrypted) payload is anywhere in the server's data folder."""
    assert client.changes()["changes"] == []
    tail = bundle.read_bytes()[-512:]
    held = [p for p in server.data.rglob("*") if p.is_file() and tail in p.read_bytes()]
    assert held == []


def _log_events(server: RunningServer) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.log.read_text(encoding="utf-8").splitlines() if line]


def test_a_coordinators_session_without_its_keys_statement_relays_nothing(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    coordinator = _coordinator(server, org)
    never_enrolled = Ed25519PrivateKey.generate()  # anyone's fresh key
    usb = _bundle(tmp_path, org, never_enrolled)
    # What an old client sends, or a stolen session token without the device key.
    location = coordinator.create_upload(usb.stat().st_size)
    assert refusal(coordinator.upload, usb, location=location) == REFUSED
    # The upload is refused for good; nothing of the bundle is held.
    assert refusal(coordinator.offset, location) == (410, "upload-refused")
    _stored_nothing_of(server, coordinator, usb)
    refused = [e for e in _log_events(server) if e["event"] == "upload-refused"]
    assert [(e["device_id"], e["code"]) for e in refused] == [(org.coordinator_id, "relay-statement")]

    # The same bundle with the coordinator's statement: filed as before, the relayer on record.
    relayed = coordinator.upload(usb, metadata=relay_metadata(usb, org, org.coordinator_key))
    assert relayed.body["device_id"] == device_id(never_enrolled)
    [change] = coordinator.changes()["changes"]
    assert (change["bundle_id"], change["relayed_by"]) == (relayed.bundle_id, org.coordinator_id)
    stored = [e for e in _log_events(server) if e["event"] == "bundle-stored"]
    assert [(e["bundle_id"], e.get("relayed_by")) for e in stored] == [
        (relayed.bundle_id, org.coordinator_id)
    ]
    # A device's own bundle names no relayer.
    worker, worker_key = enrolled(server, org)
    own = worker.upload(_bundle(tmp_path, org, worker_key))
    by_id = {c["bundle_id"]: c for c in coordinator.changes()["changes"]}
    assert by_id[own.bundle_id]["relayed_by"] is None
    for client in (coordinator, worker):
        client.close()


def test_a_statement_signed_by_any_other_key_is_refused(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    worker, worker_key = enrolled(server, org)
    coordinator = _coordinator(server, org)
    maker = Ed25519PrivateKey.generate()
    usb = _bundle(tmp_path, org, maker)
    fresh = Ed25519PrivateKey.generate()
    forged = [
        relay_metadata(usb, org, fresh, org.coordinator_id),  # a fresh key, naming the coordinator
        relay_metadata(usb, org, fresh),  # a fresh key, naming itself
        relay_metadata(usb, org, worker_key, org.coordinator_id),  # a field worker's key
        relay_metadata(usb, org, worker_key),
        relay_metadata(usb, org, maker, org.coordinator_id),  # not even the bundle's maker's
    ]
    for metadata in forged:
        assert refusal(coordinator.upload, usb, metadata=metadata) == REFUSED
    # The right key over another organisation's id verifies for nothing here.
    checked = check_header(usb, org_id=org.profile.org_id)
    other_org = RelayStatement(
        org_id=make_org().profile.org_id,
        relayer_id=org.coordinator_id,
        bundle_id=checked.bundle_id,
        device_id=checked.header.device_id,
        sequence=checked.header.sequence,
        payload_sha256=checked.header.payload_sha256,
    )
    metadata = upload_metadata(other_org.sign(org.coordinator_key))
    assert refusal(coordinator.upload, usb, metadata=metadata) == REFUSED
    _stored_nothing_of(server, coordinator, usb)
    for client in (coordinator, worker):
        client.close()


def test_a_statement_for_another_bundle_is_refused(tmp_path: Path, server: RunningServer, org: Org) -> None:
    coordinator = _coordinator(server, org)
    maker = Ed25519PrivateKey.generate()
    first = _bundle(tmp_path, org, maker)
    statement = relay_metadata(first, org, org.coordinator_key)
    relayed = coordinator.upload(first, metadata=statement)
    # Replayed from the earlier relay: for the maker's next bundle, and for another maker's.
    following = _bundle(tmp_path, org, maker, sequence=2, previous=relayed.bundle_id)
    stranger = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    for bundle in (following, stranger):
        assert refusal(coordinator.upload, bundle, metadata=statement) == REFUSED
    assert [c["bundle_id"] for c in coordinator.changes()["changes"]] == [relayed.bundle_id]
    # Each with its own statement is taken.
    assert coordinator.upload(following, metadata=relay_metadata(following, org, org.coordinator_key))
    coordinator.close()


def test_a_statement_by_a_coordinator_removed_from_the_newest_profile_is_refused(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    lviv_key = Ed25519PrivateKey.generate()
    lviv_id = device_id(lviv_key)
    lviv = Coordinator(
        lviv_id,
        lviv_key.public_key().public_bytes_raw(),
        str(pyrage.x25519.Identity.generate().to_public()),
        "Lviv",
    )
    kyiv = _coordinator(server, org)
    kyiv.put_profile(org.next_version(coordinators=(*org.profile.coordinators, lviv)).signed)
    lviv_session = server.client()
    lviv_session.login(lviv_key, lviv_id)
    # While a coordinator, Lviv relays with its own statement.
    before = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    relayed = lviv_session.upload(before, metadata=relay_metadata(before, org, lviv_key))
    kyiv.put_profile(org.next_version(coordinators=org.profile.coordinators[:1]).signed)

    after = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    # Lviv's key with Kyiv's session (stolen): naming Lviv, and naming Kyiv.
    as_lviv = relay_metadata(after, org, lviv_key)
    as_kyiv = relay_metadata(after, org, lviv_key, org.coordinator_id)
    for metadata in (as_lviv, as_kyiv):
        assert refusal(kyiv.upload, after, metadata=metadata) == REFUSED
    # Lviv's own session ended with its place in the profile.
    assert refusal(lviv_session.upload, after, metadata=as_lviv) == (403, "device-unknown")
    feed = [(c["bundle_id"], c["relayed_by"]) for c in kyiv.changes()["changes"]]
    assert feed == [(relayed.bundle_id, lviv_id)]
    for client in (kyiv, lviv_session):
        client.close()


def test_a_malformed_statement_is_refused_at_creation_and_other_metadata_ignored(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    coordinator = _coordinator(server, org)
    usb = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    for bad in ("relay-signature", "relay-signature AAAA", "relay-signature !!!!"):
        assert refusal(coordinator.create_upload, 100, metadata=bad) == (400, "relay-statement")
    # tus clients name files there: ignored, the statement still found.
    metadata = "filename YnVuZGxlLmZ2YnVuZGxl," + relay_metadata(usb, org, org.coordinator_key)
    assert coordinator.upload(usb, metadata=metadata).body["sequence"] == 1
    coordinator.close()


def test_upload_metadata_that_breaks_the_tus_rules_is_refused_with_its_own_code(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    """Review 9 F9. tus 1.0: "All keys MUST be unique". Before, the first
    ``relay-signature`` won (a valid one followed by junk was taken, the
    reverse refused); and an overlong header on a plain upload was refused
    as ``relay-statement``, which says nothing of what was wrong."""
    coordinator = _coordinator(server, org)
    worker, _worker_key = enrolled(server, org)
    usb = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    valid = relay_metadata(usb, org, org.coordinator_key)
    twice = [
        f"{valid},relay-signature !!!!",
        f"relay-signature !!!!,{valid}",
        f"{valid},{valid}",
        "filename YQ==,filename Yg==",
    ]
    for metadata in twice:
        assert refusal(coordinator.create_upload, 100, metadata=metadata) == (400, "upload-metadata")
    # A plain upload naming a long file name: the header's size is what is wrong.
    long_name = "filename " + "QUFB" * 1100
    assert refusal(worker.create_upload, 100, metadata=long_name) == (400, "upload-metadata")
    assert refusal(coordinator.create_upload, 100, metadata="relay-signature " + "A" * 5000) == (
        400,
        "upload-metadata",
    )
    # Keys are case-sensitive (tus gives them no case rule): another
    # spelling is another key, ignored, so the relay has no statement.
    other_case = "Relay-Signature " + valid.partition(" ")[2]
    assert refusal(coordinator.upload, usb, metadata=other_case) == REFUSED
    # A trailing comma names nothing: the statement alone counts.
    assert coordinator.upload(usb, metadata=valid + ",").body["sequence"] == 1
    for client in (coordinator, worker):
        client.close()


def test_a_field_device_cannot_hand_the_server_a_relay_statement(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    """Review 9 F6: only a coordinator relays, so only a coordinator's
    session may give a statement; before, a worker's upload took any 64
    bytes under that key and the server stored them."""
    worker, worker_key = enrolled(server, org)
    own = _bundle(tmp_path, org, worker_key)
    metadata = relay_metadata(own, org, worker_key)
    assert refusal(worker.create_upload, own.stat().st_size, metadata=metadata) == (
        400,
        "relay-not-coordinator",
    )
    assert refusal(worker.create_upload, 100, metadata="relay-signature " + "QUFB" * 21 + "QQ==") == (
        400,
        "relay-not-coordinator",
    )
    with _server_db(server).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM uploads")).scalar_one() == 0
    # Without it, the worker's own bundle goes as always.
    assert worker.upload(own).body["device_id"] == device_id(worker_key)
    worker.close()


def _server_db(server: RunningServer) -> Engine:
    return open_engine(database_url(server.data, BACKEND.db))


def test_the_server_keeps_no_relay_statement_once_an_upload_ends(
    tmp_path: Path, server: RunningServer, org: Org
) -> None:
    """Review 9 F6/F7. A checked statement is proof, verifiable by anyone
    with the profile, that the maker's bundle passed through this desk by
    hand; a breached server must not hold it. Only ``relayed_by`` stays.
    Before, the accepted bundle kept it (``bundles.relay_signature``) and
    every upload row kept its own, refused ones included."""
    coordinator = _coordinator(server, org)
    maker = Ed25519PrivateKey.generate()
    usb = _bundle(tmp_path, org, maker)
    statement = relay_metadata(usb, org, org.coordinator_key)
    relayed = coordinator.upload(usb, metadata=statement)
    # Refused: a fork at the same number with its own valid statement
    # (bundle-conflict), and a stranger's bundle with a forged one.
    fork = _bundle(tmp_path, org, maker)
    assert refusal(coordinator.upload, fork, metadata=relay_metadata(fork, org, org.coordinator_key)) == (
        409,
        "bundle-conflict",
    )
    stranger = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
    forged = relay_metadata(stranger, org, Ed25519PrivateKey.generate(), org.coordinator_id)
    assert refusal(coordinator.upload, stranger, metadata=forged) == REFUSED
    # One still receiving keeps its statement until its last byte.
    pending = coordinator.create_upload(usb.stat().st_size, metadata=statement)

    engine = _server_db(server)
    with engine.connect() as conn:
        uploads = conn.execute(text("SELECT state, relay_signature FROM uploads")).all()
        bundle_columns = {c["name"] for c in inspect(conn).get_columns("bundles")}
        relayer = conn.execute(
            text("SELECT relayed_by FROM bundles WHERE bundle_id = :b"), {"b": relayed.bundle_id}
        ).scalar_one()
    assert sorted((state, signature is not None) for state, signature in uploads) == [
        ("done", False),
        ("receiving", True),
        ("refused", False),
        ("refused", False),
    ]
    assert "relay_signature" not in bundle_columns
    assert relayer == org.coordinator_id
    coordinator.request("DELETE", pending, headers={"Tus-Resumable": "1.0.0"})
    coordinator.close()


def test_a_refused_upload_is_removed_at_its_expiry(tmp_path: Path, org: Org) -> None:
    """server.md §4: a refused upload's bytes go at once, its row (no
    statement) at the upload's expiry; before, refused rows stayed for good."""
    ttl = Limits(upload_ttl_ms=3_000)
    with running_server(
        tmp_path / "ttl", org.profile.fingerprint, profile=org.signed.signed, limits=ttl
    ) as server:
        coordinator = _coordinator(server, org)
        usb = _bundle(tmp_path, org, Ed25519PrivateKey.generate())
        location = coordinator.create_upload(usb.stat().st_size)  # no statement: refused
        assert refusal(coordinator.upload, usb, location=location) == REFUSED
        assert refusal(coordinator.offset, location) == (410, "upload-refused")
        time.sleep(3.2)
        coordinator.create_upload(100)  # an upload's creation sweeps the expired ones
        assert refusal(coordinator.offset, location) == (404, "upload-unknown")
        with _server_db(server).connect() as conn:
            states = conn.execute(text("SELECT state FROM uploads")).scalars().all()
        assert states == ["receiving"]
        coordinator.close()


def test_the_statement_is_the_documented_message() -> None:
    """docs/server.md §4, built here from the text alone: the domain, then
    the members in JCS (sorted keys, no spaces; these are ASCII strings and
    an integer), signed with Ed25519 by the coordinator's device key."""
    key = Ed25519PrivateKey.generate()
    statement = RelayStatement(
        org_id="0f2a6c1e-58b4-4e5f-9d0c-7a3b2e1f4c5d",
        relayer_id="a" * 32,
        bundle_id="b" * 64,
        device_id="c" * 32,
        sequence=7,
        payload_sha256="d" * 64,
    )
    members = {
        "org_id": statement.org_id,
        "relayer_id": statement.relayer_id,
        "bundle_id": statement.bundle_id,
        "device_id": statement.device_id,
        "sequence": 7,
        "payload_sha256": statement.payload_sha256,
    }
    documented = b"fieldvault-server-relay/1\n" + json.dumps(
        members, sort_keys=True, separators=(",", ":")
    ).encode("ascii")
    assert statement.message() == documented
    signature = statement.sign(key)
    key.public_key().verify(signature, documented)  # raises if not
    public = key.public_key().public_bytes_raw()
    assert statement.signed_by(public, signature)
    assert not statement.signed_by(public, None)
    assert not statement.signed_by(public, signature[:-1] + bytes([signature[-1] ^ 1]))
    assert signature_in(upload_metadata(signature)) == signature


def test_migration_0007_empties_what_a_0006_server_kept(tmp_path: Path) -> None:
    """A server that ran 0006 kept each accepted relay's statement with its
    bundle and every ended upload's with the upload; 0007 leaves only
    ``relayed_by`` and the statements of uploads still receiving."""
    _migrate_0006_data(sqlite_url(tmp_path / "server.db"))


def test_migration_0007_on_postgresql(postgres_url: str) -> None:
    _migrate_0006_data(postgres_url)


def _migrate_0006_data(url: str) -> None:
    engine = open_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
    signature = b"\x07" * 64
    with engine.begin() as conn:
        for upload_id, state in (("a" * 32, "done"), ("b" * 32, "refused"), ("c" * 32, "receiving")):
            conn.execute(
                text(
                    "INSERT INTO uploads (upload_id, device_id, length, created_ms, expires_ms, state,"
                    " relay_signature) VALUES (:u, :d, 1, 0, 0, :s, :sig)"
                ),
                {"u": upload_id, "d": "d" * 32, "s": state, "sig": signature},
            )
        conn.execute(
            text(
                "INSERT INTO bundles (bundle_id, device_id, sequence, profile_version, payload_sha256,"
                " file_sha256, size, bundle_key, upload_id, state, received_ms, relayed_by,"
                " relay_signature) VALUES (:b, :d, 1, 1, :h, :h, 1, :k, :u, 'committed', 0, :r, :sig)"
            ),
            {
                "b": "e" * 64,
                "d": "d" * 32,
                "h": "0" * 64,
                "k": "f" * 32,
                "u": "a" * 32,
                "r": "9" * 32,
                "sig": signature,
            },
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT state, relay_signature FROM uploads")).all()
        kept = {str(state): signature for state, signature in rows}
        bundle_columns = {c["name"] for c in inspect(conn).get_columns("bundles")}
        relayer = conn.execute(text("SELECT relayed_by FROM bundles")).scalar_one()
    assert kept == {"done": None, "refused": None, "receiving": signature}
    assert "relay_signature" not in bundle_columns and relayer == "9" * 32
