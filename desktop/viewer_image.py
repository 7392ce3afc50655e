"""An image, decoded elsewhere (a confined child process, ``viewer_jobs``),
shown scaled to fit; Ctrl++ / Ctrl+- / Ctrl+0 zoom."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout

from desktop.viewer_page import KeyAction, ViewerPage

ZOOM_STEP = 1.25
ZOOM_RANGE = (1 / 16, 16.0)


class ImagePage(ViewerPage):
    def __init__(self) -> None:
        super().__init__()
        self._image: QImage | None = None
        self._zoom: float | None = None  # None: fit to the window
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName(self.tr("Image"))
        self.area = QScrollArea()
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setWidget(self.label)
        self.area.setAccessibleName(self.tr("Image"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.area)

    @property
    def image(self) -> QImage | None:
        """The decoded image shown (full size), if any."""
        return self._image

    def key_actions(self) -> list[KeyAction]:
        return [
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence("Ctrl+="), lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), lambda: self.zoom_by(1 / ZOOM_STEP)),
            (QKeySequence("Ctrl+0"), self.zoom_to_fit),
        ]

    def show_image(self, image: QImage) -> None:
        """Show it fitted (the caller makes the page the one shown first)."""
        self._image = image
        self._zoom = None
        self._render()

    def zoom_by(self, factor: float) -> None:
        if not self.active or self._image is None:
            return
        current = self._zoom if self._zoom is not None else self._fit_scale()
        self._zoom = min(max(current * factor, ZOOM_RANGE[0]), ZOOM_RANGE[1])
        self._render()

    def zoom_to_fit(self) -> None:
        if not self.active:
            return
        self._zoom = None
        self._render()

    def _fit_scale(self) -> float:
        """Fit: shrink a large image to the window, never enlarge a small one."""
        if self._image is None or self._image.isNull():
            return 1.0
        room = self.area.viewport().size()
        scale = min(room.width() / self._image.width(), room.height() / self._image.height())
        return min(1.0, scale) if scale > 0 else 1.0

    def _render(self) -> None:
        if self._image is None:
            return
        scale = self._zoom if self._zoom is not None else self._fit_scale()
        size = QSize(max(1, round(self._image.width() * scale)), max(1, round(self._image.height() * scale)))
        if size == self._image.size():
            pixmap = QPixmap.fromImage(self._image)
        else:
            pixmap = QPixmap.fromImage(
                self._image.scaled(
                    size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        self.label.setPixmap(pixmap)
        self.label.resize(pixmap.size())
        percent = round(scale * 100)
        self.label.setToolTip(self.tr("Zoom: {percent} %").format(percent=percent))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.active and self._zoom is None:
            self._render()

    def clear(self) -> None:
        self._image = None
        self._zoom = None
        self.label.clear()
        self.label.resize(0, 0)
