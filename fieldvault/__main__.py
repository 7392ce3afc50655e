"""``fieldvault``: with a command, the command line; without one, the GUI."""

from __future__ import annotations

import sys

from db.api import harden_process
from fieldvault.options import split_global_options


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--sandbox-worker"]:  # a packaged build's parser child (db/sandbox.py)
        from db.api import sandbox_worker_main as sandbox_worker

        return sandbox_worker(args[1:])
    if args[:1] == ["--bundle-decrypt"]:  # a packaged build's age decryption child (sync/bundle/age_child.py)
        from sync.bundle.age_child import child_main

        return child_main(args[1:])
    harden_process()  # no core dumps, ids-only logs: before any vault is opened
    options, command = split_global_options(args)  # exits 2 on a bad global option
    if options.selftest:  # fieldvault/selftest.py: throw-away vaults, one line, exit 0 or 1
        from fieldvault.selftest import run_selftest

        return run_selftest()
    if not command:
        from desktop.app import run_gui

        return int(run_gui(options.vault))
    from fieldvault.cli import run_cli

    return run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
