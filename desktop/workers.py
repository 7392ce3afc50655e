"""Background work for the window: one QRunnable per slow vault operation.

Creating and unlocking a vault run Argon2id (about a second on purpose), and a
search over a large vault can take a noticeable moment, so they run on a
QThreadPool. A worker never touches a widget: it emits one report
object through a ``WorkerSignals`` holder that lives in the GUI thread, and the
queued connection delivers it there (STYLE.md, rule 3).

Reports carry no traceback: a traceback keeps the worker's frames alive, and
those frames hold the passphrase.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal

from db.errors import FieldvaultError
from db.keyring_store import KeyringStore
from db.keys import Argon2Params

if TYPE_CHECKING:
    # Not at import: the first screen imports this module, and the database
    # stack (SQLAlchemy, Alembic) loads after it shows (desktop/app.py).
    from db.services import SearchHit
    from db.vault import KeyringNotice, Vault


@dataclass(frozen=True)
class VaultCreated:
    vault: Vault
    recovery_key: str
    keyring_notice: KeyringNotice


@dataclass(frozen=True)
class VaultUnlocked:
    vault: Vault


@dataclass(frozen=True)
class OperationFailed:
    """``error`` is set for the vault's own errors (``str`` is safe to show);
    for anything else only the exception's type name is kept."""

    error: FieldvaultError | None
    error_type: str


class WorkerSignals(QObject):
    """Created in the GUI thread; workers emit, the window receives (queued)."""

    succeeded = Signal(object)
    failed = Signal(object)


def _failure(err: Exception) -> OperationFailed:
    if isinstance(err, FieldvaultError):
        return OperationFailed(err.with_traceback(None), type(err).__name__)
    return OperationFailed(None, type(err).__name__)


class CreateVaultWorker(QRunnable):
    def __init__(
        self,
        signals: WorkerSignals,
        folder: Path,
        passphrase: str,
        *,
        keyring: KeyringStore | None,
        argon2: Argon2Params | None,
    ) -> None:
        super().__init__()
        self._signals = signals
        self._folder = folder
        self._passphrase = passphrase
        self._keyring = keyring
        self._argon2 = argon2

    def run(self) -> None:
        passphrase, self._passphrase = self._passphrase, ""
        try:
            from db.vault import Vault  # loaded off the GUI thread (see the imports)

            created = Vault.create(self._folder, passphrase, keyring=self._keyring, argon2=self._argon2)
        except Exception as err:  # noqa: BLE001 - every failure becomes a report, none a traceback
            self._signals.failed.emit(_failure(err))
            return
        finally:
            del passphrase
        self._signals.succeeded.emit(VaultCreated(created.vault, created.recovery_key, created.keyring))


class UnlockVaultWorker(QRunnable):
    def __init__(
        self, signals: WorkerSignals, folder: Path, passphrase: str, *, keyring: KeyringStore | None
    ) -> None:
        super().__init__()
        self._signals = signals
        self._folder = folder
        self._passphrase = passphrase
        self._keyring = keyring

    def run(self) -> None:
        passphrase, self._passphrase = self._passphrase, ""
        try:
            from db.vault import Vault  # loaded off the GUI thread (see the imports)

            vault = Vault.open(self._folder, passphrase, keyring=self._keyring)
        except Exception as err:  # noqa: BLE001 - every failure becomes a report, none a traceback
            self._signals.failed.emit(_failure(err))
            return
        finally:
            del passphrase
        self._signals.succeeded.emit(VaultUnlocked(vault))


@dataclass(frozen=True)
class PassphraseChanged:
    pass


class ChangePassphraseWorker(QRunnable):
    """Two Argon2id runs (prove the current one, derive the new one)."""

    def __init__(self, signals: WorkerSignals, vault: Vault, current: str, new: str) -> None:
        super().__init__()
        self._signals = signals
        self._vault = vault
        self._secrets = (current, new)

    def run(self) -> None:
        (current, new), self._secrets = self._secrets, ("", "")
        try:
            self._vault.change_passphrase(current, new)
        except Exception as err:  # noqa: BLE001 - every failure becomes a report, none a traceback
            self._signals.failed.emit(_failure(err))
            return
        finally:
            del current, new
        self._signals.succeeded.emit(PassphraseChanged())


@dataclass(frozen=True)
class SearchFinished:
    ticket: int  # which search this answers: an older one is dropped
    hits: tuple[SearchHit, ...]
    bounded: bool = False  # only the newest matches were ranked (SearchResults.bounded)


@dataclass(frozen=True)
class SearchFailed:
    ticket: int
    failure: OperationFailed


class SearchSignals(QObject):
    finished = Signal(object)  # SearchFinished
    failed = Signal(object)  # SearchFailed


class SearchWorker(QRunnable):
    """One full-text search (a broad query on a large vault takes tens of
    milliseconds; a two-letter prefix typed into the box, hundreds)."""

    def __init__(self, signals: SearchSignals, vault: Vault, ticket: int, text: str) -> None:
        super().__init__()
        self._signals = signals
        self._vault: Vault | None = vault
        self._ticket = ticket
        self._text = text

    def run(self) -> None:
        vault, self._vault = self._vault, None
        report: SearchFinished | SearchFailed
        try:
            assert vault is not None
            results = vault.search.query(self._text, as_you_type=True)
            report = SearchFinished(self._ticket, tuple(results), results.bounded)
        except Exception as err:  # noqa: BLE001 - every failure becomes a report, none a traceback
            report = SearchFailed(self._ticket, _failure(err))
        finally:
            del vault
        # The view may be gone (locked meanwhile): nobody listens, nothing to do.
        with contextlib.suppress(RuntimeError):
            if isinstance(report, SearchFinished):
                self._signals.finished.emit(report)
            else:
                self._signals.failed.emit(report)
