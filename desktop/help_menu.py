"""The keyboard and the Help menu of the main window (issue 15, fit and finish).

- Ctrl+F puts the cursor in the search field, Ctrl+N starts a new testimony in
  the selected case (both only while the vault is open);
- Vault → Quit (Ctrl+Q) closes the window, which locks the vault first;
- Help → User guide shows docs/user-guide.md inside the app, read-only.
  Deliberately not a web page: opening a browser on an online copy would tell
  anyone watching the network that this laptop runs Fieldvault. The guide is
  looked up with the resources (``resources/docs`` when packaged, ``docs/`` of a checkout);
  when no copy is there, the app says where the guide is instead;
- Help → About: the version, the licence, and that nothing is sent anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QAction, QKeySequence, QTextDocument
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from db.api import resources_dir

if TYPE_CHECKING:
    from desktop.vault_view import VaultView

LICENCE = "AGPL-3.0-or-later"
GUIDE_NAME = "user-guide.md"


def app_version() -> str:
    try:
        return metadata.version("fieldvault")
    except metadata.PackageNotFoundError:  # a bundle without the package's metadata
        return "?"


def user_guide_path() -> Path | None:
    """The guide, or None: ``docs/`` inside the resources of a packaged copy
    (the frozen app: packaging/fieldvault.spec; the wheel: pyproject.toml's
    data-files), else ``docs/`` beside ``resources/`` in a checkout."""
    resources = resources_dir()
    candidates = [resources / "docs" / GUIDE_NAME]
    if resources.name == "resources":  # not the wheel's <prefix>/share/fieldvault
        candidates.append(resources.parent / "docs" / GUIDE_NAME)
    return next((guide for guide in candidates if guide.is_file()), None)


class UserGuideWindow(QDialog):
    """The guide, rendered from its Markdown (its screenshots included), read-only."""

    def __init__(self, guide: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Fieldvault user guide"))
        self.browser = QTextBrowser()
        # Links to other pages stay inside; nothing opens a web browser.
        self.browser.setOpenExternalLinks(False)
        self.browser.setSource(QUrl.fromLocalFile(str(guide)), QTextDocument.ResourceType.MarkdownResource)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        self.resize(820, 640)


class WindowKeys(QObject):
    """Ctrl+F, Ctrl+N and Vault → Quit for ``window``; ``view`` gives the open
    vault's view (None while locked)."""

    def __init__(self, window: QWidget, view: Callable[[], VaultView | None], vault_menu: QMenu) -> None:
        super().__init__(window)
        self._view = view
        self.find_action = QAction(window)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        self.new_testimony_action = QAction(window)
        self.new_testimony_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_testimony_action.triggered.connect(self.new_testimony)
        window.addAction(self.find_action)
        window.addAction(self.new_testimony_action)
        self.quit_action = QAction(window)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(window.close)
        vault_menu.addSeparator()
        vault_menu.addAction(self.quit_action)

    def retranslate(self) -> None:
        self.find_action.setText(self.tr("Search"))
        self.new_testimony_action.setText(self.tr("New testimony"))
        self.quit_action.setText(self.tr("&Quit"))

    @Slot()
    def focus_search(self) -> None:
        view = self._view()
        if view is not None:
            view.search_field.setFocus()
            view.search_field.selectAll()

    @Slot()
    def new_testimony(self) -> None:
        """As a click on New testimony: only with a case selected."""
        view = self._view()
        if view is None or not view.testimonies.new_button.isEnabled():
            return
        view.case_tabs.setCurrentWidget(view.testimonies)
        view.testimonies.new_button.click()
        view.title_field.setFocus()


class HelpMenu(QMenu):
    """Help → User guide, About Fieldvault."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.guide_action = QAction(self)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(self.open_guide)
        self.about_action = QAction(self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.open_about)
        self.addAction(self.guide_action)
        self.addAction(self.about_action)
        self.guide_window: QDialog | None = None
        self.about_box: QMessageBox | None = None
        self.find_guide = user_guide_path
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("&Help"))
        self.guide_action.setText(self.tr("&User guide"))
        self.about_action.setText(self.tr("&About Fieldvault"))

    def about_text(self) -> str:
        return self.tr(
            "Fieldvault {version}\n\n"
            "An offline-first encrypted vault for documenting war crimes.\n\n"
            "Free software under the GNU Affero General Public License, version 3 or later ({licence}).\n\n"
            "Fieldvault sends nothing anywhere by itself: no telemetry, no update checks. "
            "It connects only to your organisation's server, if you join one that has a server."
        ).format(version=app_version(), licence=LICENCE)

    @Slot()
    def open_about(self) -> None:
        self.about_box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("About Fieldvault"),
            self.about_text(),
            parent=self.parentWidget(),
        )
        self.about_box.open()

    @Slot()
    def open_guide(self) -> None:
        guide = self.find_guide()
        if guide is None:
            self.about_box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("User guide"),
                self.tr(
                    "The user guide is not installed with this copy. It is the file docs/user-guide.md "
                    "of Fieldvault's source, and comes with every release."
                ),
                parent=self.parentWidget(),
            )
            self.about_box.open()
            return
        self.guide_window = UserGuideWindow(guide, self.parentWidget())
        self.guide_window.show()
