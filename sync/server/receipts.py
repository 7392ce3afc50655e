"""Receipts: the server's signed, hash-chained log of what it accepted.

Entry n is canonical JSON naming the SHA-256 of entry n-1 (``previous``),
signed by the server's Ed25519 key over RECEIPT_DOMAIN ‖ entry. A client
keeps the last entry it saw and later asks for the log from there: if the
server rewrote or dropped anything, the hashes no longer join
(``check_log``). docs/server.md, "Receipts".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.server.protocol import GENESIS, RECEIPT_DOMAIN, RECEIPT_FORMAT, b64, canonical, receipt_hash, unb64


class ReceiptInvalid(Exception):
    """A receipt or a stretch of the log does not verify; names the index."""


@dataclass(frozen=True)
class Receipt:
    index: int
    entry: bytes  # canonical JSON, as signed
    signature: bytes

    @property
    def sha256(self) -> str:
        return receipt_hash(self.entry)

    @property
    def body(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.entry)
        return value

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "entry": b64(self.entry), "signature": b64(self.signature)}

    @staticmethod
    def from_json(value: Any) -> Receipt:
        if not isinstance(value, dict) or set(value) != {"index", "entry", "signature"}:
            raise ReceiptInvalid("receipt form")
        entry, signature = unb64(value["entry"]), unb64(value["signature"], 64)
        if entry is None or signature is None or type(value["index"]) is not int:
            raise ReceiptInvalid("receipt form")
        return Receipt(value["index"], entry, signature)


def make_entry(index: int, previous: str, fields: dict[str, Any]) -> bytes:
    return canonical({"format": RECEIPT_FORMAT, "version": 1, "index": index, "previous": previous, **fields})


def sign_entry(key: Ed25519PrivateKey, entry: bytes) -> bytes:
    return key.sign(RECEIPT_DOMAIN + entry)


def verify_receipt(receipt: Receipt, server_key: bytes) -> dict[str, Any]:
    """The receipt's body once its signature and form are checked."""
    try:
        Ed25519PublicKey.from_public_bytes(server_key).verify(
            receipt.signature, RECEIPT_DOMAIN + receipt.entry
        )
    except (InvalidSignature, ValueError):
        raise ReceiptInvalid(f"receipt {receipt.index}: signature") from None
    try:
        body = receipt.body
    except ValueError:
        raise ReceiptInvalid(f"receipt {receipt.index}: form") from None
    if (
        not isinstance(body, dict)
        or body.get("format") != RECEIPT_FORMAT
        or body.get("index") != receipt.index
        or canonical(body) != receipt.entry
    ):
        raise ReceiptInvalid(f"receipt {receipt.index}: form")
    return body


def check_log(receipts: list[Receipt], server_key: bytes, *, after: Receipt | None = None) -> str:
    """Check a stretch of the log that follows ``after`` (None: the start)
    and return the SHA-256 of its last entry (the head a client keeps)."""
    previous = after.sha256 if after is not None else GENESIS
    index = after.index + 1 if after is not None else 1
    for receipt in receipts:
        body = verify_receipt(receipt, server_key)
        if receipt.index != index or body["previous"] != previous:
            raise ReceiptInvalid(f"receipt {receipt.index}: does not follow {index - 1}")
        previous, index = receipt.sha256, index + 1
    return previous
