"""The organisation: its signed profile, its fingerprint, the verification
code two people compare by phone, and enrolment tokens
(docs/org-profile.md).

Pure functions over keys, bytes and dicts: no vault, no database stack, so a
server (sync/server/, later) can import this module alone to check profiles
and tokens. The vault side (creating an organisation in a coordinator's
vault, enrolling a worker's) is sync/org_vault.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import urllib.parse
import uuid
import zlib
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from db.api import Codes, FieldvaultError, Param, strict_b64decode, strict_b64url_decode

PROFILE_FORMAT = "fieldvault-org-profile"
TOKEN_FORMAT = "fieldvault-enrolment-token"  # noqa: S105 - a format name, not a secret
PROFILE_DOMAIN = b"fieldvault-org-profile/1\n"
TOKEN_DOMAIN = b"fieldvault-enrolment-token/1\n"
CODE_DOMAIN = b"fieldvault-verification-code/1\n"
TOKEN_PREFIX = "fvt1"  # noqa: S105 - a format name, not a secret
MAX_PROFILE = 1_048_576  # bytes of a profile file
MAX_SAFE_INTEGER = 2**53 - 1
MAX_NAME = 200  # characters of an organisation's name or a coordinator's label

_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FINGERPRINT_CHARS = re.compile(r"[A-Z2-7]{32}")


class OrgRefused(FieldvaultError):
    """An organisation profile, fingerprint or enrolment token was refused,
    or an organisation command does not fit this vault. Nothing was changed."""

    codes: ClassVar[Codes] = {
        "org-profile-form": (),
        "org-profile-signature": (),
        "org-fingerprint-form": (),
        "org-fingerprint-mismatch": ("expected", "actual"),
        "org-other-organisation": ("org_id",),
        "org-key-changed": ("org_id",),
        "org-exists": ("org_id",),
        "org-none": (),
        "org-not-coordinator": ("org_id",),
        "org-not-key-holder": ("org_id",),
        "org-token-needs-key": ("org_id",),
        "org-revoke-self": ("device_id",),
        "org-device-id-form": (),
        "org-server-form": (),
        "org-name-form": ("maximum",),
        "org-device-card-form": (),
        "org-device-revoked": ("device_id",),
        "token-form": (),
        "token-signature": (),
        "token-other-organisation": ("org_id",),
        "token-expired": ("token_id",),
        "token-unknown": ("token_id",),
        "token-used": ("token_id",),
        "org-enrol-payload-form": (),
    }

    def __init__(self, message: str, code: str, **params: Param) -> None:
        super().__init__(message, code, field=None, **params)


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(value)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, size: int) -> bytes | None:
    """Canonical standard base64 of ``size`` bytes (db/strict_b64.py), or None."""
    return strict_b64decode(text, size)


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def device_id_of(public_key: bytes) -> str:
    """vault-format.md: the first 16 bytes of SHA-256 of the raw key, hex."""
    return hashlib.sha256(public_key).hexdigest()[:32]


# -- fingerprint and verification code ------------------------------------------------


def fingerprint(org_key: bytes) -> str:
    """The organisation's fingerprint: the first 20 bytes (160 bits) of
    SHA-256 of its raw Ed25519 public key, in RFC 4648 base32 (32 letters
    and digits 2-7), in 8 groups of 4 joined by '-'."""
    letters = base64.b32encode(hashlib.sha256(org_key).digest()[:20]).decode("ascii")
    return "-".join(letters[i : i + 4] for i in range(0, 32, 4))


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case, dashes or spaces anywhere) in its
    printed form; OrgRefused ``org-fingerprint-form`` if it cannot be one."""
    letters = re.sub(r"[\s-]", "", text).upper()
    if not _FINGERPRINT_CHARS.fullmatch(letters):
        raise OrgRefused(
            "That is not an organisation fingerprint (32 letters A-Z and digits 2-7, in groups of 4).",
            "org-fingerprint-form",
        )
    return "-".join(letters[i : i + 4] for i in range(0, 32, 4))


def verification_code(org_key: bytes, device_key: bytes) -> str:
    """The code a coordinator and a field worker compare by phone or in
    person: SHA-256 of ``"fieldvault-verification-code/1\\n" ‖ org key ‖
    device key`` (both raw 32-byte Ed25519 public keys, in that order); its
    first 30 bytes in six 5-byte pieces, each read as a big-endian integer
    modulo 100000 and written as 5 digits: six groups of five digits
    (about 99 bits, like Signal's safety numbers). Both sides compute it
    from the keys they hold: a substituted key on either side changes it."""
    digest = hashlib.sha256(CODE_DOMAIN + org_key + device_key).digest()
    groups = [int.from_bytes(digest[i : i + 5], "big") % 100_000 for i in range(0, 30, 5)]
    return " ".join(f"{g:05d}" for g in groups)


# -- the profile --------------------------------------------------------------------------


@dataclass(frozen=True)
class Coordinator:
    device_id: str
    device_key: bytes  # raw 32-byte Ed25519
    age_recipient: str  # "age1…": bundles are encrypted to it
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "device_key": _b64(self.device_key),
            "age_recipient": self.age_recipient,
            "label": self.label,
        }


@dataclass(frozen=True)
class Server:
    url: str  # https://…
    cert_sha256: str  # SHA-256 of the server's TLS certificate (DER), 64 hex: pinned
    # The raw Ed25519 key the server signs receipts with: pinned too. None in
    # profiles made before it was named: then devices trust it on first use.
    receipt_key: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        named = {"url": self.url, "cert_sha256": self.cert_sha256}
        return named | ({"receipt_key": _b64(self.receipt_key)} if self.receipt_key is not None else {})


# What coordinators send back to field workers (docs/org-profile.md, "Policy";
# docs/merge.md, "Sending back to the field"). "held-records": revisions of
# the records a worker already holds (a conflict's resolution, later edits),
# never a record it does not hold; "none": nothing of other devices; "all":
# everything the coordinator holds, evidence files included.
SEND_TO_WORKERS = ("none", "held-records", "all")
DEFAULT_SEND_TO_WORKERS = "held-records"


@dataclass(frozen=True)
class Profile:
    """An organisation profile's content (docs/org-profile.md)."""

    org_id: str
    name: str
    version: int  # only ever grows
    org_key: bytes  # raw 32-byte Ed25519: signs profiles and tokens
    server: Server | None
    coordinators: tuple[Coordinator, ...]
    revoked: tuple[str, ...]  # device ids, sorted
    purge_after_delivery: bool = False
    send_to_workers: str = DEFAULT_SEND_TO_WORKERS  # SEND_TO_WORKERS
    # The version at which ``coordinators`` (their device ids and age
    # recipients: whom bundles are encrypted to) last changed. Every version
    # from it up to this one has these coordinators, so a bundle made under
    # any of them can be read by each (sync/bundle/org_held.py). 0 when
    # made: this version (a new organisation, a change of coordinators, a
    # profile that predates the member). ``next_version`` sets it.
    coordinators_since: int = 0

    def __post_init__(self) -> None:
        if self.coordinators_since == 0:
            object.__setattr__(self, "coordinators_since", self.version)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.org_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROFILE_FORMAT,
            "format_version": 1,
            "org_id": self.org_id,
            "name": self.name,
            "version": self.version,
            "org_key": _b64(self.org_key),
            "server": self.server.to_json() if self.server else None,
            "coordinators": [c.to_json() for c in self.coordinators],
            "revoked": list(self.revoked),
            "policy": self._policy_json(),
        } | self._coordinators_since_json()

    def _coordinators_since_json(self) -> dict[str, Any]:
        # Written only when the coordinators are older than this version
        # (one content, one canonical form): a profile that changes them
        # reads as before, also by devices that predate the member.
        if self.coordinators_since != self.version:
            return {"coordinators_since": self.coordinators_since}
        return {}

    def _policy_json(self) -> dict[str, Any]:
        policy: dict[str, Any] = {"purge_after_delivery": self.purge_after_delivery}
        # Written only when not the default: a profile with the default
        # policy stays readable by devices that predate the member.
        if self.send_to_workers != DEFAULT_SEND_TO_WORKERS:
            policy["send_to_workers"] = self.send_to_workers
        return policy

    def coordinator(self, device_id: str) -> Coordinator | None:
        return next((c for c in self.coordinators if c.device_id == device_id), None)


@dataclass(frozen=True)
class SignedProfile:
    profile: Profile
    signed: bytes  # the profile file's bytes: what the vault keeps and what travels


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise OrgRefused(
            f"An organisation's name is 1 to {MAX_NAME} characters on one line.",
            "org-name-form",
            maximum=MAX_NAME,
        )
    return name


def check_server(url: str, cert_sha256: str, receipt_key: str | None = None) -> Server:
    """A server entry; ``receipt_key`` is the base64 of its raw 32-byte
    Ed25519 receipt key (``fieldvault serve --init`` prints it)."""
    cert = cert_sha256.strip().lower().replace(":", "")
    key = _unb64(receipt_key.strip(), 32) if receipt_key is not None else None
    if (
        not re.fullmatch(r"https://[^\s/?#@]+(/[^\s?#]*)?", url)
        or not _HEX64.fullmatch(cert)
        or (receipt_key is not None and key is None)
    ):
        raise OrgRefused(
            "The server needs an https:// address, the SHA-256 of its certificate (64 hex digits) and, "
            "if given, its receipt key (base64 of 32 bytes).",
            "org-server-form",
        )
    return Server(url, cert, key)


def check_send_to_workers(value: str) -> str:
    """A caller's mistake otherwise (the CLI offers only these choices)."""
    if value not in SEND_TO_WORKERS:
        raise ValueError(f"send_to_workers is one of {', '.join(SEND_TO_WORKERS)}")
    return value


def new_profile(
    name: str,
    org_key: Ed25519PrivateKey,
    coordinator: Coordinator,
    *,
    purge_after_delivery: bool = False,
    send_to_workers: str = DEFAULT_SEND_TO_WORKERS,
) -> Profile:
    return Profile(
        org_id=str(uuid.uuid4()),
        name=check_name(name),
        version=1,
        org_key=public_bytes(org_key),
        server=None,
        coordinators=(coordinator,),
        revoked=(),
        purge_after_delivery=purge_after_delivery,
        send_to_workers=check_send_to_workers(send_to_workers),
    )


def coordinators_key(profile: Profile) -> frozenset[tuple[str, str]]:
    """What a change of coordinators is: the devices and the age recipients
    bundles are encrypted to (a label, or the order, is no change)."""
    return frozenset((c.device_id, c.age_recipient) for c in profile.coordinators)


def next_version(previous: Profile, **change: Any) -> Profile:
    """The profile's next version (``version`` one more) with ``change``
    (Profile's fields) applied. ``coordinators_since`` is worked out here,
    never taken from the caller: kept when the coordinators are the same
    (a revocation of a field device, a server, a policy), the new version
    when any coordinator was added or removed or its recipient changed. A
    kept value that was wrong would make a desk count as held a bundle that
    a coordinator cannot read."""
    if "coordinators_since" in change:
        raise ValueError("coordinators_since is worked out from the coordinators, not given")
    profile = replace(previous, version=previous.version + 1, **change)
    same = coordinators_key(profile) == coordinators_key(previous)
    since = previous.coordinators_since if same else profile.version
    return replace(profile, coordinators_since=since)


def sign_profile(profile: Profile, org_key: Ed25519PrivateKey) -> SignedProfile:
    """The profile file: canonical JSON ``{"profile": …, "signature": base64}``,
    the signature Ed25519 by the organisation key over
    ``"fieldvault-org-profile/1\\n" ‖ canonical(profile)``."""
    if public_bytes(org_key) != profile.org_key:
        raise ValueError("a profile is signed by the organisation key it names")
    body = profile.to_json()
    _check_profile_json(body)  # never sign what a reader would refuse
    signature = org_key.sign(PROFILE_DOMAIN + canonical(body))
    return SignedProfile(profile, canonical({"profile": body, "signature": _b64(signature)}))


def _form_error() -> OrgRefused:
    return OrgRefused("This is not a valid organisation profile file.", "org-profile-form")


def _is_int(value: Any, low: int) -> bool:
    return type(value) is int and low <= value <= MAX_SAFE_INTEGER


def _check_profile_json(body: Any) -> Profile:
    members = {
        "format",
        "format_version",
        "org_id",
        "name",
        "version",
        "org_key",
        "server",
        "coordinators",
        "revoked",
        "policy",
    }
    if not isinstance(body, dict) or set(body) - {"coordinators_since"} != members:
        raise _form_error()
    if (
        body["format"] != PROFILE_FORMAT
        or body["format_version"] != 1
        or type(body["format_version"]) is not int
    ):
        raise _form_error()
    org_id, name = body["org_id"], body["name"]
    if not isinstance(org_id, str) or not isinstance(name, str) or not _is_int(body["version"], 1):
        raise _form_error()
    try:
        if str(uuid.UUID(org_id)) != org_id:
            raise _form_error()
        check_name(name)
    except (ValueError, OrgRefused):
        raise _form_error() from None
    org_key = _unb64(body["org_key"], 32) if isinstance(body["org_key"], str) else None
    if org_key is None:
        raise _form_error()
    server = None
    if body["server"] is not None:
        raw = body["server"]
        if not isinstance(raw, dict) or set(raw) - {"receipt_key"} != {"url", "cert_sha256"}:
            raise _form_error()
        if not all(isinstance(value, str) for value in raw.values()):
            raise _form_error()
        try:
            server = check_server(raw["url"], raw["cert_sha256"], raw.get("receipt_key"))
        except OrgRefused:
            raise _form_error() from None
        if server.to_json() != raw:
            raise _form_error()
    coordinators = []
    raw_list = body["coordinators"]
    if not isinstance(raw_list, list) or not raw_list:
        raise _form_error()
    for raw in raw_list:
        if not isinstance(raw, dict) or set(raw) != {"device_id", "device_key", "age_recipient", "label"}:
            raise _form_error()
        if not all(isinstance(raw[k], str) for k in raw):
            raise _form_error()
        key = _unb64(raw["device_key"], 32)
        if key is None or device_id_of(key) != raw["device_id"]:
            raise _form_error()
        if (
            not re.fullmatch(r"age1[02-9ac-hj-np-z]{58}", raw["age_recipient"])
            or len(raw["label"]) > MAX_NAME
        ):
            raise _form_error()
        coordinators.append(Coordinator(raw["device_id"], key, raw["age_recipient"], raw["label"]))
    if len({c.device_id for c in coordinators}) != len(coordinators):
        raise _form_error()
    revoked = body["revoked"]
    if not isinstance(revoked, list) or not all(isinstance(d, str) and _HEX32.fullmatch(d) for d in revoked):
        raise _form_error()
    if revoked != sorted(set(revoked)) or any(c.device_id in revoked for c in coordinators):
        raise _form_error()
    policy = body["policy"]
    if not isinstance(policy, dict) or set(policy) - {"send_to_workers"} != {"purge_after_delivery"}:
        raise _form_error()
    if not isinstance(policy["purge_after_delivery"], bool):
        raise _form_error()
    # Absent in profiles made before it existed: the default. Present, it is
    # never the default (one profile content, one canonical form).
    send_to_workers = policy.get("send_to_workers", DEFAULT_SEND_TO_WORKERS)
    if send_to_workers not in SEND_TO_WORKERS or (
        "send_to_workers" in policy and send_to_workers == DEFAULT_SEND_TO_WORKERS
    ):
        raise _form_error()
    # Absent: the coordinators changed at this version (or the profile
    # predates the member). Present: an older version, at least 1.
    since = body["coordinators_since"] if "coordinators_since" in body else body["version"]
    if (
        not _is_int(since, 1)
        or since > body["version"]
        or ("coordinators_since" in body and since == body["version"])
    ):
        raise _form_error()
    return Profile(
        org_id=org_id,
        name=name,
        version=body["version"],
        org_key=org_key,
        server=server,
        coordinators=tuple(coordinators),
        revoked=tuple(revoked),
        purge_after_delivery=policy["purge_after_delivery"],
        send_to_workers=send_to_workers,
        coordinators_since=since,
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise _form_error()
    return dict(pairs)


def read_profile(
    signed: bytes, *, expected_fingerprint: str | None = None, org_key: bytes | None = None
) -> Profile:
    """Check a profile file and return its content. Its signature must verify
    with the organisation key it names, and that key must be the one whose
    fingerprint the user was given (``expected_fingerprint``) or the key the
    vault already holds (``org_key``): a profile signed by any other key is
    refused, however well formed."""
    if len(signed) > MAX_PROFILE:
        raise _form_error()
    try:
        envelope = json.loads(signed.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _form_error() from None
    if not isinstance(envelope, dict) or set(envelope) != {"profile", "signature"}:
        raise _form_error()
    profile = _check_profile_json(envelope["profile"])  # also: nothing JCS cannot carry
    if not isinstance(envelope["signature"], str) or canonical(envelope) != signed:
        raise _form_error()
    signature = _unb64(envelope["signature"], 64)
    if signature is None:
        raise _form_error()
    actual = fingerprint(profile.org_key)
    if expected_fingerprint is not None:
        expected = normalise_fingerprint(expected_fingerprint)
        if actual != expected:
            raise OrgRefused(
                f"This organisation profile is signed by the key with fingerprint {actual}, not by the "
                f"organisation whose fingerprint you were given ({expected}). It may be forged: do not "
                "use it, and ask your coordinator by phone or in person.",
                "org-fingerprint-mismatch",
                expected=expected,
                actual=actual,
            )
    if org_key is not None and profile.org_key != org_key:
        raise OrgRefused(
            f"This profile of organisation {profile.org_id} is signed by another key than the one this "
            "vault holds for it. It may be forged: it was not used.",
            "org-key-changed",
            org_id=profile.org_id,
        )
    try:
        Ed25519PublicKey.from_public_bytes(profile.org_key).verify(
            signature, PROFILE_DOMAIN + canonical(envelope["profile"])
        )
    except InvalidSignature:
        raise OrgRefused(
            "This organisation profile's signature does not verify: it was changed after it was signed.",
            "org-profile-signature",
        ) from None
    return profile


# -- enrolment tokens ---------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentToken:
    token_id: str  # 32 hex
    org_id: str
    expires_ms: int
    text: str  # as handed to the worker: "fvt1.<payload>.<signature>"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(text: str) -> bytes | None:
    """Canonical unpadded base64url (db/strict_b64.py), or None."""
    return strict_b64url_decode(text)


def make_token(org_key: Ed25519PrivateKey, org_id: str, expires_ms: int) -> EnrolmentToken:
    """A one-time enrolment token: ``fvt1.`` + base64url(payload) + ``.`` +
    base64url(signature), unpadded; the payload canonical JSON
    ``{"format", "org_id", "token_id", "expires_ms"}``, the signature Ed25519
    by the organisation key over ``"fieldvault-enrolment-token/1\\n" ‖ payload``.
    Anyone with the profile checks it with no call; that it is used once is
    the coordinator's (and later the server's) bookkeeping."""
    token_id = secrets.token_hex(16)
    payload = canonical(
        {"format": TOKEN_FORMAT, "org_id": org_id, "token_id": token_id, "expires_ms": expires_ms}
    )
    signature = org_key.sign(TOKEN_DOMAIN + payload)
    return EnrolmentToken(
        token_id, org_id, expires_ms, f"{TOKEN_PREFIX}.{_b64url(payload)}.{_b64url(signature)}"
    )


def read_token(text: str, org_key: bytes, org_id: str, *, now_ms: int) -> EnrolmentToken:
    """Check a token against the organisation's key and id and the time:
    OrgRefused token-form, token-signature, token-other-organisation or
    token-expired. (Whether it was used already is not visible here.)"""
    text = text.strip()
    parts = text.split(".")
    form = OrgRefused("That is not an enrolment token.", "token-form")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise form
    payload, signature = _unb64url(parts[1]), _unb64url(parts[2])
    if payload is None or signature is None or len(signature) != 64 or len(payload) > 4096:
        raise form
    try:
        Ed25519PublicKey.from_public_bytes(org_key).verify(signature, TOKEN_DOMAIN + payload)
    except InvalidSignature:
        raise OrgRefused(
            "This enrolment token was not signed by this organisation's key.", "token-signature"
        ) from None
    try:
        body = json.loads(payload.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, OrgRefused):
        raise form from None
    if (
        not isinstance(body, dict)
        or set(body) != {"format", "org_id", "token_id", "expires_ms"}
        or body["format"] != TOKEN_FORMAT
        or not isinstance(body["token_id"], str)
        or not _HEX32.fullmatch(body["token_id"])
        or not _is_int(body["expires_ms"], 0)
        or canonical(body) != payload
    ):
        raise form
    if body["org_id"] != org_id:
        raise OrgRefused(
            f"This enrolment token belongs to another organisation ({body['org_id']}).",
            "token-other-organisation",
            org_id=str(body["org_id"]),
        )
    if now_ms >= body["expires_ms"]:
        raise OrgRefused(
            f"Enrolment token {body['token_id']} has expired: ask your coordinator for a new one.",
            "token-expired",
            token_id=body["token_id"],
        )
    return EnrolmentToken(body["token_id"], org_id, body["expires_ms"], text)


# -- device cards -------------------------------------------------------------------------

DEVICE_CARD_PREFIX = "fvd1"


@dataclass(frozen=True)
class DeviceCard:
    """What a field worker hands a coordinator so that its bundles are
    accepted: its device key and age recipient (public keys only)."""

    device_id: str
    device_key: bytes
    age_recipient: str

    @property
    def text(self) -> str:
        return f"{DEVICE_CARD_PREFIX}.{_b64url(self.device_key)}.{self.age_recipient}"


def device_card(device_key: bytes, age_recipient: str) -> DeviceCard:
    return DeviceCard(device_id_of(device_key), device_key, age_recipient)


def read_device_card(text: str) -> DeviceCard:
    """``fvd1.<base64url(device key)>.<age1…>``; OrgRefused org-device-card-form."""
    parts = text.strip().split(".")
    key = _unb64url(parts[1]) if len(parts) == 3 and parts[0] == DEVICE_CARD_PREFIX else None
    if key is None or len(key) != 32 or not re.fullmatch(r"age1[02-9ac-hj-np-z]{58}", parts[2]):
        raise OrgRefused("That is not a device card (fvd1.…, as enrol prints it).", "org-device-card-form")
    return device_card(key, parts[2])


# -- the enrolment payload (a QR code's text) --------------------------------------------

ENROL_PAYLOAD_PREFIX = "fieldvault:enrol?"
MAX_ENROL_PAYLOAD = 8192  # characters: more than a QR code can carry (2953 bytes at most)


@dataclass(frozen=True)
class EnrolPayload:
    """What ``org token`` puts in its QR code: the profile file's bytes, the
    fingerprint of the key that signs it and, if any, an enrolment token."""

    signed: bytes
    fingerprint: str
    token: str | None

    @property
    def text(self) -> str:
        return enrol_payload_text(self.signed, self.fingerprint, self.token)


def enrol_payload_text(signed: bytes, org_fingerprint: str, token: str | None = None) -> str:
    """``fieldvault:enrol?v=1&fp=<32 base32>&p=<base64url(zlib(profile))>[&t=<token>]``
    (docs/org-profile.md §7): ASCII, no character that needs escaping."""
    letters = normalise_fingerprint(org_fingerprint).replace("-", "")
    text = f"{ENROL_PAYLOAD_PREFIX}v=1&fp={letters}&p={_b64url(zlib.compress(signed, 9))}"
    return text + (f"&t={token.strip()}" if token else "")


def _payload_error() -> OrgRefused:
    return OrgRefused(
        "That is not the enrolment text of a Fieldvault QR code (fieldvault:enrol?…).",
        "org-enrol-payload-form",
    )


def _inflate(data: bytes) -> bytes | None:
    """The profile bytes, never more than MAX_PROFILE of them: a small
    payload cannot inflate into gigabytes."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_PROFILE + 1)
    except zlib.error:
        return None
    if len(out) > MAX_PROFILE or not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        return None
    return out


def looks_like_enrol_payload(data: bytes) -> bool:
    return data.lstrip().startswith(ENROL_PAYLOAD_PREFIX.encode("ascii"))


def read_enrol_payload(text: str) -> EnrolPayload:
    """Parse an enrolment payload and check that it is whole: the profile is
    well formed, signed by the key it names, and that key's fingerprint is
    the one the payload carries (OrgRefused ``org-enrol-payload-form``,
    or the profile's own refusals).

    The fingerprint carried here proves nothing about who made the payload
    (whoever changed the profile could change it too): enrolling still needs
    the fingerprint received out of band (``org_vault.enrol``)."""
    text = text.strip()
    if len(text) > MAX_ENROL_PAYLOAD or not text.startswith(ENROL_PAYLOAD_PREFIX):
        raise _payload_error()
    query = text[len(ENROL_PAYLOAD_PREFIX) :]
    if not re.fullmatch(r"[A-Za-z0-9_.=&-]+", query):
        raise _payload_error()
    try:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise _payload_error() from None
    names = [name for name, _ in pairs]
    values = dict(pairs)
    if len(set(names)) != len(names) or not {"v", "fp", "p"} <= set(names) <= {"v", "fp", "p", "t"}:
        raise _payload_error()
    if values["v"] != "1" or not _FINGERPRINT_CHARS.fullmatch(values["fp"]):
        raise _payload_error()
    compressed = _unb64url(values["p"])
    signed = _inflate(compressed) if compressed is not None else None
    if signed is None:
        raise _payload_error()
    token = values.get("t")
    if token is not None and not re.fullmatch(rf"{TOKEN_PREFIX}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token):
        raise _payload_error()
    carried = normalise_fingerprint(values["fp"])
    try:
        read_profile(signed, expected_fingerprint=carried)
    except OrgRefused as refused:
        if refused.code == "org-fingerprint-mismatch":
            raise _payload_error() from None  # not whole: its parts do not belong together
        raise
    return EnrolPayload(signed, carried, token)
