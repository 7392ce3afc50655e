"""The app's window freezes the cycle collector's view of an unlocked
session and, at lock, hands it back and collects, so nothing of the
session lingers in a frozen cycle; a window made without a
SessionCollector (every other test's) leaves the collector alone.

Checked through the real window: unlock by typing the passphrase, lock
with Ctrl+L; what stands for a record shown is a cycle alive at unlock and
dropped meanwhile."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import Qt

from db.keyring_store import NoKeyring
from desktop.session_collector import SessionCollector
from desktop.window import FieldvaultWindow
from tests.gui_helpers import UNLOCK_WAIT_MS, show
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE


def unlocked(qtbot, folder, collector: SessionCollector | None) -> FieldvaultWindow:
    window = FieldvaultWindow(folder, keyring=NoKeyring(), argon2=FAST_ARGON2, collector=collector)
    qtbot.addWidget(window)
    show(qtbot, window)
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=UNLOCK_WAIT_MS)
    return window


def lock(qtbot, window: FieldvaultWindow) -> None:
    assert window.vault_view is not None
    qtbot.keyClick(window.vault_view.search_field, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.unlock_page)


class Shown:
    """A record as the session holds it: in a reference cycle."""

    def __init__(self) -> None:
        self.itself = self


def test_the_apps_window_freezes_the_session_and_frees_it_at_lock(qtbot, created_vault, vault_dir):
    created_vault.vault.lock()
    frozen_before = gc.get_freeze_count()
    shown = Shown()  # alive at unlock, so frozen with the session
    window = unlocked(qtbot, vault_dir, SessionCollector())
    assert gc.get_freeze_count() > frozen_before, "the unlocked session was not frozen"
    gone = weakref.ref(shown)
    del shown  # garbage now, but only a collection that scans it frees it
    gc.collect()
    assert gone() is not None, "frozen objects are not scanned"

    lock(qtbot, window)
    # The collection runs once the event loop has deleted the view.
    qtbot.waitUntil(lambda: gone() is None, timeout=5000)
    assert gc.get_freeze_count() == 0, "the lock left objects frozen"


def test_a_window_without_a_collector_leaves_the_collector_alone(qtbot, created_vault, vault_dir):
    created_vault.vault.lock()
    frozen = gc.get_freeze_count()
    window = unlocked(qtbot, vault_dir, None)
    # Frozen objects freed meanwhile leave the count; a freeze would add tens of thousands.
    assert gc.get_freeze_count() <= frozen
    lock(qtbot, window)
    qtbot.wait(50)
    assert gc.get_freeze_count() > 0, "the lock unfroze what it never froze"
