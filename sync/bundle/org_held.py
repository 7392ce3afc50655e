"""What a coordinator's vault knows the organisation's server holds
already, so that its own bundles to the other coordinators (docs/sync.md
§2.3) never upload it again.

Only a bundle made under a profile version with the same coordinators as
the newest one this vault holds (at or after its ``coordinators_since``:
``every_coordinator_reads``) is held or relayed; one made under a version
before the coordinators last changed may not be encrypted to a coordinator
added since, who then gets its contents in this coordinator's own bundle.
Revoking a field worker, a new server or a new policy does not change them
(docs/org-profile.md §1).

- **Pulled from the server**: the revisions a pulled bundle's import stored
  take one run of local sequence numbers (``VaultImport.stored_revision_seqs``);
  the run is kept in ``org_held_revisions`` (a sync client value, JSON
  ``[[first, last], …]``) and the bundle's evidence bytes are recorded as
  acknowledged (``acknowledged_blobs``), both in the import's own
  transaction: a kill cannot keep the bundle and lose the mark.
- **Its own bundles delivered**: once the server's checked receipt of a
  coordinator's bundle to coordinators is recorded, the bundle counts as
  acknowledged (``acknowledge_bundle``, by the coordinator's own device id:
  the server's receipt is the proof), which moves the revision and custody
  cursors past what it carried and acknowledges its evidence bytes; the
  runs at or below the revision cursor are then forgotten.

- **Relayed**: another device's bundle a coordinator imported from a USB
  stick is queued (``relay_queue``, with its run and evidence bytes, in the
  import's transaction) and its file copied into ``sync-spool/relay/``
  before the import, which reads that copy (``stage_relay_file``); the push
  checks the copy is still that bundle and uploads it as it is, and once
  its receipt is recorded its run and bytes are held like a pulled
  bundle's (``relayed``). Refused or lost, it
  is forgotten and what it brought travels in the coordinator's own bundle;
  refused because its maker was revoked since, what it brought is left out
  as if held (``withhold_relay``): the other desks leave a revoked signer's
  revisions out (and would refuse the relay itself, a worker's bundle,
  whole).

Its own work is in no run: it travels in its next bundle. A field worker's
vault records no run (its bundles carry what the acknowledgements have not
covered, as before). A pulled desk bundle's revisions that the import left
out (their signer revoked by the newest profile here, vault_io
``_withheld_signers``) are not stored, so they take no number and no run
records them; the evidence bytes only they named are neither stored nor
recorded as held."""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.api import SYNC_RELAY_DIR, SYNC_SPOOL_DIR, SyncClientState, Vault, VaultImport
from sync.bundle.format import BundleHeader
from sync.bundle.regular_file import open_regular
from sync.org import Profile

HELD_REVISIONS = "org_held_revisions"

Run = tuple[int, int]


def _runs(text: str | None) -> list[Run]:
    if not text:
        return []
    return [(int(first), int(last)) for first, last in json.loads(text)]


def _merged(runs: Iterable[Run]) -> list[Run]:
    out: list[Run] = []
    for first, last in sorted(runs):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def _text(runs: list[Run]) -> str:
    return json.dumps([list(run) for run in runs], separators=(",", ":"))


def record_pulled(unit: VaultImport, blobs: Iterable[str]) -> None:
    """A bundle pulled from the organisation's server is being imported by a
    coordinator: the revisions it stored and its evidence bytes are held
    by the server (recorded with the import, undone with it)."""
    stored = unit.stored_revision_seqs()
    if stored is not None:
        unit.update_client_value(HELD_REVISIONS, lambda text: _text(_merged([*_runs(text), stored])))
    unit.acknowledge_blobs(blobs)


def held_runs(vault: Vault) -> tuple[Run, ...]:
    """The runs of local sequence numbers held by the server, oldest first."""
    return tuple(_runs(SyncClientState.of(vault).value(HELD_REVISIONS)))


class HeldRevisions:
    """Membership and skipping over the held runs (read once)."""

    def __init__(self, runs: Iterable[Run]) -> None:
        self.runs = _merged(runs)
        self._firsts = [first for first, _ in self.runs]

    def _run_of(self, seq: int) -> Run | None:
        at = bisect.bisect_right(self._firsts, seq) - 1
        if at >= 0 and self.runs[at][1] >= seq:
            return self.runs[at]
        return None

    def held(self, seq: int) -> bool:
        return self._run_of(seq) is not None

    def skip(self, cursor: int) -> int:
        """``cursor`` moved past the held run that follows it, if any (the
        next revision read is then one the server does not hold, or the run
        after a gap of numbers)."""
        run = self._run_of(cursor + 1)
        return run[1] if run is not None else cursor


def forget_below(vault: Vault, cursor: int) -> None:
    """Runs at or below the acknowledged revision cursor are never read
    again: drop them (the value stays small)."""

    def change(text: str | None) -> str | None:
        runs = _runs(text)
        kept = [(max(first, cursor + 1), last) for first, last in runs if last > cursor]
        return None if kept == runs else _text(kept)

    if _runs(SyncClientState.of(vault).value(HELD_REVISIONS)):
        SyncClientState.of(vault).update_value(HELD_REVISIONS, change)


def hold_delivered(vault: Vault) -> list[str]:
    """This coordinator's bundles to coordinators whose checked receipt is
    recorded and that are not acknowledged yet: the server holds them, so
    they count as acknowledged (cursors and evidence bytes). Run after each
    delivery and before the next bundle is made, so that a kill between the
    receipt and this leaves nothing carried twice. Returns their ids."""
    state = SyncClientState.of(vault)
    held = []
    for sent in vault.sync.sent_bundles():
        if sent.addressee is not None or sent.acked_ms is not None:
            continue  # a send-back (no contents to acknowledge), or done
        delivery = state.delivery(sent.bundle_id)
        if delivery is not None and delivery.delivered:
            vault.sync.acknowledge_bundle(sent.bundle_id, vault.device_id)
            held.append(sent.bundle_id)
    forget_below(vault, vault.sync.outgoing().acked_revision_seq)
    return held


# -- bundles of other devices that came by USB, relayed through the server ---------

RELAY_QUEUE = "relay_queue"  # bundle id -> {"device_id", "sequence", "run", "blobs"}


@dataclass(frozen=True)
class Relay:
    """A bundle of another device this coordinator imported from a USB
    stick, waiting to be uploaded to the organisation's server as it is
    (signed by its maker), so that the other coordinators pull it there."""

    bundle_id: str
    device_id: str
    sequence: int
    path: Path


def relay_folder(vault: Vault) -> Path:
    """Inside the spool: the relayed files, ciphertext as received (a panic
    wipe removes them with the spool, db/vault.py)."""
    return vault.folder / SYNC_SPOOL_DIR / SYNC_RELAY_DIR


def every_coordinator_reads(profile: Profile | None, header: BundleHeader) -> bool:
    """Was the bundle encrypted to every coordinator of the newest profile
    this vault holds? Its header names the profile version whose
    coordinators it was encrypted to (every writer takes the recipients and
    the version from one profile; the header is signed by its maker), and
    the profile says since which version its coordinators — device ids and
    age recipients — are the same (``coordinators_since``, signed by the
    organisation key; docs/org-profile.md §1): every version from there to
    this one had exactly these coordinators. Made under one of them (or a
    newer one the maker holds), yes: a worker that has not yet taken a
    revocation, a new server or a policy still reaches every desk. Made
    under an older one (before a desk was added, or a coordinator's
    recipient changed), a current coordinator may be no recipient, so its
    contents are neither held by the organisation nor relayed: they travel
    in this coordinator's own bundle (docs/sync.md §2.3). A profile that
    predates the member counts its own version (the rule before it).

    Only the version the header names decides, never the profile its maker
    holds now: a worker that took the newest profile after making the
    bundle (one waiting in its spool, or on a stick) names the version it
    made it under, whose coordinators are its recipients. A header naming a
    version older than the profile its recipients came from is harmless:
    at or after ``coordinators_since`` both had these coordinators, and
    before it the bundle is not held (it travels again, as before). What no
    reader can see is a payload encrypted to fewer recipients than the
    version named (age stanzas do not name them): that would be a maker
    lying in its own signed header, which the rule before trusted as
    much."""
    return profile is not None and header.profile_version >= profile.coordinators_since


def relay_wanted(vault: Vault, profile: Profile | None, header: BundleHeader) -> bool:
    """Is a bundle imported from a USB stick one to relay: this vault is a
    coordinator, the bundle is another device's and addressed to nobody, and
    the profile names a coordinator besides this one and the bundle's maker
    (someone the relay reaches), and every coordinator can read it
    (``every_coordinator_reads``)?"""
    return (
        every_coordinator_reads(profile, header)
        and profile is not None
        and profile.coordinator(vault.device_id) is not None
        and any(c.device_id not in (vault.device_id, header.device_id) for c in profile.coordinators)
        and header.device_id != vault.device_id
        and header.addressee is None
    )


def _queue(text: str | None) -> dict[str, Any]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def queue_relay(unit: VaultImport, header: BundleHeader, bundle_id: str, blobs: Iterable[str]) -> None:
    """Queue the bundle being imported for relay, with the run of numbers
    its revisions took and its evidence bytes: held by the organisation once
    the server's receipt of the relay is recorded (``relayed``)."""
    stored = unit.stored_revision_seqs()
    entry = {
        "device_id": header.device_id,
        "sequence": header.sequence,
        "run": list(stored) if stored is not None else None,
        "blobs": sorted(set(blobs)),
    }

    def add(text: str | None) -> str:
        queue = _queue(text)
        queue[bundle_id] = entry
        return json.dumps(queue, sort_keys=True)

    unit.update_client_value(RELAY_QUEUE, add)


def stage_relay_file(vault: Vault, source: Path, bundle_id: str) -> Path | None:
    """Copy the stick's file into the relay folder *before* the import
    (temp name, fsync), which then reads the copy: the bytes relayed are
    the bytes imported, whatever a second read of the stick would give (a
    network share, a stick's firmware). None when the copy fails (a full
    disk): the bundle is then not relayed, and what it brings travels in
    this coordinator's own bundle (not held by the organisation)."""
    folder = relay_folder(vault)
    temp = folder / f".{bundle_id}.fvbundle.part"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # A FIFO swapped in after the header's check is refused, not waited on.
        with open_regular(source) as src, temp.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        return None
    return temp


def keep_relay_file(vault: Vault, staged: Path, bundle_id: str) -> None:
    """The import that queued the relay committed: its staged copy becomes
    the relay's file. A failure (or a kill before this) leaves the entry
    without its file: the next push sets it aside, and what the bundle
    brought travels in this coordinator's own bundle."""
    with contextlib.suppress(OSError):
        staged.replace(relay_folder(vault) / f"{bundle_id}.fvbundle")


def relays(vault: Vault) -> list[Relay]:
    """The bundles queued for relay, oldest number first by device."""
    queue = _queue(SyncClientState.of(vault).value(RELAY_QUEUE))
    found = [
        Relay(
            bundle_id,
            str(entry["device_id"]),
            int(entry["sequence"]),
            relay_folder(vault) / f"{bundle_id}.fvbundle",
        )
        for bundle_id, entry in queue.items()
    ]
    return sorted(found, key=lambda r: (r.device_id, r.sequence))


def relayed(vault: Vault, bundle_id: str) -> None:
    """The server's checked receipt of the relayed bundle is recorded: what
    it brought is held by the organisation (its run of numbers and its
    evidence bytes); the entry and the file go."""
    _hold(vault, bundle_id)


def withhold_relay(vault: Vault, bundle_id: str) -> None:
    """The server refused the relay because the organisation revoked its
    maker since the import (``bundle-device-revoked``): the other desks
    take none of that device's revisions any more (in a desk's bundle they
    are left out at import, docs/bundle-format.md §5 step 11). What it
    brought stays in this vault and is left out of the desk's bundles, as
    if held (not carried only to be left out); the entry and the file go."""
    _hold(vault, bundle_id)


def _hold(vault: Vault, bundle_id: str) -> None:
    state = SyncClientState.of(vault)
    entry = _queue(state.value(RELAY_QUEUE)).get(bundle_id)
    if entry is not None:
        if entry.get("run"):
            first, last = entry["run"]
            state.update_value(HELD_REVISIONS, lambda text: _text(_merged([*_runs(text), (first, last)])))
        vault.sync.acknowledge(blobs=entry.get("blobs") or ())
    forget_relay(vault, bundle_id)


def forget_relay(vault: Vault, bundle_id: str) -> None:
    """Drop a relay (delivered, refused by the server, or its file lost):
    what it brought and is not held travels in this coordinator's own bundle."""

    def drop(text: str | None) -> str | None:
        queue = _queue(text)
        if queue.pop(bundle_id, None) is None:
            return None
        return json.dumps(queue, sort_keys=True)

    SyncClientState.of(vault).update_value(RELAY_QUEUE, drop)
    (relay_folder(vault) / f"{bundle_id}.fvbundle").unlink(missing_ok=True)
