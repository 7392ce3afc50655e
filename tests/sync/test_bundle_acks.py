"""Acknowledgements back to the worker over USB (issue 11, sync/acks.py,
docs/bundle-format.md §9): the coordinator signs one for each bundle it
imported; the worker takes it only from a coordinator of its profile, for
its own bundle, and then sends only what is new. A removed coordinator can
no longer read what the worker sends after it got the new profile."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import Vault
from db.keyring_store import NoKeyring
from sync import org_vault
from sync.acks import Acknowledgement, AckRefused, make_ack, read_ack, sign_ack, take_ack, write_ack
from sync.bundle import BundleRejected, check_bundle, read_bundle
from sync.org import device_id_of
from tests.factory import make_case
from tests.sync.trust_fixtures import Organisation, current_profile, make_organisation
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Organisation]:
    made = make_organisation(tmp_path)
    yield made
    made.close()


def test_after_an_acknowledgement_the_next_bundle_holds_only_new_work(org: Organisation) -> None:
    work = org.worker("field", token=org.token())
    assert work.vault.sync.enrolment_token() is not None  # enrol keeps it for the first bundles
    first = org.export(work.vault)
    assert first.revisions >= 2 and first.blobs == 1
    org.import_(first.path)
    ack_path = write_ack(org.coordinator, first.bundle_id, org.usb)
    assert ack_path.name == f"{org.org_id}-{work.vault.device_id}-1.fvack"
    # Without the acknowledgement, the next bundle carries everything again.
    again = org.export(work.vault)
    assert (again.revisions, again.blobs) == (first.revisions, 1)

    ack, sent = take_ack(work.vault, ack_path.read_bytes())
    assert (ack.bundle_id, ack.coordinator_id) == (first.bundle_id, org.coordinator.device_id)
    assert sent.acked_by == org.coordinator.device_id and sent.blobs == (work.sha256,)
    outgoing = work.vault.sync.outgoing()
    assert outgoing.acked_revision_seq == sent.revision_seq and outgoing.acked_custody_seq == sent.custody_seq
    assert work.vault.sync.unacknowledged_blobs() == []
    # No longer proved (the third bundle's header, below); kept until a sync
    # registered the device at the organisation's server (connection.py).
    assert work.vault.sync.enrolment_token() is not None
    # Taking it again changes nothing.
    assert take_ack(work.vault, ack_path.read_bytes())[1] == sent

    third = org.export(work.vault)
    # Bundle 2 was not acknowledged: its 'transfer' event travels again; no revision or file does.
    assert (third.revisions, third.blobs) == (0, 0)
    assert third.custody_events == 2  # the transfers recorded for bundles 1 and 2
    header = check_bundle(third.path).header
    assert header.enrolment is None  # the coordinator knows this device now
    make_case(work.vault)
    fourth = org.export(work.vault)
    assert (fourth.revisions, fourth.blobs) == (1, 0)
    for made in (again, third, fourth):
        assert not org.import_(made.path).replay
    assert org.coordinator.verify().ok and work.vault.verify().ok


def ack_bytes(org: Organisation, key: Ed25519PrivateKey, **change: object) -> bytes:
    public = key.public_key().public_bytes_raw()
    fields: dict[str, object] = {
        "org_id": org.org_id,
        "device_id": org.workers[0].vault.device_id,
        "bundle_id": "0" * 64,
        "sequence": 1,
        "coordinator_id": device_id_of(public),
        "coordinator_key": public,
        "created_ms": 0,
    }
    fields.update(change)
    return sign_ack(Acknowledgement(**fields), key)  # type: ignore[arg-type]


def test_forged_foreign_misaddressed_and_unknown_acknowledgements_are_refused(
    org: Organisation, tmp_path: Path
) -> None:
    work = org.worker("field", token=org.token())
    other = org.worker("other", token=org.token())
    made = org.export(work.vault)
    org.import_(made.path)
    genuine = write_ack(org.coordinator, made.bundle_id, org.usb).read_bytes()
    coordinator_key = org.coordinator.sync.signing_key()
    before = work.vault.sync.outgoing()

    def refused(data: bytes, vault: Vault | None = None) -> str:
        with pytest.raises(AckRefused) as err:
            take_ack(vault or work.vault, data)
        return str(err.value.code)

    # Signed by a key that is not a coordinator's (an outsider's, or the worker's own).
    assert (
        refused(ack_bytes(org, Ed25519PrivateKey.generate(), bundle_id=made.bundle_id))
        == "ack-not-coordinator"
    )
    assert (
        refused(ack_bytes(org, work.vault.sync.signing_key(), bundle_id=made.bundle_id))
        == "ack-not-coordinator"
    )
    # The genuine one changed after signing.
    assert refused(genuine.replace(made.bundle_id.encode(), b"f" * 64)) == "ack-signature"
    assert refused(genuine[:-3]) == "ack-form"
    assert refused(b'{"ack":{}}') == "ack-form"
    # Another organisation's (signed by the real coordinator key, even).
    foreign = str(uuid.uuid4())
    assert refused(ack_bytes(org, coordinator_key, org_id=foreign, bundle_id=made.bundle_id)) == (
        "ack-other-organisation"
    )
    # Addressed to another device.
    assert refused(genuine, other.vault) == "ack-other-device"
    # A bundle this worker never made, signed by the real coordinator.
    assert refused(ack_bytes(org, coordinator_key, bundle_id="e" * 64)) == "ack-unknown-bundle"
    assert (
        refused(ack_bytes(org, coordinator_key, bundle_id=made.bundle_id, sequence=2)) == "ack-unknown-bundle"
    )
    assert work.vault.sync.outgoing() == before
    # The coordinator acknowledges only what it imported.
    with pytest.raises(AckRefused) as err:
        make_ack(org.coordinator, "d" * 64)
    assert err.value.code == "ack-not-imported"
    assert read_ack(genuine).bundle_id == made.bundle_id
    take_ack(work.vault, genuine)
    assert work.vault.sync.outgoing() != before


def second_coordinator(org: Organisation, tmp_path: Path) -> Vault:
    vault = Vault.create(tmp_path / "desk2", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    org_vault.enrol(vault, current_profile(org.coordinator), fingerprint_given=org.signed.profile.fingerprint)
    org_vault.add_coordinator(org.coordinator, org_vault.own_device_card(vault).text, label="Lviv desk")
    org_vault.update_profile(vault, current_profile(org.coordinator))
    return vault


def test_a_removed_coordinator_cannot_read_bundles_made_after_its_removal(
    org: Organisation, tmp_path: Path
) -> None:
    removed = second_coordinator(org, tmp_path)
    try:
        identity: pyrage.x25519.Identity = removed.vault_keys.age_identity()
        work = org.worker("field", token=org.token())
        before = org.export(work.vault)
        assert check_bundle(before.path).header.profile_version == 2
        assert read_bundle(before.path, identity, org_id=org.org_id).bundle_id == before.bundle_id
        # Its acknowledgement is good while it is a coordinator.
        org.import_(before.path)
        ack_before = make_ack(org.coordinator, before.bundle_id)

        org_vault.remove_coordinator(org.coordinator, removed.device_id)
        org_vault.update_profile(work.vault, current_profile(org.coordinator))
        after = org.export(work.vault)
        header = check_bundle(after.path).header
        assert header.profile_version == 3
        with pytest.raises(BundleRejected) as refused:
            read_bundle(after.path, identity, org_id=org.org_id)
        assert refused.value.reason == "not-a-recipient"
        # The raw age payload does not open with its key either (age's own check).
        data = after.path.read_bytes()
        payload = data[len(data) - header.payload_size :]
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(payload, [identity])
        assert not org.import_(after.path).replay  # the remaining coordinator reads it

        # An acknowledgement signed by the removed coordinator is no longer taken.
        stale = sign_ack(
            Acknowledgement(
                org.org_id, work.vault.device_id, after.bundle_id, after.sequence,
                removed.device_id, removed.device_public_key, 0,
            ),
            removed.sync.signing_key(),
        )  # fmt: skip
        with pytest.raises(AckRefused) as err:
            take_ack(work.vault, stale)
        assert err.value.code == "ack-not-coordinator"
        assert ack_before.coordinator_id == org.coordinator.device_id
    finally:
        removed.lock()
