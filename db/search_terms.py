"""Turning text into search terms: case folding, diacritics, and word forms.

Ukrainian and Russian are highly inflected ("полонений", "полонених",
"полоненого"), so every Cyrillic word is indexed under the normal forms that
pymorphy3's Ukrainian and Russian dictionaries give for it (all parses, not only
the likeliest, because the analyser sometimes misreads proper nouns). Latin words
go through the Snowball English stemmer. A query term matches a document term
when their sets of normal forms meet.

A query word is looked up under fewer forms than a document word is indexed
under (``query_terms``): when a dictionary knows the word, its guessed forms
are left out, since every document form of that word carries the dictionary's
normal form too; each form costs the ranking a count over its whole doclist.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

WORD = re.compile(r"\w+(?:['’ʼ]\w+)*")
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
MAX_FORMS_PER_WORD = 6
SNIPPET_WIDTH = 160

_analysers_lock = threading.Lock()
_analysers: dict[str, Any] = {}


def _analyser(name: str) -> Any:
    with _analysers_lock:
        if name not in _analysers:
            if name == "english":
                import Stemmer

                _analysers[name] = Stemmer.Stemmer("english")
            else:
                import pymorphy3

                _analysers[name] = pymorphy3.MorphAnalyzer(lang=name)
        return _analysers[name]


def fold(word: str) -> str:
    """Case-fold and strip combining accents (stress marks, é→e), keeping
    letters that are distinct in Ukrainian (й, ї) and folding ё to е."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char):
            # U+0306 breve makes й from и; U+0308 diaeresis makes ї from і and ё from е.
            if char in "\u0306\u0308" and kept and kept[-1] in "иі":
                kept.append(char)
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).replace("ё", "е").translate(APOSTROPHES)


def _as_term(form: str) -> str:
    # FTS5's unicode61 tokenizer would split at the apostrophe; drop it so the
    # term stays one token in both index and query.
    return fold(form).replace("'", "")


def _parses(folded: str) -> list[Any]:
    """The Ukrainian then the Russian analyser's likeliest parses of a
    Cyrillic word (at most MAX_FORMS_PER_WORD each)."""
    return [parse for lang in ("uk", "ru") for parse in _analyser(lang).parse(folded)[:MAX_FORMS_PER_WORD]]


def _from_dictionary(parse: Any) -> bool:
    """Whether the analyser found this very word in its dictionary, rather
    than predicting a parse from its ending or a prefix (the Russian
    analyser reads "будинок" as a form of "будинока")."""
    from pymorphy3.units import DictionaryAnalyzer

    stack = parse.methods_stack
    return len(stack) == 1 and type(stack[0][0]) is DictionaryAnalyzer


def _terms(folded: str, forms: list[str]) -> tuple[str, ...]:
    terms: dict[str, None] = {}
    for form in [folded, *forms]:
        term = _as_term(form)
        if term:
            terms[term] = None
    return tuple(terms)


@lru_cache(maxsize=262_144)
def word_terms(word: str) -> tuple[str, ...]:
    """The index terms of one word, most likely first, without duplicates."""
    folded = fold(word)
    forms: list[str] = []
    if CYRILLIC.search(folded):
        forms = [parse.normal_form for parse in _parses(folded)]
    elif folded.isascii() and folded.isalpha():
        forms = [_analyser("english").stemWord(folded)]
    return _terms(folded, forms)


@lru_cache(maxsize=65_536)
def query_terms(word: str) -> tuple[str, ...]:
    """The terms a query word is looked up under: its ``word_terms`` less the
    analysers' guesses when some dictionary knows the word. A document's form
    of a known word is indexed under all its parses, the dictionary's among
    them, so the guesses find no document of that word that the dictionary's
    normal form misses; they find other words' documents ("будинока" is in a
    seventh of the benchmark's million), and each costs bm25 a count of its
    documents before the first row is scored. A word no dictionary knows (a
    rare name, a misspelling) keeps every guess, as it is indexed."""
    folded = fold(word)
    if not CYRILLIC.search(folded):
        return word_terms(word)
    parses = _parses(folded)
    known = [parse for parse in parses if _from_dictionary(parse)]
    return _terms(folded, [parse.normal_form for parse in known or parses])


def forget_words() -> None:
    """Drop the cached analyses of words (of records indexed and of queries
    typed) when a vault locks: the cache would otherwise keep the words of
    testimonies reachable in the unlocked process's memory after lock. What
    freed memory still holds is docs/threat-model.md 4.1's limit. Also when
    an import is refused for a bad signature (db/sync_import.py): its
    records were indexed before the verdict, and the words of a body nobody
    signed must not stay."""
    word_terms.cache_clear()
    query_terms.cache_clear()


def index_text(text: str) -> str:
    """The text stored in the FTS5 index for ``text``: the terms of each word."""
    return " ".join(" ".join(word_terms(w)) for w in WORD.findall(text))


@dataclass(frozen=True)
class ParsedQuery:
    fts: str
    term_sets: tuple[frozenset[str], ...]
    # The folded last word when it also matches as a prefix (search as you
    # type), else "".
    prefix: str = ""


def parse_query(query: str, *, prefix_last: bool = False) -> ParsedQuery | None:
    """An FTS5 MATCH expression: every word must match one of its terms.
    With ``prefix_last``, the last word also matches as a prefix (search as
    you type). None when the query has no words."""
    words = WORD.findall(query)
    if not words:
        return None
    groups: list[str] = []
    sets: list[frozenset[str]] = []
    prefix = ""
    for position, word in enumerate(words):
        terms = query_terms(word)
        options = [f'"{t}"' for t in terms]
        if prefix_last and position == len(words) - 1 and len(terms[0]) >= 2:
            prefix = terms[0]
            options.append(f'"{prefix}"*')
        groups.append("(" + " OR ".join(options) + ")")
        sets.append(frozenset(terms))
    return ParsedQuery(" AND ".join(groups), tuple(sets), prefix)


class QueryMatcher:
    """Which words of a text match a parsed query, remembered per word (one
    matcher serves all the hits of a query)."""

    def __init__(self, query: ParsedQuery, *, prefix_last: bool = False) -> None:
        self._wanted = frozenset().union(*query.term_sets)
        self._prefix = query.prefix if prefix_last else ""
        self._seen: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        hit = self._seen.get(word)
        if hit is None:
            terms = word_terms(word)
            hit = not self._wanted.isdisjoint(terms) or bool(
                self._prefix and terms[0].startswith(self._prefix)
            )
            self._seen[word] = hit
        return hit

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the words in ``text`` that match."""
        return [match.span() for match in WORD.finditer(text) if self(match.group())]

    def snippet(self, text: str, width: int = SNIPPET_WIDTH) -> tuple[str, list[tuple[int, int]]]:
        """``snippet(text, self.spans(text), width)``, reading the text only
        up to the end of the window: a hit's snippet needs the matches inside
        it, not every match of a 2 KB testimony."""
        spans: list[tuple[int, int]] = []
        end = -1
        for match in WORD.finditer(text):
            if end >= 0 and match.end() > end:
                break
            if self(match.group()):
                spans.append(match.span())
                if end < 0:
                    end = _window_start(text, match.start(), width) + width
        return snippet(text, spans, width)


def highlight_spans(text: str, query: ParsedQuery, *, prefix_last: bool = False) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` that match the query."""
    return QueryMatcher(query, prefix_last=prefix_last).spans(text)


def _window_start(text: str, first: int, width: int) -> int:
    start = max(0, first - width // 3)
    # Start at a word boundary.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
        if first - start > width // 2:
            break
    return start


def snippet(
    text: str, spans: list[tuple[int, int]], width: int = SNIPPET_WIDTH
) -> tuple[str, list[tuple[int, int]]]:
    """A window of about ``width`` characters around the first match, and the
    match spans relative to it."""
    if not spans:
        cut = text[:width]
        return (cut + ("…" if len(text) > width else "")), []
    start = _window_start(text, spans[0][0], width)
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    window = text[start:end].replace("\n", " ")
    shift = len(prefix) - start
    inside = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return prefix + window + suffix, inside
