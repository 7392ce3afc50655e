"""Possible duplicate persons across field workers (docs/merge.md, "Duplicates").

The same victim or witness is often recorded by two workers: once in
Cyrillic, once in Latin letters, once as "Петренко О.", with a birth year in
one record and a full date in the other. ``suggest_duplicates`` finds such
pairs and scores them; it never merges anything: a coordinator confirms a
suggestion with a same-as link (sync/merge/same_as.py).

How a pair is scored (each step names a reason the GUI can show):

- surname: the best ``rapidfuzz`` ratio between the two names' surname
  skeletons (sync/merge/names.py); below ``SURNAME_FLOOR`` the pair is no
  candidate at all;
- given name: the same ratio between given names (Russian forms mapped to
  Ukrainian), 0.85 when one side has only an initial that fits, 0 when the
  names differ or their genders do, 0.5 when a side has none;
- name = the mean of the two; then a differing patronymic halves it, a
  contradicting date of birth (different at the precision both have)
  multiplies it by 0.3, a matching date adds 0.05 (year) or 0.1 (day), a
  matching place adds 0.05 and a clearly different one takes 0.15.

Speed: pairs are compared only within blocks, persons sharing a surname key
(the skeleton's first three letters, or its consonants after the first),
and within a block ``rapidfuzz.process.extract`` (C++) picks the surnames
close enough before anything is scored in Python.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from db.api import PartialDateError, parse_partial_date
from sync.merge.names import INITIAL_ALIASES, ParsedName, parse_name, skeleton

if TYPE_CHECKING:
    from db.api import Person, Vault

SURNAME_FLOOR = 80.0  # rapidfuzz ratio (0-100) two surnames need to be compared further
THRESHOLD = 0.8  # the score from which a pair is suggested (tests/sync/merge/test_duplicates.py)

# Keys of a person's sensitive details that hold a date or place of birth
# (the person form suggests "Date of birth: …"; Ukrainian and Russian too).
_BIRTH_KEYS = re.compile(r"birth|born|dob|народж|рожд", re.IGNORECASE)
_PLACE_KEYS = re.compile(r"place|address|village|city|місце|адрес|село|місто|место", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89][0-9]{2}|20[0-9]{2})\b")
# Words that say what kind of place, not which: dropped before comparing.
_PLACE_WORDS = frozenset(
    skeleton(word)
    for word in (
        "м", "с", "смт", "сел", "місто", "село", "селище", "г", "город", "пос", "поселок",
        "область", "обл", "район", "р-н", "city", "town", "village", "of", "oblast", "region",
        "raion", "district", "rayon", "m", "s", "smt", "vul", "вул", "вулиця", "улица", "street",
    )
)  # fmt: skip


@dataclass(frozen=True)
class PersonFacts:
    """What the comparison reads of a person: its id, name, and the date and
    place of birth when its sensitive details hold them."""

    person_id: str
    name: str
    birth: str = ""  # as typed: 1970, 1970-03, 12.03.1970
    place: str = ""


@dataclass(frozen=True)
class Suggestion:
    """Two persons that may be one: ids in sorted order, a score in (0, 1],
    and why (codes such as ``surname``, ``given-initial``, ``birth-day``)."""

    first_id: str
    second_id: str
    score: float
    reasons: tuple[str, ...]


def facts_of(person: Person) -> PersonFacts:
    birth = place = ""
    for key, value in person.sensitive.items():
        if _PLACE_KEYS.search(key):
            # "Place of birth" names a place, though its key says birth; a
            # place of birth wins over an address.
            if not place or _BIRTH_KEYS.search(key):
                place = value
        elif _BIRTH_KEYS.search(key):
            birth = value
    return PersonFacts(person.id, person.name, birth, place)


def _date_parts(text: str) -> tuple[int, ...]:
    """(year,), (year, month) or (year, month, day); () if none can be read."""
    text = text.strip()
    if not text:
        return ()
    try:
        iso = parse_partial_date(text).iso
    except PartialDateError:
        year = _YEAR.search(text)  # "about 1970", "1970?"
        return (int(year.group(1)),) if year else ()
    return tuple(int(part) for part in iso.split("-")) if iso else ()


def _place_key(text: str) -> str:
    words = (skeleton(word) for word in re.split(r"[\s,.;()]+", text))
    return " ".join(word for word in words if word and word not in _PLACE_WORDS)


@dataclass(frozen=True)
class _Prepared:
    facts: PersonFacts
    name: ParsedName
    birth: tuple[int, ...]
    place: str


def _prepare(facts: PersonFacts) -> _Prepared:
    return _Prepared(facts, parse_name(facts.name), _date_parts(facts.birth), _place_key(facts.place))


def _initials_fit(initials: Sequence[str], given: Sequence[str]) -> bool:
    return any(g[0] in INITIAL_ALIASES.get(i, frozenset({i})) for i in initials[:1] for g in given)


def _rest(name: ParsedName, surname: str) -> list[str]:
    """The words of a name that are not the surname it was matched by: its
    given names, and words the table does not know (Ярослав, Мирослава)."""
    return [w for w in (*name.given, *name.surnames) if w != surname]


def _given_score(a: ParsedName, b: ParsedName, a_surname: str, b_surname: str) -> tuple[float, str]:
    given_a = _rest(a, a_surname)
    given_b = _rest(b, b_surname)
    if given_a and given_b:
        if a.gender and b.gender and a.gender != b.gender:
            return 0.0, "given-gender-differs"
        # A letter or two apart is a typo; further apart is another name
        # (Віктор / Ігор share three letters and are different people).
        best = max(fuzz.ratio(x, y) for x in given_a for y in given_b)
        return (best / 100, "given") if best >= 80 else (0.0, "given-differs")
    if (given_a and b.initials) or (given_b and a.initials):
        initials, given = (b.initials, given_a) if given_a else (a.initials, given_b)
        return (0.85, "given-initial") if _initials_fit(initials, given) else (0.0, "initial-differs")
    if a.initials and b.initials:
        fits = bool(INITIAL_ALIASES.get(a.initials[0], {a.initials[0]}) & {b.initials[0]}) or bool(
            INITIAL_ALIASES.get(b.initials[0], {b.initials[0]}) & {a.initials[0]}
        )
        return (0.8, "initials") if fits else (0.0, "initial-differs")
    return 0.5, "given-unknown"


def _patronymic_factor(a: ParsedName, b: ParsedName) -> tuple[float, float, str]:
    """(factor, bonus, reason) for the patronymics, or a second initial
    against a patronymic ("Петренко О. І." / "… Іванович")."""
    if a.patronymic and b.patronymic:
        if fuzz.ratio(a.patronymic, b.patronymic) >= 80:
            return 1.0, 0.05, "patronymic"
        return 0.5, 0.0, "patronymic-differs"
    one, other = (a, b) if a.patronymic else (b, a)
    if one.patronymic and len(other.initials) >= 2:
        if one.patronymic[0] in INITIAL_ALIASES.get(other.initials[1], frozenset({other.initials[1]})):
            return 1.0, 0.02, "patronymic-initial"
        return 0.6, 0.0, "patronymic-initial-differs"
    return 1.0, 0.0, ""


def _birth_factor(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[float, float, str]:
    if not a or not b:
        return 1.0, 0.0, ""
    common = min(len(a), len(b))
    if a[:common] != b[:common]:
        return 0.3, 0.0, "birth-differs"
    return (1.0, 0.1, "birth-day") if common == 3 else (1.0, 0.05, "birth-year")


def _place_bonus(a: str, b: str) -> tuple[float, str]:
    if not a or not b:
        return 0.0, ""
    similarity = fuzz.token_set_ratio(a, b)
    if similarity >= 85:
        return 0.05, "place"
    if similarity < 60:
        return -0.15, "place-differs"
    return 0.0, ""


def _score(a: _Prepared, b: _Prepared) -> tuple[float, tuple[str, ...]]:
    best, a_surname, b_surname = 0.0, "", ""
    for x in a.name.surnames:
        for y in b.name.surnames:
            ratio = fuzz.ratio(x, y)
            if ratio > best:
                best, a_surname, b_surname = ratio, x, y
    if best < SURNAME_FLOOR:
        return 0.0, ("surname-differs",)
    given, given_reason = _given_score(a.name, b.name, a_surname, b_surname)
    score = (best / 100 + given) / 2
    reasons = ["surname", given_reason]
    factor, bonus, why = _patronymic_factor(a.name, b.name)
    birth_factor, birth_bonus, birth_why = _birth_factor(a.birth, b.birth)
    place_bonus, place_why = _place_bonus(a.place, b.place)
    score = score * factor * birth_factor + bonus + birth_bonus + place_bonus
    reasons += [r for r in (why, birth_why, place_why) if r]
    return max(0.0, min(1.0, score)), tuple(reasons)


def score_pair(a: PersonFacts, b: PersonFacts) -> Suggestion:
    """The score of one pair, whatever it is (suggest_duplicates keeps those
    at or above THRESHOLD)."""
    score, reasons = _score(_prepare(a), _prepare(b))
    first, second = sorted((a.person_id, b.person_id))
    return Suggestion(first, second, round(score, 4), reasons)


def _block_keys(surname: str) -> tuple[str, ...]:
    # х and г fall together here (Zakharchenko / Zaharchenko), as they do in
    # Russian-style spellings; the score still tells them apart.
    surname = surname.replace("X", "h")
    consonants = re.sub(r"[aeiou]", "", surname[1:])
    keys = [f"p:{surname[:3]}"]
    if len(consonants) >= 2:
        keys.append(f"c:{consonants[:3]}")
    return tuple(keys)


def _given_letters(name: ParsedName, surname: str) -> frozenset[str]:
    """The first letters a matching person's given name may start with
    (an initial stands for every letter its aliases allow); ``*`` when the
    name has no given name or initial, which must meet every other."""
    rest = _rest(name, surname)
    letters = {word[0] for word in rest}
    for initial in name.initials[:1]:
        letters |= INITIAL_ALIASES.get(initial, frozenset({initial})) | {initial}
    return frozenset(letters) or frozenset("*")


def _compare_within(
    members: Sequence[tuple[str, int]],
    against: Sequence[tuple[str, int]] | None,
    prepared: Sequence[_Prepared],
    seen: set[tuple[int, int]],
    threshold: float,
    found: list[Suggestion],
) -> None:
    """Score the pairs of ``members`` (or of ``members`` with ``against``)
    whose surnames are close, each pair once overall."""
    others = against if against is not None else members
    surnames = [surname for surname, _ in others]
    for position, (surname, index) in enumerate(members):
        start = 0 if against is not None else position + 1
        if start >= len(surnames):
            continue
        hits = process.extract(
            surname, surnames[start:], scorer=fuzz.ratio, score_cutoff=SURNAME_FLOOR, limit=None
        )
        for _, _, offset in hits:
            other = others[start + offset][1]
            pair = (index, other) if index < other else (other, index)
            if other == index or pair in seen:
                continue
            seen.add(pair)
            score, reasons = _score(prepared[pair[0]], prepared[pair[1]])
            if score >= threshold:
                first, second = sorted((prepared[pair[0]].facts.person_id, prepared[pair[1]].facts.person_id))
                found.append(Suggestion(first, second, round(score, 4), reasons))


def suggest_duplicates(
    persons: Iterable[PersonFacts],
    threshold: float = THRESHOLD,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[Suggestion]:
    """Pairs of persons scored at least ``threshold``, best first.

    Blocks: a surname key and the first letter a given name may have. A
    pair whose given names cannot fit scores at most 0.7, so the blocks lose
    nothing for thresholds of 0.75 and above. ``progress(done, total)`` is
    called before each block (keep it cheap); whatever it raises (a cancel)
    stops the search."""
    prepared = [_prepare(facts) for facts in persons]
    blocks: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    by_key: dict[str, list[tuple[str, int]]] = defaultdict(list)
    unnamed: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for index, person in enumerate(prepared):
        for surname in person.name.surnames:
            letters = _given_letters(person.name, surname)
            for key in _block_keys(surname):
                by_key[key].append((surname, index))
                if "*" in letters:
                    unnamed[key].append((surname, index))
                    continue
                for letter in letters:
                    blocks[(key, letter)].append((surname, index))
    seen: set[tuple[int, int]] = set()
    found: list[Suggestion] = []
    total = len(blocks) + len(unnamed)
    for done, members in enumerate(blocks.values()):
        if progress is not None:
            progress(done, total)
        if len(members) >= 2:
            _compare_within(members, None, prepared, seen, threshold, found)
    for done, (key, members) in enumerate(unnamed.items(), start=len(blocks)):
        if progress is not None:
            progress(done, total)
        _compare_within(members, by_key[key], prepared, seen, threshold, found)
    found.sort(key=lambda s: (-s.score, s.first_id, s.second_id))
    return found


def suggest_in_vault(vault: Vault, threshold: float = THRESHOLD) -> list[Suggestion]:
    """Suggestions over every live person of the vault, without the pairs a
    same-as link already joins or a not-same-as mark dismissed."""
    from sync.merge.same_as import dismissed_pairs, linked_pairs

    joined = linked_pairs(vault) | dismissed_pairs(vault)
    persons = [facts_of(person) for person in vault.persons.list()]
    return [s for s in suggest_duplicates(persons, threshold) if (s.first_id, s.second_id) not in joined]
