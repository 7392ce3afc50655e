"""The order in which ``bundle import`` and the GUI's Import bundles… take
the files they are given (docs/cli.md, bundle import).

A device's bundles must be imported in its sequence order: each names the
one before it, and a split history hand-over's part is refused
(``bundle-hand-over-part``) until the part before it is taken. Parts are
named ``…-99``, ``…-100`` (not zero-padded), so a shell glob or a file
chooser's name order gives ``-100`` before ``-99``. So each file's signed
outer header is read (§5.1-4 only: no decryption, no payload read) and the
files of one sender are taken in their sequence order, in the places that
sender's files hold in the list given; every other file keeps its place.
The order given across senders is kept on purpose: a user may give another
coordinator's vouching bundle before the bundles of the devices it vouches
for. A file whose header cannot be read keeps its place and fails at its
import as it would have; the import checks everything again, so this order
is a hint that decides nothing about what is accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sync.bundle.errors import BundleRejected
from sync.bundle.reader import check_header


def _sender_and_sequence(path: Path) -> tuple[str, int] | None:
    try:
        header = check_header(path).header
    except (BundleRejected, OSError):  # refused or unreadable at its own import, as before
        return None
    return header.device_id, header.sequence


def import_order(paths: Sequence[Path]) -> list[int]:
    """The indexes of ``paths`` in the order to import them: each sender's
    files sorted by sequence number within the places its files hold; the
    others (headers that cannot be read) where they are. Stable: equal
    (sender, sequence) pairs keep the order given."""
    sequences: dict[int, int] = {}
    slots: dict[str, list[int]] = {}  # sender -> the places its files hold, in the order given
    for index, path in enumerate(paths):
        key = _sender_and_sequence(path)
        if key is not None:
            slots.setdefault(key[0], []).append(index)
            sequences[index] = key[1]
    order = list(range(len(paths)))
    for places in slots.values():
        by_sequence = sorted(places, key=sequences.__getitem__)
        for place, index in zip(places, by_sequence, strict=True):
            order[place] = index
    return order
