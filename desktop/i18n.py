"""Loading translations: resources/translations/fieldvault_<lang>.qm, if built.

The language is FIELDVAULT_LANG (e.g. ``uk``) when set, else the one chosen in
Settings (QSettings "language"), else the system locale.
English, the source language, needs no file. Qt's own strings (standard buttons,
context menus) come from Qt's qtbase_<lang>.qm when the Qt install ships it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from db.vocabulary import resources_dir

LANGUAGE_VARIABLE = "FIELDVAULT_LANG"


def translations_dir() -> Path:
    return resources_dir() / "translations"


def chosen_locale(environ: dict[str, str] | None = None) -> QLocale:
    value = (os.environ if environ is None else environ).get(LANGUAGE_VARIABLE, "").strip()
    if not value:
        value = str(QSettings("Fieldvault", "Fieldvault").value("language", "", type=str)).strip()
    return QLocale(value) if value else QLocale.system()


def install_translators(
    app: QCoreApplication, locale: QLocale | None = None, directory: Path | None = None
) -> list[QTranslator]:
    """Install every translator found for ``locale``; returns them (keep them alive).

    An empty list means the interface stays in English."""
    locale = locale or chosen_locale()
    directory = directory or translations_dir()
    installed: list[QTranslator] = []
    candidates = [
        ("fieldvault", str(directory)),
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    ]
    for name, folder in candidates:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder) and app.installTranslator(translator):
            installed.append(translator)
    return installed
