"""Independent time for the receipt log: RFC 3161 time-stamps from a
time-stamping authority (TSA) the operator configures, so a court can see
that the log, and every bundle it names, existed by a time that no party to
the case controls (docs/server.md, "Independent time").

What is stamped is a *checkpoint*: a few lines of ASCII naming the log (the
server's receipt key), its size and its head (the SHA-256 of the last
entry, receipts.py). The TSA signs the SHA-256 of those bytes. The
checkpoint is kept beside the token, so anyone can check both with standard
tools and no code of ours::

    openssl ts -verify -in N.tsr -data N.checkpoint -CAfile tsa-ca.pem

and then that the checkpoint's head is the hash of entry N of the log. The
log's hash chain carries the time back to every earlier entry.

ASN.1 and CMS are handled by rfc3161-client (request, parsing, signature
and chain checks); asn1crypto only re-sorts the certificate set of a
response into DER order first (see _der_certificate_order).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from asn1crypto import cms, tsp
from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    TimeStampRequest,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

CHECKPOINT_FORMAT = "fieldvault-receipt-log-checkpoint v1"
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
# A response is a signed TSTInfo plus a few certificates: a few KiB.
MAX_RESPONSE = 256 * 1024
SHA256_OID = "2.16.840.1.101.3.4.2.1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_ORIGIN = re.compile(r"[0-9a-f]{16,128}")


class TimestampError(Exception):
    """Getting or checking a time-stamp failed; ``code`` says which step
    (tsa-unreachable, tsa-http, tsa-response, tsa-refused, tsa-mismatch,
    tsa-untrusted, checkpoint-form)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


@dataclass(frozen=True)
class LogCheckpoint:
    """What a time-stamp vouches for: the log of the server whose receipt
    key is ``origin`` (hex) held ``size`` entries, the last hashing to
    ``head`` (hex SHA-256; protocol.GENESIS for an empty log)."""

    origin: str
    size: int
    head: str

    def __post_init__(self) -> None:
        if not _ORIGIN.fullmatch(self.origin) or not _HEX64.fullmatch(self.head):
            raise TimestampError("checkpoint-form", "origin and head are lowercase hex")
        if type(self.size) is not int or self.size < 0:
            raise TimestampError("checkpoint-form", "size is a count of entries")

    def to_bytes(self) -> bytes:
        return f"{CHECKPOINT_FORMAT}\norigin {self.origin}\nsize {self.size}\nhead {self.head}\n".encode(
            "ascii"
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> LogCheckpoint:
        match = re.fullmatch(
            rb"(?P<format>[^\n]*)\norigin (?P<origin>[0-9a-f]+)\nsize (?P<size>0|[1-9][0-9]{0,18})\n"
            rb"head (?P<head>[0-9a-f]{64})\n",
            data,
        )
        if match is None or match["format"] != CHECKPOINT_FORMAT.encode("ascii"):
            raise TimestampError("checkpoint-form", "not a receipt-log checkpoint")
        return cls(match["origin"].decode("ascii"), int(match["size"]), match["head"].decode("ascii"))

    @property
    def digest(self) -> bytes:
        """The message imprint the TSA signs: SHA-256 of the checkpoint."""
        return hashlib.sha256(self.to_bytes()).digest()


@dataclass(frozen=True)
class LogTimestamp:
    checkpoint: LogCheckpoint
    response: bytes  # the TSA's TimeStampResp as received (DER): `openssl ts -verify -in`
    gen_time: datetime
    serial_number: int
    policy: str


def build_request(checkpoint: LogCheckpoint) -> TimeStampRequest:
    """A TimeStampReq for the checkpoint: SHA-256 imprint, a random nonce,
    and the TSA's certificate asked for, so the token verifies on its own."""
    return (
        TimestampRequestBuilder()
        .data(checkpoint.to_bytes())
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )


def _der_certificate_order(response: bytes) -> bytes:
    """The response with its certificate SET in DER order.

    RFC 5652 makes ``certificates`` a SET OF, which DER sorts; OpenSSL (and
    TSAs built on it) writes them in chain order instead, and
    rfc3161-client's strict parser refuses that. The set is not covered by
    the signature (only the signed attributes and the TSTInfo are), so
    re-sorting it changes nothing that is checked. The original bytes are
    what we store and what `openssl ts -verify` reads."""
    try:
        parsed = tsp.TimeStampResp.load(response, strict=True)
        token = parsed["time_stamp_token"]
        if token.native is None:
            return response
        signed = token["content"]
        certificates = signed["certificates"]
        if certificates.native is None or len(certificates) < 2:
            return response
        ordered = sorted(choice.dump() for choice in certificates)
        signed["certificates"] = cms.CertificateSet([cms.CertificateChoices.load(der) for der in ordered])
        normalised: bytes = parsed.dump()
        return normalised
    except (ValueError, TypeError, KeyError):
        return response  # left to rfc3161-client to refuse with its reason


def _decode(response: bytes) -> TimeStampResponse:
    try:
        return decode_timestamp_response(_der_certificate_order(response))
    except ValueError as exc:
        raise TimestampError("tsa-response", f"not a time-stamp response ({exc})") from None


def _check(
    decoded: TimeStampResponse,
    checkpoint: LogCheckpoint,
    roots: Sequence[x509.Certificate],
    request: TimeStampRequest | None,
    tsa_certificate: x509.Certificate | None,
) -> None:
    if not roots:
        raise TimestampError("tsa-untrusted", "no TSA root certificate configured")
    if decoded.status not in (0, 1):  # granted, granted with modifications
        raise TimestampError("tsa-refused", f"status {decoded.status}")
    imprint = decoded.tst_info.message_imprint
    if imprint.hash_algorithm.dotted_string != SHA256_OID:
        raise TimestampError("tsa-mismatch", "the token is not over a SHA-256 imprint")
    if imprint.message != checkpoint.digest:
        raise TimestampError("tsa-mismatch", "the token stamps another checkpoint")
    if request is not None and decoded.tst_info.nonce != request.nonce:
        raise TimestampError("tsa-mismatch", "the reply's nonce is not the request's (a replayed reply)")
    builder = VerifierBuilder.from_request(request) if request is not None else VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    if tsa_certificate is not None:
        builder = builder.tsa_certificate(tsa_certificate)
    try:
        builder.build().verify(decoded, checkpoint.digest)
    except VerificationError as exc:
        raise TimestampError("tsa-untrusted", str(exc)) from None


def request_timestamp(
    tsa_url: str,
    checkpoint: LogCheckpoint,
    roots: Sequence[x509.Certificate],
    *,
    tsa_certificate: x509.Certificate | None = None,
    timeout: float = 30.0,
    client: httpx.Client | None = None,
) -> LogTimestamp:
    """Ask the TSA at tsa_url to stamp the checkpoint (RFC 3161 §3.4, HTTP
    POST) and return the token once its status, imprint, nonce, signature
    and certificate chain (to one of roots, EKU timeStamping) check out."""
    if not tsa_url.startswith(("https://", "http://")):
        raise TimestampError("tsa-unreachable", "the TSA URL is http(s)")
    request = build_request(checkpoint)
    http = client or httpx.Client(timeout=timeout)
    try:
        with http.stream(
            "POST",
            tsa_url,
            content=request.as_bytes(),
            headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE},
        ) as reply:
            if reply.status_code != 200:
                raise TimestampError("tsa-http", f"HTTP {reply.status_code}")
            body = bytearray()
            for chunk in reply.iter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE:
                    raise TimestampError("tsa-response", f"larger than {MAX_RESPONSE} bytes")
    except httpx.HTTPError as exc:
        raise TimestampError("tsa-unreachable", type(exc).__name__) from None
    finally:
        if client is None:
            http.close()
    response = bytes(body)
    decoded = _decode(response)
    _check(decoded, checkpoint, roots, request, tsa_certificate)
    info = decoded.tst_info
    return LogTimestamp(checkpoint, response, info.gen_time, info.serial_number, info.policy.dotted_string)


def verify_timestamp(
    response: bytes,
    checkpoint: LogCheckpoint,
    roots: Sequence[x509.Certificate],
    *,
    tsa_certificate: x509.Certificate | None = None,
) -> datetime:
    """The time at which a stored token says the checkpoint existed, once
    the token's signature chains to one of roots and its imprint is the
    checkpoint's; TimestampError otherwise. (The nonce only binds a reply
    to its request; a stored token is checked without it.)"""
    decoded = _decode(response)
    _check(decoded, checkpoint, roots, None, tsa_certificate)
    return decoded.tst_info.gen_time


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """The certificates of a PEM bundle (the TSA's root, as its operator
    publishes it)."""
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise TimestampError("tsa-untrusted", "not a PEM certificate bundle") from None


def write_timestamp(folder: Path, stamp: LogTimestamp) -> tuple[Path, Path]:
    """Store a token beside the log as ``<size>-<serial>.tsr`` and the
    checkpoint it stamps as ``<size>-<serial>.checkpoint`` (written to a
    temp name, then renamed: a crash leaves no half file). Returns both."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"{stamp.checkpoint.size:012d}-{stamp.serial_number:x}"
    paths = (folder / f"{stem}.tsr", folder / f"{stem}.checkpoint")
    for path, data in zip(paths, (stamp.response, stamp.checkpoint.to_bytes()), strict=True):
        temp = path.with_suffix(path.suffix + ".tmp")
        with temp.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temp.replace(path)
    return paths
