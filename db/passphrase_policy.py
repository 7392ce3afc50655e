"""The passphrase rule: refuse a passphrase that someone with a copy of the
vault could guess within a year at the vault's Argon2id cost.

Shared by every client (the CLI's ``init``, ``passwd``, ``recover``; the
desktop app's create page and passphrase change, whose meter shows the same
verdict as the user types): the rule is here, Qt knows nothing of it.

How guessable a passphrase is comes from zxcvbn (Dropbox's estimator): the
number of guesses an attacker who tries common passwords, words, names, dates
and keyboard patterns first would need. How fast guesses go depends on the
vault's Argon2id cost: each guess is one derivation, and memory-hard work
scales with memory × passes. The attacker modelled (docs/threat-model.md) can
make ``REFERENCE_GUESSES_PER_SECOND`` guesses a second against the reference
cost of 256 MiB × 3 passes (a rack of GPUs; about 100 times what a laptop
does), proportionally more against a cheaper cost.

What zxcvbn cannot see: it knows English words and common passwords, not
Ukrainian or Russian ones, so a common phrase in Cyrillic may be scored
stronger than it is. The suggestion is therefore what the rule recommends:
six words drawn at random (77 bits), whose strength does not depend on an
estimator.
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import ClassVar

from db.errors import Codes, FieldvaultError, Param, StorageError, VaultNotFound
from db.keys import MIN_CALIBRATED_MEMORY_KIB, MIN_PASSPHRASE_CHARS, Argon2Params, KeyFile
from db.paths import KEY_FILE

# Guesses a second the modelled attacker makes against REFERENCE_COST.
REFERENCE_GUESSES_PER_SECOND = 1e5
REFERENCE_COST = 256 * 1024 * 3  # KiB of memory × passes
# "Within a year" (the horizon).
HORIZON_SECONDS = 365 * 24 * 3600
# zxcvbn (4.5) refuses inputs over 72 characters, and its estimate is costly
# for long ones: the first 72 alone are scored (a longer passphrase is judged
# on its start, which is never more lenient than judging it whole).
MAX_SCORED_CHARS = 72
SUGGESTION_WORDS = 6
# The cheapest cost calibration may choose for a new vault (db/keys.py): a
# passphrase judged against it holds whatever calibration then picks.
CREATION_FLOOR = Argon2Params(time_cost=1, memory_kib=MIN_CALIBRATED_MEMORY_KIB, parallelism=1)


class WeakPassphrase(FieldvaultError):
    """A new passphrase the rule refuses; nothing was changed."""

    codes: ClassVar[Codes] = {
        "passphrase-too-short": ("minimum",),
        "passphrase-guessable": (),
    }

    def __init__(self, message: str, code: str, **params: Param) -> None:
        super().__init__(message, code, field=None, **params)


@dataclass(frozen=True)
class Judgement:
    """What the rule says of a passphrase: ``acceptable``; ``code`` the
    refusal's error code ("" when acceptable); ``score`` zxcvbn's 0-4 (for a
    meter); ``guesses_log10`` the estimate; ``seconds`` how long the
    modelled attacker would need at the given cost."""

    acceptable: bool
    code: str
    score: int
    guesses_log10: float
    seconds: float


def guesses_per_second(argon2: Argon2Params) -> float:
    cost = max(1, argon2.memory_kib * argon2.time_cost)
    return REFERENCE_GUESSES_PER_SECOND * REFERENCE_COST / cost


def judge_passphrase(passphrase: str, argon2: Argon2Params) -> Judgement:
    """The rule's verdict on ``passphrase`` for a vault of cost ``argon2``."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        return Judgement(False, "passphrase-too-short", 0, 0.0, 0.0)
    from zxcvbn import zxcvbn

    scored = unicodedata.normalize("NFC", passphrase)[:MAX_SCORED_CHARS]
    estimate = zxcvbn(scored)
    guesses_log10 = math.log10(max(1.0, float(estimate["guesses"])))
    seconds = 10**guesses_log10 / guesses_per_second(argon2)
    acceptable = seconds >= HORIZON_SECONDS
    return Judgement(
        acceptable,
        "" if acceptable else "passphrase-guessable",
        int(estimate["score"]),
        guesses_log10,
        seconds,
    )


def require_acceptable_passphrase(passphrase: str, argon2: Argon2Params) -> None:
    """Raise WeakPassphrase unless the rule accepts ``passphrase``."""
    verdict = judge_passphrase(passphrase, argon2)
    if verdict.code == "passphrase-too-short":
        raise WeakPassphrase(
            f"A passphrase needs at least {MIN_PASSPHRASE_CHARS} characters; nothing was changed.",
            "passphrase-too-short",
            minimum=MIN_PASSPHRASE_CHARS,
        )
    if not verdict.acceptable:
        raise WeakPassphrase(
            "Someone with a copy of the vault could guess this passphrase within a year (it is too "
            "short, too common or too predictable); nothing was changed. Use several unusual words, "
            "for example six words chosen at random.",
            "passphrase-guessable",
        )


def argon2_of(folder: Path) -> Argon2Params:
    """The Argon2id cost the vault in ``folder`` derives its key with."""
    try:
        data = (Path(folder) / KEY_FILE).read_bytes()
    except FileNotFoundError:
        raise VaultNotFound(str(folder)) from None
    except OSError as err:
        raise StorageError("read the key file", err) from err
    return KeyFile.from_bytes(data, source=KEY_FILE).argon2


@cache
def _wordlist() -> tuple[str, ...]:
    """The EFF large wordlist (7,776 words, made for dice: short, distinct,
    easy to type), as the maintained xkcdpass package ships it."""
    from importlib.resources import files

    try:
        text = files("xkcdpass").joinpath("static", "eff-long").read_text(encoding="utf-8")
    except (ImportError, OSError) as err:  # a build without the package or its data file
        raise RuntimeError("the EFF wordlist (package xkcdpass) is not installed") from err
    words = tuple(sorted({line.split()[-1] for line in text.splitlines() if line.strip()}))
    if len(words) != 7776:
        raise RuntimeError("the EFF wordlist is not the expected 7,776 words")
    return words


def suggest_passphrase(words: int = SUGGESTION_WORDS) -> str:
    """Six words drawn with the OS's cryptographic randomness (log2(7776^6) ≈
    77.5 bits), for the user to take or not. Never stored or logged. Raises
    RuntimeError where the word list is missing (then there is no suggestion)."""
    wordlist = _wordlist()
    return " ".join(secrets.choice(wordlist) for _ in range(words))
