"""Why an item is not shown (an unsupported type, a damaged item), with an
Export button where another program could open it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout

from desktop.icons import icon
from desktop.viewer_page import ViewerPage


class MessagePage(ViewerPage):
    def __init__(self) -> None:
        super().__init__()
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName(self.tr("Viewer message"))
        self.export_button = QPushButton(icon("export"), self.tr("Export…"))
        self.export_button.setAccessibleName(self.tr("Export the item to a file"))
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)

    def show_message(self, text: str, *, offer_export: bool) -> None:
        self.message.setText(text)
        self.export_button.setVisible(offer_export)

    def clear(self) -> None:
        self.message.clear()
