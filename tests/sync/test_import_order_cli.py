"""``fieldvault bundle import FILE…`` takes one sender's bundles in its
sequence order, read from each file's signed outer header, whatever the
order given (sync/bundle/import_order.py; docs/cli.md, bundle import).

The parts of a split history hand-over are named ``…-9``, ``…-10``, ``…-11``
(not zero-padded), so a shell glob of the stick gives ``-10`` and ``-11``
before ``-2``; before, every part after its place in that order was refused
(``bundle-hand-over-part``) until a second run. Real vaults (Kyiv hands its
history over to Lviv, added later), a folder for the USB stick, the part
limit lowered (``MAX_PART_LINES``) so that the history needs 11 parts; the
command runs in this process (``run_cli``) so that the limit applies."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fieldvault.cli import run_cli
from sync.bundle import hand_over as hand_over_module
from sync.bundle.hand_over import hand_over
from sync.bundle.import_order import import_order
from tests.factory import make_case
from tests.sync.desk_world import UsbDesks, ack_by_usb, heads_hash
from tests.sync.desk_world import usb_desks as desks
from tests.vault_helpers import PASSPHRASE, open_vault

__all__ = ["desks", "eleven_parts"]  # the fixtures


def _fieldvault(folder: Path, *argv: str) -> int:
    """``fieldvault --vault FOLDER --passphrase-fd N ARGV`` in this process."""
    read, write = os.pipe()
    os.write(write, f"{PASSPHRASE}\n".encode())
    os.close(write)
    try:
        return run_cli(["--vault", str(folder), "--passphrase-fd", str(read), *argv])
    finally:
        os.close(read)


def _part_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


@pytest.fixture
def eleven_parts(desks: UsbDesks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """Kyiv's history handed over to Lviv in 11 parts or more on the stick;
    both desks locked. Returns the stick and Kyiv's heads hash."""
    field = desks.worker("field")
    made = desks.org.export(field.vault)
    desks.org.import_(made.path)
    ack_by_usb(desks.kyiv, field.vault, made.bundle_id)
    for _ in range(6):
        make_case(desks.kyiv)
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(hand_over_module, "MAX_PART_LINES", 1)
    handed = hand_over(desks.kyiv, stick, desks.lviv.device_id)
    assert len(handed.parts) >= 11
    kyiv_heads = heads_hash(desks.kyiv)
    desks.kyiv.lock()
    desks.lviv.lock()
    return stick, kyiv_heads


def test_a_glob_of_the_parts_is_taken_whole_in_one_run(
    desks: UsbDesks, eleven_parts: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    stick, kyiv_heads = eleven_parts
    globbed = sorted(stick.glob("*.fvbundle"))  # what `bundle import DIR/*.fvbundle` is given
    numbers = [_part_number(path) for path in globbed]
    assert numbers != sorted(numbers)  # the glob's order is not the parts' order

    assert _fieldvault(desks.lviv.folder, "--json", "bundle", "import", *map(str, globbed)) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # One row per file, naming it as given, each imported (none a replay:
    # nothing was taken by an earlier run), in the parts' order.
    assert sorted(row["bundle"] for row in rows) == [str(path) for path in globbed]
    assert all(row["ok"] and not row["replay"] for row in rows)
    assert [row["sequence"] for row in rows] == sorted(numbers)
    lviv = open_vault(desks.lviv.folder)
    try:
        assert heads_hash(lviv) == kyiv_heads
        report = lviv.verify()
        assert report.ok, report.problems
    finally:
        lviv.lock()


def test_a_file_whose_header_cannot_be_read_fails_and_the_parts_are_taken(
    desks: UsbDesks, eleven_parts: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    stick, kyiv_heads = eleven_parts
    parts = sorted(stick.glob("*.fvbundle"), key=_part_number, reverse=True)  # the worst order
    junk = stick / "not-a-bundle.fvbundle"
    junk.write_bytes(b"holiday photos, not a bundle")
    given = [parts[0], junk, *parts[1:]]

    assert _fieldvault(desks.lviv.folder, "bundle", "import", *map(str, given)) == 1
    said = capsys.readouterr()
    lines = said.out.splitlines()
    assert len(lines) == len(given)
    # The junk keeps its place (second) and is refused as before; every part is imported.
    assert lines[1].startswith(f"{junk}: REFUSED (magic)")
    assert [line for line in lines if "REFUSED" in line] == [lines[1]]
    assert f"1 of {len(given)} bundle(s) refused" in said.err
    lviv = open_vault(desks.lviv.folder)
    try:
        assert heads_hash(lviv) == kyiv_heads
    finally:
        lviv.lock()


def test_each_sender_is_put_in_order_within_its_own_places(desks: UsbDesks, tmp_path: Path) -> None:
    """Two senders' bundles given interleaved and out of order: each
    sender's are put in sequence order in the places its files hold; the
    order across senders and an unreadable file's place are kept."""
    field = desks.worker("field")
    first = desks.org.export(field.vault).path
    make_case(field.vault)
    second = desks.org.export(field.vault).path
    kyiv_first = desks.kyiv_bundle()
    make_case(desks.kyiv)
    kyiv_second = desks.kyiv_bundle()
    junk = tmp_path / "cut-short.fvbundle"
    junk.write_bytes(second.read_bytes()[:20])  # a header cut short: cannot be read
    given = [second, kyiv_second, first, junk, kyiv_first]

    taken = [given[index] for index in import_order(given)]

    assert taken == [first, kyiv_first, second, junk, kyiv_second]
