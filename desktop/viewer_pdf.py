"""A PDF, rendered by Qt PDF from a ``QBuffer`` in memory.

Not from a ``BlobDevice``: ``QPdfView`` renders on its own thread while
holding Qt PDF's global mutex, and a ``BlobDevice`` read there needs the GIL,
which the GUI thread holds whenever Python calls into Qt PDF (which takes that
mutex): the two threads could wait for each other forever. A ``QBuffer`` is
read without Python. The buffer is overwritten with zeros on ``clear()``.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QVBoxLayout

from desktop.viewer_page import ViewerPage

PDF_LIMIT = 256 << 20  # a PDF is held in memory whole: larger ones are exported instead


class PdfPage(ViewerPage):
    def __init__(self) -> None:
        super().__init__()
        self._buffer: QBuffer | None = None
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setAccessibleName(self.tr("PDF document"))
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def load(self, data: bytearray) -> str | None:
        """Load the PDF from ``data`` (zeroed here: the buffer holds the only
        copy). None when it shows; else why not (then nothing is kept)."""
        array = QByteArray(data)
        data[:] = bytes(len(data))  # the worker's copy: zeroed now
        buffer = QBuffer(self)
        buffer.setData(array)
        del array  # the buffer's array is then the only one, and zeroed in place later
        buffer.open(QIODevice.OpenModeFlag.ReadWrite)
        self._buffer = buffer
        self.document.load(buffer)
        if self.document.status() == QPdfDocument.Status.Ready:
            return None
        error = self.document.error()
        self.clear()
        if error == QPdfDocument.Error.IncorrectPassword:
            return self.tr("This PDF is protected by a password. Export it to open it with another program.")
        return self.tr("This PDF cannot be shown here. Export it to open it with another program.")

    def clear(self) -> None:
        self.document.close()
        buffer, self._buffer = self._buffer, None
        if buffer is not None:
            size = buffer.size()
            buffer.seek(0)
            buffer.write(QByteArray(size, 0))
            buffer.close()
            buffer.setData(QByteArray())
            buffer.deleteLater()
