"""An organisation in which a revocation froze records (review 11 F2), for
the revocation-impact tests (tests/db/test_revocation_impact.py, the CLI's
and the devices view's): real vaults, bundles through a folder standing for
a USB stick (tests/sync/desk_world.py ``UsbDesks``).

The story: Kyiv (the key desk) and Lviv (a second desk); the organisation
sends everything back to the field (``send_to_workers = all``). A field
worker records its work (a case, a testimony, a photo); Kyiv takes it by
USB and sends its own case back to the worker, who edits it (the
seized-laptop move of review 11 F2: a trivial edit of another's record).
Kyiv takes that edit, makes a bundle for the desks (``stale``: made before
the revocation), then checks its case again (an edit descending from the
worker's). Kyiv took Lviv's first bundle (empty) before all this, so that
each desk knows the other reads a re-root (docs/sync.md §2.3 "Old
readers"). The organisation revokes the worker; Lviv takes the new
profile, then the stale bundle (the worker's revisions are left out
there) and Kyiv's next one (which holds them, and Kyiv's edit, back).

Both worlds (``build`` and ``build_before_revocation``) are built once per
test process and copied into each test that asks (tests/sync/usb_world.py),
as long as the test's desks are still as ``usb_desks`` made them: its own
two desks are then locked and left where they are, and ``desks`` holds the
copy's (in ``desks.tmp_path``, a folder of the test's tmp_path). A test that
changed its desks first gets the world built on them, as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from db.api import Vault
from sync import org_vault
from sync.bundle.send_back import send_back
from sync.bundle.vault_io import import_bundle
from sync.merge.frozen_records import revoked_devices
from tests.db.sync_fixtures import FieldWork
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks
from tests.sync.usb_world import SavedUsbOrg, built_once, rebased, save

KYIV_TITLE = "Kyiv's case"
FIELD_EDIT = "touched in the field"
KYIV_CHECK = "checked at the Kyiv desk"


@dataclass
class FrozenWorld:
    desks: UsbDesks
    field: FieldWork
    kyiv_case: str  # Kyiv's case, edited by the worker, then by Kyiv
    control_case: str  # another case of Kyiv's, never touched by the worker
    worker_records: frozenset[str]  # every record the worker wrote in (Kyiv's case among them)

    @property
    def kyiv(self) -> Vault:
        return self.desks.kyiv

    @property
    def lviv(self) -> Vault:
        return self.desks.lviv

    @property
    def worker_id(self) -> str:
        return self.field.vault.device_id

    def worker_revisions_of(self, entity_id: str) -> int:
        return sum(
            1
            for rev in self.kyiv.revisions.all()
            if rev.entity_id == entity_id and rev.device_id == self.worker_id
        )


def revoked_here(vault: Vault) -> frozenset[str]:
    """The devices the newest profile this vault holds revokes, as the CLI
    and the devices view read them (never the vault's own)."""
    return revoked_devices(vault)


def build_before_revocation(desks: UsbDesks) -> tuple[FieldWork, str, str, Path]:
    """The world up to the revocation: (the worker, Kyiv's case, the control
    case, the stale bundle Kyiv made for the desks)."""

    def made(desks: UsbDesks) -> tuple[str, str, Path]:
        _field, kyiv_case, control, stale = _build_before_revocation(desks)
        return kyiv_case, control, stale

    copied = _copy_of("revocation-world-before", desks, made)
    if copied is None:
        return _build_before_revocation(desks)
    field, kyiv_case, control, stale = copied
    return field, kyiv_case, control, rebased(_saved_folder("revocation-world-before"), desks.tmp_path)(stale)


def build(desks: UsbDesks) -> FrozenWorld:
    def made(desks: UsbDesks) -> tuple[str, str, frozenset[str]]:
        world = _build(desks)
        return world.kyiv_case, world.control_case, world.worker_records

    copied = _copy_of("revocation-world", desks, made)
    if copied is None:
        return _build(desks)
    field, kyiv_case, control, worker_records = copied
    return FrozenWorld(desks, field, kyiv_case, control, worker_records)


def _build_before_revocation(desks: UsbDesks) -> tuple[FieldWork, str, str, Path]:
    org_vault.set_policy(desks.kyiv, send_to_workers="all")
    org_vault.update_profile(desks.lviv, org_vault.current_signed(desks.kyiv).signed)
    # Lviv's first bundle (empty) taken at Kyiv: the desks have each declared
    # they read a re-root (Kyiv's at Lviv with ``stale``), as a re-root asks
    # of every enrolled device (db/reroot.py ``old_readers``).
    desks.org.import_(desks.org.export(desks.lviv).path)
    field = desks.worker("field")
    desks.org.import_(desks.org.export(field.vault).path)  # Kyiv enrols the worker by its bundle
    kyiv_case = make_case(desks.kyiv, title=KYIV_TITLE).id
    control = make_case(desks.kyiv, title="Kyiv's other case").id
    sent = send_back(desks.kyiv, desks.org.usb, field.vault.device_id)
    assert sent is not None
    import_bundle(field.vault, sent.path, field.vault.vault_keys.age_identity(), org_id=desks.org.org_id)
    field.vault.cases.edit(kyiv_case, title=FIELD_EDIT)
    desks.org.import_(desks.org.export(field.vault).path)
    assert desks.kyiv.cases.get(kyiv_case).title == FIELD_EDIT
    stale = desks.kyiv_bundle()  # before the revocation: carries the worker's revisions
    desks.kyiv.cases.edit(kyiv_case, title=KYIV_CHECK)  # descends from the worker's edit
    return field, kyiv_case, control, stale


def _build(desks: UsbDesks) -> FrozenWorld:
    field, kyiv_case, control, stale = _build_before_revocation(desks)
    desks.revoke(field.vault.device_id)
    assert desks.to_lviv(stale).withheld_revisions
    later = desks.kyiv_bundle()
    desks.to_lviv(later)
    worker_records = frozenset(
        rev.entity_id for rev in desks.kyiv.revisions.all() if rev.device_id == field.vault.device_id
    )
    return FrozenWorld(desks, field, kyiv_case, control, worker_records)


# -- built once per test process ---------------------------------------------------------


def _as_made(desks: UsbDesks) -> tuple[object, ...]:
    """What a test may have changed of its usb_desks before asking for a
    world: equal to a fresh UsbDesks' when it changed nothing."""
    kyiv, lviv = desks.kyiv, desks.lviv
    profile, held = org_vault.held_profile(kyiv), org_vault.held_profile(lviv)
    assert profile is not None and held is not None
    return (
        profile.version,
        held.version,
        len(profile.coordinators),
        profile.revoked,
        profile.send_to_workers,
        len(kyiv.revisions.all()),
        len(lviv.revisions.all()),
        len(kyiv.sync.devices()),
        len(lviv.sync.devices()),
        len(kyiv.sync.sent_bundles()),
        len(lviv.sync.sent_bundles()),
        len(desks.org.workers),
        len(desks.others),
        sorted(path.name for path in desks.org.usb.iterdir()),
    )


_WORLD = "world"  # the copy's folder in the test's tmp_path
T = TypeVar("T")


def _saved_folder(name: str) -> Path:
    return _SAVED[name]


_SAVED: dict[str, Path] = {}  # name -> the saved world's folder, once built


def _copy_of(
    name: str, desks: UsbDesks, make: Callable[[UsbDesks], tuple[str, str, T]]
) -> tuple[FieldWork, str, str, T] | None:
    """The worker and what ``make`` returned when it built the world
    ``name`` once, after pointing ``desks`` at this test's copy of it; None
    (build on ``desks``) when the test changed its desks first."""
    base = desks.tmp_path.parent  # pytest's base temp: never inside a test's tmp_path

    def built(folder: Path) -> tuple[SavedUsbOrg, tuple[tuple[object, ...], tuple[str, str, T]]]:
        made = UsbDesks(folder)
        state = _as_made(made)
        result = make(made)
        return save(made.org, {"desk2": made.lviv}), (state, result)

    saved, (state, (kyiv_case, control, more)) = built_once(name, base, built)
    _SAVED[name] = saved.folder
    if _as_made(desks) != state:
        return None
    # The test's own desks, unused from here: locked, left where the fixture made them.
    desks.lviv.lock()
    desks.org.close()
    folder = desks.tmp_path / _WORLD
    org, copied = saved.open_copy(folder)
    desks.tmp_path, desks.org, desks.lviv = folder, org, copied["desk2"]
    [field] = org.workers
    return field, kyiv_case, control, more
