"""A named pipe (FIFO) where a bundle is expected is refused at once, never
waited on (review 9 F8; sync/bundle/regular_file.py). Before, a plain
``open()`` blocked until something wrote to the pipe: a FIFO at a held
bundle's path (a stick formatted ext4 can carry one) hung the Devices
view's worker (``held_states``) and an import's release of held bundles
(``release_held``) until the app ended, and ``fieldvault bundle import`` /
``bundle verify`` on one never returned.

Real vaults, real FIFOs (os.mkfifo), bundles through a folder standing for a
USB stick, the real ``fieldvault`` command. Each call runs in a thread with
a deadline (``promptly``): a call still waiting on a pipe then fails the
test (the pipe is then opened for writing, so the blocked reader gets end
of file and the run goes on) instead of hanging; a call only slow is
waited for. The fork server is started before the calls are timed: at load
7-8 its start took 6.2-6.5 s of the first command's 8.5 s, the command
itself under 1 s (at load 8-14 that first call passed the 20 s twice)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pytest

from sync.bundle.admission import BundleQuarantined
from sync.bundle.quarantine import held_states, release_held
from sync.bundle.reader import check_bundle
from sync.bundle.regular_file import NOT_REGULAR, NotARegularFile, open_regular
from tests.cli_helpers import Cli, child_env
from tests.sync.desk_world import UsbDesks
from tests.vault_helpers import PASSPHRASE

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs in a Windows file system")

T = TypeVar("T")
# Far above what refusing a FIFO takes. A call still running then is either
# slow (a loaded machine starting a command, opening a vault, importing a
# bundle) or blocked on a pipe: the pipes are then looked at (``promptly``).
DEADLINE_S = 20.0
LOOK_EVERY_S = 0.5


def _unblock(fifo: Path) -> bool:
    """Open ``fifo`` for writing and close it: a reader blocked in open()
    goes on and reads end of file. Whether there was a reader: an O_NONBLOCK
    open for writing succeeds only while something has the pipe open for
    reading or waits in open() to (ENXIO otherwise)."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError as err:
        if err.errno not in (errno.ENXIO, errno.ENOENT):
            raise
        return False
    return True


def promptly(call: Callable[[], T], fifos: Sequence[Path], seconds: float = DEADLINE_S) -> T:
    """``call()``'s result, or its exception. Past ``seconds`` the test fails
    if the call waits on one of ``fifos`` (it is then released, so the
    thread ends); a call that is only slow is waited for. Blocked and slow
    are told apart from the pipe's other end: a reader of a pipe nobody
    writes to is there from its open() on until released, while a refusal
    does not open the pipe (``open_regular`` looks at the name first) or
    holds it only from an O_NONBLOCK open to the fstat that refuses it. So
    the set-up work a loaded machine makes slow fails nothing, and a call
    blocked in open() still fails once ``seconds`` have passed."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(call())
        except BaseException as err:  # noqa: BLE001 - handed to the test's thread, raised there
            errors.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    blocked: Path | None = None
    while thread.is_alive() and blocked is None:  # slow, or waiting on a pipe?
        blocked = next((fifo for fifo in fifos if _unblock(fifo)), None)
        thread.join(LOOK_EVERY_S)
    give_up = time.monotonic() + 60
    while thread.is_alive() and time.monotonic() < give_up:
        for fifo in fifos:  # each open of it by the call blocks anew
            _unblock(fifo)
        thread.join(0.2)
    assert blocked is None, f"still blocked on the named pipe {blocked.name} after {seconds} s"
    if errors:
        raise errors[0]
    return results[0]


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[UsbDesks]:
    made = UsbDesks(tmp_path)
    yield made
    made.close()


def _held_and_releasable(desks: UsbDesks) -> tuple[Path, str]:
    """A worker's bundle Lviv holds (it cannot check Kyiv's token), its
    device vouched for since by Kyiv's bundle: a bundle Lviv would import
    from where it was left. Returns that path and the bundle id."""
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    with pytest.raises(BundleQuarantined):
        desks.to_lviv(made.path)
    desks.org.import_(made.path)  # Kyiv: the token proves it; enrolled there
    desks.to_lviv(desks.kyiv_bundle())  # the vouch: Lviv now knows the device
    [state] = held_states(desks.lviv)
    assert (state.state, Path(state.held.path)) == ("releasable", made.path)
    return made.path, made.bundle_id


def _fifo_instead(path: Path, keep: Path) -> None:
    """The bundle at ``path`` moved to ``keep``; a FIFO in its place."""
    shutil.move(path, keep)
    os.mkfifo(path)


def test_a_fifo_at_a_held_bundles_path_is_file_gone_at_once(desks: UsbDesks, tmp_path: Path) -> None:
    path, bundle_id = _held_and_releasable(desks)
    kept = tmp_path / "kept.fvbundle"
    _fifo_instead(path, kept)

    # The Devices view's read: before, blocked until the app ended.
    [state] = promptly(lambda: held_states(desks.lviv), [path])
    assert (state.state, state.held.bundle_id) == ("file-gone", bundle_id)

    # An import's release of held bundles: not tried, the bundle stays held.
    identity = desks.lviv.vault_keys.age_identity()
    [released] = promptly(lambda: release_held(desks.lviv, identity, org_id=desks.org.org_id), [path])
    assert released.file_gone and released.imported is None and released.refusal is None
    assert [held.bundle_id for held in desks.lviv.sync.held_bundles()] == [bundle_id]

    # The bundle back as a regular file: released as before.
    path.unlink()
    shutil.copyfile(kept, path)
    [imported] = desks.release_at_lviv()
    assert imported.bundle_id == bundle_id
    assert held_states(desks.lviv) == []


def test_a_symlink_is_followed_to_a_bundle_but_not_to_a_fifo(desks: UsbDesks, tmp_path: Path) -> None:
    path, bundle_id = _held_and_releasable(desks)
    kept = tmp_path / "kept.fvbundle"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    shutil.move(path, kept)
    path.symlink_to(fifo)
    [state] = promptly(lambda: held_states(desks.lviv), [fifo])
    assert state.state == "file-gone"

    path.unlink()
    path.symlink_to(kept)  # a link to the bundle itself: read through it
    [state] = held_states(desks.lviv)
    assert state.state == "releasable"
    [imported] = desks.release_at_lviv()
    assert imported.bundle_id == bundle_id


def test_open_regular_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.fvbundle"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile) as refused:
        promptly(lambda: open_regular(fifo), [fifo])
    assert (refused.value.strerror, refused.value.filename) == (NOT_REGULAR, str(fifo))
    with pytest.raises(NotARegularFile):
        promptly(lambda: check_bundle(fifo), [fifo])
    with pytest.raises(NotARegularFile):
        open_regular(Path("/dev/null"))  # a device: not opened as a bundle either
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path)
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "missing")
    plain = tmp_path / "plain"
    plain.write_bytes(b"bytes")
    with open_regular(plain) as file:
        assert file.read() == b"bytes"
        assert os.get_blocking(file.fileno())


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    return child_env(tmp_path)


def test_bundle_import_and_verify_refuse_a_fifo_and_go_on(
    desks: UsbDesks, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    field = desks.worker("field")
    good = desks.org.export(field.vault).path
    stick = tmp_path / "stick"
    stick.mkdir()
    fifo = stick / "pipe.fvbundle"
    ack_fifo = stick / "pipe.fvack"  # taken as an acknowledgement by its name
    os.mkfifo(fifo)
    os.mkfifo(ack_fifo)
    fifos = [fifo, ack_fifo]
    kyiv_folder = desks.kyiv.folder
    desks.kyiv.lock()
    cli = Cli(kyiv_folder, isolated_env)
    cli.run("--help")  # the fork server started (seconds under load) before a call is timed

    def command(*args: str) -> tuple[int, list[dict[str, object]], str]:
        done = promptly(lambda: cli.run("--json", *args, secrets=[PASSPHRASE], check=False), fifos)
        return done.returncode, [json.loads(line) for line in done.stdout.splitlines()], done.stderr

    status, rows, stderr = command("bundle", "import", str(fifo), str(ack_fifo), str(good))
    assert status == 1 and "2 of 3" in stderr, stderr
    by_file = {str(row.get("bundle", row.get("ack"))): row for row in rows}
    for refused in fifos:
        assert by_file[str(refused)] == by_file[str(refused)] | {
            "ok": False,
            "reason": "unreadable",
            "message": NOT_REGULAR,
        }
    assert by_file[str(good)]["ok"] is True  # the others go on

    for verify in (["bundle", "verify", str(fifo)], ["bundle", "verify", "--without-vault", str(fifo)]):
        status, rows, stderr = command(*verify)
        assert status == 1 and NOT_REGULAR in stderr and str(fifo) in stderr, stderr
    status, rows, _ = command("bundle", "verify", str(good))
    assert status == 0 and rows[0]["ok"] is True
