"""A send-back through the server asked of a vault that is not a coordinator
(sync/client/inbox.py send_back_over_server; a background sync whose role
was read before the profile changed reaches it) is refused naming the real
organisation, in the English message the CLI prints and in the GUI's
message built from the code's params; before, both said "organisation -".
A vault of no organisation is told so (org-none). Real vaults, no server:
the refusal comes before any connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.api import Vault
from db.keyring_store import NoKeyring
from desktop.messages import error_message
from sync import org_vault
from sync.bundle.send_back import send_back
from sync.client.inbox import send_back_over_server
from sync.org import OrgRefused
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def _vault(folder: Path) -> Vault:
    return Vault.create(folder, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2).vault


def test_a_field_workers_send_back_is_refused_naming_its_organisation(tmp_path: Path) -> None:
    coordinator, worker = _vault(tmp_path / "kyiv"), _vault(tmp_path / "field")
    try:
        signed = org_vault.create_organisation(coordinator, "Kharkiv documentation group")
        org_vault.enrol(worker, signed.signed, fingerprint_given=signed.profile.fingerprint)
        org_id = signed.profile.org_id
        with pytest.raises(OrgRefused) as refused:
            send_back_over_server(worker)
        assert refused.value.code == "org-not-coordinator"
        assert refused.value.params == {"org_id": org_id}
        assert f"organisation {org_id}" in str(refused.value)
        shown = error_message(refused.value)
        assert f"organisation {org_id}" in shown
        assert "organisation -" not in shown and "organisation -" not in str(refused.value)
    finally:
        worker.lock()
        coordinator.lock()


def test_a_send_back_from_a_vault_of_no_organisation_says_it_has_none(tmp_path: Path) -> None:
    """Through the server, and by USB (``bundle export --to-device``: sync/bundle/send_back.py,
    which said "organisation -" too)."""
    vault = _vault(tmp_path / "alone")
    stick = tmp_path / "stick"
    stick.mkdir()
    try:
        for attempt in (lambda: send_back_over_server(vault), lambda: send_back(vault, stick, "ab" * 16)):
            with pytest.raises(OrgRefused) as refused:
                attempt()
            assert refused.value.code == "org-none"
            assert "organisation -" not in error_message(refused.value)
            assert "organisation -" not in str(refused.value)
            assert "no organisation yet" in error_message(refused.value)
        assert list(stick.iterdir()) == []
    finally:
        vault.lock()
