"""Export without leftovers, and only what the signed record vouches for.

- A target that exists and is not a regular file (FIFO, device, symlink,
  dangling symlink, folder) is refused, with or without ``overwrite``, and is
  left as it was.
- The copy is created 0600 whatever the umask.
- With ``overwrite`` the previous file stays until the new copy is whole and
  its custody event recorded: an export that fails at the last step (the vault
  locked meanwhile) leaves the previous file, not nothing.
- kill -9 during an export: after the next unlock no plaintext ``.tmp-`` copy
  is left in the chosen folder. Only files the vault recorded creating, and
  only while they are still the same file, are removed. The random kills are
  aimed at the phases of an export (crash_helpers.PhaseClock), so that some
  land while the plaintext copy is being written whatever the machine's load.
- The bytes are re-checked against the SHA-256 of the item's signed head
  revision: repointing the derived rows at another item's bytes is refused.
"""

from __future__ import annotations

import os
import random
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import db.evidence
from db import entities
from db.errors import InvalidInput, StorageError, VaultDamaged, VaultLocked
from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.crash_helpers import STRESS, PhaseClock, announce, die, run_child, send
from tests.evidence_samples import file_sha256, make_random, make_sparse
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

SEED = 5_120_733
BIG = 24 << 20  # 24 segments: an export takes some 50-150 ms here


def new_case(vault: Vault) -> str:
    return vault.cases.create(entities.Case(title="Ізюм, березень 2022")).id


def ingest(vault: Vault, path: Path, case_id: str) -> str:
    return vault.evidence.ingest(path, case_id).item.id


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-"))


@pytest.fixture
def item(vault: Vault, tmp_path: Path) -> tuple[str, Path]:
    source = make_random(tmp_path / "photo.jpg", 3 * (1 << 20) + 17, seed=SEED)
    return ingest(vault, source, new_case(vault)), source


# -- what an export may write to ---------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _symlink_to_file(path: Path) -> None:
    (path.parent / "elsewhere.txt").write_text("someone else's file", encoding="utf-8")
    path.symlink_to(path.parent / "elsewhere.txt")


def _dangling_symlink(path: Path) -> None:
    path.symlink_to(path.parent / "does-not-exist" / "target")


def _symlink_to_device(path: Path) -> None:
    path.symlink_to("/dev/null")


def _folder(path: Path) -> None:
    path.mkdir()


TARGETS: dict[str, Callable[[Path], None]] = {
    "fifo": _fifo,
    "symlink to a file": _symlink_to_file,
    "dangling symlink": _dangling_symlink,
    "symlink to a device": _symlink_to_device,
}


@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "overwrite"])
@pytest.mark.parametrize("kind", list(TARGETS))
def test_a_target_that_is_not_a_regular_file_is_refused_and_untouched(
    vault: Vault, item: tuple[str, Path], tmp_path: Path, kind: str, overwrite: bool
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "copy.jpg"
    TARGETS[kind](target)
    before = os.lstat(target)
    with pytest.raises(InvalidInput, match=r"symbolic link|not a regular file"):
        vault.evidence.export(item[0], target, overwrite=overwrite)
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode), f"{kind} was replaced"
    if kind == "symlink to a file":
        assert (out / "elsewhere.txt").read_text(encoding="utf-8") == "someone else's file"
    assert leftovers(out) == []
    assert [e.action for e in vault.evidence.custody(item[0])] == ["intake"]


@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "overwrite"])
def test_a_device_is_refused(vault: Vault, item: tuple[str, Path], tmp_path: Path, overwrite: bool) -> None:
    # A device node of our own (never /dev/null itself: code that renames over
    # its target would replace the machine's /dev/null when run as root).
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    with pytest.raises(InvalidInput, match="not a regular file"):
        vault.evidence.export(item[0], device, overwrite=overwrite)
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_a_folder_named_like_the_original_inside_the_destination_is_refused(
    vault: Vault, item: tuple[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "photo.jpg").mkdir(parents=True)
    with pytest.raises(InvalidInput, match="not a regular file"):
        vault.evidence.export(item[0], out, overwrite=True)


def test_the_copy_is_created_0600_whatever_the_umask(
    vault: Vault, item: tuple[str, Path], tmp_path: Path
) -> None:
    previous = os.umask(0o002)
    try:
        exported = vault.evidence.export(item[0], tmp_path / "copy.jpg").path
    finally:
        os.umask(previous)
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    assert exported.read_bytes() == item[1].read_bytes()


def test_overwrite_keeps_the_previous_file_until_the_export_is_recorded(
    vault: Vault, item: tuple[str, Path], tmp_path: Path
) -> None:
    """The vault is locked during the export (the auto-lock fires): the copy
    cannot be recorded, so it must not replace the previous file."""
    target = tmp_path / "copy.jpg"
    target.write_bytes(b"the previous export, kept by the user")
    seen: list[bytes] = []

    def lock_midway(done: int, total: int) -> None:
        seen.append(target.read_bytes())  # the previous file is still there meanwhile
        if done >= total // 2 and not vault.is_locked:
            vault.lock()

    with pytest.raises(VaultLocked):
        vault.evidence.export(item[0], target, overwrite=True, progress=lock_midway)
    assert target.read_bytes() == b"the previous export, kept by the user"
    assert set(seen) == {b"the previous export, kept by the user"}
    assert leftovers(tmp_path) == []
    again = open_vault(vault.folder)
    try:
        assert [e.action for e in again.evidence.custody(item[0])] == ["intake"]
        exported = again.evidence.export(item[0], target, overwrite=True)
        assert exported.path.read_bytes() == item[1].read_bytes()
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        again.lock()


# -- the signed record, not the derived rows ------------------------------------------


def test_export_refuses_derived_rows_pointed_at_another_items_bytes(vault: Vault, tmp_path: Path) -> None:
    case_id = new_case(vault)
    a = ingest(vault, make_random(tmp_path / "a.jpg", 5000, seed=1), case_id)
    b = ingest(vault, make_random(tmp_path / "b.jpg", 7000, seed=2), case_id)
    b_sha = vault.evidence.get(b).sha256
    engine = vault._engine  # the attacker holds the database key
    assert engine is not None
    with engine.begin() as conn:
        b_blob = conn.execute(
            text("SELECT blob_id FROM evidence_blobs WHERE evidence_id = :b"), {"b": b}
        ).scalar_one()
        conn.execute(
            text("UPDATE evidence_blobs SET blob_id = :blob WHERE evidence_id = :a"), {"blob": b_blob, "a": a}
        )
        conn.execute(
            text(
                "UPDATE entities SET body = json_set(json_set(body, '$.sha256', :sha), '$.size', 7000) "
                "WHERE entity_id = :a"
            ),
            {"sha": b_sha, "a": a},
        )
    assert vault.evidence.get(a).sha256 == b_sha  # the derived row now claims B's bytes
    with pytest.raises(VaultDamaged, match="signed record") as refused:
        vault.evidence.export(a, tmp_path / "a-out.jpg")
    assert a in str(refused.value)
    assert not (tmp_path / "a-out.jpg").exists() and leftovers(tmp_path) == []


def test_export_refuses_a_head_revision_whose_signature_fails(
    vault: Vault, item: tuple[str, Path], tmp_path: Path
) -> None:
    engine = vault._engine
    assert engine is not None
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE revisions SET signature = zeroblob(64) WHERE revision_id = "
                "(SELECT revision_id FROM heads WHERE entity_id = :id)"
            ),
            {"id": item[0]},
        )
    with pytest.raises(VaultDamaged, match="bad signature"):
        vault.evidence.export(item[0], tmp_path / "out.jpg")
    assert not (tmp_path / "out.jpg").exists()


# -- kill -9 during an export ---------------------------------------------------------


def pending_rows(vault: Vault) -> int:
    engine = vault._engine
    assert engine is not None
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pending_exports")).scalar_one())


def prepared(tmp_path: Path, size: int = BIG) -> tuple[Path, str, Path, str]:
    """A closed vault with one item of ``size`` bytes; returns (vault folder,
    item id, output folder, the item's SHA-256)."""
    folder = tmp_path / "vault"
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    source = make_sparse(tmp_path / "video.mp4", size, markers={0: b"ftyp" * 1024, size // 2: b"x" * 4096})
    item_id = ingest(vault, source, new_case(vault))
    vault.lock()
    out = tmp_path / "out"
    out.mkdir()
    return folder, item_id, out, file_sha256(source)


def export_in_a_child(folder: Path, item_id: str, out: Path, arm: Callable[[Vault], None]) -> None:
    def body(fd: int) -> None:
        vault = open_vault(folder)
        send(fd, e="open")
        arm(vault)
        vault.evidence.export(item_id, out / "copy.mp4", overwrite=True)
        send(fd, e="returned")

    run = run_child(body, kill_after=None)
    assert run.killed, f"the child was not killed at its step (exit {run.exit_status})"


def die_after_first_segment(vault: Vault) -> None:
    """Dies in the progress callback: a plaintext segment is in the temp file."""
    original = vault.evidence.export

    def export(*args: Any, **kwargs: Any) -> Any:
        return original(*args, **kwargs, progress=lambda done, total: die())

    vault.evidence.export = export  # type: ignore[method-assign]


def die_before_the_rename(vault: Vault) -> None:
    """The copy is whole and its export recorded; the rename never happens."""
    Path.replace = die  # type: ignore[method-assign,assignment]


@pytest.mark.parametrize("step", [die_after_first_segment, die_before_the_rename], ids=lambda f: f.__name__)
def test_kill9_during_an_export_leaves_no_plaintext_after_the_next_unlock(
    tmp_path: Path, step: Callable[[Vault], None]
) -> None:
    folder, item_id, out, sha = prepared(tmp_path)
    (out / "copy.mp4").write_bytes(b"an earlier copy")
    export_in_a_child(folder, item_id, out, step)
    assert leftovers(out) != [], "the kill left no temp file: the test proves nothing"
    vault = open_vault(folder)
    try:
        assert leftovers(out) == [], "a plaintext copy survived the unlock"
        assert (out / "copy.mp4").read_bytes() == b"an earlier copy"
        assert pending_rows(vault) == 0
        assert vault.verify().ok
        assert file_sha256(vault.evidence.export(item_id, out / "copy.mp4", overwrite=True).path) == sha
    finally:
        vault.lock()


def test_a_leftover_that_is_no_longer_ours_is_left_alone(tmp_path: Path) -> None:
    folder, item_id, out, _ = prepared(tmp_path)
    export_in_a_child(folder, item_id, out, die_after_first_segment)
    (temp,) = [out / name for name in leftovers(out)]
    # Someone moved another file to that path (another inode): not ours any more.
    theirs = tmp_path / "theirs.txt"
    theirs.write_bytes(b"not the vault's")
    theirs.replace(temp)
    vault = open_vault(folder)
    try:
        assert temp.read_bytes() == b"not the vault's"
        assert pending_rows(vault) == 0
    finally:
        vault.lock()


def test_a_leftover_replaced_by_a_symlink_is_not_followed(tmp_path: Path) -> None:
    folder, item_id, out, _ = prepared(tmp_path)
    export_in_a_child(folder, item_id, out, die_after_first_segment)
    (temp,) = [out / name for name in leftovers(out)]
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    temp.unlink()
    temp.symlink_to(precious)
    open_vault(folder).lock()
    assert temp.is_symlink() and precious.read_text(encoding="utf-8") == "keep me"


def test_a_leftover_on_a_missing_folder_is_removed_once_the_folder_is_back(tmp_path: Path) -> None:
    """A USB stick unplugged after the crash: the record waits for it."""
    folder, item_id, out, _ = prepared(tmp_path)
    export_in_a_child(folder, item_id, out, die_after_first_segment)
    unplugged = tmp_path / "unplugged"
    out.rename(unplugged)
    vault = open_vault(folder)
    assert pending_rows(vault) == 1
    vault.lock()
    unplugged.rename(out)
    vault = open_vault(folder)
    try:
        assert leftovers(out) == [] and pending_rows(vault) == 0
    finally:
        vault.lock()


# The phases of one export, as the child announces them:
EXPORT_PHASES = (
    "begin",  # the signed head checked; the temp name recorded in the vault, the file created
    "copying",  # the temp file exists: plaintext written, fsynced, the export recorded
    "placing",  # the whole copy renamed over the target; the vault's record of it ended
    "done",  # acknowledged; the next export starts (no time at all: no kill is aimed at it)
)
AIMED_EXPORT_PHASES = EXPORT_PHASES[:-1]
# 8 segments: a kill can come mid-copy. (BIG when the kills came at a fixed
# 0-150 ms, to make one export about that long; aimed kills need no such length.)
SWEEP_SIZE = 8 << 20


def export_stream(folder: Path, item_id: str, out: Path, fd: int) -> None:
    vault = open_vault(folder)
    # Observation only: each of these functions of ours runs unchanged.
    announce(fd, db.evidence, "create_private_file", "copying", when="return")
    announce(fd, db.evidence, "_put_in_place", "placing")
    send(fd, e="open")
    deadline = time.monotonic() + 20
    n = 0
    while time.monotonic() < deadline:
        n += 1
        send(fd, e="begin", n=n)
        vault.evidence.export(item_id, out / f"copy-{n % 3}.mp4", overwrite=True)
        send(fd, e="done", n=n)


def kill_during_exports(tmp_path: Path, seed: int, points: int) -> None:
    rng = random.Random(seed)
    folder, item_id, out, sha = prepared(tmp_path, SWEEP_SIZE)
    clock = PhaseClock(EXPORT_PHASES)
    killed_with_leftover = 0
    landings = []
    for point in range(points):
        # Each phase in turn, at a random point of it.
        aimed, fraction = AIMED_EXPORT_PHASES[(seed + point) % len(AIMED_EXPORT_PHASES)], rng.random()
        where = f"seed {seed}, point {point}, kill {fraction:.0%} into {aimed!r}"
        run = run_child(
            lambda fd: export_stream(folder, item_id, out, fd),
            kill_after=None,
            kill_when=clock.aim(aimed, fraction),
        )
        assert run.killed, f"{where}: the child exited {run.exit_status}"
        clock.learn(run.messages)
        landed = clock.landed(run.messages)
        landings.append(landed)
        where += f", landed in {landed!r}"
        left = leftovers(out)
        if landed == "copying":  # the kill came while a copy was being written
            assert left != [], f"{where}: no temp copy to clean up: the point proves nothing"
        killed_with_leftover += left != []
        vault = open_vault(folder)
        try:
            assert leftovers(out) == [], f"{where}: a plaintext copy survived the unlock"
            assert pending_rows(vault) == 0, where
            for copy in out.iterdir():  # every copy in place is whole
                assert stat.S_IMODE(copy.stat().st_mode) == 0o600, where
                assert file_sha256(copy) == sha, f"{where}: {copy.name} is not whole"
        finally:
            vault.lock()
    assert killed_with_leftover >= 1, f"seed {seed}: no kill came while a copy was being written: {landings}"


def test_kill9_at_random_points_of_exports_leaves_no_plaintext(tmp_path: Path) -> None:
    kill_during_exports(tmp_path, SEED, points=6)


@pytest.mark.stress
@pytest.mark.parametrize("run", range(40 if STRESS else 2))
def test_kill9_at_random_points_of_exports_leaves_no_plaintext_stress(tmp_path: Path, run: int) -> None:
    kill_during_exports(tmp_path, SEED + 1000 + run, points=10)


def test_a_file_saved_at_the_target_during_an_export_is_never_replaced(
    vault: Vault, item: tuple[str, Path], tmp_path: Path
) -> None:
    """Without --overwrite: the user saves their own file there while the export runs."""
    target = tmp_path / "copy.jpg"

    def user_saves_meanwhile(done: int, total: int) -> None:
        if done >= total and not target.exists():
            target.write_bytes(b"the user's own file, saved meanwhile")

    with pytest.raises(StorageError):
        vault.evidence.export(item[0], target, progress=user_saves_meanwhile)
    assert target.read_bytes() == b"the user's own file, saved meanwhile"
    assert leftovers(tmp_path) == []
    assert [e.action for e in vault.evidence.custody(item[0])] == ["intake"]  # no export recorded
