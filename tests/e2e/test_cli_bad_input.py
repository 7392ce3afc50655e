"""Bad input gets a clear message and exit status 1 or 2, never "unexpected
error" nor a traceback; names are shown with their control characters
escaped; the targets an export refuses are refused from the command line too."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from db.keyring_store import NoKeyring
from db.vault import Vault
from tests.cli_helpers import Cli, run_fieldvault

PASS = "a long field passphrase"
ESCAPE_NAME = "\x1b]0;pwned\x07evil.txt"


@pytest.fixture
def vault_cli(cli: Cli) -> Cli:
    cli.create_fast(PASS)
    return cli


@pytest.fixture
def case_id(vault_cli: Cli) -> str:
    return str(vault_cli.json("case", "new", "Case", secrets=[PASS])["id"])


def clear_failure(result: subprocess.CompletedProcess[str], status: int, *words: str) -> None:
    assert result.returncode == status, (result.returncode, result.stderr)
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def run_raw(cli: Cli, *args: str, pass_fds: tuple[int, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``fieldvault --vault V ARGS`` with stdin /dev/null and only ``pass_fds`` passed."""
    return run_fieldvault(["--vault", str(cli.vault), *args], cli.env, stdin=None, pass_fds=pass_fds)


def secrets_fd(data: bytes) -> int:
    """A descriptor giving ``data``: a temp file, so it may be larger than a pipe."""
    read_fd, write_fd = os.pipe()
    if len(data) < 60_000:
        os.write(write_fd, data)
        os.close(write_fd)
        return read_fd
    os.close(read_fd)
    os.close(write_fd)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"secrets-{os.getpid()}-{time.monotonic_ns()}"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    path.unlink()
    return fd


# -- secrets -------------------------------------------------------------------------


@pytest.mark.parametrize("fd", ["-1", "99999999999999999999", "three"])
def test_an_impossible_passphrase_fd_is_bad_usage(cli: Cli, fd: str) -> None:
    clear_failure(run_raw(cli, "--passphrase-fd", fd, "info"), 2, "--passphrase-fd")


def test_a_closed_passphrase_fd_is_a_clear_error(cli: Cli) -> None:
    clear_failure(run_raw(cli, "--passphrase-fd", "97", "info"), 1, "file descriptor 97")


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"\xff\xfe not utf-8\n", ("not UTF-8",)), (b"a" * 300_000 + b"\n", ("more than 64 KiB",))],
    ids=["non-utf8", "huge"],
)
def test_bad_secrets_are_a_clear_error(vault_cli: Cli, data: bytes, words: tuple[str, ...]) -> None:
    fd = secrets_fd(data)
    try:
        clear_failure(run_raw(vault_cli, "--passphrase-fd", str(fd), "info", pass_fds=(fd,)), 1, *words)
    finally:
        os.close(fd)


# -- the vault folder and the files named ------------------------------------------------


def test_a_vault_that_is_a_file_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine", encoding="utf-8")
    for command in (["info"], ["init", "--no-keyring"], ["case", "new", "T"]):
        result = Cli(not_a_folder, cli.env).run(*command, secrets=[PASS, PASS], check=False)
        clear_failure(result, 1, "not a folder")
    assert not_a_folder.read_text(encoding="utf-8") == "mine"


def make_loop(folder: Path) -> Path:
    loop = folder / "loop"
    loop.symlink_to(loop)
    return loop


def test_a_symlink_loop_anywhere_is_a_clear_error(vault_cli: Cli, case_id: str, tmp_path: Path) -> None:
    loop = make_loop(tmp_path)
    clear_failure(Cli(loop, vault_cli.env).run("info", secrets=[PASS], check=False), 1, "symbolic links")
    clear_failure(
        vault_cli.run("ingest", str(loop), "--case", case_id, secrets=[PASS], check=False),
        1,
        "symbolic links",
    )
    clear_failure(
        vault_cli.run(
            "testimony", "new", "--case", case_id, "--narrative-file", str(loop), secrets=[PASS], check=False
        ),
        1,
        "symbolic links",
    )
    clear_failure(vault_cli.run("case", "new", "--title-file", str(loop), secrets=[PASS], check=False), 1)
    source = tmp_path / "a.txt"
    source.write_text("evidence", encoding="utf-8")
    item = vault_cli.json("ingest", str(source), "--case", case_id, secrets=[PASS])
    clear_failure(
        vault_cli.run("evidence", "export", item["id"], str(loop), secrets=[PASS], check=False),
        1,
        "symbolic link",
    )


# -- numbers, settings, dates ----------------------------------------------------------------


@pytest.mark.parametrize("limit", ["1e20", "100000000000000000000", "0", "-5", "٣"])
def test_an_impossible_search_limit_is_bad_usage(vault_cli: Cli, limit: str) -> None:
    clear_failure(vault_cli.run("search", "x", "--limit", limit, secrets=[PASS], check=False), 2, "--limit")


@pytest.mark.parametrize("value", ["abc", "²", "1e3", "99999", "-1", " 5"])
def test_a_non_numeric_setting_is_a_clear_error(vault_cli: Cli, value: str) -> None:
    result = vault_cli.run("settings", "set", "auto_lock_minutes", value, secrets=[PASS], check=False)
    clear_failure(result, 1, "auto_lock_minutes must be a whole number")
    assert vault_cli.json("settings", "show", secrets=[PASS])["auto_lock_minutes"] == "5"


@pytest.mark.parametrize("date", ["2024-13-45", "2024\n", "2023-02-29", "0000", "２０２４"])
def test_an_impossible_date_is_a_clear_error(vault_cli: Cli, case_id: str, tmp_path: Path, date: str) -> None:
    narrative = tmp_path / "n.txt"
    narrative.write_text("text", encoding="utf-8")
    result = vault_cli.run(
        "testimony",
        "new",
        "--case",
        case_id,
        "--narrative-file",
        str(narrative),
        "--interview-date",
        date,
        secrets=[PASS],
        check=False,
    )
    clear_failure(result, 1, "YYYY, YYYY-MM or YYYY-MM-DD")
    result = vault_cli.run(
        "ingest", str(narrative), "--case", case_id, "--stated-date", date, secrets=[PASS], check=False
    )
    clear_failure(result, 1, "YYYY, YYYY-MM or YYYY-MM-DD")


def test_text_that_is_not_utf8_is_bad_usage(vault_cli: Cli) -> None:
    result = vault_cli.run("case", "new", os.fsdecode(b"caf\xe9"), secrets=[PASS], check=False)
    clear_failure(result, 2, "not UTF-8")


# -- a narrative too long to be one --------------------------------------------------------


def test_a_narrative_beyond_the_bound_is_refused_at_once(
    vault_cli: Cli, case_id: str, tmp_path: Path
) -> None:
    narrative = tmp_path / "huge.txt"
    narrative.write_bytes("Свідок бачив. ".encode() * 400_000)  # 10 MB
    started = time.monotonic()
    result = vault_cli.run(
        "testimony", "new", "--case", case_id, "--narrative-file", str(narrative), secrets=[PASS], check=False
    )
    clear_failure(result, 1, "longer than 4 MiB", "1,000,000 characters")
    assert time.monotonic() - started < 30
    result = vault_cli.run(
        "testimony",
        "new",
        "--case",
        case_id,
        "--narrative-file",
        "-",
        secrets=[PASS],
        stdin="x" * (5 << 20),
        check=False,
    )
    clear_failure(result, 1, "longer than 4 MiB")


# -- another program holds the write lock ------------------------------------------------------


def test_a_locked_database_is_not_called_a_full_disk(vault_cli: Cli) -> None:
    holder = Vault.open(vault_cli.vault, PASS, keyring=NoKeyring())
    try:
        # A write transaction (BEGIN IMMEDIATE) held as a long write by another program would.
        with holder.services.context.sessions.begin() as session:
            session.execute(text("UPDATE settings SET value = value"))
            result = vault_cli.run("case", "new", "Case", secrets=[PASS], check=False)
    finally:
        holder.lock()
    clear_failure(result, 1, "Another program is writing to this vault")
    assert "disk" not in result.stderr


# -- names shown on a terminal ---------------------------------------------------------------------


def test_control_characters_in_names_are_escaped_when_shown(
    vault_cli: Cli, case_id: str, tmp_path: Path
) -> None:
    source = tmp_path / ESCAPE_NAME
    source.write_text("evidence", encoding="utf-8")
    item = vault_cli.json("ingest", str(source), "--case", case_id, secrets=[PASS])
    shown = vault_cli.run("evidence", "show", item["id"], secrets=[PASS])
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "\\x1b]0;pwned\\x07evil.txt" in shown.stdout
    out = tmp_path / "out"
    out.mkdir()
    exported = vault_cli.run("evidence", "export", item["id"], str(out), secrets=[PASS])
    assert "\x1b" not in exported.stdout and "\\x1b]0;pwned" in exported.stdout
    assert (out / ESCAPE_NAME).read_text(encoding="utf-8") == "evidence"
    missing = vault_cli.run(
        "ingest", str(tmp_path / ("gone" + ESCAPE_NAME)), "--case", case_id, secrets=[PASS], check=False
    )
    clear_failure(missing, 1, "no such file")
    assert "\x1b" not in missing.stderr and "\x07" not in missing.stderr
    again = vault_cli.run("evidence", "export", item["id"], str(out), secrets=[PASS], check=False)
    clear_failure(again, 1, "already exists")
    assert "\x1b" not in again.stderr


# -- export targets from the command line ----------------------------------------------------------


def test_export_refuses_a_fifo_and_writes_0600(vault_cli: Cli, case_id: str, tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"\xff\xd8" + b"x" * 5000)
    item = vault_cli.json("ingest", str(source), "--case", case_id, secrets=[PASS])
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = vault_cli.run(
        "evidence", "export", item["id"], str(fifo), "--overwrite", secrets=[PASS], check=False
    )
    clear_failure(result, 1, "not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    exported = vault_cli.json("evidence", "export", item["id"], str(tmp_path / "copy.jpg"), secrets=[PASS])
    assert stat.S_IMODE(Path(exported["path"]).stat().st_mode) == 0o600
