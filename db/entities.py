"""The records of the data model, as plain dataclasses the services return.

Each record type maps to one entity type in revisions. Its body (what is
signed) is every field except the bookkeeping ones (id, revision, conflicted,
created_ms, updated_ms). Validation checks types and controlled values and names
the offending field, never its content.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from db.errors import InvalidInput, RevisionRejected
from db.revisions import LONE_SURROGATE, MAX_STRING_CHARS, Revision, json_problem
from db.vocabulary import ViolationType, violation_codes, violation_types

BOOKKEEPING_FIELDS = frozenset({"id", "revision", "conflicted", "created_ms", "updated_ms"})
# Patterns end in \Z, not $ (which also matches before a final newline), and
# say [0-9], not \d (which matches digits of every script).
PARTIAL_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\Z")
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")

DATE_PRECISIONS = ("unknown", "year", "month", "day", "approximate")
PLACE_PRECISIONS = ("unknown", "country", "region", "district", "settlement", "exact")
PERSON_ROLES = ("victim", "witness", "perpetrator", "other")
# What the witness agreed their testimony may be used for.
CONSENT_SCOPES = ("", "documentation-only", "ngo-internal", "prosecution", "public-anonymised")


@dataclass(kw_only=True)
class Record:
    entity_type: ClassVar[str]
    # Fields whose text the full-text search indexes.
    searchable: ClassVar[tuple[str, ...]] = ("notes",)
    # The field holding the case id, or None for records that are not in a case.
    case_field: ClassVar[str | None] = "case_id"
    # Fields added after revisions of this type were first written: left out
    # of the body while they hold their default, so that every earlier body
    # (and its revision id) stays exactly as it was and a body without them
    # still checks (docs/vault-format.md, "Revisions").
    omitted_when_default: ClassVar[tuple[str, ...]] = ()

    id: str = ""
    revision: str = ""
    conflicted: bool = False
    created_ms: int = 0
    updated_ms: int = 0

    def body(self) -> dict[str, Any]:
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in BOOKKEEPING_FIELDS
            and not (f.name in self.omitted_when_default and getattr(self, f.name) == f.default)
        }

    @property
    def case_id_value(self) -> str | None:
        return getattr(self, self.case_field) if self.case_field else None

    # Fields that are searched but never shown in a search hit's snippet.
    unshown: ClassVar[tuple[str, ...]] = ()

    def search_text(self) -> str:
        parts = (str(getattr(self, name) or "") for name in self.searchable)
        return "\n".join(part for part in parts if part)

    def snippet_text(self) -> str:
        """The text a search hit's snippet is cut from: what is searched,
        less the fields never shown in a list (a person's name)."""
        parts = (str(getattr(self, name) or "") for name in self.searchable if name not in self.unshown)
        return "\n".join(part for part in parts if part)

    def label(self) -> str:
        """A short display name (not witness content for testimonies: the title)."""
        return str(getattr(self, "title", "") or getattr(self, "name", "") or self.id)

    def validate(self) -> None:
        for name, matches in _field_checks(type(self)):
            value = getattr(self, name)
            if not matches(value):
                raise InvalidInput(
                    f"{self.entity_type}: field '{name}' has the wrong type.",
                    "field-wrong-type",
                    field=name,
                    record_type=self.entity_type,
                )
            # What a revision cannot carry (a text beyond MAX_STRING_CHARS, a
            # lone surrogate, an integer beyond 2^53) is refused here, with the
            # field named, rather than failing when the revision is encoded.
            # (_plain changes only lists, tuples and dicts.) A text is most
            # fields of every revision received: json_problem's own test of
            # one, inline; one that fails it gets json_problem's reason.
            if type(value) is str and len(value) <= MAX_STRING_CHARS and not LONE_SURROGATE.search(value):
                continue
            problem = json_problem(_plain(value) if isinstance(value, _CONTAINERS) else value, depth=3)
            if problem is not None:
                raise InvalidInput(
                    f"{self.entity_type}: field '{name}' holds {problem}.",
                    "field-unencodable",
                    field=name,
                    record_type=self.entity_type,
                )
        if self.case_field:
            _check_uuid(self, self.case_field, required=True)
        self.validate_values()

    def validate_values(self) -> None:
        """Checks of controlled values; subclasses extend."""

    @classmethod
    def from_body(cls, body: dict[str, Any], **bookkeeping: Any) -> typing.Self:
        names = _body_field_set(cls)
        known = {k: v for k, v in body.items() if k in names}
        return cls(**known, **bookkeeping)


# Per record type, worked out once: every revision received is checked with
# them (issue 14's merge benchmark: dataclasses.fields and typing.get_origin
# on every field of every revision were a fifth of check_body).
_FIELDS: dict[type[Record], tuple[str, ...]] = {}
_FIELD_SETS: dict[type[Record], frozenset[str]] = {}
_CHECKS: dict[type[Record], tuple[tuple[str, Callable[[Any], bool]], ...]] = {}


def _body_fields(record_type: type[Record]) -> tuple[str, ...]:
    """The body's field names (not the bookkeeping ones), in declaration order."""
    names = _FIELDS.get(record_type)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(record_type) if f.name not in BOOKKEEPING_FIELDS)
        _FIELDS[record_type] = names
    return names


def _body_field_set(record_type: type[Record]) -> frozenset[str]:
    names = _FIELD_SETS.get(record_type)
    if names is None:
        names = _FIELD_SETS[record_type] = frozenset(_body_fields(record_type))
    return names


def _field_checks(record_type: type[Record]) -> tuple[tuple[str, Callable[[Any], bool]], ...]:
    """(name, does a value have the field's type) for each body field, in order."""
    checks = _CHECKS.get(record_type)
    if checks is None:
        hints = _type_hints(record_type)
        checks = tuple((name, _matcher(hints[name])) for name in _body_fields(record_type))
        _CHECKS[record_type] = checks
    return checks


_CONTAINERS = (list, tuple, dict)
_HINTS: dict[str, dict[str, Any]] = {}


def _type_hints(record_type: type[Record]) -> dict[str, Any]:
    # Resolving the annotations is most of a validation's cost: once per type.
    key = f"{record_type.__module__}.{record_type.__qualname__}"
    if key not in _HINTS:
        _HINTS[key] = typing.get_type_hints(record_type)
    return _HINTS[key]


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _matcher(hint: Any) -> Callable[[Any], bool]:
    """Whether a value has the type ``hint`` names (a field's annotation:
    unions, None, list[X], dict[K, V], float accepting int, int and float
    refusing bool, other classes by isinstance), as a function made once."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        arms = tuple(_matcher(arm) for arm in typing.get_args(hint))
        return lambda value: any(arm(value) for arm in arms)
    if hint is type(None):
        return lambda value: value is None
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        item = _matcher(item_hint)
        return lambda value: isinstance(value, list) and all(item(v) for v in value)
    if origin is dict:
        key_hint, item_hint = typing.get_args(hint)
        key, item = _matcher(key_hint), _matcher(item_hint)
        return lambda value: isinstance(value, dict) and all(key(k) and item(v) for k, v in value.items())
    if hint is float:
        return lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    return lambda value: isinstance(value, hint)


def _check_uuid(record: Record, name: str, *, required: bool) -> None:
    value = getattr(record, name)
    if (required or value) and not UUID_TEXT.match(value or ""):
        raise InvalidInput(
            f"{record.entity_type}: field '{name}' is not an id.",
            "field-not-an-id",
            field=name,
            record_type=record.entity_type,
        )


def _check_choice(record: Record, name: str, allowed: tuple[str, ...]) -> None:
    if getattr(record, name) not in allowed:
        raise InvalidInput(
            f"{record.entity_type}: field '{name}' must be one of: {', '.join(a or '(empty)' for a in allowed)}.",
            "field-not-a-choice",
            field=name,
            record_type=record.entity_type,
        )


def _check_partial_date(record: Record, name: str) -> None:
    value = getattr(record, name)
    if value and not (PARTIAL_DATE.match(value) and _is_real_date(value)):
        raise InvalidInput(
            f"{record.entity_type}: field '{name}' must be YYYY, YYYY-MM or YYYY-MM-DD.",
            "invalid-date",
            field=name,
            record_type=record.entity_type,
        )


def _is_real_date(value: str) -> bool:
    """2024-02-29 is, 2023-02-29 and 2024-13-45 are not (and year 0000 is not)."""
    parts = [int(part) for part in value.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


# violation_codes() makes its set anew each call; checking every incident
# and testimony received, the set is made once per vocabulary read
# (violation_types() is cached; a test that reloads it gets a new tuple).
_CODES: list[tuple[tuple[ViolationType, ...], frozenset[str]]] = []


def _violation_codes() -> frozenset[str]:
    types_now = violation_types()
    known = _CODES[0] if _CODES else None
    if known is None or known[0] is not types_now:
        known = (types_now, violation_codes())
        _CODES[:] = [known]
    return known[1]


def _check_violation_types(entity_type: str, codes: list[str]) -> None:
    if not codes:
        return  # nothing to look up (the set difference below would be empty)
    unknown = set(codes) - _violation_codes()
    if unknown:
        raise InvalidInput(
            f"{entity_type}: unknown violation type code(s): {', '.join(sorted(unknown))}.",
            "unknown-violation-type",
            field="violation_types",
            record_type=entity_type,
        )


@dataclass(kw_only=True)
class Case(Record):
    entity_type: ClassVar[str] = "case"
    searchable: ClassVar[tuple[str, ...]] = ("title", "description", "notes")
    case_field: ClassVar[str | None] = None

    title: str
    description: str = ""
    notes: str = ""

    def validate_values(self) -> None:
        if not self.title.strip():
            raise InvalidInput("case: a title is required.", "case-title-required", field="title")


@dataclass(kw_only=True)
class Incident(Record):
    entity_type: ClassVar[str] = "incident"
    searchable: ClassVar[tuple[str, ...]] = ("title", "place", "description", "notes")

    case_id: str
    title: str = ""
    date: str = ""
    date_precision: str = "unknown"
    place: str = ""
    place_precision: str = "unknown"
    latitude: float | None = None
    longitude: float | None = None
    violation_types: list[str] = field(default_factory=list)
    description: str = ""
    notes: str = ""

    def validate_values(self) -> None:
        _check_partial_date(self, "date")
        _check_choice(self, "date_precision", DATE_PRECISIONS)
        _check_choice(self, "place_precision", PLACE_PRECISIONS)
        _check_violation_types(self.entity_type, self.violation_types)
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise InvalidInput(
                "incident: field 'latitude' is out of range.", "latitude-out-of-range", field="latitude"
            )
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise InvalidInput(
                "incident: field 'longitude' is out of range.", "longitude-out-of-range", field="longitude"
            )


@dataclass(kw_only=True)
class Person(Record):
    entity_type: ClassVar[str] = "person"
    searchable: ClassVar[tuple[str, ...]] = ("name", "pseudonym", "notes")
    # Found by name, shown by pseudonym: the name stays on the person's form.
    unshown: ClassVar[tuple[str, ...]] = ("name",)

    case_id: str
    name: str = ""
    pseudonym: str = ""
    roles: list[str] = field(default_factory=list)
    # Date of birth, contact details, address…: shown only on request in the GUI.
    sensitive: dict[str, str] = field(default_factory=dict)
    notes: str = ""

    def label(self) -> str:
        # The pseudonym is what a list shows; the name stays on the detail
        # view, never in a list, a combo box or a search hit's title.
        return self.pseudonym or f"person {self.id[:8]}"

    def validate_values(self) -> None:
        for role in self.roles:
            if role not in PERSON_ROLES:
                raise InvalidInput(
                    f"person: unknown role; use one of {', '.join(PERSON_ROLES)}.",
                    "unknown-person-role",
                    field="roles",
                )


@dataclass(kw_only=True)
class Testimony(Record):
    entity_type: ClassVar[str] = "testimony"
    searchable: ClassVar[tuple[str, ...]] = ("title", "narrative", "notes")

    case_id: str
    title: str = ""
    incident_id: str = ""
    witness_id: str = ""
    interviewer: str = ""
    language: str = ""
    interpreter: str = ""
    consent_scope: str = ""
    interview_date: str = ""
    interview_place: str = ""
    violation_types: list[str] = field(default_factory=list)
    narrative: str = ""
    notes: str = ""
    # A quick note (title, text and attachments taken down when there was no
    # time for the form), listed as "to complete" until the worker finishes
    # it in the full form.
    to_complete: bool = False

    omitted_when_default: ClassVar[tuple[str, ...]] = ("to_complete",)

    def validate_values(self) -> None:
        _check_uuid(self, "incident_id", required=False)
        _check_uuid(self, "witness_id", required=False)
        _check_partial_date(self, "interview_date")
        _check_choice(self, "consent_scope", CONSENT_SCOPES)
        _check_violation_types(self.entity_type, self.violation_types)
        if self.language and not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z", self.language):
            raise InvalidInput(
                "testimony: field 'language' must be a language code such as uk or en.",
                "invalid-language",
                field="language",
            )


@dataclass(kw_only=True)
class EvidenceItem(Record):
    """Evidence metadata. The encrypted blob and its key live outside revisions."""

    entity_type: ClassVar[str] = "evidence"
    searchable: ClassVar[tuple[str, ...]] = ("original_name", "description", "notes")

    case_id: str
    original_name: str = ""
    sha256: str = ""
    size: int = 0
    mime_type: str = ""
    source: str = ""
    description: str = ""
    # What the file itself claims (EXIF date, GPS, duration…), kept apart from
    # what the field worker states.
    claimed: dict[str, str] = field(default_factory=dict)
    stated_date: str = ""
    stated_place: str = ""
    notes: str = ""

    def validate_values(self) -> None:
        if self.sha256 and not re.match(r"^[0-9a-f]{64}\Z", self.sha256):
            raise InvalidInput(
                "evidence: field 'sha256' must be 64 lowercase hex digits.", "invalid-sha256", field="sha256"
            )
        if self.size < 0:
            raise InvalidInput("evidence: field 'size' cannot be negative.", "negative-size", field="size")
        _check_partial_date(self, "stated_date")

    def label(self) -> str:
        # The file's name, as the evidence list shows it (not the raw id).
        return self.original_name or f"evidence {self.id[:8]}"


@dataclass(kw_only=True)
class Link(Record):
    """A typed connection between two entities (e.g. testimony → incident)."""

    entity_type: ClassVar[str] = "link"
    searchable: ClassVar[tuple[str, ...]] = ("notes",)

    case_id: str
    from_id: str
    to_id: str
    relation: str
    notes: str = ""

    def label(self) -> str:
        return self.relation

    def validate_values(self) -> None:
        _check_uuid(self, "from_id", required=True)
        _check_uuid(self, "to_id", required=True)
        if not re.match(r"^[a-z][a-z0-9-]{0,40}\Z", self.relation):
            raise InvalidInput(
                "link: field 'relation' must be a short lowercase code.", "invalid-relation", field="relation"
            )


# Consent records (docs/vault-format.md, "Consent records"). The scopes are
# the codes of CONSENT_SCOPES less the legacy empty choice; GUI, CLI and docs
# show them in the words of SCOPE_WORDS, and only those.
CONSENT_RECORD_SCOPES = CONSENT_SCOPES[1:]
SCOPE_WORDS = {
    "documentation-only": "documentation only",
    "ngo-internal": "the NGO internally",
    "prosecution": "prosecution",
    "public-anonymised": "public anonymised",
}
CONSENT_GIVEN_HOW = (
    "spoken-recorded",
    "signed-paper-photographed",
    "signed-paper",
    "spoken-witnessed",
    "other",
)
GIVEN_HOW_WORDS = {
    "spoken-recorded": "spoken and recorded",
    "signed-paper-photographed": "signed on paper and photographed",
    "signed-paper": "signed on paper",
    "spoken-witnessed": "spoken before a witness",
    "other": "other",
}


@dataclass(kw_only=True)
class Consent(Record):
    """A witness's informed consent to the uses of one testimony.

    Each revision holds the whole current state; a withdrawal or a narrowing
    is a new revision moving scopes from ``scopes`` to ``withdrawn_scopes``
    (db/consent.py), so history keeps what was first agreed."""

    entity_type: ClassVar[str] = "consent"
    # Nothing is indexed: the consent text version and the conditions are
    # not what a worker searches for, and the conditions' free text can
    # describe the witness (docs/vault-format.md, "Consent records").
    searchable: ClassVar[tuple[str, ...]] = ()

    case_id: str
    testimony_id: str
    witness_id: str = ""
    scopes: list[str] = field(default_factory=list)
    given_how: str = "spoken-recorded"
    given_on: str = ""
    given_to: str = ""
    text_version: str = ""
    anonymity: bool = False
    no_photos: bool = False
    conditions: str = ""
    withdrawn_scopes: list[str] = field(default_factory=list)
    withdrawn_on: str = ""
    withdrawal_note: str = ""

    def label(self) -> str:
        return f"consent {self.id[:8]}" if self.id else "consent"

    def validate_values(self) -> None:
        _check_uuid(self, "testimony_id", required=True)
        _check_uuid(self, "witness_id", required=False)
        _check_choice(self, "given_how", CONSENT_GIVEN_HOW)
        _check_partial_date(self, "given_on")
        _check_partial_date(self, "withdrawn_on")
        for name in ("scopes", "withdrawn_scopes"):
            values = getattr(self, name)
            if any(v not in CONSENT_RECORD_SCOPES for v in values) or len(set(values)) != len(values):
                raise InvalidInput(
                    f"consent: field '{name}' must list distinct scopes of: {', '.join(CONSENT_RECORD_SCOPES)}.",
                    "consent-unknown-scope",
                    field=name,
                    record_type=self.entity_type,
                )
        if set(self.scopes) & set(self.withdrawn_scopes):
            raise InvalidInput(
                "consent: a scope cannot be both agreed and withdrawn.",
                "consent-scope-both",
                field="withdrawn_scopes",
                record_type=self.entity_type,
            )
        if not self.scopes and not self.withdrawn_scopes:
            raise InvalidInput(
                "consent: at least one scope must be agreed.",
                "consent-no-scope",
                field="scopes",
                record_type=self.entity_type,
            )


RECORD_TYPES: dict[str, type[Record]] = {
    cls.entity_type: cls for cls in (Case, Incident, Person, Testimony, EvidenceItem, Link, Consent)
}
ENTITY_TYPES = frozenset(RECORD_TYPES)


def check_body(entity_type: str, op: str, body: dict[str, Any]) -> None:
    """Refuse a revision body its record type does not allow (InvalidInput
    naming the field, never its content).

    A ``put`` body holds exactly the record's fields, each of its type and
    within its controlled values (docs/vault-format.md lists them); a
    ``delete`` body is ``{}`` or ``{"reason": <text>}``."""
    if op == "delete":
        if set(body) - {"reason"} or not isinstance(body.get("reason", ""), str):
            raise InvalidInput(
                f"{entity_type}: a deletion holds only a reason.",
                "deletion-holds-more",
                record_type=entity_type,
            )
        problem = json_problem(body, depth=2)
        if problem is not None:
            raise InvalidInput(
                f"{entity_type}: field 'reason' holds {problem}.",
                "field-unencodable",
                field="reason",
                record_type=entity_type,
            )
        return
    record_type = RECORD_TYPES[entity_type]
    names = _body_fields(record_type)
    field_set = _body_field_set(record_type)
    if not field_set.issuperset(body):  # the sorted list of strays only when there are any
        unknown = sorted(set(body) - field_set)
        raise InvalidInput(
            f"{entity_type}: unknown field '{unknown[0][:40]}'.", "unknown-field", record_type=entity_type
        )
    missing = [name for name in names if name not in body and name not in record_type.omitted_when_default]
    if missing:
        raise InvalidInput(
            f"{entity_type}: required field '{missing[0]}' is missing.",
            "required-field-missing",
            field=missing[0],
            record_type=entity_type,
        )
    # Every key is a field (tested above): from_body's filtering would keep them all.
    record_type(**body).validate()


def check_revision_body(rev: Revision) -> None:
    """check_body for a revision from elsewhere: RevisionRejected with the reason."""
    try:
        check_body(rev.entity_type, rev.op, rev.body)
    except InvalidInput as err:
        raise RevisionRejected(rev.revision_id, f"invalid body ({err})") from None
