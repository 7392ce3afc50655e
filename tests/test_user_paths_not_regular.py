"""A named pipe (FIFO) where the user names a file to read — an
organisation profile, a device card, a text file, all of which come on USB
sticks (issue 11) — is refused at once with a clear message, never waited
on (sync/bundle/regular_file.py, as for bundles since 6a40455). Before, a
plain ``open()`` blocked until something wrote to the pipe: ``fieldvault
enrol``, every ``--…-file`` text option, ``serve --init --profile`` never
returned, Join's task lane stayed busy and Add a device…'s Open froze the
window until the app was killed.

Real vaults, real FIFOs (os.mkfifo), the real ``fieldvault`` command in a
child process, the real dialogs. Each call has a deadline: past it the pipe
is opened for writing (the blocked reader gets end of file and goes on) and
the test fails instead of hanging."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db.api import Vault
from db.keyring_store import NoKeyring
from desktop.org_acks import WriteAcksDialog
from desktop.org_add_device import AddDeviceDialog
from desktop.org_join import OrgJoinDialog
from sync import org, org_vault
from sync.bundle.regular_file import NOT_REGULAR
from tests.cli_helpers import REPO, Cli, child_env
from tests.gui_helpers import screenshot, type_text
from tests.sync.desk_world import UsbDesks
from tests.sync.test_bundle_paths_not_regular import DEADLINE_S, promptly
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs in a Windows file system")


def _release(fifo: Path) -> None:
    """Open ``fifo`` for writing and close it: a reader blocked in open()
    goes on and reads end of file. No reader waiting: nothing to do."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError as err:
        if err.errno not in (errno.ENXIO, errno.ENOENT):
            raise


@contextmanager
def released_after(fifo: Path, seconds: float = DEADLINE_S) -> Iterator[threading.Event]:
    """For a call on this (the GUI) thread: past ``seconds`` a watchdog
    releases ``fifo`` until the block ends; the event says it had to."""
    fired, done = threading.Event(), threading.Event()

    def watch() -> None:
        if done.wait(seconds):
            return
        fired.set()
        while not done.wait(0.2):
            _release(fifo)

    watchdog = threading.Thread(target=watch, daemon=True)
    watchdog.start()
    try:
        yield fired
    finally:
        done.set()
        watchdog.join()


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    stick = tmp_path / "stick"
    stick.mkdir()
    path = stick / "org-profile-v1.fvorg"
    os.mkfifo(path)
    return path


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    return child_env(tmp_path)


def _fingerprint() -> str:
    return org.fingerprint(org.public_bytes(Ed25519PrivateKey.generate()))


def test_cli_commands_refuse_a_fifo_at_once_naming_it(
    fifo: Path, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    cli = Cli(tmp_path / "vault", isolated_env)
    cli.create_fast(PASSPHRASE)
    case_id = cli.json("case", "new", "Kharkiv", secrets=[PASSPHRASE])["id"]
    fingerprint = _fingerprint()
    card = "fvd1.AAAA"  # not read: the token file is refused first
    commands = {
        "enrol PROFILE": ["enrol", str(fifo), "--fingerprint", fingerprint],
        "enrol --from-qr-text-file": ["enrol", "--from-qr-text-file", str(fifo), "--fingerprint", fingerprint],
        "enrol --token-file": ["enrol", str(fifo), "--token-file", str(fifo), "--fingerprint", fingerprint],
        "testimony new --narrative-file": ["testimony", "new", "--case", case_id, "--narrative-file", str(fifo)],
        "case new --description-file": ["case", "new", "Odesa", "--description-file", str(fifo)],
        "org add-device --token-file": ["org", "add-device", card, "--token-file", str(fifo), "--code", "0" * 30],
        "serve --init --profile": [
            "serve", "--init", "--org", fingerprint, "--profile", str(fifo), "--data", str(tmp_path / "server"),
        ],
    }  # fmt: skip
    for name, args in commands.items():

        def command(args: list[str] = args) -> subprocess.CompletedProcess[str]:
            return cli.run(*args, secrets=[PASSPHRASE], check=False)

        done = promptly(command, [fifo])
        assert done.returncode == 1, (name, done.returncode, done.stderr)
        assert NOT_REGULAR in done.stderr and str(fifo) in done.stderr, (name, done.stderr)
        assert "Traceback" not in done.stderr, name
    assert not (tmp_path / "server").exists()  # serve --init made nothing


def test_the_server_module_refuses_a_fifo_profile(
    fifo: Path, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    """``python -m fieldvault.serve_cli``, the server machine's command
    without the vault stack: the same refusal, no traceback."""
    argv = [sys.executable, "-m", "fieldvault.serve_cli", "--init", "--org", _fingerprint()]
    argv += ["--profile", str(fifo), "--data", str(tmp_path / "server")]

    def serve() -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, env=isolated_env, cwd=REPO, capture_output=True, text=True, check=False)

    done = promptly(serve, [fifo])
    assert done.returncode == 1, done.stderr
    assert f"--profile {fifo}: {NOT_REGULAR}" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "server").exists()


def _vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    made = _vault(tmp_path / "vault")
    yield made
    made.lock()


def test_join_refuses_a_fifo_profile_with_a_message(qtbot: QtBot, vault: Vault, fifo: Path) -> None:
    dialog = OrgJoinDialog(vault, choose_file=lambda _parent: str(fifo))
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.form
    qtbot.mouseClick(form.choose_button, Qt.MouseButton.LeftButton)
    assert form.profile_field.text() == str(fifo)
    type_text(qtbot, form.fingerprint, _fingerprint())
    with released_after(fifo) as fired:
        qtbot.mouseClick(form.join_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(form.join_button.isEnabled, timeout=int(DEADLINE_S * 1000) + 60_000)
    assert not fired.is_set(), f"Join still blocked on a named pipe after {DEADLINE_S} s"
    assert form.status.text() == f"{fifo.name} could not be read ({NOT_REGULAR})."
    assert org_vault.held_profile(vault) is None and not form.result_box.isVisible()
    screenshot(dialog, "org-join-not-regular.png")


def test_add_device_open_refuses_a_fifo_card_without_freezing(
    qtbot: QtBot, vault: Vault, tmp_path: Path
) -> None:
    org_vault.create_organisation(vault, "Kharkiv documentation group", label="Kyiv desk")
    card = tmp_path / "stick" / "card.txt"
    card.parent.mkdir()
    os.mkfifo(card)
    dialog = AddDeviceDialog(vault, choose_file=lambda _parent, _caption: str(card))
    qtbot.addWidget(dialog)
    dialog.show()
    with released_after(card) as fired:  # Open reads on the window's thread
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert not fired.is_set(), f"Open still blocked on a named pipe after {DEADLINE_S} s"
    assert dialog.status.text() == f"card.txt could not be read ({NOT_REGULAR})."
    assert dialog.card_field.toPlainText() == "" and not dialog.add_button.isEnabled()


def test_an_ack_written_to_a_stick_is_not_waited_on_at_a_fifo_of_its_name(
    tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    """``bundle import --ack-to DIR`` and ``bundle ack --to DIR`` look at
    a file already there under the acknowledgement's name (kept when it is
    the same acknowledgement): a FIFO there is not one, and is not replaced."""
    desks = UsbDesks(tmp_path)
    try:
        good = desks.org.export(desks.worker("field").vault).path
        kyiv_folder = desks.kyiv.folder
    finally:
        desks.close()
    stick = tmp_path / "worker-stick"
    stick.mkdir()
    fifo = stick / good.name.replace(".fvbundle", ".fvack")
    os.mkfifo(fifo)
    cli = Cli(kyiv_folder, isolated_env)

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return promptly(lambda: cli.run("--json", *args, secrets=[PASSPHRASE], check=False), [fifo])

    done = command("bundle", "import", str(good), "--ack-to", str(stick))
    assert done.returncode == 1, done.stderr
    [row] = [json.loads(line) for line in done.stdout.splitlines()]
    assert row["ok"] is True and row["ack_refused"] == "unwritable", row  # imported, no ack made
    assert "is not the acknowledgement of bundle" in row["message"], row
    done = command("bundle", "ack", "--to", str(stick))
    assert done.returncode == 1, done.stderr
    assert f"{fifo} exists and is not the acknowledgement of bundle" in done.stderr, done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and sorted(stick.iterdir()) == [fifo]  # left as it was


def test_write_acknowledgements_is_not_waited_on_at_a_fifo_of_its_name(qtbot: QtBot, tmp_path: Path) -> None:
    """Coordinator → Write acknowledgements…, the worker's stick chosen: a
    FIFO under the acknowledgement's name is another file of that name."""
    desks = UsbDesks(tmp_path)
    try:
        made = desks.org.export(desks.worker("field").vault)
        desks.org.import_(made.path)
        stick = tmp_path / "worker-stick"
        stick.mkdir()
        fifo = stick / made.path.name.replace(".fvbundle", ".fvack")
        os.mkfifo(fifo)
        dialog = WriteAcksDialog(desks.kyiv, chooser=lambda _parent, _caption: str(stick))
        qtbot.addWidget(dialog)
        dialog.show()
        with released_after(fifo) as fired:
            qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: not dialog.busy, timeout=int(DEADLINE_S * 1000) + 60_000)
        assert not fired.is_set(), (
            f"Write acknowledgements still blocked on a named pipe after {DEADLINE_S} s"
        )
        [text] = dialog.result_texts()
        assert "another file of that name" in text, text
        assert stat.S_ISFIFO(fifo.lstat().st_mode) and sorted(stick.iterdir()) == [fifo]
    finally:
        desks.close()
