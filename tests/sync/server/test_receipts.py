"""The receipt log a coordinator checks over time (docs/server.md §4): a
stretch read later joins the head it kept; a rewritten, dropped, reordered
or re-signed entry does not."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.server.protocol import GENESIS
from sync.server.receipts import Receipt, ReceiptInvalid, check_log, make_entry, sign_entry

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes_raw()


def log(count: int, key: Ed25519PrivateKey = KEY, *, rewritten_from: int = 0) -> list[Receipt]:
    """Entries 1..count; from ``rewritten_from`` on, other contents."""
    receipts, previous = [], GENESIS
    for index in range(1, count + 1):
        size = index + (1000 if rewritten_from and index >= rewritten_from else 0)
        entry = make_entry(index, previous, {"bundle_id": f"{index:064x}", "size": size})
        receipts.append(Receipt(index, entry, sign_entry(key, entry)))
        previous = hashlib.sha256(entry).hexdigest()
    return receipts


def test_a_later_stretch_joins_the_head_kept_before() -> None:
    full = log(6)
    head = check_log(full[:3], PUBLIC)
    assert head == full[2].sha256
    assert check_log(full[3:], PUBLIC, after=full[2]) == full[5].sha256


def test_a_rewritten_entry_is_found_even_if_re_signed() -> None:
    full = log(4)
    forged_entry = full[1].entry.replace(b'"size":2', b'"size":9')
    forged = Receipt(2, forged_entry, sign_entry(KEY, forged_entry))  # the server re-signs its lie
    with pytest.raises(ReceiptInvalid, match="receipt 3"):
        check_log([full[0], forged, full[2], full[3]], PUBLIC)
    with pytest.raises(ReceiptInvalid, match="signature"):
        check_log([full[0], Receipt(2, forged_entry, full[1].signature)], PUBLIC)


@pytest.mark.parametrize("cut", ["dropped", "reordered", "other key", "rewound"])
def test_gaps_reorders_and_other_signers_are_found(cut: str) -> None:
    full = log(5)
    if cut == "dropped":
        stretch = full[:2] + full[3:]
    elif cut == "reordered":
        stretch = [full[0], full[2], full[1], full[3]]
    elif cut == "other key":
        stretch = log(5, Ed25519PrivateKey.generate())
    else:  # the coordinator kept entry 4; the server then rewrote its log from entry 4 on
        rebuilt = log(5, rewritten_from=4)
        assert check_log(rebuilt, PUBLIC)  # consistent in itself…
        with pytest.raises(ReceiptInvalid, match="receipt 5"):
            check_log(rebuilt[4:], PUBLIC, after=full[3])  # …but not with what was seen
        return
    with pytest.raises(ReceiptInvalid):
        check_log(stretch, PUBLIC)
