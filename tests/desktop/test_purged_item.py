"""An evidence item whose file was delivered and purged (docs/sync.md §1.7)
shows "Delivered, not on this laptop" in its view, in English and
Ukrainian, with Export disabled and the purge in its custody table; its
hash and record stay. A real vault; the purge as db/purge.py makes it
after a checked receipt (the receipt itself: tests/sync/client/test_sync_purge.py)."""

from __future__ import annotations

import secrets
from pathlib import Path

from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from db.api import Case, DeliveredBundle, EvidencePurge, Vault
from desktop.evidence_item import EvidenceItemView
from desktop.i18n import install_translators, remove_translators
from tests.gui_helpers import TS_FILE, compile_qm, screenshot


def _purged_item(vault: Vault, tmp_path: Path) -> tuple[str, str]:
    case = vault.cases.create(Case(title="Case"))
    source = tmp_path / "photo.jpg"
    source.write_bytes(secrets.token_bytes(20_000))
    item = vault.evidence.ingest(source, case.id, description="Shelling of the school").item
    vault.sync.record_transfers([(item.id, item.sha256)], bundle_id="bundle-1")
    result = EvidencePurge.of(vault).purge([DeliveredBundle("bundle-1", 3, "cd" * 32, (item.sha256,))])
    assert result.evidence_ids == [item.id]
    return item.id, item.sha256


def test_a_purged_item_says_delivered_not_on_this_laptop(qtbot: QtBot, vault: Vault, tmp_path: Path) -> None:
    evidence_id, sha256 = _purged_item(vault, tmp_path)
    kept = vault.evidence.ingest(_file(tmp_path), vault.cases.list()[0].id).item.id
    view = EvidenceItemView(vault, evidence_id)
    qtbot.addWidget(view)
    view.resize(760, 1150)
    view.show()
    assert view.purged_label.isVisible()
    assert "Delivered, not on this laptop" in view.purged_label.text()
    assert "coordinator" in view.purged_label.text()
    assert not view.export_button.isEnabled()
    assert view.sha256_field.text() == sha256  # the hash stays
    assert view.custody_actions() == ["intake", "transfer", "purge"]
    screenshot(view, "evidence-item-purged.png")
    # Another item, with its bytes here: no label, Export works.
    assert view.show_item(kept)
    assert not view.purged_label.isVisible() and view.export_button.isEnabled()
    assert view.show_item(evidence_id) and not view.export_button.isEnabled()


def test_the_label_in_ukrainian(qtbot: QtBot, qapp: object, vault: Vault, tmp_path: Path) -> None:
    evidence_id, _sha256 = _purged_item(vault, tmp_path)
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    assert install_translators(qapp, QLocale("uk"), tmp_path)  # type: ignore[arg-type]
    try:
        view = EvidenceItemView(vault, evidence_id)
        qtbot.addWidget(view)
        view.resize(760, 1150)
        view.show()
        text = view.purged_label.text()
        assert "Доставлено" in text and "Delivered" not in text, text
        screenshot(view, "evidence-item-purged-uk.png")
    finally:
        remove_translators(qapp)  # type: ignore[arg-type]


def _file(tmp_path: Path) -> Path:
    path = tmp_path / f"kept-{secrets.token_hex(4)}.bin"
    path.write_bytes(secrets.token_bytes(5_000))
    return path


def test_the_evidence_list_marks_a_purged_item(qtbot: QtBot, vault: Vault, tmp_path: Path) -> None:
    from desktop.evidence_panel import ID_ROLE, NAME_COLUMN, SIZE_COLUMN, EvidencePanel

    evidence_id, _sha256 = _purged_item(vault, tmp_path)
    kept = vault.evidence.ingest(_file(tmp_path), vault.cases.list()[0].id).item.id
    panel = EvidencePanel(vault)
    qtbot.addWidget(panel)
    panel.set_case(vault.cases.list()[0].id)
    rows = {}
    for index in range(panel.evidence_list.topLevelItemCount()):
        row = panel.evidence_list.topLevelItem(index)
        assert row is not None
        rows[str(row.data(NAME_COLUMN, ID_ROLE))] = row.text(SIZE_COLUMN)
    assert rows[evidence_id] == "Delivered, not on this laptop"
    assert rows[kept] != rows[evidence_id] and rows[kept][0].isdigit()  # its size
