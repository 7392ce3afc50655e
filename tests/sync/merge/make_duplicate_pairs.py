"""Writes duplicate_pairs.tsv, the labelled set of test_duplicates.py, from
the hand-typed spellings below (run it after changing them; the file is
committed, so the test does not depend on this script's random choices).

Each person: the Ukrainian Cyrillic name, then spellings a field worker
might type instead (national transliteration, Russian Cyrillic,
Russian-style or older Latin, surname with initial, a typo), typed by hand,
not produced by the code under test. Positives pair two spellings of one
person with compatible facts (a date of birth at different precisions,
the place in another script); negatives are the hard cases: a relative with
the same surname, the same given name with another (often similar)
surname, namesakes whose dates of birth differ, father and son."""

from __future__ import annotations

import random
from pathlib import Path

PERSONS = [
    (
        "m",
        "Олександр Петренко",
        "Oleksandr Petrenko",
        "Александр Петренко",
        "Aleksandr Petrenko",
        "Петренко О.",
        "Oleksandr Petrenco",
    ),
    (
        "f",
        "Марія Шевчук",
        "Mariia Shevchuk",
        "Мария Шевчук",
        "Maria Shevchuk",
        "Шевчук М.",
        "Mariya Shevchyk",
    ),
    (
        "m",
        "Юрій Ковальчук",
        "Yurii Kovalchuk",
        "Юрий Ковальчук",
        "Yuriy Kovalchuk",
        "Ковальчук Ю.",
        "Iurii Koval'chuk",
    ),
    (
        "f",
        "Ганна Бондаренко",
        "Hanna Bondarenko",
        "Анна Бондаренко",
        "Anna Bondarenko",
        "Бондаренко Г.",
        "Ganna Bondarenko",
    ),
    (
        "m",
        "Євген Згурський",
        "Yevhen Zghurskyi",
        "Евгений Згурский",
        "Evgeniy Zgurskiy",
        "Згурський Є.",
        "Yevhen Zgurskyy",
    ),
    (
        "f",
        "Наталія Ткаченко",
        "Nataliia Tkachenko",
        "Наталья Ткаченко",
        "Natalya Tkachenko",
        "Ткаченко Н.",
        "Natalia Tkatchenko",
    ),
    (
        "m",
        "Сергій Мельник",
        "Serhii Melnyk",
        "Сергей Мельник",
        "Sergey Melnik",
        "Мельник С.",
        "Serhiy Mel'nyk",
    ),
    (
        "f",
        "Тетяна Кравченко",
        "Tetiana Kravchenko",
        "Татьяна Кравченко",
        "Tatyana Kravchenko",
        "Кравченко Т.",
        "Tetyana Kravchenco",
    ),
    (
        "m",
        "Микола Олійник",
        "Mykola Oliinyk",
        "Николай Олейник",
        "Nikolay Oleynik",
        "Олійник М.",
        "Mykola Oliynyk",
    ),
    (
        "f",
        "Ірина Коваленко",
        "Iryna Kovalenko",
        "Ирина Коваленко",
        "Irina Kovalenko",
        "Коваленко І.",
        "Iryna Kowalenko",
    ),
    (
        "m",
        "Андрій Савченко",
        "Andrii Savchenko",
        "Андрей Савченко",
        "Andrey Savchenko",
        "Савченко А.",
        "Andriy Savchenko",
    ),
    ("f", "Олена Руденко", "Olena Rudenko", "Елена Руденко", "Elena Rudenko", "Руденко О.", "Olena Roudenko"),
    (
        "m",
        "Дмитро Хмельницький",
        "Dmytro Khmelnytskyi",
        "Дмитрий Хмельницкий",
        "Dmitriy Khmelnitskiy",
        "Хмельницький Д.",
        "Dmytro Chmelnytsky",
    ),
    (
        "f",
        "Світлана Щербина",
        "Svitlana Shcherbyna",
        "Светлана Щербина",
        "Svetlana Shcherbina",
        "Щербина С.",
        "Svitlana Scherbyna",
    ),
    (
        "m",
        "Василь Гнатюк",
        "Vasyl Hnatiuk",
        "Василий Гнатюк",
        "Vasiliy Gnatyuk",
        "Гнатюк В.",
        "Vasyl Hnatyuk",
    ),
    (
        "f",
        "Катерина Лисенко",
        "Kateryna Lysenko",
        "Екатерина Лысенко",
        "Ekaterina Lysenko",
        "Лисенко К.",
        "Kateryna Lisenko",
    ),
    ("m", "Петро Мороз", "Petro Moroz", "Пётр Мороз", "Petr Moroz", "Мороз П.", "Petro Moros"),
    (
        "f",
        "Людмила Поліщук",
        "Liudmyla Polishchuk",
        "Людмила Полищук",
        "Lyudmila Polishchuk",
        "Поліщук Л.",
        "Ludmila Polischuk",
    ),
    (
        "m",
        "Володимир Кузьменко",
        "Volodymyr Kuzmenko",
        "Владимир Кузьменко",
        "Vladimir Kuzmenko",
        "Кузьменко В.",
        "Volodymyr Kuzmenco",
    ),
    ("f", "Оксана Вовк", "Oksana Vovk", "Оксана Вовк", "Oxana Vovk", "Вовк О.", "Oksana Wowk"),
    ("m", "Михайло Бойко", "Mykhailo Boiko", "Михаил Бойко", "Mikhail Boyko", "Бойко М.", "Mykhaylo Boyko"),
    (
        "f",
        "Галина Шевченко",
        "Halyna Shevchenko",
        "Галина Шевченко",
        "Galina Shevchenko",
        "Шевченко Г.",
        "Halyna Shevtchenko",
    ),
    ("m", "Іван Кравчук", "Ivan Kravchuk", "Иван Кравчук", "Ivan Kravtchouk", "Кравчук І.", "Ivan Krawczuk"),
    (
        "f",
        "Ольга Романенко",
        "Olha Romanenko",
        "Ольга Романенко",
        "Olga Romanenko",
        "Романенко О.",
        "Olha Romanenco",
    ),
    (
        "m",
        "Віктор Ярошенко",
        "Viktor Yaroshenko",
        "Виктор Ярошенко",
        "Victor Iaroshenko",
        "Ярошенко В.",
        "Viktor Jaroshenko",
    ),
    (
        "f",
        "Юлія Захарченко",
        "Yuliia Zakharchenko",
        "Юлия Захарченко",
        "Yulia Zaharchenko",
        "Захарченко Ю.",
        "Yuliya Zakharchenko",
    ),
    (
        "m",
        "Григорій Гончаренко",
        "Hryhorii Honcharenko",
        "Григорий Гончаренко",
        "Grigoriy Goncharenko",
        "Гончаренко Г.",
        "Hryhoriy Honcharenko",
    ),
    (
        "f",
        "Надія Левченко",
        "Nadiia Levchenko",
        "Надежда Левченко",
        "Nadezhda Levchenko",
        "Левченко Н.",
        "Nadia Levtchenko",
    ),
    (
        "m",
        "Павло Ігнатенко",
        "Pavlo Ihnatenko",
        "Павел Игнатенко",
        "Pavel Ignatenko",
        "Ігнатенко П.",
        "Pavlo Ignatenko",
    ),
    (
        "f",
        "Вікторія Остапчук",
        "Viktoriia Ostapchuk",
        "Виктория Остапчук",
        "Viktoria Ostapchuk",
        "Остапчук В.",
        "Victoria Ostapchyk",
    ),
]
# Other given names for relatives and namesakes (Cyrillic, Latin), by gender.
GIVEN = {
    "m": [
        ("Богдан", "Bohdan"),
        ("Тарас", "Taras"),
        ("Степан", "Stepan"),
        ("Роман", "Roman"),
        ("Ігор", "Ihor"),
        ("Максим", "Maksym"),
        ("Денис", "Denys"),
        ("Артем", "Artem"),
    ],
    "f": [
        ("Софія", "Sofiia"),
        ("Лариса", "Larysa"),
        ("Валентина", "Valentyna"),
        ("Дарина", "Daryna"),
        ("Христина", "Khrystyna"),
        ("Любов", "Liubov"),
        ("Віра", "Vira"),
        ("Анастасія", "Anastasiia"),
    ],
}
# Surnames other than each person's, some close to it (Петренко/Петрушенко).
OTHER_SURNAMES = [
    ("Петрушенко", "Petrushenko"),
    ("Шевчишин", "Shevchyshyn"),
    ("Коваль", "Koval"),
    ("Бондар", "Bondar"),
    ("Зубрицький", "Zubrytskyi"),
    ("Ткачук", "Tkachuk"),
    ("Мельниченко", "Melnychenko"),
    ("Кравчук", "Kravchuk"),
    ("Олексієнко", "Oleksiienko"),
    ("Коваленко", "Kovalenko"),
    ("Савчук", "Savchuk"),
    ("Рудик", "Rudyk"),
    ("Хоменко", "Khomenko"),
    ("Щербак", "Shcherbak"),
    ("Гнатенко", "Hnatenko"),
    ("Литвиненко", "Lytvynenko"),
]
PLACES = [
    ("Ізюм", "Izium", "Изюм", "Izyum"),
    ("Буча", "Bucha", "Буча", "Boutcha"),
    ("Ірпінь", "Irpin", "Ирпень", "Irpen"),
    ("Харків", "Kharkiv", "Харьков", "Kharkov"),
    ("Маріуполь", "Mariupol", "Мариуполь", "Mariupol'"),
    ("Чернігів", "Chernihiv", "Чернигов", "Chernigov"),
    ("Гостомель", "Hostomel", "Гостомель", "Gostomel"),
    ("Балаклія", "Balakliia", "Балаклея", "Balakleya"),
    ("Херсон", "Kherson", "Херсон", "Cherson"),
]
HEADER = "label\tkind\tname_a\tbirth_a\tplace_a\tname_b\tbirth_b\tplace_b"


def birth_at(rng: random.Random, year: int, month: int, day: int) -> str:
    return rng.choice(
        [
            "",
            f"{year}",
            f"{year}-{month:02d}",
            f"{day:02d}.{month:02d}.{year}",
            f"{year}-{month:02d}-{day:02d}",
        ]
    )


def place_of(rng: random.Random, index: int) -> str:
    return rng.choice(["", *PLACES[index % len(PLACES)]])


def main() -> None:
    rng = random.Random(14)
    rows: list[tuple[str, ...]] = []
    for index, (gender, *spellings) in enumerate(PERSONS):
        year, month, day = 1940 + (index * 7) % 60, 1 + index % 12, 1 + (index * 5) % 28
        pairs = [(0, 1), (0, 2), (1, 3), (0, 4), (1, 4), (2, 5), (3, 4)]
        for a, b in rng.sample(pairs, 5):
            rows.append(
                (
                    "1",
                    "same-person",
                    spellings[a],
                    birth_at(rng, year, month, day),
                    place_of(rng, index),
                    spellings[b],
                    birth_at(rng, year, month, day),
                    place_of(rng, index),
                )
            )
        surname_cyr, surname_lat = spellings[0].split()[1], spellings[1].split()[1]
        given_cyr, given_lat = spellings[0].split()[0], spellings[1].split()[0]
        # A relative: same surname, another given name (of either gender).
        for _ in range(2):
            other_gender = rng.choice("mf")
            cyr, lat = rng.choice(GIVEN[other_gender])
            forms = [f"{cyr} {surname_cyr}", f"{lat} {surname_lat}"]
            if cyr[0] != given_cyr[0]:  # an initial that fits would be a possible duplicate
                forms.append(f"{surname_cyr} {cyr[0]}.")
            other = rng.choice(forms)
            rows.append(
                (
                    "0",
                    "relative",
                    rng.choice(spellings[:4]),
                    birth_at(rng, year, month, day),
                    "",
                    other,
                    birth_at(rng, year + rng.choice([-30, -25, 25, 28]), month, day),
                    "",
                )
            )
        # The same given name with another surname.
        cyr, lat = OTHER_SURNAMES[index % len(OTHER_SURNAMES)]
        if cyr == surname_cyr:
            cyr, lat = OTHER_SURNAMES[(index + 1) % len(OTHER_SURNAMES)]
        rows.append(
            (
                "0",
                "other-surname",
                spellings[0],
                "",
                "",
                rng.choice([f"{given_cyr} {cyr}", f"{given_lat} {lat}"]),
                "",
                "",
            )
        )
        # A namesake: the same name, another date of birth (and place).
        rows.append(
            (
                "0",
                "namesake",
                rng.choice(spellings[:4]),
                f"{year}",
                place_of(rng, index),
                rng.choice(spellings[:4]),
                f"{year + rng.choice([-19, -11, 9, 23])}-{month:02d}",
                place_of(rng, index + 3),
            )
        )
        if gender == "m" and index % 2 == 0:
            # Father and son: same name, patronymics differ.
            father = f"{surname_cyr} {given_cyr} Іванович"
            son = f"{surname_lat} {given_lat} {given_lat}ovych"
            rows.append(("0", "father-son", father, f"{year - 25}", "", son, f"{year}", ""))
    rows.append(("1", "patronymic", "Петренко Олександр Іванович", "1975", "", "Petrenko O. I.", "", ""))
    rows.append(
        ("1", "patronymic", "Ковальчук Юрій Петрович", "", "Ізюм", "Ковальчук Юрий Петрович", "1962", "Izyum")
    )
    rows.append(("0", "patronymic", "Ковальчук Юрій Петрович", "", "", "Ковальчук Юрій Степанович", "", ""))
    out = Path(__file__).with_name("duplicate_pairs.tsv")
    lines = [HEADER, *("\t".join(row) for row in rows)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} pairs, {sum(r[0] == '1' for r in rows)} duplicates")


if __name__ == "__main__":
    main()
