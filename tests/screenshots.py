"""Where the GUI tests save their screenshots.

A test run writes them to ``build/screenshots/`` (ignored by git), so that
running the suite leaves ``git status`` clean; ``make screenshots`` runs the
GUI tests with ``FIELDVAULT_SCREENSHOTS=docs/screenshots`` to refresh the
pictures the docs show.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = Path(os.environ.get("FIELDVAULT_SCREENSHOTS") or REPO / "build" / "screenshots")
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
