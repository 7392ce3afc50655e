"""An HTTP CONNECT proxy on loopback (RFC 9110 §9.3.6), as a corporate or
system proxy named in HTTPS_PROXY is: plain (``http://``) or itself behind
TLS (``https://``, its own self-signed certificate for 127.0.0.1). It
records where it connected and every byte it saw from the client after the
CONNECT, as the proxy sees them: for an ``https://`` proxy, decrypted from
the client's TLS to the proxy, so a request meant for the server that was
encrypted only for the proxy is there in the clear."""

from __future__ import annotations

import datetime
import ipaddress
import select
import socket
import ssl
import threading
from contextlib import suppress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own authority (a trust
    anchor a client can be given), and its key: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class ConnectProxy:
    """``tls_folder`` given: an ``https://`` proxy whose certificate
    (``cert``) is written there; else a plain ``http://`` one."""

    def __init__(self, tls_folder: Path | None = None) -> None:
        self.connected: list[tuple[str, int]] = []  # each CONNECT's target
        self.requests: list[bytes] = []  # each request head it was sent
        self._seen: list[bytes] = []
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None
        self.cert: Path | None = None
        if tls_folder is not None:
            self.cert, key = self_signed(tls_folder, "proxy")
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(self.cert, key)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        scheme = "https" if self._context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def seen(self) -> bytes:
        """Every byte the clients sent through a CONNECT, as the proxy saw it."""
        with self._lock:
            return b"".join(self._seen)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        with suppress(OSError, ValueError):
            client = raw if self._context is None else self._context.wrap_socket(raw, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head:
                piece = client.recv(4096)
                if not piece:
                    client.close()
                    return
                head += piece
            head, rest = head.split(b"\r\n\r\n", 1)
            with self._lock:
                self.requests.append(head)
            method, target = head.split(b" ", 2)[:2]
            if method != b"CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                client.close()
                return
            host, port = target.decode("ascii").rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.connected.append((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                self._note(rest)
                upstream.sendall(rest)
            self._relay(client, upstream)

    def _note(self, data: bytes) -> None:
        with self._lock:
            self._seen.append(data)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        """Both ways on this one thread: an SSL socket is not to be read on
        one thread while written on another. What OpenSSL decrypted ahead
        (``pending``) is read before waiting on the sockets."""
        try:
            while True:
                pending = isinstance(client, ssl.SSLSocket) and client.pending() > 0
                ready = [client] if pending else select.select([client, upstream], [], [])[0]
                if client in ready:
                    data = client.recv(65536)
                    if not data:
                        return
                    self._note(data)
                    upstream.sendall(data)
                if upstream in ready:
                    data = upstream.recv(65536)
                    if not data:
                        return
                    client.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (client, upstream):
                with suppress(OSError, ValueError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self) -> None:
        self._listener.close()
