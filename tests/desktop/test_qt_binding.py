"""The Qt binding must not corrupt Python's own objects.

PySide6 6.12.0 on Python < 3.12 dropped a reference to None on every call of
a Qt method returning nothing, and to True on every signal emit (PYSIDE-3474):
after some thousands of calls the process aborts. pyproject pins PySide6 below
6.12; this test fails if a version with the bug comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal


class Emitter(QObject):
    fired = Signal(int)


def test_void_calls_keep_none_alive() -> None:
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(1000):
        timer.stop()
    assert sys.getrefcount(None) - before >= -5


def test_emits_keep_true_alive() -> None:
    emitter = Emitter()
    received: list[int] = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True)
    for number in range(1000):
        emitter.fired.emit(number)
    assert len(received) == 1000
    assert sys.getrefcount(True) - before >= -5
