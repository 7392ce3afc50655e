"""The custody table lists a view as soon as the viewer has recorded it
(issue 15): opening an item shows its record at once, and the viewer writes
the 'view' event afterwards on its own lane; the table used to keep showing
the intake alone until the item was chosen again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.vault_view import VaultView
from tests.factory import make_case
from tests.gui_helpers import click_row, screenshot, show, type_text


@pytest.fixture
def view(qtbot, vault):
    shown = VaultView(vault)
    shown.resize(1200, 760)
    qtbot.addWidget(shown)
    show(qtbot, shown)
    yield shown
    shown.clear_all(save_draft=False)  # before the vault fixture locks


def test_the_custody_table_shows_each_view_without_choosing_the_item_again(qtbot, vault, view, tmp_path):
    case = make_case(vault, title="Ізюм")
    note = tmp_path / "statement.txt"
    note.write_text("Written statement\n", encoding="utf-8")
    item = vault.evidence.ingest(note, case.id).item
    view.cases.reload(select_id=case.id)
    view.case_tabs.setCurrentWidget(view.evidence)
    panel, record = view.evidence_panel, view.evidence.item
    click_row(qtbot, panel.evidence_list, 0)

    with qtbot.waitSignal(view.evidence.viewer.shown, timeout=10_000):
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert record.evidence_id == item.id
    assert record.custody_actions() == ["intake", "view"]

    # Opened again, with the stated source typed while the viewer opens it:
    # the refresh re-reads only the custody, the typing stays.
    with qtbot.waitSignal(view.evidence.viewer.shown, timeout=10_000):
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
        type_text(qtbot, record.source_field, "Передав староста")
    assert record.custody_actions() == ["intake", "view", "view"]
    assert record.source_field.text() == "Передав староста"
    assert [event.action for event in vault.evidence.custody(item.id)] == ["intake", "view", "view"]
    screenshot(view, "custody-after-view.png")
