"""The frozen app's entry point (packaging/fieldvault.spec): the same
``main`` as the ``fieldvault`` command, which also answers the sandboxed
parser's ``--sandbox-worker`` and ``--selftest``; and, before any of the
app is imported, the parser sandbox's zygote (``--sandbox-zygote FD``,
db/sandbox_zygote.py), which a frozen app cannot start as ``python -m``."""

from __future__ import annotations

import sys

# db/sandbox_zygote.py ZYGOTE_ARGUMENT (tests/db/test_frozen_zygote.py checks
# they agree); a literal, so that no other platform's start imports that module.
ZYGOTE_ARGUMENT = "--sandbox-zygote"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == [ZYGOTE_ARGUMENT]:
        # Before fieldvault.__main__ is imported: the zygote is what
        # ``python -m db.sandbox_zygote`` runs, with nothing of the command
        # line's start-up added (a source install starts it that way).
        from db.sandbox_zygote import main as zygote_main

        return zygote_main(args[1:])
    from fieldvault.__main__ import main as app_main

    return app_main(args)


if __name__ == "__main__":
    sys.exit(main())
