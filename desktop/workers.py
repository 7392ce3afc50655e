"""The vault's slow operations as tasks (``desktop.tasks``): plain callables
that the window and the settings dialog run on the runner's lanes.

Creating and unlocking a vault run Argon2id (about a second on purpose), a
passphrase change runs it twice, and a search over a large vault can take a
noticeable moment. Each task takes its secrets out of itself when it runs, so
nothing it was given outlives the run; results are small frozen reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from db.api import Argon2Params, KeyringStore
from desktop.tasks import OperationFailed, TaskContext

if TYPE_CHECKING:
    # Not at import: the first screen imports this module, and the database
    # stack (SQLAlchemy, Alembic) loads after it shows (desktop/app.py).
    from db.api import KeyringNotice, SearchHit, Vault

__all__ = [
    "ChangePassphrase",
    "CreateVault",
    "OperationFailed",
    "PassphraseChanged",
    "Search",
    "SearchFinished",
    "UnlockVault",
    "VaultCreated",
    "VaultUnlocked",
]


@dataclass(frozen=True)
class VaultCreated:
    vault: Vault
    recovery_key: str
    keyring_notice: KeyringNotice


@dataclass(frozen=True)
class VaultUnlocked:
    vault: Vault


@dataclass(frozen=True)
class PassphraseChanged:
    pass


class CreateVault:
    def __init__(
        self, folder: Path, passphrase: str, *, keyring: KeyringStore | None, argon2: Argon2Params | None
    ) -> None:
        self._folder = folder
        self._passphrase = passphrase
        self._keyring = keyring
        self._argon2 = argon2

    def __call__(self, _context: TaskContext) -> VaultCreated:
        passphrase, self._passphrase = self._passphrase, ""
        try:
            from db.api import Vault  # loaded off the GUI thread (see the imports)

            created = Vault.create(self._folder, passphrase, keyring=self._keyring, argon2=self._argon2)
        finally:
            del passphrase
        return VaultCreated(created.vault, created.recovery_key, created.keyring)


class UnlockVault:
    def __init__(self, folder: Path, passphrase: str, *, keyring: KeyringStore | None) -> None:
        self._folder = folder
        self._passphrase = passphrase
        self._keyring = keyring

    def __call__(self, _context: TaskContext) -> VaultUnlocked:
        passphrase, self._passphrase = self._passphrase, ""
        try:
            from db.api import Vault  # loaded off the GUI thread (see the imports)

            vault = Vault.open(self._folder, passphrase, keyring=self._keyring)
        finally:
            del passphrase
        return VaultUnlocked(vault)


class ChangePassphrase:
    """Two Argon2id runs (prove the current one, derive the new one)."""

    def __init__(self, vault: Vault, current: str, new: str) -> None:
        self._vault: Vault | None = vault
        self._secrets = (current, new)

    def __call__(self, _context: TaskContext) -> PassphraseChanged:
        (current, new), self._secrets = self._secrets, ("", "")
        vault, self._vault = self._vault, None
        try:
            assert vault is not None, "a task runs once"
            vault.change_passphrase(current, new)
        finally:
            del current, new, vault
        return PassphraseChanged()


@dataclass(frozen=True)
class SearchFinished:
    ticket: int  # which search this answers: an older one is dropped
    hits: tuple[SearchHit, ...]
    bounded: bool = False  # only the newest matches were ranked (SearchResults.bounded)


class Search:
    """One full-text search (a broad query on a large vault takes tens of
    milliseconds; a two-letter prefix typed into the box, hundreds)."""

    def __init__(self, vault: Vault, ticket: int, text: str) -> None:
        self._vault: Vault | None = vault
        self.ticket = ticket
        self._text = text

    def __call__(self, _context: TaskContext) -> SearchFinished:
        vault, self._vault = self._vault, None
        try:
            assert vault is not None, "a task runs once"
            results = vault.search.query(self._text, as_you_type=True)
        finally:
            del vault
        return SearchFinished(self.ticket, tuple(results), results.bounded)
