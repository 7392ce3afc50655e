"""``fieldvault export pdf|csv|json|bagit --case ID DEST``: the coordinator
exports of one case (docs/exports.md, docs/cli.md). Parsing and wiring only;
the work is sync/exports/'s. Ctrl+C stops an export and leaves nothing that
looks complete (its partial copy is removed)."""

from __future__ import annotations

import argparse
import sys
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


def cmd_export(
    args: argparse.Namespace,
    out: Output,
    secrets: SecretSource,
    open_vault: Opener,
    progress_line: Callable[[str], ProgressLine],
) -> None:
    # Imported here: the export stack would slow every other command's start.
    from sync.exports.run import ExportFormat, ExportRequest, run_export

    export_format: ExportFormat = "uwazi-csv" if args.format == "csv" and args.uwazi else args.format
    request = ExportRequest(
        format=export_format,
        case_id=args.case,
        destination=args.dest,
        purpose=args.purpose,
        pseudonymise=args.pseudonymise,
        spreadsheet_safe=args.spreadsheet_safe,
        strip_metadata=args.strip_metadata,
    )
    with open_vault(args, secrets) as vault:
        progress = progress_line("Exporting") if export_format == "bagit" else None
        outcome = run_export(vault, request, progress=progress)
        if progress is not None:
            progress.finish()
    extra = outcome.extra
    what = {
        "bagit": f"BagIt package of {extra.get('items')} evidence item(s), {extra.get('bytes')} bytes",
        "pdf": f"PDF report, {extra.get('pages')} pages",
        "json": "JSON of the case's records",
        "csv": "CSV of the case's records",
        "uwazi-csv": "CSV for Uwazi's import",
    }[export_format]
    extra.pop("bytes", None)
    if extra.get("purged"):
        # Said apart from the result: the bag is not the case's every file.
        print(
            f"Not in the package: {len(extra['purged'])} evidence file(s) delivered to the organisation's "
            f"server and purged from this laptop ({', '.join(extra['purged'])}). Their records, SHA-256 "
            "and custody are in it; a coordinator holds the files.",
            file=sys.stderr,
        )
    path, sha256, withheld = outcome.path, outcome.sha256, len(outcome.withheld)
    # The ids withheld and why are in the export itself; here how many.
    out.result(
        {"path": str(path), "sha256": sha256, "purpose": args.purpose, "withheld": withheld, **extra},
        f"{what} written to {path}\nPurpose: {args.purpose}; withheld by consent: {withheld} record(s)"
        f"\nSHA-256: {sha256}",
    )


def interrupted_export_lines(vault: Vault) -> list[str]:
    """What this unlock found of exports a crash interrupted (db/partial_exports.py):
    printed by every command that opens the vault, `info` and `verify` among them."""
    lines = []
    for found in vault.interrupted_exports:
        if found.outcome == "removed":
            lines.append(
                f"An export was interrupted (the program stopped during it): its unfinished copy "
                f"{found.path} held plaintext and was removed."
            )
        elif found.outcome == "left-alone":
            lines.append(
                f"An export was interrupted: something that is not its unfinished copy is now at "
                f"{found.path}; it was left alone. Check it: it may hold plaintext."
            )
        else:
            lines.append(
                f"An export was interrupted: its unfinished copy {found.path} may hold plaintext and "
                "could not be checked now (is its drive attached?). It is looked for at the next unlock."
            )
    return lines
