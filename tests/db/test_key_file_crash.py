"""kill -9 during a recovery and a duress change (the passphrase change has
its own in test_crash_safety.py): the key file is always the old or the new
one, whole, and a retired recovery key never works again.

Each step: the child dies before or after each open/write/fsync/close/rename
the key-file write makes. ``make stress`` adds random kill points in a stream
of recoveries, duress changes and passphrase changes.
"""

from __future__ import annotations

import random
from functools import partial
from pathlib import Path

import pytest

from db import entities
from db.errors import WrongRecoveryKey
from db.keyring_store import NoKeyring
from db.keys import KeyFile
from db.paths import KEY_FILE
from db.vault import Vault
from tests.crash_helpers import (
    FILLER,
    MAX_DELAY,
    STRESS,
    die_at_checkpoint,
    opening_passphrases,
    run_child,
    send,
)
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

DURESS = "under duress 911"
SEED = 7_340_211


def new_vault(folder: Path) -> str:
    """A closed vault holding one testimony; returns its recovery key."""
    created = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    case = created.vault.cases.create(entities.Case(title="Case"))
    created.vault.testimonies.create(entities.Testimony(case_id=case.id, title="W-1", narrative=FILLER))
    created.vault.lock()
    return created.recovery_key


def recover_child(folder: Path, fd: int, key: str, new: str, checkpoint: int) -> None:
    send(fd, e="open")
    restore = die_at_checkpoint(checkpoint)
    vault, new_key = Vault.recover(folder, key, new, keyring=NoKeyring())
    restore()
    vault.lock()
    send(fd, e="done", key=new_key)


def recovery_works(folder: Path, key: str, new: str) -> bool:
    try:
        Vault.recover(folder, key, new, keyring=NoKeyring())[0].lock()
    except WrongRecoveryKey:
        return False
    return True


def is_duress(folder: Path, passphrase: str) -> bool:
    key_file = KeyFile.from_bytes((folder / KEY_FILE).read_bytes(), source=KEY_FILE)
    return key_file.is_duress(key_file.stretch(passphrase))


def test_kill9_at_each_step_of_a_recovery(tmp_path: Path) -> None:
    """Before the rename: the old passphrase and recovery key still work. After
    it: only the new passphrase, and the used recovery key is retired."""
    folder = tmp_path / "vault"
    key = new_vault(folder)
    current = PASSPHRASE
    for checkpoint in range(1, 200):
        new = f"recovered at checkpoint {checkpoint}"
        where = f"checkpoint {checkpoint}"
        run = run_child(
            partial(recover_child, folder, key=key, new=new, checkpoint=checkpoint), kill_after=None
        )
        done = [m for m in run.messages if m["e"] == "done"]
        assert bool(done) != run.killed, f"{where}: killed={run.killed}, done={done}"
        opening = opening_passphrases(folder, [current, new], where)
        assert len(opening) == 1, f"{where}: these passphrases open the vault: {opening}"
        assert list(folder.glob(".tmp-*")) == [], f"{where}: a temp file survived an open"
        if opening == [new]:
            # The key file was replaced: the used recovery key is retired for good.
            assert not recovery_works(folder, key, "would undo the recovery"), where
            assert not done or done[0]["key"] != key
            break
        current = opening[0]
    else:
        pytest.fail("the recovery never completed")
    assert checkpoint > 2, "the child never died before the key file was replaced"


def duress_child(folder: Path, fd: int, checkpoint: int) -> None:
    vault = Vault.open(folder, PASSPHRASE, keyring=NoKeyring())
    send(fd, e="open")
    restore = die_at_checkpoint(checkpoint)
    vault.set_duress_passphrase(PASSPHRASE, DURESS)
    restore()
    send(fd, e="done")


def test_kill9_at_each_step_of_setting_a_duress_passphrase(tmp_path: Path) -> None:
    """The passphrase always opens; the duress passphrase is set once the change returned."""
    folder = tmp_path / "vault"
    new_vault(folder)
    outcomes = []
    for checkpoint in range(1, 200):
        where = f"checkpoint {checkpoint}"
        run = run_child(partial(duress_child, folder, checkpoint=checkpoint), kill_after=None)
        done = any(m["e"] == "done" for m in run.messages)
        assert opening_passphrases(folder, [PASSPHRASE], where) == [PASSPHRASE]
        outcomes.append(is_duress(folder, DURESS))
        if done:
            assert outcomes[-1], f"{where}: the change returned but no duress passphrase is set"
            break
    else:
        pytest.fail("setting the duress passphrase never completed")
    assert outcomes == sorted(outcomes), f"set, then unset again: {outcomes}"


def key_change_stream(folder: Path, fd: int, seed: int, start: str, key: str) -> None:
    """Recover, set or clear duress, change the passphrase, at random, until killed."""
    rng = random.Random(seed)
    current = start
    send(fd, e="open")
    for step in range(1, 10_000):
        new = f"seed {seed} step {step}"
        action = rng.choice(["recover", "duress", "passwd"])
        send(fd, e="begin", step=step, action=action, new=new)
        if action == "recover":
            vault, key = Vault.recover(folder, key, new, keyring=NoKeyring())
            vault.lock()
            current = new
        else:
            vault = Vault.open(folder, current, keyring=NoKeyring())
            if action == "duress":
                vault.set_duress_passphrase(current, DURESS if step % 2 else None)
            else:
                vault.change_passphrase(current, new)
                current = new
            vault.lock()
        send(fd, e="done", step=step, current=current, key=key)


@pytest.mark.stress
@pytest.mark.parametrize("point", range(100 if STRESS else 10))
def test_kill9_at_random_points_of_key_file_changes(tmp_path: Path, point: int) -> None:
    folder = tmp_path / "vault"
    key = new_vault(folder)
    rng = random.Random(SEED + point)
    run = run_child(
        lambda fd: key_change_stream(folder, fd, SEED + point, PASSPHRASE, key),
        kill_after=rng.uniform(0, MAX_DELAY * 10),
    )
    done = [m for m in run.messages if m["e"] == "done"]
    begun = [m for m in run.messages if m["e"] == "begin"]
    current, key = (done[-1]["current"], done[-1]["key"]) if done else (PASSPHRASE, key)
    allowed = [current]
    if begun and (not done or begun[-1]["step"] != done[-1]["step"]):
        allowed.append(begun[-1]["new"])
    where = f"point {point}: allowed {allowed}"
    opening = opening_passphrases(folder, list(dict.fromkeys(allowed)), where)
    assert len(opening) == 1, f"{where}: these open: {opening}"
    assert list(folder.glob(".tmp-*")) == [], f"{where}: a temp file survived an open"
