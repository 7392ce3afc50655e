"""The independent verifier (tests/independent/vaultcheck.py: docs/ alone, no
Fieldvault import) passes a vault the real app made and fails on each kind of
tampering; what it relies on is quoted from docs/ and still written there."""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.independent import vaultcheck
from tests.independent.appdriver import PASSPHRASE, REPO, App, built_once, create_vault, new_app

SEGMENT = 1 << 20
VOCABULARY = frozenset(
    t["code"]
    for t in json.loads((REPO / "resources/vocabularies/violation_types.json").read_text(encoding="utf-8"))[
        "types"
    ]
)

# What the app does through its API that the CLI cannot: other record types,
# an edit, deletions, and two heads of one entity (a conflict).
API_WORK = """
from db.entities import Incident, Link, Person
from db.hlc import Timestamp
from db.revisions import create_revision
case_id = values["case"]
incident = vault.incidents.create(Incident(case_id=case_id, title="Shelling", date="2022-03",
    date_precision="month", place="Izium", latitude=49.2, longitude=37.25))
person = vault.persons.create(Person(case_id=case_id, name="Ім'я", pseudonym="W-1", roles=["witness"],
    sensitive={"born": "1970"}))
vault.links.create(Link(case_id=case_id, from_id=values["testimony"], to_id=incident.id, relation="describes"))
vault.testimonies.edit(values["testimony"], witness_id=person.id, incident_id=incident.id, title="W-1, edited")
doomed = vault.testimonies.edit(values["doomed"], title="to be deleted")
vault.testimonies.delete(doomed.id, reason="duplicate")
vault.evidence.delete(values["deleted_item"], reason="wrong case")
# A second head of the incident, as a second edit made from the same parent
# would give (the vault's own key signs it).
first = vault.incidents.history(incident.id)[-1]
edited = vault.incidents.edit(incident.id, title="Shelling, 7 March")
fork = create_revision(vault.services.context.identity, entity_id=incident.id, entity_type="incident",
    op="put", body={**first.body, "notes": "written on the other branch"}, parents=[first.revision_id],
    hlc=Timestamp(edited_ms := vault.incidents.history(incident.id)[0].hlc.ms, 0))
vault.revisions.apply([fork])
result = {"incident": incident.id, "conflicts": len(vault.revisions.conflicts())}
"""


FILES = {
    "empty.bin": b"",
    "one-segment.bin": bytes(range(256)) * (SEGMENT // 256),
    "one-segment-and-a-byte.bin": b"\x01" * (SEGMENT + 1),
    "photo.jpg": b"\xff\xd8\xff\xe0 not really a jpeg" * 100,
}


def make_vault(folder: Path) -> dict[str, Any]:
    """A vault the app made through its CLI and API, with what it printed.
    It is created with test-speed Argon2 (appdriver.create_vault: the ten
    commands after it would each spend a calibrated unlock); a vault `init`
    made, at the cost it calibrated, is checked by
    test_a_vault_init_made_opens_and_passes."""
    app = new_app(folder)
    created = create_vault(app)
    case = app.cli_json("case", "new", "Izium, March 2022")["id"]
    narrative = folder / "narrative.txt"
    narrative.write_text("Свідок бачив колону техніки. The witness saw a column.", encoding="utf-8")
    testimonies = [
        app.cli_json(
            "testimony", "new", "--case", case, "--narrative-file", str(narrative), "--language", "uk"
        )["id"]
        for _ in range(2)
    ]
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    ingested = app.cli(
        "ingest", *(str(folder / name) for name in FILES), "--case", case, "--source", "handed over on USB"
    )
    items = {row["sha256"]: row["id"] for row in map(json.loads, ingested.splitlines())}
    photo = items[hashlib.sha256(FILES["photo.jpg"]).hexdigest()]
    app.cli("evidence", "export", photo, str(folder / "exported.jpg"))
    # A consent record narrowed once, and the photo linked to the testimony (issue 15).
    consent = app.cli_json(
        "consent", "new", "--testimony", testimonies[0], "--scope", "documentation only",
        "--scope", "prosecution", "--anonymity",
    )["id"]  # fmt: skip
    app.cli("consent", "withdraw", consent, "--scope", "prosecution")
    app.cli("link", "evidence", photo, "--to", testimonies[0])
    api = app.api(
        API_WORK,
        case=case,
        testimony=testimonies[0],
        doomed=testimonies[1],
        deleted_item=items[hashlib.sha256(FILES["empty.bin"]).hexdigest()],
    )
    assert api["conflicts"] == 1
    app.cli("verify")
    log = json.loads(app.cli("custody", "export"))
    return {"vault": str(app.vault), "home": str(app.home), "created": created, "log": log, "items": items}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """make_vault's vault, built once per test run (appdriver.built_once):
    every test here reads it or changes a copy."""
    built = built_once(tmp_path_factory.getbasetemp(), "verifier", make_vault)
    app = App(Path(built["vault"]), Path(built["home"]))
    keys = vaultcheck.unlock(app.vault, PASSPHRASE)
    return built | {"app": app, "keys": keys, "files": FILES}


def examined(made: dict[str, Any], tmp_path: Path) -> Path:
    """A copy of the vault folder, as an examiner checks one."""
    copy = tmp_path / "copy"
    shutil.copytree(made["app"].vault, copy)
    return copy


def check(made: dict[str, Any], vault: Path) -> vaultcheck.Report:
    return vaultcheck.verify(
        vault, made["keys"], device_id=made["created"]["device_id"], vocabulary=VOCABULARY
    )


def test_an_honest_vault_passes(made: dict[str, Any], tmp_path: Path) -> None:
    report = check(made, examined(made, tmp_path))
    assert report.problems == []
    # entities.body is canonical JSON, byte for byte (not only the same JSON).
    assert report.notes == []
    assert report.counts["blobs"] == len(made["files"])
    assert report.counts["revisions"] >= 14
    assert report.counts["custody_events"] == len(made["log"])
    # The head it computes is the app's last event hash: one value to note down.
    assert report.custody_head == made["log"][-1]["hash"]


def test_a_vault_init_made_opens_and_passes(fresh_vault: tuple[App, dict[str, str]], tmp_path: Path) -> None:
    """`fieldvault init` with the Argon2 cost it calibrated (not the test
    cost the other vaults here use): the passphrase and the recovery key both
    open it, and an empty vault passes."""
    app, created = fresh_vault
    phrase = json.loads((app.vault / "vault.keys").read_text(encoding="utf-8"))["passphrase"]
    assert phrase["memory_kib"] >= 64 * 1024  # calibration's floor: not a test-speed vault
    keys = vaultcheck.unlock(app.vault, PASSPHRASE)
    assert vaultcheck.unlock_with_recovery_key(app.vault, created["recovery_key"]).master == keys.master
    copy = tmp_path / "copy"
    shutil.copytree(app.vault, copy)
    report = vaultcheck.verify(copy, keys, device_id=created["device_id"], vocabulary=VOCABULARY)
    assert report.problems == [] and report.notes == []


def test_the_recovery_key_opens_the_same_master_key(made: dict[str, Any]) -> None:
    recovery_key = made["created"]["recovery_key"]
    assert len(recovery_key) == 68
    assert len(recovery_key.replace("-", "")) == 55
    keys = vaultcheck.unlock_with_recovery_key(made["app"].vault, recovery_key)
    assert keys.master == made["keys"].master


def test_a_wrong_passphrase_opens_nothing(made: dict[str, Any]) -> None:
    with pytest.raises(vaultcheck.KeyFileError):
        vaultcheck.unlock(made["app"].vault, PASSPHRASE + "!")


def test_examining_does_not_change_the_vault_folder(made: dict[str, Any], tmp_path: Path) -> None:
    copy = examined(made, tmp_path)
    before = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    check(made, copy)
    assert {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def tamper(made: dict[str, Any], vault: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    connection = vaultcheck.open_database(vault / "vault.db", made["keys"])
    try:
        for sql, args in statements:
            connection.execute(sql, args)
    finally:
        connection.close()


def one(made: dict[str, Any], vault: Path, sql: str, *args: Any) -> Any:
    connection = vaultcheck.open_database(vault / "vault.db", made["keys"])
    try:
        return connection.execute(sql, args).fetchone()
    finally:
        connection.close()


def test_a_flipped_byte_in_a_blob_fails(made: dict[str, Any], tmp_path: Path) -> None:
    vault = examined(made, tmp_path)
    (blob_id,) = one(made, vault, "SELECT blob_id FROM blobs WHERE size = ?", SEGMENT + 1)
    path = vault / "blobs" / blob_id
    data = bytearray(path.read_bytes())
    data[36 + 1000] ^= 0x01
    path.write_bytes(bytes(data))
    report = check(made, vault)
    assert [(p.kind, p.subject) for p in report.problems] == [("blob", blob_id)]
    assert "segment 0" in report.problems[0].detail


def test_an_edited_revision_fails(made: dict[str, Any], tmp_path: Path) -> None:
    vault = examined(made, tmp_path)
    revision_id, signed = one(
        made, vault, "SELECT revision_id, signed FROM revisions WHERE entity_type = 'testimony' LIMIT 1"
    )
    edited = signed.replace("колону".encode(), "людей".encode())
    assert edited != signed
    tamper(made, vault, ("UPDATE revisions SET signed = ? WHERE revision_id = ?", (edited, revision_id)))
    report = check(made, vault)
    assert vaultcheck.Problem("revision", revision_id, "id does not match content") in report.problems


def test_a_revision_signed_by_another_key_fails(made: dict[str, Any], tmp_path: Path) -> None:
    """A stranger's revision, well formed and validly signed, put in as the
    testimony's new head with every derived table made to agree."""
    vault = examined(made, tmp_path)
    entity_id, head, body = one(
        made,
        vault,
        "SELECT entity_id, head_revision_id, body FROM entities WHERE entity_type = 'testimony' AND deleted = 0",
    )
    stranger = Ed25519PrivateKey.generate()
    public = stranger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    device = hashlib.sha256(public).digest()[:16].hex()
    new_body = json.loads(body) | {"narrative": "Nothing happened here."}
    signed = rfc8785.dumps(
        {
            "v": 1,
            "entity": entity_id,
            "type": "testimony",
            "op": "put",
            "body": new_body,
            "parents": [head],
            "hlc": [2**40, 0],
            "device": device,
            "key": base64.b64encode(public).decode("ascii"),
        }
    )
    revision_id = hashlib.sha256(signed).hexdigest()
    signature = stranger.sign(b"fieldvault-revision-v1\x00" + signed)
    tamper(
        made,
        vault,
        (
            "INSERT INTO revisions VALUES (?, ?, 'testimony', 'put', ?, 0, ?, ?, ?, NULL)",
            (revision_id, entity_id, 2**40, device, signed, signature),
        ),
        ("INSERT INTO revision_parents VALUES (?, ?)", (revision_id, head)),
        ("UPDATE heads SET revision_id = ? WHERE entity_id = ?", (revision_id, entity_id)),
        (
            "UPDATE entities SET head_revision_id = ?, body = ? WHERE entity_id = ?",
            (revision_id, json.dumps(new_body, ensure_ascii=False), entity_id),
        ),
    )
    report = check(made, vault)
    assert ("revision", revision_id) in [(p.kind, p.subject) for p in report.problems]
    assert "not by this vault's device key" in str(report.problems)


def test_an_edited_entities_row_fails(made: dict[str, Any], tmp_path: Path) -> None:
    vault = examined(made, tmp_path)
    entity_id, body = one(made, vault, "SELECT entity_id, body FROM entities WHERE entity_type = 'testimony'")
    shown = json.dumps(json.loads(body) | {"narrative": "Nothing happened here."}, ensure_ascii=False)
    tamper(made, vault, ("UPDATE entities SET body = ? WHERE entity_id = ?", (shown, entity_id)))
    report = check(made, vault)
    assert [(p.kind, p.subject) for p in report.problems] == [("entities", entity_id)]


def test_a_deleted_revision_row_fails(made: dict[str, Any], tmp_path: Path) -> None:
    vault = examined(made, tmp_path)
    entity_id, head = one(
        made, vault, "SELECT entity_id, head_revision_id FROM entities WHERE entity_type = 'person'"
    )
    tamper(made, vault, ("DELETE FROM revisions WHERE revision_id = ?", (head,)))
    report = check(made, vault)
    assert ("entities", entity_id) in [(p.kind, p.subject) for p in report.problems]


def test_evidence_pointed_at_another_items_bytes_fails(made: dict[str, Any], tmp_path: Path) -> None:
    vault = examined(made, tmp_path)
    photo = made["items"][hashlib.sha256(made["files"]["photo.jpg"]).hexdigest()]
    (other_blob,) = one(made, vault, "SELECT blob_id FROM blobs WHERE size = ?", SEGMENT)
    tamper(made, vault, ("UPDATE evidence_blobs SET blob_id = ? WHERE evidence_id = ?", (other_blob, photo)))
    report = check(made, vault)
    assert [(p.kind, p.subject) for p in report.problems] == [("evidence", photo)]


def test_a_custody_log_re_signed_with_another_key_fails(made: dict[str, Any], tmp_path: Path) -> None:
    vault = examined(made, tmp_path)
    forger = Ed25519PrivateKey.generate()
    public = forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    prev = "0" * 64
    statements: list[tuple[str, tuple[Any, ...]]] = []
    for event in made["log"]:
        envelope = json.loads(base64.b64decode(event["signed"])) | {
            "key": base64.b64encode(public).decode("ascii"),
            "device": hashlib.sha256(public).digest()[:16].hex(),
            "prev": prev,
        }
        signed = rfc8785.dumps(envelope)
        signature = forger.sign(b"fieldvault-custody-v1\x00" + signed)
        statements.append(
            (
                "UPDATE custody_events SET signed = ?, signature = ?, event_hash = ? WHERE seq = ?",
                (signed, signature, "x" + str(envelope["seq"]), envelope["seq"]),
            )
        )
        prev = hashlib.sha256(signed).hexdigest()
        statements.append(("UPDATE custody_events SET event_hash = ? WHERE seq = ?", (prev, envelope["seq"])))
    tamper(made, vault, *statements)
    report = check(made, vault)
    assert {p.kind for p in report.problems} == {"custody"}
    forged = {p.subject for p in report.problems if "not by this vault's device key" in p.detail}
    assert forged == {f"custody event {seq}" for seq in range(1, len(made["log"]) + 1)}


def test_every_passage_the_verifier_relies_on_is_in_the_docs(made: dict[str, Any], tmp_path: Path) -> None:
    """The verifier knows only the docs: each fact it uses is quoted from them.
    A doc sentence changed without the verifier (or the code) fails here.
    Most passages are quoted as the checks run, so a whole check runs first:
    alone (or first on its worker) this test saw only the module-level ones."""
    assert check(made, examined(made, tmp_path)).problems == []

    def normalised(text: str) -> str:
        return " ".join(text.split())

    missing = [
        f"{passage.document}: {passage.text}"
        for passage in vaultcheck.PASSAGES
        if normalised(passage.text) not in normalised((vaultcheck.DOCS / passage.document).read_text("utf-8"))
    ]
    assert len(vaultcheck.PASSAGES) > 40
    assert missing == []


def test_the_verifier_imports_nothing_from_the_project() -> None:
    allowed = {"apsw", "argon2", "cryptography", "rfc8785", "pytest", "tests"}
    for module in (
        "vaultcheck",
        "appdriver",
        "test_verifier",
        "test_schema_doc",
        "test_examiner_doc",
        "conftest",
    ):
        tree = ast.parse((Path(__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                top = name.split(".")[0]
                assert top in allowed | set(sys.stdlib_module_names) | {"__future__"}, (module, name)
                assert (
                    not name.startswith("tests.")
                    or name.startswith("tests.independent")
                    or (module, name) == ("appdriver", "tests.cli_helpers")  # the fork server's client
                ), (module, name)


def test_the_app_driver_loads_nothing_of_the_project_here() -> None:
    """appdriver runs `fieldvault` through the tests' fork server
    (tests/cli_helpers.py), whose commands run in fresh child processes:
    importing it, in a clean interpreter, loads no module of db, sync,
    desktop or fieldvault (nor SQLAlchemy) into the test process."""
    probe = (
        "import sys; import tests.independent.appdriver; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'db', 'sync', 'desktop', 'fieldvault', 'sqlalchemy', 'sqlcipher3'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def vault_signing_key(made: dict[str, Any], vault: Path) -> Ed25519PrivateKey:
    """The vault's own device key, unsealed as vault-format.md says: what
    someone holding the passphrase can sign with."""
    device_id, sealed = one(made, vault, "SELECT device_id, sealed_private_key FROM device")
    seed = AESGCM(made["keys"].device_keys).decrypt(sealed[:12], sealed[12:], device_id.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"date": "2024-13-45"}, "field 'date'"),
        ({"witness": "someone"}, "body fields differ"),
        ({"violation_types": ["no-such-code"]}, "field 'violation_types'"),
    ],
)
def test_a_validly_signed_revision_outside_the_documented_body_fails(
    made: dict[str, Any], tmp_path: Path, change: dict[str, Any], detail: str
) -> None:
    vault = examined(made, tmp_path)
    key = vault_signing_key(made, vault)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    (body,) = one(made, vault, "SELECT body FROM entities WHERE entity_type = 'incident'")
    envelope = {
        "v": 1,
        "entity": "01900000-0000-7000-8000-000000000001",
        "type": "incident",
        "op": "put",
        "body": json.loads(body) | change,
        "parents": [],
        "hlc": [1, 0],
        "device": hashlib.sha256(public).digest()[:16].hex(),
        "key": base64.b64encode(public).decode("ascii"),
    }
    signed = rfc8785.dumps(envelope)
    revision_id = hashlib.sha256(signed).hexdigest()
    tamper(
        made,
        vault,
        (
            "INSERT INTO revisions VALUES (?, ?, 'incident', 'put', 1, 0, ?, ?, ?, NULL)",
            (
                revision_id,
                envelope["entity"],
                envelope["device"],
                signed,
                key.sign(b"fieldvault-revision-v1\x00" + signed),
            ),
        ),
    )
    report = check(made, vault)
    flagged = [p for p in report.problems if (p.kind, p.subject) == ("revision", revision_id)]
    assert len(flagged) == 1
    assert detail in flagged[0].detail
