"""The panic wipe's two steps, for the lock screen: a button that reveals the
warning, then the confirmation word typed exactly before "Destroy the vault
now" is enabled (the same two steps as in Settings). ``confirmed`` asks the
window to wipe; nothing here touches the vault."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.i18n import Retranslating
from desktop.icons import icon


class WipeConfirmation(Retranslating, QWidget):
    confirmed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_button = QPushButton(icon("wipe"), "")
        self.start_button.setFlat(True)
        self.start_button.clicked.connect(self.ask)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.word = QLineEdit()
        self.wipe_now = QPushButton(icon("wipe"), "")
        self.wipe_now.setEnabled(False)
        self.word.textChanged.connect(
            lambda text: self.wipe_now.setEnabled(text.strip() == self.confirmation_word())
        )
        self.wipe_now.clicked.connect(self._confirm)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.start_button, self.hint, self.word, self.wipe_now):
            layout.addWidget(widget)
        self.retranslate()
        self.reset()

    def confirmation_word(self) -> str:
        return self.tr("WIPE")

    def retranslate(self) -> None:
        self.start_button.setText(self.tr("Emergency: wipe the vault…"))
        self.start_button.setAccessibleName(self.tr("Emergency: wipe the vault"))
        self.hint.setText(
            self.tr(
                "This destroys every testimony and file in this vault for ever, without the "
                "passphrase. Type {word} to confirm."
            ).format(word=self.confirmation_word())
        )
        self.word.setAccessibleName(self.tr("Type the confirmation word"))
        self.wipe_now.setText(self.tr("Destroy the vault now"))
        self.wipe_now.setAccessibleName(self.tr("Destroy the vault now"))

    @Slot()
    def ask(self) -> None:
        """Step one: show the warning and the field for the word."""
        for widget in (self.hint, self.word, self.wipe_now):
            widget.show()
        self.word.setFocus()

    @Slot()
    def _confirm(self) -> None:
        if self.word.text().strip() != self.confirmation_word():
            return
        self.reset()
        self.confirmed.emit()

    def reset(self) -> None:
        self.word.clear()
        for widget in (self.hint, self.word, self.wipe_now):
            widget.hide()
