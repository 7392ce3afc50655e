"""What coordinators send back to field workers (issue 14; docs/merge.md,
"Sending back to the field"): what the organisation's policy allows, never
more, and only on a coordinator's word.

Real vaults of one organisation and real bundle files: two workers edit one
testimony and the coordinator resolves the conflict
(tests/sync/merge/conflict_fixtures.py); a third worker records an
unrelated testimony holding a canary word and delivers it to the
coordinator. Then the coordinator's bundle for each worker is made
(sync/bundle/send_back.py) and imported there.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import db.api as vault_api
from db.api import NotFound, Vault
from db.keyring_store import NoKeyring
from sync import org_vault
from sync.bundle.errors import BundleRejected
from sync.bundle.format import VouchedDevice, parse_manifest
from sync.bundle.format import canonical as bundle_canonical
from sync.bundle.reader import read_bundle
from sync.bundle.send_back import SentBack, send_back
from sync.bundle.vault_io import _revision_wire, import_bundle
from sync.bundle.writer import BundleContents, DeviceIdentity, write_bundle
from sync.org import (
    PROFILE_DOMAIN,
    Coordinator,
    OrgRefused,
    SignedProfile,
    canonical,
    device_id_of,
    new_profile,
    read_profile,
)
from tests.cli_helpers import Cli, child_env
from tests.factory import make_case
from tests.sync.client.sync_helpers import organisation, record_work
from tests.sync.merge.conflict_fixtures import ConflictScene, build_conflict
from tests.sync.trust_fixtures import Organisation, current_profile
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

AGE_RECIPIENT = "age1" + "q" * 58
CANARY = "Кварцитовий"
THIRD_PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(
    50_000
)  # the third worker's evidence file  # a word only the third worker's testimony holds


@dataclass
class Scene:
    conflict: ConflictScene
    third: Vault
    third_testimony: str

    @property
    def coordinator(self) -> Vault:
        return self.conflict.coordinator

    @property
    def first(self) -> Vault:
        return self.conflict.first

    @property
    def second(self) -> Vault:
        return self.conflict.second

    @property
    def org_id(self) -> str:
        return self.conflict.org.org_id

    @property
    def usb(self) -> Path:
        return self.conflict.org.usb

    def take(self, worker: Vault, path: Path) -> None:
        import_bundle(worker, path, worker.vault_keys.age_identity(), org_id=self.org_id)

    def carried(self, worker: Vault, sent: SentBack) -> set[str]:
        opened = read_bundle(sent.path, worker.vault_keys.age_identity(), org_id=self.org_id)
        return set(opened.manifest.revisions)

    def new_profile_to_workers(self, *workers: Vault) -> None:
        """The coordinator's newest profile, taken by ``workers`` (default:
        all three) as a profile update does."""
        signed = current_profile(self.coordinator)
        for worker in workers or (self.first, self.second, self.third):
            org_vault.update_profile(worker, signed)


def _third_worker(conflict: ConflictScene) -> tuple[Vault, str]:
    org = conflict.org
    vault = Vault.create(org.tmp_path / "third", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    org_vault.enrol(vault, current_profile(org.coordinator), fingerprint_given=org.signed.profile.fingerprint)
    org_vault.add_device(org.coordinator, org_vault.own_device_card(vault).text)
    case = make_case(vault)
    testimony = vault.testimonies.create(
        vault_api.Testimony(
            case_id=case.id,
            title="Statement of witness W-9",
            language="uk",
            narrative=f"{CANARY} камінь лежав біля входу до підвалу.",
        )
    )
    photo = org.tmp_path / "third-photo.jpg"
    photo.write_bytes(THIRD_PHOTO)
    vault.evidence.ingest(photo, case.id)
    org.import_(org.export(vault).path)
    return vault, testimony.id


def _resolve(conflict: ConflictScene) -> str:
    coordinator = conflict.coordinator
    current = coordinator.testimonies.get(conflict.testimony_id)
    coordinator.testimonies.save(replace(current, interviewer="Mariia Koval"))
    (head,) = coordinator.revisions.heads()[conflict.testimony_id]
    return head


@dataclass(frozen=True)
class SavedScene:
    """A scene built once, its vaults locked: each test copies the folder."""

    folder: Path
    signed: SignedProfile
    testimony_id: str
    third_testimony: str


@pytest.fixture(scope="module")
def saved_scene(tmp_path_factory: pytest.TempPathFactory) -> SavedScene:
    folder = tmp_path_factory.mktemp("send-back-scene")
    conflict = build_conflict(folder)
    third, testimony_id = _third_worker(conflict)
    _resolve(conflict)
    conflict.close()
    third.lock()
    return SavedScene(folder, conflict.org.signed, conflict.testimony_id, testimony_id)


@pytest.fixture
def scene(saved_scene: SavedScene, tmp_path: Path) -> Iterator[Scene]:
    """This test's own copy of the saved scene (every vault and the USB
    folder), opened as the build left it."""
    shutil.copytree(saved_scene.folder, tmp_path, dirs_exist_ok=True)
    org = Organisation(open_vault(tmp_path / "coordinator"), saved_scene.signed, tmp_path / "usb", tmp_path)
    conflict = ConflictScene(
        org, open_vault(tmp_path / "first"), open_vault(tmp_path / "second"), saved_scene.testimony_id
    )
    third = open_vault(tmp_path / "third")
    yield Scene(conflict, third, saved_scene.third_testimony)
    conflict.close()
    third.lock()


def _holds_canary(vault: Vault) -> bool:
    return bool(vault.search.query(CANARY, candidates=None))


def test_the_coordinator_holds_the_canary_and_policy_all_sends_it(scene: Scene) -> None:
    """The control for the two tests after it: the coordinator does hold the
    third worker's testimony, and under ``all`` it reaches the first worker
    (vouched for, so accepted), search and all."""
    assert _holds_canary(scene.coordinator)
    assert not _holds_canary(scene.first)
    signed = org_vault.set_policy(scene.coordinator, send_to_workers="all")
    assert read_profile(signed.signed).send_to_workers == "all"
    sent = send_back(scene.coordinator, scene.usb, scene.first.device_id)
    assert sent is not None
    assert set(sent.vouched) == {scene.second.device_id, scene.third.device_id}
    assert sent.blobs == 1  # the third worker's photo, new to the first
    scene.take(scene.first, sent.path)
    assert _holds_canary(scene.first)
    assert scene.first.testimonies.get(scene.third_testimony).narrative.startswith(CANARY)
    with scene.first.sync.open_blob(hashlib.sha256(THIRD_PHOTO).hexdigest()) as held:
        assert held.read() == THIRD_PHOTO
    assert scene.first.verify().ok
    # The organisation holds those bytes: the first worker's next bundle does not carry them back.
    assert scene.conflict.org.export(scene.first).blobs == 0


def test_held_records_never_sends_a_record_the_worker_did_not_hold(scene: Scene) -> None:
    """The default policy: the resolved testimony (held by the first worker)
    travels; the third worker's testimony and case (never held) do not — not
    in the bundle, not in the vault's records, not in its search — and the
    third worker's key is not vouched for."""
    profile = org_vault.held_profile(scene.coordinator)
    assert profile is not None and profile.send_to_workers == "held-records"
    third_revisions = {
        rev.revision_id for rev in scene.coordinator.revisions.all() if rev.device_id == scene.third.device_id
    }
    assert third_revisions
    sent = send_back(scene.coordinator, scene.usb, scene.first.device_id)
    assert sent is not None
    assert not scene.carried(scene.first, sent) & third_revisions
    assert sent.vouched == (scene.second.device_id,)
    scene.take(scene.first, sent.path)
    assert not _holds_canary(scene.first)
    with pytest.raises(NotFound):
        scene.first.testimonies.get(scene.third_testimony)
    assert not {rev.revision_id for rev in scene.first.revisions.all()} & third_revisions
    assert scene.first.sync.device(scene.third.device_id) is None
    with pytest.raises(NotFound):  # nor its evidence file
        scene.first.sync.open_blob(hashlib.sha256(THIRD_PHOTO).hexdigest())
    assert scene.first.verify().ok


def test_policy_none_sends_nothing_of_other_devices(scene: Scene) -> None:
    """Under ``none`` no bundle is made for either worker: the conflict stays
    resolved at the coordinator only, and each worker keeps its own version."""
    org_vault.set_policy(scene.coordinator, send_to_workers="none")
    scene.new_profile_to_workers()  # the policy is readable by every worker's profile reader
    assert org_vault.held_profile(scene.first).send_to_workers == "none"  # type: ignore[union-attr]
    before = {w.device_id: w.revisions.heads() for w in (scene.first, scene.second)}
    files = set(scene.usb.iterdir())
    made = scene.coordinator.sync.outgoing().bundle_sequence
    for worker in (scene.first, scene.second, scene.third):
        assert send_back(scene.coordinator, scene.usb, worker.device_id) is None
    assert set(scene.usb.iterdir()) == files
    assert scene.coordinator.sync.outgoing().bundle_sequence == made
    for worker in (scene.first, scene.second):
        assert worker.revisions.heads() == before[worker.device_id]
        assert not _holds_canary(worker)
    assert scene.first.sync.device(scene.second.device_id) is None


def test_a_device_the_workers_profile_revokes_is_refused_even_when_vouched_for(scene: Scene) -> None:
    """The bundle for the first worker is made while the second worker is in
    good standing; before the first worker imports it, the organisation
    revokes the second and the first takes the new profile. The vouch does
    not bring the revoked device back: the bundle is refused, naming the
    second worker's edit, and nothing of it is applied."""
    sent = send_back(scene.coordinator, scene.usb, scene.first.device_id)
    assert sent is not None and scene.second.device_id in sent.vouched
    org_vault.revoke_device(scene.coordinator, scene.second.device_id)
    scene.new_profile_to_workers(scene.first, scene.third)
    before = scene.first.revisions.heads()
    with pytest.raises(BundleRejected) as refused:
        scene.take(scene.first, sent.path)
    assert refused.value.kind == "signer"
    second_edits = {
        h.revision_id
        for h in scene.coordinator.testimonies.history(scene.conflict.testimony_id)
        if h.device_id == scene.second.device_id
    }
    assert refused.value.subject in second_edits
    assert scene.first.revisions.heads() == before
    assert scene.first.sync.device(scene.second.device_id) is None
    # The coordinator now withholds the record the revoked device wrote in.
    org_vault.set_policy(scene.coordinator, send_to_workers="all")
    later = send_back(scene.coordinator, scene.usb, scene.third.device_id)
    assert later is not None and scene.conflict.testimony_id in later.withheld
    assert scene.second.device_id not in later.vouched


def test_a_vouch_from_a_device_that_is_not_a_coordinator_is_refused(scene: Scene) -> None:
    """A former coordinator (removed from the profile, still an enrolled
    device the worker knows) writes a bundle vouching for the third
    worker's key and relaying its revisions: the worker refuses it as
    ``signer``, naming the vouched device, and knows nothing new."""
    org = scene.conflict.org
    desk = Vault.create(org.tmp_path / "desk2", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        org_vault.enrol(
            desk, current_profile(scene.coordinator), fingerprint_given=org.signed.profile.fingerprint
        )
        org_vault.add_coordinator(scene.coordinator, org_vault.own_device_card(desk).text, label="Lviv desk")
        scene.new_profile_to_workers()
        org_vault.remove_coordinator(scene.coordinator, desk.device_id)
        scene.new_profile_to_workers()
        known = scene.first.sync.device(desk.device_id)
        assert known is not None and (known.role, known.status) == ("device", "enrolled")
        third_revisions = _all_stored(scene.third)
        written = write_bundle(
            scene.usb / "forged.fvbundle",
            BundleContents(
                org_id=scene.org_id,
                profile_version=1,
                sequence=1,
                previous=None,
                custody_head=None,
                revisions=third_revisions,
                devices=[
                    VouchedDevice(scene.third.device_public_key, scene.third.vault_keys.age_recipient())
                ],
            ),
            DeviceIdentity(desk.sync.signing_key(), desk.device_id),
            [scene.first.vault_keys.age_recipient()],
        )
        before = scene.first.revisions.heads()
        with pytest.raises(BundleRejected) as refused:
            scene.take(scene.first, written.path)
        assert (refused.value.kind, refused.value.subject) == ("signer", scene.third.device_id)
        assert scene.first.revisions.heads() == before
        assert scene.first.sync.device(scene.third.device_id) is None
        assert not _holds_canary(scene.first)
    finally:
        desk.lock()


def test_only_a_coordinator_sends_back(scene: Scene) -> None:
    with pytest.raises(OrgRefused) as refused:
        send_back(scene.first, scene.usb, scene.second.device_id)
    assert refused.value.code == "org-not-coordinator"


def _all_stored(vault: Vault) -> list[dict[str, str]]:
    return [_revision_wire(rev) for rev in vault.revisions.since(0, 10_000)]


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """As tests/e2e/conftest.py's: the child's home and temp folders are the test's."""
    return child_env(tmp_path)


def test_the_command_line_round_trip(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    """``fieldvault org set-policy``, ``bundle export --to-workers`` on the
    coordinator and ``bundle import`` on a worker, as processes: under the
    default policy two workers' separate work is not sent to each other
    (nothing due); under ``all`` each worker gets the other's, vouched for,
    and its vault verifies."""
    coordinator = Cli(tmp_path / "coord", isolated_env)
    coordinator.create_fast(PASSPHRASE)
    profile = tmp_path / "org.fvorg"
    made = coordinator.json("org", "create", "Field Org", "--out", str(profile), secrets=[PASSPHRASE])
    usb = tmp_path / "usb"
    usb.mkdir()
    field: dict[str, Cli] = {}
    for name in ("first", "second"):
        token = coordinator.json("org", "token", secrets=[PASSPHRASE])["token"]
        cli = Cli(tmp_path / name, isolated_env)
        cli.create_fast(PASSPHRASE)
        cli.json(
            "enrol",
            str(profile),
            "--fingerprint",
            made["fingerprint"],
            "--token",
            token,
            secrets=[PASSPHRASE],
        )
        cli.json("case", "new", f"Shelling, seen by the {name} worker", secrets=[PASSPHRASE])
        bundle = cli.json("bundle", "export", "--to", str(usb), secrets=[PASSPHRASE])["bundle"]
        assert coordinator.json("bundle", "import", bundle, secrets=[PASSPHRASE])["ok"]
        field[name] = cli
    ids = {name: cli.json("info", secrets=[PASSPHRASE])["device_id"] for name, cli in field.items()}
    nothing = coordinator.json("bundle", "export", "--to", str(usb), "--to-workers", secrets=[PASSPHRASE])
    assert sorted(row["device_id"] for row in nothing) == sorted(ids.values())
    assert all(row["bundle"] is None for row in nothing)
    changed = coordinator.json(
        "org",
        "set-policy",
        "--send-to-workers",
        "all",
        "--out",
        str(tmp_path / "v2.fvorg"),
        secrets=[PASSPHRASE],
    )
    assert changed["version"] == 2
    sent = coordinator.json("bundle", "export", "--to", str(usb), "--to-workers", secrets=[PASSPHRASE])
    by_device = {row["device_id"]: row for row in sent}
    for name, other in (("first", "second"), ("second", "first")):
        row = by_device[ids[name]]
        assert row["bundle"] is not None and row["vouched"] == [ids[other]]
        taken = field[name].json("bundle", "import", row["bundle"], secrets=[PASSPHRASE])
        assert taken["ok"] and taken["revisions"] >= 1 and taken["vouched"] == [ids[other]]
        assert taken["gaps"] == []
        cases = field[name].json("case", "list", secrets=[PASSPHRASE])
        assert len(cases) == 2
        field[name].run("verify", secrets=[PASSPHRASE])
    # The worker takes profile version 2 (as enrol does for a newer version) and reads its policy.
    field["first"].json(
        "enrol", str(tmp_path / "v2.fvorg"), "--fingerprint", made["fingerprint"], secrets=[PASSPHRASE]
    )
    shown = field["first"].json("org", "show", secrets=[PASSPHRASE])
    assert shown["policy"]["send_to_workers"] == "all"
    coordinator_id = coordinator.json("info", secrets=[PASSPHRASE])["device_id"]
    (other,) = [d for d in shown["devices"] if d["device_id"] == ids["second"]]
    assert other == other | {"role": "device", "status": "enrolled", "vouched_by": coordinator_id}


def test_a_lost_bundle_is_sent_again_on_request(scene: Scene) -> None:
    """What went to a worker is not sent twice — unless the coordinator asks
    (the stick was lost): then it goes again, and importing both changes the
    worker once."""
    first = send_back(scene.coordinator, scene.usb, scene.first.device_id)
    assert first is not None
    assert send_back(scene.coordinator, scene.usb, scene.first.device_id) is None
    again = send_back(scene.coordinator, scene.usb, scene.first.device_id, resend=True)
    assert again is not None and again.revisions == first.revisions
    scene.take(scene.first, again.path)
    heads = scene.first.revisions.heads()
    taken = import_bundle(scene.first, first.path, scene.first.vault_keys.age_identity(), org_id=scene.org_id)
    assert taken.revisions == 0 and scene.first.revisions.heads() == heads
    assert scene.first.verify().ok


# -- the formats: the profile's policy member and the manifest's devices --------------


def _signed_with_policy(policy: dict[str, object]) -> bytes:
    key = Ed25519PrivateKey.generate()
    own = Ed25519PrivateKey.generate()
    own_key = own.public_key().public_bytes_raw()
    coordinator = Coordinator(device_id_of(own_key), own_key, AGE_RECIPIENT, "desk")
    body = new_profile("Org", key, coordinator).to_json() | {"policy": policy}
    signature = key.sign(PROFILE_DOMAIN + canonical(body))
    return canonical({"profile": body, "signature": base64.b64encode(signature).decode()})


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ({"purge_after_delivery": False}, "held-records"),  # profiles made before the member
        ({"purge_after_delivery": False, "send_to_workers": "none"}, "none"),
        ({"purge_after_delivery": True, "send_to_workers": "all"}, "all"),
    ],
)
def test_a_profile_reads_its_send_back_policy(policy: dict[str, object], expected: str) -> None:
    assert read_profile(_signed_with_policy(policy)).send_to_workers == expected


@pytest.mark.parametrize(
    "policy",
    [
        {"purge_after_delivery": False, "send_to_workers": "held-records"},  # the default is never written
        {"purge_after_delivery": False, "send_to_workers": "everything"},
        {"purge_after_delivery": False, "send_to_workers": None},
        {"purge_after_delivery": False, "send_to_workers": "all", "send_evidence": True},
    ],
)
def test_a_malformed_send_back_policy_is_refused(policy: dict[str, object]) -> None:
    with pytest.raises(OrgRefused) as refused:
        read_profile(_signed_with_policy(policy))
    assert refused.value.code == "org-profile-form"


def _manifest_with_devices(devices: object) -> bytes:
    value = {
        "format": "fieldvault-bundle-manifest",
        "version": 1,
        "bundle": {"org_id": str(uuid.uuid4()), "device_id": "a" * 32, "sequence": 1, "previous": None},
        "revisions": [],
        "custody": [],
        "blobs": [],
        "devices": devices,
    }
    return bundle_canonical(value)


def _card(key: bytes) -> dict[str, str]:
    return {
        "device_id": device_id_of(key),
        "device_key": base64.b64encode(key).decode(),
        "age_recipient": AGE_RECIPIENT,
    }


def test_the_manifest_devices_member_is_checked() -> None:
    keys = sorted(
        (Ed25519PrivateKey.generate().public_key().public_bytes_raw() for _ in range(2)), key=device_id_of
    )
    parsed = parse_manifest(_manifest_with_devices([_card(k) for k in keys]))
    assert [d.device_key for d in parsed.devices] == keys
    lied = _card(keys[0]) | {"device_id": device_id_of(keys[1])}
    for bad in (
        [],  # absent when empty
        [_card(k) for k in reversed(keys)],  # not sorted
        [_card(keys[0]), _card(keys[0])],  # twice
        [lied],  # an id that is not its key's
        [_card(keys[0]) | {"age_recipient": "age1nope"}],
        [_card(keys[0]) | {"label": "x"}],
    ):
        with pytest.raises(BundleRejected) as refused:
            parse_manifest(_manifest_with_devices(bad))
        assert refused.value.kind == "archive-form"


def test_a_bundle_made_but_not_recorded_is_counted_not_overwritten(scene: Scene, tmp_path: Path) -> None:
    """A send-back killed after its file got its name and before the vault
    recorded it: played here by a copy of the coordinator's vault, which
    writes the bundle and records it in the copy only. The coordinator's
    next send-back to that folder counts the file as its bundle (the next
    number, chained to it) instead of refusing or reusing the number, and the
    worker imports both."""
    folder = scene.conflict.org.tmp_path / "coordinator"
    scene.coordinator.lock()
    copy = tmp_path / "coordinator-copy"
    shutil.copytree(folder, copy)
    twin = Vault.open(copy, PASSPHRASE, keyring=NoKeyring())
    try:
        lost = send_back(twin, scene.usb, scene.first.device_id)
    finally:
        twin.lock()
    assert lost is not None
    coordinator = Vault.open(folder, PASSPHRASE, keyring=NoKeyring())
    scene.conflict.org.coordinator = coordinator
    sent = send_back(coordinator, scene.usb, scene.first.device_id)
    assert sent is not None and sent.sequence == lost.sequence + 1
    assert lost.path.is_file() and coordinator.sync.sent_bundle(lost.bundle_id) is not None
    scene.take(scene.first, lost.path)
    scene.take(scene.first, sent.path)
    assert (
        scene.first.revisions.heads()[scene.conflict.testimony_id]
        == coordinator.revisions.heads()[scene.conflict.testimony_id]
    )
    assert scene.first.verify().ok


@pytest.mark.parametrize("scope", ["none", "held-records", "all"])
def test_the_quick_check_agrees_with_what_is_due(scene: Scene, scope: str) -> None:
    """``relay_pending`` (a cheap query) says yes exactly when ``relay_due``
    finds something, before and after what was due is recorded as sent."""
    sync = scene.coordinator.sync
    due = set()
    for worker in (scene.first, scene.second, scene.third):
        plan = sync.relay_due(worker.device_id, scope)
        assert sync.relay_pending(worker.device_id, scope) == bool(plan.revisions)
        if plan.revisions:
            due.add(worker.device_id)
            sync.record_relayed(worker.device_id, plan.entity_ids, "0" * 64)
        assert not sync.relay_pending(worker.device_id, scope)
    # The third worker shares no record with the others: only "all" sends it theirs.
    expected = {
        "none": set(),
        "held-records": {scene.first.device_id, scene.second.device_id},
        "all": {scene.first.device_id, scene.second.device_id, scene.third.device_id},
    }[scope]
    assert due == expected


def test_fieldvault_sync_sends_back_through_the_workers_inbox(
    tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    """Through a real server: a worker's work arrives by ``fieldvault sync``;
    nothing is due back. The coordinator then edits the worker's testimony;
    its next ``sync`` uploads that worker's send-back bundle (``sent_back``),
    and the worker's next ``sync`` imports it from its inbox (docs/sync.md §9)."""
    with organisation(tmp_path) as org:
        worker = org.worker("anna")
        work = record_work(worker, tmp_path, "anna")
        anna_id = worker.device_id
        worker.lock()
        org.coordinator.lock()
        anna, coordinator = Cli(worker.folder, isolated_env), Cli(org.coordinator.folder, isolated_env)
        assert anna.json("sync", secrets=[PASSPHRASE])["sent"] == 1
        pulled = coordinator.json("sync", secrets=[PASSPHRASE])
        assert pulled["received"] == 1 and pulled["sent_back"] == []
        opened = Vault.open(org.coordinator.folder, PASSPHRASE, keyring=NoKeyring())
        try:
            opened.testimonies.edit(work.testimony_id, title="anna (checked by the desk)")
        finally:
            opened.lock()
        again = coordinator.json("sync", secrets=[PASSPHRASE])
        assert again["received"] == 0 and [s["device_id"] for s in again["sent_back"]] == [anna_id]
        said = coordinator.run("sync", secrets=[PASSPHRASE]).stdout
        assert "Sent back" not in said  # nothing more is due
        taken = anna.json("sync", secrets=[PASSPHRASE])
        assert taken["received"] == 1
        assert [b["device_id"] for b in taken["inbox"]] == [org.coordinator.device_id]
        opened = Vault.open(worker.folder, PASSPHRASE, keyring=NoKeyring())
        try:
            assert opened.testimonies.get(work.testimony_id).title == "anna (checked by the desk)"
        finally:
            opened.lock()
        assert anna.json("sync", secrets=[PASSPHRASE])["received"] == 0
