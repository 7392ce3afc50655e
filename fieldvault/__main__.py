"""``fieldvault``: with a command, the command line; without one, the GUI."""

from __future__ import annotations

import sys

from db.hygiene import harden_process

GLOBAL_OPTIONS_WITH_VALUE = ("--vault", "--passphrase-fd")


def has_command(args: list[str]) -> bool:
    """True when ``args`` holds more than the global options."""
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg in GLOBAL_OPTIONS_WITH_VALUE:
            skip_next = True
        elif arg.startswith(tuple(f"{o}=" for o in GLOBAL_OPTIONS_WITH_VALUE)) or arg == "--json":
            continue
        else:
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--sandbox-worker"]:  # a packaged build's parser child (db/sandbox.py)
        from db.sandbox_worker import main as sandbox_worker

        return sandbox_worker(args[1:])
    harden_process()  # no core dumps, ids-only logs: before any vault is opened
    if not has_command(args):
        from desktop.app import run_gui

        return int(run_gui(args))
    from fieldvault.cli import run_cli

    return run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
