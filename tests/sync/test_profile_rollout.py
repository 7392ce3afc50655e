"""A server older than the ``coordinators_since`` profile member (review 10
F5; docs/org-profile.md §1, docs/server.md "Updating").

Servers before 238dd87 read a profile with exactly ten members
(``set(body) != members`` in 238dd87^:sync/org.py) and refuse any other as
``org-profile-form`` (400). The first revocation of a field device writes
the member, so such a server refuses the revocation, keeps its older
profile and goes on accepting the revoked device's uploads. The key holder
must be told so plainly, not "refused (org-profile-form)".

The server here is the real one on loopback (tests/sync/client's
``organisation``), its PUT /v1/profile given back the member check the
older code had: a refusal with the same code and status as that code's.
``test_the_stand_in_refuses_as_the_older_code_did`` checks the stand-in
against the genuine older reader, loaded from git, when the history is
there. Profiles the server already holds are read as today (the setup's
version 2 carries the member too: an older server would have refused it
as well, which is the same refusal again)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from db.api import Vault
from desktop.devices_view import DevicesDialog
from desktop.i18n import install_translators, remove_translators
from sync import org as sync_org
from sync import org_vault
from sync.client.errors import SyncFailed
from sync.client.org_link import carries_coordinators_since, publish_profile
from sync.client.pull import pull
from sync.client.push import push
from sync.org import OrgRefused, Profile
from sync.server.errors import ServerRefused
from sync.server.service import Service
from tests.cli_helpers import Cli
from tests.gui_helpers import TS_FILE, compile_qm, qt_app, screenshot, type_text
from tests.sync.client.sync_helpers import (
    Org,
    SavedOrg,
    new_vault,
    quick_backoff,
    record_work,
    saved,
    saved_organisation,
)
from tests.sync.client.test_sync_cli import _env
from tests.sync.window_scenes import devices_from_the_menu
from tests.vault_helpers import PASSPHRASE

REPO = Path(__file__).resolve().parents[2]
BEFORE_THE_MEMBER = "238dd87^"  # the last commit whose readers know no coordinators_since
WAIT_MS = 30_000

# The top-level members 238dd87^:sync/org.py's _check_profile_json required, no more.
OLD_MEMBERS = {
    "format",
    "format_version",
    "org_id",
    "name",
    "version",
    "org_key",
    "server",
    "coordinators",
    "revoked",
    "policy",
}


def _old_put_profile(original: Any) -> Any:
    def put_profile(self: Service, data: bytes) -> Any:
        try:
            body = json.loads(data)["profile"]
        except (ValueError, KeyError, TypeError):
            body = None
        if isinstance(body, dict) and set(body) != OLD_MEMBERS:
            # What the older service made of its reader's OrgRefused("org-profile-form").
            raise ServerRefused(400, "org-profile-form", "This is not a valid organisation profile file.")
        return original(self, data)

    return put_profile


def _server_is_old(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Service, "put_profile", _old_put_profile(Service.put_profile))


def _uploads(worker: Any, tmp_path: Path, name: str) -> None:
    record_work(worker, tmp_path, name, size=2_000)
    made = push(worker, backoff=quick_backoff())
    assert made.made is not None and made.sent == [made.made.bundle_id]


# The two worlds of these tests, each built once per test process (the
# first test that asks) and copied for each test (sync_helpers.SavedOrg).
_SAVED: dict[bool, SavedOrg] = {}


def _saved(factory: pytest.TempPathFactory, *, seized: bool) -> SavedOrg:
    """The organisation (its coordinator and its server); with ``seized``,
    a worker "seized" enrolled (its token spent) whose first upload the
    server took."""
    if seized not in _SAVED:
        with saved_organisation(factory.mktemp("rollout-seized" if seized else "rollout-org")) as made:
            if seized:
                _uploads(made.worker("seized"), made.tmp, "before")
        _SAVED[seized] = saved(made)
    return _SAVED[seized]


@pytest.fixture
def org(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    """The organisation of tests/sync/client (a coordinator and a real
    server its profile names): this test's own copy."""
    with _saved(tmp_path_factory, seized=False).copy(tmp_path) as made:
        yield made


@pytest.fixture
def seized(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Org, Vault]]:
    """The organisation and its worker "seized", whose first upload ("before")
    the server took: this test's own copy."""
    with _saved(tmp_path_factory, seized=True).copy(tmp_path) as made:
        [worker] = made.workers
        yield made, worker


def test_a_revocation_an_older_server_refuses_is_said_and_the_server_still_takes_the_device(
    seized: tuple[Org, Vault], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, worker = seized
    _server_is_old(monkeypatch)

    revoked = org_vault.revoke_device(org.coordinator, worker.device_id)
    assert carries_coordinators_since(revoked.profile)
    sent = publish_profile(revoked.signed, revoked.profile)
    # Before: ("refused", "org-profile-form"), one refusal among others.
    assert (sent.state, sent.detail, sent.url) == ("server-too-old", "org-profile-form", org.server.url)
    # What the warning says: the server still takes the seized laptop's uploads.
    _uploads(worker, tmp_path, "after-the-revocation")

    monkeypatch.undo()  # the server is updated
    assert publish_profile(revoked.signed, revoked.profile).state == "done"
    record_work(worker, tmp_path, "refused", size=2_000)
    with pytest.raises(SyncFailed) as refused:
        push(worker, backoff=quick_backoff())
    assert refused.value.code == "sync-device-revoked"


def test_another_form_refusal_of_a_profile_without_the_member_stays_a_refusal(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a profile carrying the member is taken for "too old": adding a
    coordinator changes the coordinators, so its version has no member."""
    desk = org.worker("desk")  # any enrolled vault's card will do for a coordinator
    added = org_vault.add_coordinator(org.coordinator, org_vault.own_device_card(desk).text)
    assert not carries_coordinators_since(added.profile)

    def refuse_all(self: Service, data: bytes) -> Any:
        raise ServerRefused(400, "org-profile-form", "This is not a valid organisation profile file.")

    monkeypatch.setattr(Service, "put_profile", refuse_all)
    assert publish_profile(added.signed, added.profile).state == "refused"


def test_org_revoke_says_the_server_is_too_old_and_the_revocation_not_in_force(
    seized: tuple[Org, Vault], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, worker = seized
    _server_is_old(monkeypatch)
    org.coordinator.lock()  # the command opens the vault itself
    cli = Cli(org.coordinator.folder, _env(tmp_path))
    shown = cli.run(
        "org", "revoke", worker.device_id, "--out", str(tmp_path / "v3.fvorg"), secrets=[PASSPHRASE]
    )
    said = " ".join(shown.stdout.split())
    assert f"the server {org.server.url} is too old for this profile" in said
    assert "must be updated" in said and "NOT revoked at the server" in said
    assert "fieldvault org export" in said
    # Still accepted there, as the command said.
    _uploads(worker, tmp_path, "after-the-revocation")

    answered = cli.json("org", "export", "--out", str(tmp_path / "again.fvorg"), secrets=[PASSPHRASE])
    assert answered["server_upload"] == "server-too-old"
    monkeypatch.undo()  # the server is updated: org export sends it
    answered = cli.json("org", "export", "--out", str(tmp_path / "updated.fvorg"), secrets=[PASSPHRASE])
    assert answered["server_upload"] == "done"


def _revoke_in_devices_dialog(qtbot: QtBot, org: Org, device_id: str) -> tuple[Any, DevicesDialog]:
    pull(org.coordinator, backoff=quick_backoff())  # the worker's bundle: the desk knows the device
    org.coordinator.lock()
    window, dialog = devices_from_the_menu(qtbot, org.coordinator.folder)
    dialog.choose(device_id)
    dialog.ask_revoke()
    type_text(qtbot, dialog.confirm_field, device_id[:6])
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    return window, dialog


def test_the_devices_dialog_says_the_server_is_too_old(
    qtbot: QtBot, seized: tuple[Org, Vault], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, worker = seized
    _server_is_old(monkeypatch)
    window, dialog = _revoke_in_devices_dialog(qtbot, org, worker.device_id)
    qtbot.waitUntil(lambda: "too old" in dialog.status.text(), timeout=WAIT_MS)
    said = " ".join(dialog.status.text().split())
    assert org.server.url in said and "must be updated" in said
    assert "the revocation is NOT in force at the server" in said
    assert dialog.resend_button.isVisible()
    screenshot(dialog, "coordinator-devices-server-too-old.png")

    monkeypatch.undo()  # the server is updated; Send again
    qtbot.mouseClick(dialog.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "has the new profile" in dialog.status.text(), timeout=WAIT_MS)
    assert not dialog.resend_button.isVisible()
    window.lock()


def test_the_devices_dialog_says_it_in_ukrainian(
    qtbot: QtBot, seized: tuple[Org, Vault], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, worker = seized
    _server_is_old(monkeypatch)
    app = qt_app()
    compile_qm(TS_FILE, tmp_path / "fieldvault_uk.qm")
    assert install_translators(app, QLocale("uk"), tmp_path)
    try:
        window, dialog = _revoke_in_devices_dialog(qtbot, org, worker.device_id)
        qtbot.waitUntil(lambda: "застарий" in dialog.status.text(), timeout=WAIT_MS)
        assert "відкликання на сервері НЕ діє" in " ".join(dialog.status.text().split())
        screenshot(dialog, "coordinator-devices-server-too-old-uk.png")
        window.lock()
    finally:
        remove_translators(app)


def _older_org_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """238dd87^:sync/org.py as a module of its own. Its OrgRefused declares
    the same error codes as today's: they are declared, for as long as the
    test runs, by the older class instead (db.errors.CODES)."""
    import db.errors
    from sync.org import OrgRefused

    try:
        source = subprocess.run(
            ["git", "-C", str(REPO), "show", f"{BEFORE_THE_MEMBER}:sync/org.py"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"the git history ({BEFORE_THE_MEMBER}) is not here")
    codes = {code: c for code, c in db.errors.CODES.items() if c.error is not OrgRefused}
    monkeypatch.setattr(db.errors, "CODES", codes)
    name = "older_sync_org"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    try:
        exec(compile(source, f"{BEFORE_THE_MEMBER}:sync/org.py", "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def test_the_stand_in_refuses_as_the_older_code_did(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    """The older reader itself refuses the revocation as org-profile-form,
    the code the stand-in server answers with, for the one member it adds."""
    first = org_vault.current_signed(org.coordinator)
    worker = org.worker("seized")
    revoked = org_vault.revoke_device(org.coordinator, worker.device_id)
    older = _older_org_module(monkeypatch)
    with pytest.raises(older.OrgRefused) as refused:
        older.read_profile(revoked.signed, expected_fingerprint=revoked.profile.fingerprint)
    assert refused.value.code == "org-profile-form"
    body = json.loads(revoked.signed)["profile"]
    assert set(body) - OLD_MEMBERS == {"coordinators_since"}
    assert carries_coordinators_since(first.profile)  # set-server kept the coordinators: it carries it too
    with pytest.raises(older.OrgRefused):
        older.read_profile(first.signed, expected_fingerprint=first.profile.fingerprint)


# -- review 10 F6: coordinators_since against the version a vault holds --------------------


def _signed_as_is(profile: Profile, key: Ed25519PrivateKey, **members: Any) -> bytes:
    """``profile`` with ``members`` set, signed by the organisation key and
    checked by nobody: what a faulty signer could publish."""
    body = {**profile.to_json(), **members}
    signature = key.sign(sync_org.PROFILE_DOMAIN + sync_org.canonical(body))
    return sync_org.canonical({"profile": body, "signature": sync_org._b64(signature)})


def test_a_newer_version_that_changes_the_coordinators_must_say_so(tmp_path: Path) -> None:
    kyiv, lviv, worker = (new_vault(tmp_path / name) for name in ("kyiv", "lviv", "worker"))
    try:
        created = org_vault.create_organisation(kyiv, "Two desks")
        fp = created.profile.fingerprint
        for vault in (lviv, worker):
            org_vault.enrol(vault, created.signed, fingerprint_given=fp)
        key = kyiv.vault_keys.org_signing_key()
        assert key is not None
        added = org_vault.add_coordinator(kyiv, org_vault.own_device_card(lviv).text, label="Lviv")
        assert (added.profile.version, added.profile.coordinators_since) == (2, 2)

        # Lviv added at version 2, but the file says the coordinators are
        # those of version 1, which the worker holds: a lie it can see.
        lying = _signed_as_is(added.profile, key, coordinators_since=1)
        assert sync_org.read_profile(lying).coordinators_since == 1  # well formed on its own
        for take in (
            lambda: org_vault.update_profile(worker, lying),
            lambda: org_vault.enrol(worker, lying, fingerprint_given=fp),
        ):
            with pytest.raises(OrgRefused) as refused:
                take()
            assert refused.value.code == "org-profile-form"
            assert "changes the coordinators" in str(refused.value)
            held = org_vault.held_profile(worker)
            assert held is not None and held.version == 1  # nothing taken

        # The honest version is taken; so is a later one that skips a
        # version, when its coordinators changed after the held one.
        assert org_vault.update_profile(worker, added.signed).version == 2
        revoked = org_vault.revoke_device(kyiv, "f" * 32)
        assert (revoked.profile.version, revoked.profile.coordinators_since) == (3, 2)
        assert org_vault.update_profile(lviv, revoked.signed).coordinators_since == 2  # lviv held 1
        # Same coordinators as held: a since at or below the held version is the rule.
        assert org_vault.update_profile(worker, revoked.signed).version == 3

        removed = org_vault.remove_coordinator(kyiv, lviv.device_id)
        lying = _signed_as_is(removed.profile, key, coordinators_since=3)  # changed at 4, held 3
        with pytest.raises(OrgRefused) as refused:
            org_vault.update_profile(worker, lying)
        assert refused.value.code == "org-profile-form"
        assert org_vault.update_profile(worker, removed.signed).coordinators_since == 4
    finally:
        for vault in (kyiv, lviv, worker):
            vault.lock()
