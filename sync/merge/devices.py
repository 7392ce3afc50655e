"""The coordinator's devices view (docs/merge.md, "Devices"): for each device
this vault knows or holds bundles of, its last bundle, its sequence, the
bundles missing before it, whether it is verified, whether it is revoked,
and the receipt alarms about its deliveries (sync/bundle/carried_receipts.py:
the server showed it another record of deliveries than this vault checked).

A missing bundle is a warning, not an error: its laptop may have been seized
or lost before it could send it, or it is still on a USB stick. Everything
here is read from the vault's sync state (``vault.sync``); nothing is
written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.api import Device, HeldBundle, ReceivedBundleRecord, RefusedBundleTally, TypeClashRow, Vault

# What a device's verification means here:
# - verified: enrolled (by a token its first bundle proved, or by its card after
#   the verification codes were compared; here, or at another coordinator whose
#   bundle vouched for it: ``vouched_by``);
# - awaiting-verification: bundles held in quarantine until a coordinator
#   compares its verification code (fieldvault quarantine approve);
# - pending: known, not yet enrolled;
# - revoked: the organisation's profile revokes it; its bundles are refused.
VERIFICATION = ("verified", "awaiting-verification", "pending", "revoked")
# Warning codes a row may carry.
WARNINGS = (
    "sequence-gap",
    "held-bundles",
    "revoked",
    "receipt-alarm",
    "vouch-lapsed",
    "type-clash",
    "not-handed-over",
    "hand-over-unchecked",
)


@dataclass(frozen=True)
class Gap:
    """Bundles ``first`` to ``last`` of a device were never imported."""

    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class DeviceRow:
    device_id: str
    label: str
    role: str  # "device", "coordinator", or "unknown" for a device known only by held bundles
    status: str  # the vault's: enrolled, pending, revoked; "unknown" as above
    verification: str  # VERIFICATION
    last_sequence: int  # of the newest imported bundle (0: none)
    last_bundle_id: str | None
    last_imported_ms: int | None
    bundles_imported: int
    gaps: tuple[Gap, ...]
    held_bundles: int  # in quarantine, awaiting verification
    warnings: tuple[str, ...]  # WARNINGS
    # (kind, receipt index) of each receipt alarm about this device's
    # deliveries (carried_receipts.ReceiptAlarm; kept until someone looks).
    receipt_alarms: tuple[tuple[str, int], ...] = ()
    # The coordinator on whose word this vault knows the device (another
    # coordinator enrolled it: docs/bundle-format.md §8); None: known otherwise.
    vouched_by: str | None = None
    # Revisions it signed that wait here for their parents (db/parked.py:
    # read before the bundle bringing a parent, or the one revoking it).
    parked_revisions: int = 0
    # Revisions it signed kept aside (parked) because its vouch lapsed
    # ("vouch-lapsed"): they wait for the device to be enrolled again, not
    # for parents (db/sync_import.py ``_keep_aside``); not in ``parked_revisions``.
    kept_aside_revisions: int = 0
    # Revisions it signed left out because their record is held here with
    # another type (db/type_clash.py): never stored. Which side of a clash
    # is honest cannot be known here, so a clash is also shown on the row of
    # the device whose revision is held (review 17 F4):
    type_clash_revisions: int = 0
    # Clashes (of the oldest listed) where the record's first revision
    # stored here is its: the held side.
    type_clash_held_revisions: int = 0
    # The pairs it is a party to, either side (at most CLASH_PAIRS_SHOWN;
    # ``fieldvault devices parked`` lists them all).
    type_clashes: tuple[TypeClashRow, ...] = ()
    # What its bundles refused as device-revoked left here (db/withheld.py,
    # review 12 F1): bundles read, revision ids kept as left out, ids not
    # kept because it reached REFUSED_IDS_CAP.
    refused_bundles_read: int = 0
    refused_ids_kept: int = 0
    refused_ids_not_kept: int = 0
    # Revisions it signed that another coordinator desk said, in its history
    # hand-over to this one, it kept out (left out or set aside), and this
    # vault does not hold: (that desk's device id, how many), by desk id
    # (db/maker_decisions.py; that desk's word, no warning here).
    kept_out_elsewhere: tuple[tuple[str, int], ...] = ()
    # What a history hand-over's check against this device's own signed
    # manifests found (db/worker_manifests.py, docs/bundle-format.md §10
    # "Completeness against the workers' signatures"): (the desk that handed
    # over, revisions its manifests name that did not come and nothing here
    # explains, its manifests that did not verify), by desk id; warning
    # ``not-handed-over``.
    not_handed_over: tuple[tuple[str, int, int], ...] = ()
    # The evidence files its signed manifests name that a history hand-over
    # did not bring and this desk does not hold for an item it stores
    # (``missing-file``, review 21 "Bytes-only drop"): (the desk that
    # handed over, how many), by desk id; warning ``not-handed-over`` too.
    files_not_handed_over: tuple[tuple[str, int], ...] = ()
    # Its bundles a history hand-over's ``received`` named without a manifest
    # this desk could check them against (over the maker's budget, imported
    # there before migration 0026, or stripped: the new desk cannot tell):
    # (the desk that handed over, how many bundles), by desk id; warning
    # ``hand-over-unchecked``.
    hand_over_unchecked: tuple[tuple[str, int], ...] = ()

    @property
    def missing(self) -> int:
        return sum(gap.count for gap in self.gaps)

    def to_json(self) -> dict[str, object]:
        return {
            "device_id": self.device_id,
            "label": self.label,
            "role": self.role,
            "status": self.status,
            "verification": self.verification,
            "last_sequence": self.last_sequence,
            "last_bundle_id": self.last_bundle_id,
            "last_imported_ms": self.last_imported_ms,
            "bundles_imported": self.bundles_imported,
            "gaps": [[gap.first, gap.last] for gap in self.gaps],
            "missing": self.missing,
            "held_bundles": self.held_bundles,
            "warnings": list(self.warnings),
            "receipt_alarms": [{"kind": kind, "index": index} for kind, index in self.receipt_alarms],
            "vouched_by": self.vouched_by,
            "parked_revisions": self.parked_revisions,
            "kept_aside_revisions": self.kept_aside_revisions,
            "type_clash_revisions": self.type_clash_revisions,
            "type_clash_held_revisions": self.type_clash_held_revisions,
            "type_clashes": [clash.to_json() for clash in self.type_clashes],
            "refused_bundles_read": self.refused_bundles_read,
            "refused_ids_kept": self.refused_ids_kept,
            "refused_ids_not_kept": self.refused_ids_not_kept,
            "kept_out_elsewhere": [
                {"desk": desk, "revisions": count} for desk, count in self.kept_out_elsewhere
            ],
            "not_handed_over": [
                {"desk": desk, "missing": missing, "unverifiable": unverifiable}
                for desk, missing, unverifiable in self.not_handed_over
            ],
            "files_not_handed_over": [
                {"desk": desk, "files": count} for desk, count in self.files_not_handed_over
            ],
            "hand_over_unchecked": [
                {"desk": desk, "bundles": count} for desk, count in self.hand_over_unchecked
            ],
        }


def sequence_gaps(sequences: list[int], addressed: Iterable[tuple[int, int]] = ()) -> tuple[Gap, ...]:
    """The runs of numbers from 1 to the largest of ``sequences`` that are
    neither in it nor in one of the ``addressed`` runs ``(first, last)``: the
    numbers a coordinator's imported bundles declared it gave to bundles for
    field workers, which other coordinators never receive (docs/merge.md,
    "Devices"). A number nobody declared stays a gap. The records hold only
    a coordinator's declarations: the import ignores any other sender's
    (sync/bundle/vault_io.py ``declared_runs``), so a field device cannot
    hide a gap of its own here."""
    gaps: list[Gap] = []
    expected = 1
    for sequence in sorted(set(sequences)):
        if sequence > expected:
            gaps += _without(Gap(expected, sequence - 1), sorted(addressed))
        expected = sequence + 1
    return tuple(gaps)


def _without(gap: Gap, runs: list[tuple[int, int]]) -> list[Gap]:
    """``gap`` less the numbers of ``runs`` (sorted by their first number)."""
    left: list[Gap] = []
    start = gap.first
    for first, last in runs:
        if last < start or first > gap.last:
            continue
        if first > start:
            left.append(Gap(start, first - 1))
        start = max(start, last + 1)
    if start <= gap.last:
        left.append(Gap(start, gap.last))
    return left


def _verification(status: str, held: int) -> str:
    if status == "revoked":
        return "revoked"
    if status == "enrolled":
        return "verified"
    return "awaiting-verification" if held else "pending"


def _row(
    device: Device | None,
    device_id: str,
    received: list[ReceivedBundleRecord],
    held: list[HeldBundle],
    receipt_alarms: list[tuple[str, int]],
    parked: int = 0,
    revoked: bool = False,
) -> DeviceRow:
    # Revoked by the newest signed profile here, whatever the device table
    # says: a device known only by its refused bundles has no row there
    # (review 14: it showed as role "unknown", verification "pending").
    status = "revoked" if revoked else device.status if device is not None else "unknown"
    last = max(received, key=lambda r: r.sequence, default=None)
    gaps = sequence_gaps([r.sequence for r in received], [run for r in received for run in r.addressed])
    warnings = []
    if gaps:
        warnings.append("sequence-gap")
    if held:
        warnings.append("held-bundles")
    if status == "revoked":
        warnings.append("revoked")
    if receipt_alarms:
        warnings.append("receipt-alarm")
    lapsed = _vouch_lapsed(device)
    if lapsed:
        # Known only on a coordinator's word that no longer stands here: its
        # voucher was removed from the profile (sync/bundle/vouching.py
        # ``lapse_vouches``), or another desk's bundle named it in ``lapsed``
        # (its vouch lapsed there; bundle-format.md §4, ``vouched_by`` that
        # desk, which is still a coordinator). Not authorised either way.
        warnings.append("vouch-lapsed")
    return DeviceRow(
        device_id=device_id,
        label=device.label if device is not None else "",
        # Only field devices are ever revoked (sync/org.py: never a coordinator).
        role=device.role if device is not None else "device" if revoked else "unknown",
        status=status,
        verification=_verification(status, len(held)),
        last_sequence=last.sequence if last is not None else 0,
        last_bundle_id=last.bundle_id if last is not None else None,
        last_imported_ms=last.imported_ms if last is not None else None,
        bundles_imported=len(received),
        gaps=gaps,
        held_bundles=len(held),
        warnings=tuple(warnings),
        receipt_alarms=tuple(receipt_alarms),
        vouched_by=device.vouched_by if device is not None else None,
        # What a lapsed device's parked revisions wait for is its enrolment
        # (whatever their parents), so they are counted apart.
        parked_revisions=0 if lapsed else parked,
        kept_aside_revisions=parked if lapsed else 0,
    )


def _vouch_lapsed(device: Device | None) -> bool:
    """Is ``device`` pending on a coordinator's word that lapsed (as
    db/signers.py ``lapsed_vouch_signers``: its revisions are kept aside)?"""
    return device is not None and device.status == "pending" and device.vouched_by is not None


def kept_aside_by_signer(vault: Vault) -> dict[str, int]:
    """Device id -> how many revisions it signed are kept aside here because
    its vouch lapsed (parked until it is enrolled again): the part of
    ``parked_by_signer`` that waits for no parent."""
    from db.api import parked_by_signer

    lapsed = {device.device_id for device in vault.sync.devices() if _vouch_lapsed(device)}
    return {device_id: count for device_id, count in parked_by_signer(vault).items() if device_id in lapsed}


# How many clash pairs a device's row carries (the details pane names them).
CLASH_PAIRS_SHOWN = 10


def _with_clashes(row: DeviceRow, type_clash: int, pairs: list[TypeClashRow]) -> DeviceRow:
    """A device on either side of a type clash (db/type_clash.py) carries the
    warning ``type-clash`` and the pairs: the side whose revision was left
    out and the side whose revision is held, since the rule keeps whichever
    type arrived first and either side may be the forger (review 17 F4)."""
    mine = [pair for pair in pairs if row.device_id in pair.devices]
    held = sum(1 for pair in mine if pair.held_first is not None and pair.held_first.signer == row.device_id)
    if not type_clash and not mine:
        return row
    return dataclasses.replace(
        row,
        type_clash_revisions=type_clash,
        type_clash_held_revisions=held,
        type_clashes=tuple(mine[:CLASH_PAIRS_SHOWN]),
        warnings=(*row.warnings, "type-clash"),
    )


def _with_refused(row: DeviceRow, tally: RefusedBundleTally | None) -> DeviceRow:
    if tally is None:
        return row
    return dataclasses.replace(
        row,
        refused_bundles_read=tally.bundles,
        refused_ids_kept=tally.kept,
        refused_ids_not_kept=tally.not_kept,
    )


def _with_kept_out_elsewhere(row: DeviceRow, by_desk: dict[str, int] | None) -> DeviceRow:
    if not by_desk:
        return row
    return dataclasses.replace(row, kept_out_elsewhere=tuple(sorted(by_desk.items())))


def _with_not_handed_over(row: DeviceRow, by_desk: dict[str, tuple[int, int]] | None) -> DeviceRow:
    if not by_desk:
        return row
    return dataclasses.replace(
        row,
        not_handed_over=tuple((desk, m, u) for desk, (m, u) in sorted(by_desk.items())),
        warnings=(*row.warnings, "not-handed-over"),
    )


def _with_files_not_handed_over(row: DeviceRow, by_desk: dict[str, int] | None) -> DeviceRow:
    if not by_desk:
        return row
    warned = row.warnings if "not-handed-over" in row.warnings else (*row.warnings, "not-handed-over")
    return dataclasses.replace(row, files_not_handed_over=tuple(sorted(by_desk.items())), warnings=warned)


def _with_hand_over_unchecked(row: DeviceRow, by_desk: dict[str, int] | None) -> DeviceRow:
    if not by_desk:
        return row
    return dataclasses.replace(
        row,
        hand_over_unchecked=tuple(sorted(by_desk.items())),
        warnings=(*row.warnings, "hand-over-unchecked"),
    )


def devices_view(vault: Vault) -> list[DeviceRow]:
    """One row per device other than this vault's own: the devices it knows
    (field devices and other coordinators) and those it holds bundles of in
    quarantine. Rows with warnings first, then by device id."""
    from db.api import (
        files_missing_by_device,
        maker_decisions_by_signer,
        parked_by_signer,
        refused_bundle_tallies,
        type_clash_by_signer,
        type_clash_list,
        unaccounted_by_device,
        unchecked_by_device,
    )
    from sync.bundle.carried_receipts import alarms
    from sync.merge.frozen_records import revoked_devices

    received: dict[str, list[ReceivedBundleRecord]] = defaultdict(list)
    for record in vault.sync.received_bundles():
        received[record.device_id].append(record)
    held: dict[str, list[HeldBundle]] = defaultdict(list)
    for bundle in vault.sync.held_bundles():
        held[bundle.device_id].append(bundle)
    alarmed: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for alarm in alarms(vault):
        alarmed[alarm.device_id].append((alarm.kind, alarm.index))
    known = {device.device_id: device for device in vault.sync.devices()}
    refused = refused_bundle_tallies(vault)  # also of a revoked device known here by nothing else
    clashes = type_clash_by_signer(vault)
    pairs, _total = type_clash_list(vault)  # the oldest listed, with the held side
    parties = {device for pair in pairs for device in pair.devices}
    ids = (set(known) | set(received) | set(held) | set(alarmed) | set(refused) | parties) - {vault.device_id}
    parked = parked_by_signer(vault)
    revoked = revoked_devices(vault)
    rows = [
        _with_clashes(
            _with_refused(
                _row(
                    known.get(i),
                    i,
                    received.get(i, []),
                    held.get(i, []),
                    alarmed.get(i, []),
                    parked.get(i, 0),
                    revoked=i in revoked,
                ),
                refused.get(i),
            ),
            clashes.get(i, 0),
            pairs,
        )
        for i in ids
    ]
    # What other desks said they kept out (their hand-overs' ``decisions``).
    elsewhere = maker_decisions_by_signer(vault)
    rows = [_with_kept_out_elsewhere(row, elsewhere.get(row.device_id)) for row in rows]
    # What hand-overs' checks against the workers' own manifests found.
    unaccounted = unaccounted_by_device(vault)
    rows = [_with_not_handed_over(row, unaccounted.get(row.device_id)) for row in rows]
    files = files_missing_by_device(vault)
    rows = [_with_files_not_handed_over(row, files.get(row.device_id)) for row in rows]
    # And the bundles a hand-over named that could not be checked.
    unchecked = unchecked_by_device(vault)
    rows = [_with_hand_over_unchecked(row, unchecked.get(row.device_id)) for row in rows]
    rows.sort(key=lambda row: (not row.warnings, row.device_id))
    return rows


def when_text(ms: int | None) -> str:
    """'2026-11-30 14:05 UTC (today)': a time the plain lines show."""
    if ms is None:
        return "-"
    stamp = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{stamp} ({age_text(ms)})"


def age_text(imported_ms: int | None, now_ms: int | None = None) -> str:
    """'3 days ago', 'today', 'never': how long since a device's last bundle."""
    if imported_ms is None:
        return "never"
    now = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    days = max(0, (now - imported_ms) // 86_400_000)
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
