"""``fieldvault devices parked --set-aside ... | --set-aside-signer ... |
--quarantine-left-out-files | --restore-files DECISION_ID``: a
coordinator's decisions about revisions waiting for their parents and the
files only left-out revisions name, and the way back for those files
(issue 14, review 14 F2; docs/cli.md, docs/sync.md §2.3). Parsing,
confirmation and wiring only; the work is db/parked_set_aside.py's. Ids,
counts and sizes are printed, never what a revision or file holds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, Protocol

from db.api import (
    Vault,
    left_out_files,
    quarantine_left_out_files,
    quarantined_files,
    restore_quarantined_files,
    set_aside_parked,
    set_aside_plan,
)
from fieldvault.passphrases import SecretSource
from fieldvault.textinput import CommandRefused

Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...


def add_parked_actions(parked: argparse.ArgumentParser) -> None:
    """The options of ``devices parked`` that act; without them it lists."""
    parked.add_argument(
        "--set-aside",
        nargs="+",
        metavar="REVISION_ID",
        default=[],
        help="set these parked revisions aside, with their parked descendants: kept as left out "
        "here for good, never stored (their evidence bytes are kept)",
    )
    parked.add_argument(
        "--set-aside-signer",
        metavar="DEVICE_ID",
        help="set aside every parked revision this device signed, with their parked descendants",
    )
    parked.add_argument(
        "--quarantine-left-out-files",
        action="store_true",
        help="move to quarantine/ the stored evidence files that only left-out or set-aside "
        "revisions name (never one a stored or parked revision names; their keys are kept: "
        "--restore-files brings them back); 'fieldvault quarantine purge' deletes them",
    )
    parked.add_argument(
        "--restore-files",
        type=int,
        metavar="DECISION_ID",
        help="move back to the vault the files the quarantine decision DECISION_ID moved "
        "(the id --quarantine-left-out-files printed); recorded as a decision",
    )
    parked.add_argument(
        "--signer",
        metavar="DEVICE_ID",
        help="with --quarantine-left-out-files: only files a left-out revision of this device names",
    )
    parked.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def wants_parked_action(args: argparse.Namespace) -> bool:
    return bool(
        getattr(args, "set_aside", None)
        or getattr(args, "set_aside_signer", None)
        or getattr(args, "quarantine_left_out_files", False)
        or getattr(args, "restore_files", None) is not None
    )


def _confirm(args: argparse.Namespace, question: str) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CommandRefused("Refusing to act without a terminal to confirm on; add --yes.")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandRefused("Not confirmed; nothing was changed.")


def cmd_parked_action(
    args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener
) -> None:
    chosen = [
        bool(args.set_aside or args.set_aside_signer),
        bool(args.quarantine_left_out_files),
        args.restore_files is not None,
    ]
    if sum(chosen) > 1:
        raise CommandRefused(
            "Set revisions aside, move files to quarantine and restore files in separate commands."
        )
    if args.signer and not args.quarantine_left_out_files:
        raise CommandRefused("--signer goes with --quarantine-left-out-files (use --set-aside-signer).")
    with open_vault(args, secrets) as vault:
        if args.quarantine_left_out_files:
            _quarantine(args, out, vault)
        elif args.restore_files is not None:
            _restore(args, out, vault)
        else:
            _set_aside(args, out, vault)


def _set_aside(args: argparse.Namespace, out: Output, vault: Vault) -> None:
    plan = set_aside_plan(vault, revision_ids=args.set_aside, signer=args.set_aside_signer)
    if plan.not_parked:
        raise CommandRefused(
            "Not waiting here for their parents (see 'fieldvault devices parked'); nothing was set "
            "aside: " + ", ".join(plan.not_parked)
        )
    if not plan.revision_ids:
        out.result({"set_aside": [], "decision_id": None}, "No parked revision to set aside.")
        return
    _confirm(
        args,
        f"Set aside {len(plan.revision_ids)} parked revision(s) (those chosen and their parked "
        "descendants)? They are kept as left out here for good and never stored, even if their "
        "parents arrive.",
    )
    result = set_aside_parked(vault, revision_ids=args.set_aside, signer=args.set_aside_signer)
    lines = [
        f"{len(result.set_aside)} revision(s) set aside (decision {result.decision_id}):",
        *(f"  {r.revision_id}  record {r.entity_id}  signed by {r.signer}" for r in result.set_aside),
    ]
    out.result(
        {"set_aside": [r.to_json() for r in result.set_aside], "decision_id": result.decision_id},
        "\n".join(lines),
    )


def _quarantine(args: argparse.Namespace, out: Output, vault: Vault) -> None:
    files = left_out_files(vault, signer=args.signer)
    if not files:
        out.result(
            {"moved": [], "move_pending": [], "decision_id": None},
            "No stored file is named only by left-out revisions.",
        )
        return
    size = sum(file.size for file in files)
    _confirm(
        args,
        f"Move {len(files)} evidence file(s) ({size} bytes) that only left-out revisions name to "
        "quarantine/? No stored or parked revision names them; 'fieldvault quarantine purge' "
        "deletes them later.",
    )
    result = quarantine_left_out_files(vault, signer=args.signer)
    lines = [
        f"{len(result.moved)} file(s) moved to quarantine/ (decision {result.decision_id}):",
        *(f"  {f.blob_id}  {f.size} bytes  named by {', '.join(f.signers)}" for f in result.moved),
    ]
    if result.move_pending:
        lines.append(
            f"{len(result.move_pending)} could not be moved now: the next unlock moves them "
            "(no record refers to them any more)."
        )
    out.result(
        {
            "moved": [f.to_json() for f in result.moved],
            "move_pending": list(result.move_pending),
            "decision_id": result.decision_id,
        },
        "\n".join(lines),
    )


def _restore(args: argparse.Namespace, out: Output, vault: Vault) -> None:
    decision_id = int(args.restore_files)
    files = quarantined_files(vault, decision_id)  # refuses a decision that is no quarantine
    if not files:
        out.result(
            {"restored": [], "missing": [], "damaged": [], "decision_id": None},
            f"Nothing of decision {decision_id} is left to restore (restored or purged already).",
        )
        return
    size = sum(file.size for file in files)
    _confirm(
        args,
        f"Move {len(files)} evidence file(s) ({size} bytes) that decision {decision_id} moved to "
        "quarantine/ back into the vault? Each is read back and checked against its SHA-256 first.",
    )
    result = restore_quarantined_files(vault, decision_id)
    lines = [
        f"{len(result.restored)} file(s) restored (decision {result.decision_id}):",
        *(f"  {f.blob_id}  {f.size} bytes" for f in result.restored),
    ]
    if result.missing:
        lines.append(
            f"{len(result.missing)} not found in quarantine/ (kept on record for another try): "
            + ", ".join(result.missing)
        )
    if result.damaged:
        lines.append(
            f"{len(result.damaged)} do not read back to their SHA-256 (left where they are): "
            + ", ".join(result.damaged)
        )
    out.result(
        {
            "restored": [{"blob_id": f.blob_id, "size": f.size} for f in result.restored],
            "missing": list(result.missing),
            "damaged": list(result.damaged),
            "decision_id": result.decision_id,
        },
        "\n".join(lines),
    )
