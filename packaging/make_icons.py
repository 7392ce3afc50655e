"""Draw the installers' icons from resources/icons/app.svg into build/icons/:
fieldvault.png (256 px, the Linux desktop entry's), fieldvault.ico (Windows,
several sizes). Qt renders the SVG, so no other image tool is needed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent


def render(svg: QSvgRenderer, side: int) -> QImage:
    image = QImage(side, side, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    svg.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    svg = QSvgRenderer(str(ROOT / "resources" / "icons" / "app.svg"))
    if not svg.isValid():
        print("resources/icons/app.svg does not render", file=sys.stderr)
        return 1
    out = ROOT / "build" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    ok = render(svg, 256).save(str(out / "fieldvault.png"), "PNG")
    ok = render(svg, 256).save(str(out / "fieldvault.ico"), "ICO") and ok
    del app
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
