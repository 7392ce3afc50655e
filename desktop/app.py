"""Placeholder replaced in the next commit by the minimal window."""

from __future__ import annotations


def run_gui(argv: list[str]) -> int:
    raise SystemExit("The desktop window is not built yet; use the command line (fieldvault --help).")
