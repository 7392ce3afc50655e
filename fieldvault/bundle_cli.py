"""``fieldvault bundle export|import|verify|ack|import-ack|quarantine|approve``:
sneakernet sync (docs/cli.md, docs/bundle-format.md). Parsing and wiring
only; the work is sync/bundle/vault_io.py's, sync/acks.py's and
sync/bundle/quarantine.py's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from db.api import KEY_FILE, FieldvaultError, Vault
from fieldvault.passphrases import SecretSource
from fieldvault.textinput import CommandRefused
from sync.acks import ACK_SUFFIX, AckRefused, is_ack_file, take_ack, write_ack, write_latest_acks
from sync.bundle import BundleNotRead, BundleRejected, check_bundle
from sync.bundle.admission import BundleQuarantined
from sync.bundle.import_order import import_order
from sync.bundle.quarantine import approve_bundle, try_again_file
from sync.bundle.regular_file import open_regular
from sync.bundle.reread import RereadRefused, reread_bundle
from sync.bundle.send_back import send_back, workers
from sync.bundle.vault_io import HandOverFindings, ImportedBundle, export_bundle, import_bundle
from sync.merge.devices import when_text
from sync.org import OrgRefused
from sync.org_vault import held_profile

# How fieldvault.cli opens the vault, and its progress line on stderr.
Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class ProgressLine(Protocol):
    def __call__(self, done: int, total: int) -> None: ...

    def finish(self) -> None: ...


ProgressFactory = Callable[[str], ProgressLine]


class AcksRefused(FieldvaultError):
    """Some acknowledgement files were refused (each reported above)."""

    def __init__(self, refused: int, total: int) -> None:
        super().__init__(
            f"{refused} of {total} acknowledgement(s) refused (reasons above); nothing else changed."
        )


class BundlesRefused(FieldvaultError):
    """Some bundles of ``bundle import`` were refused (each reported above)."""

    def __init__(
        self, refused: int, total: int, not_read: int = 0, release_failed: int = 0, held_again: int = 0
    ) -> None:
        said = [f"{refused} of {total} bundle(s) refused (reasons above)"] if refused else []
        if not_read:  # not the bundles' doing: this computer stopped reading them
            said.append(
                f"{not_read} of {total} not imported, their reading stopped on this computer (import them again)"
            )
        if release_failed:  # held bundles of devices vouched for, their import failed here
            said.append(f"{release_failed} held bundle(s) not imported, their import failed on this computer")
        if held_again:  # held bundles their release's import held again: nothing failed here
            said.append(
                f"{held_again} held bundle(s) not imported, held in quarantine again (what to do above)"
            )
        super().__init__("; ".join(said) + "; the others were imported.")


def add_bundle_parser(commands: Any) -> None:
    bundle = commands.add_parser("bundle", help="sneakernet sync: bundle files").add_subparsers(
        dest="action", required=True
    )
    b_export = bundle.add_parser(
        "export", help="write this device's unacknowledged work into a bundle in DIR"
    )
    b_export.add_argument("--to", required=True, type=Path, metavar="DIR", help="folder (a USB stick)")
    back = b_export.add_mutually_exclusive_group()
    back.add_argument(
        "--to-device",
        metavar="DEVICE",
        help="coordinator: instead, the bundle for this field worker (its id): what the organisation's "
        "policy lets coordinators send back that it lacks, encrypted to it alone",
    )
    back.add_argument(
        "--to-workers",
        action="store_true",
        help="coordinator: such a bundle for every enrolled field worker that has something due",
    )
    b_export.add_argument(
        "--resend",
        action="store_true",
        help="with --to-device/--to-workers: also what was sent to the worker before (a bundle lost on the "
        "way); the worker skips what it holds",
    )
    b_import = bundle.add_parser(
        "import",
        help="check and apply bundles (each all or nothing): a coordinator, its workers' bundles; a "
        "worker, the bundles its coordinator made for it (export --to-device); a worker also takes "
        "acknowledgement files (.fvack)",
    )
    b_import.add_argument("files", nargs="+", type=Path, metavar="FILE")
    b_import.add_argument(
        "--ack-to",
        type=Path,
        metavar="DIR",
        help="write a signed acknowledgement of each bundle imported into DIR",
    )
    b_import.add_argument(
        "--reread",
        action="store_true",
        help="coordinator: read bundles this desk already counts as received again in full (every check of "
        "an import) and apply the revisions and files they carry that it does not hold: what a history "
        "hand-over's maker left out; nothing held changes",
    )
    b_ack = bundle.add_parser(
        "ack", help="coordinator: acknowledge the newest bundle imported from each device (files into DIR)"
    )
    b_ack.add_argument(
        "--to", required=True, type=Path, metavar="DIR", help="folder (the worker's USB stick)"
    )
    b_ack.add_argument("--device", metavar="DEVICE", help="only this device's (its id)")
    b_take = bundle.add_parser(
        "import-ack",
        help="worker: take a coordinator's acknowledgements; the next bundle holds only new work",
    )
    b_take.add_argument("files", nargs="+", type=Path, metavar="FILE")
    bundle.add_parser(
        "rereads",
        help="coordinator: the re-reads kept here (import --reread), newest first: which bundle, when, "
        "and what each stored, by ids",
    )
    quarantine = bundle.add_parser(
        "quarantine", help="coordinator: bundles held because their device is not known"
    ).add_subparsers(dest="quarantine_action", required=True)
    quarantine.add_parser("list", help="the bundles held, with the reason and where each file is")
    q_retry = quarantine.add_parser(
        "retry",
        help="a held bundle whose release failed here (its device verified): forget its failures, so that "
        "the next sync (or release) tries it again",
    )
    q_retry.add_argument(
        "bundle", metavar="FILE|ID", help="the bundle file, or its id as quarantine list shows"
    )
    b_approve = bundle.add_parser(
        "approve",
        help="coordinator: enrol a held bundle's device after comparing its code, and import the bundle",
    )
    b_approve.add_argument(
        "bundle", metavar="FILE|ID", help="the bundle file, or its id as quarantine list shows"
    )
    b_approve.add_argument(
        "--code", required=True, metavar="CODE", help="the verification code the worker reads out to you"
    )
    b_approve.add_argument("--ack-to", type=Path, metavar="DIR", help="write its acknowledgement into DIR")
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
        "vouched": list(result.vouched),
        # Left out: a coordinator's bundle carried them and the newest profile
        # here revokes their signer (docs/bundle-format.md §5 step 11). Ids only.
        "withheld_revisions": list(result.withheld_revisions),
        # Parked: their parents are neither here nor left out yet (docs/sync.md §2.3).
        "parked_revisions": list(result.parked_revisions),
        # Parked by earlier imports and stored at this one's end; parked ones
        # that no longer verify, kept parked (review 13 F6/F7). Ids only.
        "unparked_revisions": list(result.unparked_revisions),
        "damaged_parked": list(result.damaged_parked),
        # Past the bound on parked revisions per signer: left out, neither stored nor parked.
        "past_parked_cap": list(result.past_parked_cap),
        # Kept aside (parked): signed by a device whose coordinator's vouch
        # lapsed here, until it is enrolled again (docs/bundle-format.md §8).
        "signer_pending": list(result.signer_pending),
        # Left out: their record is held here with another type (forged or
        # broken; db/type_clash.py), with their edits. Ids only.
        "type_clash": list(result.type_clash),
        # A history hand-over's custody events of a device whose vouch lapsed
        # here since it was made: each checked with its key, none stored; its
        # own bundles bring them once it is enrolled again (docs/bundle-format.md
        # §10 "Lapsed since it was made"). Ids and counts only.
        "custody_kept_out": [
            {"device_id": device_id, "events": count, "reason": "vouch-lapsed"}
            for device_id, count in result.custody_kept_out
        ],
        # A history hand-over's last part: what the check against the workers'
        # signed manifests found, counts and the maker's id (docs/bundle-format.md
        # §10); null for any other bundle.
        "hand_over_findings": (
            result.hand_over_findings.to_json() if result.hand_over_findings is not None else None
        ),
    }


def hand_over_warning(bundle_id: str, findings: HandOverFindings) -> str:
    """The stderr line for a hand-over its check found incomplete (ids and
    counts only), shared with ``fieldvault sync`` (a hand-over from the inbox)."""
    files = (
        f"{findings.missing_files} evidence file(s) such a manifest names did not come with it and are "
        "not stored here, "
        if findings.missing_files
        else ""
    )
    return (
        f"fieldvault: WARNING: the history hand-over {bundle_id} from desk {findings.maker_id} is "
        f"incomplete: {findings.missing} revision(s) named by a worker's signed manifest did not come "
        f"with it, {files}{findings.unverifiable} carried manifest(s) did not verify, {findings.unchecked} "
        "field bundle(s) came without the worker's manifest and went unchecked. The rest was imported; "
        "nothing was stored or refused on it. See 'fieldvault devices parked', and re-read the worker's "
        "own file of such a bundle ('fieldvault bundle import --reread FILE') (docs/threat-model.md §2.8)."
    )


def held_again(code: str) -> bool:
    """Is ``code``, a held bundle's release failure's, its import holding it
    in quarantine again (quarantine.ReleaseFailure.held_again: a
    BundleQuarantined's code), not a failure of this computer?"""
    return code in BundleQuarantined.codes


def held_again_text(bundle_id: str, code: str) -> str:
    """A held bundle its release's own import held in quarantine again
    (``held_again``; review 32 L3): its device's admission changed after
    the release read it as verified (a vouch that lapsed, a hand-over taken
    in part that names it). What it is, why (``code``, the quarantine's),
    what it left and what to do; not a release failure (it is not counted
    as one). Shared with ``fieldvault sync`` (a pull's release)."""
    approve = f"'fieldvault bundle approve {bundle_id} --code CODE'"
    if code == "bundle-hand-over-incomplete":
        return (
            f"NOT IMPORTED, held in quarantine again ({code}): a history hand-over this desk has taken only "
            "in part now names its device, and its bundles wait for the rest of that hand-over. Nothing of "
            "it was stored, it was not refused, and its file is kept. Import the rest of the hand-over, or "
            f"to take it now phone the worker, compare the verification code, then {approve}"
        )
    return (
        f"NOT IMPORTED, held in quarantine again ({code}): by the time its import began, its device was no "
        "longer verified on this computer (the coordinator who vouched for it was removed from the "
        "organisation, for one). Nothing of it was stored, it was not refused, and its file is kept. If the "
        f"device should be enrolled, phone the worker, compare the verification code, then {approve}"
    )


def _human(row: dict[str, Any]) -> str:
    if row.get("not_read"):  # stopped on this computer: not refused, the bundle not judged
        return f"{row['bundle']}: NOT IMPORTED ({row['reason']}): {row['message']}"
    if not row["ok"]:
        held = " HELD IN QUARANTINE" if row.get("quarantined") else ""
        return f"{row['bundle']}: REFUSED{held} ({row['reason']}): {row['message']}{_refused_read_text(row)}"
    if "ack_refused" in row:
        return f"{row['bundle']}: imported, but NO ACKNOWLEDGEMENT ({row['ack_refused']}): {row['message']}"
    if row["replay"]:
        # An approval of a bundle received before stores what its device's
        # lapsed vouch kept aside (review 22); a plain replay stores nothing.
        stored = (
            f"; {len(row['unparked_revisions'])} revision(s) kept aside stored now"
            if row.get("unparked_revisions")
            else ""
        )
        return f"{row['bundle']}: already imported (bundle {row['sequence']} of device {row['device_id']}){stored}"
    gaps = "".join(
        f"; bundles {first}-{last} of this device have not arrived yet" for first, last in row["gaps"]
    )
    withheld = (
        f"; {len(row['withheld_revisions'])} revision(s) left out (signed by a revoked device, or edits of its records)"
        if row.get("withheld_revisions")
        else ""
    )
    parked = (
        f"; {len(row['parked_revisions'])} revision(s) waiting for their parents"
        if row.get("parked_revisions")
        else ""
    )
    if row.get("unparked_revisions"):
        parked += f"; {len(row['unparked_revisions'])} waiting revision(s) stored now (their parents came)"
    if row.get("damaged_parked"):
        parked += f"; {len(row['damaged_parked'])} waiting revision(s) NO LONGER VERIFY (kept, not stored)"
    if row.get("past_parked_cap"):
        parked += (
            f"; {len(row['past_parked_cap'])} revision(s) LEFT OUT, their signer's parked slots were full "
            "(neither stored nor parked, with their edits)"
        )
    if row.get("signer_pending"):
        parked += (
            f"; {len(row['signer_pending'])} revision(s) KEPT ASIDE, their device's vouch lapsed "
            "(stored once it is enrolled again: org add-device, or approve its bundle by code)"
        )
    if row.get("type_clash"):
        parked += (
            f"; {len(row['type_clash'])} revision(s) LEFT OUT, their record is held here as another type "
            "(forged or broken; fieldvault devices parked lists them)"
        )
    for kept in row.get("custody_kept_out", ()):
        parked += (
            f"; {kept['events']} custody event(s) of device {kept['device_id']} NOT TAKEN, its vouch "
            "lapsed here (each checked with its key, none stored): its own bundles bring them once it is "
            "enrolled again (org add-device, or approve its bundle by code)"
        )
    return (
        f"{row['bundle']}: bundle {row['sequence']} of device {row['device_id']}: "
        f"{row['revisions']} revisions, {row['custody_events']} custody events, {row['blobs']} files"
        f"{gaps}{withheld}{parked}"
    )


def cmd_bundle(
    args: argparse.Namespace, out: Any, secrets: SecretSource, open_vault: Opener, progress: ProgressFactory
) -> None:
    """``out`` is fieldvault.cli's Output (result, rows)."""
    if args.action == "verify" and (args.without_vault or not (args.vault / KEY_FILE).exists()):
        _verify_without_vault(args, out)
        return
    for folder in (getattr(args, "ack_to", None), args.to if args.action == "ack" else None):
        if folder is not None and not folder.is_dir():
            raise CommandRefused(f"{folder}: not a folder; nothing was done.")
    with open_vault(args, secrets) as vault:
        if args.action == "export":
            _export(args, out, vault, progress)
        elif args.action == "import":
            _import(args, out, vault, progress)
        elif args.action == "ack":
            _ack(args, out, vault)
        elif args.action == "import-ack":
            _take_acks(args.files, out, vault)
        elif args.action == "quarantine" and args.quarantine_action == "retry":
            _quarantine_retry(args, out, vault)
        elif args.action == "quarantine":
            _quarantine_list(out, vault)
        elif args.action == "rereads":
            _rereads(out, vault)
        elif args.action == "approve":
            _approve(args, out, vault, progress)
        else:
            _verify(args, out, vault, progress)


def _export(args: argparse.Namespace, out: Any, vault: Vault, make_progress: ProgressFactory) -> None:
    if not args.to.is_dir():
        raise CommandRefused(f"--to {args.to}: not a folder; nothing was written.")
    if args.to_device is not None or args.to_workers:
        _send_back(args, out, vault, make_progress)
        return
    if args.resend:
        raise CommandRefused("--resend goes with --to-device or --to-workers; nothing was written.")
    org_id, version, recipients = _org_for_export(vault)
    progress = make_progress("Writing the bundle")
    made = export_bundle(vault, args.to, recipients, org_id, version, progress=progress)
    progress.finish()
    # A coordinator desk's bundle leaves out revisions whose signer the
    # profile revokes, and its own edits naming one of them as parent (the
    # other desks take none of them): said, so that nobody takes the bundle
    # for all the desk holds. Ids only.
    withheld = (
        f"; {len(made.withheld)} revision(s) withheld (signed by a revoked device, or edits of its records)"
        if made.withheld
        else ""
    )
    out.result(
        {
            "bundle": str(made.path),
            "bundle_id": made.bundle_id,
            "sequence": made.sequence,
            "revisions": made.revisions,
            "custody_events": made.custody_events,
            "blobs": made.blobs,
            "bytes": made.blob_bytes,
            "withheld": list(made.withheld),
        },
        f"{made.path}: bundle {made.sequence}, {made.revisions} revisions, "
        f"{made.custody_events} custody events, {made.blobs} files ({made.blob_bytes} bytes){withheld}",
    )


def _send_back(args: argparse.Namespace, out: Any, vault: Vault, make_progress: ProgressFactory) -> None:
    """``export --to-device``/``--to-workers``: a coordinator's bundle for
    each field worker named (sync/bundle/send_back.py)."""
    targets = [args.to_device.strip().lower()] if args.to_device is not None else workers(vault)
    if not targets:
        out.result({"bundles": []}, "This vault knows no enrolled field worker; no bundle written.")
        return
    rows = []
    for device_id in targets:
        progress = make_progress(f"Writing the bundle for {device_id}")
        try:
            sent = send_back(vault, args.to, device_id, progress=progress, resend=args.resend)
        finally:
            progress.finish()
        row: dict[str, Any] = {"device_id": device_id, "bundle": None}
        if sent is not None:
            row |= {
                "bundle": str(sent.path),
                "bundle_id": sent.bundle_id,
                "sequence": sent.sequence,
                "revisions": sent.revisions,
                "blobs": sent.blobs,
                "vouched": list(sent.vouched),
                "withheld": list(sent.withheld),
            }
        rows.append(row)
    out.rows(rows, _sent_back_human)


def _sent_back_human(row: dict[str, Any]) -> str:
    if row["bundle"] is None:
        return f"device {row['device_id']}: nothing due under the organisation's policy; no bundle written"
    withheld = (
        f"; {len(row['withheld'])} record(s) withheld (a revoked device wrote in them)"
        if row["withheld"]
        else ""
    )
    return (
        f"{row['bundle']}: bundle {row['sequence']} for device {row['device_id']}: {row['revisions']} "
        f"revisions, {row['blobs']} files, {len(row['vouched'])} device(s) vouched for{withheld}"
    )


def _import(args: argparse.Namespace, out: Any, vault: Vault, make_progress: ProgressFactory) -> None:
    if args.reread:
        _reread(args, out, vault, make_progress)
        return
    acks = [path for path in args.files if _is_ack(path)]
    given = [path for path in args.files if path not in acks]
    # One sender's bundles in its sequence order, whatever the order given
    # (a glob puts part -100 before -99): sync/bundle/import_order.py.
    bundles = [given[index] for index in import_order(given)]
    refused = _take_acks(acks, out, vault, raise_refused=False) if acks else 0
    if bundles:
        identity = vault.vault_keys.age_identity()
    org_id = _org_id(vault)
    vouched = False  # another coordinator's bundle made devices known
    not_read = 0
    for number, path in enumerate(bundles, start=1):
        progress = make_progress(f"[{number}/{len(bundles)}]")
        try_again_file(vault, path)  # a held bundle whose release failed: a person asks again
        try:
            result = import_bundle(vault, path, identity, org_id=org_id, progress=progress)
            vouched = vouched or bool(result.vouched)
            row = _imported_row(result)
            if result.hand_over_findings is not None and result.hand_over_findings.incomplete:
                # Said now, to the person who took it, not only later by devices parked.
                print(hand_over_warning(result.bundle_id, result.hand_over_findings), file=sys.stderr)
            if args.ack_to is not None:
                try:
                    row["ack"] = str(write_ack(vault, result.bundle_id, args.ack_to))
                except (AckRefused, OrgRefused, OSError) as error:  # imported; no acknowledgement made
                    refused += 1
                    row |= {"ack_refused": getattr(error, "code", "unwritable"), "message": str(error)}
        except BundleRejected as error:
            refused += 1
            row = _refused_row(path, error)
        except BundleNotRead as error:  # this computer stopped the reading: named, the others go on
            not_read += 1
            row = _not_read_row(path, error)
        except OSError as error:  # a file that cannot be read: reported, the others go on
            refused += 1
            row = {"bundle": str(path), "ok": False, "reason": "unreadable", "message": error.strerror or ""}
        finally:
            progress.finish()
        out.rows([row], _human)
    failed = again = 0
    if vouched:
        refused_held, failed, again = _release_held(out, vault, identity, org_id)
        refused += refused_held
    if refused or not_read or failed or again:
        raise BundlesRefused(refused, len(args.files), not_read, failed, again)


def _reread(args: argparse.Namespace, out: Any, vault: Vault, make_progress: ProgressFactory) -> None:
    """``import --reread``: bundles received before, read again in full
    (sync/bundle/reread.py); one refused does not stop the others."""
    if args.ack_to is not None:
        raise CommandRefused(
            "--ack-to does not go with --reread: a bundle re-read was acknowledged when it was received; "
            "nothing was done."
        )
    identity = vault.vault_keys.age_identity()
    org_id = _org_id(vault)
    refused = not_read = 0
    for number, path in enumerate(args.files, start=1):
        progress = make_progress(f"[{number}/{len(args.files)}] re-read")
        row: dict[str, Any]
        try:
            row = reread_bundle(vault, path, identity, org_id=org_id, progress=progress).to_json()
        except RereadRefused as error:
            refused += 1
            row = {
                "bundle": str(path),
                "ok": False,
                "reread": True,
                "reason": error.code,
                "message": str(error),
            }
        except BundleRejected as error:
            refused += 1
            row = _refused_row(path, error) | {"reread": True}
        except BundleNotRead as error:
            not_read += 1
            row = _not_read_row(path, error) | {"reread": True}
        except OSError as error:  # a file that cannot be read: reported, the others go on
            refused += 1
            row = {"bundle": str(path), "ok": False, "reread": True, "reason": "unreadable"}
            row["message"] = error.strerror or ""
        finally:
            progress.finish()
        out.rows([row], _reread_human)
    if refused or not_read:
        raise BundlesRefused(refused, len(args.files), not_read)


def _reread_human(row: dict[str, Any]) -> str:
    if row.get("not_read"):
        return f"{row['bundle']}: RE-READ NOT DONE ({row['reason']}): {row['message']}"
    if not row["ok"]:
        return f"{row['bundle']}: RE-READ REFUSED ({row['reason']}): {row['message']}"
    if not row["revisions_applied"] and not row["blobs_applied"]:
        held = "nothing new: this desk holds everything it carries"
    else:
        held = f"{row['revisions_applied']} revision(s) and {row['blobs_applied']} file(s) applied"
    left = [
        f"{len(row[key])} {what}"
        for key, what in (
            ("parked_revisions", "revision(s) waiting for their parents"),
            ("withheld_revisions", "revision(s) left out (a revoked device's line)"),
            ("type_clash", "revision(s) left out (their record is held here as another type)"),
            ("past_parked_cap", "revision(s) left out (their signer's parked slots were full)"),
            ("signer_pending", "revision(s) kept aside (their device's vouch lapsed)"),
        )
        if row[key]
    ]
    return (
        f"{row['bundle']}: re-read bundle {row['sequence']} of device {row['device_id']}: {held}; "
        f"{row['revisions_already_held']} of its {row['revisions_in_bundle']} revision(s) and "
        f"{row['blobs_already_held']} of its {row['blobs_in_bundle']} file(s) were held already"
        + "".join(f"; {text}" for text in left)
    )


def _release_held(out: Any, vault: Vault, identity: Any, org_id: str | None) -> tuple[int, int, int]:
    """After another coordinator's vouch (docs/bundle-format.md §8): the
    bundles held in quarantine of devices now enrolled. Those a USB import
    left are imported now from where they were, if the file there is still
    that bundle (else: give it again); those a pull left in the spool are
    imported, and acknowledged on the server, by the next sync. One whose
    import failed for a reason not its own (quarantine.py RELEASE_FAILED) is
    listed as such and counted as not imported; one its import held in
    quarantine again (``held_again``) is said so, and counted apart.
    Returns (refused, failed, held again)."""
    from sync.bundle.quarantine import in_spool, releasable, release_failures, release_held

    refused = failed = again = 0
    rows: list[dict[str, Any]] = []
    for one in release_held(vault, identity, org_id=org_id, which=lambda held: not in_spool(vault, held)):
        where = {"bundle": one.held.path, "bundle_id": one.held.bundle_id, "device_id": one.held.device_id}
        if one.imported is not None:
            rows.append(_imported_row(one.imported) | {"released": True})
        elif one.failed is not None:
            if one.failed.held_again:
                again += 1
            else:
                failed += 1
            rows.append(
                where
                | {
                    "ok": False,
                    "released": False,
                    "reason": one.failed.code,
                    "release_failed": one.failed.count,
                    "tried": one.error is not None,
                    "message": str(one.error) if one.error is not None else "",
                }
            )
        elif one.refusal is not None:
            refused += 1
            reason = getattr(one.refusal, "reason", None) or one.refusal.code or "refused"
            rows.append(
                where | {"ok": False, "released": False, "reason": reason, "message": str(one.refusal)}
            )
        elif one.imported_instead is not None:  # the file was swapped between the check and the import
            refused += 1
            other = one.imported_instead.bundle_id
            rows.append(
                where
                | {
                    "ok": False,
                    "released": False,
                    "reason": "quarantine-file-changed",
                    "imported_instead": other,
                }
            )
        else:
            rows.append(where | {"ok": True, "released": False, "action": "import-again"})
    failures = release_failures(vault)
    for held in releasable(vault):
        if in_spool(vault, held) and not (
            held.bundle_id in failures and failures[held.bundle_id].passed_over
        ):
            rows.append(
                {"bundle": held.path, "bundle_id": held.bundle_id, "device_id": held.device_id}
                | {"ok": True, "released": False, "action": "next-sync"}
            )
    out.rows(rows, _released_human)
    return refused, failed, again


def _released_human(row: dict[str, Any]) -> str:
    if row.get("released"):
        return f"held in quarantine, now imported (its device was vouched for): {_human(row)}"
    if "release_failed" in row and held_again(row["reason"]):
        return (
            f"{row['bundle']} (bundle {row['bundle_id']}): {held_again_text(row['bundle_id'], row['reason'])}"
        )
    if "release_failed" in row:
        return (
            f"{row['bundle']}: held in quarantine, its device now vouched for, NOT IMPORTED: release failed "
            f"{row['release_failed']} time(s) ({row['reason']}) on this computer; not refused, the file is kept"
            + ("" if row["tried"] else "; no longer tried automatically: import the file again")
        )
    if row.get("imported_instead"):
        return (
            f"bundle {row['bundle_id']}: held in quarantine and still held: {row['bundle']} was bundle "
            f"{row['imported_instead']} when imported, which is imported (it passed every check); "
            "import the held bundle's file again"
        )
    if not row["ok"]:
        return f"{row['bundle']}: held in quarantine, its device now vouched for, REFUSED ({row['reason']})"
    if row["action"] == "next-sync":
        return (
            f"bundle {row['bundle_id']} of device {row['device_id']}: held in quarantine, its device now "
            "vouched for; the next 'fieldvault sync' imports it"
        )
    return (
        f"bundle {row['bundle_id']} of device {row['device_id']}: held in quarantine, its device now vouched "
        f"for, but {row['bundle']} is no longer that bundle: import the file again "
        "('fieldvault bundle import FILE')"
    )


def _is_ack(path: Path) -> bool:
    try:
        return path.suffix == ACK_SUFFIX or is_ack_file(path)
    except OSError:
        return False  # reported as unreadable with the bundles


def _take_acks(files: list[Path], out: Any, vault: Vault, *, raise_refused: bool = True) -> int:
    """Take acknowledgement files (a worker's); one refused does not stop the others."""
    refused = 0
    for path in files:
        try:
            with open_regular(path) as file:  # a FIFO is refused (unreadable), not waited on
                data = file.read()
            ack, _sent = take_ack(vault, data)
            row: dict[str, Any] = {
                "ack": str(path),
                "ok": True,
                "bundle_id": ack.bundle_id,
                "sequence": ack.sequence,
                "coordinator": ack.coordinator_id,
            }
            text = (
                f"{path}: bundle {ack.sequence} acknowledged by coordinator {ack.coordinator_id}; "
                "the next bundle holds only what is new"
            )
        except (AckRefused, OrgRefused) as error:
            refused += 1
            row = {"ack": str(path), "ok": False, "reason": error.code, "message": str(error)}
            text = f"{path}: REFUSED ({error.code}): {error}"
        except OSError as error:
            refused += 1
            row = {"ack": str(path), "ok": False, "reason": "unreadable", "message": error.strerror or ""}
            text = f"{path}: REFUSED (unreadable): {error.strerror or ''}"
        out.rows([row], lambda _row, text=text: text)
    if refused and raise_refused:
        raise AcksRefused(refused, len(files))
    return refused


def _ack(args: argparse.Namespace, out: Any, vault: Vault) -> None:
    try:
        written = write_latest_acks(vault, args.to, device_id=args.device)
    except FileExistsError as taken:  # said, not as the bare error type
        raise CommandRefused(f"{taken}; nothing there was replaced.") from None
    out.result(
        {"acks": [str(path) for path in written]},
        "\n".join(str(path) for path in written) or "No bundle has been imported yet; nothing was written.",
    )


def _quarantine_list(out: Any, vault: Vault) -> None:
    from sync.bundle.quarantine import in_spool, release_failures

    held = vault.sync.held_bundles()
    failures = release_failures(vault)
    rows = [
        {
            "bundle_id": h.bundle_id,
            "device_id": h.device_id,
            "sequence": h.sequence,
            "reason": h.reason,
            "token_id": h.token_id,
            "path": h.path,
            "received_ms": h.received_ms,
        }
        | (
            # Its device verified, its import failed on this computer (not a
            # refusal): how often in a row, and with which error code.
            {
                "release_failed": failures[h.bundle_id].count,
                "release_failed_code": failures[h.bundle_id].code,
                "release_from_server": in_spool(vault, h),
            }
            if h.bundle_id in failures
            else {}
        )
        for h in held
    ]
    out.rows(rows, _quarantine_human)
    if not rows:
        out.result({"held": 0}, "No bundle is held in quarantine.")


def _quarantine_human(row: dict[str, Any]) -> str:
    from sync.bundle.quarantine import RELEASE_TRIES

    line = f"{row['bundle_id']}  device {row['device_id']}  bundle {row['sequence']}  {row['reason']}  {row['path']}"
    if "release_failed" in row:
        count = row["release_failed"]
        line += f"  release failed {count} time(s) ({row['release_failed_code']}), not refused"
        if count >= RELEASE_TRIES:
            line += (
                f": no longer tried automatically; once the cause is dealt with, "
                f"'fieldvault bundle quarantine retry {row['bundle_id']}'"
                + (" and sync" if row["release_from_server"] else ", or import its file again")
            )
    return line


def _quarantine_retry(args: argparse.Namespace, out: Any, vault: Vault) -> None:
    from sync.bundle.quarantine import in_spool, retry_release

    held, before = retry_release(vault, args.bundle)
    spool = in_spool(vault, held)
    row = {
        "bundle_id": held.bundle_id,
        "device_id": held.device_id,
        "release_failed": before.count if before is not None else 0,
        "next": "next-sync" if spool else "import-again",
    }
    if before is None:
        said = f"bundle {held.bundle_id}: no release of it failed here; nothing changed."
    else:
        said = (
            f"bundle {held.bundle_id}: its {before.count} release failure(s) ({before.code}) forgotten; "
            + (
                "the next 'fieldvault sync' tries it again."
                if spool
                else f"the next release tries it again, or import its file now ('fieldvault bundle import {held.path}')."
            )
        )
    out.result(row, said)


def _rereads(out: Any, vault: Vault) -> None:
    rows = [reread.to_json() for reread in vault.sync.rereads()]
    out.rows(
        rows,
        lambda row: (
            f"re-read {row['reread_id']}  {when_text(row['reread_ms'])}  by {row['user_label'] or '-'}  "
            f"bundle {row['bundle_id']} (#{row['sequence']} of {row['device_id']}): "
            f"{len(row['applied_revisions'])} revision(s), "
            f"{len(row['unparked_revisions'])} parked before, "
            f"{len(row['evidence_attached'])} evidence file(s) stored"
        ),
    )
    if not rows:
        out.result({"rereads": 0}, "No re-read is kept in this vault.")


def _approve(args: argparse.Namespace, out: Any, vault: Vault, make_progress: ProgressFactory) -> None:
    progress = make_progress("Importing")
    try:
        result = approve_bundle(
            vault, args.bundle, args.code, vault.vault_keys.age_identity(), progress=progress
        )
    finally:
        progress.finish()
    row = _imported_row(result) | {"approved": True}
    if args.ack_to is not None:
        row["ack"] = str(write_ack(vault, result.bundle_id, args.ack_to))
    out.result(row, f"Device {result.device_id} approved and enrolled. " + _human(row))


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


def _refused_read_text(row: dict[str, Any]) -> str:
    """What reading a revoked maker's refused bundle kept (ids counted, never content)."""
    if "refused_ids_kept" not in row:
        return ""
    not_kept = row["refused_ids_not_kept"]
    return f" {row['refused_ids_kept']} revision id(s) its revoked maker signed kept as left out" + (
        f"; {not_kept} NOT KEPT (the cap of ids kept per revoked device was reached)." if not_kept else "."
    )


def _not_read_row(path: Path, error: BundleNotRead) -> dict[str, Any]:
    """This computer stopped the reading (the decrypting helper): neither a
    refusal nor the bundle's fault; the others go on."""
    return {"bundle": str(path), "ok": False, "not_read": True, "reason": error.code, "message": str(error)}


def _refused_row(path: Path, error: BundleRejected) -> dict[str, Any]:
    row = {"bundle": str(path), "ok": False, "reason": error.reason, "message": str(error)}
    if isinstance(error, BundleQuarantined):
        row |= {"quarantined": error.held, "bundle_id": error.bundle_id, "device_id": error.device_id}
    if error.refused_read is not None:  # a revoked maker's bundle, read (docs/sync.md §2.3)
        row |= {"refused_ids_kept": error.refused_read[0], "refused_ids_not_kept": error.refused_read[1]}
    return row


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
