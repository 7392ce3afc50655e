"""Evidence linked to testimonies, incidents and persons (issue 15), through
the real widgets against a real vault: the item's view links and unlinks,
the testimony's, person's and incident's forms show the evidence linked
to them. Screenshots in English
and Ukrainian (build/screenshots/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt

from db.api import Incident, Vault
from desktop.evidence_item import EvidenceItemView
from desktop.i18n import install_translators, remove_translators
from desktop.incident_editor import IncidentEditor
from desktop.person_editor import PersonEditor
from desktop.tasks import Lane
from desktop.testimony_editor import TestimonyEditor
from tests.factory import make_case, make_person, make_testimony
from tests.gui_helpers import TS_FILE, compile_qm, qt_app, screenshot, show

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def ukrainian_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("translations")
    compile_qm(TS_FILE, folder / "fieldvault_uk.qm")
    return folder


@pytest.fixture(params=["en", "uk"])
def language(request: pytest.FixtureRequest, qtbot, ukrainian_qm: Path) -> Iterator[str]:
    if request.param == "uk":
        assert install_translators(qt_app(), QLocale("uk"), ukrainian_qm)
    yield request.param
    if request.param == "uk":
        remove_translators(qt_app())


def _written(qtbot, view: EvidenceItemView) -> None:
    qtbot.waitUntil(lambda: not view.tasks.running(Lane.SAVE) and view.links_box.isEnabled(), timeout=WAIT_MS)


def test_link_evidence_from_its_view_and_see_it_on_the_testimony(
    qtbot, vault: Vault, tmp_path: Path, language: str
) -> None:
    case = make_case(vault)
    person = make_person(vault, case.id, pseudonym="W-7")
    testimony = make_testimony(vault, case.id, title="Statement W-7")
    incident = vault.incidents.create(Incident(case_id=case.id, title="Shelling of the school"))
    source = tmp_path / "school.jpg"
    source.write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 800)
    evidence_id = vault.evidence.ingest(source, case.id).item.id

    view = EvidenceItemView(vault, evidence_id)
    view.resize(720, 900)
    qtbot.addWidget(view)
    show(qtbot, view)
    box = view.links_box
    assert box.linked_ids() == [] and box.target.count() == 3  # the testimony, the incident, the person
    english = language == "en"
    assert box.title() == (
        "Linked testimonies, incidents and persons" if english else "Пов'язані свідчення, інциденти й особи"
    )

    for target in (testimony.id, incident.id):
        box.target.setCurrentIndex(box.target.findData(target))
        qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
        _written(qtbot, view)
    assert box.linked_ids() == [testimony.id, incident.id]
    assert box.target.count() == 1 and box.target.itemData(0) == person.id  # what is linked is not offered
    assert [end.entity_id for end in vault.evidence_links.targets_of(evidence_id)] == [
        testimony.id,
        incident.id,
    ]
    assert box.links.item(0).text() == ("Testimony: Statement W-7" if english else "Свідчення: Statement W-7")
    screenshot(view, f"evidence-links-{language}.png")

    editor = TestimonyEditor()
    editor.resize(760, 1100)
    qtbot.addWidget(editor)
    assert editor.load(vault, case.id, testimony.id)
    assert editor.linked_evidence.linked_ids() == [evidence_id]
    assert editor.linked_evidence.items.item(0).text() == "school.jpg"
    show(qtbot, editor)
    screenshot(editor.linked_evidence, f"testimony-linked-evidence-{language}.png")

    box.links.setCurrentRow(0)
    qtbot.mouseClick(box.remove_button, Qt.MouseButton.LeftButton)
    _written(qtbot, view)
    assert box.linked_ids() == [incident.id]
    assert vault.evidence_links.evidence_of(testimony.id) == []
    editor.load(vault, case.id, testimony.id)
    assert editor.linked_evidence.linked_ids() == []
    assert editor.linked_evidence.empty.isVisible()
    assert vault.verify().ok


def test_the_box_forgets_the_vault_at_lock(qtbot, vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault)
    make_testimony(vault, case.id)
    source = tmp_path / "a.jpg"
    source.write_bytes(b"\xff\xd8\xff\xe0" + b"y" * 100)
    view = EvidenceItemView(vault, vault.evidence.ingest(source, case.id).item.id)
    qtbot.addWidget(view)
    assert view.links_box.target.count() == 1
    view.clear()
    assert view.links_box.target.count() == 0 and not view.links_box.add_button.isEnabled()


def test_person_and_incident_forms_show_their_linked_evidence(qtbot, vault: Vault, tmp_path: Path) -> None:
    case = make_case(vault)
    person = make_person(vault, case.id, pseudonym="W-9")
    incident = vault.incidents.create(Incident(case_id=case.id, title="Checkpoint"))
    source = tmp_path / "checkpoint.mp4"
    source.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"z" * 300)
    evidence_id = vault.evidence.ingest(source, case.id).item.id
    vault.evidence_links.link(evidence_id, person.id)
    person_form, incident_form = PersonEditor(), IncidentEditor()
    for form in (person_form, incident_form):
        qtbot.addWidget(form)
    assert incident_form.load(vault, case.id, incident.id)
    assert incident_form.linked_evidence.linked_ids() == []
    assert person_form.load(vault, case.id, person.id)
    assert person_form.linked_evidence.linked_ids() == [evidence_id]
    assert person_form.linked_evidence.items.item(0).text() == "checkpoint.mp4"
    person_form.clear()
    assert person_form.linked_evidence.linked_ids() == []
