"""Past PARKED_CAP a revision is never stored without its parents (issue 14,
review 14 F1; db/parked.py, db/sync_import.py).

Two coordinators' desks read the same bundles, in the same order: desk A's
parked slots for signer S are full (PARKED_CAP patched to 3, as the
project's other parked tests do), desk B has room. Before the fix, A stored
S's edit of a record whose first revision it had not read yet, without that
parent: when the parent was then left out (its signer revoked), A's
``verify`` failed for good, A kept the edit as a head that B left out, and
a seized-not-yet-revoked device could use that to get its edits of a frozen
record stored. Now A leaves the edit out as past the cap (and its
descendants), so both desks verify and hold the same revisions whenever
they leave out the same things.

Real vaults and real signed revisions fed to ``vault.sync.begin_import()``
as sync/bundle/vault_io.py feeds a desk's bundle (``withhold``: the devices
the newest profile revokes)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from db import parked as parked_module
from db.device import DeviceIdentity
from db.entities import EvidenceItem
from db.hlc import Timestamp
from db.keyring_store import NoKeyring
from db.parked import left_out_sha256s, parked_revision_count, past_cap_by_signer
from db.revisions import Revision, create_revision
from db.sync_state import Device
from db.vault import Vault
from db.withheld import withheld_revision_ids
from tests.db.parked_helpers import case_revision
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

RECORD = "0190f3a0-0000-7000-8000-0000000000e1"
REVOKED = DeviceIdentity.generate()  # the revoked worker: withheld in every desk bundle
SIGNER = DeviceIdentity.generate()  # S: a desk (or a seized laptop not revoked yet)
OTHER_DESK = DeviceIdentity.generate()  # T: edits S's edit; its own slots are never full
WORKER = DeviceIdentity.generate()  # an enrolled worker whose creation comes late
FULL, ROOMY = 3, 100  # desk A's and desk B's PARKED_CAP


def _vault(folder: Path) -> Vault:
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    for device in (SIGNER, OTHER_DESK, WORKER):
        recipient = str(pyrage.x25519.Identity.generate().to_public())
        vault.sync.put_device(Device(device.device_id, device.public_key, recipient, "enrolled"))
    return vault


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[Vault, Vault]]:
    a, b = _vault(tmp_path / "a"), _vault(tmp_path / "b")
    try:
        yield a, b
    finally:
        a.lock()
        b.lock()


def _case(identity: DeviceIdentity, n: int, parents: list[str], entity_id: str = RECORD) -> Revision:
    return case_revision(identity, n, parents, entity_id)


def _flood() -> list[Revision]:
    """S's orphans naming invented parents: they fill desk A's slots."""
    return [
        _case(SIGNER, 100 + n, [f"{n:064x}"], f"0190f3a0-0000-7000-8000-0000000001{n:02x}") for n in range(3)
    ]


def _read(vault: Vault, cap: int, bundle: list[Revision], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One desk bundle read with the revoked worker withheld; returns what it
    left out past the cap."""
    monkeypatch.setattr(parked_module, "PARKED_CAP", cap)
    with vault.sync.begin_import() as unit:
        unit.add_revisions([rev.to_wire() for rev in bundle], withhold={REVOKED.device_id})
        unit.settle_revisions()
    return list(unit.summary.past_parked_cap)


def _stored(vault: Vault) -> dict[str, list[str]]:
    """Every revision the vault holds -> the parents it signed."""
    return {
        rev.revision_id: [str(p) for p in json.loads(rev.signed)["parents"]]
        for rev in vault.revisions.since(0, 10_000)
    }


def _without_parents(vault: Vault) -> list[str]:
    held = _stored(vault)
    return sorted(rid for rid, parents in held.items() if not set(parents) <= set(held))


def test_desks_reading_the_same_bundles_agree_when_the_parent_is_left_out(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reviewer's sequence: S's edit E of the revoked worker's W1, and
    T's edit D of E, arrive before W1; W1 is then left out. Before: A stored
    E without W1 (``verify``: "names parent ..., which is not in the vault")
    while B left it out."""
    a, b = desks
    w1 = _case(REVOKED, 0, [])
    edit = _case(SIGNER, 1, [w1.revision_id])
    edit_of_edit = _case(OTHER_DESK, 2, [edit.revision_id])
    for bundle in ([*_flood()], [edit, edit_of_edit], [w1]):
        assert _read(b, ROOMY, bundle, monkeypatch) == []
        past = _read(a, FULL, bundle, monkeypatch)
        assert _without_parents(a) == [], "desk A holds a revision without its parents"
        if edit in bundle:
            assert past == [edit.revision_id]  # D's signer has room: parked, then left out below E

    assert _stored(a) == _stored(b) == {}  # the same heads: nothing of the record
    assert parked_revision_count(a) == parked_revision_count(b) == 3  # the flood waits
    left_out = {w1.revision_id, edit.revision_id, edit_of_edit.revision_id}
    assert withheld_revision_ids(b) == left_out
    assert withheld_revision_ids(a) == left_out
    assert past_cap_by_signer(a) == {SIGNER.device_id: 1} and past_cap_by_signer(b) == {}
    for desk in (a, b):
        report = desk.verify()
        assert report.ok, report.problems

    # Arriving again, they are left out again at both: no desk stores them.
    for desk, cap in ((a, FULL), (b, ROOMY)):
        _read(desk, cap, [edit_of_edit, edit], monkeypatch)
        assert _stored(desk) == {} and desk.verify().ok


def test_an_edit_left_out_past_the_cap_is_stored_when_it_arrives_again_after_its_parent(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent is an enrolled worker's creation that comes late, not a
    revoked one. B parks the edits and stores them with the parent; A left
    them out, so it differs from B (both verify), until a bundle carries
    them again (B's next desk bundle relays them): A stores them then, and
    the rows saying they were left out go."""
    a, b = desks
    created = _case(WORKER, 0, [])
    edit = _case(SIGNER, 1, [created.revision_id])
    edit_of_edit = _case(OTHER_DESK, 2, [edit.revision_id])
    for bundle in ([*_flood()], [edit, edit_of_edit], [created]):
        _read(b, ROOMY, bundle, monkeypatch)
        _read(a, FULL, bundle, monkeypatch)
        assert _without_parents(a) == [], "desk A holds a revision without its parents"
    assert set(_stored(b)) == {created.revision_id, edit.revision_id, edit_of_edit.revision_id}
    assert set(_stored(a)) == {created.revision_id}
    assert a.verify().ok and b.verify().ok

    _read(a, FULL, [edit, edit_of_edit], monkeypatch)  # relayed again by B
    assert _stored(a) == _stored(b)
    assert withheld_revision_ids(a) == set() and past_cap_by_signer(a) == {}
    report = a.verify()
    assert report.ok, report.problems


def test_an_evidence_item_past_the_cap_takes_no_bytes_and_its_row_names_its_file(
    desks: tuple[Vault, Vault], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Left out past the cap, a seized device's item cannot plant its file
    (``evidence_to_attach``, as sync/bundle/vault_io.py asks before taking
    bytes: none); the row keeps the SHA-256 it names, which excuses stored
    bytes of that file in ``verify`` as a left-out parked item's do."""
    a, _b = desks
    _read(a, FULL, _flood(), monkeypatch)
    sha256 = hashlib.sha256(b"planted").hexdigest()
    item = create_revision(
        SIGNER,
        entity_id="0190f3a0-0000-7000-8000-0000000000e9",
        entity_type="evidence",
        op="put",
        body=EvidenceItem(case_id=RECORD, original_name="x.jpg", sha256=sha256, size=7).body(),
        parents=[f"{99:064x}"],
        hlc=Timestamp(1_700_000_000_000, 9),
    )
    monkeypatch.setattr(parked_module, "PARKED_CAP", FULL)
    with a.sync.begin_import() as unit:
        unit.add_revisions([item.to_wire()], withhold={REVOKED.device_id})
        unit.settle_revisions()
        assert unit.summary.past_parked_cap == [item.revision_id]
        assert unit.evidence_to_attach([item.entity_id]) == ()
    with a.services.context.sessions() as session:
        assert left_out_sha256s(session) == {sha256}
    assert _stored(a) == {} and a.verify().ok
