"""``init``, ``passwd`` and ``recover`` refuse a guessable new passphrase
(db/passphrase_policy.py) and change nothing: no vault, the old passphrase,
a recovery key still good."""

from __future__ import annotations

from db.paths import KEY_FILE
from tests.cli_helpers import Cli
from tests.vault_helpers import PASSPHRASE

WEAK = "Kharkiv2022!"


def test_init_refuses_a_guessable_passphrase(cli: Cli) -> None:
    result = cli.run("init", secrets=[WEAK, WEAK], check=False)
    assert result.returncode == 1
    assert "guess this passphrase within a year" in result.stderr
    assert WEAK not in result.stderr + result.stdout
    assert not (cli.vault / KEY_FILE).exists()


def test_passwd_refuses_and_the_old_passphrase_still_opens(cli: Cli) -> None:
    cli.create_fast(PASSPHRASE)
    before = (cli.vault / KEY_FILE).read_bytes()
    result = cli.run("passwd", secrets=[PASSPHRASE, WEAK, WEAK], check=False)
    assert result.returncode == 1 and "within a year" in result.stderr
    assert (cli.vault / KEY_FILE).read_bytes() == before
    cli.json("info", secrets=[PASSPHRASE])


def test_recover_refuses_before_using_the_recovery_key(cli: Cli) -> None:
    recovery_key = cli.create_fast(PASSPHRASE)
    result = cli.run("recover", secrets=[recovery_key, "password123", "password123"], check=False)
    assert result.returncode == 1 and "within a year" in result.stderr
    # The recovery key was not spent: it still sets a good passphrase.
    good = "a new laptop, a new passphrase"
    done = cli.json("recover", secrets=[recovery_key, good, good])
    assert done["recovered"] is True
    cli.json("info", secrets=[good])
