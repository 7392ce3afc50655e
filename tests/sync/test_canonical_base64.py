"""Every reader of a base64 field that comes from outside (a signature, a
key, a token, a signed entry) takes only its one canonical spelling
(db/strict_b64.py) and refuses any other with its own documented refusal.

Python's decoders read ``...Q==`` and ``...R==`` as the same bytes (the
unused low bits of the last character), and drop or forgive padding: a
signed object rewritten so is other bytes on disk or on the wire with the
same signature. Each test below takes a genuine object made by the real
writer, checks that it reads, then rewrites one base64 field in every other
spelling of the same bytes (flipped unused bits; padding dropped or added
where the form forbids it) and checks that the reader refuses it with its
code. Where the field is inside signed bytes (a key in a revision, a
profile, an export manifest), the rewritten object is signed again by the
real key: the spelling is then the only thing wrong with it."""

from __future__ import annotations

import base64
import hashlib
import json
import string
import uuid
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyrage
import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from db.api import strict_b64decode, strict_b64url_decode
from db.custody import SIGNATURE_DOMAIN as CUSTODY_DOMAIN
from db.device import DeviceIdentity
from db.errors import ImportRejected, RevisionRejected
from db.hlc import Timestamp
from db.revisions import SIGNATURE_DOMAIN as REVISION_DOMAIN
from db.revisions import canonical_json, create_revision, revision_from_wire
from db.vault import Vault
from sync import org
from sync.acks import Acknowledgement, AckRefused, read_ack, sign_ack
from sync.bundle import BundleRejected
from sync.bundle.carried_receipts import receipt_of
from sync.bundle.format import (
    MAGIC,
    CarriedReceipt,
    LapsedDevice,
    VouchedDevice,
    canonical,
    parse_manifest,
    sign_header,
    wire_signed_bytes,
)
from sync.bundle.reader import check_bundle
from sync.bundle.writer import build_manifest
from sync.enrolment_proof import held_token
from sync.exports.signing import ManifestInvalid, sign_manifest, verify_manifest
from sync.org import Coordinator, OrgRefused
from sync.server.protocol import b64
from sync.server.receipts import Receipt, ReceiptInvalid, make_entry, sign_entry
from sync.server.relay_statement import MetadataForm, signature_in, upload_metadata
from tests.db.sync_fixtures import FieldWork, field_fixture  # noqa: F401 - the fixture "field"
from tests.sync.bundle_samples import device_from_seed, sample, write_sample

STANDARD = string.ascii_uppercase + string.ascii_lowercase + string.digits + "+/"
URLSAFE = STANDARD[:62] + "-_"


def other_spellings(text: str, *, url: bool = False) -> list[str]:
    """Every other way a lenient reader would take ``text``: the unused low
    bits of its last character flipped one at a time (the same bytes: the
    case the clean-clone CI found), padding dropped (standard base64 pads),
    padding added (base64url here is unpadded) or one ``=`` too many."""
    alphabet = URLSAFE if url else STANDARD
    data = text.rstrip("=")
    padding = text[len(data) :]
    # 4 characters carry 3 bytes: 2 left over characters hold 1 byte (4 bits
    # unused), 3 hold 2 bytes (2 bits unused).
    unused = {0: 0, 2: 4, 3: 2}[len(data) % 4]
    spellings = [
        data[:-1] + alphabet[alphabet.index(data[-1]) ^ (1 << bit)] + padding for bit in range(unused)
    ]
    if url:
        if len(data) % 4:
            spellings.append(data + "=" * (-len(data) % 4))
    else:
        if padding:
            spellings.append(data)
        spellings.append(text + "=")
    return spellings


def lenient(text: str, *, url: bool = False) -> bytes:
    """What Python's own decoder makes of a spelling (padding forgiven)."""
    padded = text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4)
    return base64.urlsafe_b64decode(padded) if url else base64.b64decode(padded)


def test_the_spellings_are_the_same_bytes_to_a_lenient_reader() -> None:
    """The rewrites below are the attack: other text, the same bytes."""
    signature = Ed25519PrivateKey.generate().sign(b"x")
    for url in (False, True):
        text = base64.urlsafe_b64encode(signature).decode().rstrip("=") if url else b64(signature)
        flipped = [s for s in other_spellings(text, url=url) if s.rstrip("=") != text.rstrip("=")]
        assert len(flipped) == 4  # 64 bytes: 4 unused bits in the last character
        assert all(lenient(s, url=url) == signature for s in other_spellings(text, url=url))


# -- the helper itself -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=70))
def test_canonical_text_reads_and_every_other_spelling_is_refused(data: bytes) -> None:
    standard = base64.b64encode(data).decode()
    urlsafe = base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert strict_b64decode(standard) == data and strict_b64decode(standard, len(data)) == data
    assert strict_b64url_decode(urlsafe) == data
    assert strict_b64decode(standard, len(data) + 1) is None
    for spelling in other_spellings(standard) if data else ["="]:
        assert strict_b64decode(spelling) is None, spelling
    for spelling in other_spellings(urlsafe, url=True) if data else ["="]:
        assert strict_b64url_decode(spelling) is None, spelling
    # Whitespace and the other alphabet are refused too, not skipped.
    for spelling in (standard + "\n", " " + standard, standard.replace("+", "-").replace("/", "_")):
        if spelling != standard:
            assert strict_b64decode(spelling) is None
    if urlsafe != urlsafe.replace("-", "+").replace("_", "/"):
        assert strict_b64url_decode(urlsafe.replace("-", "+").replace("_", "/")) is None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=STANDARD + "-_= \n", max_size=12))
def test_whatever_reads_is_exactly_the_writer_s_text(text: str) -> None:
    raw = strict_b64decode(text)
    assert raw is None or base64.b64encode(raw).decode() == text
    raw = strict_b64url_decode(text)
    assert raw is None or base64.urlsafe_b64encode(raw).decode().rstrip("=") == text


def test_what_is_not_ascii_text_is_refused() -> None:
    for value in (None, 42, b"AAAA", "AAA\u00e9", "ＡＡＡＡ"):
        assert strict_b64decode(value) is None
        assert strict_b64url_decode(value) is None


# -- acknowledgements (sync/acks.py): ack-form -------------------------------------------------


def test_an_acknowledgement_reads_only_in_its_canonical_spelling() -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    ack = Acknowledgement(str(uuid.uuid4()), "1" * 32, "2" * 64, 3, org.device_id_of(public), public, 4)
    genuine = sign_ack(ack, key)
    assert read_ack(genuine) == ack
    envelope = json.loads(genuine)
    for spelling in other_spellings(envelope["signature"]):
        with pytest.raises(AckRefused) as refused:
            read_ack(rfc8785.dumps({**envelope, "signature": spelling}))
        assert refused.value.code == "ack-form", spelling
    for spelling in other_spellings(envelope["ack"]["coordinator_key"]):
        body = {**envelope["ack"], "coordinator_key": spelling}
        # Signed again over the rewritten body: the spelling alone is wrong.
        signature = key.sign(b"fieldvault-bundle-ack/1\n" + rfc8785.dumps(body))
        with pytest.raises(AckRefused) as refused:
            read_ack(rfc8785.dumps({"ack": body, "signature": b64(signature)}))
        assert refused.value.code == "ack-form", spelling


# -- the bundle header and inner manifest (sync/bundle/format.py): header-form, archive-form -----


def test_a_bundle_whose_header_key_is_respelled_is_refused_header_form(tmp_path: Path) -> None:
    """The whole file, as a server checks it (check_bundle): the header
    rewritten and signed again by the device's own key."""
    identity = pyrage.x25519.Identity.generate()
    path = tmp_path / "genuine.fvbundle"
    made = write_sample(path, [str(identity.to_public())])
    data = path.read_bytes()
    assert check_bundle(path).header.device_key == made.device.public_key
    size = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "big")
    start = len(MAGIC) + 4
    header = json.loads(data[start : start + size])
    payload = data[start + size + 64 :]
    for spelling in other_spellings(header["device_key"]):
        header_bytes = canonical({**header, "device_key": spelling})
        forged = tmp_path / "respelled.fvbundle"
        forged.write_bytes(
            MAGIC
            + len(header_bytes).to_bytes(4, "big")
            + header_bytes
            + sign_header(made.device.private_key, header_bytes)
            + payload
        )
        with pytest.raises(BundleRejected) as refused:
            check_bundle(forged)
        assert refused.value.reason == "header-form", spelling


def _manifest_with_every_base64_member() -> dict[str, Any]:
    made = sample()
    vouched = device_from_seed(b"vouched device").public_key
    lapsed = device_from_seed(b"lapsed device").public_key
    server_key = Ed25519PrivateKey.generate()
    entry = make_entry(1, "0" * 64, {"bundle_id": "3" * 64})
    manifest = replace(
        build_manifest(made.contents, made.device.device_id),
        devices=(VouchedDevice(vouched, "age1" + "q" * 58),),
        lapsed=(LapsedDevice(lapsed),),
        receipts=(CarriedReceipt(1, entry, sign_entry(server_key, entry)),),
    )
    return manifest.to_json()


def test_an_inner_manifest_reads_only_canonical_keys_and_receipts() -> None:
    genuine = _manifest_with_every_base64_member()
    read = parse_manifest(canonical(genuine))
    assert read.devices and read.lapsed and read.receipts
    places: list[tuple[str, str]] = [
        ("devices", "device_key"),
        ("lapsed", "device_key"),
        ("receipts", "entry"),
        ("receipts", "signature"),
    ]
    for member, name in places:
        for spelling in other_spellings(genuine[member][0][name]):
            changed = json.loads(json.dumps(genuine))
            changed[member][0][name] = spelling
            with pytest.raises(BundleRejected) as refused:
                parse_manifest(canonical(changed))
            assert refused.value.reason == "archive-form", (member, name, spelling)


def test_a_wire_item_reads_only_in_its_canonical_spelling() -> None:
    """Revision and custody lines of a payload and of a hand-over
    (``wire_signed_bytes``): refused as ``revision:<id>`` / ``custody:<hash>``."""
    made = sample()
    for kind, key, wire in (
        ("revision", "id", next(iter(made.contents.revisions))),
        ("custody", "hash", next(iter(made.contents.custody))),
    ):
        assert hashlib.sha256(wire_signed_bytes(wire, key, kind)).hexdigest() == wire[key]
        for name in ("signed", "signature"):
            for spelling in other_spellings(wire[name]):
                with pytest.raises(BundleRejected) as refused:
                    wire_signed_bytes({**wire, name: spelling}, key, kind)
                assert refused.value.reason == f"{kind}:{wire[key]}", (kind, name, spelling)


# -- revisions and custody events (db/revisions.py, db/custody.py, db/sync_import.py) ----------


def _device() -> DeviceIdentity:
    return device_from_seed(b"canonical base64 device")


def _revision_wire(device: DeviceIdentity) -> dict[str, str]:
    return create_revision(
        device,
        entity_id="01936f3e-8a00-7000-8000-0000000000c1",
        entity_type="case",
        op="put",
        body={"title": "A case"},
        parents=[],
        hlc=Timestamp(1_764_400_000_000, 0),
    ).to_wire()


def test_a_revision_reads_only_in_its_canonical_spelling() -> None:
    device = _device()
    wire = _revision_wire(device)
    assert revision_from_wire(wire, frozenset({"case"})).revision_id == wire["id"]
    for name in ("signed", "signature"):
        for spelling in other_spellings(wire[name]):
            with pytest.raises(RevisionRejected) as refused:
                revision_from_wire({**wire, name: spelling}, frozenset({"case"}))
            assert refused.value.code == "revision-rejected"
            assert refused.value.reason == "malformed wire encoding", (name, spelling)


def test_a_revision_whose_signed_key_is_respelled_is_refused() -> None:
    """The device signs an envelope naming its own key in another spelling:
    other signed bytes (another revision id) for the same key and content."""
    device = _device()
    envelope = json.loads(base64.b64decode(_revision_wire(device)["signed"]))
    for spelling in other_spellings(envelope["key"]):
        signed = canonical_json({**envelope, "key": spelling})
        wire = {
            "id": hashlib.sha256(signed).hexdigest(),
            "signed": b64(signed),
            "signature": b64(device.sign(REVISION_DOMAIN + signed)),
        }
        with pytest.raises(RevisionRejected) as refused:
            revision_from_wire(wire, frozenset({"case"}))
        assert refused.value.reason == "bad public key", spelling


def test_a_revision_whose_signed_ids_end_in_a_newline_is_refused() -> None:
    """Hex and UUID ids in a revision's signed bytes are exact too: a
    pattern ending in ``$`` also matched ``"<id>\\n"``, another id than the
    one it spells (an entity of its own, a parent no revision has)."""
    device = _device()
    case = "01936f3e-8a00-7000-8000-0000000000c1"
    genuine = revision_from_wire(_revision_wire(device), frozenset({"case"}))
    for entity_id, parents, reason in (
        (case + "\n", [], "bad entity id"),
        (case, [genuine.revision_id + "\n"], "bad parent list"),
    ):
        wire = create_revision(
            device,
            entity_id=entity_id,
            entity_type="case",
            op="put",
            body={"title": "A case"},
            parents=parents,
            hlc=Timestamp(1_764_400_000_001, 0),
        ).to_wire()
        with pytest.raises(RevisionRejected) as refused:
            revision_from_wire(wire, frozenset({"case"}))
        assert refused.value.reason == reason, (entity_id, parents)


def _resigned_custody(event: dict[str, str], device: DeviceIdentity, key_text: str) -> dict[str, str]:
    envelope = json.loads(base64.b64decode(event["signed"]))
    signed = canonical_json({**envelope, "key": key_text})
    return {
        "hash": hashlib.sha256(signed).hexdigest(),
        "signed": b64(signed),
        "signature": b64(device.sign(CUSTODY_DOMAIN + signed)),
    }


def test_a_custody_event_reads_only_in_its_canonical_spelling(vault: Vault, field: FieldWork) -> None:
    vault.sync.put_device(field.as_device())
    (event,) = field.custody()
    identity = field.vault.services.context.identity
    envelope = json.loads(base64.b64decode(event["signed"]))
    respelled = [
        ({**event, name: spelling}, "malformed wire encoding")
        for name in ("signed", "signature")
        for spelling in other_spellings(event[name])
    ] + [
        (_resigned_custody(event, identity, spelling), "malformed")
        for spelling in other_spellings(envelope["key"])
    ]
    for wire, reason in respelled:
        with pytest.raises(ImportRejected) as refused, vault.sync.begin_import() as unit:
            unit.add_custody_events([wire])
        assert refused.value.code == "custody-event-rejected"
        assert refused.value.reason == reason, (wire, refused.value.reason)
    with vault.sync.begin_import() as unit:  # the genuine event still arrives
        assert unit.add_custody_events([event]) == 1


# -- the organisation profile, tokens, device cards, enrolment payloads (sync/org.py) ------------


def _organisation() -> tuple[Ed25519PrivateKey, org.Profile]:
    key = Ed25519PrivateKey.generate()
    public = org.public_bytes(Ed25519PrivateKey.generate())
    coordinator = Coordinator(org.device_id_of(public), public, "age1" + "q" * 58, "desk")
    profile = org.new_profile("Field Org", key, coordinator)
    server = org.check_server(
        "https://fv.example", "ab" * 32, b64(org.public_bytes(Ed25519PrivateKey.generate()))
    )
    return key, replace(profile, server=server)


def test_a_profile_reads_only_in_its_canonical_spelling() -> None:
    key, profile = _organisation()
    signed = org.sign_profile(profile, key).signed
    assert org.read_profile(signed, expected_fingerprint=profile.fingerprint) == profile
    envelope = json.loads(signed)
    for spelling in other_spellings(envelope["signature"]):
        with pytest.raises(OrgRefused) as refused:
            org.read_profile(org.canonical({**envelope, "signature": spelling}), org_key=profile.org_key)
        assert refused.value.code == "org-profile-form", spelling

    def respelled(body: dict[str, Any]) -> bytes:
        signature = key.sign(
            org.PROFILE_DOMAIN + org.canonical(body)
        )  # signed again: only the spelling is wrong
        return org.canonical({"profile": body, "signature": b64(signature)})

    body = envelope["profile"]
    bodies = [{**body, "org_key": s} for s in other_spellings(body["org_key"])]
    bodies += [
        {**body, "server": {**body["server"], "receipt_key": s}}
        for s in other_spellings(body["server"]["receipt_key"])
    ]
    bodies += [
        {**body, "coordinators": [{**body["coordinators"][0], "device_key": s}]}
        for s in other_spellings(body["coordinators"][0]["device_key"])
    ]
    assert len(bodies) >= 9
    for changed in bodies:
        with pytest.raises(OrgRefused) as refused:
            org.read_profile(respelled(changed), org_key=profile.org_key)
        assert refused.value.code == "org-profile-form"


def test_a_token_reads_only_in_its_canonical_spelling() -> None:
    key, profile = _organisation()
    token = org.make_token(key, profile.org_id, expires_ms=2**40)
    assert org.read_token(token.text, profile.org_key, profile.org_id, now_ms=0) == token
    held = held_token(token.text)
    assert held is not None and held.token_id == token.token_id
    prefix, payload, signature = token.text.split(".")
    texts = [f"{prefix}.{s}.{signature}" for s in other_spellings(payload, url=True)]
    texts += [f"{prefix}.{payload}.{s}" for s in other_spellings(signature, url=True)]
    assert len(texts) >= 5
    for text in texts:
        with pytest.raises(OrgRefused) as refused:
            org.read_token(text, profile.org_key, profile.org_id, now_ms=0)
        assert refused.value.code == "token-form", text
        # What a worker's vault keeps of its token (the enrolment proof's key)
        # is read as strictly: no proof is made from another spelling.
        assert held_token(text) is None, text


def test_a_device_card_reads_only_in_its_canonical_spelling() -> None:
    card = org.device_card(device_from_seed(b"card").public_key, "age1" + "q" * 58)
    assert org.read_device_card(card.text) == card
    prefix, key, recipient = card.text.split(".")
    for spelling in other_spellings(key, url=True):
        with pytest.raises(OrgRefused) as refused:
            org.read_device_card(f"{prefix}.{spelling}.{recipient}")
        assert refused.value.code == "org-device-card-form", spelling


def test_an_enrolment_payload_reads_only_in_its_canonical_spelling() -> None:
    key, profile = _organisation()
    # A profile whose compressed bytes leave unused bits in the last character.
    for n in range(12):
        named = replace(profile, name=f"Field Org {'x' * n}")
        signed = org.sign_profile(named, key).signed
        if len(zlib.compress(signed, 9)) % 3:
            break
    text = org.enrol_payload_text(signed, named.fingerprint)
    assert org.read_enrol_payload(text).signed == signed
    head, _, p = text.rpartition("&p=")
    spellings = other_spellings(p, url=True)
    assert len(spellings) >= 3
    for spelling in spellings:
        with pytest.raises(OrgRefused) as refused:
            org.read_enrol_payload(f"{head}&p={spelling}")
        assert refused.value.code == "org-enrol-payload-form", spelling


# -- what the server signs: receipts, relay statements; export manifests --------------------------


def test_a_server_receipt_reads_only_in_its_canonical_spelling() -> None:
    server_key = Ed25519PrivateKey.generate()
    entry = make_entry(1, "0" * 64, {"bundle_id": "3" * 64})
    genuine = Receipt(1, entry, sign_entry(server_key, entry)).to_json()
    assert Receipt.from_json(genuine).entry == entry
    stored = receipt_of(json.dumps(genuine))  # as a worker's vault keeps it
    assert stored is not None and stored.entry == entry
    for name in ("entry", "signature"):
        for spelling in other_spellings(genuine[name]):
            with pytest.raises(ReceiptInvalid):
                Receipt.from_json({**genuine, name: spelling})
            assert receipt_of(json.dumps({**genuine, name: spelling})) is None, (name, spelling)


def test_a_relay_statement_reads_only_in_its_canonical_spelling() -> None:
    signature = Ed25519PrivateKey.generate().sign(b"relayed")
    metadata = upload_metadata(signature)
    assert signature_in(metadata) == signature
    name, _, text = metadata.partition(" ")
    for spelling in other_spellings(text):
        with pytest.raises(MetadataForm):
            signature_in(f"{name} {spelling}")


def test_an_export_manifest_reads_only_with_its_key_in_canonical_spelling() -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    manifest = {
        "device": hashlib.sha256(public).digest()[:16].hex(),
        "key": b64(public),
        "content_sha256": "0" * 64,
    }
    assert verify_manifest(*sign_manifest(key, manifest)) == manifest
    for spelling in other_spellings(manifest["key"]):
        with pytest.raises(ManifestInvalid):
            verify_manifest(*sign_manifest(key, {**manifest, "key": spelling}))
