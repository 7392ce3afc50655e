"""Full-text search in Ukrainian, Russian and English."""

from __future__ import annotations

import pytest

from db.entities import Case, Incident
from db.errors import InvalidInput
from db.search_terms import QueryMatcher, fold, highlight_spans, parse_query, snippet, word_terms
from db.services import RANK_CANDIDATES, SHORT_PREFIX_CANDIDATES, candidates_for
from db.vault import Vault
from tests.factory import make_case, make_person, make_testimony


@pytest.fixture
def corpus(vault: Vault) -> dict[str, str]:
    case = make_case(vault)
    ids = {
        "uk": make_testimony(
            vault,
            case.id,
            narrative="Двох полонених вивели з підвалу школи і розстріляли біля гаражів.",
        ).id,
        "ru": make_testimony(
            vault,
            case.id,
            language="ru",
            narrative="Пленных солдат расстреляли после того, как они сдались.",
        ).id,
        "en": make_testimony(
            vault,
            case.id,
            language="en",
            narrative="The soldiers surrendered and were executed by the roadside.",
        ).id,
        "kyiv": make_testimony(vault, case.id, narrative="Її родина переїхала до Києва у квітні.").id,
    }
    ids["person"] = make_person(vault, case.id, name="Олександр Коваленко", pseudonym="W-7").id
    return ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("полонений", "uk"),  # nominative finds the genitive plural "полонених"
        ("ПОЛОНЕНОГО", "uk"),  # any case, any form
        ("розстріляти", "uk"),
        ("пленный", "ru"),
        ("расстрелять", "ru"),
        ("execution", "en"),  # stemmed: executed / execution
        ("surrender", "en"),
        ("Київ", "kyiv"),  # proper noun in the genitive
        ("Коваленка", "person"),  # names are searchable, in other cases too
    ],
)
def test_a_word_finds_its_other_forms(
    vault: Vault, corpus: dict[str, str], query: str, expected: str
) -> None:
    hits = [h.entity_id for h in vault.search.query(query)]
    assert corpus[expected] in hits


def test_all_words_must_match(vault: Vault, corpus: dict[str, str]) -> None:
    assert [h.entity_id for h in vault.search.query("полонених гаражів")] == [corpus["uk"]]
    assert vault.search.query("полонених roadside") == []


def test_snippet_highlights_the_matching_words(vault: Vault, corpus: dict[str, str]) -> None:
    (hit,) = vault.search.query("полонений")
    assert hit.entity_type == "testimony"
    highlighted = [hit.snippet[s:e] for s, e in hit.highlights]
    assert highlighted == ["полонених"]


def test_ranking_prefers_the_more_relevant_text(vault: Vault) -> None:
    case = make_case(vault)
    weak = make_testimony(vault, case.id, narrative="Згадували обстріл. " + "Інші події того дня. " * 30)
    strong = make_testimony(vault, case.id, narrative="Обстріл, ще один обстріл, потім знову обстріли.")
    assert [h.entity_id for h in vault.search.query("обстріл")][:2] == [strong.id, weak.id]


def test_search_as_you_type_matches_a_prefix(vault: Vault, corpus: dict[str, str]) -> None:
    assert corpus["uk"] in [h.entity_id for h in vault.search.query("підва", as_you_type=True)]
    assert vault.search.query("підва") == []


def test_edits_and_deletes_update_the_index(vault: Vault, corpus: dict[str, str]) -> None:
    vault.testimonies.edit(corpus["en"], narrative="Nothing about that any more.")
    assert vault.search.query("executed") == []
    vault.testimonies.delete(corpus["uk"])
    assert vault.search.query("полонених") == []


def test_case_titles_and_notes_are_searched(vault: Vault) -> None:
    case = vault.cases.create(Case(title="Ізюм", notes="перепоховання"))
    assert [h.entity_id for h in vault.search.query("перепоховання")] == [case.id]


def test_folding_keeps_ukrainian_letters_but_drops_accents() -> None:
    assert fold("Їжак") == "їжак"
    assert fold("йод") == "йод"
    assert fold("ёлка") == "елка"
    assert fold("за́мок") == "замок"  # stress mark
    assert fold("Café") == "cafe"
    assert fold("пʼять") == fold("п’ять") == "п'ять"


def test_query_syntax_cannot_be_injected(vault: Vault, corpus: dict[str, str]) -> None:
    for hostile in ['"', "NEAR(", "a OR", "*", "entity_id:x", "-", "^"]:
        vault.search.query(hostile)  # must not raise an FTS syntax error
    assert vault.search.query("   ") == []


def test_search_as_you_type_highlights_the_typed_prefix(vault: Vault, corpus: dict[str, str]) -> None:
    # The prefix is the folded word as typed, whatever its other forms.
    for _ in range(3):
        (hit,) = vault.search.query("Двох підва", as_you_type=True)
        assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Двох", "підвалу"]


def test_a_snippet_reads_only_its_window_but_shows_every_match_in_it() -> None:
    words = ["полонених", "підвалі", "обстріл"]
    text = " ".join(f"слово{i} " + words[i % 3] for i in range(400))
    for query in ("полонений", "підвал обстріли", "полонених prisoners"):
        for prefix_last in (False, True):
            parsed = parse_query(query, prefix_last=prefix_last)
            assert parsed is not None
            expected = snippet(text, highlight_spans(text, parsed, prefix_last=prefix_last))
            assert QueryMatcher(parsed, prefix_last=prefix_last).snippet(text) == expected
    parsed = parse_query("дрон")
    assert parsed is not None
    assert QueryMatcher(parsed).snippet(text) == (text[:160] + "…", [])


def test_equal_scores_keep_the_order_records_were_added(vault: Vault) -> None:
    case = make_case(vault)
    ids = [make_testimony(vault, case.id, narrative="Обстріл школи вночі.").id for _ in range(4)]
    assert [h.entity_id for h in vault.search.query("обстріл")] == ids


@pytest.fixture
def many_matches(vault: Vault) -> list[str]:
    """Six testimonies about shelling, oldest first; the even ones say it
    three times (and rank higher), the odd ones once."""
    case = make_case(vault)
    ids = []
    for n in range(6):
        narrative = "Обстріл, обстріл, знову обстріл." if n % 2 == 0 else "Був обстріл, потім тиша."
        ids.append(make_testimony(vault, case.id, narrative=narrative).id)
    return ids


def test_a_broad_query_ranks_only_the_newest_candidates(vault: Vault, many_matches: list[str]) -> None:
    exact = [h.entity_id for h in vault.search.query("обстріл", candidates=None)]
    assert exact[:3] == [many_matches[0], many_matches[2], many_matches[4]]
    # The three newest matches, ranked among themselves with the same scores.
    bounded = vault.search.query("обстріл", candidates=3)
    assert [h.entity_id for h in bounded] == [many_matches[4], many_matches[3], many_matches[5]]
    scores = {h.entity_id: h.rank for h in vault.search.query("обстріл", candidates=None)}
    assert all(h.rank == scores[h.entity_id] for h in bounded)


def test_a_query_with_fewer_matches_than_candidates_is_ranked_exactly(
    vault: Vault, many_matches: list[str]
) -> None:
    exact = vault.search.query("обстріл", candidates=None)
    for candidates in (6, 7, 1000):
        assert vault.search.query("обстріл", candidates=candidates) == exact
    # The limit applies after the ranking.
    assert vault.search.query("обстріл", limit=2, candidates=6) == exact[:2]


def test_the_candidate_bound_counts_matches_of_every_word(vault: Vault, many_matches: list[str]) -> None:
    case = make_case(vault)
    both = make_testimony(vault, case.id, narrative="Обстріл школи.").id
    make_testimony(vault, case.id, narrative="Школа стоїть.")
    # Only two records have both words: one candidate is the newer of them.
    assert [h.entity_id for h in vault.search.query("обстріл школи", candidates=1)] == [both]


def test_candidates_must_be_positive(vault: Vault) -> None:
    with pytest.raises(InvalidInput):
        vault.search.query("обстріл", candidates=0)


def test_a_person_found_by_name_is_shown_by_pseudonym_only(vault: Vault) -> None:
    case = make_case(vault)
    make_person(
        vault, case.id, name="Олена Коваленко", pseudonym="Свідок сім", notes="Бачила колону на ринку."
    )
    for query in ("Коваленко", "сім", "ринку"):
        (hit,) = vault.search.query(query)
        assert hit.entity_type == "person" and hit.label == "Свідок сім"
        assert "Олена" not in hit.snippet and "Коваленко" not in hit.snippet, (query, hit.snippet)


def test_a_bounded_search_says_so(vault: Vault, many_matches: list[str]) -> None:
    assert len(vault.search.query("обстріл", candidates=None)) == 6
    assert vault.search.query("обстріл", candidates=3).bounded
    assert vault.search.query("обстріл", candidates=3, entity_type="testimony").bounded
    assert not vault.search.query("обстріл", candidates=3, entity_type="person").bounded
    assert not vault.search.query("обстріл", candidates=6).bounded  # exactly as many: all ranked
    assert not vault.search.query("обстріл", candidates=1000, limit=2).bounded  # a full page, all ranked
    assert not vault.search.query("обстріл", candidates=None).bounded


def test_persons_and_incidents_are_not_crowded_out_of_a_bounded_search(vault: Vault) -> None:
    """A person and an incident recorded before many testimonies about the
    same thing: bounded to the newest few matches, the testimonies would
    fill every candidate place; each group of types has its own."""
    case = make_case(vault)
    person = make_person(vault, case.id, pseudonym="Свідок з ринку", notes="Бачила обстріл ринку.").id
    incident = vault.incidents.create(
        Incident(case_id=case.id, title="Обстріл ринку", description="Обстріл вранці.")
    ).id
    testimonies = [
        make_testimony(vault, case.id, narrative=f"Обстріл, обстріл, знову обстріл. День {n}.").id
        for n in range(6)
    ]
    for as_you_type in (False, True):
        hits = vault.search.query("обстріл", candidates=2, as_you_type=as_you_type)
        found = [h.entity_id for h in hits]
        assert person in found and incident in found, found
        # Testimonies are still bounded to their newest two.
        assert [i for i in found if i in testimonies] != [] and set(found) & set(testimonies) <= set(
            testimonies[-2:]
        )
        assert hits.bounded
    # Persons and incidents beyond their own bound say so too.
    only_theirs = vault.search.query("ринку", candidates=1)
    assert len(only_theirs) == 1 and only_theirs.bounded
    assert not vault.search.query("ринку", candidates=2).bounded
    # The scores are the ones an unbounded search gives the same records.
    exact = {h.entity_id: h.rank for h in vault.search.query("обстріл", candidates=None)}
    assert all(h.rank == exact[h.entity_id] for h in vault.search.query("обстріл", candidates=2))


def test_the_record_type_is_no_search_word(vault: Vault, corpus: dict[str, str]) -> None:
    # The type is indexed (to filter and group by it) but a query's words
    # match only the records' text.
    for word in ("person", "testimony", "case", "incident"):
        assert vault.search.query(word) == []
    for typed in ("te", "pers", "inc", "ca"):  # a typed prefix of a type's name
        assert vault.search.query(typed, as_you_type=True) == [], typed
    assert [h.entity_id for h in vault.search.query("Коваленка", entity_type="person")] == [corpus["person"]]
    assert vault.search.query("Коваленка", entity_type="testimony") == []
    with pytest.raises(InvalidInput):
        vault.search.query("Коваленка", entity_type='person" OR "x')


def test_a_two_letter_prefix_finds_every_word_that_starts_with_it(vault: Vault) -> None:
    case = make_case(vault)
    ids = {
        word: make_testimony(vault, case.id, narrative=f"Там був {word} біля школи.").id
        for word in ("полонений", "пожежа", "поле", "підвал", "дрон")
    }
    for typed, expected in (("по", {"полонений", "пожежа", "поле"}), ("пол", {"полонений", "поле"})):
        found = {h.entity_id for h in vault.search.query(typed, as_you_type=True)}
        assert found == {ids[word] for word in expected}, typed
    # Two words, the last one a prefix; uppercase is folded.
    assert [h.entity_id for h in vault.search.query("школи ДР", as_you_type=True)] == [ids["дрон"]]


def test_a_short_prefix_typed_ranks_fewer_candidates() -> None:
    """Two or three letters typed match most of a large vault: such a query
    ranks at most SHORT_PREFIX_CANDIDATES; a longer prefix, a whole word,
    or a search not typed keeps the bound asked for."""

    def bound(query: str, as_you_type: bool, candidates: int | None = RANK_CANDIDATES) -> int | None:
        parsed = parse_query(query, prefix_last=as_you_type)
        assert parsed is not None
        return candidates_for(parsed, candidates)

    assert SHORT_PREFIX_CANDIDATES < RANK_CANDIDATES
    for typed in ("по", "ПОЛ", "обстріл шк", "sh"):
        assert bound(typed, True) == SHORT_PREFIX_CANDIDATES, typed
    for typed in ("поло", "обстріл", "п"):
        assert bound(typed, True) == RANK_CANDIDATES, typed
    assert bound("по", False) == RANK_CANDIDATES
    assert bound("по", True, candidates=3) == 3
    assert bound("по", True, candidates=None) is None  # exact stays exact


def test_a_known_word_is_looked_up_without_the_analysers_guesses(vault: Vault) -> None:
    # The Russian analyser does not know "будинок" and guesses "будинока" and
    # "будинка" for it; the Ukrainian dictionary knows it. Each guess cost
    # bm25 a count over its whole doclist ("будинока": a seventh of a
    # million testimonies) and found no document of the word that "будинок"
    # misses: every form of it is indexed under "будинок" too.
    assert {"будинока", "будинка"} <= set(word_terms("будинок"))  # the index side keeps them
    parsed = parse_query("будинок")
    assert parsed is not None
    assert parsed.term_sets == (frozenset({"будинок"}),)
    assert "будинока" not in parsed.fts
    case = make_case(vault)
    narratives = [
        "Снаряд влучив у будинку на розі.",
        "Зруйновані будинки стояли вздовж вулиці.",
        "Між будинками горіли машини.",
    ]
    ids = {make_testimony(vault, case.id, narrative=text).id for text in narratives}
    hits = vault.search.query("будинок")
    assert {hit.entity_id for hit in hits} == ids
    assert sorted(hit.snippet[s:e] for hit in hits for s, e in hit.highlights) == [
        "будинками",
        "будинки",
        "будинку",
    ]


def test_a_word_no_dictionary_knows_keeps_every_guess(vault: Vault) -> None:
    # Neither dictionary knows "Бахмутщини": its guessed normal forms are the
    # only way to its other forms, as before.
    parsed = parse_query("Бахмутщини")
    assert parsed is not None
    assert parsed.term_sets == (frozenset(word_terms("Бахмутщини")),)
    case = make_case(vault)
    found = make_testimony(vault, case.id, narrative="Бахмутщина пережила ще одну ніч обстрілів.")
    assert [hit.entity_id for hit in vault.search.query("Бахмутщини")] == [found.id]
