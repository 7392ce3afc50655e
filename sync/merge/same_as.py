"""Same-as links: a coordinator's decision that two person records are one
person (docs/merge.md, "Linking duplicates").

A same-as link is an ordinary Link record (db.entities) with relation
``same-as``, from one person to the other, stored through the vault's public
API: creating it is a signed ``put`` revision by this device, and it syncs
like any other revision. Nothing of either person changes. Undoing it is a
later signed ``delete`` revision of the link (with an optional reason); its
history keeps both. Linking the pair again makes a new link.

Records are never merged into one: each worker's record stays as it was
recorded (what each witness said, under whichever spelling), and the links
say which records are one person. ``same_person_groups`` gives the groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.api import Link
from sync.merge.errors import not_a_same_as_link, same_as_self

if TYPE_CHECKING:
    from db.api import Vault

SAME_AS = "same-as"
# A coordinator's decision that a suggested pair is two people: the same kind
# of signed, reversible link, so the pair is not suggested again (here or in
# another coordinator's vault that receives it).
NOT_SAME = "not-same-as"


def _pair(first_id: str, second_id: str) -> tuple[str, str]:
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)


def same_as_links(vault: Vault) -> list[Link]:
    """The live same-as links, oldest first."""
    return [link for link in vault.links.list() if link.relation == SAME_AS]


def linked_pairs(vault: Vault) -> set[tuple[str, str]]:
    """Pairs of person ids (sorted within each pair) that a live same-as link joins."""
    return {_pair(link.from_id, link.to_id) for link in same_as_links(vault)}


def not_same_links(vault: Vault) -> list[Link]:
    """The live not-same-as marks (pairs a coordinator said are two people), oldest first."""
    return [link for link in vault.links.list() if link.relation == NOT_SAME]


def dismissed_pairs(vault: Vault) -> set[tuple[str, str]]:
    """Pairs of person ids (sorted within each pair) a live not-same-as mark joins."""
    return {_pair(link.from_id, link.to_id) for link in not_same_links(vault)}


def _decide(vault: Vault, relation: str, first_id: str, second_id: str, notes: str) -> Link:
    if first_id == second_id:
        raise same_as_self(first_id)
    first = vault.persons.get(first_id)
    vault.persons.get(second_id)
    wanted = _pair(first_id, second_id)
    for link in vault.links.list():
        if link.relation == relation and _pair(link.from_id, link.to_id) == wanted:
            return link
    return vault.links.create(
        Link(case_id=first.case_id, from_id=first_id, to_id=second_id, relation=relation, notes=notes)
    )


def link_same_person(vault: Vault, first_id: str, second_id: str, notes: str = "") -> Link:
    """Record that two persons are one; returns the link. If a live same-as
    link already joins them, returns it and writes nothing. NotFound if
    either is not a live person (the link is in the first person's case)."""
    return _decide(vault, SAME_AS, first_id, second_id, notes)


def mark_not_same(vault: Vault, first_id: str, second_id: str, notes: str = "") -> Link:
    """Record that a suggested pair is two people (a not-same-as link, signed
    like a same-as link), so that it is not suggested again; ``unlink``
    undoes it. A live mark of the pair already: returned, nothing written."""
    return _decide(vault, NOT_SAME, first_id, second_id, notes)


def unlink(vault: Vault, link_id: str, reason: str = "") -> None:
    """Undo a same-as link (or a not-same-as mark) with a deletion revision
    (the history keeps it). NotFound if there is no live link ``link_id``;
    MergeRefused (``same-as-not-a-link``) if it is a link of another relation."""
    link = vault.links.get(link_id)
    if link.relation not in (SAME_AS, NOT_SAME):
        raise not_a_same_as_link(link_id)
    vault.links.delete(link_id, reason)


def same_person_groups(vault: Vault) -> list[frozenset[str]]:
    """Persons the live same-as links join, transitively: groups of two or
    more ids, largest first (A = B and B = C make one group of three)."""
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        while parent.setdefault(item, item) != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for first, second in linked_pairs(vault):
        parent[root(first)] = root(second)
    groups: dict[str, set[str]] = {}
    for item in parent:
        groups.setdefault(root(item), set()).add(item)
    return sorted((frozenset(g) for g in groups.values()), key=lambda g: (-len(g), sorted(g)))
