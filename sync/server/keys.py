"""The server's own keys, made once by ``fieldvault serve --init``: a
self-signed TLS certificate (clients pin its SHA-256, org-profile.md) and
the Ed25519 key that signs receipts. Files are 0600 in the data folder;
they never leave it (a scale-out deployment copies them to each process).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

CERT_NAME = "tls-cert.pem"
TLS_KEY_NAME = "tls-key.pem"
RECEIPT_KEY_NAME = "receipt-key.pem"
CERT_DAYS = 3650


@dataclass(frozen=True)
class ServerFiles:
    data: Path

    @property
    def cert(self) -> Path:
        return self.data / CERT_NAME

    @property
    def tls_key(self) -> Path:
        return self.data / TLS_KEY_NAME

    @property
    def receipt_key(self) -> Path:
        return self.data / RECEIPT_KEY_NAME


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def cert_sha256_of_pem(pem: bytes) -> str:
    cert = x509.load_pem_x509_certificate(pem)
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def make_tls(files: ServerFiles, names: list[str]) -> str:
    """A self-signed certificate (ECDSA P-256) for ``names`` (host names or
    IP addresses; clients pin the fingerprint, names only help other tools),
    returns its SHA-256 (DER, hex). Refuses to replace existing files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fieldvault server")])
    alt: list[x509.GeneralName] = []
    for name in dict.fromkeys(names):
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write_new(
        files.tls_key,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    _write_new(files.cert, pem)
    return cert_sha256_of_pem(pem)


def make_receipt_key(files: ServerFiles) -> None:
    key = Ed25519PrivateKey.generate()
    _write_new(
        files.receipt_key,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def load_receipt_key(files: ServerFiles) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(files.receipt_key.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{files.receipt_key} is not an Ed25519 key")
    return key
