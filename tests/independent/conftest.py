"""Vaults made by the real app (in child processes) for the independent verifier."""

from __future__ import annotations

import pytest

from tests.independent.appdriver import App, init_vault, new_app


@pytest.fixture(scope="session")
def fresh_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[App, dict[str, str]]:
    """A vault just created by `fieldvault init --no-keyring`, and what init
    printed. Read only (tests copy it to change it): one per test process,
    as init calibrates Argon2 for real, seconds of CPU."""
    app = new_app(tmp_path_factory.mktemp("fresh"))
    return app, init_vault(app)
