"""The history hand-over through the server (docs/bundle-format.md §10,
docs/sync.md §2.3): the desk that holds the organisation key — the one
that adds coordinators — hands its history over to each coordinator it
sees added, in its next sync round, through the new desk's inbox.

Which coordinators are new is judged against the coordinators this desk
saw at its earlier rounds (``HAND_OVER_STATE`` in ``sync_client_values``):
at the first round that runs this code the current ones are only noted,
so a desk added before then gets no automatic hand-over (``fieldvault org
hand-over`` by USB covers it). Only the key desk hands over automatically:
the organisation's other desks would each send the new desk their whole
vault again.

The bundle (sync/bundle/hand_over.py) — or its bundles, when the history
is split over several with consecutive numbers — is written into the spool
and delivered by the push machinery as a send-back is (``deliver_only``,
oldest first): the server files each in the new desk's inbox, since its
header names that desk, and the inbox takes them in that order (a part
whose part before is missing is refused there, ``hand-over-part``, and
tried again as any refused inbox entry). A split hand-over is watched by
its last part: it is taken only after every part before it.
It is noted as made before the upload, so a failed upload stays queued in
the spool and goes with the next push, not made again meanwhile. A series
a kill cut short while it was written is never delivered: the next round
removes its parts and makes it again (sync/client/hand_over_unfinished.py).
The new desk takes it from its inbox at the start of its round,
before its pull (sync/client/worker.py), so that the workers' earlier
bundles in the feed are replays and their next bundles follow.

A hand-over counts as done only once the new desk took it: its inbox
acknowledges what it imported, and the server then says so to the maker
(``GET /v1/sent-back``, ``taken_ms``). Until then it is watched: a new
desk that refused it (a case no fix foresaw, a revocation in flight) or
set it aside after its inbox's attempts stays cut off from every worker
with history, so the key desk makes a fresh one — from its vault and
profile as they are then — when its profile changed since the last one
was made (the likeliest cause of a refusal, and what a fresh one
reflects) or REMAKE_AFTER_MS after it. At most MAX_REMAKES times; after
that each round reports it as left to a person (``org hand-over`` by
USB). Extra hand-overs cost upload, never harm: one taken after another
is a replay of what it holds. A desk that left the profile is forgotten:
added again later, it is handed over to afresh."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from db.api import CancelToken, SyncClientState, Vault
from sync.bundle.hand_over import HandOverPart, hand_over
from sync.client.connection import TIMEOUT, chosen_proxy, session
from sync.client.errors import SyncFailed
from sync.client.hand_over_unfinished import HAND_OVER_STATE, drop_unfinished
from sync.client.push import push, spool_dir
from sync.client.retry import Backoff
from sync.org_vault import held_profile

# {"seen": [coordinator device ids at the last round], "made": {device id: bundle id},
#  "watch": {device id: {"bundle_ids": [every hand-over made for it], "file", "made_ms",
#            "version": the profile version it was made from, "remakes",
#            "parts": [bundle ids], "files": [names]}}}
# A hand-over split over several bundles (sync/bundle/hand_over.py) is known
# by its LAST part, in "made", "bundle_ids" and "file": taken only after every
# part before it, its taking is the series'. "parts" and "files" list the
# latest series, every part of which must be delivered before it counts as sent.
# "unfinished": {device id: {"parts", "files"}}: a series being written, noted
# part by part, gone with the write that saves its watch
# (sync/client/hand_over_unfinished.py: a kill -9 meanwhile).
REMAKE_AFTER_MS = 24 * 60 * 60 * 1000
MAX_REMAKES = 3
WAITING, REMADE, BY_HAND = "waiting", "remade", "by-hand"
_ASK_AT_ONCE = 100  # the server answers about at most this many ids per request


@dataclass(frozen=True)
class UntakenHandOver:
    """A hand-over the new desk has not taken (yet), as this round left it."""

    device_id: str  # the new desk's
    bundle_id: str  # the latest made for it
    made_ms: int
    remakes: int  # fresh ones made after the first
    action: str  # WAITING, REMADE (a fresh one now), BY_HAND (no more: USB)

    def to_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "bundle_id": self.bundle_id,
            "made_ms": self.made_ms,
            "remakes": self.remakes,
            "action": self.action,
        }


@dataclass
class HandOverResult:
    made: list[tuple[str, str]] = field(default_factory=list)  # (new desk, bundle id) made in this run
    sent: list[str] = field(default_factory=list)  # bundle ids delivered in this run
    taken: list[tuple[str, str]] = field(default_factory=list)  # (new desk, bundle id) taken, known now
    untaken: list[UntakenHandOver] = field(default_factory=list)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _state(vault: Vault) -> dict[str, Any]:
    text = SyncClientState.of(vault).value(HAND_OVER_STATE)
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def _save(vault: Vault, value: dict[str, Any]) -> None:
    SyncClientState.of(vault).set_value(HAND_OVER_STATE, json.dumps(value, sort_keys=True))


def _other_coordinators(vault: Vault) -> list[str] | None:
    """The profile's other coordinators, not revoked, when this vault is the
    coordinator desk holding the organisation key; else None."""
    profile = held_profile(vault)
    if profile is None or profile.coordinator(vault.device_id) is None:
        return None
    if vault.vault_keys.org_signing_key() is None:
        return None
    return sorted(
        c.device_id
        for c in profile.coordinators
        if c.device_id != vault.device_id and c.device_id not in profile.revoked
    )


def _profile_version(vault: Vault) -> int:
    profile = held_profile(vault)
    return profile.version if profile is not None else 0


def hand_overs_due(vault: Vault) -> list[str]:
    """The coordinators added since this desk's last round that it has not
    handed over to. The first call only notes the current coordinators."""
    current = _other_coordinators(vault)
    if current is None:
        return []
    value = _state(vault)
    if not isinstance(value.get("seen"), list):
        _save(vault, {"seen": current, "made": {}})
        return []
    seen, made = set(value["seen"]), value.get("made", {})
    return [d for d in current if d not in seen and d not in made]


def untaken_hand_overs(vault: Vault) -> list[tuple[str, str]]:
    """(new desk, latest bundle id) of every hand-over not known to be
    taken yet, as the last round left the record."""
    watch = _state(vault).get("watch", {})
    return sorted((desk, item["bundle_ids"][-1]) for desk, item in watch.items())


def _make(vault: Vault, device_id: str, cancel: CancelToken | None, now: int, remakes: int) -> str:
    def note(part: HandOverPart) -> None:
        # Before the part is recorded as made (hand_over's on_made): a kill
        # at any point leaves a recorded part known as unfinished, never
        # delivered (sync/client/hand_over_unfinished.py, review 18 R3).
        value = _state(vault)
        series = value.setdefault("unfinished", {}).setdefault(device_id, {"parts": [], "files": []})
        series["parts"].append(part.bundle_id)
        series["files"].append(part.path.name)
        _save(vault, value)

    made = hand_over(vault, spool_dir(vault), device_id, cancel=cancel, on_made=note)
    value = _state(vault)
    unfinished = value.get("unfinished", {})
    unfinished.pop(device_id, None)
    if not unfinished:
        value.pop("unfinished", None)
    value.setdefault("made", {})[device_id] = made.bundle_id
    earlier = value.get("watch", {}).get(device_id, {}).get("bundle_ids", [])
    value.setdefault("watch", {})[device_id] = {
        "bundle_ids": [*earlier, made.bundle_id],
        "file": made.path.name,
        "parts": [part.bundle_id for part in made.parts],
        "files": [part.path.name for part in made.parts],
        "made_ms": now,
        "version": _profile_version(vault),
        "remakes": remakes,
    }
    _save(vault, value)  # before the upload: a kill leaves it queued, not made twice
    return made.bundle_id


def _taken(
    vault: Vault, bundle_ids: list[str], proxy: str | None, timeout: float | httpx.Timeout
) -> set[str]:
    """Of ``bundle_ids``, those the server says their addressee took."""
    taken: set[str] = set()
    with session(vault, proxy=proxy, timeout=timeout) as client:
        for start in range(0, len(bundle_ids), _ASK_AT_ONCE):
            ids = bundle_ids[start : start + _ASK_AT_ONCE]
            answer = client.request("GET", "/v1/sent-back", params={"ids": ids}).json()
            taken |= {i["bundle_id"] for i in answer["bundles"] if i["bundle_id"] in ids and i["taken_ms"]}
    return taken


def _queued(state: SyncClientState, spool: Path, bundle_id: str, name: str) -> bool:
    """Is this bundle still waiting in the spool for its upload?"""
    delivery = state.delivery(bundle_id)
    return (delivery is None or not delivery.delivered) and (spool / name).is_file()


def _review(
    vault: Vault,
    result: HandOverResult,
    current: list[str],
    *,
    proxy: str | None,
    timeout: float | httpx.Timeout,
    now: int,
) -> list[tuple[str, int]]:
    """Forget the watched hand-overs the server says were taken (or whose
    desk left the profile); report the others. Returns the desks due a
    fresh one now, each with its remake count."""
    value = _state(vault)
    watch: dict[str, dict[str, Any]] = value.get("watch", {})
    if not watch:
        return []
    try:
        taken = _taken(
            vault, sorted({b for item in watch.values() for b in item["bundle_ids"]}), proxy, timeout
        )
    except SyncFailed as failure:
        if failure.code != "sync-refused" and not failure.transient:
            raise
        return []  # out of reach: nothing is known of what was taken, nothing is made again now
    state = SyncClientState.of(vault)
    version = _profile_version(vault)
    due: list[tuple[str, int]] = []
    for desk, item in sorted(watch.items()):
        latest = item["bundle_ids"][-1]
        if desk not in current or taken & set(item["bundle_ids"]):
            del watch[desk]
            if desk in current:
                result.taken.append((desk, next(b for b in reversed(item["bundle_ids"]) if b in taken)))
            continue
        queued = any(
            _queued(state, spool_dir(vault), bundle_id, name)
            # (a record from before the split: the one bundle)
            for bundle_id, name in zip(
                item.get("parts", [latest]), item.get("files", [item["file"]]), strict=False
            )
        )
        stale = version > item["version"] or now - item["made_ms"] >= REMAKE_AFTER_MS
        if queued or not stale:
            action = WAITING  # not delivered yet (it goes with the push), or not given its time
        elif item["remakes"] >= MAX_REMAKES:
            action = BY_HAND
        else:
            action = REMADE
            due.append((desk, item["remakes"] + 1))
        result.untaken.append(UntakenHandOver(desk, latest, item["made_ms"], item["remakes"], action))
    _save(vault, value | {"watch": watch})
    return due


def hand_over_over_server(
    vault: Vault,
    *,
    proxy: str | bool | None = True,
    backoff: Backoff | None = None,
    timeout: float | httpx.Timeout = TIMEOUT,
    cancel: CancelToken | None = None,
    now_ms: Callable[[], int] = _now_ms,
) -> HandOverResult:
    """Make the hand-over of each coordinator added since the last round,
    and a fresh one for each desk that has not taken its hand-over when it
    is due again, into the spool and deliver them (and whatever else is
    queued). Raises SyncFailed when the upload stops: the bundles stay
    queued."""
    result = HandOverResult()
    # A series a kill cut short: its parts not delivered go; it is made again below.
    drop_unfinished(vault)
    current = _other_coordinators(vault)
    now = now_ms()
    if current is not None:
        again = _review(vault, result, current, proxy=chosen_proxy(vault, proxy), timeout=timeout, now=now)
        for device_id, remakes in again:
            result.made.append((device_id, _make(vault, device_id, cancel, now, remakes)))
    for device_id in hand_overs_due(vault):
        made = _make(vault, device_id, cancel, now, 0)
        result.made.append((device_id, made))
        result.untaken.append(UntakenHandOver(device_id, made, now, 0, WAITING))
    if current is not None:
        value = _state(vault)
        made, watch = value.get("made", {}), value.get("watch", {})
        gone = (set(made) | set(watch)) - set(current)
        if isinstance(value.get("seen"), list) and (sorted(value["seen"]) != current or gone):
            # A coordinator removed (forgotten: added again later, it is a
            # new desk that gets a fresh hand-over), or handed over to.
            kept = {d: b for d, b in made.items() if d in current}
            _save(
                vault,
                value
                | {"seen": current, "made": kept, "watch": {d: watch[d] for d in watch if d in current}},
            )
    if result.made:
        pushed = push(vault, proxy=proxy, backoff=backoff, timeout=timeout, cancel=cancel, deliver_only=True)
        result.sent = list(pushed.sent)
    return result


__all__ = [
    "BY_HAND",
    "HAND_OVER_STATE",
    "MAX_REMAKES",
    "REMADE",
    "REMAKE_AFTER_MS",
    "WAITING",
    "HandOverResult",
    "UntakenHandOver",
    "hand_over_over_server",
    "hand_overs_due",
    "untaken_hand_overs",
]
