"""Content Credentials (C2PA) read at intake (db/c2pa_read.py, docs/chain-of-custody.md).

A JPEG made here with Pillow is signed here with c2pa's Builder and a
certificate chain made here with ``cryptography`` (a test CA and an ES256
leaf; nothing is committed, no trust list is needed: Fieldvault configures
none). Ingested, the item's claims and its intake custody event say "valid"
and name the signer; the same file with one byte of its image data flipped
after signing says "invalid" with c2pa's reason; an unsigned file says "no
manifest". The stored bytes are always the file's own, unchanged.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from db import c2pa_read, sandbox
from db.c2pa_read import READ_AS, content_credentials, summary_of
from db.sandbox import Limits, SandboxRun
from db.vault import Vault
from desktop.evidence_item import EvidenceItemView
from tests.evidence_samples import make_corrupt_jpeg
from tests.factory import make_case
from tests.gui_helpers import in_ukrainian, screenshot
from tests.sandbox_helpers import stand_in_child

SIGNER_NAME = "Field Camera 7"
SIGNER_ORG = "Kharkiv Documentation Group"
CA_NAME = "Test Root CA"
AUTHOR = "CANARY-Olena-Kovalenko-Izium"  # must never reach a log, stdout or stderr
CAPTURED = "2026-03-01T10:00:00Z"
LATITUDE, LONGITUDE = "49,12.5N", "37,14.9E"


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def _usage(*, sign: bool, certs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certs,
        crl_sign=certs,
        encipher_only=False,
        decipher_only=False,
    )


@pytest.fixture(scope="module")
def signer_material() -> tuple[bytes, bytes]:
    """(leaf + CA certificate chain as PEM, the leaf's PKCS#8 private key as
    PEM): what C2PA's ES256 signing takes. The leaf has what c2pa-rs checks for
    a signing certificate: digitalSignature, an allowed EKU, key identifiers."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(CA_NAME, "Fieldvault tests")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(sign=False, certs=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNER_NAME, SIGNER_ORG))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True, certs=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return chain, private


MANIFEST = {
    "claim_generator_info": [{"name": "Test Camera App", "version": "2.1"}],
    "title": "photo.jpg",
    "assertions": [
        {
            "label": "c2pa.actions",
            "data": {
                "actions": [
                    {
                        "action": "c2pa.created",
                        "when": CAPTURED,
                        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
                    }
                ]
            },
        },
        {
            "label": "stds.schema-org.CreativeWork",
            "data": {
                "@context": "https://schema.org",
                "@type": "CreativeWork",
                "author": [{"@type": "Person", "name": AUTHOR}],
            },
        },
        {
            "label": "stds.exif",
            "data": {
                "@context": {"exif": "http://ns.adobe.com/exif/1.0/"},
                "exif:GPSLatitude": LATITUDE,
                "exif:GPSLongitude": LONGITUDE,
            },
        },
    ],
}


def plain_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (96, 64), (40, 90, 160)).save(out, "JPEG", quality=90)
    return out.getvalue()


def signed_jpeg(material: tuple[bytes, bytes]) -> bytes:
    chain, private = material
    info = c2pa.C2paSignerInfo(alg=b"es256", sign_cert=chain, private_key=private, ta_url=None)
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder(MANIFEST) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(plain_jpeg()), out)
    return out.getvalue()


def flip_image_byte(jpeg: bytes) -> bytes:
    """One byte of the entropy-coded image data changed (after the last
    start-of-scan marker, far from the manifest in its APP11 segments)."""
    start = jpeg.rindex(b"\xff\xda") + 40
    position = next(i for i in range(start, len(jpeg) - 2) if jpeg[i] not in (0xFF, 0xFE, 0x00))
    changed = bytearray(jpeg)
    changed[position] ^= 0x01
    return bytes(changed)


@pytest.fixture(scope="module")
def signed(signer_material: tuple[bytes, bytes]) -> bytes:
    return signed_jpeg(signer_material)


def ingest(vault: Vault, path: Path):
    item = vault.evidence.ingest(path, make_case(vault).id).item
    (intake,) = [event for event in vault.evidence.custody(item.id) if event.action == "intake"]
    return item, intake


def stored_bytes(vault: Vault, evidence_id: str) -> bytes:
    with vault.evidence.open(evidence_id) as reader:
        return reader.read()


def test_a_signed_photo_is_valid_and_names_its_signer_in_claims_and_custody(
    vault: Vault, tmp_path: Path, signed: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(signed)
    item, intake = ingest(vault, source)

    claimed = item.claimed
    assert claimed["c2pa_state"] == "valid"
    assert claimed["c2pa_trusted"] == "no"  # no trust list: a self-made CA is not trusted
    assert claimed["c2pa_signer"] == f"{SIGNER_NAME}, {SIGNER_ORG}"
    assert claimed["c2pa_issuer"].startswith(CA_NAME)
    assert claimed["c2pa_claim_generator"] == "Test Camera App 2.1"
    assert claimed["c2pa_capture_time"] == CAPTURED
    assert claimed["c2pa_digital_source"] == "digitalCapture"
    assert claimed["c2pa_author"] == AUTHOR
    assert claimed["c2pa_location"] == f"{LATITUDE}; {LONGITUDE}"
    assert "c2pa_codes" not in claimed
    # The other claims are still read, beside them.
    assert (claimed["width"], claimed["height"]) == ("96", "64")

    # The signed intake event records the same result.
    assert intake.details["name"] == "photo.jpg"
    recorded = intake.details["content_credentials"]
    assert recorded["state"] == "valid" and recorded["signer"] == f"{SIGNER_NAME}, {SIGNER_ORG}"
    assert recorded == {key.removeprefix("c2pa_"): v for key, v in claimed.items() if key.startswith("c2pa_")}
    assert vault.verify().ok

    # The original bytes, untouched: the hash is the file's, the stored copy is the file.
    assert item.sha256 == hashlib.sha256(signed).hexdigest()
    assert source.read_bytes() == signed
    assert stored_bytes(vault, item.id) == signed

    # What the manifest holds never reached this process's stdout or stderr.
    out, err = capfd.readouterr()
    assert AUTHOR not in out and AUTHOR not in err
    assert SIGNER_NAME not in out and SIGNER_NAME not in err


def test_a_photo_changed_after_signing_is_invalid_with_the_reason(
    vault: Vault, tmp_path: Path, signed: bytes
) -> None:
    tampered = flip_image_byte(signed)
    source = tmp_path / "tampered.jpg"
    source.write_bytes(tampered)
    item, intake = ingest(vault, source)
    assert item.claimed["c2pa_state"] == "invalid"
    assert "assertion.dataHash.mismatch" in item.claimed["c2pa_codes"].split(", ")
    # The signer is still named (what the credentials claim), and the verdict is in custody.
    assert item.claimed["c2pa_signer"] == f"{SIGNER_NAME}, {SIGNER_ORG}"
    recorded = intake.details["content_credentials"]
    assert recorded["state"] == "invalid" and "assertion.dataHash.mismatch" in recorded["codes"]
    assert item.sha256 == hashlib.sha256(tampered).hexdigest()
    assert stored_bytes(vault, item.id) == tampered


def test_an_unsigned_photo_has_no_manifest(vault: Vault, tmp_path: Path) -> None:
    plain = plain_jpeg()
    source = tmp_path / "plain.jpg"
    source.write_bytes(plain)
    item, intake = ingest(vault, source)
    assert {key: v for key, v in item.claimed.items() if key.startswith("c2pa_")} == {
        "c2pa_state": "no manifest"
    }
    assert intake.details["content_credentials"] == {"state": "no manifest"}
    assert stored_bytes(vault, item.id) == plain


def test_a_changed_manifest_is_invalid_and_a_damaged_photo_is_not_read(tmp_path: Path, signed: bytes) -> None:
    # A byte of the signed claim data changed: the signature no longer matches.
    at = signed.index(b"c2pa.signature") + 300
    forged = tmp_path / "forged.jpg"
    forged.write_bytes(signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :])
    claims = content_credentials(forged, "image/jpeg")
    assert claims["c2pa_state"] == "invalid"
    assert "claimSignature.mismatch" in claims["c2pa_codes"].split(", ")
    # A truncated photo without any manifest is neither valid nor invalid.
    truncated = make_corrupt_jpeg(tmp_path / "truncated.jpg")
    claims = content_credentials(truncated, "image/jpeg")
    assert claims["c2pa_state"] == "not read"
    assert claims["c2pa_reason"].startswith("unreadable file (")


def test_a_type_c2pa_cannot_carry_is_not_given_to_it(vault: Vault, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("plain text notes\n")
    item, intake = ingest(vault, source)
    assert not any(key.startswith("c2pa_") for key in item.claimed)
    assert "content_credentials" not in intake.details


def _hanging_c2pa_child(monkeypatch: pytest.MonkeyPatch, marker: Path) -> None:
    """The intake's Content Credentials child answers in full, "valid" and
    signed by AUTHOR (a canary), then writes its pid to ``marker`` and hangs
    until it is killed: a reader that never ends, or a hostile file that
    took it over. The metadata child is the real one."""
    answer: list[dict[str, object]] = [{"c2pa": {"state": "valid", "signer": AUTHOR}}]
    stand_in_child(monkeypatch, c2pa_read.TASK, answer, hangs_after=marker)


def test_a_reader_that_fails_still_lets_the_file_in(
    vault: Vault, tmp_path: Path, signed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The C2PA child is past its wall time whatever the machine's speed: it
    # blocks until killed. (A 0.01 s limit raced a child forked by the
    # zygote, which read this photo in 13-21 ms here at load 1.6: a faster machine
    # would read it in time and get "valid".) Its answer, written before
    # the deadline, is not used.
    marker = tmp_path / "answered"
    _hanging_c2pa_child(monkeypatch, marker)
    # 3 s: room for the child to start and answer under load (checked below)
    monkeypatch.setattr(c2pa_read, "BASE_LIMITS", Limits(wall_seconds=3.0))
    source = tmp_path / "photo.jpg"
    source.write_bytes(signed)
    started = time.monotonic()
    item, intake = ingest(vault, source)
    assert time.monotonic() - started < 60  # killed at its wall time, not waited for
    assert marker.exists(), "the child had not answered by its deadline: the test proves nothing"
    assert not Path(f"/proc/{marker.read_text()}").exists()  # killed and reaped
    assert item.claimed["c2pa_state"] == "not read" and item.claimed["c2pa_reason"] == "timed out"
    assert not any(
        key.startswith("c2pa_") for key in item.claimed if key not in ("c2pa_state", "c2pa_reason")
    )
    assert intake.details["content_credentials"] == {"state": "not read", "reason": "timed out"}
    assert AUTHOR not in json.dumps(item.claimed) and AUTHOR not in json.dumps(intake.details)
    assert item.mime_type == "image/jpeg"  # the metadata child's (real) answer
    assert stored_bytes(vault, item.id) == signed
    assert sandbox.running() == 0


def test_the_child_answers_in_json_lines_only(tmp_path: Path, signed: bytes) -> None:
    """Whatever c2pa-rs might print goes nowhere: stdout carries one JSON line."""
    source = tmp_path / "photo.jpg"
    source.write_bytes(signed)
    with source.open("rb") as handle:
        output = SandboxRun("c2pa", "image/jpeg").run(stdin_file=handle)
    lines = output.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["c2pa"]["state"] == "valid"


def test_the_app_process_never_loads_the_c2pa_library(tmp_path: Path, signed: bytes) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(signed)
    script = (
        "import sys; from pathlib import Path; from db.capture import examine_file\n"
        f"mime, claims = examine_file(Path({str(source)!r}))\n"
        "assert claims['c2pa_state'] == 'valid', claims\n"
        "print('c2pa' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


def test_strings_from_the_manifest_are_made_harmless() -> None:
    """The file chose these bytes: no control or direction marks, bounded length."""
    store = {
        "active_manifest": "m",
        "validation_state": "Valid",
        "manifests": {
            "m": {
                "claim_generator_info": [{"name": "Cam\u202eera\x1b[31m", "version": "1\n2"}],
                "signature_info": {"common_name": "A" * 5000, "issuer": "Org\x00"},
                "assertions": [
                    {
                        "label": "stds.schema-org.CreativeWork",
                        "data": {"author": [{"name": f"x{i}"} for i in range(50)]},
                    }
                ],
            }
        },
        "validation_results": {
            "activeManifest": {
                "failure": [{"code": "signingCredential.untrusted"}, {"code": "<b>not a code</b>"}]
            }
        },
    }
    summary = summary_of(store)
    assert summary["state"] == "valid"  # an untrusted signer alone does not make it invalid
    assert "codes" not in summary  # the made-up code is dropped
    assert summary["claim_generator"] == "Cam era [31m 1 2"
    assert len(summary["signer"]) <= c2pa_read.MAX_TEXT
    assert summary["author"].count(";") == 4  # five authors at most
    for value in summary.values():
        assert not re.search(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]", value)


def test_the_types_given_to_c2pa_are_ones_it_reads() -> None:
    assert set(READ_AS.values()) <= set(c2pa.Reader.get_supported_mime_types())


# -- the evidence panel ---------------------------------------------------------------


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def show_item(qtbot, vault: Vault, evidence_id: str) -> EvidenceItemView:
    view = EvidenceItemView(vault, evidence_id)
    qtbot.addWidget(view)
    view.resize(760, 900)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_item_panel_says_valid_and_who_signed(qtbot, vault: Vault, tmp_path: Path, signed: bytes) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(signed)
    item, _intake = ingest(vault, source)
    view = show_item(qtbot, vault, item.id)
    text = view.credentials_label.text()
    assert view.credentials_label.isVisible()
    assert text.startswith("Content Credentials (claimed by the file): valid, signed by ")
    assert f"{SIGNER_NAME}, {SIGNER_ORG}" in text and "no trust list" in text
    table = view.claimed_table
    cells = [(table.item(row, 0), table.item(row, 1)) for row in range(table.rowCount())]
    rows = {label.text(): value.text() for label, value in cells if label is not None and value is not None}
    assert rows["Capture time (Content Credentials)"] == CAPTURED
    assert rows["Author (Content Credentials)"] == AUTHOR
    assert "c2pa_state" not in rows and "State" not in rows  # the verdict is said once, above
    screenshot(view, "evidence-content-credentials.png")


def test_the_item_panel_says_invalid_and_why(qtbot, vault: Vault, tmp_path: Path, signed: bytes) -> None:
    source = tmp_path / "tampered.jpg"
    source.write_bytes(flip_image_byte(signed))
    item, _intake = ingest(vault, source)
    view = show_item(qtbot, vault, item.id)
    text = view.credentials_label.text()
    assert text.startswith("Content Credentials (claimed by the file): invalid: ")
    assert "assertion.dataHash.mismatch" in text
    table = view.claimed_table
    cells = [(table.item(row, 0), table.item(row, 1)) for row in range(table.rowCount())]
    rows = {label.text(): value.text() for label, value in cells if label is not None and value is not None}
    # Who the broken credentials name is still shown, as what they claim.
    assert rows["Signer (Content Credentials)"] == f"{SIGNER_NAME}, {SIGNER_ORG}"
    screenshot(view, "evidence-content-credentials-invalid.png")


def test_the_item_panel_in_ukrainian(qtbot, vault: Vault, tmp_path: Path, signed: bytes, ukrainian) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(signed)
    item, _intake = ingest(vault, source)
    view = show_item(qtbot, vault, item.id)
    text = view.credentials_label.text()
    assert re.search("[А-Яа-яІіЇїЄє]", text) and SIGNER_NAME in text
    screenshot(view, "evidence-content-credentials-uk.png")
