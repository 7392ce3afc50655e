"""The merge's hot path (issue 14, benchmarks/bench_merge.py) after its
speed-ups decides as before: a bundle-sized batch of revisions (the
benchmark's bundles carry 200) has its signatures checked on threads, and a
forged signature anywhere in it, the last chunk included, is still refused
with the same first-failed reason as one revision at a time."""

from __future__ import annotations

import base64
import threading
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db import revisions
from db.device import DeviceIdentity, device_id_for
from db.entities import ENTITY_TYPES
from db.errors import RevisionRejected
from db.hlc import Timestamp
from db.revisions import SIGNATURE_DOMAIN, create_revision, revision_from_wire, revisions_from_wire


def _identity() -> DeviceIdentity:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    return DeviceIdentity(device_id_for(public), public, key)


def _bundle_of(count: int, forged: set[int]) -> list[dict[str, str]]:
    """``count`` case revisions in wire form; those at ``forged`` carry
    another device's signature over the same bytes."""
    device, other = _identity(), _identity()
    wires = []
    for i in range(count):
        rev = create_revision(
            device,
            entity_id=str(uuid.UUID(int=i + 1)),
            entity_type="case",
            op="put",
            body={"title": f"Case {i}", "description": "", "notes": ""},
            parents=[],
            hlc=Timestamp(1000 + i, 0),
        )
        wire = dict(rev.to_wire())
        if i in forged:
            wire["signature"] = base64.b64encode(other.sign(SIGNATURE_DOMAIN + rev.signed)).decode()
        wires.append(wire)
    return wires


def _one_by_one(wire: dict[str, Any]) -> object:
    try:
        return revision_from_wire(wire, ENTITY_TYPES)
    except RevisionRejected as refused:
        return ("refused", refused.revision_id, refused.reason)


@pytest.mark.parametrize("count", [64, 130, 200, 255])
def test_a_bundle_sized_batch_is_verified_on_threads_and_refuses_forgeries(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = {0, count // 2, count - 1}  # the first, one in a middle chunk, the last (checked by the caller)
    wires = _bundle_of(count, forged)
    threads: set[str] = set()
    checked = revisions._bad_signatures

    def spying(chunk: Any) -> Any:  # the real check, noting which thread ran it
        threads.add(threading.current_thread().name)
        return checked(chunk)

    monkeypatch.setattr(revisions, "_bad_signatures", spying)
    got = [
        ("refused", o.revision_id, o.reason) if isinstance(o, RevisionRejected) else o
        for o in revisions_from_wire(wires, ENTITY_TYPES)
    ]
    assert got == [_one_by_one(w) for w in wires]
    assert [i for i, o in enumerate(got) if isinstance(o, tuple)] == sorted(forged)
    assert {o[2] for o in got if isinstance(o, tuple)} == {"bad signature"}
    # Before issue 14's change batches under 256 were checked on the caller's
    # thread only. (A one-CPU machine checks every batch there.)
    assert revisions._SIGNATURE_THREADS < 2 or any(
        name.startswith("verify-signatures") for name in threads
    ), threads
