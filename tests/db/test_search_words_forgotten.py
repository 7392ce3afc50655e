"""Locking a vault drops the cached analyses of its words: the search's
word cache (db/search_terms.py) holds the words of every record indexed and
every query typed, and must not keep them reachable after lock."""

from __future__ import annotations

from db.search_terms import query_terms, word_terms
from db.vault import Vault
from tests.factory import make_testimony


def test_the_words_of_records_and_queries_are_not_cached_after_lock(vault: Vault) -> None:
    make_testimony(vault, narrative="Свідок Остапчук бачив розстріл біля елеватора.")
    assert vault.search.query("Остапчук")
    assert word_terms.cache_info().currsize > 0
    assert query_terms.cache_info().currsize > 0
    vault.lock()
    assert word_terms.cache_info().currsize == 0
    assert query_terms.cache_info().currsize == 0
