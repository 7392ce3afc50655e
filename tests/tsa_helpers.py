"""A local RFC 3161 time-stamping authority for tests: a CA and a TSA
certificate (extendedKeyUsage timeStamping, critical) made in a temp dir,
and a loopback HTTP server that hands each request to ``openssl ts -reply``,
as a public TSA would answer it. Nothing leaves the machine.

``running_tsa(folder)`` yields a ``LocalTsa`` with its URL and the PEM files
a verifier needs (``openssl ts -verify -CAfile ca.pem``). ``openssl_verify``
runs the check a court would run.
"""

from __future__ import annotations

import datetime
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TSA_POLICY = "1.3.6.1.4.1.57264.99.1"  # a test policy OID; any OID serves
MAX_QUERY = 64 * 1024

TSA_CONFIG = """\
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = {policy}
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class LocalTsa:
    url: str
    folder: Path

    @property
    def ca_pem(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def tsa_pem(self) -> Path:
        return self.folder / "tsa.pem"

    @property
    def requests_seen(self) -> int:
        return len(list((self.folder / "queries").iterdir()))


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fieldvault test TSA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_tsa_certificates(folder: Path) -> None:
    """ca.pem (self-signed) and tsa.pem/tsa.key (signed by it, EKU
    timeStamping critical, as RFC 3161 §2.3 asks) in folder."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Fieldvault test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name("Fieldvault test TSA"))
        .issuer_name(ca_name)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(tsa_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(
        tsa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (folder / "tsa.key").chmod(0o600)


class _TsaHandler(BaseHTTPRequestHandler):
    folder: Path
    lock: threading.Lock

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_QUERY:
            self.send_error(400)
            return
        query = self.rfile.read(length)
        with self.lock:  # openssl ts keeps its serial number in a file
            queries = self.folder / "queries"
            path = queries / f"{len(list(queries.iterdir())):06d}.tsq"
            path.write_bytes(query)
            reply = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(self.folder / "tsa.cnf"), "-queryfile", str(path)],
                capture_output=True,
                check=False,
            )
        if reply.returncode != 0:
            self.send_error(500)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply.stdout)))
        self.end_headers()
        self.wfile.write(reply.stdout)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def running_tsa(folder: Path) -> Iterator[LocalTsa]:
    """A TSA on 127.0.0.1 (free port) whose files live in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "queries").mkdir()
    make_tsa_certificates(folder)
    (folder / "serial").write_text("01\n", encoding="ascii")
    (folder / "tsa.cnf").write_text(TSA_CONFIG.format(dir=folder, policy=TSA_POLICY), encoding="ascii")
    handler = type("Handler", (_TsaHandler,), {"folder": folder, "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalTsa(f"http://127.0.0.1:{server.server_address[1]}/tsa", folder)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def openssl_verify(tsa: LocalTsa, response: Path, data: Path) -> subprocess.CompletedProcess[str]:
    """``openssl ts -verify`` of a TimeStampResp over the file data, trusting
    only the test CA: what a court's expert would run."""
    return subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-in",
            str(response),
            "-data",
            str(data),
            "-CAfile",
            str(tsa.ca_pem),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
