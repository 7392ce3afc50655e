"""``fieldvault export pdf|csv|json|bagit --case ID DEST``: the coordinator
exports of one case (docs/exports.md, docs/cli.md). Parsing and wiring only;
the work is sync/exports/'s. Ctrl+C stops an export and leaves nothing that
looks complete (its partial copy is removed)."""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from db.api import Vault
from fieldvault.passphrases import SecretSource

Opener = Callable[[argparse.Namespace, SecretSource], Vault]
FORMATS = ("pdf", "csv", "json", "bagit")
# The consent scope codes (db.entities.CONSENT_RECORD_SCOPES), spelt out so
# that building the parser does not import the vault stack.
PURPOSE_CHOICES = ("documentation-only", "ngo-internal", "prosecution", "public-anonymised")


class ProgressLine(Protocol):
    def __call__(self, done: int, total: int) -> None: ...

    def finish(self) -> None: ...


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...


def add_export_parser(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="coordinator exports of one case: a PDF report, CSV or JSON of its records, "
        "a BagIt evidence package (docs/exports.md)",
    )
    export.add_argument("format", choices=FORMATS)
    export.add_argument("--case", required=True, help="case id")
    export.add_argument(
        "dest",
        type=Path,
        metavar="DEST",
        help="a new file or folder name, or an existing folder to make a named export in; "
        "nothing there is overwritten",
    )
    export.add_argument(
        "--pseudonymise",
        action="store_true",
        help="witnesses by pseudonym only: no name, no sensitive fields",
    )
    export.add_argument(
        "--purpose",
        choices=PURPOSE_CHOICES,
        default="ngo-internal",
        help="what the export is for, a consent scope (default ngo-internal: the NGO internally). "
        "Testimonies whose consent does not include it, or withdrew it, are left out with their "
        "evidence and listed by id; public-anonymised also pseudonymises witnesses (docs/exports.md)",
    )
    export.add_argument("--uwazi", action="store_true", help="csv: shaped for Uwazi's CSV import")
    export.add_argument(
        "--spreadsheet-safe",
        action="store_true",
        help="csv: a text cell beginning with = + - @ gets an apostrophe before it, so a spreadsheet "
        "does not run it as a formula (the cell then differs from the vault's value)",
    )
    export.add_argument(
        "--strip-metadata",
        action="store_true",
        help="bagit: also metadata-free copies of photos (data/stripped/); originals unchanged",
    )


def folder_sha256(folder: Path, names: list[str]) -> str:
    """SHA-256 of ``sha256sum``'s lines for the files, in name order: the same
    as ``cd DEST && sha256sum NAMES | sha256sum`` (docs/exports.md)."""
    lines = "".join(
        f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n" for name in sorted(names)
    )
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cmd_export(
    args: argparse.Namespace,
    out: Output,
    secrets: SecretSource,
    open_vault: Opener,
    progress_line: Callable[[str], ProgressLine],
) -> None:
    # Imported here: bagit, fpdf2 and Pillow would slow every other command's start.
    from sync.exports.bag import export_bag
    from sync.exports.consent import prepare
    from sync.exports.report import export_pdf
    from sync.exports.tabular import CSV_FILES, INFO_FILES, export_csv, export_json

    with open_vault(args, secrets) as vault:
        # The same rule the export applies (sync/exports/consent.py), read for the count.
        withheld = len(prepare(vault, args.case, purpose=args.purpose, pseudonymise_witnesses=False).withheld)
        extra: dict[str, Any] = {}
        if args.format == "bagit":
            progress = progress_line("Exporting")
            bag = export_bag(
                vault,
                args.case,
                args.dest,
                strip_metadata=args.strip_metadata,
                purpose=args.purpose,
                pseudonymise_witnesses=args.pseudonymise,
                progress=progress,
            )
            progress.finish()
            path = bag.path
            # tagmanifest-sha256.txt fixes manifest-sha256.txt, which fixes every payload file.
            sha256 = file_sha256(path / "tagmanifest-sha256.txt")
            extra = {"manifest_sha256": bag.manifest_sha256, "items": bag.items, "stripped": bag.stripped}
            what = f"BagIt package of {bag.items} evidence item(s), {bag.bytes} bytes"
        elif args.format == "pdf":
            report = export_pdf(
                vault, args.case, args.dest, purpose=args.purpose, pseudonymise_witnesses=args.pseudonymise
            )
            path, sha256 = report.path, report.sha256
            extra = {"manifest_sha256": report.manifest_sha256, "pages": report.pages}
            what = f"PDF report, {report.pages} pages"
        elif args.format == "json":
            path = export_json(
                vault, args.case, args.dest, purpose=args.purpose, pseudonymise_witnesses=args.pseudonymise
            )
            sha256, what = file_sha256(path), "JSON of the case's records"
        else:
            path = export_csv(
                vault,
                args.case,
                args.dest,
                uwazi=args.uwazi,
                purpose=args.purpose,
                pseudonymise_witnesses=args.pseudonymise,
                spreadsheet_safe=args.spreadsheet_safe,
            )
            names = [p.name for p in path.iterdir() if p.name in {*CSV_FILES.values(), *INFO_FILES}]
            sha256 = folder_sha256(path, names)
            what = "CSV for Uwazi's import" if args.uwazi else "CSV of the case's records"
    # The ids withheld and why are in the export itself; here how many.
    out.result(
        {"path": str(path), "sha256": sha256, "purpose": args.purpose, "withheld": withheld, **extra},
        f"{what} written to {path}\nPurpose: {args.purpose}; withheld by consent: {withheld} record(s)"
        f"\nSHA-256: {sha256}",
    )
