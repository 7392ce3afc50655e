"""The enrolment QR code (docs/org-profile.md §7): ``org token`` shows and
writes it, ``enrol`` reads its text; a payload is taken only whole, and the
fingerprint it carries never replaces the one received out of band."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import time
import zlib
from pathlib import Path

import pytest
import qrcode.constants
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from db.api import Vault
from fieldvault import org_qr
from sync import org, org_vault
from sync.org import OrgRefused
from tests.cli_helpers import REPO, Cli, child_env
from tests.vault_helpers import PASSPHRASE


def _signed_profile(name: str = "Kharkiv documentation group") -> tuple[org.SignedProfile, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    public = org.public_bytes(key)
    coordinator = org.Coordinator(org.device_id_of(public), public, "age1" + "q" * 58, "desk")
    return org.sign_profile(org.new_profile(name, key, coordinator), key), key


def test_the_payload_carries_profile_fingerprint_and_token() -> None:
    signed, key = _signed_profile()
    token = org.make_token(key, signed.profile.org_id, 2**40)
    text = org.enrol_payload_text(signed.signed, signed.profile.fingerprint.lower(), token.text)
    assert text.startswith("fieldvault:enrol?v=1&fp=") and text.isascii()
    read = org.read_enrol_payload("  " + text + "\n")
    assert read.signed == signed.signed
    assert read.fingerprint == signed.profile.fingerprint
    assert read.token == token.text and read.text == text
    without = org.read_enrol_payload(org.enrol_payload_text(signed.signed, signed.profile.fingerprint))
    assert without.token is None and without.signed == signed.signed


def _query(signed: bytes, fp: str, extra: str = "") -> str:
    packed = org._b64url(zlib.compress(signed))
    return f"fieldvault:enrol?v=1&fp={fp}&p={packed}{extra}"


def test_a_payload_is_taken_only_whole() -> None:
    signed, _key = _signed_profile()
    other, _ = _signed_profile("Someone else")
    fp = signed.profile.fingerprint.replace("-", "")
    good = _query(signed.signed, fp)
    assert org.read_enrol_payload(good).signed == signed.signed
    bomb = org._b64url(zlib.compress(b" " * (20 * org.MAX_PROFILE)))
    tampered = bytearray(signed.signed)
    tampered[tampered.index(b"Kharkiv")] = ord("k")
    bad = [
        "",
        good.replace("fieldvault:enrol?", "fieldvault:join?"),
        good.replace("v=1", "v=2"),
        good + "&fp=" + fp,  # a duplicated parameter
        good + "&x=1",  # an unknown one
        good.replace("&p=", "&q="),
        good.replace("&p=", "&p=%41"),  # escapes are not part of the form
        good[:-3],  # cut short: the zlib stream does not end
        good + "AAAA",  # bytes after the zlib stream
        _query(signed.signed, fp) + "&t=fvt1.abc",  # not a token's form
        _query(other.signed, fp),  # a profile and a fingerprint that do not belong together
        f"fieldvault:enrol?v=1&fp={fp}&p={bomb}",  # a small text inflating to 20 MiB
        good + "&t=" + "a" * 9000,
    ]
    for text in bad:
        with pytest.raises(OrgRefused) as err:
            org.read_enrol_payload(text)
        assert err.value.code == "org-enrol-payload-form", text[:60]
    # A profile changed after it was signed, its fingerprint unchanged: the signature says so.
    with pytest.raises(OrgRefused) as err:
        org.read_enrol_payload(_query(bytes(tampered), fp))
    assert err.value.code == "org-profile-signature"


def test_a_forged_payload_that_is_whole_is_still_refused_at_enrol(vault: Vault) -> None:
    """Whoever can change the payload in transit makes a self-consistent one:
    their own profile (their "coordinator" as recipient) and its fingerprint.
    Only the fingerprint received out of band stops it."""
    real, _ = _signed_profile()
    forged, _ = _signed_profile("Kharkiv documentation group")
    payload = org.read_enrol_payload(org.enrol_payload_text(forged.signed, forged.profile.fingerprint))
    with pytest.raises(OrgRefused) as err:
        org_vault.enrol(vault, payload.signed, fingerprint_given=real.profile.fingerprint)
    assert err.value.code == "org-fingerprint-mismatch"
    assert org_vault.held_profile(vault) is None and vault.sync.devices() == []


def _dark(image: Image.Image, x: int, y: int) -> bool:
    pixel = image.getpixel((x, y))
    assert isinstance(pixel, int)  # a greyscale ("L") image has one int per pixel
    return pixel < 128


def test_the_qr_codes_carry_the_payload() -> None:
    signed, key = _signed_profile()
    text = org.enrol_payload_text(
        signed.signed, signed.profile.fingerprint, org.make_token(key, signed.profile.org_id, 2**40).text
    )
    # On a terminal: two module rows per line, read back module for module.
    drawn = org_qr.terminal_qr(text)
    assert org_qr.terminal_matrix(drawn)[: len(org_qr.qr_matrix(text, border=2))] == org_qr.qr_matrix(
        text, border=2
    )
    # The PNG: sample the centre of each 8-pixel module.
    png = org_qr.qr_file_bytes(text, ".png")
    expected = org_qr.qr_matrix(text, error=qrcode.constants.ERROR_CORRECT_M, border=4)
    image = Image.open(__import__("io").BytesIO(png)).convert("L")
    assert image.size == (8 * len(expected), 8 * len(expected))
    sampled = [
        [_dark(image, 8 * x + 4, 8 * y + 4) for x in range(len(row))] for y, row in enumerate(expected)
    ]
    assert sampled == expected
    svg = org_qr.qr_file_bytes(text, ".svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert org_qr.qr_file_bytes(text, ".txt") == (text + "\n").encode()
    # A profile too large for any QR code is said plainly.
    with pytest.raises(org_qr.PayloadTooLarge):
        org_qr.qr_matrix("fieldvault:enrol?" + "A" * 5000)


# -- the command line ------------------------------------------------------------------


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """As tests/e2e/conftest.py's: a child environment of our own."""
    return child_env(tmp_path)


@pytest.fixture
def cli(tmp_path: Path, isolated_env: dict[str, str]) -> Cli:
    return Cli(tmp_path / "vault", isolated_env)


def _organisation(cli: Cli, worker: Cli, tmp_path: Path) -> dict[str, str]:
    cli.create_fast(PASSPHRASE)
    worker.create_fast(PASSPHRASE)
    return cli.json(
        "org",
        "create",
        "Kharkiv documentation group",
        "--out",
        str(tmp_path / "v1.fvorg"),
        secrets=[PASSPHRASE],
    )


def test_token_writes_the_qr_and_enrol_reads_its_text(
    cli: Cli, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    worker = Cli(tmp_path / "worker", isolated_env)
    created = _organisation(cli, worker, tmp_path)
    png, txt = tmp_path / "enrol.png", tmp_path / "enrol.txt"
    token = cli.json("org", "token", "--qr", str(png), secrets=[PASSPHRASE])
    assert token["qr"] == str(png) and png.read_bytes().startswith(b"\x89PNG")
    assert (png.stat().st_mode & 0o777) == 0o600  # it carries a token
    payload = org.read_enrol_payload(token["enrol_payload"])
    assert payload.token == token["token"] and payload.fingerprint == created["fingerprint"]
    # Piped (not a terminal): no drawing in the output.
    plain = cli.run("org", "token", "--qr", str(txt), secrets=[PASSPHRASE]).stdout
    assert "█" not in plain and "▀" not in plain and f"written to {txt}" in plain
    # An existing file or another kind is refused before a token is issued.
    again = cli.run("org", "token", "--qr", str(png), secrets=[PASSPHRASE], check=False)
    assert again.returncode == 1 and "exists already" in again.stderr
    assert (
        cli.run("org", "token", "--qr", str(tmp_path / "x.jpg"), secrets=[PASSPHRASE], check=False).returncode
        == 2
    )

    # The worker: the QR code's text alone is not enough, the fingerprint is asked for.
    no_fp = worker.run("enrol", "--from-qr-text-file", str(txt), secrets=[PASSPHRASE], check=False)
    assert no_fp.returncode == 2 and "--fingerprint" in no_fp.stderr
    wrong = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"
    refused = worker.run(
        "enrol", "--from-qr-text-file", str(txt), "--fingerprint", wrong, secrets=[PASSPHRASE], check=False
    )
    assert refused.returncode == 1 and "forged" in refused.stderr
    assert worker.run("org", "show", secrets=[PASSPHRASE], check=False).returncode == 1  # still in none
    enrolled = worker.json("enrol", str(txt), "--fingerprint", created["fingerprint"], secrets=[PASSPHRASE])
    assert enrolled["org_id"] == created["org_id"]
    # The code both sides compare: the coordinator adds the card and computes the same.
    code = enrolled["verification_code"]
    added = cli.json("org", "add-device", enrolled["device_card"], "--code", code, secrets=[PASSPHRASE])
    assert added["verification_code"] == code
    both = worker.run("enrol", str(txt), "--from-qr-text", "x", "--fingerprint", wrong, check=False)
    assert both.returncode == 2


def test_token_draws_the_qr_on_a_terminal(cli: Cli, isolated_env: dict[str, str], tmp_path: Path) -> None:
    worker = Cli(tmp_path / "worker", isolated_env)
    _organisation(cli, worker, tmp_path)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
    read_end, write_end = os.pipe()
    os.write(write_end, (PASSPHRASE + "\n").encode())
    os.close(write_end)
    env = isolated_env | {"COLUMNS": "200"}
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fieldvault",
            "--vault",
            str(cli.vault),
            "--passphrase-fd",
            str(read_end),
            "org",
            "token",
        ],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=REPO,
        pass_fds=(read_end,),
    )
    os.close(slave)
    os.close(read_end)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert child.wait(timeout=60) == 0, child.stderr.read() if child.stderr else ""
    shown = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    token_line = shown.splitlines()[0]
    drawn = "\n".join(line for line in shown.splitlines() if line.startswith("\x1b[30;107m"))
    matrix = org_qr.terminal_matrix(drawn)
    assert token_line.startswith("fvt1.") and "fingerprint" in shown
    # The drawing is, module for module, the QR code of the profile, its fingerprint and that token.
    exported = cli.json("org", "export", "--out", str(tmp_path / "held.fvorg"), secrets=[PASSPHRASE])
    payload = org.enrol_payload_text(
        (tmp_path / "held.fvorg").read_bytes(), exported["fingerprint"], token_line
    )
    expected = org_qr.qr_matrix(payload, border=org_qr.TERMINAL_BORDER)
    assert matrix[: len(expected)] == expected
