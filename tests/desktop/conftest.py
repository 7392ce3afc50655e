"""GUI test isolation: Qt's own settings and standard paths go to a test
location, never the real user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths


@pytest.fixture(autouse=True)
def isolated_qt_settings(tmp_path: Path) -> Iterator[Path]:
    QStandardPaths.setTestModeEnabled(True)
    folder = tmp_path / "qt-settings"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder
