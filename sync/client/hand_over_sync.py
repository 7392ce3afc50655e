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

The bundle (sync/bundle/hand_over.py) is written into the spool and
delivered by the push machinery as a send-back is (``deliver_only``): the
server files it in the new desk's inbox, since its header names that desk.
It is noted as made before the upload, so a failed upload stays queued in
the spool and goes with the next push, and the desk is not handed over to
twice. The new desk takes it from its inbox at the start of its round,
before its pull (sync/client/worker.py), so that the workers' earlier
bundles in the feed are replays and their next bundles follow."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from db.api import CancelToken, SyncClientState, Vault
from sync.bundle.hand_over import hand_over
from sync.client.connection import TIMEOUT
from sync.client.push import push, spool_dir
from sync.client.retry import Backoff
from sync.org_vault import held_profile

# {"seen": [coordinator device ids at the last round], "made": {device id: bundle id}}
HAND_OVER_STATE = "hand_over_coordinators"


@dataclass
class HandOverResult:
    made: list[tuple[str, str]] = field(default_factory=list)  # (new desk, bundle id) made in this run
    sent: list[str] = field(default_factory=list)  # bundle ids delivered in this run


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


def hand_over_over_server(
    vault: Vault,
    *,
    proxy: str | bool | None = True,
    backoff: Backoff | None = None,
    timeout: float | httpx.Timeout = TIMEOUT,
    cancel: CancelToken | None = None,
) -> HandOverResult:
    """Make the hand-over of each coordinator added since the last round
    into the spool and deliver it (and whatever else is queued). Raises
    SyncFailed when the upload stops: the bundles stay queued."""
    result = HandOverResult()
    for device_id in hand_overs_due(vault):
        made = hand_over(vault, spool_dir(vault), device_id, cancel=cancel)
        value = _state(vault)
        value.setdefault("made", {})[device_id] = made.bundle_id
        _save(vault, value)
        result.made.append((device_id, made.bundle_id))
    current = _other_coordinators(vault)
    if current is not None:
        value = _state(vault)
        if isinstance(value.get("seen"), list) and sorted(value["seen"]) != current:
            _save(vault, value | {"seen": current})  # a coordinator removed, or handed over to
    if result.made:
        pushed = push(vault, proxy=proxy, backoff=backoff, timeout=timeout, cancel=cancel, deliver_only=True)
        result.sent = list(pushed.sent)
    return result


__all__ = ["HAND_OVER_STATE", "HandOverResult", "hand_over_over_server", "hand_overs_due"]
