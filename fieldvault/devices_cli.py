"""``fieldvault devices``: the coordinator's devices view (docs/cli.md,
docs/merge.md "Devices"). Parsing and wiring only; the rows are
sync/merge/devices.py's. A device with a warning (bundles missing, bundles
held for verification, revoked) also prints a line on stderr, so that a
script piping the rows still sees it.

``fieldvault devices frozen``: the records a revocation froze (review 11
F2, docs/sync.md §2.3), by id and type only, never by what they hold; the
rows are db/revocation_impact.py's.

``fieldvault devices reroot RECORD_ID --as-before|--as-held``: a
coordinator re-roots one frozen record (db/reroot.py): one revision signed
with this desk's key, outside the revoked line, with the content a person
chose; ids only in its output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, Protocol

from db.api import (
    AffectedRecord,
    MakerDecisionRow,
    NotFound,
    TypeClashRow,
    UnaccountedRow,
    Vault,
    maker_decisions_list,
    parked_list,
    refused_bundle_tallies,
    unaccounted_list,
)
from fieldvault.parked_actions_cli import add_parked_actions, cmd_parked_action, wants_parked_action
from fieldvault.passphrases import SecretSource
from sync.merge.devices import DeviceRow, devices_view, when_text
from sync.merge.frozen_records import frozen_records, reroot

Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class Output(Protocol):
    def rows(self, rows: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None: ...

    def result(self, data: dict[str, Any], human: str) -> None: ...


def add_devices_parser(commands: Any) -> None:
    devices = commands.add_parser(
        "devices",
        help="each device's last bundle, its sequence, missing bundles (a warning), "
        "verification and revocation (a coordinator's view)",
    )
    # Optional: `fieldvault devices` alone is the devices view, as ever.
    actions = devices.add_subparsers(dest="devices_action", metavar="{frozen,parked,reroot}")
    actions.add_parser(
        "frozen",
        help="the records a revoked device froze: edits held back from the other desks, "
        "edits left out here (ids only)",
    )
    parked = actions.add_parser(
        "parked",
        help="the revisions waiting here for their parents: signer, record, bundle and "
        "the parents missing (ids only); with an option, set them aside or move to quarantine "
        "the files only left-out revisions name",
    )
    add_parked_actions(parked)  # fieldvault/parked_actions_cli.py
    rerooting = actions.add_parser(
        "reroot",
        help="coordinator: sign one new revision of a frozen record outside the revoked line, so that "
        "every desk can take it again (a person's choice, never automatic)",
    )
    rerooting.add_argument("record_id", metavar="RECORD_ID", help="a record `devices frozen` lists")
    choice = rerooting.add_mutually_exclusive_group(required=True)
    choice.add_argument(
        "--as-before",
        dest="reroot_choice",
        action="store_const",
        const="as-before",
        help="the record as it was before the revoked device's edits (they and the later edits are undone)",
    )
    choice.add_argument(
        "--as-held",
        dest="reroot_choice",
        action="store_const",
        const="as-held",
        help="the record as this desk holds it now (the revoked device's edits and the later ones kept, "
        "under this desk's signature); only at a desk that holds them",
    )
    rerooting.add_argument(
        "--despite-old-readers",
        action="store_true",
        help="sign even though devices enrolled here have not said they read a re-root: their app will "
        "refuse this desk's bundles until they are upgraded",
    )


def _gaps_text(row: DeviceRow) -> str:
    return ", ".join(str(g.first) if g.first == g.last else f"{g.first}-{g.last}" for g in row.gaps)


def _human(row: DeviceRow) -> str:
    label = f" ({row.label})" if row.label else ""
    lines = [
        f"{row.device_id}{label}  {row.role}, {row.verification}",
        f"  last bundle: #{row.last_sequence} {row.last_bundle_id or '-'}, imported {when_text(row.last_imported_ms)}",
        f"  bundles imported: {row.bundles_imported}"
        + (f"; MISSING: {_gaps_text(row)}" if row.gaps else "")
        + (f"; held for verification: {row.held_bundles}" if row.held_bundles else ""),
    ]
    if row.parked_revisions:
        lines.append(f"  revisions waiting here for their parents: {row.parked_revisions}")
    if row.kept_aside_revisions:
        lines.append(
            f"  revisions kept aside until it is enrolled again (its vouch lapsed): {row.kept_aside_revisions}"
        )
    if row.type_clash_revisions:
        lines.append(
            f"  revisions left out, their record is held here as another type: {row.type_clash_revisions}"
        )
    if row.type_clash_held_revisions:
        lines.append(
            "  records held here whose first revision it signed, claimed by another device as another "
            f"type: {row.type_clash_held_revisions}"
        )
    if row.refused_bundles_read or row.refused_ids_kept:
        lines.append(
            f"  refused bundles read: {row.refused_bundles_read}; revision ids kept from them as left out: "
            f"{row.refused_ids_kept}"
            + (
                f"; NOT KEPT: {row.refused_ids_not_kept} (the cap of ids kept per revoked device was reached)"
                if row.refused_ids_not_kept
                else ""
            )
        )
    return "\n".join(lines)


def _warning(row: DeviceRow) -> str | None:
    parts = []
    if row.gaps:
        parts.append(
            f"{row.missing} bundle(s) missing ({_gaps_text(row)}): the device may have been lost or "
            "seized, or the bundles are still on their way"
        )
    if row.held_bundles:
        parts.append(
            f"{row.held_bundles} bundle(s) held until its verification code is compared "
            "(fieldvault quarantine list)"
        )
    if row.status == "revoked":
        parts.append("revoked: its bundles are refused")
    if "vouch-lapsed" in row.warnings:
        parts.append(
            f"known here only on the word of coordinator {row.vouched_by}, which was removed from the "
            "organisation's profile (or which named it as a device whose vouch lapsed there): its bundles "
            "are held and the revisions relayed for it kept aside until "
            "a current coordinator vouches for it, or you compare its verification code "
            "(fieldvault bundle approve) or add it by its card (fieldvault org add-device)"
        )
    if "type-clash" in row.warnings:
        # Neither side blamed (review 17 F4): the type that arrived first is kept.
        parts.append(
            f"{row.type_clash_revisions + row.type_clash_held_revisions} type clash(es) it is a party to: two devices claim one record with "
            "different types; this vault keeps the type that arrived first, which may not be the honest "
            "one (fieldvault devices parked lists both sides of each)"
        )
    for desk, missing, unverifiable in row.not_handed_over:
        # Listed, never acted on (docs/bundle-format.md §10 "Completeness
        # against the workers' signatures").
        parts.append(
            f"the history hand-over from desk {desk} did not bring {missing} revision(s) its own signed "
            f"bundles name, and {unverifiable} of its manifests carried there did not verify: that desk may "
            "have left them out (fieldvault devices parked lists them)"
        )
    for desk, files in row.files_not_handed_over:
        # The record came, its bytes did not (review 21 "Bytes-only drop").
        parts.append(
            f"the history hand-over from desk {desk} did not bring {files} evidence file(s) its own signed "
            "bundles name, and they are not stored here: that desk may have left them out; a re-read of the "
            "worker's own file brings them (fieldvault devices parked lists them)"
        )
    for desk, bundles in row.hand_over_unchecked:
        # An honest maker's bundles over its budget show too: not checked is the truth.
        parts.append(
            f"the history hand-over from desk {desk} named {bundles} of its bundles without the worker's "
            "signed manifest, and none is kept here: what they brought was not checked (over that desk's "
            "budget, imported there before manifests were kept, or stripped; fieldvault devices parked "
            "lists them)"
        )
    if row.receipt_alarms:
        receipts = ", ".join(str(index) for _kind, index in row.receipt_alarms)
        parts.append(
            f"receipt alarm (receipt {receipts}): the server showed it another record of deliveries "
            "than this vault checked; tell the organisation, and have it bring its bundles by USB"
        )
    return f"warning: device {row.device_id}: " + "; ".join(parts) if parts else None


def _frozen_human(record: AffectedRecord) -> str:
    kind = record.entity_type or "record (none of it held here)"
    lines = [f"{kind} {record.entity_id}  revoked device(s): {', '.join(record.revoked_devices) or '-'}"]
    if record.held_back:
        whole = "; the whole record" if record.whole else ""
        lines.append(
            f"  held back from the other desks: {record.held_back} revision(s) "
            f"({record.revoked_signed} by the revoked device, {record.later_edits} later edit(s){whole}), "
            f"newest {when_text(record.held_back_newest_ms)}"
        )
    if record.left_out:
        lines.append(
            f"  left out here: {record.left_out} revision(s), last left out {when_text(record.left_out_newest_ms)}"
        )
    if record.left_out_past_cap:
        # No revocation's doing: decided anew when they arrive again (docs/sync.md §2.3).
        lines.append(
            f"  left out: the signer's parked slots were full: {record.left_out_past_cap} revision(s) "
            "(past the cap, or edits of one), stored if they arrive again once their parents are here"
        )
    return "\n".join(lines)


def cmd_frozen(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    """One row per record a revocation froze; a summary on stderr."""
    with open_vault(args, secrets) as vault:
        impact = frozen_records(vault)
        tallies = refused_bundle_tallies(vault)
    by_id = {record.entity_id: record for record in impact.records}
    out.rows(
        [record.to_json() for record in impact.records],
        lambda data: _frozen_human(by_id[str(data["entity_id"])]),
    )
    for device_id, tally in sorted(tallies.items()):
        # Counted apart: the record ids in a refused bundle are its maker's choice (review 13 F5).
        cap = f" ({tally.not_kept} NOT KEPT: the cap of ids kept per revoked device was reached)"
        print(
            f"revoked device {device_id}: {tally.bundles} refused bundle(s) read, {tally.kept} revision id(s) "
            f"from them kept as left out{cap if tally.not_kept else ''}; they name no record listed here.",
            file=sys.stderr,
        )
    if not impact.records:
        print("No record is frozen by a revocation in this vault.", file=sys.stderr)
        return
    print(
        f"{len(impact.held_back)} record(s) with edits held back from the other desks, "
        f"{len(impact.left_out)} with edits left out here: each stays, at the desks without those "
        "edits, as it was before them (docs/sync.md §2.3)."
        + (
            f" {len(impact.left_out_past_cap)} with edits left out because their signer's parked slots "
            "were full (no revocation)."
            if impact.left_out_past_cap
            else ""
        ),
        file=sys.stderr,
    )


def cmd_reroot(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    """Re-root one frozen record; the revision signed, by ids."""
    with open_vault(args, secrets) as vault:
        done = reroot(vault, args.record_id, args.reroot_choice, despite_old_readers=args.despite_old_readers)
    how = "as it was before the revoked edits" if done.choice == "as-before" else "as this desk held it"
    out.result(
        done.to_json(),
        f"{done.entity_type} {done.entity_id} re-rooted {how}: revision {done.revision_id}\n"
        f"  parents: {', '.join(done.parents) or '- (a new root)'}\n"
        f"  supersedes {len(done.supersedes)} revision(s) of the revoked line; it travels in this desk's "
        "next bundle, and every desk that takes it shows the same record again",
    )


def cmd_parked(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    """One row per parked revision (the oldest 1,000; review 13 F3), ids and
    times only; how many there are on stderr."""
    if wants_parked_action(args):  # --set-aside..., --quarantine-left-out-files
        cmd_parked_action(args, out, secrets, open_vault)
        return
    with open_vault(args, secrets) as vault:
        rows, total = parked_list(vault)
        decided, decided_total = maker_decisions_list(vault)
        clashes, clash_total = _type_clash_list(vault)
        unaccounted, unaccounted_total = unaccounted_list(vault)
        cases = _item_cases(vault, unaccounted)
    by_id = {row.revision_id: row for row in rows}

    def human(data: dict[str, Any]) -> str:
        row = by_id[str(data["revision_id"])]
        missing = ", ".join(row.missing_parents) or "- (its parents are parked too)"
        # A damaged row is never stored as it is (review 14 F3), whatever it waits for.
        damaged = (
            "\n  DAMAGED: it no longer verifies (verify names it); the intact revision arriving again replaces it"
            if row.damaged
            else ""
        )
        return (
            f"{row.revision_id}  record {row.entity_id}  signed by {row.signer}\n"
            f"  came with bundle {row.bundle_id or '-'}, parked {when_text(row.parked_ms)}; waits for: {missing}"
            f"{damaged}"
        )

    out.rows([row.to_json() for row in rows], human)
    shown = f" (the oldest {len(rows)} listed)" if total > len(rows) else ""
    print(f"{total} revision(s) wait here for their parents{shown} (docs/sync.md §2.3).", file=sys.stderr)
    _type_clashes(out, clashes, clash_total)
    _decided_elsewhere(out, decided, decided_total)
    _not_handed_over(out, unaccounted, unaccounted_total, cases)


def _item_cases(vault: Vault, rows: list[UnaccountedRow]) -> dict[str, str]:
    """The case of each live item a ``missing-file`` finding names, by item
    id: the very file ingested into that case is stored and attached to the
    item (db/evidence.py, ``intake-attached``), which ends the finding. A
    deleted item takes no file: left out, so no remedy is named for it."""
    cases: dict[str, str] = {}
    for row in rows:
        if row.problem != "missing-file" or row.evidence_id is None or row.evidence_id in cases:
            continue
        try:
            cases[row.evidence_id] = vault.evidence.get(row.evidence_id).case_id
        except NotFound:
            continue
    return cases


# How another desk kept a revision out, as its hand-over says (its reason).
_KEPT_OUT_HOW = {
    "set-aside": "set aside",
    "left-out": "left out (a revoked device's lineage)",
    "refused-bundle": "left out (read from a revoked device's refused bundle)",
    "past-cap": "left out (its signer's parked slots were full)",
    "below-past-cap": "left out (below a revision left out past the cap)",
}


def _decided_elsewhere(out: Output, rows: list[MakerDecisionRow], total: int) -> None:
    """Then one row per revision another desk's history hand-over said it kept
    out (docs/bundle-format.md §10 ``decisions``): its word, with the desk named."""
    by_key = {(row.revision_id, row.maker): row for row in rows}

    def human(data: dict[str, Any]) -> str:
        row = by_key[(str(data["revision_id"]), str(data["maker"]))]
        return (
            f"{row.revision_id}  {_KEPT_OUT_HOW.get(row.reason, row.reason)} at desk {row.maker}\n"
            f"  signed by {row.signer}, decided {when_text(row.decided_ms)}, said by its hand-over "
            f"{row.bundle_id}; here: {row.here}"
        )

    out.rows([row.to_json() for row in rows], human)
    if total:
        shown = f" (the newest {len(rows)} listed)" if total > len(rows) else ""
        print(
            f"{total} revision(s) another desk kept out, as its hand-over said{shown}: its decision, "
            "not this desk's; one arriving here is decided here (docs/threat-model.md §2.8).",
            file=sys.stderr,
        )


def _not_handed_over(out: Output, rows: list[UnaccountedRow], total: int, cases: dict[str, str]) -> None:
    """Then what a history hand-over's check against the workers' signed
    manifests found (docs/bundle-format.md §10 "Completeness against the
    workers' signatures"): each revision a worker's manifest names that the
    hand-over did not bring and nothing here explains, each evidence file it
    names that did not come and is not stored here for its item, each
    manifest that did not verify, and each field device's bundle whose entry
    came without one (unchecked), naming the desk that handed over. Listed,
    never acted on. ``cases``: the case of each missing file's item
    (_item_cases), for the command that supplies the file."""
    by_key = {(row.maker, row.bundle_id, row.revision_id, row.sha256, row.evidence_id): row for row in rows}

    def human(data: dict[str, Any]) -> str:
        row = by_key[
            (
                str(data["maker"]),
                str(data["bundle_id"]),
                data["revision_id"],
                data["sha256"],
                data["evidence_id"],
            )
        ]
        if row.problem == "missing-file":
            # The desk holds the same bytes under an item of its own (it
            # ingested the file itself, say): not lost, but not this item's.
            held = (
                f"\n  the same bytes ARE stored here, as evidence item(s) {', '.join(row.held_as)}: the file is "
                "not lost, but this item is not linked to it; a re-read of the worker's file of that bundle, "
                "or a later bundle carrying it, links it (nothing stored again)"
                if row.held_as
                else ""
            )
            case_id = cases.get(row.evidence_id or "")
            # Since session 18 the file itself, had by other means, supplies
            # the item: ids only, the file named by a placeholder.
            supply = (
                f"\n  given that very file, ingest it into the item's case: fieldvault ingest FILE --case {case_id} "
                "(stored and attached to this item, checked against the SHA-256 and size the worker signed)"
                if case_id is not None
                else ""
            )
            return (
                f"file {row.sha256} of evidence item {row.evidence_id}  did not come with the history "
                f"hand-over from desk {row.maker}\n"
                f"  named by the signed manifest of bundle {row.bundle_id} (#{row.sequence} of {row.device_id}); "
                f"the item is stored here without it; hand-over {row.hand_over_id}, checked "
                f"{when_text(row.recorded_ms)}{held}{supply}"
            )
        if row.problem == "unverifiable":
            return (
                f"bundle {row.bundle_id} (#{row.sequence} of {row.device_id}): its manifest, as the history "
                f"hand-over from desk {row.maker} carried it, does NOT verify with the worker's key: not trusted\n"
                f"  hand-over {row.hand_over_id}, checked {when_text(row.recorded_ms)}"
            )
        if row.problem == "unchecked":
            return (
                f"bundle {row.bundle_id} (#{row.sequence} of {row.device_id}): the history hand-over from "
                f"desk {row.maker} carried no manifest of it, and none is kept here: NOT checked\n"
                f"  hand-over {row.hand_over_id}, recorded {when_text(row.recorded_ms)}"
            )
        return (
            f"{row.revision_id}  did not come with the history hand-over from desk {row.maker}\n"
            f"  named by the signed manifest of bundle {row.bundle_id} (#{row.sequence} of {row.device_id}); "
            f"not held here, and no decision explains it; hand-over {row.hand_over_id}, checked "
            f"{when_text(row.recorded_ms)}"
        )

    out.rows([row.to_json() for row in rows], human)
    if total:
        missing = sum(row.problem == "missing" for row in rows)
        unchecked = sum(row.problem == "unchecked" for row in rows)
        files = sum(row.problem == "missing-file" for row in rows)
        unverifiable = len(rows) - missing - unchecked - files
        shown = f" (the oldest {len(rows)} listed)" if total > len(rows) else ""
        if files:
            held = sum(row.problem == "missing-file" and bool(row.held_as) for row in rows)
            held_text = (
                f" ({held} of them stored here under another item, the same bytes: not lost, not linked)"
                if held
                else ""
            )
            print(
                f"{files} evidence file(s) named by a worker's signed manifest did not come with a history "
                f"hand-over and are not stored here for their items, though the items are{held_text}{shown}: "
                "the desk named may have left the bytes out ('fieldvault verify' names each item as having no "
                "stored file); re-read the worker's own file of that bundle ('fieldvault bundle import "
                "--reread FILE'), take a later bundle that carries them, or, given the very file by other "
                "means, ingest it into its item's case ('fieldvault ingest FILE --case CASE_ID', the case "
                "each line names: stored and attached to that item) (docs/threat-model.md §2.8). "
                "Nothing was stored or refused on it.",
                file=sys.stderr,
            )
        if missing or unverifiable:
            print(
                f"{missing} revision(s) named by a worker's signed manifest did not come with a history "
                f"hand-over, and {unverifiable} carried manifest(s) did not verify{shown}: the desk named may "
                "have left them out; compare with the worker's vault or another desk, or re-read the "
                "worker's own file of that bundle ('fieldvault bundle import --reread FILE') "
                "(docs/threat-model.md §2.8). Nothing was stored or refused on it.",
                file=sys.stderr,
            )
        if unchecked:
            print(
                f"{unchecked} bundle(s) a history hand-over named came without the worker's signed manifest "
                f"and none is kept here{shown}: what they brought was not checked (past the desk's budget, "
                "imported there before manifests were kept, or stripped by a desk hiding a drop; this desk "
                "cannot tell which); compare with the worker's vault or another desk "
                "(docs/threat-model.md §2.8).",
                file=sys.stderr,
            )


def _type_clash_list(vault: Vault) -> tuple[list[TypeClashRow], int]:
    from db.api import type_clash_list

    return type_clash_list(vault)


def _type_clash_human(row: TypeClashRow) -> str:
    """Both sides of a type clash, blaming neither (review 17 F4): the type
    that arrived here first is kept, and either side may be the forger."""
    held = row.held_first
    kept = (
        f"  held here as {held.entity_type}: its first revision {held.revision_id}\n"
        f"    signed by {held.signer}, made {when_text(held.made_ms)} by its signer's clock, stored here before "
        "the other arrived"
        if held is not None
        else "  held here: no revision of the record (none to compare)"
    )
    return (
        f"two devices claim record {row.entity_id} with different types:\n"
        f"{kept}\n"
        f"  left out: {row.revision_id}, claiming another type\n"
        f"    signed by {row.signer}, left out {when_text(row.left_out_ms)} (never stored)\n"
        "  which is right cannot be known here; ask the people who use both devices"
    )


def _type_clashes(out: Output, rows: list[TypeClashRow], total: int) -> None:
    """Then one row per revision left out because its record is held here
    with another type (db/type_clash.py; ``"reason": "type-clash"``), paired
    with the held record's first revision: never stored, nothing to wait for."""
    by_id = {row.revision_id: row for row in rows}

    def human(data: dict[str, Any]) -> str:
        row = by_id[str(data["revision_id"])]
        return _type_clash_human(row)

    out.rows([row.to_json() for row in rows], human)
    if total:
        shown = f" (the oldest {len(rows)} listed)" if total > len(rows) else ""
        print(
            f"{total} type clash(es): revision(s) left out because their record is held here as another "
            f"type{shown}, each listed with the held record's first revision; the type that arrived first "
            "is kept, which may not be the honest one (docs/sync.md §2.3).",
            file=sys.stderr,
        )


def cmd_devices(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    if getattr(args, "devices_action", None) == "frozen":
        cmd_frozen(args, out, secrets, open_vault)
        return
    if getattr(args, "devices_action", None) == "parked":
        cmd_parked(args, out, secrets, open_vault)
        return
    if getattr(args, "devices_action", None) == "reroot":
        cmd_reroot(args, out, secrets, open_vault)
        return
    with open_vault(args, secrets) as vault:
        rows = devices_view(vault)
    by_id = {row.device_id: row for row in rows}
    out.rows([row.to_json() for row in rows], lambda data: _human(by_id[str(data["device_id"])]))
    for row in rows:
        warning = _warning(row)
        if warning is not None:
            print(warning, file=sys.stderr)
    if not rows:
        print("No other devices are known to this vault yet.", file=sys.stderr)
