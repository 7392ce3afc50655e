"""Loading translations: resources/translations/fieldvault_<lang>.qm, if built.

The language is FIELDVAULT_LANG (e.g. ``uk``) when set, else the one chosen on
the first screen or in Settings (QSettings "language"), else the system locale.
English, the source language, needs no file. Qt's own strings (standard buttons,
context menus, the file dialog) come from Qt's qtbase_<lang>.qm, which PySide6
ships in QLibraryInfo's TranslationsPath; where that file lacks a string Qt
shows (QT_GAPS below), our own .qm fills it: ours is installed last, so Qt
asks it first.

``switch_language`` changes the language of a running app: it saves the
choice, replaces the installed translators and so sends every widget a
LanguageChange event; widgets that can re-translate themselves say so by
deriving from ``Retranslating`` (the first screens do; the others are built
after the choice).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QSettings,
    QTranslator,
)

from db.api import resources_dir

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    # For the type checker the mixin is a widget (it calls QWidget.changeEvent);
    # at run time it is a plain class, so that it adds no second Qt base.
    _MixinBase = QWidget
else:
    _MixinBase = object

LANGUAGE_VARIABLE = "FIELDVAULT_LANG"
# The interface languages, each named in itself: someone who cannot read the
# current language still finds their own.
LANGUAGES = (("en", "English"), ("uk", "Українська"))
# Marks the translators installed here, so that a switch removes exactly them.
TRANSLATOR_NAME = "fieldvault-translator"
# Strings Qt's own dialogs show that qtbase_uk.qm (Qt 6.11) leaves in English
# or gets wrong (its "Show " lost the space: "ПоказатиРозмір"). Listed here so
# lupdate puts them into fieldvault_uk.ts under Qt's own context; never read.
QT_GAPS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Show "),
)


def translations_dir() -> Path:
    return resources_dir() / "translations"


def preferences() -> QSettings:
    """The app's plain-file preferences: nothing sensitive goes here."""
    return QSettings("Fieldvault", "Fieldvault")


def chosen_locale(environ: dict[str, str] | None = None) -> QLocale:
    value = (os.environ if environ is None else environ).get(LANGUAGE_VARIABLE, "").strip()
    if not value:
        value = str(preferences().value("language", "", type=str)).strip()
    return QLocale(value) if value else QLocale.system()


def language_code(locale: QLocale) -> str:
    """The interface language (a code of LANGUAGES) that ``locale`` gives."""
    code = locale.name().split("_")[0]
    return code if code in dict(LANGUAGES) else LANGUAGES[0][0]


def current_language() -> str:
    """The language the interface is in now (QLocale's default follows it)."""
    return language_code(QLocale())


def install_translators(
    app: QCoreApplication, locale: QLocale | None = None, directory: Path | None = None
) -> list[QTranslator]:
    """Install every translator found for ``locale``; returns them (keep them alive).

    An empty list means the interface stays in English."""
    locale = locale or chosen_locale()
    directory = directory or translations_dir()
    installed: list[QTranslator] = []
    # Qt asks the translator installed last first: ours, so it can fill the
    # gaps of Qt's own (QT_GAPS).
    candidates = [
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        ("fieldvault", str(directory)),
    ]
    for name, folder in candidates:
        translator = QTranslator(app)
        translator.setObjectName(TRANSLATOR_NAME)
        if translator.load(locale, name, "_", folder) and app.installTranslator(translator):
            installed.append(translator)
        else:
            translator.deleteLater()
    return installed


def remove_translators(app: QCoreApplication) -> None:
    """Remove (and free) every translator ``install_translators`` installed."""
    for translator in app.findChildren(QTranslator, TRANSLATOR_NAME):
        app.removeTranslator(translator)
        translator.setObjectName("")
        translator.deleteLater()


def switch_language(app: QCoreApplication, code: str) -> list[QTranslator]:
    """Change the interface language now and remember it for the next starts.

    The choice goes to QSettings (a language reveals nothing). While
    FIELDVAULT_LANG is set, it still decides at the next start."""
    if code not in dict(LANGUAGES):
        raise ValueError(f"unknown interface language {code!r}")
    preferences().setValue("language", code)
    locale = QLocale(code)
    # Numbers, sizes and dates follow the interface language too; set before
    # the translators change, so the LanguageChange handlers see it.
    QLocale.setDefault(locale)
    remove_translators(app)
    return install_translators(app, locale)


class Retranslating(_MixinBase):
    """A widget that re-translates itself when the language changes: on
    QEvent.LanguageChange it calls its ``retranslate``, then Qt's own handler.

    Put it first among the bases (``class Page(Retranslating, QWidget)``), so
    that its ``changeEvent`` comes before Qt's; it has no ``__init__``, so the
    widget's own arguments go straight to the Qt class. Every text stays in
    the widget's own ``retranslate``: PySide looks a ``self.tr`` string up
    under the class of the object at run time and lupdate files it under the
    class it is written in, so a ``tr`` written here would show in English
    (desktop/dialog_parts.py)."""

    def retranslate(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} names no retranslate")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
