"""The evidence panel's "Move into the vault" option (issue 15): each
original is deleted once the vault holds the same bytes, also a file that
was already in the case; left alone when the box is not ticked, or when
the vault's copy cannot be checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QWidget

from db.entities import Case
from db.vault import BLOB_DIR
from desktop.evidence_panel import EvidencePanel
from desktop.i18n import install_translators
from desktop.intake import IntakeStored
from tests import evidence_samples as samples
from tests.gui_helpers import (
    PENDING_DIR,
    TS_FILE,
    compile_qm,
    drop_files,
    pending_translations,
    qt_app,
    screenshot,
    write_ts,
)

WAIT_MS = 60_000


@pytest.fixture
def case_id(vault) -> str:
    return vault.cases.create(Case(title="Izium")).id


@pytest.fixture
def panel(qtbot, vault, case_id):
    def pick(_parent: QWidget, _caption: str) -> list[str]:
        return []

    widget = EvidencePanel(vault, case_id, open_files_dialog=pick)
    qtbot.addWidget(widget)
    widget.resize(760, 560)
    widget.show()
    yield widget
    widget.clear()


def drop_and_wait(qtbot, panel: EvidencePanel, paths: list[Path]) -> list[IntakeStored]:
    outcomes: list[IntakeStored] = []
    panel.intake_finished.connect(outcomes.append)
    with qtbot.waitSignal(panel.intake_idle, timeout=WAIT_MS):
        drop_files(panel, paths)
    panel.intake_finished.disconnect(outcomes.append)
    return outcomes


def row_texts(panel: EvidencePanel) -> list[str]:
    return [row.status_label.text() for row in panel._rows.values()]


def test_move_into_the_vault_deletes_originals_also_of_files_already_in_the_case(
    qtbot, panel, vault, case_id, tmp_path
) -> None:
    card = tmp_path / "memory card"
    card.mkdir()
    photo = samples.make_jpeg(card / "photo.jpg")
    earlier = vault.evidence.ingest(photo, case_id).item  # taken in yesterday, from a copy
    again = card / "photo (copy).jpg"
    shutil.copyfile(photo, again)
    new = samples.make_random(card / "new.bin", 300_000, seed=5)
    digests = {again.name: samples.file_sha256(again), new.name: samples.file_sha256(new)}

    # Not ticked: the originals stay.
    assert not panel.move_box.isChecked()
    (kept,) = drop_and_wait(qtbot, panel, [again])
    assert kept.duplicate and not kept.source_removed and kept.source_kept == "" and again.exists()

    panel.move_box.setChecked(True)
    outcomes = drop_and_wait(qtbot, panel, [again, new])
    assert [(o.duplicate, o.source_removed) for o in outcomes] == [(True, True), (False, True)]
    assert outcomes[0].evidence_id == earlier.id
    assert not again.exists() and not new.exists() and photo.exists()
    texts = row_texts(panel)
    assert all("The original was deleted" in text for text in texts), texts
    screenshot(panel, "evidence-move-into-vault.png")
    for item in vault.evidence.list(case_id):
        if item.original_name in digests:
            assert item.sha256 == digests[item.original_name]


def test_an_original_is_kept_when_the_vaults_copy_cannot_be_checked(
    qtbot, panel, vault, case_id, tmp_path
) -> None:
    source = samples.make_random(tmp_path / "video.bin", 200_000, seed=6)
    vault.evidence.ingest(source, case_id)
    (blob,) = (vault.folder / BLOB_DIR).iterdir()
    aside = tmp_path / "aside"
    blob.rename(aside)
    panel.move_box.setChecked(True)
    try:
        (outcome,) = drop_and_wait(qtbot, panel, [source])
    finally:
        aside.rename(blob)
    assert outcome.duplicate and outcome.source_kept == "unverified" and source.exists()
    assert "The original was kept" in row_texts(panel)[-1]


def test_move_into_the_vault_speaks_ukrainian(qtbot, vault, case_id, tmp_path) -> None:
    merged = write_ts(
        tmp_path / "merged.ts", pending_translations(PENDING_DIR / "move_into_vault.tsv"), base=TS_FILE
    )
    compile_qm(merged, tmp_path / "fieldvault_uk.qm")
    app = qt_app()
    translators = install_translators(app, QLocale("uk"), tmp_path)
    try:
        assert translators
        panel = EvidencePanel(vault, case_id)
        qtbot.addWidget(panel)
        panel.resize(760, 560)
        panel.show()
        assert panel.move_box.text() == "&Перемістити до сховища"
        panel.move_box.setChecked(True)
        source = samples.make_jpeg(tmp_path / "photo.jpg")
        drop_and_wait(qtbot, panel, [source])
        assert not source.exists()
        assert row_texts(panel) == ["Додано. Оригінал видалено: сховище містить ті самі байти."]
        screenshot(panel, "evidence-move-into-vault-uk.png")
        panel.clear()
    finally:
        for translator in translators:
            app.removeTranslator(translator)
