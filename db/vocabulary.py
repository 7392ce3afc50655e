"""The controlled vocabulary of violation types (resources/vocabularies)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from db.resources import resources_dir


@dataclass(frozen=True)
class ViolationType:
    code: str
    labels: dict[str, str]

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]


@cache
def violation_types() -> tuple[ViolationType, ...]:
    path = resources_dir() / "vocabularies" / "violation_types.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        ViolationType(entry["code"], {k: v for k, v in entry.items() if k != "code"})
        for entry in document["types"]
    )


def violation_codes() -> frozenset[str]:
    return frozenset(v.code for v in violation_types())
