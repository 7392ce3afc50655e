"""Quick notes in the core (issue 15): a testimony with a title, text and
linked files, marked to complete; listed as such until the mark is cleared.
The mark is left out of every other testimony's body, so bodies written
before it existed are unchanged and still check."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from db import entities
from db.entities import check_body
from db.errors import InvalidInput
from db.quick_notes import count_to_complete, take_quick_note, to_complete
from tests.factory import make_case, make_testimony


def test_a_quick_note_is_stored_linked_and_listed_until_completed(vault, tmp_path: Path) -> None:
    case = make_case(vault)
    ordinary = make_testimony(vault, case.id, title="Повне свідчення")
    photo, audio = tmp_path / "door.jpg", tmp_path / "voice.txt"
    photo.write_bytes(b"\xff\xd8\xff\xe0 door")
    audio.write_text("spoken words", encoding="utf-8")
    note = take_quick_note(
        vault.services, case.id, "Підвал, вул. Шкільна", "Шість людей, два дні.", [photo, audio]
    )

    stored = vault.testimonies.get(note.testimony.id)
    assert (
        stored.to_complete
        and stored.title == "Підвал, вул. Шкільна"
        and stored.narrative == "Шість людей, два дні."
    )
    assert len(note.evidence_ids) == 2
    linked = {end.entity_id for end in vault.evidence_links.evidence_of(note.testimony.id)}
    assert linked == set(note.evidence_ids)
    assert [t.id for t in to_complete(vault.services, case.id)] == [note.testimony.id]
    assert count_to_complete(vault.services, case.id) == 1
    assert ordinary.id not in {t.id for t in to_complete(vault.services, case.id)}

    vault.testimonies.update(dataclasses.replace(stored, interviewer="O. K.", to_complete=False))
    assert to_complete(vault.services, case.id) == [] and count_to_complete(vault.services, case.id) == 0
    assert not vault.testimonies.get(note.testimony.id).to_complete


def test_the_mark_is_in_a_body_only_while_set(vault) -> None:
    case = make_case(vault)
    ordinary = make_testimony(vault, case.id, title="Повне свідчення", narrative='"to_complete": true')
    assert "to_complete" not in ordinary.body()
    (revision,) = vault.testimonies.history(ordinary.id)
    assert "to_complete" not in revision.body
    assert to_complete(vault.services, case.id) == []  # the words in a narrative are not the mark
    body_before = entities.Testimony(case_id=case.id, title="t").body()
    check_body("testimony", "put", body_before)  # a body written before the mark checks
    check_body("testimony", "put", body_before | {"to_complete": True})
    with pytest.raises(InvalidInput):
        check_body("testimony", "put", body_before | {"to_complete": "yes"})
