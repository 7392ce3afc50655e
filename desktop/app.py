"""``run_gui``: the desktop app's entry point (``fieldvault`` with no command).

Wiring only: find the vault folder, start Qt, load translations, show the window.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from db.paths import default_vault_dir
from desktop.i18n import chosen_locale, install_translators, remove_translators
from desktop.icons import app_icon
from desktop.window import FieldvaultWindow


def vault_folder(argv: list[str]) -> Path:
    """``--vault DIR`` from the global options, else the CLI's default folder."""
    parser = argparse.ArgumentParser(prog="fieldvault", add_help=False)
    parser.add_argument("--vault", type=Path)
    known, _rest = parser.parse_known_args(argv)
    if known.vault is not None:
        return Path(known.vault).expanduser()
    return default_vault_dir()


def run_gui(argv: list[str]) -> int:
    folder = vault_folder(argv)
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else "fieldvault"])
    )
    app.setApplicationName("Fieldvault")
    # Every window (the viewer and dialogs too) gets it; drawn from SVG, so
    # sharp at any device pixel ratio. Qt 6 scales for high-DPI screens by
    # itself (fractional ratios pass through): no rounding policy is set.
    app.setWindowIcon(app_icon())
    # Numbers, sizes and dates follow the interface language too.
    QLocale.setDefault(chosen_locale())
    install_translators(app)
    window = FieldvaultWindow(folder)
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    try:
        return int(app.exec())
    finally:
        window.close()  # locks the vault if it is still open
        # Including those installed by a language switch on the first screen.
        remove_translators(app)
