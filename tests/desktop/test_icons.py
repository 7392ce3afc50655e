"""The app's own icons: every one used exists, renders at 1x and 2x (and
fractional) device pixel ratios, follows the palette, and the windows and
buttons carry them. A contact sheet goes to build/screenshots/icons.png (make screenshots: docs/screenshots/)."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPixmap

from db.keyring_store import NoKeyring
from desktop.evidence_item import CUSTODY_ICONS
from desktop.evidence_panel import EvidencePanel
from desktop.icons import NAMES, icon, icons_dir
from desktop.settings_dialog import SettingsDialog
from desktop.testimony_editor import TestimonyEditor
from desktop.window import FieldvaultWindow
from tests.gui_helpers import qt_app
from tests.screenshots import SCREENSHOTS
from tests.vault_helpers import FAST_ARGON2

REPO = Path(__file__).resolve().parents[2]
# Icons with colours of their own; every other one is drawn in currentColor.
OWN_COLOURS = {"app", "wipe"}


def opaque_pixels(pixmap: QPixmap) -> int:
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return sum(
        1 for y in range(image.height()) for x in range(image.width()) if image.pixelColor(x, y).alpha() > 0
    )


def icon_names_in_code() -> set[str]:
    used = set(CUSTODY_ICONS.values()) | {"app"}
    for path in (REPO / "desktop").glob("*.py"):
        used |= set(re.findall(r'\bicon\("([\w-]+)"\)', path.read_text(encoding="utf-8")))
        # e.g. icon("pause" if playing else "play")
        for call in re.findall(r"\bicon\(([^()]*)\)", path.read_text(encoding="utf-8")):
            used |= set(re.findall(r'"([\w-]+)"', call))
    return used


def test_every_icon_used_exists_and_every_file_is_listed():
    used = icon_names_in_code()
    assert used, "no icon(...) calls found"
    assert used <= set(NAMES), sorted(used - set(NAMES))
    files = {path.stem for path in icons_dir().glob("*.svg")}
    assert files == set(NAMES)
    assert icons_dir() == REPO / "resources" / "icons"
    with pytest.raises(KeyError):
        icon("no-such-icon")


@pytest.mark.parametrize("name", NAMES)
def test_each_svg_is_a_simple_drawing(name):
    root = ET.parse(icons_dir() / f"{name}.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") in ("0 0 24 24", "0 0 256 256")
    text = (icons_dir() / f"{name}.svg").read_text(encoding="utf-8")
    # Nothing fetched from elsewhere, no script, no embedded image.
    assert not re.search(r"<script|<image|href=|<style|@import", text)
    assert ("currentColor" in text) == (name not in OWN_COLOURS)


@pytest.mark.parametrize("name", NAMES)
def test_each_icon_renders_sharp_at_1x_and_2x(qtbot, name):
    themed = icon(name)
    assert not themed.isNull()
    counts = {}
    for ratio in (1.0, 1.25, 1.5, 2.0, 3.0):
        pixmap = themed.pixmap(QSize(16, 16), ratio)
        assert pixmap.devicePixelRatio() == ratio
        side = round(16 * ratio)
        assert (pixmap.width(), pixmap.height()) == (side, side)
        counts[ratio] = opaque_pixels(pixmap)
        assert counts[ratio] > 0, (name, ratio)
    # Drawn at 2x, not a 1x image scaled up: about four times the pixels.
    assert counts[2.0] > 2.5 * counts[1.0]
    assert not themed.pixmap(QSize(24, 24), 1.0, QIcon.Mode.Disabled).isNull()


def test_icons_outlive_their_python_objects(qtbot):
    """Qt keeps engines by pointer: a copy that is modified (Qt clones the
    engine) and then collected by Python must still paint. All icons are
    modified first and collected together: a full gc.collect() costs about
    half a second in a worker that ran many tests, two per icon took 25 s."""
    modified = {name: QIcon(icon(name)) for name in NAMES}
    for copy in modified.values():
        copy.setIsMask(True)  # detaches: the engine is cloned
    gc.collect()
    for copy in modified.values():
        assert copy.pixmap(QSize(20, 20), 2.0).width() == 40
    del copy
    modified.clear()
    gc.collect()
    for name in NAMES:
        assert icon(name).pixmap(QSize(10, 10)).width() == 10


@pytest.fixture
def dark_palette() -> Iterator[QPalette]:
    app = qt_app()
    saved = app.palette()
    dark = QPalette(saved)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        dark.setColor(group, QPalette.ColorRole.ButtonText, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#707070"))
    app.setPalette(dark)
    yield dark
    app.setPalette(saved)


def brightest(pixmap: QPixmap) -> int:
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return max(
        image.pixelColor(x, y).lightness()
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() == 255
    )


def test_line_icons_follow_the_palette(qtbot, dark_palette):
    assert brightest(icon("lock").pixmap(QSize(32, 32))) > 200  # light lines on a dark theme
    disabled = icon("lock").pixmap(QSize(32, 32), 1.0, QIcon.Mode.Disabled)
    assert brightest(disabled) < 150
    # The wipe keeps its red whatever the theme.
    red = icon("wipe").pixmap(QSize(32, 32)).toImage()
    colours = {
        red.pixelColor(x, y).name()
        for y in range(red.height())
        for x in range(red.width())
        if red.pixelColor(x, y).alpha() == 255
    }
    assert colours == {"#c62828"}


def test_windows_and_buttons_carry_icons(qtbot, vault_dir, vault):
    window = FieldvaultWindow(vault_dir / "new", keyring=NoKeyring(), argon2=FAST_ARGON2)
    qtbot.addWidget(window)
    assert not window.windowIcon().isNull()
    assert window.windowIcon().pixmap(QSize(64, 64), 2.0).width() == 128
    for button in (
        window.create_page.create_button,
        window.unlock_page.unlock_button,
        window.recovery_page.save_button,
        window.recovery_page.print_button,
        window.recovery_page.done_button,
    ):
        assert not button.icon().isNull(), button.text()
    for action in (window.lock_action, window.settings_action, window.emergency_action):
        assert not action.icon().isNull(), action.text()

    dialog = SettingsDialog(vault, window)
    for button in (dialog.change_button, dialog.wipe_button, dialog.wipe_now):
        assert not button.icon().isNull(), button.text()
    dialog.close()

    panel = EvidencePanel(vault)
    qtbot.addWidget(panel)
    for button in (panel.add_button, panel.open_button, panel.cancel_all_button):
        assert not button.icon().isNull(), button.text()
    editor = TestimonyEditor()
    qtbot.addWidget(editor)
    for button in (editor.save_button, editor.history_button, editor.discard_draft_button):
        assert not button.icon().isNull(), button.text()


HIGH_DPI_PROBE = """
import sys
from PySide6.QtWidgets import QApplication, QPushButton
app = QApplication(sys.argv)
from desktop import icons
asked = []
real_render = icons.SvgIconEngine._render
def recording(self, size, mode, scale):
    asked.append(scale)
    return real_render(self, size, mode, scale)
icons.SvgIconEngine._render = recording
button = QPushButton(icons.icon("save"), "Save")
button.show()
grabbed = button.grab()
print(button.devicePixelRatioF(), grabbed.devicePixelRatio(), sorted(set(asked)))
"""


@pytest.mark.parametrize("factor", ["2", "1.5"])
def test_a_button_paints_its_icon_at_the_screens_ratio(factor):
    """On a high-DPI screen (QT_SCALE_FACTOR here), a button asks for and gets
    its icon drawn at the screen's ratio: no scaled-up 1x image."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": factor}
    result = subprocess.run(
        [sys.executable, "-c", HIGH_DPI_PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    widget_ratio, grabbed_ratio, asked = result.stdout.strip().splitlines()[-1].split(" ", 2)
    assert float(widget_ratio) == float(grabbed_ratio) == float(factor)
    assert float(factor) in [float(x) for x in asked.strip("[]").split(",")]


def test_contact_sheet(qtbot):
    """All icons at 16, 24 and 48 px, at 1x and 2x, light and dark: for the docs."""
    sizes = (16, 24, 48)
    cell = 56
    sheet = QImage(cell * len(NAMES), cell * 4, QImage.Format.Format_ARGB32)
    sheet.setDevicePixelRatio(1.0)
    sheet.fill(QColor("white"))
    painter = QPainter(sheet)
    painter.fillRect(0, cell * 3, sheet.width(), cell, QColor("#2b2b2b"))
    for index, name in enumerate(NAMES):
        x = index * cell + 4
        painter.drawPixmap(x, 4, icon(name).pixmap(QSize(48, 48)))
        left = x
        for side in sizes[:2]:
            painter.drawPixmap(left, cell + 4, icon(name).pixmap(QSize(side, side)))
            left += side + 2
        double = icon(name).pixmap(QSize(24, 24), 2.0)
        double.setDevicePixelRatio(1.0)
        painter.drawPixmap(x, cell * 2 + 4, double)
        painter.drawPixmap(x, cell * 3 + 4, icon(name).pixmap(QSize(24, 24), 1.0, QIcon.Mode.Disabled))
    painter.end()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert sheet.save(str(SCREENSHOTS / "icons.png"))
