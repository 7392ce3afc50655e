"""Locking without being asked: after the idle delay, and when the machine
sleeps or the screen locks.

- Idle: an application-wide event filter restarts a timer on every key,
  mouse or touch event.
- Sleep: Qt has no portable "system is suspending" signal, so a heartbeat timer
  checks the wall clock; when a beat arrives far later than scheduled the
  machine was asleep (or the process frozen), and the vault locks as soon as it
  runs again.
- Screen lock (Linux desktops): the freedesktop ScreenSaver ``ActiveChanged``
  signal on the session bus, where D-Bus is available.

A recording under way counts as activity (the lead's decision, issue 15): an
interview can run an hour without a key pressed, and the idle lock would end
it. While anything holds ``ACTIVITY`` (the recorder, from its start to its
stop), the idle delay does not run; it starts again, whole, when the last
hold is released. Only the idle lock waits: a manual lock, Ctrl+L, the panic
wipe, sleep and the screen lock act at once (docs/threat-model.md).
"""

from __future__ import annotations

import time

from PySide6.QtCore import SLOT, QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)
HEARTBEAT_MS = 5_000
# A beat this much later than scheduled means the machine slept.
SLEEP_GAP_SECONDS = 30.0


class ActivityHolds(QObject):
    """Work that counts as the user's activity while it runs (a recording).
    ``hold(holder)`` until ``release(holder)`` or the holder's destruction;
    ``changed(held)`` when the first hold starts or the last one ends."""

    changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self._holders: set[int] = set()

    @property
    def held(self) -> bool:
        return bool(self._holders)

    def hold(self, holder: QObject) -> None:
        key = id(holder)
        if key in self._holders:
            return
        self._holders.add(key)
        # A holder deleted without releasing (its window closed) lets go too.
        holder.destroyed.connect(lambda _obj=None, key=key: self._release(key))
        if len(self._holders) == 1:
            self.changed.emit(True)

    def release(self, holder: QObject) -> None:
        self._release(id(holder))

    def _release(self, key: int) -> None:
        if key in self._holders:
            self._holders.discard(key)
            if not self._holders:
                self.changed.emit(False)


# The one set of holds of the process: the recorder holds it, every AutoLock reads it.
ACTIVITY = ActivityHolds()


class AutoLock(QObject):
    """Emits ``lock_now`` (with a reason: "idle", "sleep" or "screen-lock")
    while ``armed``; the window connects it to its lock."""

    lock_now = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(lambda: self._fire("idle"))
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self._beat)
        self._last_beat = time.monotonic()
        self._last_wall = time.time()
        self._armed = False
        self._delay_ms = 0
        ACTIVITY.changed.connect(self._on_activity_changed)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._watch_screensaver()

    @property
    def armed(self) -> bool:
        return self._armed

    def arm(self, idle_minutes: float) -> None:
        """Start watching (after an unlock); 0 minutes: no idle lock."""
        self._armed = True
        self._delay_ms = int(idle_minutes * 60_000)
        self._restart_idle()
        self._last_beat, self._last_wall = time.monotonic(), time.time()
        self._heartbeat.start()

    def set_idle_minutes(self, idle_minutes: float) -> None:
        self._delay_ms = int(idle_minutes * 60_000)
        self._restart_idle()

    def disarm(self) -> None:
        self._armed = False
        self._idle.stop()
        self._heartbeat.stop()

    @property
    def waiting_for_activity(self) -> bool:
        """True while a hold (a recording) keeps the idle delay from running."""
        return self._armed and ACTIVITY.held

    def _restart_idle(self) -> None:
        if self._armed and self._delay_ms > 0 and not ACTIVITY.held:
            self._idle.start(self._delay_ms)
        else:
            self._idle.stop()

    @Slot(bool)
    def _on_activity_changed(self, _held: bool) -> None:
        # Held: the delay stops. Released: it starts again from its whole length.
        self._restart_idle()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in INPUT_EVENTS:
            self._restart_idle()
        return False

    @Slot()
    def _beat(self) -> None:
        now_wall = time.time()
        # The monotonic clock may stop during suspend (Linux CLOCK_MONOTONIC
        # does); the wall clock does not, so either gap counts.
        gap = max(now_wall - self._last_wall, time.monotonic() - self._last_beat) - HEARTBEAT_MS / 1000
        self._last_beat, self._last_wall = time.monotonic(), now_wall
        if gap > SLEEP_GAP_SECONDS:
            self._fire("sleep")

    def _fire(self, reason: str) -> None:
        if self._armed:
            self.disarm()
            self.lock_now.emit(reason)

    def _watch_screensaver(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return
        for service, path in (
            ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
            ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
        ):
            bus.connect(  # type: ignore[call-overload]
                service, path, service, "ActiveChanged", self, SLOT("_on_screensaver(bool)")
            )

    @Slot(bool)
    def _on_screensaver(self, active: bool) -> None:
        if active:
            self._fire("screen-lock")
