"""``fieldvault note`` as a user types it (issue 15): a quick note with its
title and text from files and two files attached, listed as to complete,
then completed; the text never on the command line."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Cli
from tests.vault_helpers import PASSPHRASE


def test_a_quick_note_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", "Ізюм", secrets=[PASSPHRASE])["id"]
    title, text = tmp_path / "title.txt", tmp_path / "text.txt"
    title.write_text("Підвал, вул. Шкільна\n", encoding="utf-8")
    text.write_text("Шість людей, два дні.\n", encoding="utf-8")
    photo, memo = tmp_path / "door.jpg", tmp_path / "memo.txt"
    photo.write_bytes(b"\xff\xd8\xff\xe0 door")
    memo.write_text("the neighbour said", encoding="utf-8")

    made = cli.json(
        "note", "--case", case, "--title-file", str(title), "--text-file", str(text), str(photo), str(memo),
        secrets=[PASSPHRASE],
    )  # fmt: skip
    assert made["to_complete"] is True and len(made["evidence"]) == 2 and made["not_attached"] == []
    shown = cli.json("testimony", "show", made["id"], "--narrative", secrets=[PASSPHRASE])
    assert shown["title"] == "Підвал, вул. Шкільна" and shown["narrative"] == "Шість людей, два дні.\n"
    assert sorted(e["id"] for e in shown["evidence"]) == sorted(made["evidence"])
    listed = cli.json("note", "--list", "--case", case, secrets=[PASSPHRASE])
    assert listed == {"id": made["id"], "title": "Підвал, вул. Шкільна"}

    done = cli.json("note", "--done", made["id"], secrets=[PASSPHRASE])
    assert done == {"id": made["id"], "to_complete": False}
    assert cli.run("--json", "note", "--list", "--case", case, secrets=[PASSPHRASE]).stdout.strip() == ""
    # The note's text stays what was typed: the mark alone changed.
    again = cli.json("testimony", "show", made["id"], "--narrative", secrets=[PASSPHRASE])
    assert again["narrative"] == "Шість людей, два дні.\n"


def test_a_note_needs_a_title_and_real_files(cli: Cli, tmp_path: Path) -> None:
    cli.create_fast(PASSPHRASE)
    case = cli.json("case", "new", "Ізюм", secrets=[PASSPHRASE])["id"]
    no_title = cli.run("note", "--case", case, secrets=[PASSPHRASE], check=False)
    assert no_title.returncode == 2 and "needs a title" in no_title.stderr
    title = tmp_path / "title.txt"
    title.write_text("Нотатка", encoding="utf-8")
    missing = cli.run(
        "note", "--case", case, "--title-file", str(title), str(tmp_path / "gone.jpg"),
        secrets=[PASSPHRASE], check=False,
    )  # fmt: skip
    assert missing.returncode == 1 and "Not a file" in missing.stderr
    assert cli.json("testimony", "list", "--case", case, secrets=[PASSPHRASE]) == []  # nothing stored
