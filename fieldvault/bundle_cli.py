"""``fieldvault bundle export|import|verify``: sneakernet sync
(docs/cli.md, docs/bundle-format.md). Parsing and wiring only; the work is
sync/bundle/vault_io.py's."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from db.api import KEY_FILE, FieldvaultError, Vault
from fieldvault.passphrases import SecretSource
from fieldvault.textinput import CommandRefused
from sync.bundle import BundleRejected, check_bundle
from sync.bundle.vault_io import ImportedBundle, export_bundle, import_bundle
from sync.org_vault import held_profile

# How fieldvault.cli opens the vault, and its progress line on stderr.
Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class ProgressLine(Protocol):
    def __call__(self, done: int, total: int) -> None: ...

    def finish(self) -> None: ...


ProgressFactory = Callable[[str], ProgressLine]


class BundlesRefused(FieldvaultError):
    """Some bundles of ``bundle import`` were refused (each reported above)."""

    def __init__(self, refused: int, total: int) -> None:
        super().__init__(f"{refused} of {total} bundle(s) refused (reasons above); the others were imported.")


def add_bundle_parser(commands: Any) -> None:
    bundle = commands.add_parser("bundle", help="sneakernet sync: bundle files").add_subparsers(
        dest="action", required=True
    )
    b_export = bundle.add_parser(
        "export", help="write this device's unacknowledged work into a bundle in DIR"
    )
    b_export.add_argument("--to", required=True, type=Path, metavar="DIR", help="folder (a USB stick)")
    b_import = bundle.add_parser("import", help="coordinator: check and apply bundles (each all or nothing)")
    b_import.add_argument("files", nargs="+", type=Path, metavar="FILE")
    b_verify = bundle.add_parser(
        "verify", help="check a bundle: without a vault what needs no key; with the vault, everything"
    )
    b_verify.add_argument("file", type=Path, metavar="FILE")
    b_verify.add_argument(
        "--without-vault",
        action="store_true",
        help="only the checks that need no key (the sender's signature, the payload hash)",
    )


def _org_for_export(vault: Vault) -> tuple[str, int, list[str]]:
    """(org id, profile version, coordinators' age recipients) from the
    organisation profile the vault holds (re-checked against its own key)."""
    profile = held_profile(vault)
    if profile is None:
        raise CommandRefused(
            "This vault has not joined an organisation, so there is no one to address a bundle to. "
            "Join one first ('fieldvault enrol PROFILE --fingerprint FP'); nothing was written."
        )
    recipients = [c.age_recipient for c in profile.coordinators]
    if not recipients:
        raise CommandRefused(
            f"The profile of organisation {profile.org_id} names no coordinator to address a bundle to; "
            "nothing was written."
        )
    return profile.org_id, profile.version, recipients


def _org_id(vault: Vault) -> str | None:
    profile = held_profile(vault)
    return profile.org_id if profile is not None else None


def _imported_row(result: ImportedBundle) -> dict[str, Any]:
    return {
        "bundle": str(result.path),
        "ok": True,
        "bundle_id": result.bundle_id,
        "device_id": result.device_id,
        "sequence": result.sequence,
        "replay": result.replay,
        "revisions": result.revisions,
        "custody_events": result.custody_events,
        "blobs": result.blobs,
        "gaps": [[gap.first, gap.last] for gap in result.gaps],
    }


def _human(row: dict[str, Any]) -> str:
    if not row["ok"]:
        return f"{row['bundle']}: REFUSED ({row['reason']}): {row['message']}"
    if row["replay"]:
        return f"{row['bundle']}: already imported (bundle {row['sequence']} of device {row['device_id']})"
    gaps = "".join(
        f"; bundles {first}-{last} of this device have not arrived yet" for first, last in row["gaps"]
    )
    return (
        f"{row['bundle']}: bundle {row['sequence']} of device {row['device_id']}: "
        f"{row['revisions']} revisions, {row['custody_events']} custody events, {row['blobs']} files{gaps}"
    )


def cmd_bundle(
    args: argparse.Namespace, out: Any, secrets: SecretSource, open_vault: Opener, progress: ProgressFactory
) -> None:
    """``out`` is fieldvault.cli's Output (result, rows)."""
    if args.action == "verify" and (args.without_vault or not (args.vault / KEY_FILE).exists()):
        _verify_without_vault(args, out)
        return
    with open_vault(args, secrets) as vault:
        if args.action == "export":
            _export(args, out, vault, progress)
        elif args.action == "import":
            _import(args, out, vault, progress)
        else:
            _verify(args, out, vault, progress)


def _export(args: argparse.Namespace, out: Any, vault: Vault, make_progress: ProgressFactory) -> None:
    if not args.to.is_dir():
        raise CommandRefused(f"--to {args.to}: not a folder; nothing was written.")
    org_id, version, recipients = _org_for_export(vault)
    progress = make_progress("Writing the bundle")
    made = export_bundle(vault, args.to, recipients, org_id, version, progress=progress)
    progress.finish()
    out.result(
        {
            "bundle": str(made.path),
            "bundle_id": made.bundle_id,
            "sequence": made.sequence,
            "revisions": made.revisions,
            "custody_events": made.custody_events,
            "blobs": made.blobs,
            "bytes": made.blob_bytes,
        },
        f"{made.path}: bundle {made.sequence}, {made.revisions} revisions, "
        f"{made.custody_events} custody events, {made.blobs} files ({made.blob_bytes} bytes)",
    )


def _import(args: argparse.Namespace, out: Any, vault: Vault, make_progress: ProgressFactory) -> None:
    identity = vault.vault_keys.age_identity()
    org_id = _org_id(vault)
    refused = 0
    for number, path in enumerate(args.files, start=1):
        progress = make_progress(f"[{number}/{len(args.files)}]")
        try:
            row = _imported_row(import_bundle(vault, path, identity, org_id=org_id, progress=progress))
        except BundleRejected as error:
            refused += 1
            row = _refused_row(path, error)
        except OSError as error:  # a file that cannot be read: reported, the others go on
            refused += 1
            row = {"bundle": str(path), "ok": False, "reason": "unreadable", "message": error.strerror or ""}
        finally:
            progress.finish()
        out.rows([row], _human)
    if refused:
        raise BundlesRefused(refused, len(args.files))


def _verify(args: argparse.Namespace, out: Any, vault: Vault, make_progress: ProgressFactory) -> None:
    progress = make_progress("Verifying")
    try:
        result = import_bundle(
            vault,
            args.file,
            vault.vault_keys.age_identity(),
            org_id=_org_id(vault),
            progress=progress,
            dry_run=True,
        )
    except BundleRejected as error:
        out.result(_refused_row(args.file, error), f"{args.file}: REFUSED ({error.reason})")
        raise
    finally:
        progress.finish()
    row = _imported_row(result) | {"checked": "everything"}
    out.result(row, "OK, every check passed (nothing was imported): " + _human(row))


def _refused_row(path: Path, error: BundleRejected) -> dict[str, Any]:
    return {"bundle": str(path), "ok": False, "reason": error.reason, "message": str(error)}


def _verify_without_vault(args: argparse.Namespace, out: Any) -> None:
    try:
        checked = check_bundle(args.file)
    except BundleRejected as error:
        out.result(_refused_row(args.file, error), f"{args.file}: REFUSED ({error.reason})")
        raise
    header = checked.header
    out.result(
        {
            "bundle": str(args.file),
            "ok": True,
            "checked": "without-key",
            "bundle_id": checked.bundle_id,
            "org_id": header.org_id,
            "device_id": header.device_id,
            "sequence": header.sequence,
            "previous": header.previous,
            "payload_size": header.payload_size,
        },
        f"OK without a key: bundle {header.sequence} of device {header.device_id} "
        f"(organisation {header.org_id}) is signed by that device and whole. Its contents were not "
        "checked: that needs a coordinator's vault.",
    )
