"""What a coordinator's vault knows the organisation's server holds
already, so that its own bundles to the other coordinators (docs/sync.md
§2.3) never upload it again.

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

What a coordinator took in by USB, its own work and what it pulled on a
replay of a bundle it had by USB already are in no run: they travel in its
next bundle. A field worker's vault records no run (its bundles carry what
the acknowledgements have not covered, as before)."""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable

from db.api import SyncClientState, Vault, VaultImport

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
