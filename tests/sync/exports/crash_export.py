"""A bag export killed with SIGKILL half-way, for the tests of what the next
unlock does with its partial folder (db/partial_exports.py): in the core's
tests and the desktop's."""

from __future__ import annotations

from pathlib import Path

from db.api import Vault
from sync.exports.bag import export_bag
from tests.crash_helpers import die, run_child, send
from tests.evidence_samples import make_random
from tests.vault_helpers import open_vault

ITEM_SIZE = 2 << 20


def add_big_items(
    vault: Vault, case_id: str, sources: Path, count: int = 2, size: int = ITEM_SIZE
) -> list[bytes]:
    """``count`` items of ``size`` random bytes; returns each one's first 4 KiB (to look for)."""
    sources.mkdir(exist_ok=True)
    heads = []
    for number in range(count):
        path = make_random(sources / f"big-{number}.bin", size, seed=100 + number)
        vault.evidence.ingest(path, case_id)
        heads.append(path.read_bytes()[:4096])
    return heads


def kill_during_bag_export(vault_dir: Path, case_id: str, dest: Path) -> Path:
    """A child opens the (locked) vault and exports the case as a bag into
    ``dest``; once one big item is whole in the bag and the next one begun, it
    kills itself with SIGKILL. Returns the partial folder it left."""

    def body(fd: int) -> None:
        vault = open_vault(vault_dir)
        send(fd, e="open")

        def progress(done: int, total: int) -> None:
            if done > ITEM_SIZE + (ITEM_SIZE // 2):
                send(fd, e="killing")
                die()

        export_bag(vault, case_id, dest, progress=progress)
        send(fd, e="done")

    run = run_child(body, kill_after=None)
    assert run.killed and [m["e"] for m in run.messages] == ["open", "killing"], run.messages
    left = [p for p in dest.iterdir() if ".partial-" in p.name]
    assert len(left) == 1 and left[0].is_dir(), left
    return left[0]


def files_holding(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and needle in p.read_bytes()]
