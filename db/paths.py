"""Where the vault lives by default."""

from __future__ import annotations

import os
from pathlib import Path

# The key file's name in a vault folder: whether it exists decides the first
# screen (create or unlock), which is shown before the database stack loads.
KEY_FILE = "vault.keys"


def default_vault_dir() -> Path:
    """``$FIELDVAULT_HOME``, else the platform's user data folder + ``vault``."""
    override = os.environ.get("FIELDVAULT_HOME")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("Fieldvault", appauthor=False)) / "vault"
