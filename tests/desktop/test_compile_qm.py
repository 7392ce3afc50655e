"""tests/gui_helpers.compile_qm runs lrelease once per .ts content in a test
process: a test that compiles the same .ts gets exactly what lrelease makes
of it, and a changed .ts is compiled afresh (what it translates is seen)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtCore import QTranslator

from tests.gui_helpers import TS_FILE, compile_qm, qt_tool, write_ts


def test_a_second_compile_of_the_same_ts_is_what_lrelease_makes_of_it(tmp_path: Path) -> None:
    first = compile_qm(TS_FILE, tmp_path / "first.qm")
    second = compile_qm(TS_FILE, tmp_path / "second.qm")
    fresh = tmp_path / "fresh.qm"
    subprocess.run(
        [qt_tool("lrelease"), str(TS_FILE), "-qm", str(fresh)], check=True, capture_output=True, timeout=120
    )
    assert second.read_bytes() == first.read_bytes() == fresh.read_bytes()


def test_a_changed_ts_is_compiled_afresh(tmp_path: Path) -> None:
    ts = tmp_path / "probe.ts"

    def translated(word: str, name: str) -> str | None:
        write_ts(ts, {("Probe", "Hello"): word})
        translator = QTranslator()
        assert translator.load(str(compile_qm(ts, tmp_path / name)))
        return translator.translate("Probe", "Hello")

    assert translated("Привіт", "a.qm") == "Привіт"
    assert translated("Вітаю", "b.qm") == "Вітаю"
    assert translated("Привіт", "c.qm") == "Привіт"
