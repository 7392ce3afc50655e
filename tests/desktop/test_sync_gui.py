"""The sync indicator and panel (desktop/sync_status.py, desktop/sync_panel.py)
with a real server on loopback (TLS, its certificate pinned by the
organisation's profile) and real vaults: the window starts the worker after
the unlock when the profile names a server, shows what it does in words,
and stops it at the lock without losing anything."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt

from db.api import KEY_FILE, NoKeyring, Vault
from desktop.i18n import install_translators, remove_translators
from desktop.messages import error_message
from desktop.sync_panel import SyncPanel
from desktop.sync_status import PAUSED, PAUSING, SYNCING, WAITING, headline
from desktop.window import FieldvaultWindow
from sync.client import errors
from sync.client.pull import pull
from sync.client.push import queued_count
from sync.client.retry import Backoff
from sync.client.worker import Progress, SyncStatus, SyncWorker
from tests import thread_stalls
from tests.gui_helpers import (
    PENDING_DIR,
    TS_FILE,
    compile_qm,
    in_ukrainian,
    pending_translations,
    qt_app,
    screenshot,
    show,
    write_ts,
)
from tests.sync.client.sync_helpers import CuttingProxy, Org, organisation, record_work
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

WAIT_MS = 60_000
FAST_RETRY = Backoff(base=0.05, cap=0.2)  # the worker's own schedule, shortened for the test
SLOW_RETRY = Backoff(base=600.0, cap=600.0)  # no try by itself during a test: only "Sync now"


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


@pytest.fixture
def ukrainian(tmp_path: Path) -> Iterator[None]:
    with in_ukrainian(tmp_path / "translations"):
        yield


class SlowLink(CuttingProxy):
    """A relay that is slow (``pace`` seconds a piece, either way) once the
    client has sent ``after`` bytes, i.e. once the upload is under way: the
    TLS handshakes and small requests before it, dozens of pieces, go at full
    speed (paced, they took most of these tests' time)."""

    def __init__(self, target_port: int, *, pace: float, after: int = 32 * 1024) -> None:
        self.after = after
        super().__init__(target_port, every=1 << 40, cuts=0, pace=pace)

    @property
    def pace(self) -> float:
        return self._slow if self.upstream >= self.after else 0.0

    @pace.setter
    def pace(self, value: float) -> None:
        self._slow = value


def worker_folder(org: Org, tmp_path: Path, name: str = "anna", size: int = 40_000) -> Path:
    """A field worker's vault with a case, a testimony and an evidence file,
    enrolled in the organisation, locked (the window opens it)."""
    vault = org.worker(name)
    record_work(vault, tmp_path, name, size=size)
    return locked(org, vault)


def locked(org: Org, vault: Vault) -> Path:
    vault.lock()
    org.workers.remove(vault)
    return vault.folder


def unlock(
    qtbot,
    folder: Path,
    *,
    retry: Backoff = FAST_RETRY,
    chunk: int | None = None,
    on_change: Callable[[SyncStatus], None] | None = None,
) -> FieldvaultWindow:
    """The window on ``folder``, unlocked by typing the passphrase; its sync
    worker a real one on a test schedule (set before the unlock starts it),
    telling ``on_change`` each status it sets, as it sets it."""
    window = FieldvaultWindow(folder, keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    window.sync_indicator.make_worker = lambda vault: SyncWorker(
        vault, interval=3600, retry=retry, chunk=chunk, on_change=on_change
    )
    show(qtbot, window)
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.vault_view is not None, timeout=WAIT_MS)
    return window


def status_of(window: FieldvaultWindow) -> SyncStatus:
    status = window.sync_indicator.status
    assert status is not None
    return status


def bundles_on_server(org: Org) -> list[str]:
    """The devices whose bundles the coordinator pulls from the server."""
    return [received.device_id for received in pull(org.coordinator).received]


def test_unlock_shows_syncing_then_synced_with_the_time_and_the_server_has_the_bundle(
    qtbot, org: Org, tmp_path: Path
) -> None:
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna", size=4 * 1024 * 1024)
    slow = SlowLink(org.port, pace=0.02)  # a slow link: the upload is seen
    org.point_at(slow.url, org.server.cert_sha256)
    device = vault.device_id
    folder = locked(org, vault)
    try:
        window = unlock(qtbot, folder, chunk=128 * 1024)
        indicator = window.sync_indicator
        assert indicator.isVisible()
        qtbot.waitUntil(
            lambda: (
                indicator.status is not None
                and indicator.status.progress is not None
                and indicator.status.progress.bytes_per_second is not None
            ),
            timeout=WAIT_MS,
        )
        assert indicator.text().startswith("Syncing…") and "%" in indicator.text()
        window.org_menu.sync_action.trigger()  # Organisation → Sync…
        panel = window.sync_panel
        assert isinstance(panel, SyncPanel)
        assert panel.progress.isVisible() and "/s" in panel.progress_detail.text()
        assert "left" in panel.progress_detail.text()
        screenshot(indicator, "sync-indicator-syncing.png")
        screenshot(panel, "sync-panel-syncing.png")
        slow.pace = 0  # the upload was seen under way: the rest of it need not crawl
        qtbot.waitUntil(lambda: status_of(window).last_success_ms is not None, timeout=WAIT_MS)
        assert indicator.text().startswith("Synced at ")
        assert "waiting" not in indicator.text()
        assert panel.queued.text() == "nothing" and not panel.error.isVisible()
        screenshot(indicator, "sync-indicator-synced.png")
        screenshot(panel, "sync-panel-synced.png")
        assert bundles_on_server(org) == [device]
    finally:
        slow.close()


def test_server_down_says_so_in_plain_words_and_sync_now_delivers_once_it_is_back(
    qtbot, org: Org, tmp_path: Path
) -> None:
    folder = worker_folder(org, tmp_path)
    org.stop_server()
    window = unlock(qtbot, folder, retry=SLOW_RETRY)  # no try by itself: only the button's
    indicator = window.sync_indicator
    qtbot.waitUntil(lambda: status_of(window).last_error is not None, timeout=WAIT_MS)
    offline = error_message(errors.offline(org.server.url))
    assert indicator.text() == "Not synced · 1 bundle(s) waiting to be sent"
    assert offline in indicator.toolTip() and "could not be reached" in offline
    qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)  # the indicator opens the panel
    panel = window.sync_panel
    assert isinstance(panel, SyncPanel)
    assert panel.error.text().startswith(offline) and "Next try in about" in panel.error.text()
    assert panel.error.isVisible()
    assert panel.queued.text() == "1 bundle(s) waiting to be sent"
    assert panel.last_success.text() == "not yet"
    screenshot(indicator, "sync-indicator-error.png")
    screenshot(panel, "sync-panel-error.png")
    org.start_server()
    qtbot.mouseClick(panel.sync_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window).last_success_ms is not None, timeout=WAIT_MS)
    assert status_of(window).queued == 0 and not panel.error.isVisible()
    assert len(bundles_on_server(org)) == 1


class ConnectionCounter:
    """Listens where the server was: counts the worker's connection attempts
    (each accepted and closed at once, as a broken server would)."""

    def __init__(self, port: int) -> None:
        self.count = 0
        self._listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.count += 1
            client.close()

    def close(self) -> None:
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()


class PauseHeeded:
    """The worker's ``on_change``: whether the worker's own thread has set a
    paused status (not a progress report) since Pause was clicked. Pause
    itself sets one on the GUI thread, at once, when no try is under way
    (else PAUSING), yet a try may begin just after, its pause read before
    (shown PAUSING); the worker's thread sets one only where no try runs: at the
    end of the try under way, or before its wait for the next, and it reads
    the pause before each try (sync/client/worker.py ``_loop``). After it,
    no try starts until Resume, and the connection of the try that was
    under way is counted (ConnectionCounter counts it before it closes it,
    and the close is what ends that try)."""

    def __init__(self) -> None:
        self.gui_thread = threading.get_ident()
        self.heeded = False

    def __call__(self, status: SyncStatus) -> None:
        if status.state == PAUSED and status.progress is None and threading.get_ident() != self.gui_thread:
            self.heeded = True


def test_pause_stops_further_attempts_and_resume_delivers(qtbot, org: Org, tmp_path: Path) -> None:
    folder = worker_folder(org, tmp_path)
    org.stop_server()
    counter = ConnectionCounter(org.port)
    pause = PauseHeeded()
    try:
        window = unlock(qtbot, folder, on_change=pause)  # FAST_RETRY: a try every 0.05-0.2 s
        qtbot.waitUntil(lambda: counter.count >= 3, timeout=WAIT_MS)
        window.open_sync_panel()
        panel = window.sync_panel
        assert isinstance(panel, SyncPanel)
        assert panel.pause_button.text() == "Pause"
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: status_of(window).state == PAUSED, timeout=WAIT_MS)
        assert panel.pause_button.text() == "Resume" and not panel.sync_now_button.isEnabled()
        assert window.sync_indicator.text().startswith("Sync paused")
        screenshot(window.sync_indicator, "sync-indicator-paused.png")
        # A try under way when Pause was clicked ends first: on a loaded machine
        # it may connect well after a fixed wait (1 s was one).
        qtbot.waitUntil(lambda: pause.heeded, timeout=WAIT_MS)
        attempts = counter.count
        qtbot.wait(1500)  # at least 7 tries would have been made
        assert counter.count == attempts
    finally:
        counter.close()
    org.start_server()
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # Resume
    qtbot.waitUntil(lambda: status_of(window).last_success_ms is not None, timeout=WAIT_MS)
    assert len(bundles_on_server(org)) == 1


def test_pause_during_an_upload_says_pausing_at_once_and_paused_once_it_is_delivered(
    qtbot, org: Org, tmp_path: Path
) -> None:
    """Pause clicked while an upload is under way: the status says at once
    that sync is pausing, before that try ends (it goes on to its end:
    docs/sync.md, "Controls"); Resume then, and the same upload is shown
    syncing again; Pause again, and once the upload is delivered: "Sync
    paused"."""
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna", size=4 * 1024 * 1024)
    slow = SlowLink(org.port, pace=0.1)  # seconds of upload: the clicks land inside it
    org.point_at(slow.url, org.server.cert_sha256)
    device = vault.device_id
    folder = locked(org, vault)
    seen: list[SyncStatus] = []  # every status the worker sets, as it sets it

    def try_ended() -> bool:  # delivered or failed: the worker's own word
        return any(status.last_success_ms is not None or status.last_error is not None for status in seen)

    try:
        window = unlock(qtbot, folder, chunk=128 * 1024, on_change=seen.append)
        indicator = window.sync_indicator
        qtbot.waitUntil(
            lambda: (
                indicator.status is not None
                and indicator.status.state == SYNCING
                and indicator.status.progress is not None
                and indicator.status.progress.done > 0
            ),
            timeout=WAIT_MS,
        )
        window.open_sync_panel()
        panel = window.sync_panel
        assert isinstance(panel, SyncPanel)
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
        # At once, in the indicator and the panel, while the upload goes on.
        pausing = indicator.text()
        assert pausing.startswith("Pausing — finishing the sync under way… ") and pausing.endswith("%")
        assert panel.state.text() == pausing and panel.progress.isVisible()
        assert panel.pause_button.text() == "Resume" and not panel.sync_now_button.isEnabled()
        assert not try_ended()
        screenshot(indicator, "sync-indicator-pausing.png")
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # Resume while it pauses
        assert indicator.text().startswith("Syncing… ") and panel.pause_button.text() == "Pause"
        assert status_of(window).state == SYNCING and not try_ended()
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # Pause again
        assert status_of(window).state == PAUSING and not try_ended()
        slow.pace = 0  # seen pausing: the rest of the upload need not crawl
        qtbot.waitUntil(lambda: status_of(window).state == PAUSED, timeout=WAIT_MS)
        done = status_of(window)
        assert done.last_success_ms is not None and done.sent == 1 and done.queued == 0
        assert indicator.text().startswith("Sync paused") and panel.state.text() == indicator.text()
        assert panel.pause_button.text() == "Resume" and not panel.progress.isVisible()
        assert bundles_on_server(org) == [device]  # the try under way delivered its bundle
    finally:
        slow.close()


def test_pausing_speaks_ukrainian(tmp_path: Path) -> None:
    # fieldvault_uk.ts plus the pending lines of the Pausing status, as one .ts file.
    pending = pending_translations(PENDING_DIR / "sync_pausing_h2_s22.tsv")
    merged = write_ts(tmp_path / "merged.ts", pending, base=TS_FILE)
    folder = tmp_path / "translations"
    folder.mkdir()
    compile_qm(merged, folder / "fieldvault_uk.qm")
    saved = QLocale()
    assert install_translators(qt_app(), QLocale("uk"), folder)
    try:
        pausing = SyncStatus(PAUSING, "worker")
        assert headline(pausing) == "Призупинення — завершується поточна синхронізація…"
        moving = replace(
            pausing, progress=Progress(done=1, total=4, bytes_per_second=None, seconds_left=None)
        )
        assert headline(moving) == "Призупинення — завершується поточна синхронізація… 25%"
    finally:
        remove_translators(qt_app())
        QLocale.setDefault(saved)


def test_lock_during_an_upload_stops_the_worker_promptly_and_loses_nothing(
    qtbot, org: Org, tmp_path: Path
) -> None:
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna", size=4 * 1024 * 1024)
    slow = SlowLink(org.port, pace=0.05)
    org.point_at(slow.url, org.server.cert_sha256)
    folder = locked(org, vault)
    try:
        window = unlock(qtbot, folder, chunk=128 * 1024)
        indicator = window.sync_indicator
        worker = indicator.worker
        assert worker is not None
        qtbot.waitUntil(
            lambda: (
                indicator.status is not None
                and indicator.status.state == SYNCING
                and indicator.status.progress is not None
                and indicator.status.progress.done > 0
            ),
            timeout=WAIT_MS,
        )
        # Held up, not wall clock: at load 12 that is mostly other processes' turn.
        with thread_stalls.HeldUp() as locking:
            qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert window.vault is None
        assert locking.stall.held_up < 5.0, locking.stall
        assert worker.status.state == "stopped" and indicator.worker is None and not indicator.isVisible()
        # The slow link only had to keep that upload under way; the next one
        # goes at full speed (at 0.05 s a piece it took over 12 s).
        slow.pace = 0
        # Nothing lost: the bundle waits in the queue, and the next unlock delivers it.
        reopened = Vault.open(folder, PASSPHRASE, keyring=NoKeyring())
        try:
            assert queued_count(reopened) == 1
        finally:
            reopened.lock()
        qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
        qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: indicator.status is not None and indicator.status.last_success_ms is not None,
            timeout=WAIT_MS * 2,
        )
        assert status_of(window).queued == 0
        assert len(bundles_on_server(org)) == 1
    finally:
        slow.close()


def test_a_panic_wipe_during_an_upload_does_not_wait_for_the_worker(qtbot, org: Org, tmp_path: Path) -> None:
    vault = org.worker("anna")
    record_work(vault, tmp_path, "anna", size=4 * 1024 * 1024)
    slow = SlowLink(org.port, pace=0.5)  # a chunk on the wire takes seconds
    org.point_at(slow.url, org.server.cert_sha256)
    folder = locked(org, vault)
    try:
        window = unlock(qtbot, folder, chunk=128 * 1024)
        worker = window.sync_indicator.worker
        assert worker is not None
        qtbot.waitUntil(
            lambda: worker.status.progress is not None and worker.status.progress.done > 0, timeout=WAIT_MS
        )
        with thread_stalls.HeldUp() as wiping:  # not wall clock: see the lock's test
            window.wipe()
        assert wiping.stall.held_up < 1.0, wiping.stall
        assert window.vault is None and window.sync_indicator.worker is None
        slow.pace = 0  # the wipe did not wait; the chunk on the wire need not crawl now
        # The worker's thread ends after the chunk on the wire and leaves no key behind.
        worker.wait_until(lambda s: s.state == "stopped", 10)
        assert not (folder / KEY_FILE).exists()
    finally:
        slow.close()


def test_a_coordinator_sees_what_the_last_pull_imported_and_what_is_missing(
    qtbot, org: Org, tmp_path: Path
) -> None:
    from sync.bundle.vault_io import export_bundle
    from sync.client.push import push
    from sync.org_vault import held_profile
    from tests.sync.client.sync_helpers import add_testimony

    worker = org.worker("anna")
    record_work(worker, tmp_path, "anna")
    # Bundle 1 goes onto a USB stick that never reaches the coordinator; bundle 2 by the server.
    profile = held_profile(worker)
    assert profile is not None
    usb = tmp_path / "usb"
    usb.mkdir()
    recipients = [c.age_recipient for c in profile.coordinators]
    export_bundle(worker, usb, recipients, profile.org_id, profile.version)
    add_testimony(worker, "later")
    assert len(push(worker).sent) == 1
    folder = org.coordinator.folder
    org.coordinator.lock()
    window = unlock(qtbot, folder, retry=SLOW_RETRY)
    qtbot.waitUntil(lambda: status_of(window).last_success_ms is not None, timeout=WAIT_MS)
    assert status_of(window).role == "coordinator" and status_of(window).received == 1
    window.org_menu.sync_action.trigger()
    panel = window.sync_panel
    assert isinstance(panel, SyncPanel)
    assert panel.pulled.isVisible() and not panel.queued.isVisible()
    assert panel.pulled.text() == "1 bundle(s) received and imported"
    assert status_of(window).gaps == ((worker.device_id, 1, 1),)
    assert panel.pull_details.isVisible()
    assert panel.pull_details.text() == f"Not received yet from device {worker.device_id}: bundles 1 to 1."
    screenshot(panel, "sync-panel-coordinator.png")


def test_joining_an_organisation_with_a_server_starts_sync(qtbot, org: Org, tmp_path: Path) -> None:
    from desktop.org_join import OrgJoinDialog
    from sync import org_vault
    from tests.sync.client.sync_helpers import new_vault

    fresh = new_vault(tmp_path / "fresh")
    fresh.lock()
    profile = tmp_path / "org-profile.fvorg"
    signed = org_vault.current_signed(org.coordinator)
    profile.write_bytes(signed.signed)
    window = unlock(qtbot, fresh.folder, retry=SLOW_RETRY)
    assert window.sync_indicator.worker is None
    dialog = window.org_menu.open_join()
    assert isinstance(dialog, OrgJoinDialog)
    dialog.form.profile_field.setText(str(profile))
    dialog.form.fingerprint.setText(signed.profile.fingerprint)
    with qtbot.waitSignal(dialog.form.joined, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.form.join_button, Qt.MouseButton.LeftButton)
    assert window.sync_indicator.worker is not None and window.sync_indicator.isVisible()


def test_no_server_named_means_no_worker(qtbot, org: Org, tmp_path: Path) -> None:
    """A vault of no organisation syncs nothing; the panel says why."""
    from tests.sync.client.sync_helpers import new_vault

    lone = new_vault(tmp_path / "lone")
    lone.lock()
    window = unlock(qtbot, lone.folder)
    assert window.sync_indicator.worker is None and not window.sync_indicator.isVisible()
    window.org_menu.sync_action.trigger()
    panel = window.sync_panel
    assert isinstance(panel, SyncPanel)
    assert panel.not_running.isVisible() and not panel.status_box.isVisible()


def test_the_proxy_is_the_setting_the_client_reads(qtbot, org: Org, tmp_path: Path) -> None:
    folder = worker_folder(org, tmp_path)
    window = unlock(qtbot, folder, retry=SLOW_RETRY)
    window.open_sync_panel()
    panel = window.sync_panel
    assert isinstance(panel, SyncPanel)
    panel.proxy.setText("http://127.0.0.1:8080")
    qtbot.mouseClick(panel.proxy_save, Qt.MouseButton.LeftButton)
    assert "SOCKS5" in panel.proxy_result.text()  # refused, in words, nothing stored
    assert window.vault is not None and window.vault.settings.get("sync_proxy") == ""
    panel.proxy.setText("127.0.0.1:9050")
    qtbot.mouseClick(panel.proxy_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.proxy_result.text().startswith("Saved"), timeout=WAIT_MS)
    assert window.vault.settings.get("sync_proxy") == "socks5h://127.0.0.1:9050"


def test_the_indicator_and_panel_speak_ukrainian(qtbot, org: Org, tmp_path: Path, ukrainian: None) -> None:
    folder = worker_folder(org, tmp_path)
    org.stop_server()
    window = unlock(qtbot, folder, retry=SLOW_RETRY)
    qtbot.waitUntil(lambda: status_of(window).state == WAITING, timeout=WAIT_MS)
    assert (
        window.sync_indicator.text() == "Не синхронізовано · 1 пакет чекає на надсилання"
    )  # the plural form
    window.open_sync_panel()
    panel = window.sync_panel
    assert isinstance(panel, SyncPanel)
    assert panel.sync_now_button.text() == "Синхронізувати зараз"
    assert "Не вдалося з’єднатися" in panel.error.text()
    assert panel.queued.text() == "1 пакет чекає на надсилання"
    assert "Наступна спроба приблизно через" in window.sync_indicator.toolTip()  # minutes: 10 min retry
    screenshot(panel, "sync-panel-error-uk.png")
