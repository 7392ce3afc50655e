"""Sensitive text need not be an argument: a case title, a search query, a
place, a source or a description can come from a file, from standard input or
from a prompt on the terminal, so it never shows in ``/proc/*/cmdline`` or
the shell's history. The positional forms of DESIGN.md's contract still work.

Standard input feeds one thing: ``--passphrase-fd 0`` with ``--narrative-file -``
used to store an empty narrative; it is now refused (exit 2) and nothing is
stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import REPO, Cli

PASS = "a long field passphrase"
TITLE = "Ізюм, масове поховання, вересень 2022"
QUERY = "поховання"


@pytest.fixture
def vault_cli(cli: Cli) -> Cli:
    cli.create_fast(PASS)
    return cli


def titles(cli: Cli) -> list[str]:
    rows = cli.json("case", "list", secrets=[PASS])
    return [r["title"] for r in (rows if isinstance(rows, list) else [rows])]


def test_a_case_title_and_description_from_stdin_and_a_file(vault_cli: Cli, tmp_path: Path) -> None:
    description = tmp_path / "description.txt"
    description.write_text("Свідок A.\nСвідок B.\n", encoding="utf-8")
    created = vault_cli.json(
        "case",
        "new",
        "--title-file",
        "-",
        "--description-file",
        str(description),
        secrets=[PASS],
        stdin=TITLE + "\n",
    )
    assert titles(vault_cli) == [TITLE]  # the final newline of the line is not part of the title
    hits = vault_cli.json("search", "--query-file", "-", secrets=[PASS], stdin="Свідок")
    assert hits["id"] == created["id"]


def test_the_positional_forms_still_work(vault_cli: Cli) -> None:
    created = vault_cli.json("case", "new", TITLE, "--description", "опис", secrets=[PASS])
    assert titles(vault_cli) == [TITLE]
    assert vault_cli.json("search", QUERY, secrets=[PASS])["id"] == created["id"]


def test_text_and_its_file_together_is_bad_usage(vault_cli: Cli, tmp_path: Path) -> None:
    title = tmp_path / "title.txt"
    title.write_text(TITLE, encoding="utf-8")
    result = vault_cli.run("case", "new", "Other", "--title-file", str(title), secrets=[PASS], check=False)
    assert result.returncode == 2 and "not both" in result.stderr
    assert titles(vault_cli) == []


def test_a_missing_title_without_a_terminal_is_bad_usage(vault_cli: Cli) -> None:
    result = vault_cli.run("case", "new", secrets=[PASS], check=False)
    assert result.returncode == 2
    assert "--title-file" in result.stderr and "terminal" in result.stderr
    result = vault_cli.run("search", secrets=[PASS], check=False)
    assert result.returncode == 2 and "--query-file" in result.stderr


def run_on_a_terminal(cli: Cli, typed: str, *args: str) -> tuple[int, str, str]:
    """Run with a pseudo-terminal as standard input, ``typed`` already typed
    on it; the passphrase comes on fd 3."""
    master, slave = os.openpty()
    read_end, write_end = os.pipe()
    os.write(write_end, (PASS + "\n").encode())
    os.close(write_end)
    os.write(master, typed.encode())
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "fieldvault",
                "--vault",
                str(cli.vault),
                "--passphrase-fd",
                str(read_end),
                *args,
            ],
            stdin=slave,
            capture_output=True,
            text=True,
            env=cli.env,
            pass_fds=(read_end,),
            timeout=120,
            cwd=REPO,
        )
    finally:
        for fd in (master, slave, read_end):
            os.close(fd)
    return result.returncode, result.stdout, result.stderr


def test_on_a_terminal_the_title_and_the_query_are_asked_for(vault_cli: Cli) -> None:
    code, out, err = run_on_a_terminal(vault_cli, TITLE + "\n", "--json", "case", "new")
    assert code == 0, err
    assert "Case title: " in err
    assert titles(vault_cli) == [TITLE]
    code, out, err = run_on_a_terminal(vault_cli, QUERY + "\n", "--json", "search")
    assert code == 0 and "Search for: " in err
    assert '"type": "case"' in out


def test_evidence_text_from_files(vault_cli: Cli, tmp_path: Path) -> None:
    case = vault_cli.json("case", "new", "Case", secrets=[PASS])
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    (tmp_path / "source.txt").write_text("Надав свідок W-7 на флешці\n", encoding="utf-8")
    (tmp_path / "place.txt").write_text("Ізюм, вул. Шевченка\n", encoding="utf-8")
    (tmp_path / "description.txt").write_text("Фото з місця.\nДругий рядок.", encoding="utf-8")
    row = vault_cli.json(
        "ingest",
        str(photo),
        "--case",
        case["id"],
        "--source-file",
        str(tmp_path / "source.txt"),
        "--stated-place-file",
        str(tmp_path / "place.txt"),
        "--description-file",
        str(tmp_path / "description.txt"),
        secrets=[PASS],
    )
    shown = vault_cli.json("evidence", "show", row["id"], secrets=[PASS])
    assert shown["source"] == "Надав свідок W-7 на флешці"
    assert shown["stated_place"] == "Ізюм, вул. Шевченка"
    assert shown["description"] == "Фото з місця.\nДругий рядок."


def test_a_testimony_title_from_a_file(vault_cli: Cli, tmp_path: Path) -> None:
    case = vault_cli.json("case", "new", "Case", secrets=[PASS])
    (tmp_path / "title.txt").write_text("W-7, Ізюм\n", encoding="utf-8")
    (tmp_path / "narrative.txt").write_text("Свідок бачив…\n", encoding="utf-8")
    vault_cli.json(
        "testimony",
        "new",
        "--case",
        case["id"],
        "--title-file",
        str(tmp_path / "title.txt"),
        "--narrative-file",
        str(tmp_path / "narrative.txt"),
        secrets=[PASS],
    )
    assert vault_cli.json("testimony", "list", secrets=[PASS])["title"] == "W-7, Ізюм"


def run_with_passphrase_on_stdin(cli: Cli, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fieldvault", "--vault", str(cli.vault), "--passphrase-fd", "0", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=cli.env,
        timeout=120,
        cwd=REPO,
    )


def test_passphrase_and_narrative_both_on_stdin_is_refused_not_stored_empty(vault_cli: Cli) -> None:
    case = vault_cli.json("case", "new", "Case", secrets=[PASS])
    result = run_with_passphrase_on_stdin(
        vault_cli,
        PASS + "\nСвідок бачив…\n",
        "testimony",
        "new",
        "--case",
        case["id"],
        "--narrative-file",
        "-",
    )
    assert result.returncode == 2
    assert "--passphrase-fd 0" in result.stderr and "--narrative-file -" in result.stderr
    assert vault_cli.run("--json", "testimony", "list", secrets=[PASS]).stdout.strip() == ""


def test_two_texts_from_stdin_are_refused(vault_cli: Cli) -> None:
    case = vault_cli.json("case", "new", "Case", secrets=[PASS])
    result = vault_cli.run(
        "testimony",
        "new",
        "--case",
        case["id"],
        "--title-file",
        "-",
        "--narrative-file",
        "-",
        secrets=[PASS],
        stdin="W-7\nСвідок бачив…\n",
        check=False,
    )
    assert result.returncode == 2 and "--title-file -" in result.stderr
    result = run_with_passphrase_on_stdin(
        vault_cli, PASS + "\n" + TITLE + "\n", "case", "new", "--title-file", "-"
    )
    assert result.returncode == 2
    assert titles(vault_cli) == ["Case"]


def test_the_passphrase_alone_on_stdin_still_works(vault_cli: Cli) -> None:
    result = run_with_passphrase_on_stdin(vault_cli, PASS + "\n", "--json", "case", "new", TITLE)
    assert result.returncode == 0, result.stderr
    assert titles(vault_cli) == [TITLE]
