"""Coordinator → Conflicts… (desktop/conflicts_view.py, issue 14): two field
devices edit one testimony, their bundles are imported into the
coordinator's vault (tests/sync/merge/conflict_fixtures.py), and the
coordinator resolves the conflict in the real window's dialog: both versions
side by side, the narrative as a word diff marked in colour and in the text,
a choice per differing field, one save. The vault then holds no conflict,
the record the chosen values, one merge revision whose parents are both
heads, and verifies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QTextBrowser
from pytestqt.qtbot import QtBot

from db.api import Incident, Person, Vault
from db.keyring_store import NoKeyring
from desktop.conflicts_view import ConflictsDialog
from desktop.tasks import TaskRunner
from desktop.window import FieldvaultWindow
from tests.factory import make_case
from tests.gui_helpers import in_ukrainian, screenshot, type_text, unlocked_window
from tests.sync.merge.conflict_fixtures import FIRST_NARRATIVE, ConflictScene, build_conflict
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

WAIT_MS = 30_000
UKRAINIAN = re.compile("[А-Яа-яІіЇїЄєҐґ]")


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[ConflictScene]:
    built = build_conflict(tmp_path)
    built.close()  # the window opens the coordinator's vault itself
    yield built


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


def wait_for_versions(qtbot: QtBot, dialog: ConflictsDialog) -> None:
    """Until the chosen conflict's versions are laid out (children added to a
    shown dialog appear at the next turn of the event loop)."""

    def laid_out() -> bool:
        buttons = [b for choice in dialog.choices.values() for b in choice.heads]
        return not dialog.loading and dialog.versions is not None and all(b.isVisible() for b in buttons)

    qtbot.waitUntil(laid_out, timeout=WAIT_MS)


def choose(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click a radio button on its indicator (a radio button takes clicks on
    its circle and label, not anywhere in its row)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))


def _first_row_text(dialog: ConflictsDialog) -> str:
    row = dialog.conflict_list.topLevelItem(0)
    assert row is not None
    return row.text(0)


def open_conflicts(qtbot: QtBot, window: FieldvaultWindow) -> ConflictsDialog:
    """Coordinator → Conflicts…, as a click on the menu entry does."""
    menu = window.coordinator_menu
    assert menu.menuAction().isVisible()
    (entry,) = [
        a for a in menu.actions() if a.text() == QCoreApplication.translate("ConflictsDialog", "Conflicts…")
    ]
    entry.trigger()
    dialog = menu.dialog
    assert isinstance(dialog, ConflictsDialog)
    wait_for_versions(qtbot, dialog)
    return dialog


def column_of(dialog: ConflictsDialog, device_id: str) -> int:
    assert dialog.versions is not None
    (index,) = [i for i, h in enumerate(dialog.versions.heads) if h.device_id == device_id]
    return index


def narrative_views(dialog: ConflictsDialog) -> list[QTextBrowser]:
    views = [
        w for w in dialog.grid_host.findChildren(QTextBrowser) if w.objectName().startswith("narrative-")
    ]
    return sorted(views, key=lambda w: w.objectName())


def test_the_coordinator_resolves_a_testimony_field_by_field(qtbot: QtBot, scene: ConflictScene) -> None:
    window = unlocked_window(qtbot, scene.coordinator.folder)
    dialog = open_conflicts(qtbot, window)
    vault = window.vault
    assert vault is not None
    heads_before = set(vault.revisions.heads()[scene.testimony_id])

    # The list: one testimony, two versions, written on the two workers' devices.
    assert dialog.conflict_list.topLevelItemCount() == 1
    row = dialog.conflict_list.topLevelItem(0)
    assert row is not None
    assert row.text(0) == "testimony" and row.text(2) == "2"
    assert row.text(1).startswith("Statement of")
    for worker in (scene.first, scene.second):
        assert worker.device_id.replace("-", "")[:8] in row.text(3)

    # Side by side: the fields that differ are marked and need a choice; the others do not.
    assert sorted(dialog.choices) == ["interviewer", "narrative", "title"]
    assert dialog.undecided() == ["title", "interviewer", "narrative"]
    assert not dialog.save_button.isEnabled()
    first = column_of(dialog, scene.first.device_id)
    assert column_of(dialog, scene.second.device_id) == 1 - first

    # The narrative as a word diff, marked in the text as well as in colour.
    left, right = narrative_views(dialog)
    left_text, right_text = left.toPlainText(), right.toPlainText()
    first_text, second_text = (left_text, right_text) if first == 0 else (right_text, left_text)
    first_mark, second_mark = ("[-", "{+") if first == 0 else ("{+", "[-")
    assert f"{first_mark}трьох" in first_text and "вночі" in first_text
    assert f"{second_mark}двох" in second_text and "білу" in second_text
    assert "білу" not in first_text and "трьох" not in second_text
    assert "line-through" in left.toHtml() and "underline" in right.toHtml()
    dialog.versions_area.ensureWidgetVisible(left)
    screenshot(dialog, "conflicts.png")

    # Choices: the title and narrative of the first worker, an edit of the interviewer.
    choose(qtbot, dialog.choices["title"].heads[first])
    choose(qtbot, dialog.choices["narrative"].heads[first])
    assert not dialog.save_button.isEnabled()
    editor = dialog.choices["interviewer"].editor
    assert isinstance(editor, QLineEdit)
    editor.clear()
    type_text(qtbot, editor, "Mariia Koval, NGO interviewer")
    assert dialog.versions is not None
    assert dialog.choices["interviewer"].group.checkedId() == len(dialog.versions.heads)  # typing chose Edit
    assert dialog.save_button.isEnabled()

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.loading, timeout=WAIT_MS)
    assert dialog.conflict_list.topLevelItemCount() == 0
    assert "Resolved" in dialog.status.text()

    assert vault.revisions.conflicts() == []
    merged = vault.testimonies.get(scene.testimony_id)
    assert merged.title == "Statement of W-1 (corrected)"
    assert merged.narrative == FIRST_NARRATIVE
    assert merged.interviewer == "Mariia Koval, NGO interviewer"
    assert merged.language == "uk"  # a field that did not differ is kept
    (merge,) = [h for h in vault.testimonies.history(scene.testimony_id) if h.is_head]
    assert set(merge.parents) == heads_before
    assert merge.device_id == vault.device_id
    report = vault.verify()
    assert report.ok, report.problems
    window.lock()
    assert window.coordinator_menu.dialog is None


def test_the_conflicts_dialog_in_ukrainian(qtbot: QtBot, scene: ConflictScene, ukrainian: None) -> None:
    window = unlocked_window(qtbot, scene.coordinator.folder)
    dialog = open_conflicts(qtbot, window)
    for text in (
        dialog.windowTitle(),
        dialog.save_button.text(),
        dialog.heading.text(),
        dialog.legend.text(),
        _first_row_text(dialog),
        dialog.status.text(),
    ):
        assert UKRAINIAN.search(text), text
    dialog.versions_area.ensureWidgetVisible(narrative_views(dialog)[0])
    screenshot(dialog, "conflicts-uk.png")
    window.lock()


def _person_conflict(tmp_path: Path) -> tuple[Vault, str]:
    """A person edited on two devices (the second device's revisions copied in
    directly: the dialog, not the transport, is under test here)."""
    own = Vault.create(tmp_path / "own", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    other = Vault.create(tmp_path / "other", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    case = make_case(own)
    person = own.persons.create(
        Person(case_id=case.id, name="Олександр Петренко", pseudonym="W-7", sensitive={"Адреса": "Ізюм"})
    )
    other.revisions.apply([rev.to_wire() for rev in own.revisions.all()])
    own.persons.edit(person.id, sensitive={"Адреса": "Ізюм, вул. Соборна"})
    other.persons.edit(person.id, pseudonym="W-7b", notes="Seen twice")
    own.revisions.apply([rev.to_wire() for rev in other.revisions.all()])
    other.lock()
    return own, person.id


def test_a_person_in_conflict_resolves_the_same_way(qtbot: QtBot, tmp_path: Path) -> None:
    """Generic over the record types; a person's sensitive details stay
    hidden until asked for, and a person is listed by pseudonym, never name."""
    vault, person_id = _person_conflict(tmp_path)
    tasks = TaskRunner()
    dialog = ConflictsDialog(vault, None, tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_versions(qtbot, dialog)
    row = dialog.conflict_list.topLevelItem(0)
    assert row is not None
    assert row.text(0) == "person" and "Петренко" not in row.text(1)
    assert sorted(dialog.choices) == ["notes", "pseudonym", "sensitive"]
    assert "Соборна" not in "".join(w.text() for w in dialog.grid_host.findChildren(QLineEdit))
    shown = "\n".join(label.text() for label in dialog.grid_host.findChildren(type(dialog.heading)))
    assert "Соборна" not in shown
    choose(qtbot, dialog.show_sensitive)
    wait_for_versions(qtbot, dialog)
    shown = "\n".join(label.text() for label in dialog.grid_host.findChildren(type(dialog.heading)))
    assert "Соборна" in shown
    own = column_of(dialog, vault.device_id)
    other = 1 - own
    choose(qtbot, dialog.choices["sensitive"].heads[own])
    choose(qtbot, dialog.choices["pseudonym"].heads[other])
    notes = dialog.choices["notes"].editor
    assert isinstance(notes, QPlainTextEdit)  # long text: edited in a text box
    choose(qtbot, dialog.choices["notes"].heads[other])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.loading, timeout=WAIT_MS)
    assert vault.revisions.conflicts() == []
    person = vault.persons.get(person_id)
    assert (person.pseudonym, person.notes, person.sensitive) == (
        "W-7b",
        "Seen twice",
        {"Адреса": "Ізюм, вул. Соборна"},
    )
    assert person.name == "Олександр Петренко"
    tasks.wait(WAIT_MS)
    vault.lock()


def _open_dialog(qtbot: QtBot, vault: Vault) -> tuple[ConflictsDialog, TaskRunner]:
    tasks = TaskRunner()
    dialog = ConflictsDialog(vault, None, tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_versions(qtbot, dialog)
    return dialog, tasks


def test_a_version_that_arrives_while_choosing_is_not_overwritten(qtbot: QtBot, tmp_path: Path) -> None:
    """The heads changed after they were shown (a bundle imported meanwhile):
    the save writes nothing and shows the versions again, the new one with them."""
    vault, person_id = _person_conflict(tmp_path)
    dialog, tasks = _open_dialog(qtbot, vault)
    for name in dialog.undecided():
        choose(qtbot, dialog.choices[name].heads[0])
    third = Vault.create(tmp_path / "third", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    # A third device that had the person before either edit, and edits it too.
    shown = vault.revisions.heads()[person_id]
    third.revisions.apply([rev.to_wire() for rev in vault.revisions.all() if rev.revision_id not in shown])
    third.persons.edit(person_id, notes="A third device's note")
    vault.revisions.apply([rev.to_wire() for rev in third.revisions.all()])
    third.lock()
    heads = vault.revisions.heads()[person_id]
    assert len(heads) == 3
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.loading, timeout=WAIT_MS)
    wait_for_versions(qtbot, dialog)
    assert "Not saved" in dialog.status.text()
    assert vault.revisions.heads()[person_id] == heads
    assert dialog.versions is not None and len(dialog.versions.heads) == 3
    tasks.wait(WAIT_MS)
    vault.lock()


def test_a_deletion_that_raced_an_edit_can_be_kept(qtbot: QtBot, tmp_path: Path) -> None:
    own = Vault.create(tmp_path / "own", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    other = Vault.create(tmp_path / "other", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    case = make_case(own)
    incident = own.incidents.create(Incident(case_id=case.id, title="Shelling of the market"))
    other.revisions.apply([rev.to_wire() for rev in own.revisions.all()])
    own.incidents.edit(incident.id, place="Izium")
    other.incidents.delete(incident.id, reason="recorded twice")
    own.revisions.apply([rev.to_wire() for rev in other.revisions.all()])
    other.lock()
    heads = own.revisions.heads()[incident.id]
    dialog, tasks = _open_dialog(qtbot, own)
    assert _first_row_text(dialog) == "incident"
    assert dialog.delete_button.isVisible()
    assert dialog.undecided() == []  # a deletion offers no values: the live version's stand
    labels = [label.text() for label in dialog.grid_host.findChildren(type(dialog.heading))]
    assert "Izium" in labels and "(deleted)" in labels
    assert not any(
        "reason" in text or "recorded twice" in text for text in labels
    )  # a tombstone has no fields
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.loading, timeout=WAIT_MS)
    assert own.revisions.conflicts() == []
    (tombstone,) = [h for h in own.incidents.history(incident.id) if h.is_head]
    assert tombstone.op == "delete" and set(tombstone.parents) == heads
    assert own.incidents.list(case.id) == []
    tasks.wait(WAIT_MS)
    own.lock()
