"""The command line at a coordinator desk without the organisation key
(docs/cli.md ``org add-device``, ``bundle approve``; org-profile.md §6): it
adds a device by its card and code, refuses a token with the reason, and
approves a held bundle by the worker's code. Real vaults, the real
``fieldvault`` command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync import org_vault
from sync.bundle.admission import BundleQuarantined
from tests.cli_helpers import Cli
from tests.sync.test_coordinator_vouching import Desks
from tests.vault_helpers import PASSPHRASE


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Desks]:
    made = Desks(tmp_path)
    yield made
    made.close()


def test_a_desk_without_the_key_adds_and_approves_on_the_command_line(
    desks: Desks, tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    carded = desks.org.worker("carded")
    card = org_vault.own_device_card(carded.vault).text
    card_code = org_vault.status(carded.vault).verification_code
    token = desks.org.token()
    field = desks.org.worker("field")
    made = desks.org.export(field.vault)
    with pytest.raises(BundleQuarantined):
        desks.to_lviv(made.path)
    field_code = org_vault.status(field.vault).verification_code
    lviv_folder = desks.lviv.folder
    desks.lviv.lock()
    cli = Cli(lviv_folder, isolated_env)

    with_token = cli.run(
        "org", "add-device", card, "--code", card_code, "--token", token, secrets=[PASSPHRASE], check=False
    )
    assert with_token.returncode == 1
    assert "key" in with_token.stderr and "without its token" in with_token.stderr
    assert carded.vault.device_id not in [
        d["device_id"] for d in cli.json("org", "show", secrets=[PASSPHRASE])["devices"]
    ]

    added = cli.json("org", "add-device", card, "--code", card_code, secrets=[PASSPHRASE])
    assert added == {"device_id": carded.vault.device_id, "verification_code": card_code}

    approved = cli.json("bundle", "approve", str(made.path), "--code", field_code, secrets=[PASSPHRASE])
    assert approved["approved"] is True
    devices = {d["device_id"]: d for d in cli.json("org", "show", secrets=[PASSPHRASE])["devices"]}
    assert devices[field.vault.device_id]["status"] == "enrolled"
    assert devices[carded.vault.device_id]["status"] == "enrolled"


def test_the_command_line_tells_a_desk_without_the_key_to_ask_the_desk_that_created_the_organisation(
    desks: Desks, isolated_env: dict[str, str]
) -> None:
    field = desks.org.worker("field")
    card = org_vault.own_device_card(field.vault).text
    card_code = org_vault.status(field.vault).verification_code
    lviv_folder = desks.lviv.folder
    desks.lviv.lock()
    cli = Cli(lviv_folder, isolated_env)
    version = cli.json("org", "show", secrets=[PASSPHRASE])["version"]

    for command in (
        ("org", "token", "--hours", "1"),
        ("org", "revoke", field.vault.device_id),
        ("org", "add-coordinator", card, "--code", card_code),
    ):
        refused = cli.run(*command, secrets=[PASSPHRASE], check=False)
        assert refused.returncode == 1, command
        assert "Only the desk that created organisation" in refused.stderr, command
        assert "Ask that desk to do it" in refused.stderr, command
        assert "not a coordinator" not in refused.stderr, command
    assert cli.json("org", "show", secrets=[PASSPHRASE])["version"] == version
