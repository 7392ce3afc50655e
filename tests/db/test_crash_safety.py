"""kill -9 at random points of a stream of saves: the vault opens, SQLite's
integrity check passes, and every save that returned is there.

For each kill point the test forks a child that opens the vault and saves
testimonies and cases in a loop (creates and edits, of short and multi-page
texts). Before each save the child writes a "begin" line to a pipe and, only
after the save returned, a "done" line. The parent kills the child with
SIGKILL at a random (seeded) point of a save or of the gap after one, after a
random number of saves (crash_helpers.PhaseClock: timed from the "begin" or
"done" line by how long that phase took before, so that the kill comes during
the stream of saves at any load; a fixed 0-150 ms after the open came before
the first save at load 8-14), then opens the vault itself and checks that:

- ``integrity_check()`` is empty and no entity is in conflict;
- the records are exactly those acknowledged, plus, at most, the one save
  that was under way when the kill came (complete, never half of it);
- there is one revision per save that reached the disk.

Then the next point, on the same vault. Several vaults are used in turn, so a
failure names its vault, point and seed. 40 points (4 vaults of 10) in the
everyday run, which keeps ``make test`` short; with FIELDVAULT_STRESS=1
(``make stress``) the stress variant runs 1,000.

Also: stale temp files of an interrupted key-file write go on the next open,
and a kill -9 anywhere in change_passphrase leaves exactly one passphrase that
opens the vault.
"""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from db import entities
from db.errors import WrongPassphrase
from db.keyring_store import NoKeyring
from db.paths import KEY_FILE
from db.vault import Vault
from tests.crash_helpers import (
    CHILD_LIFETIME,
    FILLER,
    MAX_DELAY,
    STRESS,
    PhaseClock,
    die_at_checkpoint,
    opening_passphrases,
    run_child,
    send,
)
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

POINTS_PER_VAULT = 10
VAULTS = 4  # 40 kill points in the default run (was 10: CI time)
STRESS_VAULTS = 100 if STRESS else 10  # 1,000 kill points with `make stress`
SEED = 7_340_211
SAVE_PHASES = ("begin", "done")  # a save under way; between two saves
SAVES_BEFORE_A_KILL = 2  # a kill comes in one of the child's first 2 saves or the gap after it
# Shared by the vaults a worker runs: a vault's first point needs no save of its
# own to learn the phases' lengths from (only the first vault pays that).
CLOCK = PhaseClock(SAVE_PHASES)


def text_for(point: int, seq: int, length: int) -> str:
    """The text a child saves at ``seq``; the parent rebuilds it from the numbers."""
    head = f"[{point}:{seq}] "
    return head + (FILLER * (length // len(FILLER) + 1))[: max(length - len(head), 0)]


# -- the child side (runs in a forked process, never returns) -------------


def save_stream(folder: Path, fd: int, point: int, seed: int) -> None:
    """Save creates and edits of testimonies and cases until killed."""
    vault = open_vault(folder)
    testimonies = [t.id for t in vault.testimonies.list()]
    cases = [c.id for c in vault.cases.list()]
    rng = random.Random(seed)
    send(fd, e="open")
    deadline = time.monotonic() + CHILD_LIFETIME
    seq = 0
    while time.monotonic() < deadline:
        seq += 1
        op = rng.choices(["testimony+", "testimony~", "case+", "case~"], weights=[4, 3, 1, 2])[0]
        # Mostly one page; sometimes many (a narrative transcribed at length).
        length = rng.choice([40, 300, 1500, 12000]) if op.startswith("testimony") else rng.randint(20, 120)
        value = text_for(point, seq, length)
        if op == "testimony+":
            case_id = rng.choice(cases)
            send(fd, e="begin", seq=seq, op=op, length=length, case=case_id)
            entity_id = vault.testimonies.create(
                entities.Testimony(case_id=case_id, title=f"W-{seq}", language="uk", narrative=value)
            ).id
            testimonies.append(entity_id)
        elif op == "testimony~":
            entity_id = rng.choice(testimonies)
            send(fd, e="begin", seq=seq, op=op, length=length, id=entity_id)
            vault.testimonies.edit(entity_id, narrative=value)
        elif op == "case+":
            send(fd, e="begin", seq=seq, op=op, length=length)
            entity_id = vault.cases.create(entities.Case(title=value)).id
            cases.append(entity_id)
        else:
            entity_id = rng.choice(cases)
            send(fd, e="begin", seq=seq, op=op, length=length, id=entity_id)
            vault.cases.edit(entity_id, title=value)
        # Only now has the save returned: acknowledge it.
        send(fd, e="done", seq=seq, id=entity_id)


# -- the parent side --------------------------------------------------------


@dataclass
class Expected:
    """What the vault must hold: entity id -> saved text, per kind."""

    testimonies: dict[str, str]
    cases: dict[str, str]
    revisions: int

    @classmethod
    def read(cls, vault: Vault) -> Expected:
        return cls(
            testimonies={t.id: t.narrative for t in vault.testimonies.list()},
            cases={c.id: c.title for c in vault.cases.list()},
            revisions=len(vault.revisions.all()),
        )

    def table(self, op: str) -> dict[str, str]:
        return self.testimonies if op.startswith("testimony") else self.cases

    def copy(self) -> Expected:
        return Expected(dict(self.testimonies), dict(self.cases), self.revisions)


def apply_messages(before: Expected, messages: list[dict[str, Any]], point: int) -> tuple[Expected, Any]:
    """The state the acknowledged saves make, and the save under way (or None)."""
    after = before.copy()
    begun: dict[str, Any] | None = None
    for message in messages:
        if message["e"] == "begin":
            assert begun is None, f"two saves under way at once: {begun}, {message}"
            begun = message
        elif message["e"] == "done":
            assert begun is not None and begun["seq"] == message["seq"], message
            after.table(begun["op"])[message["id"]] = text_for(point, begun["seq"], begun["length"])
            after.revisions += 1
            begun = None
    return after, begun


def check_after_kill(vault: Vault, expected: Expected, pending: Any, point: int) -> Expected:
    """Fail unless the vault holds exactly ``expected`` or ``expected`` plus the
    whole ``pending`` save; returns what it holds."""
    assert vault.integrity_check() == [], f"integrity_check: {vault.integrity_check()[:5]}"
    assert vault.revisions.conflicts() == [], "a single device's saves left a conflict"
    actual = Expected.read(vault)
    if actual == expected:
        return actual
    assert pending is not None, _diff("a save that returned is missing or changed", expected, actual)
    # The kill came after the commit of the save under way but before its
    # acknowledgement: it must then be there in full.
    with_pending = expected.copy()
    table = with_pending.table(pending["op"])
    value = text_for(point, pending["seq"], pending["length"])
    if pending["op"].endswith("+"):
        new_ids = set(actual.table(pending["op"])) - set(table)
        assert len(new_ids) == 1, _diff("records appeared that were never saved", expected, actual)
        table[new_ids.pop()] = value
    else:
        table[pending["id"]] = value
    with_pending.revisions += 1
    assert actual == with_pending, _diff(
        f"neither before nor after the save under way {pending}", expected, actual
    )
    return actual


def _diff(what: str, expected: Expected, actual: Expected) -> str:
    lines = [what + ":"]
    for kind in ("testimonies", "cases"):
        want, got = getattr(expected, kind), getattr(actual, kind)
        for key in sorted(set(want) | set(got)):
            if want.get(key) != got.get(key):
                lines.append(
                    f"  {kind} {key}: expected {_short(want.get(key))}, found {_short(got.get(key))}"
                )
    if expected.revisions != actual.revisions:
        lines.append(f"  revisions: expected {expected.revisions}, found {actual.revisions}")
    return "\n".join(lines)


def _short(text: str | None) -> str:
    return "absent" if text is None else f"{text[:40]!r}… ({len(text)} chars)"


def new_vault(folder: Path) -> Expected:
    """A vault with one case and one testimony, closed; returns what it holds."""
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    case = vault.cases.create(entities.Case(title="Ізюм, березень 2022"))
    vault.testimonies.create(entities.Testimony(case_id=case.id, title="W-1", narrative=FILLER))
    expected = Expected.read(vault)
    vault.lock()
    return expected


def kill_during_saves(folder: Path, vault_number: int) -> None:
    seed = SEED + vault_number
    rng = random.Random(seed)
    expected = new_vault(folder)
    clock = CLOCK
    interrupted_saving = 0
    for point in range(POINTS_PER_VAULT):
        aimed, fraction = SAVE_PHASES[point % len(SAVE_PHASES)], rng.random()
        round_ = rng.randrange(SAVES_BEFORE_A_KILL)
        child_seed = rng.getrandbits(32)
        where = (
            f"vault {vault_number} (seed {seed}), point {point}, "
            f"kill {fraction:.0%} into {aimed!r} of save {round_ + 1} or later"
        )
        run = run_child(
            partial(save_stream, folder, point=point, seed=child_seed),
            kill_after=None,
            kill_when=clock.aim(aimed, fraction, round_=round_),
        )
        clock.learn(run.messages)
        assert run.killed, f"{where}: the child was not killed but exited {run.exit_status}"
        assert any(m["e"] == "open" for m in run.messages), f"{where}: the child never opened the vault"
        acknowledged, pending = apply_messages(expected, run.messages, point)
        vault = open_vault(folder)
        try:
            leftovers = sorted(p.name for p in folder.glob(".tmp-*"))
            assert leftovers == [], f"{where}: temp files survive an open: {leftovers}"
            try:
                expected = check_after_kill(vault, acknowledged, pending, point)
            except AssertionError as err:
                raise AssertionError(f"{where}: {err}") from None
        finally:
            vault.lock()
        interrupted_saving += any(m["e"] == "begin" for m in run.messages)
    # Every point must interrupt a stream of saves, not an idle child (aimed:
    # no longer half, as when a fixed delay could come before the first save).
    assert interrupted_saving == POINTS_PER_VAULT, (
        f"vault {vault_number}: only {interrupted_saving} of {POINTS_PER_VAULT} kills came during saves"
    )


@pytest.mark.parametrize("vault_number", range(VAULTS), ids=lambda n: f"vault{n:02d}")
def test_kill9_during_saves_loses_nothing_that_returned(tmp_path: Path, vault_number: int) -> None:
    kill_during_saves(tmp_path / "vault", vault_number)


@pytest.mark.stress
@pytest.mark.parametrize("vault_number", range(1000, 1000 + STRESS_VAULTS), ids=lambda n: f"vault{n}")
def test_kill9_during_saves_loses_nothing_that_returned_stress(tmp_path: Path, vault_number: int) -> None:
    kill_during_saves(tmp_path / "vault", vault_number)


# -- the key file -----------------------------------------------------------


def change_passphrase_child(folder: Path, fd: int, current: str, new: str, checkpoint: int) -> None:
    vault = open_vault(folder, current)
    send(fd, e="open")
    restore = die_at_checkpoint(checkpoint)
    vault.change_passphrase(current, new)
    restore()
    send(fd, e="done")


def test_kill9_at_each_step_of_change_passphrase(tmp_path: Path) -> None:
    """Killed before or after each open/write/fsync/close/rename of the key-file
    write: exactly one of the old and new passphrases opens the vault."""
    folder = tmp_path / "vault"
    new_vault(folder)
    current = PASSPHRASE
    outcomes = []
    for checkpoint in range(1, 100):
        new = f"passphrase after checkpoint {checkpoint}"
        run = run_child(
            partial(change_passphrase_child, folder, current=current, new=new, checkpoint=checkpoint),
            kill_after=None,
        )
        done = any(m["e"] == "done" for m in run.messages)
        assert done != run.killed, f"checkpoint {checkpoint}: killed={run.killed}, done={done}"
        opening = opening_passphrases(folder, [current, new], f"checkpoint {checkpoint}")
        assert len(opening) == 1, f"checkpoint {checkpoint}: these passphrases open the vault: {opening}"
        if done:
            assert opening == [new], f"checkpoint {checkpoint}: the change returned, yet {opening}"
        assert list(folder.glob(".tmp-*")) == [], f"checkpoint {checkpoint}: temp file survived an open"
        outcomes.append("old" if opening == [current] else "new")
        current = opening[0]
        if done:
            break
    else:
        pytest.fail("change_passphrase never completed")
    # Killed before the rename: old passphrase; after it: the new one.
    assert "old" in outcomes, outcomes
    assert outcomes.count("new") >= 2, outcomes
    assert outcomes == sorted(outcomes, key=lambda o: o == "new"), f"old after new: {outcomes}"


def passphrase_for(point: int, step: int) -> str:
    return f"point {point} step {step}"


def passphrase_stream(folder: Path, fd: int, point: int, start: str) -> None:
    """Change the passphrase again and again until killed."""
    vault = open_vault(folder, start)
    send(fd, e="open")
    current = start
    for step in range(1, 10_000):
        new = passphrase_for(point, step)
        send(fd, e="begin", step=step)
        vault.change_passphrase(current, new)
        send(fd, e="done", step=step)
        current = new


def test_kill9_at_random_points_of_passphrase_changes(tmp_path: Path) -> None:
    """Exactly one passphrase opens: the last one set, or the one being set."""
    folder = tmp_path / "vault"
    new_vault(folder)
    rng = random.Random(SEED)
    current = PASSPHRASE
    for point in range(1, 21):
        delay = rng.uniform(0, MAX_DELAY)
        where = f"point {point} (seed {SEED}), kill after {delay * 1000:.1f} ms"
        run = run_child(partial(passphrase_stream, folder, point=point, start=current), kill_after=delay)
        assert run.killed, f"{where}: the child was not killed"
        done = [m["step"] for m in run.messages if m["e"] == "done"]
        begun = [m["step"] for m in run.messages if m["e"] == "begin"]
        last_set = passphrase_for(point, done[-1]) if done else current
        allowed = [last_set]
        if begun and begun[-1] not in done:
            allowed.append(passphrase_for(point, begun[-1]))
        tried = list(dict.fromkeys([current, *allowed]))
        opening = opening_passphrases(folder, tried, where)
        assert len(opening) == 1 and opening[0] in allowed, (
            f"{where}: of {tried} exactly one of {allowed} must open; these do: {opening}"
        )
        assert list(folder.glob(".tmp-*")) == [], f"{where}: a temp file survived an open"
        current = opening[0]


def interrupted_key_file_write(folder: Path, fd: int) -> None:
    """Killed right after the temp file was written, before its fsync and rename."""
    vault = open_vault(folder)
    send(fd, e="open")

    def die(_fd: int) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    os.fsync = die  # type: ignore[assignment]  # stands in for fsync in this child only
    vault.change_passphrase(PASSPHRASE, "never written")


def test_stale_temp_files_are_removed_on_the_next_open(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    new_vault(folder)
    key_file = (folder / KEY_FILE).read_bytes()
    run = run_child(lambda fd: interrupted_key_file_write(folder, fd), kill_after=None)
    assert run.killed
    leftovers = list(folder.glob(".tmp-*"))
    assert len(leftovers) == 1, f"expected the interrupted temp file, found {leftovers}"
    assert (folder / KEY_FILE).read_bytes() == key_file, "the key file changed before the rename"
    # A wrong passphrase changes no file, not even a stale one.
    with pytest.raises(WrongPassphrase):
        open_vault(folder, "never written")
    assert leftovers[0].exists()
    vault = open_vault(folder)
    try:
        assert list(folder.glob(".tmp-*")) == [], "the stale temp file survived the open"
        assert vault.integrity_check() == []
    finally:
        vault.lock()
    # And one left in an older crash, whatever its content, goes the same way.
    (folder / ".tmp-0123456789abcdef").write_bytes(b"half a key file")
    open_vault(folder).lock()
    assert list(folder.glob(".tmp-*")) == []
