"""Text for the command line that should not be an argument, and text that
is shown on a terminal.

A case title, a search query, a place or a source typed as an argument is
visible to every user of the machine (``/proc/*/cmdline``, ``ps``) and stays
in the shell's history. Each such option therefore has a ``--…-file F``
twin (``-`` for standard input); a required one (a case title, a search
query) is asked for on the terminal when neither is given.

Text from the vault or from file names may hold control characters: an
``ESC ]0;…`` in a file name would retitle the terminal, a ``\\r`` hide what
came before. ``terminal_safe`` escapes them before anything is printed.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from db.api import FieldvaultError

# The vault refuses a text field of more than 1,000,000 characters (at most 4
# bytes each in UTF-8). Reading stops here, before the whole of a mistaken
# 50 MB file is read, decoded and indexed.
MAX_TEXT_FILE_BYTES = 4 * 1024 * 1024


class UsageError(FieldvaultError):
    """The command line itself is wrong (exit status 2, like argparse's errors)."""


class CommandRefused(FieldvaultError):
    """A file, folder or answer given to a command is refused (exit status 1).

    The CLI's own errors carry no code: they never reach the GUI, which
    translates the core's errors from their codes (db/errors.py)."""


@dataclass(frozen=True)
class TextOption:
    """An option ``--NAME`` with its twin ``--NAME-file``."""

    dest: str  # the argparse dest of the text itself
    flag: str  # e.g. "--title"
    what: str  # e.g. "the case title", for messages
    one_line: bool = True  # strip one final newline (echo adds it)
    prompt: str | None = None  # asked on a terminal when required and not given

    @property
    def file_dest(self) -> str:
        return f"{self.dest}_file"

    @property
    def file_flag(self) -> str:
        return f"--{self.dest.replace('_', '-')}-file"


def add_text_option(
    parser: argparse.ArgumentParser,
    flag: str,
    what: str,
    *,
    positional: bool = False,
    one_line: bool = True,
    prompt: str | None = None,
) -> None:
    """Add ``flag`` (or a positional of that name) and ``flag-file``; list
    them for ``resolve_text_options``."""
    dest = flag.lstrip("-").replace("-", "_")
    option = TextOption(dest, flag, what, one_line, prompt)
    if positional:
        parser.add_argument(
            dest, nargs="?", default=None, help=f"{what} (visible to other users: prefer {option.file_flag})"
        )
    else:
        parser.add_argument(
            flag, default=None, help=f"{what} (visible to other users: prefer {option.file_flag})"
        )
    parser.add_argument(
        option.file_flag, type=Path, default=None, metavar="F", help=f"read {what} from F (- for stdin)"
    )
    options: list[TextOption] = (
        [*parser.get_default("text_options"), option] if parser.get_default("text_options") else [option]
    )
    parser.set_defaults(text_options=options)


def stdin_users(args: argparse.Namespace, other_files: dict[str, Path | None]) -> list[str]:
    """The options that would read standard input."""
    users = ["--passphrase-fd 0"] if args.passphrase_fd == 0 else []
    for option in getattr(args, "text_options", []):
        if str(getattr(args, option.file_dest)) == "-":
            users.append(f"{option.file_flag} -")
    users += [f"{flag} -" for flag, path in other_files.items() if str(path) == "-"]
    return users


def check_stdin_once(args: argparse.Namespace, other_files: dict[str, Path | None]) -> None:
    """Standard input can feed one thing: ``--passphrase-fd 0`` reads it to
    the end, so a narrative from ``-`` after it would be empty."""
    users = stdin_users(args, other_files)
    if len(users) > 1:
        raise UsageError(
            f"Standard input can feed only one of {', '.join(users)}. "
            "Give the passphrase on another descriptor (e.g. --passphrase-fd 3 3<file) "
            "or the text in a file."
        )


def resolve_text_options(args: argparse.Namespace) -> None:
    """Replace each listed text option by its value: the argument, the
    file's text, or the answer on the terminal."""
    for option in getattr(args, "text_options", []):
        value = getattr(args, option.dest)
        source = getattr(args, option.file_dest)
        if value is not None and source is not None:
            raise UsageError(
                f"Give {option.what} either as an argument or with {option.file_flag}, not both."
            )
        if source is not None:
            value = read_text_file(source, option.what)
            if option.one_line:
                value = value.removesuffix("\n").removesuffix("\r")
        elif value is None and option.prompt is not None:
            value = ask(option)
        setattr(args, option.dest, value if value is not None else "")


def ask(option: TextOption) -> str:
    if not sys.stdin.isatty():
        raise UsageError(
            f"{option.what.capitalize()} is required: give it with {option.file_flag} F "
            "(- for standard input), or run on a terminal to be asked."
        )
    assert option.prompt is not None
    print(option.prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"No {option.what} given.")
    return line.removesuffix("\n").removesuffix("\r")


def read_text_file(path: Path, what: str) -> str:
    """A UTF-8 text file (``-``: standard input) of at most MAX_TEXT_FILE_BYTES."""
    from sync.bundle.regular_file import open_regular  # here: this module is loaded by every command

    shown = "standard input" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_TEXT_FILE_BYTES + 1)
        else:
            # A named pipe or device (a stick can carry one) is refused, not waited on.
            with open_regular(path) as handle:
                data = handle.read(MAX_TEXT_FILE_BYTES + 1)
    except OSError as err:
        raise CommandRefused(
            f"Cannot read {what} from {shown}: {err.strerror or type(err).__name__}."
        ) from None
    if len(data) > MAX_TEXT_FILE_BYTES:
        raise CommandRefused(
            f"{what.capitalize()} from {shown} is longer than {MAX_TEXT_FILE_BYTES // (1024 * 1024)} MiB; "
            "a text field holds at most 1,000,000 characters. Split it, or add it as an evidence file."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandRefused(f"{what.capitalize()} from {shown} is not UTF-8 text.") from None


# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional
# overrides and isolates that reorder what a line seems to say.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``)."""
    return _UNSAFE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


def check_utf8_arguments(args: argparse.Namespace) -> None:
    """Text arguments that are not UTF-8 (bytes the shell passed through)
    cannot be stored; file names may be anything and are not checked."""
    for name, value in vars(args).items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise UsageError(f"The value of {name.replace('_', '-')} is not UTF-8 text.") from None
