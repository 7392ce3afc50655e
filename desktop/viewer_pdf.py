"""A PDF, as pages rendered by PDFium in a confined child process.

The PDF's bytes are attacker-chosen: they go from the vault through a pipe to
the child (``db.sandbox.render_pdf``), which sends back pixels, a few pages at
a time (``PDF_PAGES_AT_ONCE``). Nothing of the document is parsed in the app's
own process, and no copy of it is held here: only the pages' pixels, dropped
on ``clear()``. "Show more pages" renders the next few (the item is opened
again, a view in its custody like the first).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop.viewer_page import ViewerPage

PAGE_SPACING = 12
# Larger PDFs are not shown (export them instead): the child reads the whole
# file before PDFium renders a page.
PDF_LIMIT = 256 << 20


class PdfPage(ViewerPage):
    """The rendered pages, one under the other, fitted to the width."""

    more_requested = Signal(int)  # the first page still to render

    def __init__(self) -> None:
        super().__init__()
        self._images: list[QImage] = []
        self._total = 0
        self._labels: list[QLabel] = []
        self.pages_widget = QWidget()
        self._pages_layout = QVBoxLayout(self.pages_widget)
        self._pages_layout.setSpacing(PAGE_SPACING)
        self._pages_layout.addStretch(1)
        self.view = QScrollArea()
        self.view.setWidgetResizable(True)
        self.view.setWidget(self.pages_widget)
        self.view.setAccessibleName(self.tr("PDF document"))
        self.status = QLabel()
        self.more_button = QPushButton(self.tr("Show more pages"))
        self.more_button.clicked.connect(lambda: self.more_requested.emit(len(self._images)))
        self.more_button.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addWidget(self.status)
        layout.addWidget(self.more_button, alignment=Qt.AlignmentFlag.AlignLeft)

    @property
    def pages_shown(self) -> int:
        return len(self._images)

    @property
    def page_count(self) -> int:
        """Pages in the document (0 when none is shown)."""
        return self._total

    def add_pages(self, total: int, images: list[QImage]) -> None:
        """Append rendered pages of a document of ``total`` pages."""
        self._total = total
        for image in images:
            self._images.append(image)
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setAccessibleName(self.tr("Page {number}").format(number=len(self._images)))
            self._labels.append(label)
            self._pages_layout.insertWidget(self._pages_layout.count() - 1, label)
        self._fit()
        shown = len(self._images)
        self.status.setText(self.tr("Pages 1–{shown} of {total}").format(shown=shown, total=total))
        self.more_button.setVisible(shown < total)
        self.more_button.setEnabled(True)

    def set_waiting(self) -> None:
        self.more_button.setEnabled(False)

    def clear(self) -> None:
        for label in self._labels:
            label.deleteLater()
        self._labels.clear()
        self._images.clear()
        self._total = 0
        self.status.clear()
        self.more_button.hide()

    def refusal(self, reason: str) -> str:
        """What to tell the user when the child would not render the PDF."""
        if reason == "password protected":
            return self.tr("This PDF is protected by a password. Export it to open it with another program.")
        return self.tr("This PDF cannot be shown here. Export it to open it with another program.")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = max(1, self.view.viewport().width() - 2 * PAGE_SPACING)
        for image, label in zip(self._images, self._labels, strict=True):
            scaled = (
                image
                if image.width() <= width
                else image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            )
            label.setPixmap(QPixmap.fromImage(scaled))
