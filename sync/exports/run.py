"""One case export, whichever format: what ``fieldvault export`` and the
desktop's Vault → Export case… both call (docs/exports.md). Plain Python:
the GUI runs it on its export lane, the CLI in its own thread.

The result says where the export went, its SHA-256 (as docs/exports.md
defines it per format) and what consent withheld, by type, id and reason
only: no record's content, so the result can be shown and printed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from db.api import CancelToken, Vault
from sync.exports.consent import DEFAULT_PURPOSE, prepare

# The formats as the desktop lists them; the CLI's ``csv --uwazi`` is "uwazi-csv".
ExportFormat = Literal["pdf", "csv", "json", "uwazi-csv", "bagit"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("pdf", "csv", "json", "uwazi-csv", "bagit")
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportRequest:
    format: ExportFormat
    case_id: str
    # A new name, or an existing folder in which a named export is made.
    destination: Path
    purpose: str = DEFAULT_PURPOSE
    pseudonymise: bool = False
    spreadsheet_safe: bool = False  # csv and uwazi-csv
    strip_metadata: bool = False  # bagit


@dataclass(frozen=True)
class ExportOutcome:
    path: Path
    sha256: str
    purpose: str
    # {"type", "id", "reason"} of each record consent withheld.
    withheld: list[dict[str, str]]
    # Per format: manifest_sha256, pages, items, stripped, purged (bagit: ids).
    extra: dict[str, Any] = field(default_factory=dict)


def folder_sha256(folder: Path, names: list[str]) -> str:
    """SHA-256 of ``sha256sum``'s lines for the files, in name order: the same
    as ``cd DEST && sha256sum NAMES | sha256sum`` (docs/exports.md)."""
    lines = "".join(f"{file_sha256(folder / name)}  {name}\n" for name in sorted(names))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def run_export(
    vault: Vault,
    request: ExportRequest,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ExportOutcome:
    # Imported here: bagit, fpdf2 and Pillow would slow every other command's start.
    from sync.exports.bag import export_bag
    from sync.exports.report import export_pdf
    from sync.exports.tabular import CSV_FILES, INFO_FILES, export_csv, export_json

    # The same rule the export applies (sync/exports/consent.py), read for the list.
    withheld = [
        {"type": str(w["type"]), "id": str(w["id"]), "reason": str(w["reason"])}
        for w in prepare(
            vault, request.case_id, purpose=request.purpose, pseudonymise_witnesses=False
        ).withheld
    ]
    common: dict[str, Any] = {"purpose": request.purpose, "pseudonymise_witnesses": request.pseudonymise}
    extra: dict[str, Any] = {}
    if request.format == "bagit":
        bag = export_bag(
            vault,
            request.case_id,
            request.destination,
            strip_metadata=request.strip_metadata,
            progress=progress,
            cancel=cancel,
            **common,
        )
        path = bag.path
        # tagmanifest-sha256.txt fixes manifest-sha256.txt, which fixes every payload file.
        sha256 = file_sha256(path / "tagmanifest-sha256.txt")
        extra = {
            "manifest_sha256": bag.manifest_sha256,
            "items": bag.items,
            "bytes": bag.bytes,
            "stripped": bag.stripped,
            # Items whose file is not in the bag: delivered and purged from this laptop.
            "purged": list(bag.purged),
        }
    elif request.format == "pdf":
        report = export_pdf(vault, request.case_id, request.destination, cancel=cancel, **common)
        path, sha256 = report.path, report.sha256
        extra = {"manifest_sha256": report.manifest_sha256, "pages": report.pages}
    elif request.format == "json":
        path = export_json(vault, request.case_id, request.destination, cancel=cancel, **common)
        sha256 = file_sha256(path)
    else:
        path = export_csv(
            vault,
            request.case_id,
            request.destination,
            uwazi=request.format == "uwazi-csv",
            spreadsheet_safe=request.spreadsheet_safe,
            cancel=cancel,
            **common,
        )
        names = [p.name for p in path.iterdir() if p.name in {*CSV_FILES.values(), *INFO_FILES}]
        sha256 = folder_sha256(path, names)
    return ExportOutcome(path, sha256, request.purpose, withheld, extra)
