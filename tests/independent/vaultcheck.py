"""An independent verifier of a Fieldvault vault, written from docs/ alone.

It imports nothing from Fieldvault: only the standard library, `cryptography`,
`argon2-cffi`, SQLite3 Multiple Ciphers (`apsw-sqlite3mc`, an independent
implementation of the SQLCipher 4 format) and `rfc8785` (a JCS library). Each
fact it relies on is taken from a passage of docs/vault-format.md or
docs/chain-of-custody.md, quoted with ``doc()``; a test checks that every
quoted passage is still in the docs, and the verifier's checks on a vault the
app made fail when the app does something the docs do not say. So a doc
sentence and the code cannot drift apart unnoticed.

It never opens the examined folder's database in place: the database files
are copied to a scratch folder first (SQLite writes `-shm`/`-wal` files even
for a reader), and the blob files are only read.

Use: ``python tests/independent/vaultcheck.py VAULT_COPY [--device-id ID]``
(asks for the passphrase); exit status 0 when no problem was found.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime
import getpass
import hashlib
import json
import math
import re
import shutil
import struct
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import apsw
import rfc8785
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DOCS = Path(__file__).resolve().parents[2] / "docs"


@dataclass(frozen=True)
class Passage:
    document: str
    text: str


PASSAGES: list[Passage] = []


def doc(document: str, text: str) -> str:
    """Record that the code below relies on this passage of ``docs/document``
    (whitespace is not significant); returns the passage."""
    PASSAGES.append(Passage(document, text))
    return text


VF = "vault-format.md"
COC = "chain-of-custody.md"

# -- conventions ----------------------------------------------------------------

doc(VF, "**base64** is RFC 4648 §4: the standard alphabet (`+`, `/`) *with* `=` padding.")
doc(VF, "**In the database, binary values are raw bytes** (SQLite `BLOB`), never base64 or hex")
doc(VF, "**hex** is lowercase, two digits per byte, nothing else")
doc(VF, "**HKDF** is RFC 5869 HKDF with SHA-256, output 32 bytes.")
doc(VF, '"salt = none" means HKDF\'s default salt (32 zero bytes).')
doc(VF, "**Canonical JSON** is RFC 8785 (JCS)")
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX32 = re.compile(r"[0-9a-f]{32}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
doc(VF, "UUIDv7 in their 36-character lowercase text form (`8-4-4-4-12` hex digits)")


def unb64(text: object, length: int | None = None) -> bytes:
    """Standard base64 with padding, strictly: re-encoding gives the same text."""
    if not isinstance(text, str):
        raise ValueError("not a base64 string")
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("not canonical padded base64")
    if length is not None and len(raw) != length:
        raise ValueError(f"{len(raw)} bytes where {length} were expected")
    return raw


def hkdf(ikm: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(value)


@dataclass(frozen=True)
class Problem:
    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}: {self.detail}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    custody_head: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, subject: str, detail: str) -> None:
        self.problems.append(Problem(kind, subject, detail))

    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}


class KeyFileError(Exception):
    """The key file is malformed or does not open with what was given."""


# -- keys -----------------------------------------------------------------------


@dataclass(frozen=True)
class VaultKeys:
    vault_id: str
    master: bytes
    database: bytes
    blobs: bytes
    device_keys: bytes


doc(VF, "Normalise the passphrase to Unicode NFC and encode it as UTF-8.")
doc(VF, "Argon2 version 1.3 (0x13), no secret key and no associated data.")
ARGON2_VERSION = 0x13
doc(VF, 'info = "fieldvault/kek/passphrase", length 32')
KEK_PASSPHRASE = b"fieldvault/kek/passphrase"
doc(VF, 'info = "fieldvault/kek/passphrase+keyring"')
KEK_PASSPHRASE_KEYRING = b"fieldvault/kek/passphrase+keyring"
doc(VF, "append the **32 raw bytes** to the 32 stretched bytes (a 64-byte ikm), never the hex text.")
doc(VF, 'info = "fieldvault/kek/recovery"')
KEK_RECOVERY = b"fieldvault/kek/recovery"
doc(VF, 'aad = "fieldvault-keyslot-v1|<vault_id>|passphrase"')
doc(VF, 'aad `"fieldvault-keyslot-v1|<vault_id>|recovery"`')
doc(VF, "`wrapped` is 48 bytes: the 32-byte ciphertext of the master key followed by the 16-byte GCM tag.")
doc(VF, '"salt": "<base64, 16 bytes>", "keyring": false, "duress": "<base64, 32 bytes>",')
doc(VF, '"nonce": "<base64, 12 bytes>", "wrapped": "<base64, 32-byte key + 16-byte tag>"')
doc(VF, "The salt is the 36 bytes of the text")
SUBKEY_INFO = {
    "database": doc(VF, 'info "fieldvault/subkey/database/v1"').split('"')[1].encode(),
    "blobs": doc(VF, 'info "fieldvault/subkey/blobs/v1"').split('"')[1].encode(),
    "device_keys": doc(VF, 'info "fieldvault/subkey/device-keys/v1"').split('"')[1].encode(),
}


def slot_aad(vault_id: str, slot: str) -> bytes:
    return f"fieldvault-keyslot-v1|{vault_id}|{slot}".encode()


def read_key_file(vault: Path) -> dict[str, Any]:
    try:
        document = json.loads((vault / "vault.keys").read_bytes().decode("utf-8"))
    except (OSError, ValueError) as err:
        raise KeyFileError(f"vault.keys cannot be read as JSON ({type(err).__name__})") from None
    doc(VF, '"format": "fieldvault-keys",')
    if document.get("format") != "fieldvault-keys" or document.get("version") != 1:
        raise KeyFileError("vault.keys is not a version 1 Fieldvault key file")
    if not isinstance(document.get("vault_id"), str) or not UUID.fullmatch(document["vault_id"]):
        raise KeyFileError("vault.keys: vault_id is not a UUID")
    phrase, recovery = document.get("passphrase"), document.get("recovery")
    if not isinstance(phrase, dict) or not isinstance(recovery, dict):
        raise KeyFileError("vault.keys: a slot is missing")
    if phrase.get("kdf") != "argon2id" or recovery.get("kdf") != "hkdf-sha256":
        raise KeyFileError("vault.keys: unknown key derivation")
    try:
        unb64(phrase["salt"], 16)
        unb64(phrase["duress"], 32)
        for slot in (phrase, recovery):
            unb64(slot["nonce"], 12)
            unb64(slot["wrapped"], 48)
        unb64(recovery["salt"], 16)
    except (KeyError, ValueError, binascii.Error) as err:
        raise KeyFileError(f"vault.keys: a field is not as documented ({err})") from None
    return document


def stretch(passphrase: str, slot: dict[str, Any]) -> bytes:
    for name in ("time_cost", "memory_kib", "parallelism"):
        if type(slot.get(name)) is not int or slot[name] < 1:
            raise KeyFileError(f"vault.keys: {name} is not a positive integer")
    return hash_secret_raw(
        unicodedata.normalize("NFC", passphrase).encode("utf-8"),
        unb64(slot["salt"], 16),
        time_cost=slot["time_cost"],
        memory_cost=slot["memory_kib"],
        parallelism=slot["parallelism"],
        hash_len=32,
        type=Type.ID,
        version=ARGON2_VERSION,
    )


def subkeys(vault_id: str, master: bytes) -> VaultKeys:
    salt = vault_id.encode("utf-8")
    return VaultKeys(
        vault_id,
        master,
        **{name: hkdf(master, salt, info) for name, info in SUBKEY_INFO.items()},
    )


def unlock(vault: Path, passphrase: str, keyring_secret: bytes | None = None) -> VaultKeys:
    """The master key and subkeys, from the passphrase slot."""
    document = read_key_file(vault)
    slot = document["passphrase"]
    stretched = stretch(passphrase, slot)
    if slot.get("keyring") is True:
        if keyring_secret is None or len(keyring_secret) != 32:
            raise KeyFileError("this vault needs the 32-byte keyring secret")
        kek = hkdf(stretched + keyring_secret, None, KEK_PASSPHRASE_KEYRING)
    elif slot.get("keyring") is False:
        kek = hkdf(stretched, None, KEK_PASSPHRASE)
    else:
        raise KeyFileError("vault.keys: keyring is not true or false")
    try:
        master = AESGCM(kek).decrypt(
            unb64(slot["nonce"]), unb64(slot["wrapped"]), slot_aad(document["vault_id"], "passphrase")
        )
    except InvalidTag:
        raise KeyFileError("the passphrase slot does not open with this passphrase") from None
    return subkeys(document["vault_id"], master)


doc(VF, "55 base32 characters, written in dash-separated groups of four")
doc(VF, "68 characters with the dashes")


def parse_recovery_key(text: str) -> bytes:
    """The 32 key bytes of a recovery key as the app shows it (groups of four
    with dashes), checking its documented shape and check digits."""
    groups = text.split("-")
    if len(text) != 68 or [len(g) for g in groups] != [4] * 13 + [3]:
        raise KeyFileError("the recovery key is not 68 characters in 13 groups of four and one of three")
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != 55 or not re.fullmatch(r"[A-Z2-7]{55}", cleaned):
        raise KeyFileError("the recovery key is not 55 base32 characters")
    decoded = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    raw, check = decoded[:32], decoded[32:]
    doc(VF, "check that the last 2 bytes equal the first 2 bytes of the SHA-256 of the first 32")
    if len(decoded) != 34 or hashlib.sha256(raw).digest()[:2] != check:
        raise KeyFileError("the recovery key's check digits do not match")
    return raw


def unlock_with_recovery_key(vault: Path, recovery_key: str) -> VaultKeys:
    document = read_key_file(vault)
    slot = document["recovery"]
    kek = hkdf(parse_recovery_key(recovery_key), unb64(slot["salt"], 16), KEK_RECOVERY)
    try:
        master = AESGCM(kek).decrypt(
            unb64(slot["nonce"]), unb64(slot["wrapped"]), slot_aad(document["vault_id"], "recovery")
        )
    except InvalidTag:
        raise KeyFileError("the recovery slot does not open with this recovery key") from None
    return subkeys(document["vault_id"], master)


# -- the database -----------------------------------------------------------------

doc(
    VF,
    "With SQLite3 Multiple Ciphers: `PRAGMA cipher = 'sqlcipher'; PRAGMA legacy = 4;` then the same `PRAGMA key`.",
)
doc(VF, "`PRAGMA key = \"x'<64 hex digits of the database subkey>'\"`")
DB_FILES = ("vault.db", "vault.db-wal")


@contextmanager
def open_copy(vault: Path, keys: VaultKeys) -> Iterator[apsw.Connection]:
    """The vault's database, copied to a scratch folder and opened there."""
    with tempfile.TemporaryDirectory(prefix="vaultcheck-") as scratch:
        for name in DB_FILES:
            if (vault / name).exists():
                shutil.copyfile(vault / name, Path(scratch) / name)
        connection = open_database(Path(scratch) / "vault.db", keys)
        try:
            yield connection
        finally:
            connection.close()


def open_database(path: Path, keys: VaultKeys) -> apsw.Connection:
    """Open a vault database file in place (for a copy, or to tamper in tests)."""
    if not path.exists():
        raise KeyFileError(f"{path.name} is missing")
    connection = apsw.Connection(str(path))
    connection.execute("PRAGMA cipher = 'sqlcipher'")
    connection.execute("PRAGMA legacy = 4")
    connection.execute(f"PRAGMA key = \"x'{keys.database.hex()}'\"")
    connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    return connection


def documented_schema() -> list[str]:
    """The DDL statements of vault-format.md's "The schema as DDL"."""
    text = (DOCS / VF).read_text(encoding="utf-8")
    section = text.split("### The schema as DDL", 1)[1]
    block = section.split("```sql\n", 1)[1].split("```", 1)[0]
    return [normalise_sql(s) for s in block.split(";\n") if s.strip()]


def normalise_sql(statement: str) -> str:
    return " ".join(statement.replace(";", " ").split())


def actual_schema(connection: apsw.Connection) -> list[str]:
    doc(VF, "`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid`")
    rows = connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
    return [normalise_sql(sql) for (sql,) in rows]


def check_schema(connection: apsw.Connection, report: Report) -> None:
    documented, actual = documented_schema(), actual_schema(connection)
    for statement in sorted(set(actual) - set(documented)):
        report.add("schema", statement.split("(")[0].strip(), "in the vault but not in the documented DDL")
    for statement in sorted(set(documented) - set(actual)):
        report.add("schema", statement.split("(")[0].strip(), "documented but not in the vault")


# -- the device -------------------------------------------------------------------------

doc(VF, "`device` holds one row: this vault's signing identity.")
doc(VF, "the first 16 bytes of SHA-256 of `public_key`")
doc(VF, "plaintext = the 32-byte Ed25519 private key seed, aad = device_id)` — 60 bytes;")
doc(
    VF,
    "the aad is the device id as its 32 lowercase hex characters (ASCII), not the 16 bytes they stand for.",
)
doc(VF, "The public key computed from the unsealed seed equals `public_key`.")


def device_id_for(public_key: bytes) -> str:
    return hashlib.sha256(public_key).digest()[:16].hex()


def check_device(connection: apsw.Connection, keys: VaultKeys, report: Report) -> dict[str, bytes]:
    """The vault's device key(s) by device id, as far as they check out."""
    rows = connection.execute("SELECT device_id, public_key, sealed_private_key FROM device").fetchall()
    if len(rows) != 1:
        report.add("device", "device", f"{len(rows)} rows where one was expected")
    devices: dict[str, bytes] = {}
    for device_id, public_key, sealed in rows:
        if not isinstance(public_key, bytes) or len(public_key) != 32:
            report.add("device", str(device_id), "public key is not 32 raw bytes")
            continue
        if not isinstance(device_id, str) or not HEX32.fullmatch(device_id):
            report.add("device", str(device_id), "device id is not 32 hex digits")
        elif device_id_for(public_key) != device_id:
            report.add("device", device_id, "device id does not match its public key")
        if not isinstance(sealed, bytes) or len(sealed) != 60:
            report.add("device", str(device_id), "sealed private key is not 60 bytes")
        else:
            try:
                seed = AESGCM(keys.device_keys).decrypt(sealed[:12], sealed[12:], str(device_id).encode())
                derived = (
                    Ed25519PrivateKey.from_private_bytes(seed)
                    .public_key()
                    .public_bytes(Encoding.Raw, PublicFormat.Raw)
                )
                if derived != public_key:
                    report.add("device", str(device_id), "the sealed private key is not this public key's")
            except InvalidTag:
                report.add("device", str(device_id), "the sealed private key does not decrypt")
        devices[str(device_id)] = public_key
    return devices


# -- revisions --------------------------------------------------------------------------------

doc(VF, 'signature = Ed25519 over `"fieldvault-revision-v1" ‖ 0x00 ‖ signed bytes`')
REVISION_DOMAIN = b"fieldvault-revision-v1\x00"
doc(VF, "revision id = lowercase hex SHA-256 of the signed bytes")
doc(VF, "device id = first 16 bytes of SHA-256 of the raw 32-byte public key, hex")
doc(
    VF,
    '"parents": ["<revision id>", …], "type": "case" | "incident" | "person" | "testimony" | "evidence" | "link" | "consent",',
)
ENVELOPE = {"body", "device", "entity", "hlc", "key", "op", "parents", "type", "v"}
# A re-root (format version 2): the same envelope and one more member.
doc(
    VF,
    '`v` = the integer 2 and one more member, `"reroot": {"choice": "as-before" | "as-held", "supersedes": [',
)
REROOT_ENVELOPE = ENVELOPE | {"reroot"}
doc(VF, "`parents` = revision ids (64 hex), sorted and without duplicates")
doc(VF, "`hlc` = wall-clock milliseconds and a counter (two non-negative integers)")
doc(VF, "**Every revision and every custody event of a vault is signed by its device key**")
doc(VF, "The signed bytes are the truth: a column that disagrees with them is damage.")
doc(VF, 'A `delete` body is `{}` or `{"reason": "<text>"}`.')

# The body fields of each record type, from the table in vault-format.md.
STRING, UUID_FIELD, UUID_OR_EMPTY, PARTIAL_DATE, NUMBER_OR_NULL = "s", "u", "u?", "d", "n?"
CODES, OBJECT, SHA256, INTEGER = "codes", "object", "sha256", "int"
DATE_PRECISIONS = ("unknown", "year", "month", "day", "approximate")
PLACE_PRECISIONS = ("unknown", "country", "region", "district", "settlement", "exact")
ROLES = ("victim", "witness", "perpetrator", "other")
CONSENT = ("", "documentation-only", "ngo-internal", "prosecution", "public-anonymised")
SCOPES, BOOLEAN = "scopes", "bool"
GIVEN_HOW = ("spoken-recorded", "signed-paper-photographed", "signed-paper", "spoken-witnessed", "other")
BODY_FIELDS: dict[str, dict[str, Any]] = {
    "case": {"title": STRING, "description": STRING, "notes": STRING},
    "incident": {
        "case_id": UUID_FIELD,
        "title": STRING,
        "date": PARTIAL_DATE,
        "date_precision": DATE_PRECISIONS,
        "place": STRING,
        "place_precision": PLACE_PRECISIONS,
        "latitude": NUMBER_OR_NULL,
        "longitude": NUMBER_OR_NULL,
        "violation_types": CODES,
        "description": STRING,
        "notes": STRING,
    },
    "person": {
        "case_id": UUID_FIELD,
        "name": STRING,
        "pseudonym": STRING,
        "roles": ROLES,
        "sensitive": OBJECT,
        "notes": STRING,
    },
    "testimony": {
        "case_id": UUID_FIELD,
        "title": STRING,
        "incident_id": UUID_OR_EMPTY,
        "witness_id": UUID_OR_EMPTY,
        "interviewer": STRING,
        "language": STRING,
        "interpreter": STRING,
        "consent_scope": CONSENT,
        "interview_date": PARTIAL_DATE,
        "interview_place": STRING,
        "violation_types": CODES,
        "narrative": STRING,
        "notes": STRING,
    },
    "evidence": {
        "case_id": UUID_FIELD,
        "original_name": STRING,
        "sha256": SHA256,
        "size": INTEGER,
        "mime_type": STRING,
        "source": STRING,
        "description": STRING,
        "claimed": OBJECT,
        "stated_date": PARTIAL_DATE,
        "stated_place": STRING,
        "notes": STRING,
    },
    "link": {
        "case_id": UUID_FIELD,
        "from_id": UUID_FIELD,
        "to_id": UUID_FIELD,
        "relation": "relation",
        "notes": STRING,
    },
    "consent": {
        "case_id": UUID_FIELD,
        "testimony_id": UUID_FIELD,
        "witness_id": UUID_OR_EMPTY,
        "scopes": SCOPES,
        "given_how": GIVEN_HOW,
        "given_on": PARTIAL_DATE,
        "given_to": STRING,
        "text_version": STRING,
        "anonymity": BOOLEAN,
        "no_photos": BOOLEAN,
        "conditions": STRING,
        "withdrawn_scopes": SCOPES,
        "withdrawn_on": PARTIAL_DATE,
        "withdrawal_note": STRING,
    },
}
doc(
    VF,
    "`withdrawn_scopes` (list of distinct scope codes, none also in `scopes`; `scopes` and `withdrawn_scopes` not both empty)",
)
doc(VF, "A `put` body holds **every** field of its record type, with these names and JSON types")
doc(VF, "| `case` | `title` (string, not blank), `description` (string), `notes` (string) |")
doc(VF, 'a *partial date* is `""`, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`')


def field_problem(value: Any, kind: Any, vocabulary: frozenset[str] | None) -> str | None:
    def is_str(v: Any) -> bool:
        return isinstance(v, str)

    if isinstance(kind, tuple):
        # roles is a list of choices; the other tuples are one choice.
        ok = isinstance(value, list) and all(v in ROLES for v in value) if kind is ROLES else value in kind
        return None if ok else "not one of the documented values"
    checks = {
        STRING: lambda v: is_str(v),
        UUID_FIELD: lambda v: is_str(v) and UUID.fullmatch(v) is not None,
        UUID_OR_EMPTY: lambda v: v == "" or (is_str(v) and UUID.fullmatch(v) is not None),
        PARTIAL_DATE: lambda v: (
            is_str(v)
            and re.fullmatch(r"([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?", v) is not None
            and (v == "" or real_partial_date(v))
        ),
        NUMBER_OR_NULL: lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)),
        CODES: lambda v: (
            isinstance(v, list) and all(is_str(c) and (vocabulary is None or c in vocabulary) for c in v)
        ),
        OBJECT: lambda v: isinstance(v, dict) and all(is_str(x) for x in v.values()),
        SHA256: lambda v: is_str(v) and HEX64.fullmatch(v) is not None,
        INTEGER: lambda v: type(v) is int and v >= 0,
        "relation": lambda v: is_str(v) and re.fullmatch(r"[a-z][a-z0-9-]{0,40}", v) is not None,
        SCOPES: lambda v: isinstance(v, list) and all(c in CONSENT[1:] for c in v) and len(set(v)) == len(v),
        BOOLEAN: lambda v: isinstance(v, bool),
    }
    return None if checks[kind](value) else "not of the documented type"


def body_problem(entity_type: str, op: str, body: Any, vocabulary: frozenset[str] | None) -> str | None:
    if not isinstance(body, dict):
        return "body is not an object"
    if op == "delete":
        if body and (set(body) != {"reason"} or not isinstance(body["reason"], str)):
            return "a delete body holds something other than a reason"
        return None
    fields = BODY_FIELDS[entity_type]
    if set(body) != set(fields):
        extra, missing = sorted(set(body) - set(fields)), sorted(set(fields) - set(body))
        return f"body fields differ from the documented ones (extra {extra}, missing {missing})"
    for name, kind in fields.items():
        problem = field_problem(body[name], kind, vocabulary)
        if problem:
            return f"field '{name}' is {problem}"
    if entity_type == "case" and not body["title"].strip():
        return "a case without a title"
    if entity_type == "consent" and (
        set(body["scopes"]) & set(body["withdrawn_scopes"])
        or not (body["scopes"] or body["withdrawn_scopes"])
    ):
        return "a consent whose scopes are both agreed and withdrawn, or neither"
    return None


doc(VF, "are longer than 8 MiB (`larger than 8388608 bytes`);")
MAX_SIGNED_BYTES = 8388608
doc(VF, "nest arrays and objects deeper than 16 levels, the envelope being level 1")
MAX_DEPTH = 16
doc(VF, "a string longer than 1,000,000 characters")
MAX_STRING = 1_000_000
doc(VF, "`parents` more than 1,000;")
MAX_PARENTS = 1000
doc(VF, "`0 ≤ ms ≤ 2^53 − 1` and `0 ≤ counter ≤ 2^32 − 1`")
doc(VF, "or a date that does not exist (`2024-13-45`)")


def depth_or_long_string(value: Any, level: int = 1) -> str | None:
    """What breaks the documented nesting and string limits, if anything."""
    if isinstance(value, str):
        return "a string beyond the documented length" if len(value) > MAX_STRING else None
    if isinstance(value, (dict, list)):
        if level > MAX_DEPTH:
            return "nesting beyond the documented depth"
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        for item in items:
            problem = depth_or_long_string(item, level + 1)
            if problem:
                return problem
    return None


def real_partial_date(value: str) -> bool:
    parts = [int(part) for part in value.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class CheckedRevision:
    revision_id: str
    entity_id: str
    entity_type: str
    op: str
    body: dict[str, Any]
    parents: tuple[str, ...]
    hlc: tuple[int, int]
    supersedes: tuple[str, ...] = ()  # a re-root's (format version 2)
    signer: str = ""  # the signing device's id (`device`)


def check_envelope(signed: bytes, key_owner: dict[str, bytes]) -> tuple[dict[str, Any] | None, str | None]:
    try:
        envelope = json.loads(signed.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "signed bytes are not UTF-8 JSON"
    if not isinstance(envelope, dict):
        return None, "signed bytes are not a JSON object"
    try:
        if canonical(envelope) != signed:
            return None, "not in canonical form (RFC 8785)"
    except Exception as err:  # noqa: BLE001 - any refusal by the encoder means "not canonical"
        return None, f"cannot be canonicalised ({type(err).__name__})"
    try:
        key = unb64(envelope.get("key"), 32)
    except (ValueError, binascii.Error):
        return None, "key is not 32 bytes of standard base64"
    if device_id_for(key) != envelope.get("device"):
        return None, "device id does not match its key"
    if key_owner.get(envelope["device"]) != key:
        return None, f"signed by device {str(envelope['device'])[:32]}, not by this vault's device key"
    return envelope, None


def check_revisions(
    connection: apsw.Connection, devices: dict[str, bytes], vocabulary: frozenset[str] | None, report: Report
) -> dict[str, CheckedRevision]:
    parents_stored: dict[str, set[str]] = {}
    for revision_id, parent_id in connection.execute("SELECT revision_id, parent_id FROM revision_parents"):
        parents_stored.setdefault(revision_id, set()).add(parent_id)
    doc(VF, "`revision_supersedes` holds one `(revision_id, superseded_id)` row per entry of a re-root's")
    supersedes_stored: dict[str, set[str]] = {}
    for revision_id, gone in connection.execute("SELECT revision_id, superseded_id FROM revision_supersedes"):
        supersedes_stored.setdefault(revision_id, set()).add(gone)
    checked: dict[str, CheckedRevision] = {}
    rows = connection.execute(
        "SELECT revision_id, entity_id, entity_type, op, hlc_ms, hlc_counter, device_id, signed, signature "
        "FROM revisions"
    ).fetchall()
    report.counts["revisions"] = len(rows)
    for revision_id, entity_id, entity_type, op, hlc_ms, hlc_counter, device_id, signed, signature in rows:
        subject = str(revision_id)

        def bad(detail: str, subject: str = subject) -> None:
            report.add("revision", subject, detail)

        if not isinstance(signed, bytes) or not isinstance(signature, bytes):
            bad("signed bytes or signature are not stored as raw bytes")
            continue
        if not HEX64.fullmatch(subject) or hashlib.sha256(signed).hexdigest() != subject:
            bad("id does not match content")
            continue
        if len(signed) > MAX_SIGNED_BYTES:
            bad("larger than the documented limit")
            continue
        envelope, problem = check_envelope(signed, devices)
        if envelope is None:
            bad(str(problem))
            continue
        version = envelope.get("v")
        if set(envelope) != (REROOT_ENVELOPE if version == 2 and type(version) is int else ENVELOPE):
            bad("envelope fields differ from the documented ones")
            continue
        try:
            Ed25519PublicKey.from_public_bytes(unb64(envelope["key"])).verify(
                signature, REVISION_DOMAIN + signed
            )
        except InvalidSignature:
            bad("bad signature")
            continue
        parents, hlc = envelope["parents"], envelope["hlc"]
        reroot = envelope.get("reroot", {"choice": "as-before", "supersedes": ["0" * 64]})
        supersedes = reroot.get("supersedes") if isinstance(reroot, dict) else None
        shape = [
            (envelope["v"] in (1, 2) and type(envelope["v"]) is int, "v is neither 1 nor 2"),
            (
                isinstance(reroot, dict)
                and set(reroot) == {"choice", "supersedes"}
                and reroot["choice"] in ("as-before", "as-held")
                and isinstance(supersedes, list)
                and 0 < len(supersedes) <= MAX_PARENTS
                and all(isinstance(g, str) and HEX64.fullmatch(g) for g in supersedes)
                and supersedes == sorted(set(supersedes))
                and not set(supersedes) & set(parents if isinstance(parents, list) else []),
                "reroot is not a choice and sorted unique revision ids, none a parent",
            ),
            (envelope["op"] in ("put", "delete"), "unknown op"),
            (envelope["type"] in BODY_FIELDS, "unknown type"),
            (
                isinstance(envelope["entity"], str) and UUID.fullmatch(envelope["entity"]) is not None,
                "bad entity id",
            ),
            (
                isinstance(parents, list)
                and len(parents) <= MAX_PARENTS
                and all(isinstance(p, str) and HEX64.fullmatch(p) for p in parents)
                and parents == sorted(set(parents)),
                "parents are not sorted unique revision ids",
            ),
            (
                isinstance(hlc, list)
                and len(hlc) == 2
                and all(type(x) is int for x in hlc)
                and 0 <= hlc[0] <= 2**53 - 1
                and 0 <= hlc[1] <= 2**32 - 1,
                "hlc is not two integers within the documented bounds",
            ),
        ]
        limits = depth_or_long_string(envelope)
        if limits:
            shape.append((False, limits))
        failed = [detail for ok, detail in shape if not ok]
        if failed:
            bad(failed[0])
            continue
        columns = (entity_id, entity_type, op, hlc_ms, hlc_counter, device_id)
        signed_values = (
            envelope["entity"],
            envelope["type"],
            envelope["op"],
            hlc[0],
            hlc[1],
            envelope["device"],
        )
        if columns != signed_values:
            bad("its row's columns differ from its signed content")
        if parents_stored.get(subject, set()) != set(parents):
            bad("revision_parents differs from its signed parents")
        signed_supersedes = (
            set(supersedes) if "reroot" in envelope and isinstance(supersedes, list) else set()
        )
        if supersedes_stored.get(subject, set()) != signed_supersedes:
            bad("revision_supersedes differs from its signed re-root")
        problem = body_problem(envelope["type"], envelope["op"], envelope["body"], vocabulary)
        if problem:
            bad(problem)
        checked[subject] = CheckedRevision(
            subject,
            envelope["entity"],
            envelope["type"],
            envelope["op"],
            envelope["body"],
            tuple(parents),
            (hlc[0], hlc[1]),
            tuple(sorted(signed_supersedes)),
            str(envelope["device"]),
        )
    for revision_id in sorted(set(parents_stored) - {str(r[0]) for r in rows}):
        report.add("revision", revision_id, "has parent rows but no revision")
    return checked


# -- heads and entities ---------------------------------------------------------------------------------


def heads_of(
    revisions: dict[str, CheckedRevision], revoked: frozenset[str]
) -> dict[str, list[CheckedRevision]]:
    """Each entity's heads: its revisions no other revision of it names as a parent."""
    doc(
        VF,
        "| `heads` | for each entity, its revisions that no other revision of the same entity names as a parent |",
    )
    by_entity: dict[str, list[CheckedRevision]] = {}
    for rev in revisions.values():
        by_entity.setdefault(rev.entity_id, []).append(rev)
    heads: dict[str, list[CheckedRevision]] = {}
    for entity_id, revs in by_entity.items():
        visible = visible_of(revs, revoked)
        named = {p for rev in visible for p in rev.parents}
        heads[entity_id] = [rev for rev in visible if rev.revision_id not in named]
    return heads


doc(VF, "the organisation profile's `revoked` list, read from `org_profile.signed`")
doc(VF, "the revisions of the entity signed by a revoked device, and every revision of the entity naming one")
doc(VF, "a revision of the **revoked line** that one of its re-roots names in `supersedes` is **hidden**")
doc(VF, "except that re-root itself and every revision naming it in its `parents`, transitively")
doc(VF, "If every revision would be hidden, none is")


doc(VF, "check the profile's signature first")
PROFILE_DOMAIN = b"fieldvault-org-profile/1\n"
doc(
    VF,
    "over the bytes `fieldvault-org-profile/1` and a line feed (0x0A) followed by the RFC 8785 canonical JSON of `profile`",
)


def revoked_devices(connection: apsw.Connection, report: Report) -> frozenset[str]:
    """The devices the stored organisation profile revokes (none without
    one), once its Ed25519 signature verifies with the key it names."""
    row = connection.execute("SELECT signed FROM org_profile").fetchone()
    if row is None:
        return frozenset()
    try:
        envelope = json.loads(bytes(row[0]))
        body = envelope["profile"]
        signature, org_key, revoked = (
            unb64(envelope["signature"], 64),
            unb64(body["org_key"], 32),
            body["revoked"],
        )
        Ed25519PublicKey.from_public_bytes(org_key).verify(signature, PROFILE_DOMAIN + canonical(body))
    except (ValueError, KeyError, TypeError, binascii.Error, InvalidSignature):
        report.add(
            "org_profile", "1", "its signature does not verify with its org_key, or it is not a profile"
        )
        return frozenset()
    if not isinstance(revoked, list) or not all(isinstance(d, str) for d in revoked):
        report.add("org_profile", "1", "its revoked devices cannot be read")
        return frozenset()
    return frozenset(revoked)


def _descendants(roots: set[str], revs: list[CheckedRevision]) -> set[str]:
    marked = set(roots)
    grew = True
    while grew:
        more = {rev.revision_id for rev in revs if set(rev.parents) & marked} - marked
        grew = bool(more)
        marked |= more
    return marked


def visible_of(revs: list[CheckedRevision], revoked: frozenset[str]) -> list[CheckedRevision]:
    """One entity's revisions that no re-root of it hides: the revoked line
    is every revision a revoked device signed and every revision naming one
    of the line as parent, transitively; for each re-root, those of the line
    it supersedes are hidden, and so is every revision naming a hidden one as
    parent, transitively, except the re-root and the revisions descending
    from it; if that would hide them all, none is."""
    line = _descendants({rev.revision_id for rev in revs if rev.signer in revoked}, revs)
    hidden: set[str] = set()
    for reroot in (rev for rev in revs if rev.supersedes):
        named = set(reroot.supersedes) & line
        if named:
            hidden |= _descendants(named, revs) - _descendants({reroot.revision_id}, revs)
    visible = [rev for rev in revs if rev.revision_id not in hidden]
    return visible or revs


def check_heads(connection: apsw.Connection, heads: dict[str, list[CheckedRevision]], report: Report) -> None:
    stored: dict[str, set[str]] = {}
    for entity_id, revision_id in connection.execute("SELECT entity_id, revision_id FROM heads"):
        stored.setdefault(entity_id, set()).add(revision_id)
    for entity_id in sorted(set(stored) | set(heads)):
        expected = {rev.revision_id for rev in heads.get(entity_id, [])}
        if stored.get(entity_id, set()) != expected:
            report.add("heads", entity_id, "the heads table differs from the heads of its signed revisions")


doc(VF, "the first `put` head in that order")
doc(VF, "if every head is a `delete`, the first head, and `deleted` = 1.")
doc(VF, "**conflicted** = 1 when there is more than one head.")
doc(VF, "stored as its RFC 8785 canonical JSON (UTF-8 text)")
doc(VF, "Compare it byte for byte with the body re-encoded by JCS.")
doc(VF, "canonicalise the stored text before comparing.")
doc(VF, "**case_id** = the body's `case_id` (NULL for a case")
doc(VF, "**created_ms** = the smallest `hlc` ms of the entity's revisions not hidden;")
doc(VF, "**updated_ms** = the shown revision's `hlc` ms; `entity_type` = `type`.")
doc(VF, "Only revisions whose key this vault trusts count as its content")


def expected_entity(
    heads: list[CheckedRevision], revisions: list[CheckedRevision], revoked: frozenset[str]
) -> dict[str, Any]:
    """The entities row an entity's heads give (vault-format.md, "How entities
    derive from revisions"); ``revisions``: all of the entity's checked ones."""
    doc(VF, "heads latest first by `hlc` ms, then `hlc` counter, then revision id (all descending")
    ordered = sorted(heads, key=lambda r: (r.hlc, r.revision_id), reverse=True)
    puts = [r for r in ordered if r.op == "put"]
    shown = puts[0] if puts else ordered[0]
    case_id = shown.body.get("case_id") if shown.entity_type != "case" else None
    return {
        "entity_type": shown.entity_type,
        "head_revision_id": shown.revision_id,
        "body": canonical(shown.body),
        "deleted": not puts,
        "conflicted": len(heads) > 1,
        "case_id": case_id if isinstance(case_id, str) else None,
        "created_ms": min(r.hlc[0] for r in visible_of(revisions, revoked)),
        "updated_ms": shown.hlc[0],
    }


def check_entities(
    connection: apsw.Connection,
    heads: dict[str, list[CheckedRevision]],
    revisions: dict[str, CheckedRevision],
    revoked: frozenset[str],
    report: Report,
) -> None:
    rows = {
        row[0]: row[1:]
        for row in connection.execute(
            "SELECT entity_id, entity_type, case_id, head_revision_id, body, deleted, conflicted, "
            "created_ms, updated_ms FROM entities"
        )
    }
    report.counts["entities"] = len(rows)
    for entity_id in sorted(set(rows) - set(heads)):
        report.add("entities", entity_id, "a row with no signed revision")
    for entity_id, entity_heads in sorted(heads.items()):
        row = rows.get(entity_id)
        if row is None:
            report.add("entities", entity_id, "signed revisions but no row")
            continue
        entity_type, case_id, head_revision_id, body, deleted, conflicted, created_ms, updated_ms = row
        want = expected_entity(
            entity_heads, [r for r in revisions.values() if r.entity_id == entity_id], revoked
        )
        stored = body.encode("utf-8") if isinstance(body, str) else b""
        same_body = stored == want["body"]
        if not same_body and stored:
            try:
                same_body = canonical(json.loads(stored)) == want["body"]
            except Exception:  # noqa: BLE001 - not JSON, or not canonicalisable: a difference
                same_body = False
            if same_body:
                report.notes.append(
                    f"entities {entity_id}: body not in canonical form (written before the rule)"
                )
        differences = [
            name
            for name, ok in [
                ("type", entity_type == want["entity_type"]),
                ("head", head_revision_id == want["head_revision_id"]),
                ("body", same_body),
                ("deleted", bool(deleted) == want["deleted"]),
                ("conflicted", bool(conflicted) == want["conflicted"]),
                ("case", case_id == want["case_id"]),
                ("created", created_ms == want["created_ms"]),
                ("updated", updated_ms == want["updated_ms"]),
            ]
            if not ok
        ]
        if differences:
            report.add("entities", entity_id, f"differs from its signed heads: {', '.join(differences)}")


def check_parents_held(revisions: dict[str, CheckedRevision], stored_ids: set[str], report: Report) -> None:
    """A revision names as parents the heads its signer had: each must be in
    the vault, whichever device signed it (an untrusted signer is a problem
    already)."""
    doc(
        VF,
        "A revision by a trusted signer naming a parent the vault does not hold is a problem, whichever device signed it",
    )
    for rev in sorted(revisions.values(), key=lambda r: r.revision_id):
        missing = [p for p in rev.parents if p not in stored_ids]
        if missing:
            report.add("revision", rev.revision_id, f"names {len(missing)} parent(s) the vault does not hold")


def check_evidence_records(revisions: dict[str, CheckedRevision], report: Report) -> None:
    doc(VF, "every `put` revision of an item carries the same `sha256` and `size`, set at intake.")
    seen: dict[str, tuple[Any, Any]] = {}
    for rev in sorted(revisions.values(), key=lambda r: r.hlc):
        if rev.entity_type == "evidence" and rev.op == "put":
            first = seen.setdefault(rev.entity_id, (rev.body["sha256"], rev.body["size"]))
            if first != (rev.body["sha256"], rev.body["size"]):
                report.add("evidence", rev.entity_id, "its revisions disagree on its sha256 or size")


# -- custody ----------------------------------------------------------------------------------------------

doc(COC, "**signature** = Ed25519 (64 bytes) over `fieldvault-custody-v1` ‖ `0x00` ‖ signed bytes.")
CUSTODY_DOMAIN = b"fieldvault-custody-v1\x00"
doc(COC, "**event hash** = lowercase hex SHA-256 of the signed bytes;")
doc(COC, "the first `prev` is 64 zeros and every later `prev` equals the hash of the event before it.")
doc(COC, "custody events are signed by the vault's device key")
doc(COC, "the signed bytes and the signature are raw bytes")
CUSTODY_FIELDS = {
    "action",
    "details",
    "device",
    "evidence",
    "hlc",
    "key",
    "prev",
    "seq",
    "sha256",
    "user",
    "v",
    "wall",
}
CUSTODY_ACTIONS = (
    "intake",
    "intake-duplicate",
    "intake-attached",
    "view",
    "export",
    "export-metadata",
    "transfer",
    "verify",
    "delete",
    "purge",
)
doc(
    COC,
    '{"action": "intake" | "intake-duplicate" | "intake-attached" | "view" | "export" | "export-metadata"'
    ' | "transfer" | "verify" | "delete" | "purge",',
)


@dataclass(frozen=True)
class CustodyEvent:
    seq: int
    evidence_id: str
    action: str
    sha256: str


def check_custody(
    connection: apsw.Connection, devices: dict[str, bytes], report: Report
) -> list[CustodyEvent]:
    # apsw types a row as a tuple of any SQLite value: the checks below look at each.
    rows: list[tuple[Any, ...]] = connection.execute(
        "SELECT seq, event_hash, evidence_id, signed, signature FROM custody_events ORDER BY seq"
    ).fetchall()
    report.counts["custody_events"] = len(rows)
    events: list[CustodyEvent] = []
    prev = "0" * 64
    for expected_seq, (seq, event_hash, evidence_id, signed, signature) in enumerate(rows, start=1):
        subject = f"custody event {seq}"
        if seq != expected_seq:
            report.add("custody", subject, f"sequence gap: expected event {expected_seq}")
        if not isinstance(signed, bytes) or not isinstance(signature, bytes):
            report.add("custody", subject, "signed bytes or signature are not raw bytes")
            prev = str(event_hash)
            continue
        digest = hashlib.sha256(signed).hexdigest()
        if digest != event_hash:
            report.add("custody", subject, "content does not match its hash")
        envelope, problem = check_envelope(signed, devices)
        if envelope is None:
            report.add("custody", subject, str(problem))
            prev = digest
            continue
        try:
            Ed25519PublicKey.from_public_bytes(unb64(envelope["key"])).verify(
                signature, CUSTODY_DOMAIN + signed
            )
        except InvalidSignature:
            report.add("custody", subject, "bad signature")
        if set(envelope) != CUSTODY_FIELDS:
            report.add("custody", subject, "fields differ from the documented ones")
            prev = digest
            continue
        if envelope["seq"] != seq:
            report.add("custody", subject, f"carries sequence number {envelope['seq']}")
        if envelope["prev"] != prev:
            report.add("custody", subject, "its prev is not the previous event's hash")
        if envelope["evidence"] != evidence_id:
            report.add("custody", subject, "filed under another evidence item")
        if envelope["action"] not in CUSTODY_ACTIONS:
            report.add("custody", subject, "unknown action")
        events.append(CustodyEvent(seq, envelope["evidence"], envelope["action"], envelope["sha256"]))
        prev = digest
    report.custody_head = prev if rows else ""
    return events


def check_custody_against_items(
    events: list[CustodyEvent], revisions: dict[str, CheckedRevision], report: Report
) -> None:
    """Each item's events carry its signed hash and start with its intake; no
    event names an item without a signed record."""
    doc(
        COC,
        "Check the `sha256` of the item's events against the file's hash, and the `evidence` field against the item.",
    )
    item_sha = {
        rev.entity_id: rev.body["sha256"]
        for rev in revisions.values()
        if rev.entity_type == "evidence" and rev.op == "put"
    }
    first: dict[str, str] = {}
    for event in events:
        first.setdefault(event.evidence_id, event.action)
        if event.evidence_id not in item_sha:
            report.add("custody", f"custody event {event.seq}", "names an item with no signed record")
        elif event.sha256 != item_sha[event.evidence_id]:
            report.add(
                "custody", f"custody event {event.seq}", "its sha256 differs from the item's signed one"
            )
    for evidence_id in sorted(item_sha):
        if first.get(evidence_id) != "intake":
            report.add("custody", evidence_id, "its custody does not start with an intake event")


# -- blobs ------------------------------------------------------------------------------------------

doc(VF, 'header    = "FVBLOB" 0x00 0x01 (8) ‖ segment size, u32 big-endian (4)')
doc(VF, "‖ blob id (16) ‖ nonce prefix, random (7) ‖ 0x00 (1)")
doc(VF, "segment i = AES-256-GCM(blob key, nonce_i, plaintext_i, aad = the 36 header bytes)")
doc(VF, "nonce_i   = nonce prefix (7) ‖ i, u32 big-endian (4) ‖ 0x01 if it is the last segment, else 0x00")
doc(VF, 'aad = "fieldvault-blob-key|<blob id hex>")')
doc(VF, "There is never an empty segment after full ones")
doc(VF, "Only an empty file has an empty segment")
doc(VF, "has `ceil(n / segment size)` segments and takes `36 + n + 16 × segments` bytes.")
HEADER = struct.Struct(">8sI16s7sB")
MAGIC = b"FVBLOB\x00\x01"
TAG = 16


def blob_plaintext_digest(path: Path, key: bytes, blob_id: str) -> tuple[str, int]:
    """(SHA-256 hex, length) of a blob's plaintext; ValueError naming the first fault."""
    with path.open("rb") as handle:
        header = handle.read(HEADER.size)
        if len(header) != HEADER.size:
            raise ValueError("header truncated")
        magic, segment_size, header_id, prefix, reserved = HEADER.unpack(header)
        if magic != MAGIC or reserved != 0:
            raise ValueError("not a Fieldvault blob header")
        if header_id.hex() != blob_id:
            raise ValueError("the header names another blob")
        stored = path.stat().st_size - HEADER.size
        segments = max(1, math.ceil(stored / (segment_size + TAG)))
        aead, digest, length = AESGCM(key), hashlib.sha256(), 0
        for index in range(segments):
            last = index == segments - 1
            sealed = handle.read(segment_size + TAG)
            nonce = prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")
            try:
                plain = aead.decrypt(nonce, sealed, header)
            except InvalidTag:
                raise ValueError(f"segment {index} fails authentication") from None
            if not plain and segments > 1:
                raise ValueError("an empty segment after full ones")
            digest.update(plain)
            length += len(plain)
    return digest.hexdigest(), length


def purged_by_event(connection: apsw.Connection, events: Sequence[CustodyEvent]) -> set[str]:
    """Blobs whose file may be absent: every item holding it has a ``purge``
    event with the blob's SHA-256 (a forged event fails check_custody)."""
    doc(
        COC,
        "a file may be absent only when every item holding it has an intact `purge` event with its SHA-256",
    )
    purges = {(e.evidence_id, e.sha256) for e in events if e.action == "purge"}
    holders: dict[Any, list[Any]] = {}
    for evidence_id, blob_id in connection.execute("SELECT evidence_id, blob_id FROM evidence_blobs"):
        holders.setdefault(blob_id, []).append(evidence_id)
    return {
        blob_id
        for blob_id, sha256 in connection.execute("SELECT blob_id, sha256 FROM blobs")
        if holders.get(blob_id) and all((holder, sha256) in purges for holder in holders[blob_id])
    }


def check_blobs(
    vault: Path,
    connection: apsw.Connection,
    keys: VaultKeys,
    revisions: dict[str, CheckedRevision],
    report: Report,
    events: Sequence[CustodyEvent] = (),
) -> None:
    blobs = {
        row[0]: row[1:] for row in connection.execute("SELECT blob_id, wrapped_key, sha256, size FROM blobs")
    }
    report.counts["blobs"] = len(blobs)
    purged = purged_by_event(connection, events)
    report.counts["purged"] = 0
    for blob_id, (wrapped, sha256, size) in sorted(blobs.items()):
        if not isinstance(blob_id, str) or not HEX32.fullmatch(blob_id):
            report.add("blob", str(blob_id), "blob id is not 32 lowercase hex digits")
            continue
        path = vault / "blobs" / blob_id
        if not path.is_file():
            if blob_id in purged:
                report.counts["purged"] += 1  # delivered and removed, as signed events say
            else:
                report.add("blob", blob_id, "its file is missing from blobs/")
            continue
        try:
            if not isinstance(wrapped, bytes) or len(wrapped) != 60:
                raise ValueError("its wrapped key is not 60 raw bytes")
            try:
                key = AESGCM(keys.blobs).decrypt(
                    wrapped[:12], wrapped[12:], f"fieldvault-blob-key|{blob_id}".encode()
                )
            except InvalidTag:
                raise ValueError("its key does not unwrap") from None
            digest, length = blob_plaintext_digest(path, key, blob_id)
        except ValueError as err:
            report.add("blob", blob_id, str(err))
            continue
        if length != size:
            report.add("blob", blob_id, f"holds {length} bytes where {size} were recorded")
        if digest != sha256:
            report.add("blob", blob_id, "its content does not match its recorded SHA-256")
    on_disk = {p.name for p in (vault / "blobs").iterdir()} if (vault / "blobs").is_dir() else set()
    for name in sorted(on_disk - set(blobs)):
        report.notes.append(f"blobs/{name} is not in the blobs table")

    held: dict[Any, Any] = {
        evidence_id: blob_id
        for evidence_id, blob_id in connection.execute("SELECT evidence_id, blob_id FROM evidence_blobs")
    }
    items = {
        rev.entity_id: rev.body
        for rev in revisions.values()
        if rev.entity_type == "evidence" and rev.op == "put"
    }
    for evidence_id in sorted(set(held) - set(items)):
        report.add("evidence", evidence_id, "has a stored file but no signed record")
    for evidence_id, body in sorted(items.items()):
        blob = blobs.get(held.get(evidence_id, ""))
        if blob is None:
            report.add("evidence", evidence_id, "has no stored file")
        elif (blob[1], blob[2]) != (body["sha256"], body["size"]):
            report.add(
                "evidence", evidence_id, "its stored file's SHA-256 or size differs from its signed record"
            )


# -- the whole vault -----------------------------------------------------------------------------------------


def verify(
    vault: Path,
    keys: VaultKeys,
    *,
    device_id: str | None = None,
    vocabulary: frozenset[str] | None = None,
) -> Report:
    """Check a vault folder with its keys; ``device_id``: the device id the
    organisation recorded for this vault, if known (recommended)."""
    report = Report()
    with open_copy(vault, keys) as connection:
        check_schema(connection, report)
        devices = check_device(connection, keys, report)
        if device_id is not None and set(devices) != {device_id}:
            report.add("device", device_id, "the vault's device is not the one recorded for it")
            devices = {}
        revisions = check_revisions(connection, devices, vocabulary, report)
        stored_ids = {row[0] for row in connection.execute("SELECT revision_id FROM revisions")}
        check_parents_held(revisions, stored_ids, report)
        check_evidence_records(revisions, report)
        revoked = revoked_devices(connection, report)
        heads = heads_of(revisions, revoked)
        check_heads(connection, heads, report)
        check_entities(connection, heads, revisions, revoked, report)
        events = check_custody(connection, devices, report)
        check_custody_against_items(events, revisions, report)
        check_blobs(vault, connection, keys, revisions, report, events)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a copy of a Fieldvault vault from docs/ alone.")
    parser.add_argument("vault", type=Path)
    parser.add_argument("--device-id", help="the vault's device id as recorded outside the device")
    parser.add_argument("--vocabulary", type=Path, help="resources/vocabularies/violation_types.json")
    args = parser.parse_args(argv)
    try:
        keys = unlock(args.vault, getpass.getpass("Passphrase: "))
    except KeyFileError as err:
        print(f"cannot open: {err}", file=sys.stderr)
        return 1
    vocabulary = None
    if args.vocabulary:
        vocabulary = frozenset(t["code"] for t in json.loads(args.vocabulary.read_text())["types"])
    report = verify(args.vault, keys, device_id=args.device_id, vocabulary=vocabulary)
    for problem in report.problems:
        print(problem)
    for note in report.notes:
        print("note:", note)
    print("counts:", json.dumps(report.counts, sort_keys=True))
    print("custody head:", report.custody_head or "(no events)")
    print("OK" if report.ok else f"{len(report.problems)} problem(s)")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
