"""kill -9 during evidence intake, and a full disk during intake.

Kill points: for each point a forked child opens the vault and ingests 8 MiB
files in a loop: mostly new files, some the same bytes again in the same case
(a duplicate) or in the other case (a new item sharing the blob). Before each
intake it writes a "begin" line to a pipe and, only after ``ingest`` returned,
a "done" line with the item id and SHA-256; in between it announces the phases
of the intake ("written", "recording": INTAKE_PHASES). The parent kills it
with SIGKILL at a seeded random point of a phase (each phase in turn), timed
from that phase's start by how long it took before (crash_helpers.PhaseClock),
so that the kills land inside intakes however loaded the machine is (a fixed
delay after the open mostly came before the first intake at load 8-14). It
then opens the vault itself and checks that:

- ``verify()`` is ok: every blob decrypts in full and matches its hash, so no
  partial item is visible;
- every acknowledged intake is there (same id, hash and case), and at most
  the one intake under way when the kill came was added, whole;
- no ``.tmp-*`` file and no orphan blob is left in ``blobs/`` after the
  open, and every blob has a row and every row a file; a blob renamed but not
  committed when the kill came is moved to ``quarantine/``, never deleted.

8 vaults of 5 points: 40 points in the everyday run, which keeps ``make
test`` short; 1,000 with FIELDVAULT_STRESS=1 (``make stress``).

Full disk: under the libfault LD_PRELOAD shim (tests/faults), writes fail with
ENOSPC from the first, a middle or the last write of an intake on; fsync and
rename fail once. Each gives a StorageError with a clear message, the vault
stays intact (verify ok, no item, no temp file) and the same open vault takes
the file once the disk has room again.
"""

from __future__ import annotations

import errno
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db import entities
from db.blobstore import BlobStore
from db.evidence import EvidenceService
from db.keyring_store import NoKeyring
from db.model import Blob, EvidenceBlob
from db.vault import BLOB_DIR, QUARANTINE_DIR, Vault
from tests.crash_helpers import CHILD_LIFETIME, STRESS, PhaseClock, announce, die, run_child, send
from tests.evidence_samples import file_sha256, make_random, make_sparse
from tests.faults import run_with_faults
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE, open_vault

# 8 segments: a kill can come mid-write. (20 MiB when the kills came at a fixed
# 0-150 ms, to make one intake about that long; aimed kills need no such length.)
FILE_SIZE = 8 << 20
POINTS_PER_VAULT = 5
VAULTS = 8  # 40 kill points in the default run (was 20: CI time)
STRESS_VAULTS = 200 if STRESS else 20  # 1,000 kill points with `make stress`
SEED = 9_120_447
# The phases of one intake, as the child announces them; kills are aimed at each in turn.
INTAKE_PHASES = (
    "begin",  # reading, hashing, encrypting and fsyncing the temp blob (BlobStore.write)
    "written",  # the temp blob whole; the file examined in its confined child
    "recording",  # the blob renamed to its final name, the item's rows committed (_record_intake)
    "done",  # acknowledged; the next source being made: between intakes
)
# Shared by the vaults a worker runs: a vault's first point needs no intake of
# its own to learn the phases' lengths from (only the first vault pays that).
CLOCK = PhaseClock(INTAKE_PHASES)


def make_source(folder: Path, name: str) -> Path:
    """An 8 MiB file, unique by its name, written in a few ms (sparse)."""
    marker = hashlib.sha256(name.encode()).digest() * 128  # 4 KiB
    offset = int.from_bytes(marker[:4], "big") % (FILE_SIZE - len(marker))
    return make_sparse(folder / name, FILE_SIZE, markers={0: marker, offset: marker})


# -- the child -----------------------------------------------------------------


def ingest_stream(folder: Path, sources: Path, fd: int, point: int, seed: int) -> None:
    """Ingest until killed; every intake acknowledged only once it returned."""
    vault = open_vault(folder)
    cases = sorted(c.id for c in vault.cases.list())
    ingested: list[tuple[str, str]] = [(str(sources / "base.bin"), cases[0])]
    rng = random.Random(seed)
    # Observation only: each of these functions of ours runs unchanged.
    announce(fd, BlobStore, "write", "written", when="return")
    announce(fd, EvidenceService, "_record_intake", "recording")
    send(fd, e="open")
    deadline = time.monotonic() + CHILD_LIFETIME
    seq = 0
    while time.monotonic() < deadline:
        seq += 1
        op = rng.choices(["new", "same-case", "other-case"], weights=[6, 2, 2])[0]
        if op == "new":
            path, case_id = str(make_source(sources, f"p{point}-s{seq}.bin")), rng.choice(cases)
        else:
            path, case_id = rng.choice(ingested)
            if op == "other-case":
                case_id = next(c for c in cases if c != case_id)
        send(fd, e="begin", seq=seq, op=op, path=path, case=case_id)
        result = vault.evidence.ingest(Path(path), case_id)
        ingested.append((path, case_id))
        send(fd, e="done", seq=seq, id=result.item.id, sha=result.item.sha256, dup=result.duplicate)


# -- the parent ----------------------------------------------------------------


@dataclass
class State:
    """What the vault must hold: item id -> (sha256, case id), and how many
    intake and intake-duplicate events."""

    items: dict[str, tuple[str, str]] = field(default_factory=dict)
    intakes: int = 0

    def copy(self) -> State:
        return State(dict(self.items), self.intakes)


def read_state(vault: Vault) -> State:
    items = {i.id: (i.sha256, i.case_id) for i in vault.evidence.list()}
    actions = Counter(e.action for item_id in items for e in vault.evidence.custody(item_id))
    return State(items, actions["intake"] + actions["intake-duplicate"])


def apply(before: State, messages: list[dict[str, Any]]) -> tuple[State, dict[str, Any] | None]:
    after = before.copy()
    pending: dict[str, Any] | None = None
    for message in messages:
        if message["e"] == "begin":
            assert pending is None, f"two intakes under way at once: {pending}, {message}"
            pending = message
        elif message["e"] == "done":
            assert pending is not None and pending["seq"] == message["seq"], message
            if message["dup"]:
                assert after.items.get(message["id"]) == (message["sha"], pending["case"]), message
            else:
                assert message["id"] not in after.items, message
                after.items[message["id"]] = (message["sha"], pending["case"])
            after.intakes += 1
            pending = None
    return after, pending


def check_files(vault: Vault, where: str) -> None:
    folder = vault.folder
    temps = sorted(str(p.relative_to(folder)) for p in folder.rglob(".tmp-*"))
    assert temps == [], f"{where}: temp files survive an open: {temps}"
    on_disk = {p.name for p in (folder / BLOB_DIR).iterdir()}
    with vault.services.context.sessions() as session:
        rows = set(session.scalars(select(Blob.blob_id)))
        used = set(session.scalars(select(EvidenceBlob.blob_id)))
    assert on_disk == rows, f"{where}: orphan files {on_disk - rows}, missing files {rows - on_disk}"
    assert rows == used, f"{where}: blobs no item uses: {rows - used}"
    assert not set(vault.quarantined()) & rows, f"{where}: a file in use is in quarantine"


def quarantined_count(vault: Vault) -> int:
    return (
        len(list((vault.folder / QUARANTINE_DIR).glob("*")))
        if (vault.folder / QUARANTINE_DIR).exists()
        else 0
    )


def check_after_kill(vault: Vault, expected: State, pending: dict[str, Any] | None, where: str) -> State:
    report = vault.verify()
    assert report.ok, f"{where}: verify: {report.problems}"
    check_files(vault, where)
    actual = read_state(vault)
    if actual == expected:
        return actual
    assert pending is not None, (
        f"{where}: an acknowledged intake is missing or changed: {expected} vs {actual}"
    )
    # The kill came after the intake under way committed, before its acknowledgement.
    assert actual.intakes == expected.intakes + 1, f"{where}: {expected.intakes} -> {actual.intakes} intakes"
    added = set(actual.items) - set(expected.items)
    assert set(expected.items) <= set(actual.items), f"{where}: an acknowledged item is gone"
    assert {k: actual.items[k] for k in expected.items} == expected.items, f"{where}: an item changed"
    if added:
        (new_id,) = added
        assert actual.items[new_id] == (file_sha256(Path(pending["path"])), pending["case"]), where
    return actual


def new_vault(folder: Path, sources: Path) -> State:
    """A closed vault with two cases and one item (for duplicate intakes)."""
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    first = vault.cases.create(entities.Case(title="Ізюм, березень 2022"))
    vault.cases.create(entities.Case(title="Буча, березень 2022"))
    sources.mkdir()
    vault.evidence.ingest(make_random(sources / "base.bin", 1 << 20, seed=SEED), first.id)
    state = read_state(vault)
    vault.lock()
    return state


def kill_during_intake(work: Path, vault_number: int) -> None:
    seed = SEED + vault_number
    rng = random.Random(seed)
    folder, sources = work / "vault", work / "sources"
    expected = new_vault(folder, sources)
    clock = CLOCK
    interrupted = acknowledged = 0
    landings = []
    for point in range(POINTS_PER_VAULT):
        aimed, fraction = INTAKE_PHASES[(vault_number + point) % len(INTAKE_PHASES)], rng.random()
        child_seed = rng.getrandbits(32)
        where = f"vault {vault_number} (seed {seed}), point {point}, kill {fraction:.0%} into {aimed!r}"
        run = run_child(
            partial(ingest_stream, folder, sources, point=point, seed=child_seed),
            kill_after=None,
            kill_when=clock.aim(aimed, fraction),
        )
        clock.learn(run.messages)
        landings.append(clock.landed(run.messages))
        where += f", landed in {landings[-1]!r}"
        assert run.killed, f"{where}: the child was not killed but exited {run.exit_status}"
        assert any(m["e"] == "open" for m in run.messages), f"{where}: the child never opened the vault"
        state, pending = apply(expected, run.messages)
        interrupted += pending is not None
        acknowledged += sum(m["e"] == "done" for m in run.messages)
        vault = open_vault(folder)
        try:
            expected = check_after_kill(vault, state, pending, where)
        finally:
            vault.lock()
        for leftover in sources.glob("p*"):  # keep the sources folder small
            if leftover.name.startswith(f"p{point}-"):
                continue
            leftover.unlink()
    # The kills must land in intakes, and intakes must complete between them.
    assert interrupted >= 1, f"vault {vault_number}: no kill came during an intake: {landings}"
    assert acknowledged + interrupted >= POINTS_PER_VAULT, (
        f"vault {vault_number}: too few intakes: {landings}"
    )


@pytest.mark.parametrize("vault_number", range(VAULTS), ids=lambda n: f"vault{n:02d}")
def test_kill9_during_intake_leaves_a_whole_vault(tmp_path: Path, vault_number: int) -> None:
    kill_during_intake(tmp_path, vault_number)


@pytest.mark.stress
@pytest.mark.parametrize("vault_number", range(1000, 1000 + STRESS_VAULTS), ids=lambda n: f"vault{n}")
def test_kill9_during_intake_leaves_a_whole_vault_stress(tmp_path: Path, vault_number: int) -> None:
    kill_during_intake(tmp_path, vault_number)


# -- kill -9 at each step of one intake ---------------------------------------------


def after(method: Callable[..., Any]) -> Callable[..., Any]:
    def run_then_die(*args: Any, **kwargs: Any) -> Any:
        method(*args, **kwargs)
        die()

    return run_then_die


def before(method: Callable[..., Any]) -> Callable[..., Any]:
    def die_first(*args: Any, **kwargs: Any) -> Any:
        die()

    return die_first


# step -> (where the child dies, is the item there afterwards, is the source still there)
STEPS: dict[str, tuple[Callable[[], None], bool, bool]] = {
    # Encrypted and fsynced under its temp name, not renamed.
    "blob-written": (lambda: setattr(BlobStore, "commit", before(BlobStore.commit)), False, True),
    # Renamed to its final name; the database row is not committed: an orphan.
    "blob-renamed": (lambda: setattr(BlobStore, "commit", after(BlobStore.commit)), False, True),
    # The transaction committed; ingest has not returned.
    "recorded": (
        lambda: setattr(EvidenceService, "_record_intake", after(EvidenceService._record_intake)),
        True,
        True,
    ),
    # remove_source: the stored copy checked out; the source not yet deleted.
    "read-back": (
        lambda: setattr(EvidenceService, "_verify_stored_copy", after(EvidenceService._verify_stored_copy)),
        True,
        True,
    ),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_kill9_at_each_step_of_an_intake(tmp_path: Path, step: str) -> None:
    folder, sources = tmp_path / "vault", tmp_path / "sources"
    expected = new_vault(folder, sources)
    source = make_source(sources, "evidence.bin")
    source_sha = file_sha256(source)
    arm_death, item_there, source_there = STEPS[step]
    case_id = next(iter(expected.items.values()))[1]

    def body(fd: int) -> None:
        vault = open_vault(folder)
        send(fd, e="open")
        arm_death()
        vault.evidence.ingest(source, case_id, remove_source=True)
        send(fd, e="returned")

    run = run_child(body, kill_after=None)
    assert run.killed, f"{step}: the child was not killed at its step (exit {run.exit_status})"
    assert not any(m["e"] == "returned" for m in run.messages)
    vault = open_vault(folder)
    try:
        check_files(vault, step)
        assert vault.verify().ok
        # Only the blob renamed before its row committed is unaccounted for.
        assert quarantined_count(vault) == (1 if step == "blob-renamed" else 0), step
        added = {k: v for k, v in read_state(vault).items.items() if k not in expected.items}
        assert list(added.values()) == ([(source_sha, case_id)] if item_there else []), step
    finally:
        vault.lock()
    assert source.exists() == source_there and file_sha256(source) == source_sha


def test_kill9_during_a_duplicate_intake_keeps_the_item(tmp_path: Path) -> None:
    """Dies before the duplicate's temp blob is discarded: the temp goes at the
    next open and the existing item is untouched."""
    folder, sources = tmp_path / "vault", tmp_path / "sources"
    expected = new_vault(folder, sources)
    case_id = next(iter(expected.items.values()))[1]

    def body(fd: int) -> None:
        vault = open_vault(folder)
        send(fd, e="open")
        BlobStore.discard = before(BlobStore.discard)  # type: ignore[method-assign]
        vault.evidence.ingest(sources / "base.bin", case_id)

    run = run_child(body, kill_after=None)
    assert run.killed
    assert any(p.name.startswith(".tmp-") for p in (folder / BLOB_DIR).iterdir()), "no temp blob to clean"
    vault = open_vault(folder)
    try:
        check_files(vault, "duplicate")
        assert vault.verify().ok
        assert read_state(vault) == expected
    finally:
        vault.lock()


# -- full disk and failing calls (LD_PRELOAD shim) -----------------------------------

FAULT_FILE_SIZE = 4 << 20  # 4 segments

CHILD = """\
import json, shutil, sys, traceback
from pathlib import Path

from db.errors import FieldvaultError, StorageError
from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.faults import arm

spec = json.loads(sys.argv[1])
base, work, source = Path(spec["base"]), Path(spec["work"]), Path(spec["source"])

def listing(folder):
    return sorted(p.name for p in (folder / "blobs").iterdir())

def intake(vault):
    try:
        item = vault.evidence.ingest(source, spec["case_id"]).item
        return {"ok": True, "id": item.id, "sha": item.sha256}
    except Exception as exc:
        return {"ok": False, "type": type(exc).__name__, "storage_error": isinstance(exc, StorageError),
                "message": str(exc), "traceback": traceback.format_exc()}

for run in spec["runs"]:
    folder = work / run["label"]
    shutil.copytree(base, folder)
    vault = Vault.open(folder, spec["passphrase"], keyring=NoKeyring())
    blobs_before = listing(folder)
    if run["call_class"] == "count":
        for call_class in arm.CALL_CLASSES:
            arm.arm(call_class, 0)
    else:
        arm.arm(run["call_class"], run["nth"], run["err"], run["sticky"])
    try:
        outcome = intake(vault)
    finally:
        arm.disarm()
    outcome["counts"] = {c: arm.count(c) for c in arm.CALL_CLASSES}
    outcome["injected"] = arm.injected(run["call_class"]) if run["call_class"] != "count" else 0
    outcome["new_blob_files"] = sorted(set(listing(folder)) - set(blobs_before))
    outcome["temp_files"] = sorted(str(p.relative_to(folder)) for p in folder.rglob(".tmp-*"))
    outcome["items"] = vault.evidence.count()
    if not outcome["ok"]:
        # The disk has room again: the same unlocked vault takes the file.
        outcome["retry"] = intake(vault)
    vault.lock()
    print(json.dumps({"label": run["label"], **outcome}), flush=True)
"""


@dataclass(frozen=True)
class FaultRun:
    call_class: str  # "count", "write", "fsync" or "rename"
    nth: int = 0
    err: int = 0
    sticky: bool = False

    @property
    def label(self) -> str:
        if self.call_class == "count":
            return "count"
        return (
            f"{self.call_class}-{self.nth}-{errno.errorcode[self.err]}-{'sticky' if self.sticky else 'once'}"
        )


@dataclass(frozen=True)
class FaultBase:
    folder: Path
    case_id: str
    source: Path
    sha256: str


@pytest.fixture
def fault_base(tmp_path: Path) -> FaultBase:
    folder = tmp_path / "base"
    vault = Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    case = vault.cases.create(entities.Case(title="Ізюм, березень 2022"))
    vault.lock()
    source = make_random(tmp_path / "evidence.mp4", FAULT_FILE_SIZE + 123, seed=SEED)
    return FaultBase(folder, case.id, source, file_sha256(source))


def run_faults(lib: Path, base: FaultBase, work: Path, runs: list[FaultRun]) -> list[dict[str, Any]]:
    spec = {
        "base": str(base.folder),
        "work": str(work),
        "source": str(base.source),
        "case_id": base.case_id,
        "passphrase": PASSPHRASE,
        "runs": [{"label": r.label, **r.__dict__} for r in runs],
    }
    work.mkdir(parents=True, exist_ok=True)
    proc = run_with_faults(lib, CHILD, [json.dumps(spec)])
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert proc.returncode == 0 and len(lines) == len(runs), f"child failed:\n{proc.stdout}\n{proc.stderr}"
    return lines


def check_intact_after(folder: Path, base: FaultBase, outcome: dict[str, Any], where: str) -> None:
    """The parent's view, without the shim: the failed intake left nothing; the
    retry (or the intake itself, if it succeeded) is there, whole."""
    vault = open_vault(folder)
    try:
        report = vault.verify()
        assert report.ok, f"{where}: {report.problems}"
        check_files(vault, where)
        items = vault.evidence.list()
        assert [i.sha256 for i in items] == [base.sha256], f"{where}: {[i.id for i in items]}"
    finally:
        vault.lock()


def test_a_full_disk_during_intake_gives_a_clear_error_and_an_intact_vault(
    fault_lib: Path, fault_base: FaultBase, tmp_path: Path
) -> None:
    work = tmp_path / "runs"
    (counted,) = run_faults(fault_lib, fault_base, work, [FaultRun("count")])
    assert counted["ok"], counted
    counts = counted["counts"]
    assert counts["write"] >= 5, f"the shim saw too few writes ({counts}); is it loaded?"
    check_intact_after(work / "count", fault_base, counted, "count")

    writes = counts["write"]
    runs = [FaultRun("write", nth, errno.ENOSPC, sticky=True) for nth in sorted({1, 3, writes // 2, writes})]
    runs += [FaultRun("fsync", 1, errno.EIO), FaultRun("fsync", counts["fsync"], errno.EIO)]
    runs += [FaultRun("rename", 1, errno.EIO)]
    outcomes = run_faults(fault_lib, fault_base, work, runs)

    for run, outcome in zip(runs, outcomes, strict=True):
        where = f"{run.label} (calls without fault: {counts})"
        assert outcome["injected"] >= 1, f"{where}: no call failed"
        if outcome["ok"]:
            # Only a failure the intake may shrug off (e.g. a late directory fsync).
            assert run.call_class == "fsync", f"{where}: intake succeeded despite {run.label}"
        else:
            assert outcome["storage_error"], f"{where}: not a StorageError:\n{outcome['traceback']}"
            if run.err == errno.ENOSPC:
                assert "No space left on device" in outcome["message"], outcome["message"]
            assert "Nothing was lost" in outcome["message"], outcome["message"]
            assert outcome["items"] == 0, f"{where}: a failed intake left an item"
            assert outcome["new_blob_files"] == [], f"{where}: left {outcome['new_blob_files']} in blobs/"
            assert outcome["temp_files"] == [], f"{where}: left temp files {outcome['temp_files']}"
            assert outcome["retry"]["ok"], f"{where}: the retry failed: {outcome['retry']}"
        check_intact_after(work / run.label, fault_base, outcome, where)
