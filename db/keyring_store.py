"""The optional second factor: a random secret kept in the OS keyring.

Only keyring backends that really protect secrets are accepted (an allow-list):
keyrings.alt's file backends base64-encode secrets in a plain file, which would
be worse than nothing because it looks like protection.
"""

from __future__ import annotations

import secrets
from typing import Protocol

SERVICE_NAME = "Fieldvault"
SECURE_BACKEND_MODULES = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
)


class KeyringStore(Protocol):
    """Where the keyring half of the passphrase key lives, per vault id."""

    def available(self) -> bool: ...

    def description(self) -> str: ...

    def get(self, vault_id: str) -> bytes | None: ...

    def put(self, vault_id: str, secret: bytes) -> None: ...

    def delete(self, vault_id: str) -> None: ...


def new_keyring_secret() -> bytes:
    return secrets.token_bytes(32)


class SystemKeyring:
    """The OS keyring through the ``keyring`` package, if a secure backend exists."""

    def _backend(self) -> object | None:
        import keyring
        from keyring.backends.chainer import ChainerBackend

        backend = keyring.get_keyring()
        candidates = backend.backends if isinstance(backend, ChainerBackend) else [backend]
        for candidate in candidates:
            if type(candidate).__module__.startswith(SECURE_BACKEND_MODULES):
                return candidate
        return None

    def available(self) -> bool:
        try:
            return self._backend() is not None
        except Exception:  # noqa: BLE001 - a broken D-Bus must not stop the vault
            return False

    def description(self) -> str:
        backend = self._backend()
        if backend is None:
            return "no secure keyring on this system"
        return type(backend).__module__.rsplit(".", 1)[-1]

    def get(self, vault_id: str) -> bytes | None:
        backend = self._backend()
        if backend is None:
            return None
        stored = backend.get_password(SERVICE_NAME, vault_id)  # type: ignore[attr-defined]
        return bytes.fromhex(stored) if stored else None

    def put(self, vault_id: str, secret: bytes) -> None:
        backend = self._backend()
        if backend is None:
            raise RuntimeError("no secure keyring")
        backend.set_password(SERVICE_NAME, vault_id, secret.hex())  # type: ignore[attr-defined]

    def delete(self, vault_id: str) -> None:
        backend = self._backend()
        if backend is None:
            return
        try:
            backend.delete_password(SERVICE_NAME, vault_id)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - absent entry: nothing to delete
            return


class NoKeyring:
    """Used when the user turned the keyring off, or in tests."""

    def available(self) -> bool:
        return False

    def description(self) -> str:
        return "keyring not used"

    def get(self, vault_id: str) -> bytes | None:
        return None

    def put(self, vault_id: str, secret: bytes) -> None:
        raise RuntimeError("keyring disabled")

    def delete(self, vault_id: str) -> None:
        return None


class MemoryKeyring:
    """A keyring that lives in this process: for tests of the two-factor path."""

    def __init__(self) -> None:
        self.secrets: dict[str, bytes] = {}

    def available(self) -> bool:
        return True

    def description(self) -> str:
        return "in-memory test keyring"

    def get(self, vault_id: str) -> bytes | None:
        return self.secrets.get(vault_id)

    def put(self, vault_id: str, secret: bytes) -> None:
        self.secrets[vault_id] = secret

    def delete(self, vault_id: str) -> None:
        self.secrets.pop(vault_id, None)
