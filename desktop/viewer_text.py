"""A text item: decoded as UTF-8 (UTF-16 with a byte-order mark), invalid
bytes replaced, the first ``TEXT_LIMIT`` bytes only."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout

from db.api import BlobReader
from desktop.viewer_page import ViewerPage

TEXT_LIMIT = 1 << 20  # bytes of a text item shown


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


class TextPage(ViewerPage):
    def __init__(self) -> None:
        super().__init__()
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setAccessibleName(self.tr("Text of the item"))
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def show_text(self, reader: BlobReader) -> str | None:
        """Read and show the start of the item (the reader is closed); returns
        a notice when the item was cut. ``FieldvaultError`` when it cannot be read."""
        try:
            total = reader.size
            data = reader.read(TEXT_LIMIT)
        finally:
            reader.close()
        self.view.setPlainText(decode_text(data))
        if total <= len(data):
            return None
        return self.tr("Showing the first {shown} of {total}. Export the item to read all of it.").format(
            shown=QLocale().formattedDataSize(len(data)), total=QLocale().formattedDataSize(total)
        )

    def clear(self) -> None:
        self.view.clear()
        self.view.document().clearUndoRedoStacks()
