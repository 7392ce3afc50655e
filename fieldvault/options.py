"""The global options (``--vault``, ``--passphrase-fd``, ``--json``, ``--selftest``), defined once.

The command line's parser and ``fieldvault``'s entry point (which decides
between the GUI and a command) both take them from here, so ``--vault ~/x``
names the same folder for both, and a bad global option is bad usage (exit
status 2) whether a command follows or not. Kept light: the GUI's start-up
imports it, and the vault stack (``db.vault``) must not load before the
first screen shows.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from db.api import default_vault_dir
from fieldvault.passphrases import fd_number


def vault_path(text: str) -> Path:
    """``--vault DIR`` (argparse type): ``~`` and ``~user`` expand here, as
    the shell would (it does not in ``--vault=~/x``); an unknown user's
    ``~user`` stays as written, as in the shell."""
    return Path(os.path.expanduser(text))  # noqa: PTH111 - Path.expanduser raises on an unknown ~user


# The options a command also takes after its name (``fieldvault info --json``).
# ``--selftest`` is not among them: it replaces any command.
AFTER_COMMAND = ("--vault", "--passphrase-fd", "--json")


def _add_command_options(parser: argparse._ActionsContainer, default: object = None) -> None:
    parser.add_argument(
        "--vault",
        type=vault_path,
        metavar="DIR",
        help="vault folder (default: FIELDVAULT_HOME or the user data dir)",
        default=default,
    )
    parser.add_argument(
        "--passphrase-fd",
        type=fd_number,
        metavar="N",
        help="read secrets from file descriptor N, one per line",
        default=default,
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="machine-readable output",
        default=False if default is None else default,
    )


def add_global_options(parser: argparse.ArgumentParser) -> None:
    _add_command_options(parser)
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check this installation end to end in a temporary folder (no real vault is touched)",
    )


def accept_global_options_after_commands(parser: argparse.ArgumentParser) -> None:
    """Let every command (and sub-command) of ``parser`` take the global
    options after its name too: ``fieldvault case list --json --vault V`` is
    ``fieldvault --json --vault V case list``.

    Each sub-parser gets the same options with ``SUPPRESS`` as default:
    argparse copies a sub-parser's results over the main namespace, and an
    option not given after the command then leaves no value there, so the one
    given before it (or the main parser's default) stands. Given in both
    places, the later one wins, as with a repeated option. A command that has
    an option of the same name keeps its own."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command in set(action.choices.values()):
            taken = set(command._option_string_actions)
            if not taken & set(AFTER_COMMAND):
                group = command.add_argument_group("global options (also accepted before the command)")
                _add_command_options(group, default=argparse.SUPPRESS)
            accept_global_options_after_commands(command)


def resolve_vault(args: argparse.Namespace) -> Path:
    """Fill in ``args.vault``: the given folder, else ``$FIELDVAULT_HOME``,
    else the platform's user data folder."""
    if args.vault is None:
        args.vault = default_vault_dir()
    folder: Path = args.vault
    return folder


def split_global_options(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The global options in ``argv`` (``vault`` resolved) and the rest: the
    command and its arguments, empty when there is no command (the GUI).
    Exits with status 2 on a bad global option, as the command line does.
    ``-h``/``--help`` is left in the rest: the command line's help answers it."""
    parser = argparse.ArgumentParser(prog="fieldvault", add_help=False)
    add_global_options(parser)
    options, rest = parser.parse_known_args(argv)
    resolve_vault(options)
    return options, rest
