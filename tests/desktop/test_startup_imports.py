"""Start-up: the first screen shows before the database stack loads.

Importing SQLAlchemy, Alembic and the vault took most of the time to the
first screen (0.5 s of 0.6 s); the window now needs none of them until a
vault is unlocked or created, and the app loads them in the background once
the screen shows. Each check runs in a fresh Python process, since this test
process has long imported them all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from db.vault import CreatedVault
from tests.vault_helpers import PASSPHRASE

REPO_ROOT = Path(__file__).resolve().parents[2]
DATABASE_STACK = ("sqlalchemy", "alembic", "db.vault", "db.services", "db.migrate", "db.model")

# Shows the first screen as `fieldvault` does (its global options, then
# desktop.app.show_first_screen), reports what is imported then, lets the
# event loop run until the background load is done, and unlocks with the
# passphrase typed into the unlock screen (stdin) when there is a vault.
CHILD = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import desktop.app
import desktop.window
from fieldvault.options import split_global_options

database_stack = tuple(json.loads(sys.argv[3]))


def loaded():
    return sorted(
        name for name in sys.modules if name in database_stack or name.split(".")[0] in database_stack
    )


report = {"after_import": loaded()}
options, _command = split_global_options(["--vault", sys.argv[2]])
app, window = desktop.app.show_first_screen(options.vault)
report["first_screen"] = window.stack.currentWidget().objectName() or type(window.stack.currentWidget()).__name__
report["visible"] = window.isVisible()
report["after_show"] = loaded()
deadline = time.monotonic() + 60
while desktop.app._database_stack_loader is None or desktop.app._database_stack_loader.is_alive():
    app.processEvents()
    time.sleep(0.01)
    assert time.monotonic() < deadline, "the database stack never loaded"
report["after_load"] = loaded()
passphrase = sys.stdin.readline().rstrip("\n")
if passphrase:
    frozen_before = gc.get_freeze_count()
    QTest.keyClicks(window.unlock_page.passphrase, passphrase)
    QTest.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    while window.vault_view is None:
        app.processEvents()
        time.sleep(0.01)
        assert time.monotonic() < deadline, "the vault did not unlock"
    report["unlocked"] = window.vault is not None
    report["unlock_froze"] = gc.get_freeze_count() > frozen_before
    window.lock()
    app.processEvents()  # the lock's collection runs once the view is deleted
    app.processEvents()
    report["frozen_after_lock"] = gc.get_freeze_count()
print(json.dumps(report))
window.close()
"""


def _first_screen(vault_dir: Path, passphrase: str = "") -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO_ROOT), str(vault_dir), json.dumps(DATABASE_STACK)],
        input=passphrase + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    report: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return report


def test_the_create_screen_shows_without_the_database_stack(tmp_path: Path) -> None:
    report = _first_screen(tmp_path / "no vault yet")
    assert report["after_import"] == [] and report["after_show"] == []
    assert report["visible"] and report["first_screen"] == "CreateVaultPage"
    # It loads once the screen is up, before anyone could have typed a passphrase.
    loaded = report["after_load"]
    assert isinstance(loaded, list) and {"sqlalchemy", "alembic", "db.vault"} <= set(loaded)


def test_the_unlock_screen_shows_without_the_database_stack_and_unlocks(
    created_vault: CreatedVault, vault_dir: Path
) -> None:
    created_vault.vault.lock()
    report = _first_screen(vault_dir, PASSPHRASE)
    assert report["after_import"] == [] and report["after_show"] == []
    assert report["visible"] and report["first_screen"] == "UnlockPage"
    assert report["unlocked"] is True
    # The app's window freezes the session at unlock and hands it all back
    # at lock (desktop/session_collector.py; the entry point gives it one).
    assert report["unlock_froze"] is True and report["frozen_after_lock"] == 0
