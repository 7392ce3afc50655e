"""Duplicate suggestion over 50,000 persons (issue 14: under 10 s).

Ours: ``sync.merge.duplicates.suggest_duplicates`` over synthetic persons:
3,120 surnames made of Ukrainian stems and endings, the most common
about 1% of persons (four times Мельник's share in Ukraine), so that
common surnames make large blocks; given names from the table of sync/merge/names.py; a date of birth
for most. One person in ten is recorded a second time the way another worker
would: in Latin letters (national transliteration), in Russian forms, as a
surname with an initial, or with a letter changed.

Baseline, same run, same persons: the least any duplicate finder must do,
turning every name into its skeleton key (the same transliteration) and
sorting the persons by it, which finds exact-key duplicates only. The ratio
says what the fuzzy scoring and blocking cost on top of that.

The planted duplicates also give the recall at this scale (suggestions
among random persons that were not planted are counted, not judged: many are
real namesakes' possible duplicates, as in a real case load).

It runs on one core. The target is judged on the process's CPU time, which
other work on a shared machine does not inflate; the wall time is printed
beside it (on an idle machine the two are equal).

    python benchmarks/bench_duplicates.py [--persons 50000] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools
import random
import time

from translitua import UkrainianKMU, translit

from benchmarks._common import Result, base_parser, machine_line
from sync.merge.duplicates import PersonFacts, suggest_duplicates
from sync.merge.names import _GIVEN_NAMES, parse_name, skeleton

TARGET_S = 10.0
STEMS = [
    "Петр",
    "Шевч",
    "Коваль",
    "Бондар",
    "Ткач",
    "Мельн",
    "Кравч",
    "Олійн",
    "Савч",
    "Руд",
    "Лис",
    "Мороз",
    "Кузьм",
    "Бойк",
    "Ярош",
    "Захарч",
    "Гончар",
    "Левч",
    "Ігнат",
    "Остап",
    "Гнат",
    "Щерб",
    "Поліщ",
    "Марч",
    "Литвин",
    "Хом",
    "Сидор",
    "Павл",
    "Кост",
    "Федор",
    "Гаврил",
    "Дорош",
    "Семен",
    "Тимош",
    "Данил",
    "Оліфер",
    "Кушн",
    "Прокоп",
    "Голуб",
    "Соловй",
    "Ворон",
    "Журавл",
    "Сорок",
    "Козл",
    "Баран",
    "Бик",
    "Вовч",
    "Лев",
    "Медвед",
    "Заїч",
]
MIDDLES = ("", "ов", "ар", "ин", "ел")
ENDINGS = ("енко", "ук", "юк", "ко", "ишин", "ович", "ський", "ецький", "ан", "ик", "ун", "ач")


def make_persons(count: int, seed: int = 14) -> tuple[list[PersonFacts], set[tuple[str, str]]]:
    rng = random.Random(seed)
    surnames = [stem + middle + ending for stem in STEMS for middle in MIDDLES for ending in ENDINGS]
    # Flatter than Zipf: the most common surname is about 1% of persons,
    # four times the share of Мельник, Ukraine's most common (about 0.25%).
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(surnames))]
    rng.shuffle(surnames)
    given = [(ukr, others) for ukr, _, others in _GIVEN_NAMES]
    persons: list[PersonFacts] = []
    planted: set[tuple[str, str]] = set()
    while len(persons) < count:
        surname = rng.choices(surnames, weights)[0]
        first, others = rng.choice(given)
        year = rng.randint(1935, 2010)
        birth = rng.choice(["", str(year), f"{year}-{rng.randint(1, 12):02d}"])
        person_id = f"p{len(persons):06d}"
        persons.append(PersonFacts(person_id, f"{first} {surname}", birth))
        if rng.random() < 0.1 and len(persons) < count:
            variant = rng.choice(
                [
                    translit(f"{first} {surname}", UkrainianKMU),
                    f"{others[0]} {surname}",
                    f"{surname} {first[0]}.",
                    f"{first} {surname[:-2]}{surname[-1]}{surname[-2]}",  # two letters swapped
                ]
            )
            other_id = f"p{len(persons):06d}"
            persons.append(PersonFacts(other_id, variant, birth if rng.random() < 0.5 else str(year)))
            planted.add((person_id, other_id))
    return persons, planted


def baseline(persons: list[PersonFacts]) -> int:
    """Skeleton keys of each name's words, sorted; exact-key runs counted."""
    keyed = sorted((" ".join(sorted(skeleton(w) for w in p.name.split())), p.person_id) for p in persons)
    return sum(1 for a, b in itertools.pairwise(keyed) if a[0] == b[0])


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=50_000)
    args = parser.parse_args(argv)
    count = 5_000 if args.quick else args.persons
    persons, planted = make_persons(count)

    # Each run starts with cold caches: the transliteration and name parsing
    # are memoised, and a real run sees each name for the first time.
    skeleton.cache_clear()
    parse_name.cache_clear()
    started, cpu = time.perf_counter(), time.process_time()
    exact = baseline(persons)
    base_s, base_cpu = time.perf_counter() - started, time.process_time() - cpu

    skeleton.cache_clear()
    parse_name.cache_clear()
    started, cpu = time.perf_counter(), time.process_time()
    found = suggest_duplicates(persons)
    ours_wall, ours_s = time.perf_counter() - started, time.process_time() - cpu

    pairs = {(s.first_id, s.second_id) for s in found}
    recall = len(planted & pairs) / len(planted) if planted else 1.0
    result = Result(
        name="duplicates",
        metric=f"CPU time to suggest duplicates among {count} persons",
        ours=ours_s,
        baseline=base_cpu,
        unit="s",
        ratio=ours_s / base_cpu if base_cpu else float("inf"),
        ratio_meaning="ours / transliterate-and-sort baseline (lower is better)",
        target=f"under {TARGET_S:.0f} s for 50,000 persons",
        passed=ours_s < TARGET_S * count / 50_000,
        details={
            "wall time (ours / baseline)": f"{ours_wall:.2f} s / {base_s:.2f} s",
            "suggestions": len(found),
            "planted duplicates": len(planted),
            "planted found (recall)": f"{recall:.3f}",
            "exact-key neighbours (baseline)": exact,
            "machine": machine_line(),
        },
    )
    result.print()
    result.write_json(args.json)
    return 0 if result.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
