"""Deterministic synthetic testimonies: mixed Ukrainian/English narratives.

The words are those of real testimonies (detention, shelling, occupation,
deportation, killings), each lemma in several inflected forms, so that the
search index sees the morphology it is built for. Every testimony has one or
two topics that make their vocabulary more likely, which gives queries a
realistic spread of selectivity: general words occur in most testimonies,
topic words in a fraction, rare words in a few.

Nothing here is random unless seeded: the same (seed, index) always gives the
same testimony, so a cached benchmark vault and its baseline hold the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

# Bump when the generated text changes, so cached benchmark data is rebuilt.
CORPUS_VERSION = 1

# --- Ukrainian -----------------------------------------------------------
# Each entry: the inflected forms of one lemma.


def _words(text: str) -> list[str]:
    return text.split()


UK_FUNCTION = _words(
    "і та що як коли де потім після перед під у в на з із до від біля через але вже ще не "
    "ми вони він вона я нас їх його її нам там тут тоді всі усі багато кілька двох трьох "
    "п'ять десять години хвилин дуже знову навіть тільки також було були був була"
)

UK_GENERAL = [
    ("солдат", "солдата", "солдати", "солдатів", "солдатами"),
    ("військовий", "військового", "військові", "військових", "військовими"),
    ("будинок", "будинку", "будинки", "будинків", "будинками"),
    ("село", "села", "селі", "селом", "сіл"),
    ("місто", "міста", "місті", "містом"),
    ("сусід", "сусіда", "сусіди", "сусідів", "сусідами"),
    ("чоловік", "чоловіка", "чоловіки", "чоловіків"),
    ("жінка", "жінки", "жінку", "жінок", "жінками"),
    ("дитина", "дитини", "дитину", "діти", "дітей", "дітьми"),
    ("вулиця", "вулиці", "вулицю", "вулицею"),
    ("двір", "двору", "дворі"),
    ("ніч", "ночі", "вночі"),
    ("ранок", "ранку", "вранці"),
    ("день", "дня", "дні", "днів"),
    ("тиждень", "тижня", "тижні", "тижнів"),
    ("бачив", "бачила", "бачили", "бачу"),
    ("чув", "чула", "чули"),
    ("прийшли", "прийшов", "прийшла"),
    ("розповів", "розповіла", "розповідали"),
    ("телефон", "телефону", "телефони"),
    ("автомобіль", "автомобіля", "автомобілі", "автомобілем"),
    ("цивільний", "цивільні", "цивільних", "цивільного"),
    ("російський", "російські", "російських", "російського"),
    ("український", "українські", "українських"),
    ("місцевий", "місцеві", "місцевих"),
    ("мати", "матері", "матір'ю"),
    ("брат", "брата", "братом"),
    ("батько", "батька", "батьком"),
    ("окупант", "окупанти", "окупантів", "окупантами"),
    ("зброя", "зброї", "зброєю"),
    ("документи", "документів", "паспорт", "паспорта"),
    ("вода", "води", "їжа", "їжі"),
    ("старий", "стара", "старі", "старого"),
    ("сусідній", "сусідньому", "сусідніх"),
    ("темний", "темному", "темно"),
    ("страшно", "страх", "страху"),
]

UK_TOPICS: dict[str, list[tuple[str, ...]]] = {
    "detention": [
        ("полонений", "полоненого", "полоненому", "полонені", "полонених", "полоненими"),
        ("підвал", "підвалу", "підвалі", "підвалом", "підвали", "підвалах"),
        ("допит", "допиту", "допити", "допитів"),
        ("допитували", "допитував", "допитувала"),
        ("катування", "катувань", "катуваннями"),
        ("катували", "катував"),
        ("били", "бив", "побили"),
        ("тримали", "тримав", "тримала"),
        ("погрожували", "погрожував"),
        ("забрали", "забрав", "забрала"),
        ("вивели", "вивів"),
        ("блокпост", "блокпосту", "блокпості", "блокпости"),
        ("мішок", "мішок на голові", "зв'язані", "зв'язали"),
    ],
    "shelling": [
        ("обстріл", "обстрілу", "обстріли", "обстрілів", "обстрілом", "обстрілами"),
        ("ракета", "ракети", "ракету", "ракетою", "ракет"),
        ("снаряд", "снаряда", "снаряди", "снарядів"),
        ("вибух", "вибуху", "вибухи", "вибухів"),
        ("школа", "школи", "школу", "школі", "школою"),
        ("лікарня", "лікарні", "лікарню", "лікарнею"),
        ("зруйнували", "зруйнований", "зруйнована", "зруйноване", "зруйновані"),
        ("поранили", "поранений", "поранена", "поранені"),
        ("поранення", "поранень"),
        ("сховалися", "ховалися", "сховище", "сховищі"),
        ("танк", "танка", "танки", "танків"),
        ("загинув", "загинула", "загинули"),
    ],
    "occupation": [
        ("пограбували", "пограбування", "грабували"),
        ("спалили", "спалений", "спалена", "спалені"),
        ("зникли", "зник", "зникла", "зниклих"),
        ("комендатура", "комендатури", "комендатурі"),
        ("обшук", "обшуку", "обшуки", "обшукували"),
        ("кров", "крові"),
        ("погрожували", "погрожував"),
        ("окупація", "окупації", "окупацію"),
        ("колаборант", "колаборанти", "колаборантів"),
    ],
    "deportation": [
        ("евакуація", "евакуації", "евакуацію"),
        ("депортація", "депортації", "депортували"),
        ("фільтрація", "фільтрації", "фільтраційний", "фільтраційному"),
        ("табір", "табору", "таборі"),
        ("автобус", "автобуса", "автобусах", "автобусами"),
        ("кордон", "кордону", "кордоні"),
        ("відвезли", "відвіз", "вивезли"),
    ],
    "killing": [
        ("тіло", "тіла", "тіл", "тілами"),
        ("могила", "могили", "могилу", "могил"),
        ("розстріляли", "розстріляний", "розстріляних"),
        ("вбили", "вбив", "вбитих", "вбитого"),
        ("знайшли", "знайшов", "знайшла"),
        ("поховали", "поховання", "ексгумація", "ексгумації"),
        ("стріляли", "стріляв", "постріл", "пострілів"),
    ],
}

UK_PLACES: list[tuple[str, ...]] = [
    ("Ізюм", "Ізюма", "Ізюмі"),
    ("Буча", "Бучі", "Бучу"),
    ("Ірпінь", "Ірпеня", "Ірпені"),
    ("Харків", "Харкова", "Харкові"),
    ("Херсон", "Херсона", "Херсоні"),
    ("Маріуполь", "Маріуполя", "Маріуполі"),
    ("Гостомель", "Гостомеля"),
    ("Балаклія", "Балаклії"),
]

UK_RARE = [
    ("гелікоптер", "гелікоптера", "гелікоптери"),
    ("мародер", "мародери", "мародерів"),
    ("генератор", "генератора"),
    ("криниця", "криниці", "криницю"),
]

UK_MONTHS = ("лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня")

# --- English -------------------------------------------------------------

EN_FUNCTION = _words(
    "the a and that when where then after before under in on with to from near through but "
    "already still not we they he she I us them his her there here all many several two three "
    "five ten hours minutes very again even only also was were had"
)

EN_GENERAL = [
    ("soldier", "soldiers"),
    ("military", "servicemen"),
    ("house", "houses", "home"),
    ("village", "villages"),
    ("town", "city", "towns"),
    ("neighbour", "neighbours", "neighbor"),
    ("man", "men"),
    ("woman", "women"),
    ("child", "children"),
    ("street", "streets"),
    ("yard", "yards"),
    ("night", "nights"),
    ("morning", "mornings"),
    ("day", "days"),
    ("week", "weeks"),
    ("saw", "see", "seen", "seeing"),
    ("heard", "hear", "hearing"),
    ("came", "come", "coming"),
    ("told", "tell", "telling"),
    ("phone", "phones"),
    ("car", "cars"),
    ("civilian", "civilians"),
    ("Russian", "Russians"),
    ("Ukrainian", "Ukrainians"),
    ("local", "locals"),
    ("mother", "mothers"),
    ("brother", "brothers"),
    ("father", "fathers"),
    ("occupier", "occupiers"),
    ("weapon", "weapons", "armed"),
    ("documents", "passport", "passports"),
    ("water", "food"),
    ("old", "older", "elderly"),
    ("dark", "darkness"),
    ("afraid", "fear", "scared"),
]

EN_TOPICS: dict[str, list[tuple[str, ...]]] = {
    "detention": [
        ("prisoner", "prisoners", "imprisoned"),
        ("basement", "basements", "cellar"),
        ("interrogation", "interrogations", "interrogated", "interrogating"),
        ("torture", "tortured", "torturing"),
        ("beat", "beaten", "beating"),
        ("held", "holding", "detained", "detention"),
        ("threatened", "threatening", "threats"),
        ("took", "taken", "taking"),
        ("checkpoint", "checkpoints"),
        ("blindfolded", "handcuffed", "tied"),
    ],
    "shelling": [
        ("shelling", "shelled", "shells"),
        ("missile", "missiles", "rocket", "rockets"),
        ("explosion", "explosions", "exploded"),
        ("school", "schools"),
        ("hospital", "hospitals"),
        ("destroyed", "destroying", "destruction"),
        ("wounded", "wound", "wounds", "injured"),
        ("shelter", "sheltered", "hiding", "hid"),
        ("tank", "tanks"),
        ("died", "dead", "killed"),
    ],
    "occupation": [
        ("looted", "looting", "looters"),
        ("burned", "burning", "burnt"),
        ("disappeared", "disappearance", "missing"),
        ("commandant", "commandant's"),
        ("search", "searched", "searches"),
        ("blood", "bleeding"),
        ("occupation", "occupied"),
        ("collaborator", "collaborators"),
    ],
    "deportation": [
        ("evacuation", "evacuated", "evacuate"),
        ("deported", "deportation", "deportations"),
        ("filtration", "filtered"),
        ("camp", "camps"),
        ("bus", "buses"),
        ("border", "borders"),
        ("transferred", "transfer", "moved"),
    ],
    "killing": [
        ("body", "bodies"),
        ("grave", "graves", "burial"),
        ("executed", "execution", "executions"),
        ("murdered", "murder", "killing"),
        ("found", "find", "finding"),
        ("buried", "exhumation", "exhumed"),
        ("shot", "shooting", "shots", "gunfire"),
    ],
}

EN_PLACES: list[tuple[str, ...]] = [
    ("Izium",),
    ("Bucha",),
    ("Irpin",),
    ("Kharkiv",),
    ("Kherson",),
    ("Mariupol",),
    ("Hostomel",),
    ("Balakliia",),
]

EN_RARE = [("helicopter", "helicopters"), ("marauders",), ("generator",), ("well", "wells")]

EN_MONTHS = ("February", "March", "April", "May", "June", "July", "August", "September")

TOPICS = tuple(UK_TOPICS)
TOPIC_VIOLATIONS = {
    "detention": ["unlawful-detention", "torture"],
    "shelling": ["indiscriminate-attack", "attack-on-civilian-objects"],
    "occupation": ["pillage", "enforced-disappearance"],
    "deportation": ["deportation-transfer"],
    "killing": ["wilful-killing"],
}


@dataclass(frozen=True)
class Language:
    function: list[str]
    general: list[tuple[str, ...]]
    topics: dict[str, list[tuple[str, ...]]]
    places: list[tuple[str, ...]]
    rare: list[tuple[str, ...]]
    months: tuple[str, ...]
    zipf: list[float] = field(default_factory=list)


def _zipf(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


UK = Language(UK_FUNCTION, UK_GENERAL, UK_TOPICS, UK_PLACES, UK_RARE, UK_MONTHS, _zipf(len(UK_GENERAL)))
EN = Language(EN_FUNCTION, EN_GENERAL, EN_TOPICS, EN_PLACES, EN_RARE, EN_MONTHS, _zipf(len(EN_GENERAL)))


def _word(rng: random.Random, lang: Language, topics: tuple[str, ...]) -> str:
    roll = rng.random()
    if roll < 0.42:
        return rng.choice(lang.function)
    if roll < 0.70:
        lemma = rng.choices(lang.general, weights=lang.zipf)[0]
    elif roll < 0.93:
        lemma = rng.choice(lang.topics[rng.choice(topics)])
    elif roll < 0.985:
        lemma = rng.choice(lang.places)
    elif roll < 0.9997:
        return f"{rng.randint(1, 28)} {rng.choice(lang.months)} 2022"
    else:
        lemma = rng.choice(lang.rare)
    return rng.choice(lemma)


def _sentence(rng: random.Random, lang: Language, topics: tuple[str, ...]) -> str:
    words = [_word(rng, lang, topics) for _ in range(rng.randint(6, 15))]
    text = " ".join(words)
    if rng.random() < 0.3:
        cut = text.find(" ", len(text) // 2)
        if cut > 0:
            text = text[:cut] + "," + text[cut:]
    return text[0].upper() + text[1:] + "."


def narrative(rng: random.Random, target_bytes: int, topics: tuple[str, ...]) -> str:
    """Paragraphs of 3 to 6 sentences, each paragraph Ukrainian or English with
    equal odds, until the text reaches about ``target_bytes`` of UTF-8."""
    paragraphs: list[str] = []
    size = 0
    while size < target_bytes:
        lang = UK if rng.random() < 0.5 else EN
        sentences: list[str] = []
        for _ in range(rng.randint(3, 6)):
            sentence = _sentence(rng, lang, topics)
            sentences.append(sentence)
            size += len(sentence.encode("utf-8")) + 1
            if size >= target_bytes:
                break
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def testimony_fields(seed: int, index: int, case_id: str, target_bytes: int = 2048) -> dict[str, Any]:
    """The fields of testimony number ``index`` (a Testimony(**fields) away)."""
    rng = random.Random(seed * 1_000_003 + index)
    topics = tuple(rng.sample(TOPICS, rng.choice((1, 1, 2))))
    text = narrative(rng, target_bytes, topics)
    ukrainian = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff") > len(text) / 4
    place = rng.choice(UK_PLACES)[0] if ukrainian else rng.choice(EN_PLACES)[0]
    violations = sorted({code for topic in topics for code in TOPIC_VIOLATIONS[topic]})
    return {
        "case_id": case_id,
        "title": (f"Свідчення W-{index:06d}" if ukrainian else f"Statement of witness W-{index:06d}"),
        "interviewer": f"FW-{rng.randint(1, 40):02d}",
        "language": "uk" if ukrainian else "en",
        "consent_scope": rng.choice(("documentation-only", "ngo-internal", "prosecution")),
        "interview_date": f"2022-{rng.randint(3, 12):02d}-{rng.randint(1, 28):02d}",
        "interview_place": place,
        "violation_types": violations,
        "narrative": text,
        "notes": "",
    }


# ~50 queries: single words in several inflections, two-word queries,
# English words, a few rare words and one that matches nothing.
QUERIES: tuple[str, ...] = (
    # Ukrainian, one word, various forms of the same lemmas
    "полонених",
    "полонений",
    "полоненого",
    "підвалі",
    "підвал",
    "обстрілу",
    "обстріли",
    "ракетою",
    "школі",
    "лікарню",
    "дітей",
    "дитина",
    "жінок",
    "катування",
    "катували",
    "допитували",
    "блокпості",
    "окупантів",
    "могили",
    "зруйнований",
    "поранена",
    "зникла",
    "розстріляли",
    "евакуації",
    "фільтраційному",
    "сусіда",
    "Ізюмі",
    "Маріуполя",
    "вночі",
    "гелікоптер",
    # Ukrainian, two words
    "полонених підвалі",
    "обстріл школи",
    "зруйнований будинок",
    "катували полонених",
    "тіла могили",
    "ракета лікарня",
    "окупанти Бучі",
    "вбили цивільних",
    # English
    "prisoners",
    "basement",
    "shelling",
    "tortured",
    "interrogation",
    "checkpoint",
    "civilians",
    "graves",
    "missiles",
    "evacuated",
    "helicopter",
    "shelling school",
    "prisoners basement",
    "tortured civilians",
    "Mariupol hospital",
    # Mixed, and one with no hit
    "полонених prisoners",
    "дрон",
)
