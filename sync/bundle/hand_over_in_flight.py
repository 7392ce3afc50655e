"""A split history hand-over taken in part (docs/bundle-format.md §10
"Size", review 17 F3): until its last part is taken, the new desk holds
the field devices it names in quarantine, as it did before any hand-over.

Why: each part vouches for the field devices (their revisions come in
storing order, from the first part, and only a vouch authorises them), but a
device's custody chain comes after every revision, and the bundles it
counts as received (``received``) only with the last part. A device's own
bundle imported in between was refused ``bundle-custody`` (its events start
after events not taken yet) or taken with a false gap alarm, and a pull
passes a refused bundle for good. No order of the parts closes that window:
a device's revisions need its vouch in the first part that carries one, and
a device not vouched for may not add chain events. So the reader closes it:
a part before the last notes its maker's series with the devices it vouches
for of which this desk took no bundle itself (``note_part``, in the import's
own transaction: kept if and only if the part is; a device whose bundles it
took goes on being taken, its chain here already); the last part (or a hand-over in one bundle) from that maker
ends it. Meanwhile those devices' bundles are held in quarantine
(``awaits_hand_over``), not refused, and not released (quarantine.py
``releasable``); once the series is complete the next release imports them,
after the chains and ``received`` they follow.

A series never completed (its maker killed while writing it, or a part lost)
keeps them held until a complete hand-over of that maker comes: the key
desk's next one through the server, or ``org hand-over`` by USB."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from db.api import HeldBundle, SyncClientState, Vault
from sync.bundle.admission import BundleQuarantined
from sync.bundle.format import BundleHeader
from sync.org_vault import held_profile

# {maker device id: {"part": number taken, "of": parts, "bundle_id": that part's, "devices": [ids]}}
IN_FLIGHT = "hand_over_parts_in_flight"


def _parse(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def note_part(text: str | None, maker: str, part: tuple[int, ...], bundle_id: str, devices: list[str]) -> str:
    """The new value of IN_FLIGHT after taking a hand-over bundle of
    ``maker``: a part before the last notes (or replaces) the maker's series;
    the last part, or a hand-over in one bundle (``part`` empty), ends it."""
    value = _parse(text)
    if part and part[0] < part[1]:
        value[maker] = {"part": part[0], "of": part[1], "bundle_id": bundle_id, "devices": sorted(devices)}
    else:
        value.pop(maker, None)
    return json.dumps(value, sort_keys=True)  # "{}" when none is left (None would keep the old)


def devices_awaiting(vault: Vault) -> frozenset[str]:
    """The field devices named by a hand-over series taken in part here."""
    value = _parse(SyncClientState.of(vault).value(IN_FLIGHT))
    return frozenset(
        device
        for series in value.values()
        if isinstance(series, dict) and isinstance(series.get("devices"), list)
        for device in series["devices"]
        if isinstance(device, str)
    )


def awaits_hand_over(vault: Vault, device_id: str) -> bool:
    """Is ``device_id`` a field device a hand-over taken in part names (its
    bundles wait in quarantine until the series is complete)?"""
    if device_id not in devices_awaiting(vault):
        return False
    profile = held_profile(vault)
    return profile is None or profile.coordinator(device_id) is None


def hold_until_handed_over(
    vault: Vault, header: BundleHeader, bundle_id: str, path: Path, *, record: bool
) -> BundleQuarantined:
    """Hold the bundle in quarantine (unless ``record`` is False: a dry run)
    as a bundle of a device not known here, which it was before any
    hand-over; the BundleQuarantined to raise."""
    if record:
        vault.sync.hold_bundle(
            HeldBundle(
                bundle_id=bundle_id,
                device_id=header.device_id,
                device_key=header.device_key,
                age_recipient=None,
                sequence=header.sequence,
                reason="device-unknown",
                token_id=None,
                path=str(path.absolute()),
                received_ms=time.time_ns() // 1_000_000,
            )
        )
    return BundleQuarantined("device-unknown", bundle_id, header.device_id, None, held=record)


__all__ = ["IN_FLIGHT", "awaits_hand_over", "devices_awaiting", "hold_until_handed_over", "note_part"]
