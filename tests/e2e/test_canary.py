"""Witness text never reaches the disk in plaintext outside the vault's encryption."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from tests.canary_helpers import encodings, files_containing
from tests.cli_helpers import REPO, Cli

PASS = "a long field passphrase"


def test_canary_in_a_testimony_appears_nowhere_in_plaintext(cli: Cli, tmp_path: Path) -> None:
    """What is scanned, and why there: every file of the vault, the commands'
    HOME and their TMPDIR (where the app writes); the files changed since the
    test began in the commands' folder (the repository: a relative path would
    land there) and in the shared /tmp, /var/tmp and /dev/shm, where code
    that ignores TMPDIR writes. The shared folders are walked whole, never
    pruned by a folder's time: a file written in place (a log opened by a
    fixed name, made by an earlier test) changes no folder's time."""
    started = time.time() - 1
    tag = secrets.token_hex(4)
    latin = f"CANARY-{tag}-Witness-Name"
    cyrillic = f"Канарка-{tag}-Свідок"
    cli.create_fast(PASS)
    case = cli.json("case", "new", f"Case {cyrillic}", secrets=[PASS])
    narrative = f"{latin} розповіла, що {cyrillic} бачив розстріл полонених."
    testimony = cli.json(
        "testimony", "new", "--case", case["id"], "--narrative-file", "-", secrets=[PASS], stdin=narrative
    )
    # Search and info run over the data too.
    hits = cli.json("search", cyrillic, secrets=[PASS])
    # The canary is really stored and findable, in the case and the testimony.
    assert {h["id"] for h in hits} == {case["id"], testimony["id"]}
    cli.run("info", secrets=[PASS])

    needles = encodings(latin) + encodings(cyrillic)
    roots = [cli.vault, Path(cli.env["HOME"]), Path(cli.env["TMPDIR"])]
    assert files_containing(roots, needles) == []
    # Shared temp folders and the commands' folder too, for files written during this test.
    shared = [p for p in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")) if p.exists()]
    assert files_containing([*shared, REPO], needles, newer_than=started) == []
