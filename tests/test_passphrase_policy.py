"""The passphrase rule (db/passphrase_policy.py): what someone with a copy of
the vault could guess within a year at its Argon2id cost is refused, with a
reason code; the suggestion it offers passes it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from db.keyring_store import NoKeyring
from db.keys import Argon2Params
from db.passphrase_policy import (
    CREATION_FLOOR,
    HORIZON_SECONDS,
    MAX_SCORED_CHARS,
    WeakPassphrase,
    _wordlist,
    argon2_of,
    judge_passphrase,
    require_acceptable_passphrase,
    suggest_passphrase,
)
from db.vault import Vault
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

REFERENCE = Argon2Params(time_cost=3, memory_kib=256 * 1024, parallelism=2)


@pytest.mark.parametrize(
    "weak",
    ["password123", "Tr0ub4dor&3", "qwertyuiopasdf", "Kharkiv-2022-03-15", "sunflower sunflower", "x" * 200],
)
@pytest.mark.parametrize("cost", [CREATION_FLOOR, REFERENCE], ids=["floor", "reference"])
def test_guessable_passphrases_are_refused_with_a_reason(weak: str, cost: Argon2Params) -> None:
    verdict = judge_passphrase(weak, cost)
    assert not verdict.acceptable and verdict.code == "passphrase-guessable"
    assert verdict.seconds < HORIZON_SECONDS
    with pytest.raises(WeakPassphrase) as refused:
        require_acceptable_passphrase(weak, cost)
    assert refused.value.code == "passphrase-guessable"
    assert weak not in str(refused.value)  # the message never quotes it


def test_too_short_is_its_own_reason() -> None:
    with pytest.raises(WeakPassphrase) as refused:
        require_acceptable_passphrase("kx9#Qz!", REFERENCE)
    assert refused.value.code == "passphrase-too-short" and refused.value.params == {"minimum": 8}


def test_the_vaults_cost_decides() -> None:
    """The same passphrase holds a year against a costly Argon2id and not a
    cheap one: the attacker's speed is part of the rule."""
    borderline = "olena kharkiv 1987"
    assert judge_passphrase(borderline, REFERENCE).acceptable
    assert not judge_passphrase(borderline, FAST_ARGON2).acceptable


def test_the_tests_passphrase_passes_the_rule_at_every_cost_they_use() -> None:
    for cost in (FAST_ARGON2, CREATION_FLOOR, REFERENCE):
        require_acceptable_passphrase(PASSPHRASE, cost)


def test_the_suggestion_is_six_random_words_that_pass() -> None:
    words = _wordlist()
    assert len(words) == 7776 and len(set(words)) == 7776
    suggestions = {suggest_passphrase() for _ in range(20)}
    assert len(suggestions) == 20
    for suggestion in suggestions:
        parts = suggestion.split(" ")
        assert len(parts) == 6 and all(part in words for part in parts)
        require_acceptable_passphrase(suggestion, CREATION_FLOOR)
    assert 6 * math.log2(len(words)) > 77


def test_a_long_passphrase_is_scored_on_its_start_without_failing() -> None:
    """zxcvbn refuses more than 72 characters; the rule scores the start."""
    long_one = suggest_passphrase(12)
    assert len(long_one) > MAX_SCORED_CHARS
    assert judge_passphrase(long_one, CREATION_FLOOR).acceptable
    # Everything past the scored start is ignored, so a strong tail cannot
    # rescue a weak start (a shorter run of "a" let random words reach it).
    assert not judge_passphrase("a" * MAX_SCORED_CHARS + suggest_passphrase(), CREATION_FLOOR).acceptable


def test_the_cost_is_read_from_the_vaults_key_file(tmp_path: Path) -> None:
    created = Vault.create(tmp_path / "v", PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    created.vault.lock()
    assert argon2_of(tmp_path / "v") == FAST_ARGON2
