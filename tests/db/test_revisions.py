"""Signed revisions: merge is a set union, and tampering is refused precisely."""

from __future__ import annotations

import base64
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.device import DeviceIdentity
from db.entities import ENTITY_TYPES, Case
from db.errors import RevisionRejected
from db.hlc import MAX_COUNTER, MAX_DRIFT_MS, Timestamp, wall_clock_ms
from db.keyring_store import NoKeyring
from db.revisions import Revision, canonical_json, create_revision, revision_from_wire
from db.vault import Vault
from tests.factory import make_case, make_testimony
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault


def build_history(seed: int) -> list[Revision]:
    """Revisions of a few entities by three devices, with forks, merges and a delete."""
    rng = random.Random(seed)
    devices = [DeviceIdentity.generate() for _ in range(3)]
    case_id = "01900000-0000-7000-8000-000000000001"
    revisions: list[Revision] = []
    heads: dict[str, list[str]] = {}
    for step in range(25):
        device = rng.choice(devices)
        entity = rng.choice([case_id, "01900000-0000-7000-8000-000000000002"])
        is_case = entity == case_id
        parents = rng.sample(heads.get(entity, []), k=min(len(heads.get(entity, [])), rng.randint(0, 2)))
        op = "delete" if (not is_case and step % 11 == 10) else "put"
        body = (
            {"title": f"case v{step}", "description": "", "notes": ""}
            if is_case
            else {
                "case_id": case_id,
                "pseudonym": f"W-{step}",
                "name": "",
                "roles": [],
                "sensitive": {},
                "notes": "",
            }
        )
        rev = create_revision(
            device,
            entity_id=entity,
            entity_type="case" if is_case else "person",
            op=op,
            body=body if op == "put" else {},
            parents=parents,
            hlc=Timestamp(1_700_000_000_000 + rng.randint(0, 50), step),
        )
        revisions.append(rev)
        kept = [h for h in heads.get(entity, []) if h not in parents]
        heads[entity] = [*kept, rev.revision_id]
    return revisions


@pytest.fixture(scope="module")
def history() -> list[Revision]:
    return build_history(7)


@pytest.fixture(scope="module")
def vault_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A fresh, empty vault for each call (each hypothesis example): a copy
    of one vault created here, closed, as a backup is (creating one, with its
    migrations, took five times longer than copying and opening)."""
    template = tmp_path_factory.mktemp("template") / "v"
    Vault.create(template, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault.lock()
    opened: list[Vault] = []

    def make() -> Vault:
        folder = tmp_path_factory.mktemp("merge") / "v"
        shutil.copytree(template, folder)
        vault = open_vault(folder)
        assert vault.revisions.all() == []
        opened.append(vault)
        return vault

    yield make
    for vault in opened:
        vault.lock()


def expected_heads(revisions: list[Revision]) -> dict[str, frozenset[str]]:
    """Heads computed straight from the definition, independently of the vault."""
    named_as_parent = {p for r in revisions for p in r.parents}
    result: dict[str, set[str]] = {}
    for rev in revisions:
        if rev.revision_id not in named_as_parent:
            result.setdefault(rev.entity_id, set()).add(rev.revision_id)
    return {k: frozenset(v) for k, v in result.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.randoms(use_true_random=False), duplicates=st.integers(0, 10), chunks=st.integers(1, 5))
def test_any_order_with_duplicates_gives_the_same_heads(
    history: list[Revision], vault_factory: object, order: random.Random, duplicates: int, chunks: int
) -> None:
    shuffled = history + [order.choice(history) for _ in range(duplicates)]
    order.shuffle(shuffled)
    vault = vault_factory()  # type: ignore[operator]
    # Applied in several batches, as bundles would arrive.
    size = max(1, len(shuffled) // chunks)
    for start in range(0, len(shuffled), size):
        vault.revisions.apply(shuffled[start : start + size])
    assert vault.revisions.heads() == expected_heads(history)
    assert {c.entity_id for c in vault.revisions.conflicts()} == {
        e for e, h in expected_heads(history).items() if len(h) > 1
    }


def test_applying_twice_is_idempotent_and_union_commutes(
    history: list[Revision], vault_factory: object
) -> None:
    half_a, half_b = history[::2], history[1::2]
    one = vault_factory()  # type: ignore[operator]
    two = vault_factory()  # type: ignore[operator]
    assert one.revisions.apply(half_a) == len(half_a)
    assert one.revisions.apply(half_b) == len(half_b)
    assert one.revisions.apply(history) == 0  # nothing new
    two.revisions.apply(half_b)
    two.revisions.apply(half_a)
    assert one.revisions.heads() == two.revisions.heads() == expected_heads(history)
    assert {r.revision_id for r in one.revisions.all()} == {r.revision_id for r in history}


def flip_byte(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), which=st.sampled_from(["signed", "signature"]))
def test_any_flipped_byte_is_refused_and_nothing_is_applied(
    history: list[Revision], vault_factory: object, position: int, which: str
) -> None:
    victim = history[3].to_wire()
    raw = base64.b64decode(victim[which])
    victim[which] = base64.b64encode(flip_byte(raw, position % len(raw))).decode()
    batch = [r.to_wire() for r in history[:3]] + [victim] + [r.to_wire() for r in history[4:]]
    vault = vault_factory()  # type: ignore[operator]
    with pytest.raises(RevisionRejected) as rejected:
        vault.revisions.apply(batch)
    assert rejected.value.revision_id == history[3].revision_id
    expected = "id does not match content" if which == "signed" else "bad signature"
    assert rejected.value.reason == expected
    assert vault.revisions.all() == []


def resign(device: DeviceIdentity, envelope: dict[str, object]) -> dict[str, str]:
    """A well-formed, validly signed revision carrying whatever envelope we like."""
    import hashlib

    signed = canonical_json(envelope)
    signature = device.sign(b"fieldvault-revision-v1\x00" + signed)
    return {
        "id": hashlib.sha256(signed).hexdigest(),
        "signed": base64.b64encode(signed).decode(),
        "signature": base64.b64encode(signature).decode(),
    }


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda e, other: e.update(device=other.device_id), "device id does not match its key"),
        (lambda e, other: e.update(type="spaceship"), "unknown entity type"),
        (lambda e, other: e.update(op="rewrite"), "unknown operation"),
        (lambda e, other: e.update(v=3), "unknown format version 3"),
        # Version 2 is a re-root's: without its "reroot" member the fields are wrong.
        (lambda e, other: e.update(v=2), "unexpected or missing fields"),
        (lambda e, other: e.update(parents=["zz"]), "bad parent list"),
        (lambda e, other: e.update(hlc=[-1, 0]), "bad clock reading"),
        (lambda e, other: e.update(extra=1), "unexpected or missing fields"),
    ],
)
def test_forged_revisions_are_refused_with_a_precise_reason(
    history: list[Revision], mutate: object, reason: str
) -> None:
    device = DeviceIdentity.generate()
    envelope = json.loads(history[0].signed)
    envelope["key"] = base64.b64encode(device.public_key).decode()
    envelope["device"] = device.device_id
    mutate(envelope, DeviceIdentity.generate())  # type: ignore[operator]
    with pytest.raises(RevisionRejected) as rejected:
        revision_from_wire(resign(device, envelope), ENTITY_TYPES)
    assert rejected.value.reason == reason


def test_signature_by_another_device_is_refused(history: list[Revision]) -> None:
    wire = history[0].to_wire()
    impostor = DeviceIdentity.generate()
    wire["signature"] = base64.b64encode(
        impostor.sign(b"fieldvault-revision-v1\x00" + history[0].signed)
    ).decode()
    with pytest.raises(RevisionRejected, match="bad signature"):
        revision_from_wire(wire, ENTITY_TYPES)


def test_non_canonical_encoding_is_refused(history: list[Revision]) -> None:
    device = DeviceIdentity.generate()
    envelope = json.loads(history[0].signed)
    envelope["key"] = base64.b64encode(device.public_key).decode()
    envelope["device"] = device.device_id
    import hashlib

    signed = json.dumps(envelope, indent=1).encode()  # valid JSON, not canonical
    wire = {
        "id": hashlib.sha256(signed).hexdigest(),
        "signed": base64.b64encode(signed).decode(),
        "signature": base64.b64encode(device.sign(b"fieldvault-revision-v1\x00" + signed)).decode(),
    }
    with pytest.raises(RevisionRejected, match="not in canonical form"):
        revision_from_wire(wire, ENTITY_TYPES)


def test_invalid_body_from_elsewhere_is_refused(vault: Vault) -> None:
    device = DeviceIdentity.generate()
    bad = create_revision(
        device,
        entity_id="01900000-0000-7000-8000-0000000000aa",
        entity_type="case",
        op="put",
        body={"title": 42},
        parents=[],
        hlc=Timestamp(1, 0),
    )
    with pytest.raises(RevisionRejected, match="invalid body"):
        vault.revisions.apply([bad])


def test_concurrent_edits_are_a_listed_conflict_until_resolved(vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault, title="original")
    other = Vault.create(tmp_path / "other", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    other.revisions.apply(vault.revisions.all())
    vault.cases.edit(case.id, title="edited here")
    other.cases.edit(case.id, title="edited there")
    vault.revisions.apply(other.revisions.all())
    conflicts = vault.revisions.conflicts()
    assert [c.entity_id for c in conflicts] == [case.id]
    assert len(conflicts[0].head_revision_ids) == 2
    assert vault.cases.get(case.id).conflicted
    # Both versions stay in the history; neither was dropped.
    titles = {h.body.get("title") for h in vault.cases.history(case.id) if h.is_head}
    assert titles == {"edited here", "edited there"}
    merged = vault.cases.edit(case.id, title="edited here and there")
    assert not merged.conflicted
    assert vault.revisions.conflicts() == []
    merge_entry = vault.cases.history(case.id)[-1]
    assert len(merge_entry.parents) == 2
    other.lock()


def test_history_lists_every_version_and_tombstone(vault: Vault) -> None:
    testimony = make_testimony(vault, narrative="first")
    vault.testimonies.edit(testimony.id, narrative="second")
    vault.testimonies.delete(testimony.id, reason="duplicate entry")
    history = vault.testimonies.history(testimony.id)
    assert [h.op for h in history] == ["put", "put", "delete"]
    assert [h.body.get("narrative") for h in history[:2]] == ["first", "second"]
    assert history[-1].is_head and not history[0].is_head
    assert all(h.device_id == vault.device_id for h in history)
    assert testimony.id not in {t.id for t in vault.testimonies.list()}


def test_saving_unchanged_record_makes_no_revision(vault: Vault) -> None:
    case = vault.cases.create(Case(title="same"))
    again = vault.cases.update(case)
    assert again.revision == case.revision
    assert len(vault.cases.history(case.id)) == 1


def received_case(hlc: Timestamp, entity_id: str = "01900000-0000-7000-8000-0000000000bb") -> Revision:
    return create_revision(
        DeviceIdentity.generate(),
        entity_id=entity_id,
        entity_type="case",
        op="put",
        body={"title": "from a device with a fast clock", "description": "", "notes": ""},
        parents=[],
        hlc=hlc,
    )


def test_clock_moves_past_revisions_received_from_a_clock_a_little_ahead(vault: Vault) -> None:
    ahead = Timestamp(wall_clock_ms() + 60 * 60 * 1000, 5)  # an hour ahead: within the drift
    incoming = received_case(ahead)
    vault.revisions.apply([incoming])
    edited = vault.cases.edit(incoming.entity_id, title="edited locally")
    last = vault.cases.history(edited.id)[-1]
    assert last.hlc > ahead
    assert last.body["title"] == "edited locally"


def test_a_revision_from_a_clock_far_ahead_does_not_drag_the_local_clock(vault: Vault) -> None:
    far = Timestamp(4_000_000_000_000, 5)  # the year 2096
    incoming = received_case(far)
    vault.revisions.apply([incoming])
    edited = vault.cases.edit(incoming.entity_id, title="edited locally")
    # The local edit follows the received revision (its parent), yet its own
    # reading stays within the drift of this device's wall clock.
    assert vault.revisions.heads()[incoming.entity_id] == {edited.revision}
    assert vault.cases.get(incoming.entity_id).title == "edited locally"
    mine = next(e for e in vault.cases.history(edited.id) if e.revision_id == edited.revision)
    assert mine.hlc.ms <= wall_clock_ms() + MAX_DRIFT_MS
    assert mine.parents == (incoming.revision_id,)


def test_a_reading_at_the_formats_limit_does_not_stop_later_saves(vault: Vault) -> None:
    """Today's failure: one accepted revision with a huge clock made every
    later save fail (its counter, incremented, no longer fit the format)."""
    vault.revisions.apply([received_case(Timestamp(2**53 - 1, MAX_COUNTER))])
    with pytest.raises(RevisionRejected, match="bad clock reading"):
        vault.revisions.apply(
            [received_case(Timestamp(2**53 - 1, 2**53 - 1), "01900000-0000-7000-8000-0000000000bc")]
        )
    for n in range(3):
        assert make_case(vault, title=f"saved after {n}").revision


def test_one_entity_cannot_change_type_within_a_batch(vault: Vault) -> None:
    device = DeviceIdentity.generate()
    entity = "01900000-0000-7000-8000-0000000000cc"
    as_case = create_revision(
        device,
        entity_id=entity,
        entity_type="case",
        op="put",
        body={"title": "a case", "description": "", "notes": ""},
        parents=[],
        hlc=Timestamp(1, 0),
    )
    as_link = create_revision(
        device,
        entity_id=entity,
        entity_type="link",
        op="delete",
        body={},
        parents=[as_case.revision_id],
        hlc=Timestamp(2, 0),
    )
    with pytest.raises(RevisionRejected, match="another type"):
        vault.revisions.apply([as_case, as_link])
    assert vault.revisions.all() == []
