"""Independent time for the receipt log (sync/server/timestamping.py)
against a local RFC 3161 TSA run with `openssl ts -reply` on loopback
(tests/tsa_helpers.py): the token we obtain verifies with `openssl ts
-verify` (the check a court's expert runs) and with ours, and a token over
another checkpoint, a tampered token, a token from an untrusted TSA and a
replayed reply are refused."""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from rfc3161_client import decode_timestamp_response

from sync.server.timestamping import (
    LogCheckpoint,
    TimestampError,
    load_certificates,
    request_timestamp,
    verify_timestamp,
    write_timestamp,
)
from tests.tsa_helpers import LocalTsa, openssl_verify, running_tsa

ORIGIN = hashlib.sha256(b"server receipt key").hexdigest()
HEAD = hashlib.sha256(b"entry 41").hexdigest()
CHECKPOINT = LogCheckpoint(ORIGIN, 41, HEAD)


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[LocalTsa]:
    with running_tsa(tmp_path / "tsa") as running:
        yield running


@pytest.fixture
def roots(tsa: LocalTsa) -> list[x509.Certificate]:
    return load_certificates(tsa.ca_pem.read_bytes())


def test_a_token_for_the_log_head_verifies_with_openssl_and_with_ours(
    tsa: LocalTsa, roots: list[x509.Certificate], tmp_path: Path
) -> None:
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(seconds=2)
    stamp = request_timestamp(tsa.url, CHECKPOINT, roots)
    after = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)
    assert before <= stamp.gen_time <= after
    assert stamp.checkpoint == CHECKPOINT
    token, checkpoint_file = write_timestamp(tmp_path / "timestamps", stamp)
    assert token.read_bytes() == stamp.response
    assert LogCheckpoint.from_bytes(checkpoint_file.read_bytes()) == CHECKPOINT

    court = openssl_verify(tsa, token, checkpoint_file)
    assert court.returncode == 0, court.stderr
    assert "Verification: OK" in court.stdout
    assert verify_timestamp(token.read_bytes(), CHECKPOINT, roots) == stamp.gen_time


def test_the_checkpoint_names_the_log_its_size_and_head_in_plain_text() -> None:
    text = CHECKPOINT.to_bytes().decode("ascii")
    assert text == f"fieldvault-receipt-log-checkpoint v1\norigin {ORIGIN}\nsize 41\nhead {HEAD}\n"
    assert LogCheckpoint.from_bytes(CHECKPOINT.to_bytes()) == CHECKPOINT
    for bad in (
        CHECKPOINT.to_bytes().replace(b"v1", b"v2"),
        CHECKPOINT.to_bytes().replace(b"size 41", b"size 041"),
        CHECKPOINT.to_bytes() + b"extra\n",
        CHECKPOINT.to_bytes().upper(),
    ):
        with pytest.raises(TimestampError):
            LogCheckpoint.from_bytes(bad)
    with pytest.raises(TimestampError):
        LogCheckpoint(ORIGIN, -1, HEAD)
    with pytest.raises(TimestampError):
        LogCheckpoint(ORIGIN, 1, "not hex")


def test_a_token_does_not_vouch_for_another_checkpoint(
    tsa: LocalTsa, roots: list[x509.Certificate], tmp_path: Path
) -> None:
    stamp = request_timestamp(tsa.url, CHECKPOINT, roots)
    token, _checkpoint_file = write_timestamp(tmp_path, stamp)
    for other in (
        LogCheckpoint(ORIGIN, 42, HEAD),  # a longer log
        LogCheckpoint(ORIGIN, 41, hashlib.sha256(b"rewritten entry 41").hexdigest()),
        LogCheckpoint("ab" * 32, 41, HEAD),  # another server's log
    ):
        with pytest.raises(TimestampError) as refused:
            verify_timestamp(stamp.response, other, roots)
        assert refused.value.code == "tsa-mismatch"
        other_file = tmp_path / "other.checkpoint"
        other_file.write_bytes(other.to_bytes())
        court = openssl_verify(tsa, token, other_file)
        assert court.returncode != 0
        assert "Verification: OK" not in court.stdout


def test_a_tampered_token_is_refused(tsa: LocalTsa, roots: list[x509.Certificate], tmp_path: Path) -> None:
    stamp = request_timestamp(tsa.url, CHECKPOINT, roots)
    # Move the signed time one year back, as someone backdating evidence would.
    signed_time = stamp.gen_time.strftime("%Y%m%d%H%M%S").encode("ascii")
    assert stamp.response.count(signed_time) == 1
    backdated = signed_time.replace(signed_time[:4], str(stamp.gen_time.year - 1).encode("ascii"), 1)
    tampered = stamp.response.replace(signed_time, backdated)
    with pytest.raises(TimestampError) as refused:
        verify_timestamp(tampered, CHECKPOINT, roots)
    assert refused.value.code == "tsa-untrusted"
    token = tmp_path / "tampered.tsr"
    token.write_bytes(tampered)
    checkpoint_file = tmp_path / "c.checkpoint"
    checkpoint_file.write_bytes(CHECKPOINT.to_bytes())
    assert openssl_verify(tsa, token, checkpoint_file).returncode != 0
    with pytest.raises(TimestampError) as garbage:
        verify_timestamp(stamp.response[:100], CHECKPOINT, roots)
    assert garbage.value.code == "tsa-response"


def test_a_token_from_a_tsa_we_do_not_trust_is_refused(tsa: LocalTsa, tmp_path: Path) -> None:
    with running_tsa(tmp_path / "rogue") as rogue:
        rogue_roots = load_certificates(rogue.ca_pem.read_bytes())
        stamp = request_timestamp(rogue.url, CHECKPOINT, rogue_roots)
    ours = load_certificates(tsa.ca_pem.read_bytes())
    with pytest.raises(TimestampError) as refused:
        verify_timestamp(stamp.response, CHECKPOINT, ours)
    assert refused.value.code == "tsa-untrusted"
    with pytest.raises(TimestampError):
        request_timestamp(tsa.url, CHECKPOINT, [])  # no trust anchor: nothing is accepted


def test_responses_with_a_chain_ordered_certificate_set_are_read(
    tsa: LocalTsa, roots: list[x509.Certificate]
) -> None:
    # The local TSA, like OpenSSL-based public ones, sends its certificate
    # and its CA in chain order; rfc3161-client alone refuses that.
    stamp = request_timestamp(tsa.url, CHECKPOINT, roots)
    with pytest.raises(ValueError, match="SetOrdering"):
        decode_timestamp_response(stamp.response)
    assert verify_timestamp(stamp.response, CHECKPOINT, roots) == stamp.gen_time


class _Replayer(BaseHTTPRequestHandler):
    """A TSA in the middle that answers every request with the first reply
    it got from the real one."""

    upstream: str
    first: list[bytes]

    def do_POST(self) -> None:
        query = self.rfile.read(int(self.headers["Content-Length"]))
        if not self.first:
            self.first.append(
                httpx.post(
                    self.upstream, content=query, headers={"Content-Type": "application/timestamp-query"}
                ).content
            )
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.first[0])))
        self.end_headers()
        self.wfile.write(self.first[0])

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_replayed_reply_is_refused(tsa: LocalTsa, roots: list[x509.Certificate]) -> None:
    handler = type("Handler", (_Replayer,), {"upstream": tsa.url, "first": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        first = request_timestamp(url, CHECKPOINT, roots)
        with pytest.raises(TimestampError) as refused:
            request_timestamp(url, CHECKPOINT, roots)
        assert refused.value.code == "tsa-mismatch"
        assert "nonce" in str(refused.value)
        # The replayed token itself is genuine: only its freshness is wrong.
        assert verify_timestamp(first.response, CHECKPOINT, roots) == first.gen_time
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Broken(BaseHTTPRequestHandler):
    """A TSA that answers with a fixed status and body."""

    status: int
    body: bytes

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (500, b"", "tsa-http"),
        (200, b"<html>not a token</html>", "tsa-response"),
        (200, b"\x30" * 300_000, "tsa-response"),
    ],
)
def test_a_tsa_that_fails_is_reported_by_step(
    roots: list[x509.Certificate], status: int, body: bytes, code: str
) -> None:
    handler = type("Handler", (_Broken,), {"status": status, "body": body})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(TimestampError) as refused:
            request_timestamp(f"http://127.0.0.1:{server.server_address[1]}/", CHECKPOINT, roots)
        assert refused.value.code == code
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_an_unreachable_or_non_http_tsa_is_refused(roots: list[x509.Certificate]) -> None:
    with pytest.raises(TimestampError) as unreachable:
        request_timestamp("http://127.0.0.1:9/tsa", CHECKPOINT, roots, timeout=2)
    assert unreachable.value.code == "tsa-unreachable"
    with pytest.raises(TimestampError):
        request_timestamp("file:///etc/passwd", CHECKPOINT, roots)
