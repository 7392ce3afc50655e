"""Where ``resources/`` (icons, translations, vocabularies) is, however Fieldvault runs.

Three ways to run, one answer each:

- frozen (the PyInstaller app of packaging/fieldvault.spec): the spec copies
  ``resources/`` into the bundle, which PyInstaller unpacks at ``sys._MEIPASS``;
- from a checkout (``make``, an editable install): ``resources/`` beside the packages;
- installed from the wheel (``pip install .``): the wheel carries the files as
  data files (pyproject.toml, ``[tool.setuptools.data-files]``), installed under
  ``<prefix>/share/fieldvault``; the package's own file list says where that is,
  so a venv, a ``--user`` install and a system install all work.

Kept free of Qt and of the vault stack: the GUI's start-up and the sandboxed
parser both import it.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib import metadata
from pathlib import Path

# A file every complete resources/ has: a folder without it is not ours (a
# stray top-level "resources" of another package in site-packages, say).
MARKER = ("vocabularies", "violation_types.json")
DISTRIBUTION = "fieldvault"
# Where the wheel's data files land, relative to the install prefix.
INSTALLED_SUBDIR = ("share", "fieldvault")


def resources_dir() -> Path:
    """The folder holding ``icons/``, ``translations/`` and ``vocabularies/``.

    Not cached: it is a stat or two, and tests switch between frozen and not.
    When no complete copy is found, the checkout's path is returned, so that a
    missing file is reported by whoever opens it, by name."""
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader only
    if bundle:
        return Path(bundle) / "resources"
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.joinpath(*MARKER).is_file():
        return checkout
    installed = installed_resources_dir()
    return installed if installed is not None else checkout


@cache
def installed_resources_dir() -> Path | None:
    """``<prefix>/share/fieldvault`` of the installed wheel, found through the
    distribution's RECORD (not guessed from ``sys.prefix``: a ``--user``
    install has another prefix), or None when no installed copy has it."""
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    wanted = (*INSTALLED_SUBDIR, *MARKER)
    for file in distribution.files or ():
        if tuple(file.parts[-len(wanted) :]) == wanted:
            marker = Path(str(distribution.locate_file(file))).resolve()
            if marker.is_file():
                return marker.parent.parent
    return None
