"""Name keys that survive script and spelling: Cyrillic (Ukrainian or Russian)
and the Latin spellings field workers use for the same person.

Cyrillic goes through the Ukrainian national transliteration of 2010 (KMU
resolution 55, via ``translitua``); every Latin text then becomes a
*skeleton*: lowercase letters with the choices transliteration systems
disagree on collapsed (и/і/й/y/j → i, г/ґ/h/g → h, ye/ie/je → ie,
shch/sch → one letter, kh/ch/x kept apart, doubled letters once). Two
spellings of one name end up equal or a letter or two apart, which
``rapidfuzz`` measures. Given names that Russian and Ukrainian spell
differently (Александр / Олександр, Николай / Микола, Анна / Ганна) are
mapped to the Ukrainian form, with the person's gender where it is certain.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from translitua import UkrainianKMU, translit

# Russian letters KMU does not know, written as the Ukrainian letters that
# sound alike, before transliteration.
_RUSSIAN_LETTERS = str.maketrans(
    {"ы": "и", "э": "е", "ё": "йо", "ъ": "", "Ы": "И", "Э": "Е", "Ё": "Йо", "Ъ": ""}
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Longest first: each group becomes one placeholder letter.
_GROUPS = (
    ("shch", "Q"),
    ("szcz", "Q"),
    ("sch", "Q"),
    ("zh", "Z"),
    ("sz", "S"),
    ("sh", "S"),
    ("kh", "X"),
    ("ch", "C"),
    ("cz", "C"),
    ("tch", "C"),
    ("ts", "c"),
    ("tz", "c"),
    ("ck", "k"),
    ("gh", "h"),
    ("ph", "f"),
)
_SINGLE = str.maketrans({"x": "ks", "g": "h", "y": "i", "j": "i", "w": "v", "q": "k"})
_NOT_LETTER = re.compile(r"[^a-zA-Z]")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """One word's spelling-independent key (lowercase letters and the
    placeholders Q Z S X C for щ ж ш х ч)."""
    text = word.translate(_RUSSIAN_LETTERS)
    if _CYRILLIC.search(text):
        text = translit(text, UkrainianKMU)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _NOT_LETTER.sub("", text)
    for group, letter in _GROUPS:
        text = text.replace(group, letter)
    text = text.translate(_SINGLE)
    return _REPEATS.sub(r"\1", text)


# Given names: (Ukrainian form, gender, other spellings and Russian forms).
# Gender "" where a name is both or the table does not know.
_GIVEN_NAMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Олександр", "m", ("Александр", "Alexander", "Aleksandr", "Oleksander")),
    ("Олександра", "f", ("Александра", "Alexandra")),
    ("Олексій", "m", ("Алексей", "Alexey", "Aleksey", "Alexei")),
    ("Микола", "m", ("Николай", "Nikolai", "Nikolay", "Mykola")),
    ("Іван", "m", ("Иван", "Ivan")),
    ("Сергій", "m", ("Сергей", "Sergey", "Sergei")),
    ("Андрій", "m", ("Андрей", "Andrey", "Andrei")),
    ("Дмитро", "m", ("Дмитрий", "Dmitry", "Dmitriy", "Dmytro")),
    ("Володимир", "m", ("Владимир", "Vladimir", "Volodymyr")),
    ("Петро", "m", ("Пётр", "Петр", "Petr", "Pyotr", "Piotr")),
    ("Юрій", "m", ("Юрий", "Yuri", "Yury", "Iurii")),
    ("Віктор", "m", ("Виктор", "Viktor", "Victor")),
    ("Василь", "m", ("Василий", "Vasily", "Vasiliy", "Vasyl")),
    ("Михайло", "m", ("Михаил", "Mikhail", "Mykhailo")),
    ("Григорій", "m", ("Григорий", "Grigory", "Hryhorii")),
    ("Євген", "m", ("Евгений", "Evgeny", "Yevgeniy", "Yevhen", "Ievgen")),
    ("Павло", "m", ("Павел", "Pavel", "Pavlo")),
    ("Богдан", "m", ("Bogdan", "Bohdan")),
    ("Тарас", "m", ("Taras",)),
    ("Степан", "m", ("Stepan",)),
    ("Анатолій", "m", ("Анатолий", "Anatoly", "Anatolii")),
    ("Віталій", "m", ("Виталий", "Vitaly", "Vitalii")),
    ("Максим", "m", ("Maxim", "Maksym")),
    ("Роман", "m", ("Roman",)),
    ("Ігор", "m", ("Игорь", "Igor", "Ihor")),
    ("Олег", "m", ("Олег", "Oleg", "Oleh")),
    ("Артем", "m", ("Артём", "Artem", "Artyom")),
    ("Денис", "m", ("Denis", "Denys")),
    ("Костянтин", "m", ("Константин", "Konstantin", "Kostiantyn")),
    ("Федір", "m", ("Фёдор", "Федор", "Fedor", "Fyodor", "Fedir")),
    ("Ілля", "m", ("Илья", "Ilya", "Illia")),
    ("Микита", "m", ("Никита", "Nikita", "Mykyta")),
    ("Олена", "f", ("Елена", "Elena", "Yelena", "Olena")),
    ("Наталія", "f", ("Наталья", "Natalia", "Natalya", "Nataliia")),
    ("Тетяна", "f", ("Татьяна", "Tatiana", "Tatyana", "Tetiana")),
    ("Ганна", "f", ("Анна", "Anna", "Hanna", "Ganna")),
    ("Катерина", "f", ("Екатерина", "Ekaterina", "Yekaterina", "Kateryna")),
    ("Ірина", "f", ("Ирина", "Irina", "Iryna")),
    ("Світлана", "f", ("Светлана", "Svetlana", "Svitlana")),
    ("Людмила", "f", ("Lyudmila", "Liudmyla")),
    ("Галина", "f", ("Galina", "Halyna")),
    ("Надія", "f", ("Надежда", "Nadezhda", "Nadiia")),
    ("Віра", "f", ("Вера", "Vera", "Vira")),
    ("Любов", "f", ("Любовь", "Lyubov", "Liubov")),
    ("Оксана", "f", ("Oksana",)),
    ("Ольга", "f", ("Olga", "Olha")),
    ("Марія", "f", ("Мария", "Maria", "Mariya", "Mariia")),
    ("Юлія", "f", ("Юлия", "Yulia", "Yuliya", "Yuliia")),
    ("Вікторія", "f", ("Виктория", "Viktoria", "Viktoriia")),
    ("Анастасія", "f", ("Анастасия", "Anastasia", "Anastasiia")),
    ("Лариса", "f", ("Larisa", "Larysa")),
    ("Валентина", "f", ("Valentina", "Valentyna")),
    ("Софія", "f", ("София", "Sofia", "Sofiia")),
    ("Дарина", "f", ("Дарья", "Daria", "Daryna")),
    ("Христина", "f", ("Кристина", "Khrystyna", "Kristina")),
    ("Євгенія", "f", ("Евгения", "Evgenia", "Yevheniia")),
)


@dataclass(frozen=True)
class GivenName:
    key: str  # the Ukrainian form's skeleton
    gender: str  # "m", "f" or ""


def _given_table() -> dict[str, GivenName]:
    table: dict[str, GivenName] = {}
    for ukrainian, gender, others in _GIVEN_NAMES:
        entry = GivenName(skeleton(ukrainian), gender)
        for spelling in (ukrainian, *others):
            table.setdefault(skeleton(spelling), entry)
    return table


GIVEN_NAMES = _given_table()

# Which Ukrainian initials a written initial may stand for: a Russian or
# Latin initial of a name the table maps to another first letter
# (А. for Александр = Олександр, Н. for Николай = Микола, Е. for Елена = Олена).
INITIAL_ALIASES: dict[str, frozenset[str]] = {}
for _spelling, _entry in GIVEN_NAMES.items():
    INITIAL_ALIASES.setdefault(_spelling[0], frozenset({_spelling[0]}))
    INITIAL_ALIASES[_spelling[0]] |= {_entry.key[0]}

# Patronymics: -ович/-евич/-івна/-овна… (skeletons: ...oviC, ...ivna).
_PATRONYMIC = re.compile(r"(ovi|evi|ievi|ivi|ii)C$|(ov|ev|iev|iv)na$")
_SPLIT = re.compile(r"[\s,;]+")
_INITIALS = re.compile(r"^(?:\w\.)+\w?\.?$|^\w$")


@dataclass(frozen=True)
class ParsedName:
    """A name's parts as skeletons: the words that may be the surname (several
    when the order is unknown), given names (Ukrainian forms), initials
    (single skeleton letters), a patronymic, and the gender its given name
    implies ("" unknown)."""

    surnames: tuple[str, ...]
    given: tuple[str, ...]
    initials: tuple[str, ...]
    patronymic: str
    gender: str


@lru_cache(maxsize=200_000)
def parse_name(text: str) -> ParsedName:
    words: list[str] = []
    initials: list[str] = []
    for token in _SPLIT.split(text.strip()):
        if not token:
            continue
        if _INITIALS.match(token):
            for letter in token.replace(".", ""):
                key = skeleton(letter)
                if key:
                    initials.append(key[0])
            continue
        for part in token.split("-"):  # double surnames: each half may match
            key = skeleton(part)
            if len(key) >= 2:
                words.append(key)
    patronymic = ""
    if len(words) >= 3 or (len(words) == 2 and initials):
        for word in words:
            if _PATRONYMIC.search(word):
                patronymic = word
                words.remove(word)
                break
    given = [GIVEN_NAMES[w].key for w in words if w in GIVEN_NAMES]
    surnames = [w for w in words if w not in GIVEN_NAMES]
    if not surnames and len(given) >= 2:
        # Two given names and no other word ("Петро Іван"): either may be the surname.
        surnames = [w for w in words]
    genders = {GIVEN_NAMES[w].gender for w in words if w in GIVEN_NAMES} - {""}
    return ParsedName(
        surnames=tuple(dict.fromkeys(surnames)),
        given=tuple(dict.fromkeys(given)),
        initials=tuple(initials),
        patronymic=patronymic,
        gender=genders.pop() if len(genders) == 1 else "",
    )
