"""The history of pinned receipt keys (docs/sync.md §2.2 "Receipt keys over
time"): what a vault keeps, in which order, and the rule the log must follow
along it — the key never goes back to one pinned before the key of the entry
before it; a key pinned again after another is a new period of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import NoKeyring, SyncClientState, Vault
from sync.bundle.carried_receipts import keep_receipt_keys, receipt_key_history
from sync.client.receipt_audit import PinnedKeys, check_stretch
from sync.server.protocol import GENESIS
from sync.server.receipts import Receipt, ReceiptInvalid, make_entry, sign_entry
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

K1, K2, K3 = (Ed25519PrivateKey.generate() for _ in range(3))


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def _log(*signers: Ed25519PrivateKey) -> list[Receipt]:
    """Entries 1… chained, entry i signed by ``signers[i - 1]``."""
    receipts, previous = [], GENESIS
    for index, key in enumerate(signers, start=1):
        entry = make_entry(index, previous, {"bundle_id": f"{index:064x}"})
        receipt = Receipt(index, entry, sign_entry(key, entry))
        receipts.append(receipt)
        previous = receipt.sha256
    return receipts


def test_the_log_follows_the_keys_in_the_order_pinned() -> None:
    pinned = PinnedKeys((_raw(K1), _raw(K2)))
    check_stretch(pinned, _log(K1, K1, K2, K2))  # the switch after entry 2
    log = _log(K1, K1, K2, K2)
    check_stretch(pinned, log[2:], after=log[1])  # read on from a head under the old key
    with pytest.raises(ReceiptInvalid):
        check_stretch(pinned, _log(K1, K2, K1))  # back to the old key after the new one
    with pytest.raises(ReceiptInvalid):
        check_stretch(pinned, _log(K1, K3))  # a key the organisation never pinned
    back = _log(K1, K2, K1)
    with pytest.raises(ReceiptInvalid):
        check_stretch(pinned, back[2:], after=back[1])  # read on from a new-key head: no old key
    # Pinned again after another: a new period of the first key.
    check_stretch(PinnedKeys((_raw(K1), _raw(K2), _raw(K1))), _log(K1, K2, K1))


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    made = Vault.create(tmp_path / "v", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    yield made
    made.lock()


def test_the_vault_keeps_the_keys_in_the_order_they_were_pinned(vault: Vault) -> None:
    state = SyncClientState.of(vault)
    assert receipt_key_history(state) == []
    keep_receipt_keys(state, None, [_raw(K2)])  # a profile pinning K2 taken first
    # The key remembered at a login before the history existed is older: first.
    assert keep_receipt_keys(state, _raw(K1), []) == [_raw(K1), _raw(K2)]
    assert keep_receipt_keys(state, _raw(K1), [_raw(K2)]) == [_raw(K1), _raw(K2)]  # nothing new
    assert keep_receipt_keys(state, _raw(K2), [_raw(K1)]) == [_raw(K1), _raw(K2), _raw(K1)]
    assert receipt_key_history(state) == [_raw(K1), _raw(K2), _raw(K1)]
