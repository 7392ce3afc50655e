"""Factories for records, with overridable defaults (STYLE.md)."""

from __future__ import annotations

from typing import Any

from db.entities import Case, Person, Testimony
from db.vault import Vault


def make_case(vault: Vault, **overrides: Any) -> Case:
    fields: dict[str, Any] = {"title": "Izium, March 2022"} | overrides
    return vault.cases.create(Case(**fields))


def make_testimony(vault: Vault, case_id: str | None = None, **overrides: Any) -> Testimony:
    case_id = case_id or make_case(vault).id
    fields: dict[str, Any] = {
        "case_id": case_id,
        "title": "Statement of witness W-1",
        "language": "uk",
        "narrative": "Свідок бачив, як двох полонених вивели з підвалу.",
    } | overrides
    return vault.testimonies.create(Testimony(**fields))


def make_person(vault: Vault, case_id: str, **overrides: Any) -> Person:
    fields: dict[str, Any] = {"case_id": case_id, "pseudonym": "W-1", "roles": ["witness"]} | overrides
    return vault.persons.create(Person(**fields))
