"""A passphrase strength meter, from zxcvbn's estimate (a well-kept
implementation of Dropbox's estimator), with our own translated verdicts."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

# zxcvbn's estimate is costly for very long inputs; past this, length alone
# makes a passphrase strong enough and the tail is not scored.
MAX_SCORED_CHARS = 100


def strength_score(passphrase: str) -> int:
    """0 (guessable in seconds) to 4 (very unguessable)."""
    if not passphrase:
        return 0
    from zxcvbn import zxcvbn

    return int(zxcvbn(passphrase[:MAX_SCORED_CHARS])["score"])


class StrengthMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The last verdict, to say again in another language (never the passphrase).
        self._score: int | None = None
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(self.tr("Passphrase strength"))
        self.verdict = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.verdict)
        self.update_for("")

    def verdicts(self) -> list[str]:
        return [
            self.tr("Very weak: guessed in seconds"),
            self.tr("Weak"),
            self.tr("Fair: add more words"),
            self.tr("Strong"),
            self.tr("Very strong"),
        ]

    def update_for(self, passphrase: str) -> int:
        score = strength_score(passphrase)
        self._score = score if passphrase else None
        self.bar.setValue(score if passphrase else 0)
        self.verdict.setText(self.verdicts()[score] if passphrase else "")
        colours = ["#b00020", "#d35400", "#b7950b", "#1e8449", "#145a32"]
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colours[score]}; }}")
        return score

    def clear(self) -> None:
        self.update_for("")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.bar.setAccessibleName(self.tr("Passphrase strength"))
            self.verdict.setText("" if self._score is None else self.verdicts()[self._score])
        super().changeEvent(event)
