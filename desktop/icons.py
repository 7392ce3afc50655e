"""The app's own icons: simple line drawings in resources/icons/*.svg.

``icon(name)`` returns a QIcon drawn from the SVG at whatever size and device
pixel ratio it is asked for, so icons stay sharp on high-DPI screens (2x, and
fractional ratios such as 1.25 or 1.5) without a set of PNGs per size.

The line icons are drawn in ``currentColor``, which is replaced by the
palette's text colour when painted: they follow light and dark themes, and a
disabled button gets the palette's disabled colour. Icons with colours of
their own (the red warning of the wipe, the app icon) keep them; disabled,
they are painted faded.

Rendering goes through QtSvg's QSvgRenderer (PySide6-Essentials), not Qt's
SVG icon-engine plugin, so a packaged app needs only the QtSvg module.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from db.api import resources_dir

CURRENT_COLOUR = b"currentColor"
DISABLED_OPACITY = 0.45
STANDARD_SIDES = (16, 24, 32, 48, 64, 128, 256)
# The icons the app uses; a test checks that each exists and renders.
NAMES = (
    "add-evidence",
    "app",
    "cancel",
    "check",
    "discard",
    "export",
    "history",
    "key",
    "lock",
    "new-case",
    "new-testimony",
    "new-vault",
    "pause",
    "play",
    "print",
    "save",
    "search",
    "settings",
    "unlock",
    "verify",
    "view",
    "wipe",
)


def icons_dir() -> Path:
    return resources_dir() / "icons"


@cache
def _svg(name: str) -> bytes:
    if name not in NAMES:
        raise KeyError(f"no icon named {name!r}")
    return (icons_dir() / f"{name}.svg").read_bytes()


def _colour_for(mode: QIcon.Mode) -> QColor:
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)


class SvgIconEngine(QIconEngine):
    """Draws one SVG at any size and scale, in the palette's colours."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name
        self._data = _svg(name)
        self._renderers: dict[str, QSvgRenderer] = {}
        self._pixmaps: dict[tuple[int, int, int, str, bool], QPixmap] = {}

    def _renderer(self, mode: QIcon.Mode) -> tuple[QSvgRenderer, float]:
        """The renderer for ``mode``, and the opacity to draw it with."""
        colour = _colour_for(mode)
        themed = CURRENT_COLOUR in self._data
        # SVG colours have no alpha: a translucent palette colour (some themes'
        # disabled text) becomes the opacity. Own colours fade when disabled.
        faded = DISABLED_OPACITY if mode == QIcon.Mode.Disabled else 1.0
        opacity = colour.alphaF() if themed else faded
        key = colour.name() if themed else ""
        renderer = self._renderers.get(key)
        if renderer is None:
            data = self._data.replace(CURRENT_COLOUR, key.encode()) if themed else self._data
            renderer = QSvgRenderer(QByteArray(data))
            self._renderers[key] = renderer
        return renderer, opacity

    def _draw(self, painter: QPainter, target: QRectF, mode: QIcon.Mode) -> None:
        renderer, opacity = self._renderer(mode)
        painter.setOpacity(painter.opacity() * opacity)
        renderer.render(painter, target)

    def _render(self, size: QSize, mode: QIcon.Mode, scale: float) -> QPixmap:
        if size.isEmpty():
            return QPixmap()
        scale = max(scale, 1.0 / 64)
        width, height = round(size.width() * scale), round(size.height() * scale)
        colour = _colour_for(mode).name(QColor.NameFormat.HexArgb)
        key = (width, height, round(scale * 1000), colour, mode == QIcon.Mode.Disabled)
        cached = self._pixmaps.get(key)
        if cached is not None:
            return cached
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._draw(painter, QRectF(0, 0, width, height), mode)
        painter.end()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(scale)
        if len(self._pixmaps) > 64:
            self._pixmaps.clear()
        self._pixmaps[key] = pixmap
        return pixmap

    # -- QIconEngine -------------------------------------------------------------------

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._render(size, mode, 1.0)

    def scaledPixmap(  # noqa: N802 - Qt's name
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        return self._render(size, mode, scale)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._draw(painter, QRectF(rect), mode)
        painter.restore()

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:  # noqa: N802
        return size

    def availableSizes(  # noqa: N802 - Qt's name
        self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off
    ) -> list[QSize]:
        # Any size works; these are what window systems pick window icons from.
        return [QSize(side, side) for side in STANDARD_SIDES]

    def clone(self) -> QIconEngine:
        return _kept(SvgIconEngine(self._name))

    def key(self) -> str:
        return "fieldvault-svg"

    def iconName(self) -> str:  # noqa: N802 - Qt's name
        return self._name

    def isNull(self) -> bool:  # noqa: N802 - Qt's name
        return not self._data


# Engines handed to Qt. Qt keeps a plain pointer to an engine (and deletes it
# itself), but PySide leaves an engine made in Python owned by Python: were
# its wrapper collected, Qt would paint through a freed object. One engine per
# name (see _shared) and the rare clone (a QIcon being modified) stay here.
_KEEP_ALIVE: list[SvgIconEngine] = []


def _kept(engine: SvgIconEngine) -> SvgIconEngine:
    _KEEP_ALIVE.append(engine)
    return engine


@cache
def _shared(name: str) -> QIcon:
    return QIcon(_kept(SvgIconEngine(name)))


def icon(name: str) -> QIcon:
    """The icon ``name`` (one of NAMES), sharp at any size and pixel ratio."""
    return QIcon(_shared(name))


def app_icon() -> QIcon:
    """The application and window icon."""
    return icon("app")
