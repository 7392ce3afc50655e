"""Consent records: what a witness agreed their testimony may be used for.

A consent is an entity with revisions like the others (db/entities.py,
``Consent``). It is recorded once, for a testimony (and its witness), and
after that only narrowed: ``withdraw`` writes a new signed revision that
moves scopes from ``scopes`` to ``withdrawn_scopes``. Widening is never an
edit of the old record: the witness gives a new consent, recorded as a new
record. History (``history``) keeps every earlier revision, so what was first
agreed, and when it was narrowed, stays provable.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, replace

from db.entities import CONSENT_RECORD_SCOPES, Consent, Testimony
from db.errors import InvalidInput
from db.services import EntityService, HistoryEntry, VaultContext


@dataclass(frozen=True)
class TestimonyConsent:
    """What the live consent records of one testimony allow, together.

    ``agreed``: scopes some record still grants; ``withdrawn``: scopes some
    record withdrew and none grants any longer (a later consent may grant a
    scope again). Scopes are codes in the order of CONSENT_RECORD_SCOPES."""

    agreed: tuple[str, ...]
    withdrawn: tuple[str, ...]
    records: tuple[Consent, ...]


class ConsentService:
    """Record, read and narrow consent records (``vault.consents``)."""

    def __init__(self, ctx: VaultContext) -> None:
        self._records: EntityService[Consent] = EntityService(ctx, Consent)
        self._testimonies: EntityService[Testimony] = EntityService(ctx, Testimony)

    def record(self, consent: Consent) -> Consent:
        """Store a new consent for its testimony. The case is the testimony's;
        an empty witness is taken from the testimony. NotFound when the
        testimony is not a live record."""
        testimony = self._testimonies.get(consent.testimony_id)
        if consent.withdrawn_scopes or not consent.scopes:
            raise InvalidInput(
                "consent: a new consent agrees to at least one scope and withdraws none.",
                "consent-no-scope",
                field="scopes",
                record_type=Consent.entity_type,
            )
        consent = replace(
            consent,
            case_id=testimony.case_id,
            witness_id=consent.witness_id or testimony.witness_id,
            scopes=_ordered(consent.scopes),
        )
        return self._records.create(consent)

    def withdraw(self, consent_id: str, scopes: list[str], *, on: str = "", note: str = "") -> Consent:
        """Withdraw ``scopes`` (all still agreed) of a consent: a new signed
        revision; the earlier ones stay in its history. Withdrawing every
        agreed scope withdraws the consent as a whole."""
        current = self._records.get(consent_id)
        wanted = set(scopes)
        if not wanted or not wanted <= set(current.scopes):
            raise InvalidInput(
                "consent: a withdrawal names one or more of the scopes still agreed.",
                "consent-not-narrowing",
                field="scopes",
            )
        return self._records.update(
            replace(
                current,
                scopes=[s for s in current.scopes if s not in wanted],
                withdrawn_scopes=_ordered([*current.withdrawn_scopes, *wanted]),
                withdrawn_on=on,
                withdrawal_note=note,
            )
        )

    def get(self, consent_id: str) -> Consent:
        return self._records.get(consent_id)

    def list(self, case_id: str | None = None) -> builtins.list[Consent]:
        return self._records.list(case_id)

    def history(self, consent_id: str) -> builtins.list[HistoryEntry]:
        return self._records.history(consent_id)

    def for_testimony(self, testimony_id: str) -> builtins.list[Consent]:
        """The live consent records of a testimony, oldest first."""
        testimony = self._testimonies.get(testimony_id)
        # A case holds few consents: filtering its list is cheaper than an index.
        return [c for c in self._records.list(testimony.case_id) if c.testimony_id == testimony_id]

    def of_testimony(self, testimony_id: str) -> TestimonyConsent:
        records = self.for_testimony(testimony_id)
        agreed = {s for c in records for s in c.scopes}
        withdrawn = {s for c in records for s in c.withdrawn_scopes} - agreed
        return TestimonyConsent(tuple(_ordered(agreed)), tuple(_ordered(withdrawn)), tuple(records))


def _ordered(scopes: Iterable[str]) -> list[str]:
    """Scopes in the order of CONSENT_RECORD_SCOPES, each once (unknown codes,
    refused by validation, kept last so the refusal names them)."""
    chosen = set(scopes)
    return [s for s in CONSENT_RECORD_SCOPES if s in chosen] + sorted(
        s for s in chosen if s not in CONSENT_RECORD_SCOPES
    )
