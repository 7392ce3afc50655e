"""The frozen app's entry point (packaging/fieldvault.spec): the same
``main`` as the ``fieldvault`` command, which also answers the sandboxed
parser's ``--sandbox-worker`` and ``--selftest``."""

import sys

from fieldvault.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
