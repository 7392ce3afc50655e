"""Duplicate suggestion (sync/merge/duplicates.py) against the labelled set
duplicate_pairs.tsv (written by make_duplicate_pairs.py from hand-typed
spellings): precision and recall are printed and held to floors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sync.merge.duplicates import THRESHOLD, PersonFacts, score_pair, suggest_duplicates

PAIRS = Path(__file__).with_name("duplicate_pairs.tsv")
# Floors, below what the set gives today (docs/merge.md has the numbers):
# recall matters most (a missed duplicate is a person counted twice in a
# report), but a coordinator drowned in false suggestions stops reading them.
RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.9


def labelled() -> list[tuple[bool, str, PersonFacts, PersonFacts]]:
    with PAIRS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        (
            row["label"] == "1",
            row["kind"],
            PersonFacts(f"a{n}", row["name_a"], row["birth_a"], row["place_a"]),
            PersonFacts(f"b{n}", row["name_b"], row["birth_b"], row["place_b"]),
        )
        for n, row in enumerate(rows)
    ]


def test_the_labelled_set_is_large_and_has_every_kind():
    rows = labelled()
    kinds = {kind for _, kind, _, _ in rows}
    assert len(rows) >= 200
    assert {"same-person", "relative", "other-surname", "namesake", "father-son"} <= kinds
    assert sum(label for label, *_ in rows) >= 100
    assert sum(not label for label, *_ in rows) >= 100


def test_precision_and_recall_on_the_labelled_set():
    rows = labelled()
    tp = fp = fn = 0
    missed: list[str] = []
    wrong: list[str] = []
    for label, kind, a, b in rows:
        suggested = score_pair(a, b).score >= THRESHOLD
        tp += label and suggested
        fp += (not label) and suggested
        fn += label and not suggested
        if label and not suggested:
            missed.append(f"{kind}: {a.name} / {b.name}")
        if suggested and not label:
            wrong.append(f"{kind}: {a.name} / {b.name}")
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(
        f"\nduplicates: {len(rows)} pairs, precision {precision:.3f}, recall {recall:.3f} (threshold {THRESHOLD})"
    )
    for line in missed:
        print("  missed", line)
    for line in wrong:
        print("  wrongly suggested", line)
    assert recall >= RECALL_FLOOR
    assert precision >= PRECISION_FLOOR


def test_the_blocked_search_finds_what_pairwise_scoring_finds():
    """Blocking must not lose pairs: every labelled pair scored above the
    threshold is among the suggestions over all persons at once."""
    rows = labelled()
    persons = [p for _, _, a, b in rows for p in (a, b)]
    found = {(s.first_id, s.second_id) for s in suggest_duplicates(persons)}
    for _, _, a, b in rows:
        if score_pair(a, b).score >= THRESHOLD:
            assert tuple(sorted((a.person_id, b.person_id))) in found, (a.name, b.name)


def test_petrenko_in_three_spellings_and_not_his_relatives():
    persons = [
        PersonFacts("1", "Олександр Петренко", "1975"),
        PersonFacts("2", "Oleksandr Petrenko", "12.03.1975", "Izium"),
        PersonFacts("3", "Петренко О.", "", "м. Ізюм"),
        PersonFacts("4", "Марія Петренко", "1975"),  # his sister
        PersonFacts("5", "Петренко Олександр Іванович", "1950"),  # his father, a namesake
        PersonFacts("6", "Олександр Шевченко", "1975"),  # same given name
        PersonFacts("7", "Іван Коваленко", "1980"),
    ]
    pairs = {(s.first_id, s.second_id): s for s in suggest_duplicates(persons)}
    assert {("1", "2"), ("1", "3"), ("2", "3")} <= set(pairs)
    assert not {p for p in pairs if "4" in p or "6" in p or "7" in p}
    assert ("1", "5") not in pairs and ("2", "5") not in pairs
    assert pairs[("1", "2")].score > pairs[("1", "3")].score  # a full name says more than an initial
    assert "birth-day" not in pairs[("1", "2")].reasons and "birth-year" in pairs[("1", "2")].reasons


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Юрій Щербина", "Yuriy Scherbina"),
        ("Ганна Гнатюк", "Anna Gnatyuk"),
        ("Микола Хмельницький", "Николай Хмельницкий"),
        ("Євген Згурський", "Yevhen Zghurskyi"),
    ],
)
def test_russian_and_older_latin_spellings_match(a, b):
    assert score_pair(PersonFacts("1", a), PersonFacts("2", b)).score >= THRESHOLD


def test_a_different_date_of_birth_at_the_common_precision_separates_namesakes():
    same = score_pair(
        PersonFacts("1", "Іван Коваленко", "1980"), PersonFacts("2", "Ivan Kovalenko", "1980-05")
    )
    other = score_pair(
        PersonFacts("1", "Іван Коваленко", "1980-04"), PersonFacts("2", "Ivan Kovalenko", "1980-05")
    )
    assert same.score >= THRESHOLD > other.score
    assert "birth-differs" in other.reasons


def test_given_names_the_table_does_not_know_still_count():
    """Ярослав is not in the given-name table: it is compared as a word like
    any other, in either order."""
    same = score_pair(PersonFacts("1", "Ярослав Петренко"), PersonFacts("2", "Petrenko Yaroslav"))
    other = score_pair(PersonFacts("1", "Ярослав Петренко"), PersonFacts("2", "Petrenko Svitozar"))
    assert same.score >= THRESHOLD > other.score
