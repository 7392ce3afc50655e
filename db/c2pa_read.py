"""Content Credentials (C2PA) a file brings with it, read at intake.

Phones, cameras and editing tools increasingly embed a C2PA manifest: a
signed statement of who (which certificate) made the file with what tool,
when, and sometimes where and by whom, bound to the file's bytes by hashes.
At intake a confined child (``db.sandbox``, task ``c2pa``) reads and checks
that manifest with the Content Authenticity Initiative's library (c2pa-rs,
through c2pa-python) and answers with a small summary of strings. The
summary is a **claim of the file**: it lands in the item's ``claimed``
fields under ``c2pa_*`` keys and, unprefixed, in the intake custody event
(docs/chain-of-custody.md, "Content Credentials").

What "valid" means here: the manifest's signature verifies with the
certificate it carries and the hashes it signed match the file's bytes. It
does not mean the signer is known: Fieldvault ships no trust list, so every
signer is "not on a trust list" (``trusted`` is ``no``), and anyone can make a
certificate with any name (docs/threat-model.md).

Nothing of the summary is logged. The c2pa library is imported only in the
child (``summarise``); the app's process never loads it.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any, BinaryIO

from db.sandbox import BAD_OUTPUT, Limits, SandboxFailed, SandboxRun, child_reason, loggable_reason

log = logging.getLogger(__name__)

TASK = "c2pa"
CLAIM_PREFIX = "c2pa_"
# The summary's keys (values are strings); ``state`` is always present.
STATE = "state"
VALID, INVALID, NO_MANIFEST, NOT_READ = "valid", "invalid", "no manifest", "not read"
SUMMARY_KEYS = (
    STATE,
    "trusted",  # "yes" only where a trust list matched: never with no list configured
    "codes",  # the failure codes, comma-separated (e.g. assertion.dataHash.mismatch)
    "reason",  # why it was not read: a fixed phrase (timed out, too much memory…)
    "signer",  # the signing certificate's subject (CN, O)
    "issuer",  # that certificate's issuer (CN, O)
    "signed_at",  # a time-stamp authority's time for the signature, if any
    "algorithm",
    "claim_generator",  # the tool that wrote the manifest, as it names itself
    "capture_time",
    "digital_source",  # IPTC digital source type: digitalCapture, trainedAlgorithmicMedia…
    "author",
    "location",
)
# Failure codes are C2PA's own tokens; anything else is not reported.
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,80}$")
MAX_CODES = 12
MAX_TEXT = 200
UNTRUSTED = "signingCredential.untrusted"

# What libmagic calls a type the c2pa library reads, and the name it has
# there. Other types are not given to it (no child is started for them).
READ_AS = {
    "image/jpeg": "image/jpeg",
    "image/png": "image/png",
    "image/gif": "image/gif",
    "image/tiff": "image/tiff",
    "image/webp": "image/webp",
    "image/heic": "image/heic",
    "image/heif": "image/heif",
    "image/avif": "image/avif",
    "image/jxl": "image/jxl",
    "image/svg+xml": "image/svg+xml",
    "image/x-nikon-nef": "image/x-nikon-nef",
    "image/x-sony-arw": "image/x-sony-arw",
    "image/x-adobe-dng": "image/x-adobe-dng",
    "video/mp4": "video/mp4",
    "video/quicktime": "video/quicktime",
    "video/x-m4v": "video/x-m4v",
    "video/x-msvideo": "video/x-msvideo",
    "audio/mpeg": "audio/mpeg",
    "audio/x-wav": "audio/x-wav",
    "audio/wav": "audio/wav",
    "audio/flac": "audio/flac",
    "audio/x-flac": "audio/flac",
    "audio/mp4": "audio/mp4",
    "audio/x-m4a": "audio/mp4",
    "application/pdf": "application/pdf",
}

# Reading hashes the whole file: time grows with its size.
BASE_LIMITS = Limits(memory_bytes=1 << 30, cpu_seconds=20, wall_seconds=30.0)
SECONDS_PER_GIB = 30


def limits_for(size: int) -> Limits:
    extra = int(SECONDS_PER_GIB * size / (1 << 30))
    return Limits(
        memory_bytes=BASE_LIMITS.memory_bytes,
        cpu_seconds=BASE_LIMITS.cpu_seconds + extra,
        wall_seconds=BASE_LIMITS.wall_seconds + 1.5 * extra,
    )


# -- in the app's process ------------------------------------------------------


def content_credentials(path: Path, mime: str) -> dict[str, str]:
    """The file's Content Credentials as ``c2pa_*`` claims; {} for a type the
    library does not read. Never raises for what the file holds: a child that
    fails gives ``{"c2pa_state": "not read", "c2pa_reason": <fixed phrase>}``."""
    read_as = READ_AS.get(mime)
    if read_as is None:
        return {}
    path = Path(path)
    run = SandboxRun(TASK, read_as, limits=limits_for(path.stat().st_size))
    try:
        with path.open("rb") as source:
            output = run.run(stdin_file=source)
        summary = _answer(output)
    except SandboxFailed as failed:
        # The reason is checked to be a fixed phrase or an exception's type
        # name (child_reason); the log gets the phrase alone.
        log.info("content credentials not read from a %s file: %s", mime, loggable_reason(failed.reason))
        summary = {STATE: NOT_READ, "reason": failed.reason}
    return {CLAIM_PREFIX + key: value for key, value in summary.items()}


def _answer(output: bytes) -> dict[str, str]:
    for line in output.splitlines():
        try:
            answer = json.loads(line)
        except ValueError:
            continue
        if not isinstance(answer, dict):
            continue
        if isinstance(answer.get("error"), str):
            raise SandboxFailed(child_reason(answer["error"]))
        summary = answer.get("c2pa")
        if isinstance(summary, dict) and _well_formed(summary):
            return {key: str(summary[key]) for key in SUMMARY_KEYS if key in summary}
    raise SandboxFailed(BAD_OUTPUT)


def _well_formed(summary: dict[str, Any]) -> bool:
    return (
        summary.get(STATE) in (VALID, INVALID, NO_MANIFEST, NOT_READ)
        and set(summary) <= set(SUMMARY_KEYS)
        and all(isinstance(value, str) and len(value) <= 4 * MAX_TEXT for value in summary.values())
    )


CUSTODY_KEY = "content_credentials"


def custody_details(claimed: dict[str, str]) -> dict[str, dict[str, str]]:
    """What the intake custody event adds to its details: the ``c2pa_*``
    claims without their prefix under ``content_credentials``; nothing when
    the file's type was not read."""
    summary = {
        key.removeprefix(CLAIM_PREFIX): value
        for key, value in claimed.items()
        if key.startswith(CLAIM_PREFIX)
    }
    return {CUSTODY_KEY: summary} if summary else {}


# -- in the child only (db.sandbox_worker) ---------------------------------------

# No remote manifest is fetched and no OCSP responder asked: the child has no
# network anyway, and a fetch would tell a server which file is being read.
READER_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}


def load_library() -> Any:
    """Import c2pa and make the reading context; before the box closes (the
    native library is loaded with ctypes)."""
    import c2pa

    return c2pa.Context.from_dict(READER_SETTINGS)


def summarise(source: BinaryIO, read_as: str, context: Any) -> dict[str, str]:
    """Read and validate the manifest store of ``source``: the summary."""
    import c2pa

    try:
        reader = c2pa.Reader(read_as, source, None, context)
    except c2pa.C2paError.ManifestNotFound:
        return {STATE: NO_MANIFEST}
    except c2pa.C2paError.NotSupported:
        return {STATE: NOT_READ, "reason": "format not supported"}
    except c2pa.C2paError as err:
        # The library stopped before it could check anything: a damaged file
        # (a truncated photo without any manifest ends here too), so neither
        # valid nor invalid. Its kind (Other, JumbfParse…) says why; its
        # message may quote the file.
        kind = type(err).__name__.removeprefix("_C2pa") if type(err) is not c2pa.C2paError else "Error"
        return {STATE: NOT_READ, "reason": f"unreadable file ({kind})"}
    with reader:
        store = json.loads(reader.json())
        try:
            certificates = _certificates(json.loads(reader.crjson()), store.get("active_manifest"))
        except (c2pa.C2paError, ValueError):
            certificates = {}
    return summary_of(store, certificates)


def _certificates(crjson: Any, label: Any) -> dict[str, str]:
    """The active manifest's signing certificate subject and issuer, from the
    Content Credentials JSON form (the plain form names only the subject)."""
    manifests = crjson.get("manifests") if isinstance(crjson, dict) else None
    for manifest in manifests if isinstance(manifests, list) else []:
        if not isinstance(manifest, dict) or manifest.get("label") != label:
            continue
        info = _get(manifest, "signature", "certificateInfo")
        if isinstance(info, dict):
            return {
                key: _distinguished(info.get(key))
                for key in ("subject", "issuer")
                if info.get(key) is not None
            }
    return {}


def _distinguished(name: Any) -> str:
    if not isinstance(name, dict):
        return ""
    parts = [_text(name.get(attribute)) for attribute in ("CN", "O", "OU", "C")]
    return ", ".join(part for part in parts if part)


def summary_of(store: dict[str, Any], certificates: dict[str, str] | None = None) -> dict[str, str]:
    """The summary of a manifest store (c2pa's ``Reader.json()``), strings only."""
    certificates = certificates or {}
    manifests = store.get("manifests")
    active = manifests.get(store.get("active_manifest")) if isinstance(manifests, dict) else None
    if not isinstance(active, dict):
        return {STATE: INVALID, "codes": "manifest.missing", "trusted": "no"}
    failures = _failure_codes(store)
    state = str(store.get("validation_state", ""))
    valid = state in ("Valid", "Trusted") and not (set(failures) - {UNTRUSTED})
    summary = {
        STATE: VALID if valid else INVALID,
        "trusted": "yes" if state == "Trusted" else "no",
    }
    codes = [code for code in failures if code != UNTRUSTED][:MAX_CODES]
    if codes:
        summary["codes"] = ", ".join(codes)
    found = active.get("signature_info")
    signature: dict[str, Any] = found if isinstance(found, dict) else {}
    subject = certificates.get("subject") or ", ".join(
        part for part in (_text(signature.get("common_name")), _text(signature.get("issuer"))) if part
    )
    optional = {
        "signer": subject,
        "issuer": certificates.get("issuer", ""),
        "signed_at": _text(signature.get("time")),
        "algorithm": _text(signature.get("alg")),
        "claim_generator": _generator(active),
        **_assertion_claims(active),
    }
    summary.update({key: _text(value) for key, value in optional.items() if _text(value)})
    return summary


def _failure_codes(store: dict[str, Any]) -> list[str]:
    entries = _get(store, "validation_results", "activeManifest", "failure")
    if not isinstance(entries, list):
        entries = store.get("validation_status") if isinstance(store.get("validation_status"), list) else []
    # Ingredients (earlier versions of the file) carry their own results.
    for delta in _as_list(_get(store, "validation_results", "ingredientDeltas")):
        entries = [*entries, *_as_list(_get(delta, "validationDeltas", "failure"))]
    codes: list[str] = []
    for entry in entries:
        code = entry.get("code") if isinstance(entry, dict) else None
        if isinstance(code, str) and _CODE.match(code) and code not in codes:
            codes.append(code)
    return codes


def _generator(manifest: dict[str, Any]) -> str:
    for info in _as_list(manifest.get("claim_generator_info")):
        if isinstance(info, dict) and info.get("name"):
            return " ".join(part for part in (_text(info.get("name")), _text(info.get("version"))) if part)
    return _text(manifest.get("claim_generator"))


def _assertion_claims(manifest: dict[str, Any]) -> dict[str, str]:
    claims: dict[str, str] = {}
    authors: list[str] = []
    for assertion in _as_list(manifest.get("assertions")):
        if not isinstance(assertion, dict) or not isinstance(assertion.get("data"), dict):
            continue
        label, data = str(assertion.get("label", "")), assertion["data"]
        if label.startswith("c2pa.actions"):
            for action in _as_list(data.get("actions")):
                if isinstance(action, dict) and action.get("action") in ("c2pa.created", "c2pa.captured"):
                    claims.setdefault("capture_time", _text(action.get("when")))
                    source = _text(action.get("digitalSourceType"))
                    claims.setdefault("digital_source", source.rsplit("/", 1)[-1])
        elif label == "stds.exif":
            claims["capture_time"] = claims.get("capture_time") or _text(data.get("exif:DateTimeOriginal"))
            latitude, longitude = _text(data.get("exif:GPSLatitude")), _text(data.get("exif:GPSLongitude"))
            if latitude and longitude:
                claims["location"] = f"{latitude}; {longitude}"
        elif label.startswith("stds.schema-org.CreativeWork"):
            for author in _as_list(data.get("author")):
                name = _text(author.get("name") if isinstance(author, dict) else author)
                if name and name not in authors:
                    authors.append(name)
    if authors:
        claims["author"] = "; ".join(authors[:5])
    return {key: value for key, value in claims.items() if value}


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    """A short, single-line, printable string: the file chose these bytes, and
    they end up in a label and a signed log (no control or direction marks)."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = "".join(" " if unicodedata.category(char).startswith("C") else char for char in str(value))
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
