"""Clear the clipboard on lock and wipe, when what is on it came from us.

A narrative or a recovery key copied out of the app would otherwise stay on
the clipboard (and in a clipboard manager's history) after the vault locks.
Another program's clipboard content is not ours to clear.

"Ours": Qt's ``ownsClipboard()`` where the platform says it (X11, Windows);
otherwise, and also there, a change of the clipboard that happened while this
application was the active one (a Ctrl+C or a Copy button in our window). Only
a SHA-256 of that text is kept, to recognise it later, never the text.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QClipboard, QGuiApplication

MODES = (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class ClipboardGuard(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ours: dict[QClipboard.Mode, bytes] = {}
        clipboard = QGuiApplication.clipboard()
        clipboard.changed.connect(self._on_changed)

    @Slot(QClipboard.Mode)
    def _on_changed(self, mode: QClipboard.Mode) -> None:
        clipboard = QGuiApplication.clipboard()
        text = clipboard.text(mode)
        ours = self._owns(mode) or QGuiApplication.applicationState() == Qt.ApplicationState.ApplicationActive
        if ours and text:
            self._ours[mode] = _digest(text)
        else:
            self._ours.pop(mode, None)

    @staticmethod
    def _owns(mode: QClipboard.Mode) -> bool:
        clipboard = QGuiApplication.clipboard()
        if mode == QClipboard.Mode.Clipboard:
            return clipboard.ownsClipboard()
        if mode == QClipboard.Mode.Selection:
            return clipboard.supportsSelection() and clipboard.ownsSelection()
        return False

    def clear_if_ours(self) -> bool:
        """Empty each clipboard (and the X11 selection) holding our text."""
        clipboard = QGuiApplication.clipboard()
        cleared = False
        for mode in MODES:
            if mode == QClipboard.Mode.Selection and not clipboard.supportsSelection():
                continue
            known = self._ours.get(mode)
            text = clipboard.text(mode)
            if self._owns(mode) or (known is not None and text and _digest(text) == known):
                clipboard.clear(mode)
                cleared = True
            self._ours.pop(mode, None)
        return cleared
