"""A real PostgreSQL for tests: Debian's binaries (initdb, pg_ctl from
/usr/lib/postgresql/*/bin, installed by ``scripts/system-deps.sh test``)
started in a fresh temp dir on a free loopback port, as an unprivileged user
(PostgreSQL refuses to run as root, and CI runs as root), and removed after.

``running_postgres()`` yields a ``PostgresServer``; each test gets a database
of its own from ``create_database()``. The fixtures built on it
(``postgres_server``, ``postgres_url``) are in tests/conftest.py.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

# An account PostgreSQL runs as when the tests run as root: Debian's
# package creates "postgres"; without it (binaries from elsewhere) a system
# account of our own is made once.
PG_ACCOUNTS = ("postgres", "fieldvault-pg")
SUPERUSER = "fieldvault"
START_ATTEMPTS = 3

# Throwaway clusters: no durability, nothing to wait for. The server tests
# kill the server, never PostgreSQL.
FAST_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class PostgresUnavailable(Exception):
    """Debian's PostgreSQL binaries are not installed here."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def url(self, database: str) -> str:
        """A SQLAlchemy URL (psycopg 3 driver) for one database."""
        return f"postgresql+psycopg://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database,
            autocommit=True,
        )

    def create_database(self) -> str:
        name = f"test_{secrets.token_hex(6)}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_bin() -> Path:
    """The newest Debian PostgreSQL bin dir, or the one holding pg_ctl on PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    for folder in reversed(candidates):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).parent / "initdb").is_file():
        return Path(on_path).parent
    raise PostgresUnavailable(
        "PostgreSQL's initdb/pg_ctl not found (/usr/lib/postgresql/*/bin): "
        "run `scripts/system-deps.sh test` (Debian's postgresql package)"
    )


def _unprivileged_account() -> pwd.struct_passwd | None:
    """None when we are not root (PostgreSQL runs as us); else an account
    without privileges to run it as, made if none exists."""
    if os.geteuid() != 0:
        return None
    for name in PG_ACCOUNTS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_ACCOUNTS[-1]],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(PG_ACCOUNTS[-1])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _chown_tree(path: Path, account: pwd.struct_passwd | None) -> None:
    if account is None:
        return
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, account.pw_uid, account.pw_gid)
        for name in files:
            os.chown(Path(folder) / name, account.pw_uid, account.pw_gid)


def _run_as(
    account: pwd.struct_passwd | None, args: list[str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC"}
    if account is None:
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        user=account.pw_uid,
        group=account.pw_gid,
        extra_groups=[],
    )


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL on 127.0.0.1 and remove it afterwards.

    Raises PostgresUnavailable when the binaries are missing."""
    bin_dir = postgres_bin()
    account = _unprivileged_account()
    # Our own temp dir, not pytest's: pytest's tmp dirs sit under a 0700
    # folder of root's that the unprivileged account cannot enter.
    root = Path(tempfile.mkdtemp(prefix="fieldvault-pg-"))
    data = root / "data"
    password = secrets.token_urlsafe(24)
    started = False
    try:
        (root / "pwfile").write_text(password + "\n", encoding="utf-8")
        os.chmod(root / "pwfile", 0o600)
        _chown_tree(root, account)
        init = _run_as(
            account,
            [
                str(bin_dir / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                SUPERUSER,
                "--pwfile",
                str(root / "pwfile"),
                "--auth",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
                "--no-instructions",
            ],
            root,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr.strip()}")
        (root / "pwfile").unlink()
        base_conf = (data / "postgresql.conf").read_text(encoding="utf-8")
        for _attempt in range(START_ATTEMPTS):
            port = _free_port()
            settings = {**FAST_SETTINGS, "port": str(port), "unix_socket_directories": f"'{root}'"}
            conf = base_conf + "".join(f"\n{key} = {value}" for key, value in settings.items()) + "\n"
            (data / "postgresql.conf").write_text(conf, encoding="utf-8")
            start = _run_as(
                account,
                [
                    str(bin_dir / "pg_ctl"),
                    "--pgdata",
                    str(data),
                    "--log",
                    str(root / "log"),
                    "-w",
                    "-t",
                    "30",
                    "start",
                ],
                root,
            )
            if start.returncode == 0:
                started = True
                break
            # Another process may have taken the port between our probe and
            # the bind: try a new one; any other failure is reported.
            log = (root / "log").read_text(encoding="utf-8", errors="replace")
            if "could not bind" not in log and "Address already in use" not in log:
                raise RuntimeError(f"PostgreSQL did not start: {start.stderr.strip()} {log[-2000:]}")
        if not started:
            raise RuntimeError("PostgreSQL found no free loopback port")
        yield PostgresServer("127.0.0.1", port, SUPERUSER, password, root)
    finally:
        if started:
            _run_as(
                account,
                [str(bin_dir / "pg_ctl"), "--pgdata", str(data), "-m", "immediate", "-w", "stop"],
                root,
            )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_or_skip() -> Iterator[PostgresServer]:
    """running_postgres(), skipping the test where the binaries are absent
    on a developer's machine; in CI (CI set) their absence is a failure,
    since scripts/system-deps.sh test installs them there."""
    try:
        bin_dir = postgres_bin()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
    del bin_dir
    with running_postgres() as server:
        yield server
