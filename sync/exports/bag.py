"""The BagIt evidence package of one case (docs/exports.md, "BagIt").

    <bag>/bagit.txt, bag-info.txt, manifest-sha256.txt, manifest-sha512.txt,
          tagmanifest-sha256.txt, tagmanifest-sha512.txt
    <bag>/data/evidence/<item id>/<original name>   the original bytes
    <bag>/data/stripped/<item id>/<name>.png        (option) pixels only, no metadata
    <bag>/data/metadata/<item id>.json              the item's record
    <bag>/data/custody/<item id>.json               the item's signed custody events
    <bag>/data/case.json                            the case's structured data (JSON export),
                                                    with its consent records and what consent withheld
    <bag>/data/export-manifest.json, .sig           the signed export manifest

An item whose file was delivered to the organisation's server and purged
from this laptop (db/purge.py) has no bytes here to put in the bag: the
bag is made without them, and says so where a reader of the bag looks
(docs/exports.md, "BagIt"): its manifest entry and metadata name it
withheld as ``delivered-and-purged`` with its SHA-256 of intake (the file
the organisation holds), bag-info.txt counts and names them, and the
result (``BagResult.purged``) lets the CLI and the dialog tell the user.
Its record and custody are in the bag as any other item's; it gets an
``export-metadata`` custody event, as a metadata-only export would.

Each original is decrypted by the vault's own export (db.api
``vault.evidence.export``): streamed, SHA-256 re-checked against the signed
record of intake, and recorded as an ``export`` custody event of the item.
The bag is assembled in a partial folder and renamed once complete
(sync/exports/staging.py).

The tag files and manifests are written here, per RFC 8493 and in the form
the ``bagit`` library writes them, rather than by ``bagit.make_bag``: that
reads every payload byte again for each manifest after the export wrote it,
and changes the process's working directory while it runs (unsafe beside a
GUI's other threads). Here the SHA-256 comes from the export itself (which
re-checked it against intake) and the SHA-512 is computed in a second
thread while the next item is being exported, from the page cache. Before
the bag takes its name, the ``bagit`` library reads it back and checks its
structure, tag files, Payload-Oxum and that every file is in the manifests
and every manifest entry is there; ``bagit.py --validate`` checks every hash
with no Fieldvault code.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bagit

from db.api import CancelToken, EvidencePurge, SandboxFailed, Vault
from sync.exports import staging
from sync.exports.casedata import PERSONAL_CREDENTIALS, CaseData, document, record_dict, utc_now
from sync.exports.consent import DEFAULT_PURPOSE, prepare, purpose_words, withheld_summary
from sync.exports.signing import public_key_b64, sign_manifest
from sync.exports.strip import can_strip, write_stripped_copy

ProgressCallback = Callable[[int, int], None]
MANIFEST_FORMAT = "fieldvault-export-manifest"
CHECKSUMS = ("sha256", "sha512")
BAGIT_TXT = "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"
_HASH_CHUNK = 1 << 20
# Why an item's file is not in the bag: delivered to the organisation's
# server and purged from this laptop by its policy (db/purge.py).
PURGED = "delivered-and-purged"
PURGED_WORDS = "delivered to the organisation's server and purged from this laptop"
# In place of an event's signed bytes and signature (``_custody_by_item``).
CUSTODY_WITHHELD = (
    "withheld: pseudonymised export (its Content Credentials claims may name a person or place)"
)
# bag path -> {"sha256": hex, "sha512": hex or a Future of it}, and the size.
Digests = dict[str, tuple[dict[str, "str | Future[str]"], int]]


@dataclass(frozen=True)
class BagResult:
    path: Path
    # SHA-256 of data/export-manifest.json: the value the signature covers.
    manifest_sha256: str
    items: int
    bytes: int
    stripped: int
    # Items whose file is not in the bag: delivered and purged (their record and custody are).
    purged: tuple[str, ...] = ()


def export_bag(
    vault: Vault,
    case_id: str,
    destination: Path,
    *,
    strip_metadata: bool = False,
    purpose: str = DEFAULT_PURPOSE,
    pseudonymise_witnesses: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> BagResult:
    data = prepare(vault, case_id, purpose=purpose, pseudonymise_witnesses=pseudonymise_witnesses)
    target = staging.choose_target(destination, staging.default_name(case_id, "bagit"))
    purged = EvidencePurge.of(vault).purged_evidence_ids() & {item.id for item in data.evidence}
    total = sum(item.size for item in data.evidence if item.id not in purged)
    with staging.partial_folder(target, vault.exports_in_progress) as partial, _hasher() as sha512:
        (partial / "data").mkdir(mode=0o700)
        digests: Digests = {}
        result = _assemble(
            vault,
            data,
            partial / "data",
            total,
            strip_metadata,
            progress,
            cancel,
            digests,
            sha512,
            purged,
            target.name,
        )
        staging.check_cancel(cancel)
        _write_tag_files(partial, data, vault.device_id, result.manifest_sha256, digests, result.purged)
        _check_with_bagit(partial)
        staging.check_cancel(cancel)
        staging.commit_folder(partial, target)
    if progress is not None:
        progress(total, total)
    return BagResult(
        target, result.manifest_sha256, result.items, result.bytes, result.stripped, result.purged
    )


def _assemble(
    vault: Vault,
    data: CaseData,
    partial: Path,
    total: int,
    strip_metadata: bool,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    digests: Digests,
    sha512: Callable[[Path], Future[str]],
    purged: set[str],
    target_name: str,
) -> BagResult:
    """Write the payload into ``partial`` (the bag's data/ folder); fill
    ``digests`` for the manifests and ``files`` for the signed manifest.
    Items in ``purged`` get an entry without a file (module docstring)."""
    files: dict[str, tuple[str, int]] = {}  # bag path -> (sha256, size)
    entries: list[dict[str, Any]] = []
    done = 0
    stripped = 0
    for item in data.evidence:
        staging.check_cancel(cancel)
        if item.id in purged:
            # The SHA-256 and size of the signed record of intake: what the organisation holds.
            entries.append(
                {"id": item.id, "sha256": item.sha256, "size": item.size, "path": None, "stripped": None}
                | {"withheld": PURGED}
            )
            continue
        folder = partial / "evidence" / item.id
        folder.mkdir(parents=True, mode=0o700)

        def item_progress(part: int, _whole: int, before: int = done) -> None:
            if progress is not None:
                progress(before + part, total)

        exported = vault.evidence.export(item.id, folder, progress=item_progress, cancel=cancel)
        done += item.size
        path = exported.path.relative_to(partial)
        files[_bag_path(path)] = (exported.sha256, item.size)
        digests[_bag_path(path)] = ({"sha256": exported.sha256, "sha512": sha512(exported.path)}, item.size)
        entry: dict[str, Any] = {
            "id": item.id,
            "sha256": exported.sha256,
            "size": item.size,
            "path": _bag_path(path),
            "stripped": None,
        }
        if strip_metadata and can_strip(item.mime_type):
            staging.check_cancel(cancel)
            copy_folder = partial / "stripped" / item.id
            copy_folder.mkdir(parents=True, mode=0o700)
            copy = copy_folder / (Path(exported.path.name).stem + ".png")
            try:
                write_stripped_copy(exported.path, copy)
            except SandboxFailed:
                # Not an image the sandbox decodes: no copy; the manifest says so.
                copy.unlink(missing_ok=True)
                copy_folder.rmdir()
                entry["stripped"] = None
            else:
                stripped += 1
                entry["stripped"] = _bag_path(copy.relative_to(partial))
                both, size = _hash_file(copy)
                files[entry["stripped"]] = (both["sha256"], size)
                digests[entry["stripped"]] = (dict(both), size)
        entries.append(entry)
    withheld_files = tuple(item.id for item in data.evidence if item.id in purged)
    if withheld_files:
        # Their records go out without their bytes, as in a metadata export.
        vault.evidence.record_metadata_export(
            list(withheld_files),
            {"format": "bagit", "file_name": target_name, "purpose": data.purpose},
        )
    # After the exports: each item's log then holds the export just made.
    by_item = _custody_by_item(
        vault, {item.id for item in data.evidence}, personal_claims_withheld=data.personal_claims_withheld
    )
    for item in data.evidence:
        meta = record_dict(item) | {"file": files_path(entries, item.id)}
        if item.id in purged:
            meta["withheld"] = PURGED_WORDS
        _write_json(partial / "metadata" / f"{item.id}.json", meta, files, digests, partial)
        _write_json(
            partial / "custody" / f"{item.id}.json", by_item.get(item.id, []), files, digests, partial
        )
    _write_json(partial / "case.json", document(data, vault.device_id), files, digests, partial)
    log = vault.evidence.custody_log()
    key = vault.sync.signing_key()
    manifest = {
        "format": MANIFEST_FORMAT,
        "v": 1,
        "kind": "bagit",
        "case_id": data.case.id,
        "created": utc_now(),
        "device": vault.device_id,
        "key": public_key_b64(key),
        "custody_head": log[-1]["hash"] if log else None,
        "pseudonymised": data.pseudonymised,
        "purpose": data.purpose,
        "withheld": [dict(w) for w in data.withheld],
        "stripped_copies": strip_metadata,
        "evidence": entries,
        "files": [{"path": p, "sha256": s, "size": n} for p, (s, n) in sorted(files.items())],
    }
    signed, signature = sign_manifest(key, manifest)
    for name, body in (
        ("export-manifest.json", signed),
        ("export-manifest.sig", base64.b64encode(signature) + b"\n"),
    ):
        _write_bytes(partial / name, body)
        hashes: dict[str, str | Future[str]] = dict(_digests_of(body))
        digests[_bag_path(Path(name))] = (hashes, len(body))
    return BagResult(
        partial, hashlib.sha256(signed).hexdigest(), len(entries), done, stripped, withheld_files
    )


def files_path(entries: list[dict[str, Any]], item_id: str) -> str | None:
    path = next(e["path"] for e in entries if e["id"] == item_id)
    return None if path is None else str(path)


def _bag_path(relative: Path) -> str:
    return "data/" + relative.as_posix()


def _custody_by_item(
    vault: Vault, item_ids: set[str], *, personal_claims_withheld: bool = False
) -> dict[str, list[dict[str, str]]]:
    """Each item's signed events, in the form ``fieldvault custody export``
    prints, in chain order. Events of other cases' items are left out (their
    details name other files). With ``personal_claims_withheld`` (a
    pseudonymised export), an event whose details carry Content Credentials
    claims that may name a person or place (the intake event: author,
    signer, GPS) is given by its hash alone: its signed bytes cannot be
    changed without breaking its signature, so they are left out."""
    by_item: dict[str, list[dict[str, str]]] = {}
    for event in vault.evidence.custody_log():
        body = json.loads(base64.b64decode(event["signed"]))
        if body["evidence"] in item_ids:
            if personal_claims_withheld and _names_a_person_or_place(body):
                event = {"hash": event["hash"], "withheld": CUSTODY_WITHHELD}
            by_item.setdefault(body["evidence"], []).append(event)
    return by_item


def _names_a_person_or_place(body: dict[str, Any]) -> bool:
    details = body.get("details")
    # The intake event's details (db/c2pa_read.py custody_details).
    credentials = details.get("content_credentials") if isinstance(details, dict) else None
    return isinstance(credentials, dict) and any(key in credentials for key in PERSONAL_CREDENTIALS)


def _write_json(
    path: Path, value: object, files: dict[str, tuple[str, int]], digests: Digests, partial: Path
) -> None:
    data = (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_bytes(path, data)
    both = _digests_of(data)
    files[_bag_path(path.relative_to(partial))] = (both["sha256"], len(data))
    digests[_bag_path(path.relative_to(partial))] = (dict(both), len(data))


def _digests_of(data: bytes) -> dict[str, str]:
    return {name: hashlib.new(name, data).hexdigest() for name in CHECKSUMS}


def _write_bytes(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _hash_file(path: Path, names: tuple[str, ...] = CHECKSUMS) -> tuple[dict[str, str], int]:
    hashers = [hashlib.new(name) for name in names]
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            for hasher in hashers:
                hasher.update(chunk)
            size += len(chunk)
    return {name: h.hexdigest() for name, h in zip(names, hashers, strict=True)}, size


@contextlib.contextmanager
def _hasher() -> Iterator[Callable[[Path], Future[str]]]:
    """SHA-512 of exported files, one at a time in a second thread (hashlib
    releases the GIL), while the next item is exported. On a failure the
    waiting ones are dropped and the running one is waited for, so nothing
    reads the partial folder once it is being removed."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldvault-bag-hash")

    def submit(path: Path) -> Future[str]:
        return pool.submit(lambda: _hash_file(path, ("sha512",))[0]["sha512"])

    try:
        yield submit
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _manifest_name(path: str) -> str:
    # As the bagit library writes and reads them: CR and LF percent-encoded.
    return path.replace("\r", "%0D").replace("\n", "%0A")


def _write_tag_files(
    partial: Path,
    data: CaseData,
    device_id: str,
    manifest_sha256: str,
    digests: Digests,
    purged: tuple[str, ...],
) -> None:
    """bagit.txt, the payload manifests, bag-info.txt and the tag manifests (RFC 8493)."""
    for algorithm in CHECKSUMS:
        lines = []
        for path, (hashes, _size) in sorted(digests.items()):
            value = hashes[algorithm]
            digest = value if isinstance(value, str) else value.result()
            lines.append(f"{digest}  {_manifest_name(path)}\n")
        _write_bytes(partial / f"manifest-{algorithm}.txt", "".join(lines).encode("utf-8"))
    _write_bytes(partial / "bagit.txt", BAGIT_TXT.encode("utf-8"))
    info = {
        "Bag-Software-Agent": "Fieldvault exports (sync/exports/bag.py)",
        "Bagging-Date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "External-Description": f"Evidence of case {data.case.id}, exported by device {device_id}",
        "External-Identifier": data.case.id,
        "Fieldvault-Device": device_id,
        "Fieldvault-Export-Manifest-SHA256": manifest_sha256,
        "Fieldvault-Export-Purpose": purpose_words(data.purpose),
        "Fieldvault-Withheld-By-Consent": withheld_summary(data.withheld),
        "Fieldvault-Files-Withheld": (
            f"{len(purged)} evidence file(s) {PURGED_WORDS} ({PURGED}): {', '.join(purged)}"
            if purged
            else "none"
        ),
        "Payload-Oxum": f"{sum(size for _h, size in digests.values())}.{len(digests)}",
        "Source-Organization": "Fieldvault export",
    }
    _write_bytes(
        partial / "bag-info.txt", "".join(f"{k}: {v}\n" for k, v in sorted(info.items())).encode("utf-8")
    )
    tag_files = ["bag-info.txt", "bagit.txt", *(f"manifest-{a}.txt" for a in CHECKSUMS)]
    for algorithm in CHECKSUMS:
        lines = [f"{_hash_file(partial / name, (algorithm,))[0][algorithm]}  {name}\n" for name in tag_files]
        _write_bytes(partial / f"tagmanifest-{algorithm}.txt", "".join(lines).encode("utf-8"))


def _check_with_bagit(partial: Path) -> None:
    """The bagit library reads the bag back: structure, tag files, Payload-Oxum,
    every file in the manifests and every entry present (not the hashes:
    they were just computed from the bytes written)."""
    logger = logging.getLogger("bagit")
    # bagit logs file names at INFO and lists problems at ERROR: evidence
    # file names stay out of any log.
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        bagit.Bag(str(partial)).validate(completeness_only=True)
    finally:
        logger.setLevel(level)
