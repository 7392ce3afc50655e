"""The exports' own refusals, coded like the vault's errors (db/errors.py) so
that the GUI translates them from the code (desktop/messages.py). Most
refusals reuse the vault's codes: a target that exists or is a link
(``export-target-*``), a case that is not there (``not-found``), a cancel
(``cancelled``)."""

from __future__ import annotations

from typing import ClassVar

from db.api import Codes, FieldvaultError, InvalidInput


class ExportFailed(FieldvaultError):
    codes: ClassVar[Codes] = {
        # No TrueType font with Cyrillic was found for the PDF report.
        "export-font-missing": (),
    }

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code)


def font_missing() -> ExportFailed:
    return ExportFailed(
        "No font with Cyrillic letters was found for the PDF report (DejaVu Sans or Arial). "
        "Install the fonts-dejavu-core package, or set FIELDVAULT_REPORT_FONT to a .ttf file; "
        "nothing was written.",
        "export-font-missing",
    )


class ExportRefused(InvalidInput):
    codes: ClassVar[Codes] = {
        # The purpose named for an export is not one of the consent scopes.
        "export-purpose-unknown": ("purpose",),
    }


def purpose_unknown(purpose: str, choices: tuple[str, ...]) -> ExportRefused:
    return ExportRefused(
        f"export: unknown purpose {purpose!r}; choose one of {', '.join(choices)}. Nothing was written.",
        "export-purpose-unknown",
        field="purpose",
        purpose=purpose,
    )
