"""A hand-over series the key desk did not finish writing (review 17 F3).

``hand_over`` records each part as made as soon as it is written, so that a
kill before the next part leaves its number counted, never used twice. A
kill -9 in the key desk's automatic hand-over (sync/client/hand_over_sync.py
``_make``) after parts 1..k left them in the spool, recorded, while the watch
was saved only once the whole series was written: the push delivered parts
of a series whose last part never comes, and the next round made a fresh one.
Now each part is noted under ``unfinished`` in the hand-over state once its
file is written and before it is recorded as made (so a kill never leaves a
recorded part un-noted, review 18 R3; one noted and not recorded has its
file removed all the same), and the note goes in the same write that saves
the finished series' watch. Until then the push does not send those parts (``unfinished_parts``);
the next round removes their spool files not delivered — this desk's own
files, written for that series — and makes the hand-over again
(``drop_unfinished``). A part already delivered is harmless: the new desk
holds the devices it names in quarantine until a complete series comes
(sync/bundle/hand_over_in_flight.py)."""

from __future__ import annotations

import json
from typing import Any

from db.api import SYNC_SPOOL_DIR, FieldvaultError, SyncClientState, Vault
from sync.bundle.reader import check_header

# The key desk's hand-over record (its layout: sync/client/hand_over_sync.py).
HAND_OVER_STATE = "hand_over_coordinators"


def _state(vault: Vault) -> dict[str, Any]:
    text = SyncClientState.of(vault).value(HAND_OVER_STATE)
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def unfinished_parts(vault: Vault) -> dict[str, str]:
    """Bundle id -> spool file name of every part of a series not finished."""
    unfinished = _state(vault).get("unfinished", {})
    return {
        bundle_id: name
        for series in unfinished.values()
        for bundle_id, name in zip(series.get("parts", []), series.get("files", []), strict=False)
    }


def drop_unfinished(vault: Vault) -> list[str]:
    """Remove the spool files not delivered of every unfinished series
    (each only if it is still that part: its header names its bundle id)
    and forget the series. Returns the bundle ids whose file was removed."""
    value = _state(vault)
    if not value.get("unfinished"):
        return []
    state = SyncClientState.of(vault)
    spool = vault.folder / SYNC_SPOOL_DIR
    removed = []
    for bundle_id, name in unfinished_parts(vault).items():
        delivery = state.delivery(bundle_id)
        path = spool / name
        if (delivery is not None and delivery.delivered) or not path.is_file() or path.is_symlink():
            continue
        try:
            same = check_header(path).bundle_id == bundle_id
        except (FieldvaultError, OSError):  # not a bundle we can read: not ours to remove
            same = False
        if same:
            path.unlink()
            removed.append(bundle_id)
    value.pop("unfinished")
    state.set_value(HAND_OVER_STATE, json.dumps(value, sort_keys=True))
    return removed


__all__ = ["HAND_OVER_STATE", "drop_unfinished", "unfinished_parts"]
