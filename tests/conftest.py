"""Fixtures shared by every test package: chained from tmp_path (STYLE.md).
Fixtures only: what tests import lives in helper modules (tests/vault_helpers.py,
tests/cli_helpers.py, tests/gui_helpers.py, ...)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from db.keyring_store import NoKeyring
from db.vault import CreatedVault, Vault
from tests import built_once
from tests.faults import FaultLibraryUnavailableError, build_fault_library
from tests.vault_helpers import FAST_ARGON2, PASSPHRASE

if TYPE_CHECKING:
    # Imported where used: most runs need neither psycopg nor boto3.
    from tests.pg_helpers import PostgresServer
    from tests.s3_helpers import S3Endpoint

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Each test begins with what the process holds already frozen, as the
    app begins with its start-up imports frozen (desktop/app.py): a full
    collection in a test then rescans what that test made, not the modules
    and leftovers of every test before it in this worker. Unfrozen, a worker
    late in the run held 650k objects, and each full pass took 2.4-2.7 s of
    its CPU: 240 s over the run's two workers, and one of them, landing in
    a test's 2-second measure of the GUI thread, failed CI as a freeze.
    The collection first frees what earlier tests left as garbage; what
    they left alive stays alive, as it would unfrozen."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def isolated_qt_settings(request: pytest.FixtureRequest) -> Iterator[Path | None]:
    """Qt's settings and standard paths go to a test location, never the real
    user's: for every test that runs with Qt loaded (the GUI tests of
    tests/desktop and tests/e2e alike). Yields the settings folder, or None
    where Qt is not loaded (the core's tests stay free of PySide6)."""
    if "PySide6.QtCore" not in sys.modules:
        yield None
        return
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    folder: Path = request.getfixturevalue("tmp_path") / "qt-settings"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def built_once_for_this_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tells tests/built_once.py which test runs and its tmp_path: the
    builders copy vaults built once per process only into that folder,
    and never one template twice into one test."""
    if "tmp_path" in request.fixturenames:
        built_once.test_began(
            request.getfixturevalue("tmp_path"), request.getfixturevalue("tmp_path_factory")
        )
    yield
    built_once.test_ended()


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def created_vault(vault_dir: Path) -> Iterator[CreatedVault]:
    created = Vault.create(vault_dir, PASSPHRASE, keyring=NoKeyring(), argon2=FAST_ARGON2)
    yield created
    created.vault.lock()


@pytest.fixture
def vault(created_vault: CreatedVault) -> Vault:
    return created_vault.vault


@pytest.fixture(scope="session")
def fault_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The libfault ``LD_PRELOAD`` shim (tests/faults), built once per run;
    the test is skipped where it cannot be built (no C compiler)."""
    try:
        return build_fault_library(tmp_path_factory.mktemp("libfault"))
    except FaultLibraryUnavailableError as exc:
        pytest.skip(f"cannot build the fault-injection shim: {exc}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL on loopback for the whole run (tests/pg_helpers.py);
    skipped on a developer machine without Debian's postgresql package."""
    from tests.pg_helpers import postgres_or_skip

    with postgres_or_skip() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A SQLAlchemy URL of a fresh, empty database, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Endpoint]:
    """moto's S3 server on loopback for the whole run (tests/s3_helpers.py)."""
    from tests.s3_helpers import running_s3

    with running_s3() as endpoint:
        yield endpoint


@pytest.fixture
def s3_bucket(s3_endpoint: S3Endpoint) -> str:
    """A fresh, empty bucket on s3_endpoint."""
    return s3_endpoint.create_bucket()
