"""The world of the coordinator-desk tests (issues 11 and 14), built once:
the Kyiv desk, which created the organisation and holds its key; the Lviv
desk, a coordinator added since with ``org add-coordinator`` (no key);
field workers enrolled by Kyiv; bundles carried on a USB stick (a folder)
or through a real server on loopback. And the steps those tests repeat:
join, add a desk, revoke a device, export, import and acknowledge by USB,
a sync round.

Two ways to build it, both real vaults:
- ``UsbDesks`` (fixture ``usb_desks``): no server; Kyiv from
  tests/sync/trust_fixtures.make_organisation, workers with recorded field
  work (tests/db/sync_fixtures.FieldWork).
- ``ServerDesks`` (fixture ``server_desks``): the organisation of
  tests/sync/client/sync_helpers (a real server named in its profile), Lviv
  added and the profile published, two workers Lviv knows by their cards.

Test modules take a fixture by importing it under the name their tests ask
for: ``from tests.sync.desk_world import usb_desks as desks``."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from db.api import Case, Device, SyncStateService, Vault, VaultImport
from sync import org_vault
from sync.acks import make_ack, sign_ack, take_ack
from sync.bundle import BlobSource, BundleContents, DeviceIdentity, write_bundle
from sync.bundle.admission import BundleQuarantined
from sync.bundle.format import VouchedDevice
from sync.bundle.hand_over import HandedOver, hand_over
from sync.bundle.quarantine import approve_bundle, release_held
from sync.bundle.vault_io import ExportedBundle, ImportedBundle, export_bundle, import_bundle
from sync.client.connection import session
from sync.client.errors import SyncFailed
from sync.client.org_link import publish_profile
from sync.client.push import PushResult, push
from sync.client.worker import SyncWorker
from sync.org import Profile, SignedProfile, verification_code
from tests.built_once import template
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.client.sync_helpers import (
    Org,
    SavedOrg,
    new_vault,
    quick_backoff,
    saved,
    saved_organisation,
)
from tests.sync.trust_fixtures import Organisation, current_profile, make_organisation
from tests.vault_helpers import open_vault

# -- the steps ---------------------------------------------------------------------------


def join(key_desk: Vault, folder: Path, *, token: str | None = None) -> Vault:
    """A new vault that joined the organisation with the key desk's current
    profile and its fingerprint (and ``token``, when given)."""
    vault = new_vault(folder)
    signed = org_vault.current_signed(key_desk)
    org_vault.enrol(vault, signed.signed, fingerprint_given=signed.profile.fingerprint, token=token)
    return vault


def add_desk(key_desk: Vault, folder: Path, *, label: str, publish: bool = False) -> Vault:
    """A coordinator desk added as ``org add-coordinator`` adds one: a new
    vault joins with the profile alone, the key desk adds it by its card (a
    new profile version, published to the server when ``publish``), and the
    new desk takes that version."""
    desk = join(key_desk, folder)
    added = org_vault.add_coordinator(key_desk, org_vault.own_device_card(desk).text, label=label)
    if publish:
        assert publish_profile(added.signed, added.profile).state == "done"
    org_vault.update_profile(desk, added.signed)
    return desk


def revoke(
    key_desk: Vault, device_id: str, *, publish: bool = False, tell: Iterable[Vault] = ()
) -> SignedProfile:
    """The key desk revokes a device (a new profile version), publishes it
    to the server when ``publish``, and the desks in ``tell`` take it."""
    signed = org_vault.revoke_device(key_desk, device_id)
    if publish:
        assert publish_profile(signed.signed, signed.profile).state == "done"
    for desk in tell:
        org_vault.update_profile(desk, signed.signed)
    return signed


def export_by_usb(vault: Vault, stick: Path) -> tuple[ExportedBundle, Profile]:
    """``fieldvault bundle export`` onto a stick: the vault's next bundle, to
    the coordinators of the profile it holds (and that profile)."""
    stick.mkdir(exist_ok=True)
    profile = org_vault.held_profile(vault)
    assert profile is not None
    recipients = [c.age_recipient for c in profile.coordinators]
    return export_bundle(vault, stick, recipients, profile.org_id, profile.version), profile


def import_by_usb(desk: Vault, path: Path, org_id: str) -> ImportedBundle:
    """``fieldvault bundle import`` at a desk."""
    return import_bundle(desk, path, desk.vault_keys.age_identity(), org_id=org_id)


def ack_by_usb(desk: Vault, worker: Vault, bundle_id: str) -> None:
    """The desk's acknowledgement of a bundle, taken by the worker
    (``bundle import --ack-to``, then the worker's import of the file)."""
    take_ack(worker, sign_ack(make_ack(desk, bundle_id), desk.sync.signing_key()))


def kyivs_edit_alone(
    kyiv: Vault, lviv: Vault, edit: str, stick: Path, blobs: Sequence[BlobSource] = ()
) -> Path:
    """A bundle of Kyiv's to the coordinators of the profile Lviv holds, its
    first, on the new folder ``stick``, carrying the revision ``edit`` alone
    (and ``blobs``): as one made when the server held the worker's bundle,
    or by an older build. Its path."""
    [wire] = [r.to_wire() for r in kyiv.revisions.all() if r.revision_id == edit]
    profile = org_vault.held_profile(lviv)
    assert profile is not None
    stick.mkdir()
    return write_bundle(
        stick / "kyiv-1.fvbundle",
        BundleContents(
            org_id=profile.org_id,
            profile_version=profile.version,
            sequence=1,
            previous=None,
            custody_head=None,
            revisions=[wire],
            blobs=blobs,
        ),
        DeviceIdentity(kyiv.sync.signing_key(), kyiv.device_id),
        [c.age_recipient for c in profile.coordinators],
    ).path


def signed_by(
    sender: Vault,
    desks: UsbDesks,
    dest: Path,
    *,
    prefix: str = "",
    revisions: Sequence[dict[str, Any]] = (),
    blobs: Sequence[BlobSource] = (),
    devices: Sequence[VouchedDevice] = (),
    sequence: int | None = None,
    name: str | None = None,
) -> Path:
    """A bundle signed by ``sender``'s own device key, whatever it carries,
    to the coordinators of the profile Lviv holds: no custody events,
    numbered ``sequence`` or else next after what Lviv imported of the
    sender, written into ``dest`` as ``name`` or else
    ``{prefix}{device id}-{sequence}.fvbundle``. Its path."""
    profile = org_vault.held_profile(desks.lviv)
    assert profile is not None
    known = desks.lviv.sync.device(sender.device_id)
    if sequence is None:
        sequence = (known.last_sequence if known is not None else 0) + 1
    previous = known.last_bundle_id if known is not None and sequence > 1 else None
    dest.mkdir(exist_ok=True)
    return write_bundle(
        dest / (name or f"{prefix}{sender.device_id}-{sequence}.fvbundle"),
        BundleContents(
            org_id=desks.org.org_id,
            profile_version=profile.version,
            sequence=sequence,
            previous=previous,
            custody_head=None,
            revisions=revisions,
            blobs=blobs,
            devices=devices,
        ),
        DeviceIdentity(sender.sync.signing_key(), sender.device_id),
        [c.age_recipient for c in profile.coordinators],
    ).path


def act_at_the_import_lock(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> list[str]:
    """``act`` runs once, when an import (an approval, a re-read) first asks
    for its write lock: in the window after what it decided before the
    lock. The class is wrapped, as ``vault.sync`` is made afresh at each
    use; any import asking for a lock after that is let through. Returns a
    list that says it ran."""
    begin = SyncStateService.begin_import
    ran: list[str] = []

    def begin_import(service: SyncStateService) -> AbstractContextManager[VaultImport]:
        if not ran:
            ran.append("ran")
            act()
        return begin(service)

    monkeypatch.setattr(SyncStateService, "begin_import", begin_import)
    return ran


def know_worker(desk: Vault, worker: Vault) -> None:
    """The desk enrols the worker from the card it handed over."""
    desk.sync.put_device(
        Device(worker.device_id, worker.device_public_key, worker.vault_keys.age_recipient(), "enrolled")
    )


# -- what a vault holds ------------------------------------------------------------------


def narratives(vault: Vault) -> set[str]:
    return {t.narrative for t in vault.testimonies.list()}


def stored_bytes(vault: Vault, data: bytes) -> bytes:
    """What the vault holds under ``data``'s SHA-256 (NotFound if nothing)."""
    with vault.sync.open_blob(hashlib.sha256(data).hexdigest()) as reader:
        return reader.read()


def assert_verified(*vaults: Vault) -> None:
    for vault in vaults:
        report = vault.verify()
        assert report.ok, report.problems


def heads_hash(vault: Vault) -> str:
    heads = vault.revisions.heads()
    text = json.dumps({entity: sorted(ids) for entity, ids in sorted(heads.items())})
    return hashlib.sha256(text.encode()).hexdigest()


# -- through the server ------------------------------------------------------------------


def desk_sync(vault: Vault) -> None:
    """A coordinator's sync round, run by the background worker's own code
    (pull, send back to the field, push to the coordinators)."""
    status = SyncWorker(vault, proxy=False).run_once()
    assert status.last_error is None, status.last_error


def worker_push(vault: Vault) -> PushResult:
    return push(vault, backoff=quick_backoff())


def push_offline(vault: Vault) -> None:
    """A push with no way to the server (a SOCKS proxy nobody listens on):
    the vault's next bundle is made into its spool, under the profile it
    holds, and not sent."""
    with pytest.raises(SyncFailed):
        push(vault, proxy="socks5://127.0.0.1:9", backoff=quick_backoff(1))


def desk_push(vault: Vault) -> PushResult:
    """A coordinator's push to the other coordinators alone."""
    return push(vault, backoff=quick_backoff(), coordinator=True)


def feed(vault: Vault) -> list[dict[str, object]]:
    """Every bundle the server lists to coordinators: its device and size."""
    with session(vault, proxy=None) as client:
        changes: list[dict[str, object]] = client.changes(cursor=0, limit=1000)["changes"]
        return changes


def bytes_by(changes: list[dict[str, object]], device_id: str) -> int:
    return sum(int(str(c["size"])) for c in changes if c["device_id"] == device_id)


@dataclass
class ServerDesks:
    org: Org
    lviv: Vault
    first: Vault
    second: Vault

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def registered(self, worker: Vault, *, title: str = "registered", lviv: bool = True) -> None:
        """The worker's first sync (a case of its own) registers it at the
        server; Kyiv's round pulls it, and Lviv's when ``lviv``."""
        worker.cases.create(Case(title=title))
        worker_push(worker)
        desk_sync(self.kyiv)
        if lviv:
            desk_sync(self.lviv)


# The server_desks world, built once per test process (the first test that
# asks for it) and copied for each test: see _saved_server_desks.
_SAVED_SERVER_DESKS: list[SavedOrg] = []


def _saved_server_desks(tmp_path_factory: pytest.TempPathFactory) -> SavedOrg:
    """Kyiv and Lviv with a real server, two workers ("first", "second")
    enrolled with Kyiv's tokens (valid for an hour: the workers present them
    at their first sync, in the tests) whose cards Lviv holds; closed."""
    if not _SAVED_SERVER_DESKS:
        with saved_organisation(tmp_path_factory.mktemp("server-desks")) as org:
            lviv = add_desk(org.coordinator, org.tmp / "lviv", label="Lviv", publish=True)
            first, second = org.worker("first"), org.worker("second")
            for worker in (first, second):
                know_worker(lviv, worker)
            lviv.lock()
        _SAVED_SERVER_DESKS.append(saved(org))
    return _SAVED_SERVER_DESKS[0]


@pytest.fixture
def server_desks(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerDesks]:
    """Kyiv and Lviv with a real server, two workers ("first", "second")
    enrolled with Kyiv's tokens whose cards Lviv holds: this test's own copy
    of every vault and of the server's data (sync_helpers.SavedOrg)."""
    with _saved_server_desks(tmp_path_factory).copy(tmp_path) as org:
        lviv = open_vault(tmp_path / "lviv")
        first, second = org.workers
        try:
            yield ServerDesks(org, lviv, first, second)
        finally:
            lviv.lock()


# The desk_added_after_the_worker world, built once per test process and
# copied for each test, as _SAVED_SERVER_DESKS.
_SAVED_DESK_AFTER_WORKER: list[SavedOrg] = []


def _saved_desk_after_worker(base: Path) -> SavedOrg:
    if not _SAVED_DESK_AFTER_WORKER:
        folder = Path(tempfile.mkdtemp(prefix="desk-added-after-the-worker-", dir=base))
        with saved_organisation(folder) as org:
            kyiv = org.coordinator
            worker = org.worker("early")
            worker.cases.create(Case(title="registered"))
            worker_push(worker)
            lviv = add_desk(kyiv, folder / "lviv", label="Lviv", publish=True)
            know_worker(lviv, worker)
            try:
                desk_sync(kyiv)
                desk_sync(lviv)
            finally:
                lviv.lock()
        _SAVED_DESK_AFTER_WORKER.append(saved(org))
    return _SAVED_DESK_AFTER_WORKER[0]


@contextmanager
def desk_added_after_the_worker(tmp_path: Path) -> Iterator[tuple[Vault, Vault, Vault]]:
    """Kyiv alone enrols a worker; then Lviv becomes a coordinator (a new
    profile version) while the worker, out in the field, keeps the old one:
    its bundles are encrypted to Kyiv only. (Kyiv, Lviv, the worker): this
    test's own copy of the vaults and of the server's data, after both desks'
    rounds (sync_helpers.SavedOrg)."""
    with _saved_desk_after_worker(tmp_path.parent).copy(tmp_path) as org:
        lviv = open_vault(tmp_path / "lviv")
        [worker] = org.workers
        try:
            yield org.coordinator, lviv, worker
        finally:
            lviv.lock()


# -- by USB alone ------------------------------------------------------------------------


class UsbDesks:
    """The Kyiv desk (created the organisation: its key, its tokens) and the
    Lviv desk (a coordinator of the profile, without the key); no server."""

    def __init__(self, tmp_path: Path) -> None:
        """Kyiv in ``tmp_path/coordinator`` (and the stick ``tmp_path/usb``),
        Lviv in ``tmp_path/desk2``. Inside a test's tmp_path, a copy of the
        two desks built once per test process (tests/built_once.py)."""
        self.tmp_path = tmp_path
        self.others: list[Vault] = []
        folders = [tmp_path / "coordinator", tmp_path / "usb", tmp_path / "desk2"]
        saved = template("usb-desks", folders, _saved_usb_desks)
        if saved is None:
            self.org: Organisation = make_organisation(tmp_path)
            self.lviv: Vault = add_desk(self.kyiv, tmp_path / "desk2", label="Lviv desk")
            return
        base, signed = saved
        for folder in folders:
            shutil.copytree(base / folder.name, folder, dirs_exist_ok=True)
        self.org = Organisation(open_vault(tmp_path / "coordinator"), signed, tmp_path / "usb", tmp_path)
        self.lviv = open_vault(tmp_path / "desk2")

    @property
    def kyiv(self) -> Vault:
        return self.org.coordinator

    def worker(self, name: str) -> FieldWork:
        """A field worker with recorded work, enrolled with one of Kyiv's tokens."""
        return self.org.worker(name, token=self.org.token())

    def to_lviv(self, path: Path) -> ImportedBundle:
        return import_by_usb(self.lviv, path, self.org.org_id)

    def hold_at_lviv(self, path: Path) -> BundleQuarantined:
        """Lviv's import of the bundle at ``path`` holds it in quarantine
        (and applies nothing); what it was held for."""
        with pytest.raises(BundleQuarantined) as held:
            self.to_lviv(path)
        return held.value

    def release_at_lviv(self) -> list[ImportedBundle]:
        released = release_held(self.lviv, self.lviv.vault_keys.age_identity(), org_id=self.org.org_id)
        assert all(r.refusal is None and not r.file_gone for r in released)
        return [r.imported for r in released if r.imported is not None]

    def approve_at_lviv(self, bundle_id: str, device: Vault) -> ImportedBundle:
        """Lviv approves the bundle it holds, ``bundle_id``, by the
        verification code of ``device`` (its coordinator compared it)."""
        profile = org_vault.held_profile(self.lviv)
        assert profile is not None
        return approve_bundle(
            self.lviv,
            bundle_id,
            verification_code(profile.org_key, device.device_public_key),
            self.lviv.vault_keys.age_identity(),
        )

    def kyiv_bundle(self) -> Path:
        """Kyiv's ordinary bundle, to every coordinator (``bundle export``)."""
        return self.org.export(self.kyiv).path

    def revoke(self, device_id: str) -> SignedProfile:
        """Kyiv revokes a device; Lviv takes the new profile."""
        return revoke(self.kyiv, device_id, tell=[self.lviv])

    def close(self) -> None:
        for vault in self.others:
            vault.lock()
        self.lviv.lock()
        self.org.close()


def _saved_usb_desks(base: Path) -> SignedProfile:
    """UsbDesks built afresh in ``base`` (outside any test's tmp_path) and
    closed: the profile Kyiv created (version 1, ``Organisation.signed``)."""
    made = UsbDesks(base)
    made.close()
    return made.org.signed


@pytest.fixture
def usb_desks(tmp_path: Path) -> Iterator[UsbDesks]:
    made = UsbDesks(tmp_path)
    yield made
    made.close()


# -- a vouch by a desk Kyiv added, lapsing after a hand-over ----------------------------


def odesa_adds_x_by_card(desks: UsbDesks) -> tuple[Vault, FieldWork]:
    """Kyiv adds the Odesa desk and Lviv takes that profile; field worker X
    joins with the profile alone (no token) and Odesa adds it by its card.
    (Odesa, X)"""
    odesa = add_desk(desks.kyiv, desks.tmp_path / "odesa", label="Odesa desk")
    desks.others.append(odesa)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    x = desks.org.worker("x")
    org_vault.add_device(odesa, org_vault.own_device_card(x.vault).text, label="X")
    return odesa, x


@dataclass(frozen=True)
class OdesaVouched:
    """Field worker X known by USB on the word of the Odesa desk."""

    odesa: Vault
    x: Vault
    first_case: Case  # X's, in the bundle Odesa took
    vouched_at_lviv: tuple[str, ...]  # the devices Odesa's bundle vouched for, taken at Lviv
    vouched_at_kyiv: tuple[str, ...]  # and at Kyiv


def odesa_vouches_for_x(desks: UsbDesks, tmp_path: Path) -> OdesaVouched:
    """Kyiv adds the Odesa desk and Lviv takes that profile; X joins with one
    of Kyiv's tokens and Odesa adds it by its card; Odesa takes X's bundle
    (its first case), and Odesa's bundle, vouching for X, is taken at Lviv
    and at Kyiv. The callers assert what it vouched for."""
    odesa = add_desk(desks.kyiv, tmp_path / "odesa", label="Odesa desk")
    desks.others.append(odesa)
    org_vault.update_profile(desks.lviv, current_profile(desks.kyiv))
    x = join(desks.kyiv, tmp_path / "x")
    desks.others.append(x)
    org_vault.add_device(odesa, org_vault.own_device_card(x).text, label="X")
    first_case = make_case(x, title="X's first case")
    import_by_usb(odesa, desks.org.export(x).path, desks.org.org_id)
    odesa_bundle = desks.org.export(odesa).path
    at_lviv = desks.to_lviv(odesa_bundle).vouched
    at_kyiv = desks.org.import_(odesa_bundle).vouched
    return OdesaVouched(odesa, x, first_case, at_lviv, at_kyiv)


@dataclass(frozen=True)
class HandedOverThenLapsed:
    """X's bundle 2 in Kyiv's history hand-over to Lviv, then Odesa removed."""

    vouched: OdesaVouched
    second: ExportedBundle  # X's bundle 2 (its case titled ``later``), received at Kyiv
    made: HandedOver  # Kyiv's hand-over to Lviv, made after it: not taken yet


def handed_over_then_lapsed(desks: UsbDesks, tmp_path: Path, later: str) -> HandedOverThenLapsed:
    """The held-received scene: after ``odesa_vouches_for_x``, X records a
    case titled ``later`` while Odesa's word stands; Kyiv takes X's bundle 2
    and makes its history hand-over to Lviv (on the stick ``tmp_path/stick``);
    then Kyiv removes Odesa and Lviv takes that profile, so X is pending at
    Lviv. Neither bundle 2 nor the hand-over is at Lviv yet."""
    vouched = odesa_vouches_for_x(desks, tmp_path)
    x = vouched.x
    make_case(x, title=later)
    second = desks.org.export(x)
    desks.org.import_(second.path)  # Kyiv received it
    stick = tmp_path / "stick"
    stick.mkdir()
    made = hand_over(desks.kyiv, stick, desks.lviv.device_id)
    org_vault.update_profile(
        desks.lviv, org_vault.remove_coordinator(desks.kyiv, vouched.odesa.device_id).signed
    )
    assert desks.lviv.sync.device(x.device_id).status == "pending"  # type: ignore[union-attr]
    return HandedOverThenLapsed(vouched, second, made)
