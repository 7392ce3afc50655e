"""USB worlds (tests/sync/trust_fixtures.Organisation, no server) built once
per test process and copied for each test, as sync_helpers.SavedOrg does for
worlds with a server.

A module whose tests all start from the same desks, workers and bundles
builds them once (the first test that asks), locks every vault and keeps the
folder; each test then gets its own ``shutil.copytree`` of it and opens the
vaults again, so tests that change the world stay apart and no two vaults of
one test share an identity. Building the same world for every test was most
of those modules' time (the vault creations, the field work's evidence, the
first bundles and their imports).

A copy is the world as built: what the build recorded (profile versions,
bundles, tokens spent) is the same whatever the clock says when a test
runs. A build must therefore leave nothing that depends on when it ran and
that a test may meet later, such as an unspent token with a short life: a
test issues its own."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import pytest

from db.api import Vault
from sync.org import SignedProfile
from tests.db.sync_fixtures import FieldWork
from tests.sync.desk_world import UsbDesks
from tests.sync.trust_fixtures import Organisation
from tests.vault_helpers import open_vault

M = TypeVar("M")


@dataclass(frozen=True)
class _Worker:
    """A FieldWork without its open vault: what reopens it in a copy."""

    folder: str
    case_id: str
    evidence_id: str
    sha256: str
    data: bytes


@dataclass(frozen=True)
class SavedUsbOrg:
    """An Organisation and other desks' vaults (by folder name), closed and
    kept in ``folder``."""

    folder: Path
    signed: SignedProfile
    workers: tuple[_Worker, ...]
    desks: tuple[str, ...]

    @contextmanager
    def copy(self, tmp: Path) -> Iterator[tuple[Organisation, dict[str, Vault]]]:
        """This test's own copy in ``tmp``: the Organisation (``tmp_path``,
        the USB folder and every vault in ``tmp``) and the other desks by
        name; every vault is locked again at the end."""
        org, desks = self.open_copy(tmp)
        try:
            yield org, desks
        finally:
            for vault in [*desks.values(), *(w.vault for w in org.workers), org.coordinator]:
                vault.lock()

    def open_copy(self, tmp: Path) -> tuple[Organisation, dict[str, Vault]]:
        """As ``copy``, the vaults left open: the caller locks them
        (``Organisation.close`` and each desk's ``lock``)."""
        shutil.copytree(self.folder, tmp, dirs_exist_ok=True)
        opened: list[Vault] = []
        try:
            coordinator = open_vault(tmp / "coordinator")
            opened.append(coordinator)
            org = Organisation(coordinator, self.signed, tmp / "usb", tmp)
            for worker in self.workers:
                vault = open_vault(tmp / worker.folder)
                opened.append(vault)
                org.workers.append(
                    FieldWork(vault, worker.case_id, worker.evidence_id, worker.sha256, worker.data)
                )
            desks: dict[str, Vault] = {}
            for name in self.desks:
                desks[name] = open_vault(tmp / name)
                opened.append(desks[name])
        except BaseException:
            for vault in opened:
                vault.lock()
            raise
        return org, desks


def save(org: Organisation, desks: Mapping[str, Vault]) -> SavedUsbOrg:
    """Lock every vault of a world built in ``org.tmp_path`` (each desk in
    ``desks`` in the folder of its name there) and keep it as folders."""
    for name, desk in desks.items():
        assert Path(desk.folder) == org.tmp_path / name, (desk.folder, name)
        desk.lock()
    org.close()
    workers = tuple(
        _Worker(Path(w.vault.folder).name, w.case_id, w.evidence_id, w.sha256, w.data) for w in org.workers
    )
    return SavedUsbOrg(org.tmp_path, org.signed, workers, tuple(desks))


# Per test process: name -> (the saved world, what its build returned beside it).
_BUILT: dict[str, tuple[SavedUsbOrg, object]] = {}


def built_once(
    name: str,
    base: pytest.TempPathFactory | Path,
    build: Callable[[Path], tuple[SavedUsbOrg, M]],
) -> tuple[SavedUsbOrg, M]:
    """The world ``build`` makes in an empty folder (and returns saved, with
    what its tests need to know of it), built by the first test of this
    process that asks for ``name``, in a folder of pytest's base temp
    (``base``: its factory, or a folder beside the test's tmp_path)."""
    if name not in _BUILT:
        if isinstance(base, Path):
            folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=base))
        else:
            folder = base.mktemp(name)
        _BUILT[name] = build(folder)
    saved, meta = _BUILT[name]
    return saved, cast(M, meta)


def rebased(folder: Path, tmp: Path) -> Callable[[Path], Path]:
    """Maps a path in a saved world's ``folder`` to the same path in a test's copy."""
    return lambda path: tmp / path.relative_to(folder)


def usb_desks_of(org: Organisation, lviv: Vault) -> UsbDesks:
    """The UsbDesks of a copy whose second desk is ``lviv`` (saved as
    ``desk2``, where UsbDesks builds it), as UsbDesks(tmp) builds them."""
    desks = object.__new__(UsbDesks)
    desks.tmp_path = org.tmp_path
    desks.org = org
    desks.lviv = lviv
    desks.others = []
    return desks
