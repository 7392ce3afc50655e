"""A history hand-over checked against the workers' own signed manifests
(issue 14, review 17 D2; docs/bundle-format.md §10 "Completeness against the
workers' signatures", docs/threat-model.md §2.8).

``received`` names a worker's bundles, not their revisions: a maker could
leave a testimony out of the hand-over (and out of ``decisions``), and the
new desk, which counts that bundle as received, would never read it. So:

- every coordinator desk keeps, at import, the inner manifest a **field**
  device signed for its bundle (``keep_from_bundle``; db/worker_manifests.py,
  migration 0026): its ``revisions`` list names every revision the bundle
  carried, under the worker's signature. A desk's own bundles are the desk's
  word and prove nothing about a worker's, so none is kept for them;
- the hand-over carries it with that bundle's ``received`` entry
  (``with_worker_manifests``), within a budget of the last part's manifest;
- the new desk verifies each with the worker's key (``check_carried``): a
  manifest that does not verify, or does not bind to its entry, is recorded
  as unverifiable and never trusted; of a verified one, each revision id it
  names that the hand-over did not carry and nothing here explains (stored,
  parked, left out by this desk's rules, or named by a desk's ``decisions``)
  is recorded as missing, naming the maker; so is each evidence file it
  names (``blobs``: SHA-256 and items) whose bytes this desk does not
  store once the hand-over's own files are in (``missing-file``, review 21
  "Bytes-only drop": a maker that carried the record and dropped the
  bytes). Listed (``fieldvault devices parked``, the Devices view), never
  stored, never refused on. A verified one's ``reads`` (§4) is kept as what
  the worker reads when its bundle is the worker's newest here, for a
  re-root's check (``VaultImport.declare_reads``; session 19, H8);
- an entry of a field device's bundle that comes without a manifest is
  checked against the one this desk keeps of that bundle, if any; else it
  is recorded as unchecked, naming the maker. The new desk cannot tell a
  bundle the maker imported before migration 0026, or left out over the
  budget, from one whose manifest a compromised maker stripped because it
  dropped that bundle's revisions: silence would let it defeat the check,
  so "not checked" is shown, whatever the reason. A coordinator's entry
  is not: one of the profile held here, or of a removed desk within the
  numbers of its bundles this desk read itself as a coordinator's
  (``DESK_BUNDLES_READ``: the profile no longer says it was one).

Ids and counts only in logs; the manifests name ids and hashes, never content."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from db.api import Unaccounted, Vault, VaultImport, kept_manifest_sizes, kept_manifests
from sync.bundle.errors import BundleRejected
from sync.bundle.format import (
    MANIFEST_DOMAIN,
    MANIFEST_NAME,
    MEMBER_LIMITS,
    Manifest,
    ReceivedEntry,
    parse_manifest,
)
from sync.org import Profile

log = logging.getLogger(__name__)

# At most this many bytes of kept manifests (and signatures, before base64)
# go in one hand-over's last part, whose whole manifest a reader takes only
# up to 64 MiB (§3). A module constant, so that a test lowers it.
MAX_CARRIED_MANIFEST_BYTES = 24 * 2**20
# What the rest of the last part's manifest takes, near enough to keep it
# under the reader's limit (format.py's measures: ~70 bytes a revision id or
# custody line, ~170 a decision, ~260 a ``received`` entry, ~200 a file or a
# vouched device), and what is left spare.
_LINE, _DECISION, _ENTRY, _OTHER = 70, 170, 260, 200
_SPARE = 2**20


def _encoded(n: int) -> int:
    return 4 * ((n + 2) // 3)


def is_field_device(profile: Profile | None, own_id: str, device_id: str) -> bool:
    """A field device's bundle (not this desk's, not a coordinator's): its
    manifest is the worker's own word on what it sent."""
    return device_id != own_id and (profile is None or profile.coordinator(device_id) is None)


# Sync client value: device id -> [first, last] of the numbers of its bundles
# this desk read itself while the device was a coordinator of its profile
# (JSON). A desk's bundle carries no worker's manifest; once the profile no
# longer names the desk (removed), this is what still tells its bundles from
# a field worker's whose manifest a maker left out (``check_carried``).
DESK_BUNDLES_READ = "hand_over_desk_bundles_read"


def _desk_runs(text: str | None) -> dict[str, list[int]]:
    """The value's runs; one not of its form counts as none (then an entry
    shows unchecked: the alarm, never silence)."""
    try:
        runs = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(runs, dict):
        return {}
    return {
        str(device): run
        for device, run in runs.items()
        if isinstance(run, list) and len(run) == 2 and all(type(n) is int for n in run)
    }


def _with_desk_bundle(text: str | None, device_id: str, sequence: int) -> str | None:
    """The value with ``sequence`` of ``device_id`` inside its run (None: unchanged)."""
    runs = _desk_runs(text)
    first, last = runs.get(device_id, [sequence, sequence])
    run = [min(first, sequence), max(last, sequence)]
    if runs.get(device_id) == run:
        return None
    runs[device_id] = run
    return json.dumps(runs, sort_keys=True, separators=(",", ":"))


def keep_from_bundle(
    unit: VaultImport,
    profile: Profile | None,
    own_id: str,
    bundle_id: str,
    device_id: str,
    sequence: int,
    manifest: bytes,
    signature: bytes,
) -> None:
    """At a coordinator desk, keep a field device's signed manifest with its
    bundle, in the import's transaction (the reader checked its signature);
    of another coordinator's bundle, note its number (``DESK_BUNDLES_READ``)."""
    if profile is None or profile.coordinator(own_id) is None or device_id == own_id:
        return
    if profile.coordinator(device_id) is not None:
        unit.update_client_value(DESK_BUNDLES_READ, lambda text: _with_desk_bundle(text, device_id, sequence))
        return
    if manifest and signature:
        unit.keep_worker_manifest(bundle_id, device_id, sequence, manifest, signature)


@dataclass(frozen=True)
class CarriedManifests:
    """The ``received`` entries with the manifests that fit, and how many of
    the field devices' bundles went with one and without (kept here, past
    the budget; bundles imported before migration 0026 have none)."""

    entries: list[ReceivedEntry]
    carried: int
    not_carried: int  # kept here, left out for the budget


def last_part_budget(
    *, lines: int, decisions: int, entries: int, others: int, limit: int | None = None
) -> int:
    """The bytes of kept manifests (raw, before base64) the last part's
    manifest has room for: its limit less what the rest of it takes, at
    most MAX_CARRIED_MANIFEST_BYTES."""
    limit = MEMBER_LIMITS[MANIFEST_NAME] if limit is None else limit
    rest = lines * _LINE + decisions * _DECISION + entries * _ENTRY + others * _OTHER + _SPARE
    room = (limit - rest) * 3 // 4  # base64 makes 4 bytes of 3
    return max(0, min(MAX_CARRIED_MANIFEST_BYTES, room))


def with_worker_manifests(
    vault: Vault, profile: Profile, entries: Sequence[ReceivedEntry], budget: int
) -> CarriedManifests:
    """Each field device's entry with the manifest kept of its bundle, the
    most recently kept first while they fit in ``budget`` bytes; the rest go
    without one (the new desk cannot check those bundles, as it cannot
    check one imported before migration 0026)."""
    field = {e.bundle_id for e in entries if is_field_device(profile, vault.device_id, e.device_id)}
    chosen: set[str] = set()
    used = 0
    not_carried = 0
    for kept in kept_manifest_sizes(vault, field):
        cost = kept.size + 64  # the member's names and quotes
        if used + cost > budget:
            not_carried += 1
            continue
        chosen.add(kept.bundle_id)
        used += cost
    manifests = kept_manifests(vault, chosen)
    out = [
        replace(e, worker_manifest=manifests[e.bundle_id]) if e.bundle_id in manifests else e for e in entries
    ]
    if not_carried:
        log.warning(
            "hand-over: %d worker manifest(s) left out past the budget of %d bytes (%d carried)",
            not_carried,
            budget,
            len(manifests),
        )
    return CarriedManifests(out, len(manifests), not_carried)


def verified_revisions(entry: ReceivedEntry, key: bytes, org_id: str) -> tuple[str, ...] | None:
    """The revision ids the worker's carried manifest names (``verified_manifest``)."""
    manifest = verified_manifest(entry, key, org_id)
    return manifest.revisions if manifest is not None else None


def verified_manifest(entry: ReceivedEntry, key: bytes, org_id: str) -> Manifest | None:
    """The worker's carried manifest, when it is a manifest (§4's form),
    verifies with ``key`` (the worker's) and binds to the entry (the
    organisation, the device, the number, and ``previous`` where the entry
    has one); else None: never trusted."""
    assert entry.worker_manifest is not None
    data, signature = entry.worker_manifest
    try:
        manifest = parse_manifest(data)
        Ed25519PublicKey.from_public_bytes(key).verify(signature, MANIFEST_DOMAIN + data)
    except (BundleRejected, InvalidSignature, ValueError):
        return None
    binding = manifest.binding
    if (
        binding.get("org_id") != org_id
        or binding.get("device_id") != entry.device_id
        or binding.get("sequence") != entry.sequence
        or isinstance(binding.get("sequence"), bool)
        or (entry.previous is not None and binding.get("previous") != entry.previous)
    ):
        return None
    return manifest


@dataclass(frozen=True)
class CheckedManifests:
    """What a hand-over's check found (counts; the rows are in the vault)."""

    verified: int = 0
    unverifiable: int = 0
    missing: int = 0
    unchecked: int = 0  # field devices' entries without a manifest, none kept here
    missing_files: int = 0  # (file, item) pairs named, not carried, not stored here


def _not_handed_over(
    unit: VaultImport, entry: ReceivedEntry, named: Manifest, carried: Collection[str]
) -> list[Unaccounted]:
    """What a verified manifest names that did not come and nothing here
    explains: its revisions (``missing``), then its evidence files whose
    bytes this desk does not store (``missing-file``, one a file and item:
    the hand-over's own files were stored before the check, so a file it
    carried is never one)."""
    found = [
        Unaccounted(entry.device_id, entry.bundle_id, entry.sequence, "missing", revision_id)
        for revision_id in unit.unexplained(r for r in named.revisions if r not in carried)
    ]
    files = ((blob.sha256, item) for blob in named.blobs for item in blob.evidence_ids)
    found += [
        Unaccounted(
            entry.device_id, entry.bundle_id, entry.sequence, "missing-file", sha256=sha, evidence_id=item
        )
        for sha, item in unit.files_not_held(files)
    ]
    return found


def check_carried(
    unit: VaultImport,
    *,
    maker_id: str,
    hand_over_id: str,
    org_id: str,
    entries: Sequence[ReceivedEntry],
    skip: Collection[str],
    carried: Collection[str],
    profile: Profile | None,
) -> CheckedManifests:
    """At the new desk, inside the hand-over's import and after its
    revisions, ``received`` and ``decisions`` are in: verify each carried
    manifest with the worker's key and record what it names that nothing
    explains. ``skip``: devices whose entries this desk does not record
    (its own, revoked here); ``carried``: the revision ids this bundle
    carried. A device unknown here (no key) is skipped too, as its entry is.
    A field device's entry without a manifest is checked against the one
    kept here of that bundle, else recorded ``unchecked`` (``profile``
    tells a field device from a coordinator, whose bundles carry none)."""
    found: list[Unaccounted] = []
    verified = unverifiable = 0
    desk_runs: dict[str, list[int]] | None = None  # read at the first entry that needs it
    for entry in entries:
        if entry.device_id in skip:
            continue
        key = unit.device_key(entry.device_id)
        if key is None:
            continue
        if entry.worker_manifest is None:
            if profile is not None and profile.coordinator(entry.device_id) is not None:
                continue  # a desk's own bundles: no worker's manifest to carry
            kept = unit.kept_manifest(entry.bundle_id)
            named = verified_manifest(replace(entry, worker_manifest=kept), key, org_id) if kept else None
            if named is None:
                if kept is None:
                    if desk_runs is None:
                        desk_runs = _desk_runs(unit.update_client_value(DESK_BUNDLES_READ, lambda _: None))
                    first, last = desk_runs.get(entry.device_id, (0, -1))
                    if first <= entry.sequence <= last:
                        # A coordinator's bundle this desk read itself (a
                        # removed desk's: the profile no longer names it),
                        # not on the maker's word: no worker's manifest to carry.
                        continue
                # Not kept here (or, never expected, kept and not binding):
                # the maker's hand-over leaves this bundle unchecked.
                found.append(Unaccounted(entry.device_id, entry.bundle_id, entry.sequence, "unchecked"))
                continue
            verified += 1
            found += _not_handed_over(unit, entry, named, carried)
            continue
        named = verified_manifest(entry, key, org_id)
        if named is None:
            unverifiable += 1
            found.append(Unaccounted(entry.device_id, entry.bundle_id, entry.sequence, "unverifiable"))
            continue
        verified += 1
        data, signature = entry.worker_manifest
        # Kept here too, so that this desk's own hand-overs carry it on.
        unit.keep_worker_manifest(
            entry.bundle_id, entry.device_id, entry.sequence, data, signature, source=maker_id
        )
        # The worker's own word on what it reads (§4 ``reads``), for a
        # re-root's check (db/reroot.py), as its bundle's import here would
        # have kept it: only of the device's newest bundle recorded here.
        unit.declare_reads(entry.device_id, entry.bundle_id, named.revision_format_read)
        found += _not_handed_over(unit, entry, named, carried)
    missing = sum(f.problem == "missing" for f in found)
    missing_files = sum(f.problem == "missing-file" for f in found)
    unchecked = sum(f.problem == "unchecked" for f in found)
    if found:
        unit.record_unaccounted(maker_id, hand_over_id, found)
        # Ids and counts only.
        log.warning(
            "hand-over %s from desk %s: %d revision(s) the workers' manifests name did not come and "
            "nothing here explains them; %d evidence file(s) they name did not come and are not "
            "stored here; %d manifest(s) did not verify; %d field bundle(s) came without one and "
            "went unchecked",
            hand_over_id,
            maker_id,
            missing,
            missing_files,
            unverifiable,
            unchecked,
        )
    return CheckedManifests(verified, unverifiable, missing, unchecked, missing_files)


__all__ = [
    "MAX_CARRIED_MANIFEST_BYTES",
    "CarriedManifests",
    "CheckedManifests",
    "check_carried",
    "is_field_device",
    "keep_from_bundle",
    "last_part_budget",
    "verified_manifest",
    "verified_revisions",
    "with_worker_manifests",
]
