"""The independent verifier (tests/independent/vaultcheck.py, written from
docs/vault-format.md alone) and a re-root (format version 2; db/reroot.py):
it checks the version-2 envelope, the ``revision_supersedes`` rows against
the signed ``supersedes``, and derives heads and creation times with the
"hidden" rule, agreeing with the app; a tampered supersedes row is named.

One device's vault (the verifier trusts the vault's own key only): the
re-root is signed here with the app's own write path, standing for a
coordinator's. A re-root hides only a revoked device's line (review 19 F4),
so the profile stored here, signed by a fresh organisation key, revokes
this very device: every revision is of the revoked line, and the rule is
exercised whole."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import apsw
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.api import OrgProfile, Vault
from db.revisions import Reroot
from sync import org
from tests.factory import make_case
from tests.independent import vaultcheck
from tests.vault_helpers import PASSPHRASE, open_vault

_AGE_RECIPIENT = "age1" + "q" * 58  # well formed; nothing is encrypted to it here


def _reroot_here(vault: Vault) -> tuple[str, str, str]:
    """A case, an edit of it standing for the revoked line, and an edit
    below that; then a re-root from the case's creation superseding only
    the first edit (as a desk that left the line out would). Returns (case
    id, the re-root's id, the edit below the superseded one)."""
    created = make_case(vault, title="before")
    first = created.revision
    vault.cases.edit(created.id, title="the revoked edit")
    line = vault.revisions.heads()[created.id]
    vault.cases.edit(created.id, title="an edit below it")
    below = next(iter(vault.revisions.heads()[created.id]))
    ctx = vault.services.context
    with ctx.write_transaction("a re-root") as session:
        rev = ctx.commit_local(
            session,
            {
                "entity_id": created.id,
                "entity_type": "case",
                "op": "put",
                "body": {"title": "before", "description": "", "notes": ""},
                "parents": [first],
                "reroot": Reroot("as-before", tuple(sorted(line))),
            },
        )
    return created.id, rev.revision_id, below


def _verified_heads(vault: Vault, vault_dir: Path, case: str) -> tuple[set[str], bool]:
    """Lock the vault, check it with the independent verifier (which must
    pass) and read the case's heads and conflicted flag as stored."""
    device_id = vault.device_id
    vault.lock()
    keys = vaultcheck.unlock(vault_dir, PASSPHRASE)
    report = vaultcheck.verify(vault_dir, keys, device_id=device_id)
    assert report.ok, report.problems
    with vaultcheck.open_copy(vault_dir, keys) as connection:
        heads = {
            rid for (rid,) in connection.execute("SELECT revision_id FROM heads WHERE entity_id = ?", (case,))
        }
        flags = connection.execute("SELECT conflicted FROM entities WHERE entity_id = ?", (case,)).fetchall()
    return heads, flags == [(1,)]


def _revoke_this_device(vault: Vault) -> bytes:
    """Store a profile, signed by a fresh organisation key, revoking this
    vault's own device (another key stands for the coordinator); its signed bytes."""
    org_key = Ed25519PrivateKey.generate()
    coordinator_key = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    coordinator = org.Coordinator(org.device_id_of(coordinator_key), coordinator_key, _AGE_RECIPIENT)
    profile = replace(org.new_profile("Verifier test", org_key, coordinator), revoked=(vault.device_id,))
    signed = org.sign_profile(profile, org_key).signed
    vault.sync.set_org_profile(OrgProfile(1, signed))
    return signed


def test_the_verifier_derives_a_re_rooted_record_as_the_app_does(vault: Vault, vault_dir: Path) -> None:
    case, reroot_id, below = _reroot_here(vault)
    _revoke_this_device(vault)
    # The app: the re-root is the one head; the edit below the superseded one is hidden too.
    assert vault.revisions.heads()[case] == {reroot_id}
    assert vault.cases.get(case).title == "before"
    assert vault.verify().ok
    heads, conflicted = _verified_heads(vault, vault_dir, case)
    assert heads == {reroot_id} and below not in heads and not conflicted


def test_the_verifier_names_a_supersedes_row_that_differs_from_the_signed_re_root(
    vault: Vault, vault_dir: Path
) -> None:
    _case, reroot_id, below = _reroot_here(vault)
    _revoke_this_device(vault)
    device_id = vault.device_id
    vault.lock()
    keys = vaultcheck.unlock(vault_dir, PASSPHRASE)
    # Tamper in place (the verifier reads a copy): one more superseded id.
    connection: apsw.Connection = vaultcheck.open_database(vault_dir / "vault.db", keys)
    connection.execute("INSERT INTO revision_supersedes VALUES (?, ?)", (reroot_id, below))
    connection.close()
    report = vaultcheck.verify(vault_dir, keys, device_id=device_id)
    assert ("revision", reroot_id, "revision_supersedes differs from its signed re-root") in {
        (p.kind, p.subject, p.detail) for p in report.problems
    }


def test_a_re_root_of_an_unrevoked_line_hides_nothing_for_the_app_and_the_verifier(
    vault: Vault, vault_dir: Path
) -> None:
    """Review 19 F4: with no revocation, the superseded edit and the edit
    below it stay; the re-root is one more head, a conflict, at both."""
    case, reroot_id, below = _reroot_here(vault)
    assert vault.revisions.heads()[case] == {reroot_id, below}
    assert vault.cases.get(case).conflicted
    assert vault.verify().ok
    heads, conflicted = _verified_heads(vault, vault_dir, case)
    assert heads == {reroot_id, below} and conflicted


def test_the_verifier_names_heads_a_revocation_would_hide_when_the_profile_revokes_no_one(
    vault: Vault, vault_dir: Path
) -> None:
    """The heads rule reads the stored profile: a vault whose derived rows
    hide the line while its (validly signed) profile revokes no one is named."""
    case, reroot_id, _below = _reroot_here(vault)
    _revoke_this_device(vault)
    assert vault.revisions.heads()[case] == {reroot_id}
    other_key = Ed25519PrivateKey.generate()
    coordinator_key = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    coordinator = org.Coordinator(org.device_id_of(coordinator_key), coordinator_key, _AGE_RECIPIENT)
    revokes_no_one = org.sign_profile(org.new_profile("Another", other_key, coordinator), other_key).signed
    device_id = vault.device_id
    vault.lock()
    keys = vaultcheck.unlock(vault_dir, PASSPHRASE)
    connection: apsw.Connection = vaultcheck.open_database(vault_dir / "vault.db", keys)
    connection.execute("UPDATE org_profile SET signed = ?", (revokes_no_one,))
    connection.close()
    report = vaultcheck.verify(vault_dir, keys, device_id=device_id)
    assert ("heads", case, "the heads table differs from the heads of its signed revisions") in {
        (p.kind, p.subject, p.detail) for p in report.problems
    }


def test_a_profile_edited_to_revoke_no_one_is_named_by_verify_and_the_verifier(
    vault: Vault, vault_dir: Path
) -> None:
    """Review 20 F3: with the database key, someone empties the stored
    profile's revoked list (its signature left as it was) so that a re-root
    hides nothing, or the reverse. The heads rest on signed bytes: both the
    app's verify and the independent verifier name the profile."""
    _case, _reroot_id, _below = _reroot_here(vault)
    signed = _revoke_this_device(vault)
    envelope = json.loads(signed)
    envelope["profile"]["revoked"] = []
    edited = rfc8785.dumps(envelope)
    device_id = vault.device_id
    vault.lock()
    keys = vaultcheck.unlock(vault_dir, PASSPHRASE)
    connection: apsw.Connection = vaultcheck.open_database(vault_dir / "vault.db", keys)
    connection.execute("UPDATE org_profile SET signed = ?", (edited,))
    connection.close()

    report = vaultcheck.verify(vault_dir, keys, device_id=device_id)
    assert "org_profile" in {p.kind for p in report.problems}
    reopened = open_vault(vault_dir)
    try:
        problems = reopened.verify().problems
    finally:
        reopened.lock()
    assert ("org_profile", "1") in {(p.kind, p.subject) for p in problems}
