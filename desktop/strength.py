"""The passphrase meter: the passphrase rule's verdict (db/passphrase_policy.py,
from zxcvbn's estimate and the vault's Argon2id cost) as the user types, with
our own translated words, and a suggestion of random words when the rule
refuses what was typed.

The meter only shows; the rule decides. ``acceptable`` is what the pages use
to enable their Create / Change button, and they check again on submit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.i18n import Retranslating

if TYPE_CHECKING:
    from db.api import Argon2Params


def strength_score(passphrase: str) -> int:
    """0 (guessable in seconds) to 4 (very unguessable), zxcvbn's score."""
    if not passphrase:
        return 0
    from db.api import CREATION_FLOOR, judge_passphrase

    return judge_passphrase(passphrase, CREATION_FLOOR).score


class StrengthMeter(Retranslating, QWidget):
    """``argon2``: the vault's cost (None: a vault not made yet, judged at the
    cheapest cost calibration may pick). ``verdict_changed(acceptable)`` after
    each change of the text."""

    verdict_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, argon2: Argon2Params | None = None) -> None:
        super().__init__(parent)
        self.argon2 = argon2
        # The last verdict, to say again in another language (never the passphrase).
        self._score: int | None = None
        self.acceptable = False
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

    def refused_verdict(self) -> str:
        return self.tr("Too easy to guess: add more words")

    def _verdict_text(self) -> str:
        if self._score is None:
            return ""
        return self.verdicts()[self._score] if self.acceptable else self.refused_verdict()

    @Slot(str)
    def update_for(self, passphrase: str) -> int:
        if passphrase:
            from db.api import CREATION_FLOOR, judge_passphrase

            judgement = judge_passphrase(passphrase, self.argon2 or CREATION_FLOOR)
            # Refused, the bar never looks strong, whatever zxcvbn's score.
            score = judgement.score if judgement.acceptable else min(judgement.score, 1)
            self.acceptable = judgement.acceptable
        else:
            score = 0
            self.acceptable = False
        self._score = score if passphrase else None
        self.bar.setValue(score)
        self.verdict.setText(self._verdict_text())
        colours = ["#b00020", "#d35400", "#b7950b", "#1e8449", "#145a32"]
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colours[score]}; }}")
        self.verdict_changed.emit(self.acceptable)
        return score

    def clear(self) -> None:
        self.update_for("")

    def retranslate(self) -> None:
        self.bar.setAccessibleName(self.tr("Passphrase strength"))
        self.verdict.setText(self._verdict_text())


class PassphraseSuggestion(Retranslating, QWidget):
    """Six random words the user may take (``use_requested``) or ignore; a
    new draw on request. Shown by the pages when the rule refuses what was
    typed. The words are on screen only: never copied, stored or logged."""

    use_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.words = QLabel()
        font = self.words.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.words.setFont(font)
        self.words.setWordWrap(True)
        self.another_button = QPushButton()
        self.use_button = QPushButton()
        self.another_button.clicked.connect(self.draw)
        self.use_button.clicked.connect(lambda: self.use_requested.emit(self.words.text()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.another_button)
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.explanation)
        layout.addWidget(self.words)
        layout.addLayout(buttons)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.explanation.setText(
            self.tr(
                "Suggestion: six words drawn at random. Easy to type, very hard to guess. "
                "Write them down until you know them, and keep the paper safe."
            )
        )
        self.another_button.setText(self.tr("Another suggestion"))
        self.use_button.setText(self.tr("Use this passphrase"))

    @Slot()
    def draw(self) -> None:
        from db.api import suggest_passphrase

        try:
            self.words.setText(suggest_passphrase())
        except RuntimeError:  # the word list is not installed: no suggestion
            self.hide()

    def offer(self, refused: bool) -> None:
        """Show a suggestion while the rule refuses what was typed."""
        if refused and self.isHidden():
            self.draw()
        if refused and self.words.text():
            self.show()
        elif not refused:
            self.hide()

    def forget(self) -> None:
        self.words.clear()
        self.hide()
