"""Import bundles… (the USB path) says a held bundle that its release held
in quarantine again as the sync panel says it (review 32 L3), not as a
release failure of this computer.

The scene of tests/sync/test_release_held_again_cli.py ``held_by_usb``:
worker X's bundle held at Lviv from a stick; Lviv imports, through the
dialog, the Odesa desk's bundle vouching for X, which releases X's bundle;
by the time that release's import takes the write lock, Lviv has taken the
profile without Odesa (tests/sync/test_release_failures.py HeldAgain), so
the import holds X's bundle in quarantine again. Before, the dialog said
"importing it failed on this computer (bundle-quarantined), 1 time(s) in a
row … Import the bundle file again once the cause is dealt with", then the
quarantine's own message. Now it says the sync panel's line
(desktop/messages.py ``held_again_message``). Real vaults and bundle files;
English and Ukrainian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sync.bundle import quarantine
from sync.bundle.quarantine import held_states, import_refusals, release_failures
from sync.bundle.reader import check_header
from tests.desktop.bundle_dialog_helpers import import_in_dialog
from tests.gui_helpers import in_ukrainian
from tests.sync.desk_world import UsbDesks, usb_desks
from tests.sync.test_release_failures import HeldAgain
from tests.sync.test_release_held_again_cli import held_by_usb, lapse_when_released

desks = usb_desks  # the fixture, under the name the tests ask for

# What the dialog said of it before (a release failure of this computer).
BEFORE = (
    "importing it failed on this computer",
    "time(s) in a row",
    "Import the bundle file again once the cause is dealt with",
    "An error stopped it",
    "was not imported after its device was vouched for",
)


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "qm"):
        yield


def _imported(qtbot: QtBot, desks: UsbDesks, monkeypatch: pytest.MonkeyPatch) -> tuple[str, HeldAgain]:
    """Import bundles… of Odesa's bundle, its release holding X's bundle
    again: (what the dialog says when done, the scene)."""
    scene = held_by_usb(desks)
    given = lapse_when_released(monkeypatch, scene, quarantine)
    importing = import_in_dialog(qtbot, desks.lviv, [scene.vouching])
    assert given == [desks.lviv], "the import of Odesa's bundle did not release X's"
    # Odesa's bundle is imported (its row is the dialog's one row).
    assert desks.lviv.sync.received_bundle(check_header(scene.vouching).bundle_id) is not None
    assert len(importing.result_texts()) == 1
    # Held again, as at first: not counted, not refused, nothing stored.
    assert release_failures(desks.lviv) == {} and import_refusals(desks.lviv) == {}
    assert [state.state for state in held_states(desks.lviv)] == ["awaiting-verification"]
    assert desks.lviv.sync.received_bundle(scene.bundle_id) is None
    return importing.status.text(), scene


def test_import_bundles_says_a_bundle_its_release_held_again_is_held_why_and_what_to_do(
    qtbot: QtBot, desks: UsbDesks, monkeypatch: pytest.MonkeyPatch
) -> None:
    said, scene = _imported(qtbot, desks, monkeypatch)
    assert (
        f"Bundle {scene.bundle_id[:12]}… was not imported and is held in quarantine again: by the time its "
        "import began, its device was no longer verified on this computer"
    ) in said, said
    assert "Nothing of it was stored, it was not refused, and its file is kept." in said, said
    assert "phone the worker, compare the verification code, then approve the bundle" in said, said
    for before in BEFORE:
        assert before not in said, (before, said)
    assert said.count(scene.bundle_id[:12]) == 1, said  # one line says it


def test_import_bundles_says_it_in_ukrainian(
    qtbot: QtBot, desks: UsbDesks, monkeypatch: pytest.MonkeyPatch, ukrainian: None
) -> None:
    said, scene = _imported(qtbot, desks, monkeypatch)
    assert (
        f"Пакет {scene.bundle_id[:12]}… не імпортовано, і його знову утримано в карантині: коли почався "
        "його імпорт, його пристрій уже не був перевіреним на цьому комп’ютері"
    ) in said, said
    assert "порівняйте код перевірки, а тоді схваліть пакет" in said, said
    assert "held in quarantine" not in said, said
    for before in ("не вдалося", "не вдався", "поспіль"):  # failed, in a row
        assert before not in said, (before, said)
