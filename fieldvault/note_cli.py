"""``fieldvault note``: a quick note (title, text and files) taken down when
there is no time for the full testimony, completed later (docs/cli.md).

A note is a testimony marked to complete (db/quick_notes.py); its files go
through the ordinary intake and are linked to it as its evidence. Parsing
and wiring only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from db.api import FieldvaultError, Vault
from fieldvault.passphrases import SecretSource
from fieldvault.textinput import CommandRefused, UsageError, add_text_option, terminal_safe

Opener = Callable[[argparse.Namespace, SecretSource], Vault]


class Output(Protocol):
    def result(self, data: dict[str, Any], human: str) -> None: ...

    def rows(self, rows: list[dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None: ...


def add_note_parser(commands: Any) -> None:
    note = commands.add_parser(
        "note",
        help="a quick note: title, text and files now, the full testimony later "
        "(listed as to complete until then)",
    )
    note.add_argument("--case", help="case id")
    add_text_option(note, "--title", "the note's title")
    add_text_option(note, "--text", "the note's text", one_line=False)
    note.add_argument("files", nargs="*", type=Path, metavar="FILE", help="files to attach as its evidence")
    mode = note.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="list the case's notes still to complete")
    mode.add_argument("--done", metavar="ID", help="mark a note complete (it stays a testimony)")


def cmd_note(args: argparse.Namespace, out: Output, secrets: SecretSource, open_vault: Opener) -> None:
    from db.api import attach_to_note as attach
    from db.api import take_quick_note, to_complete

    if args.done:
        _refuse_with(args, "--done", ("case", "title", "text", "files"))
        with open_vault(args, secrets) as vault:
            testimony = vault.testimonies.get(args.done)
            if testimony.to_complete:
                from dataclasses import replace

                vault.testimonies.update(replace(testimony, to_complete=False))
        out.result({"id": args.done, "to_complete": False}, f"{args.done} is complete.")
        return
    if not args.case:
        raise UsageError("Give the case: --case ID.")
    if args.list:
        _refuse_with(args, "--list", ("title", "text", "files"))
        with open_vault(args, secrets) as vault:
            notes = to_complete(vault.services, args.case)
        out.rows(
            [{"id": t.id, "title": t.title} for t in notes],
            lambda r: f"{r['id']}  {terminal_safe(r['title'])}",
        )
        return
    if not args.title.strip():
        raise UsageError("A note needs a title: --title-file F (or --title T).")
    missing = [path for path in args.files if not path.is_file()]
    if missing:  # before anything is stored
        raise CommandRefused(f"Not a file: {terminal_safe(str(missing[0]))}.")
    with open_vault(args, secrets) as vault:
        note = take_quick_note(vault.services, args.case, args.title.strip(), args.text)
        evidence: list[str] = []
        not_attached: list[str] = []
        for path in args.files:
            try:
                evidence.append(attach(vault.services, note.testimony, path))
            except (FieldvaultError, OSError) as err:
                reason = (
                    str(err) if isinstance(err, FieldvaultError) else (err.strerror or type(err).__name__)
                )
                print(
                    f"fieldvault: {terminal_safe(str(path))} not attached: {terminal_safe(reason)}",
                    file=sys.stderr,
                )
                not_attached.append(str(path))
    out.result(
        {"id": note.testimony.id, "evidence": evidence, "not_attached": not_attached, "to_complete": True},
        f"{note.testimony.id} (to complete; {len(evidence)} file(s) attached)",
    )
    if not_attached:
        raise CommandRefused(
            f"The note {note.testimony.id} is saved; {len(not_attached)} file(s) not attached."
        )


def _refuse_with(args: argparse.Namespace, mode: str, others: tuple[str, ...]) -> None:
    given = [name for name in others if getattr(args, name)]
    if given:
        raise UsageError(f"{mode} takes no --{given[0]}.".replace("--files", "FILE"))
