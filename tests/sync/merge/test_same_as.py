"""Same-as links (sync/merge/same_as.py) in a real vault: a signed link
revision, undone by a later signed revision, that travels to another vault
like any revision; suggestions skip linked pairs."""

from __future__ import annotations

import pytest

from db.api import Link, NotFound, Vault
from db.keyring_store import NoKeyring
from sync.merge.duplicates import suggest_in_vault
from sync.merge.errors import MergeRefused
from sync.merge.same_as import SAME_AS, link_same_person, linked_pairs, same_person_groups, unlink
from tests.factory import make_case, make_person
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


@pytest.fixture
def persons(vault):
    case = make_case(vault)
    ids = {
        name: make_person(vault, case.id, name=name, sensitive=sensitive).id
        for name, sensitive in [
            ("Олександр Петренко", {"Date of birth": "1975"}),
            ("Oleksandr Petrenko", {"Дата народження": "12.03.1975", "Place of birth": "Izium"}),
            ("Петренко О.", {"Адреса": "м. Ізюм"}),
            ("Марія Петренко", {"Date of birth": "1975"}),
        ]
    }
    return case, ids


def test_suggestions_in_a_vault_read_dates_and_places_from_sensitive_details(vault, persons):
    _, ids = persons
    pairs = {(s.first_id, s.second_id): s for s in suggest_in_vault(vault)}
    cyr, lat, initial = ids["Олександр Петренко"], ids["Oleksandr Petrenko"], ids["Петренко О."]
    assert set(pairs) == {tuple(sorted(p)) for p in [(cyr, lat), (cyr, initial), (lat, initial)]}
    assert "birth-year" in pairs[tuple(sorted((cyr, lat)))].reasons
    assert "place" in pairs[tuple(sorted((lat, initial)))].reasons


def test_a_link_is_a_signed_revision_and_a_later_one_undoes_it(vault, persons):
    _, ids = persons
    cyr, lat = ids["Олександр Петренко"], ids["Oleksandr Petrenko"]
    before = len(vault.revisions.all())
    link = link_same_person(vault, cyr, lat, notes="same date of birth")
    assert link.relation == SAME_AS and {link.from_id, link.to_id} == {cyr, lat}
    assert len(vault.revisions.all()) == before + 1
    [made] = vault.links.history(link.id)
    assert made.op == "put" and made.device_id == vault.device_id
    assert tuple(sorted((cyr, lat))) in linked_pairs(vault)
    assert tuple(sorted((cyr, lat))) not in {(s.first_id, s.second_id) for s in suggest_in_vault(vault)}
    assert vault.persons.get(cyr).name == "Олександр Петренко"  # the records themselves are untouched

    assert link_same_person(vault, lat, cyr).id == link.id  # already linked: nothing written
    assert len(vault.revisions.all()) == before + 1

    unlink(vault, link.id, reason="different fathers' names")
    history = vault.links.history(link.id)
    assert [entry.op for entry in history] == ["put", "delete"]
    assert history[1].parents == (made.revision_id,)
    assert linked_pairs(vault) == set()
    assert tuple(sorted((cyr, lat))) in {(s.first_id, s.second_id) for s in suggest_in_vault(vault)}


def test_groups_are_transitive(vault, persons):
    _, ids = persons
    link_same_person(vault, ids["Олександр Петренко"], ids["Oleksandr Petrenko"])
    link_same_person(vault, ids["Oleksandr Petrenko"], ids["Петренко О."])
    assert same_person_groups(vault) == [
        frozenset({ids["Олександр Петренко"], ids["Oleksandr Petrenko"], ids["Петренко О."]})
    ]


def test_link_and_unlink_reach_another_vault_as_revisions(vault, persons, tmp_path):
    _, ids = persons
    other = Vault.create(tmp_path / "other", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault
    try:
        other.revisions.apply([rev.to_wire() for rev in vault.revisions.all()])
        link = link_same_person(vault, ids["Олександр Петренко"], ids["Петренко О."])
        other.revisions.apply([rev.to_wire() for rev in vault.revisions.all()])
        assert linked_pairs(other) == linked_pairs(vault) != set()
        unlink(vault, link.id)
        other.revisions.apply([rev.to_wire() for rev in vault.revisions.all()])
        assert linked_pairs(other) == set()
        assert other.revisions.heads() == vault.revisions.heads()
    finally:
        other.lock()


def test_refusals_name_ids_and_change_nothing(vault, persons):
    case, ids = persons
    cyr = ids["Олександр Петренко"]
    before = len(vault.revisions.all())
    with pytest.raises(MergeRefused) as self_link:
        link_same_person(vault, cyr, cyr)
    assert self_link.value.code == "same-as-self" and self_link.value.params == {"person_id": cyr}
    with pytest.raises(NotFound):
        link_same_person(vault, cyr, case.id)  # a case is not a person
    other_link = vault.links.create(
        Link(case_id=case.id, from_id=cyr, to_id=ids["Марія Петренко"], relation="relative")
    )
    before = len(vault.revisions.all())
    with pytest.raises(MergeRefused) as wrong:
        unlink(vault, other_link.id)
    assert wrong.value.code == "same-as-not-a-link"
    assert vault.links.get(other_link.id).relation == "relative"
    assert len(vault.revisions.all()) == before
