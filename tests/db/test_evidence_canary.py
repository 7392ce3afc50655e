"""A canary inside an evidence file never reaches the disk in plaintext.

A file carrying a unique canary (Latin and Cyrillic; in UTF-8, UTF-16-LE and
UTF-16-BE; one copy straddling the 1 MiB segment boundary) is ingested with
the canary also in its name and in the worker's description, viewed (read in
full and with seeks) and verified. Then every file under the test's folder (the
vault, and the temp folder the test points ``tempfile`` and ``TMPDIR`` at) is
scanned byte by byte, while the vault is open and again after it is locked:
the canary is found in the source file only. File names are checked too.
"""

from __future__ import annotations

import io
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.blobformat import DEFAULT_SEGMENT_SIZE
from db.vault import Vault
from tests.factory import make_case

CYRILLIC = "абвгдежзиклмнопр"  # one letter per hex digit
SYSTEM_TEMP = Path(tempfile.gettempdir())  # before any test points tempfile elsewhere


def canary_text() -> str:
    token = uuid.uuid4().hex
    return f"FV-CANARY-{token}-Свідок-{''.join(CYRILLIC[int(c, 16)] for c in token)}"


def needles(canary: str) -> dict[str, bytes]:
    """The canary, and its Latin and Cyrillic halves alone, in each encoding."""
    latin, cyrillic = canary.split("-Свідок-")
    found = {}
    for label, text in (("whole", canary), ("latin", latin), ("cyrillic", cyrillic)):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            found[f"{label}/{encoding}"] = text.encode(encoding)
    return found


def evidence_with(canary: str, seed: int) -> bytes:
    rng = random.Random(seed)
    parts = [
        rng.randbytes(5000),
        canary.encode("utf-8"),
        rng.randbytes(7000),
        "\ufeff".encode("utf-16-le") + canary.encode("utf-16-le"),
        rng.randbytes(3000),
        canary.encode("utf-16-be"),
    ]
    body = b"".join(parts)
    # One more copy across the first segment boundary.
    straddle = canary.encode("utf-8")
    pad = DEFAULT_SEGMENT_SIZE - len(body) - len(straddle) // 2
    return body + rng.randbytes(pad) + straddle + rng.randbytes(300_000) + canary.encode("utf-8")


def files_under(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path


def find(needle_set: dict[str, bytes], path: Path) -> list[str]:
    """Which needles are in the file (read in overlapping chunks)."""
    longest = max(len(n) for n in needle_set.values())
    hits: set[str] = set()
    with path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(4 << 20):
            window = tail + chunk
            hits |= {label for label, needle in needle_set.items() if needle in window}
            tail = window[-longest:]
    return sorted(hits)


def scan(
    roots: list[Path], needle_set: dict[str, bytes], canary: str, *, since: float = 0.0
) -> dict[str, list[str]]:
    """Every file under ``roots`` (modified after ``since``) holding a needle,
    or whose path holds the canary's token."""
    token = canary.split("-")[2]
    found: dict[str, list[str]] = {}
    for root in roots:
        for path in files_under(root):
            if path.stat().st_mtime < since:
                continue
            hits = find(needle_set, path)
            if token in str(path):
                hits.append("file name")
            if hits:
                found[str(path)] = hits
    return found


@pytest.fixture
def test_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp folder for this test: tempfile and child libraries use it."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_canary_in_evidence_appears_nowhere_on_disk_but_in_the_source(
    vault: Vault, tmp_path: Path, test_temp: Path
) -> None:
    started = time.time() - 1
    canary = canary_text()
    needle_set = needles(canary)
    sources = tmp_path / "sources"
    sources.mkdir()
    data = evidence_with(canary, seed=1)
    source = sources / f"statement {canary.split('-')[2]}.txt"
    source.write_bytes(data)

    # Positive control: the scanner finds every form of the canary where it is.
    assert find(needle_set, source) == sorted(needle_set)

    case = make_case(vault)
    item = vault.evidence.ingest(source, case.id, description=f"contains {canary}").item
    with vault.evidence.open(item.id, purpose="review") as reader:
        assert reader.read() == data
        reader.seek(DEFAULT_SEGMENT_SIZE - 20)
        assert reader.read(40) == data[DEFAULT_SEGMENT_SIZE - 20 : DEFAULT_SEGMENT_SIZE + 20]
        buffered = io.BufferedReader(reader, buffer_size=8192)
        buffered.seek(5000)
        assert buffered.read(len(canary.encode())) == canary.encode()
    report = vault.verify()
    assert report.ok and report.bytes_checked == len(data)
    # The description (canary included) is in the search index, inside the encrypted database.
    assert [h.entity_id for h in vault.search.query(canary.split("-")[2])] == [item.id]

    roots = [vault.folder, test_temp, tmp_path]
    found = scan(roots, needle_set, canary)
    assert found == {str(source): [*sorted(needle_set), "file name"]}, f"canary on disk: {found}"

    vault.lock()  # closes the database: the WAL is checkpointed into vault.db
    found = scan(roots, needle_set, canary)
    assert found == {str(source): [*sorted(needle_set), "file name"]}, f"canary on disk after lock: {found}"

    # Files the process left directly in the system temp folder during the test.
    if SYSTEM_TEMP.is_dir():
        leaked = {
            str(p): find(needle_set, p)
            for p in SYSTEM_TEMP.iterdir()
            if p.is_file() and not p.is_symlink() and p.stat().st_mtime >= started
        }
        assert not {k: v for k, v in leaked.items() if v}, f"canary in the system temp folder: {leaked}"
