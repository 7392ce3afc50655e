"""Qt's own messages: never the content of a file or a record.

Qt Multimedia's FFmpeg backend logs, when it opens a file, FFmpeg's dump of
the container: title, comment, GPS location, every metadata tag. A desktop
session sends stderr to the system journal, so a witness named in a video's
title would be written to disk in plaintext by merely playing it.

Three layers, all in Qt's C++ (no Python message handler: Qt Multimedia logs
from its own threads, and a Python handler there would need the GIL that the
GUI thread may hold while it waits for those threads):

1. ``QT_LOGGING_RULES`` (set before the application object exists, after any
   rules the user set, so ours win) and ``QLoggingCategory.setFilterRules``
   turn off every ``qt.multimedia*`` category at every level: the FFmpeg dump
   is never even formatted. ``QT_FFMPEG_DEBUG``, which raises FFmpeg's own
   log level, is removed from the environment before the backend loads.
2. ``QT_MESSAGE_PATTERN`` / ``qSetMessagePattern``: whatever Qt message still
   reaches its default handler is printed as its type and category only,
   with the message text withheld (a widget warning could quote a string).
3. The evidence viewer applies layer 1 again before it creates its player, so
   it is silent wherever it is embedded.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QLoggingCategory, qSetMessagePattern

MEDIA_RULES = ("qt.multimedia*=false", "qt.multimedia.*=false")
MESSAGE_PATTERN = "qt %{type} %{category}: (message withheld)"


def silence_media_logs() -> None:
    """Layer 1 at run time: Qt Multimedia's categories off, FFmpeg debug off."""
    os.environ.pop("QT_FFMPEG_DEBUG", None)
    QLoggingCategory.setFilterRules("\n".join(MEDIA_RULES))


def prepare_qt_logging() -> None:
    """Before the QApplication is created (``run_gui``): layers 1 and 2."""
    os.environ.pop("QT_FFMPEG_DEBUG", None)
    rules = [rule for rule in os.environ.get("QT_LOGGING_RULES", "").split(";") if rule.strip()]
    os.environ["QT_LOGGING_RULES"] = ";".join([*rules, *MEDIA_RULES])  # later rules win
    os.environ["QT_MESSAGE_PATTERN"] = MESSAGE_PATTERN  # the environment overrides the call below
    qSetMessagePattern(MESSAGE_PATTERN)
    silence_media_logs()
