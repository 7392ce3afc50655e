"""``fieldvault consent`` and ``fieldvault link evidence`` as a user types
them (issue 15): the scopes in the words of the docs, a withdrawal that
keeps the original in the history, links shown both ways."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Cli
from tests.evidence_samples import make_random
from tests.vault_helpers import PASSPHRASE

P = [PASSPHRASE]


def _testimony(cli: Cli) -> tuple[str, str]:
    case = cli.json("case", "new", "Izium", secrets=P)["id"]
    testimony = cli.json(
        "testimony",
        "new",
        "--case",
        case,
        "--narrative-file",
        "-",
        "--title",
        "W-1",
        secrets=P,
        stdin="Свідок бачив.",
    )["id"]
    return case, testimony


def test_record_show_and_withdraw_a_consent(cli: Cli) -> None:
    cli.create_fast(PASSPHRASE)
    _case, testimony = _testimony(cli)
    made = cli.json(
        "consent", "new", "--testimony", testimony,
        "--scope", "documentation only", "--scope", "prosecution", "--scope", "the NGO internally",
        "--given-how", "signed on paper and photographed", "--given-on", "2026-11-28",
        "--given-to", "Olena K.", "--text-version", "uk-v3", "--anonymity", "--no-photos",
        secrets=P,
    )  # fmt: skip
    assert made["scopes"] == ["documentation-only", "ngo-internal", "prosecution"]
    assert made["scope_words"] == ["documentation only", "the NGO internally", "prosecution"]
    assert made["given_how_words"] == "signed on paper and photographed"
    assert made["anonymity"] is True and made["no_photos"] is True

    withdrawn = cli.json(
        "consent", "withdraw", made["id"], "--scope", "prosecution", "--on", "2026-11-29", secrets=P
    )
    assert withdrawn["withdrawn_scope_words"] == ["prosecution"]
    assert withdrawn["scope_words"] == ["documentation only", "the NGO internally"]

    shown = cli.json("consent", "show", made["id"], secrets=P)
    assert [h["scopes"] for h in shown["history"]] == [
        ["documentation-only", "ngo-internal", "prosecution"],
        ["documentation-only", "ngo-internal"],
    ]
    human = cli.run("consent", "show", "--testimony", testimony, secrets=P).stdout
    assert "may be used for: documentation only, the NGO internally" in human
    assert "WITHDRAWN: prosecution" in human
    assert cli.json("verify", secrets=P)["ok"] is True


def test_a_withdrawal_that_widens_or_repeats_is_refused(cli: Cli) -> None:
    cli.create_fast(PASSPHRASE)
    _case, testimony = _testimony(cli)
    made = cli.json("consent", "new", "--testimony", testimony, "--scope", "documentation only", secrets=P)
    refused = cli.run(
        "consent", "withdraw", made["id"], "--scope", "public anonymised", secrets=P, check=False
    )
    assert refused.returncode == 1 and "scopes still agreed" in refused.stderr
    wrong_word = cli.run(
        "consent", "new", "--testimony", testimony, "--scope", "public-anonymised", secrets=P, check=False
    )
    assert wrong_word.returncode == 2  # only the words of the docs are accepted
    assert len(cli.json("consent", "show", made["id"], secrets=P)["history"]) == 1


def test_link_evidence_to_a_testimony_both_ways(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case, testimony = _testimony(cli)
    evidence = cli.json("ingest", str(make_random(tmp_path / "photo.bin", 2000)), "--case", case, secrets=P)[
        "id"
    ]
    linked = cli.json("link", "evidence", evidence, "--to", testimony, secrets=P)
    assert linked["evidence_id"] == evidence and linked["to"] == testimony
    from_evidence = cli.json("link", "show", evidence, secrets=P)
    assert from_evidence["id"] == testimony and from_evidence["type"] == "testimony"
    from_testimony = cli.json("link", "show", testimony, secrets=P)
    assert from_testimony["id"] == evidence and from_testimony["label"] == "photo.bin"
    other = cli.run("link", "evidence", evidence, "--to", case, secrets=P, check=False)
    assert other.returncode == 1 and "testimony, incident or person" in other.stderr
    assert cli.json("link", "evidence", evidence, "--to", testimony, "--remove", secrets=P) == {"removed": 1}
    assert cli.run("--json", "link", "show", testimony, secrets=P).stdout.strip() == ""
