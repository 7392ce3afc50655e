"""The BagIt evidence package of one case (docs/exports.md, "BagIt").

    <bag>/bagit.txt, bag-info.txt, manifest-sha256.txt, manifest-sha512.txt,
          tagmanifest-sha256.txt, tagmanifest-sha512.txt
    <bag>/data/evidence/<item id>/<original name>   the original bytes
    <bag>/data/stripped/<item id>/<name>.png        (option) pixels only, no metadata
    <bag>/data/metadata/<item id>.json              the item's record
    <bag>/data/custody/<item id>.json               the item's signed custody events
    <bag>/data/case.json                            the case's structured data (JSON export)
    <bag>/data/export-manifest.json, .sig           the signed export manifest

Each original is decrypted by the vault's own export (db.api
``vault.evidence.export``): streamed, SHA-256 re-checked against the signed
record of intake, and recorded as an ``export`` custody event of the item.
The bag is assembled in a partial folder and renamed once complete
(sync/exports/staging.py). The manifests are made by the ``bagit`` library,
so ``bagit.py --validate`` checks the package with no Fieldvault code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit

from db.api import CancelToken, SandboxFailed, Vault
from sync.exports import staging
from sync.exports.casedata import CaseData, document, load_case, pseudonymise, record_dict, utc_now
from sync.exports.signing import public_key_b64, sign_manifest
from sync.exports.strip import can_strip, write_stripped_copy

ProgressCallback = Callable[[int, int], None]
MANIFEST_FORMAT = "fieldvault-export-manifest"
CHECKSUMS = ["sha256", "sha512"]
# bagit.make_bag works in the bag's folder (os.chdir): one at a time per
# process. A GUI must not run it beside other work that uses relative paths.
_MAKE_BAG = threading.Lock()
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class BagResult:
    path: Path
    # SHA-256 of data/export-manifest.json: the value the signature covers.
    manifest_sha256: str
    items: int
    bytes: int
    stripped: int


def export_bag(
    vault: Vault,
    case_id: str,
    destination: Path,
    *,
    strip_metadata: bool = False,
    pseudonymise_witnesses: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> BagResult:
    data = load_case(vault, case_id)
    if pseudonymise_witnesses:
        data = pseudonymise(data)
    target = staging.choose_target(destination, staging.default_name(case_id, "bagit"))
    total = sum(item.size for item in data.evidence)
    with staging.partial_folder(target) as partial:
        result = _assemble(vault, data, partial, total, strip_metadata, progress, cancel)
        staging.check_cancel(cancel)
        _make_bag(partial, data, vault.device_id, result.manifest_sha256)
        staging.check_cancel(cancel)
        staging.commit_folder(partial, target)
    if progress is not None:
        progress(total, total)
    return BagResult(target, result.manifest_sha256, result.items, result.bytes, result.stripped)


def _assemble(
    vault: Vault,
    data: CaseData,
    partial: Path,
    total: int,
    strip_metadata: bool,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> BagResult:
    # make_bag moves everything in the folder into data/: paths here are
    # written as they will be named in the bag.
    files: dict[str, tuple[str, int]] = {}  # bag path -> (sha256, size)
    entries: list[dict[str, Any]] = []
    done = 0
    stripped = 0
    for item in data.evidence:
        staging.check_cancel(cancel)
        folder = partial / "evidence" / item.id
        folder.mkdir(parents=True, mode=0o700)

        def item_progress(part: int, _whole: int, before: int = done) -> None:
            if progress is not None:
                progress(before + part, total)

        exported = vault.evidence.export(item.id, folder, progress=item_progress, cancel=cancel)
        done += item.size
        path = exported.path.relative_to(partial)
        files[_bag_path(path)] = (exported.sha256, item.size)
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
                files[entry["stripped"]] = _hash_file(copy)
        entries.append(entry)
    # After the exports: each item's log then holds the export just made.
    by_item = _custody_by_item(vault, {item.id for item in data.evidence})
    for item in data.evidence:
        meta = record_dict(item) | {"file": files_path(entries, item.id)}
        _write_json(partial / "metadata" / f"{item.id}.json", meta, files, partial)
        _write_json(partial / "custody" / f"{item.id}.json", by_item.get(item.id, []), files, partial)
    _write_json(partial / "case.json", document(data, vault.device_id), files, partial)
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
        "stripped_copies": strip_metadata,
        "evidence": entries,
        "files": [{"path": p, "sha256": s, "size": n} for p, (s, n) in sorted(files.items())],
    }
    signed, signature = sign_manifest(key, manifest)
    _write_bytes(partial / "export-manifest.json", signed)
    _write_bytes(partial / "export-manifest.sig", base64.b64encode(signature) + b"\n")
    return BagResult(partial, hashlib.sha256(signed).hexdigest(), len(entries), done, stripped)


def files_path(entries: list[dict[str, Any]], item_id: str) -> str:
    return next(str(e["path"]) for e in entries if e["id"] == item_id)


def _bag_path(relative: Path) -> str:
    return "data/" + relative.as_posix()


def _custody_by_item(vault: Vault, item_ids: set[str]) -> dict[str, list[dict[str, str]]]:
    """Each item's signed events, in the form ``fieldvault custody export``
    prints, in chain order. Events of other cases' items are left out (their
    details name other files)."""
    by_item: dict[str, list[dict[str, str]]] = {}
    for event in vault.evidence.custody_log():
        evidence_id = json.loads(base64.b64decode(event["signed"]))["evidence"]
        if evidence_id in item_ids:
            by_item.setdefault(evidence_id, []).append(event)
    return by_item


def _write_json(path: Path, value: object, files: dict[str, tuple[str, int]], partial: Path) -> None:
    data = (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_bytes(path, data)
    files[_bag_path(path.relative_to(partial))] = (hashlib.sha256(data).hexdigest(), len(data))


def _write_bytes(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _make_bag(partial: Path, data: CaseData, device_id: str, manifest_sha256: str) -> None:
    info = {
        "Source-Organization": "Fieldvault export",
        "External-Identifier": data.case.id,
        "External-Description": f"Evidence of case {data.case.id}, exported by device {device_id}",
        "Fieldvault-Device": device_id,
        "Fieldvault-Export-Manifest-SHA256": manifest_sha256,
    }
    logger = logging.getLogger("bagit")
    with _MAKE_BAG:
        # bagit logs each file name at INFO (and lists unreadable ones at ERROR):
        # names of evidence files stay out of any log.
        level = logger.level
        logger.setLevel(logging.CRITICAL + 1)
        try:
            bagit.make_bag(str(partial), info, checksums=CHECKSUMS)
        finally:
            logger.setLevel(level)
