"""Vaults made by the real app (in child processes) for the independent verifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.independent.appdriver import App, built_once, init_vault, new_app


@pytest.fixture(scope="session")
def fresh_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[App, dict[str, str]]:
    """A vault just created by `fieldvault init --no-keyring`, and what init
    printed. Read only (tests copy it to change it): one per test run
    (appdriver.built_once), as init calibrates Argon2 for real, seconds of CPU."""

    def initialised(folder: Path) -> dict[str, Any]:
        app = new_app(folder)
        return {"vault": str(app.vault), "home": str(app.home), "created": init_vault(app)}

    built = built_once(tmp_path_factory.getbasetemp(), "fresh-init", initialised)
    return App(Path(built["vault"]), Path(built["home"])), built["created"]
