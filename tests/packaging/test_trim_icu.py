"""packaging/trim_icu.py: the trimmed ICU data still gives Qt what the
selftest's locale step checks (Ukrainian and Russian collation, Cyrillic
converters, time-zone names), a data file missing Ukrainian collation makes
that step fail, and the rebuilt library is the same bytes every time.

Qt here loads the trimmed library instead of the venv's through
LD_LIBRARY_PATH (searched before the libraries' RUNPATH); each child checks
that it did. Needs icupkg (icu-devtools: `scripts/system-deps.sh package`)
and gcc: skipped without them, as `make package` then cannot run either."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import PySide6
import pytest

REPO = Path(__file__).resolve().parents[2]
ORIGINAL = Path(PySide6.__path__[0]) / "Qt" / "lib" / "libicudata.so.73"

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only the Linux wheel carries ICU"),
    pytest.mark.skipif(
        not (
            shutil.which("icupkg", path="/usr/bin:/usr/sbin:/usr/local/sbin:" + os.environ.get("PATH", ""))
            and shutil.which("gcc")
            and shutil.which("readelf")
        ),
        reason="icupkg/gcc/readelf missing: scripts/system-deps.sh package",
    ),
    pytest.mark.skipif(not ORIGINAL.is_file(), reason="PySide6's wheel has no libicudata.so.73"),
]

LOCALE_STEP = """
import sys
from pathlib import Path
from fieldvault.selftest import Run, SelftestFailed, step_locale
try:
    step_locale(Run(Path(".")))
except SelftestFailed as error:
    print("FAILED", error)
else:
    print("passed")
maps = Path("/proc/self/maps").read_text()
print("loaded", sorted({line.split()[-1] for line in maps.splitlines() if "libicudata" in line}))
"""


def _trim_icu() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trim_icu", REPO / "packaging" / "trim_icu.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _locale_step_with(library: Path) -> str:
    env = {**os.environ, "LD_LIBRARY_PATH": str(library.parent), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", LOCALE_STEP], capture_output=True, text=True, env=env, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"loaded ['{library}']" in done.stdout  # this library, not the venv's
    return done.stdout


def test_trimmed_data_passes_the_locale_step_and_rebuilds_identically(tmp_path):
    trim_icu = _trim_icu()
    first, second = tmp_path / "a" / ORIGINAL.name, tmp_path / "b" / ORIGINAL.name
    for library in (first, second):
        library.parent.mkdir()
        shutil.copy2(ORIGINAL, library)
    before, after = trim_icu.trim(first)
    trim_icu.trim(second)

    assert after < before / 4  # 30.5 MB -> 4.7 MB with ICU 73
    assert first.read_bytes() == second.read_bytes()  # reproducible builds
    once = first.read_bytes()
    trim_icu.trim(first)
    assert first.read_bytes() == once  # trimming a trimmed library changes nothing
    assert "passed" in _locale_step_with(first)


def test_data_without_ukrainian_collation_fails_the_locale_step(tmp_path):
    trim_icu = _trim_icu()
    symbol, offset, size = trim_icu.data_symbol(ORIGINAL)
    package = symbol.removesuffix("_dat") + "l.dat"
    (tmp_path / "full").mkdir()
    (tmp_path / "less").mkdir()
    with ORIGINAL.open("rb") as stream:
        stream.seek(offset)
        (tmp_path / "full" / package).write_bytes(stream.read(size))
    subprocess.run(
        [
            trim_icu.icupkg(),
            "-r",
            "coll/uk.res",
            str(tmp_path / "full" / package),
            str(tmp_path / "less" / package),
        ],
        check=True,
        capture_output=True,
    )
    library = tmp_path / "lib" / ORIGINAL.name
    library.parent.mkdir()
    trim_icu.build_library(tmp_path / "less" / package, symbol, ORIGINAL.name, library)

    out = _locale_step_with(library)
    assert "FAILED uk collation sorts" in out
