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

A series is never left to hold them for good (review 18 R1): it ends with
the last part of its maker's series, with any complete hand-over (the last
part of a series, or a hand-over in one bundle) from any coordinator, since
that brings the chains and ``received`` it vouches for; and it no longer
counts once the profile held here revokes its maker or lists it as a
coordinator no more (a withheld or lost part is never coming). Until then a
coordinator who compares the worker's verification code may approve a held
bundle past the hold (quarantine.py ``approve_bundle``: a deliberate human
act; the import's own checks still apply). The hold has its own reason,
``hand-over-incomplete``, naming the maker and the part taken.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.api import HeldBundle, SyncClientState, Vault
from sync.bundle.admission import HAND_OVER_INCOMPLETE, BundleQuarantined
from sync.bundle.format import BundleHeader
from sync.org import Profile
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
    the last part, or a hand-over in one bundle (``part`` empty), is a
    complete hand-over and ends every series: it brings the chains and
    ``received`` of the devices it vouches for (review 18 R1), and a series
    waiting on a maker that never finishes must not hold them for good."""
    if not part or part[0] >= part[1]:
        return "{}"  # (None would keep the old value)
    value = _parse(text)
    value[maker] = {"part": part[0], "of": part[1], "bundle_id": bundle_id, "devices": sorted(devices)}
    return json.dumps(value, sort_keys=True)  # "{}" when none is left (None would keep the old)


@dataclass(frozen=True)
class SeriesInFlight:
    """A maker's hand-over series taken here up to ``part`` of ``of``."""

    maker: str  # the coordinator desk's device id
    part: int
    of: int
    devices: frozenset[str]


def _maker_counts(profile: Profile | None, maker: str) -> bool:
    # A revoked maker, or one a newer profile lists as a coordinator no
    # more, sends no further part (review 18 R1). With no profile held
    # there is nothing to judge by: the series counts.
    return profile is None or (maker not in profile.revoked and profile.coordinator(maker) is not None)


def series_in_flight(vault: Vault) -> list[SeriesInFlight]:
    """The hand-over series taken in part here whose maker is still a
    coordinator of the held profile, not revoked."""
    value = _parse(SyncClientState.of(vault).value(IN_FLIGHT))
    if not value:
        # Asked at every import: the held profile's parse and signature
        # check (~1.5 ms) only when a series is in flight.
        return []
    profile = held_profile(vault)
    found = []
    for maker, series in sorted(value.items()):
        if not isinstance(series, dict) or not _maker_counts(profile, maker):
            continue
        devices = series.get("devices")
        part, of = series.get("part"), series.get("of")
        found.append(
            SeriesInFlight(
                maker,
                part if isinstance(part, int) else 0,
                of if isinstance(of, int) else 0,
                frozenset(d for d in devices if isinstance(d, str))
                if isinstance(devices, list)
                else frozenset(),
            )
        )
    return found


def devices_awaiting(vault: Vault) -> frozenset[str]:
    """The field devices named by a hand-over series taken in part here
    (of a maker still a coordinator, not revoked)."""
    return frozenset(device for series in series_in_flight(vault) for device in series.devices)


def awaited_series(vault: Vault, device_id: str) -> SeriesInFlight | None:
    """The series in flight that ``device_id``'s bundles wait for (its
    bundles are held in quarantine until it is complete or ends), or None:
    none names it, or it is a coordinator (never held)."""
    series = next((s for s in series_in_flight(vault) if device_id in s.devices), None)
    if series is None:
        return None
    profile = held_profile(vault)
    return series if profile is None or profile.coordinator(device_id) is None else None


def awaits_hand_over(vault: Vault, device_id: str) -> bool:
    """Is ``device_id`` a field device a hand-over taken in part names (its
    bundles wait in quarantine until the series is complete)?"""
    return awaited_series(vault, device_id) is not None


def hold_until_handed_over(
    vault: Vault, header: BundleHeader, bundle_id: str, path: Path, *, record: bool
) -> BundleQuarantined:
    """Hold the bundle in quarantine (unless ``record`` is False: a dry run)
    with the reason ``hand-over-incomplete``; the BundleQuarantined to
    raise, naming the series' maker and the part taken."""
    series = awaited_series(vault, header.device_id)
    maker, part, of = (series.maker, series.part, series.of) if series is not None else ("", 0, 0)
    if record:
        vault.sync.hold_bundle(
            HeldBundle(
                bundle_id=bundle_id,
                device_id=header.device_id,
                device_key=header.device_key,
                age_recipient=None,
                sequence=header.sequence,
                reason=HAND_OVER_INCOMPLETE,
                token_id=None,
                path=str(path.absolute()),
                received_ms=time.time_ns() // 1_000_000,
            )
        )
    desk = vault.sync.device(maker) if maker else None  # its label names it, as the Devices view does
    return BundleQuarantined(
        HAND_OVER_INCOMPLETE,
        bundle_id,
        header.device_id,
        None,
        held=record,
        awaited=(maker, part, of),
        maker_label=desk.label if desk is not None else "",
    )


__all__ = [
    "IN_FLIGHT",
    "SeriesInFlight",
    "awaited_series",
    "awaits_hand_over",
    "devices_awaiting",
    "hold_until_handed_over",
    "note_part",
    "series_in_flight",
]
