"""What every page of the evidence viewer offers the viewer.

``desktop.viewer.EvidenceViewer`` stacks one page per kind of item
(``viewer_image``, ``viewer_pdf``, ``viewer_text``, ``viewer_media``,
``viewer_message``) and shows one at a time. ``clear()`` drops everything
decrypted a page holds; ``key_actions()`` names its keyboard actions (the
viewer enables them only while the page is shown); ``set_active()`` tells it
whether it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget


class Shown(StrEnum):
    """What the viewer is showing; ``EvidenceViewer.shown`` carries it."""

    NOTHING = "nothing"
    IMAGE = "image"
    PDF = "pdf"
    TEXT = "text"
    MEDIA = "media"
    UNSUPPORTED = "unsupported"
    ERROR = "error"


KeyAction = tuple[QKeySequence, Callable[[], None]]


class ViewerPage(QWidget):
    """One kind of page. The viewer calls ``set_active`` whenever the page
    shown changes, and ``clear`` when the item is closed (or the vault locks)."""

    def __init__(self) -> None:
        super().__init__()
        self._active = False

    @property
    def active(self) -> bool:
        """Whether this page is the one shown (reports for another are ignored)."""
        return self._active

    def set_active(self, active: bool) -> None:
        self._active = active

    def key_actions(self) -> list[KeyAction]:
        """The page's keyboard actions, live while it is shown and the focus is in the viewer."""
        return []

    def clear(self) -> None:
        """Drop every reference to decrypted data."""
        raise NotImplementedError
