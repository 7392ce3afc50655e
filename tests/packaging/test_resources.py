"""resources/ is found however Fieldvault runs: from the checkout, frozen by
PyInstaller (faked here: the bootloader's ``sys._MEIPASS``), and installed
from a non-editable wheel (a real ``pip install .`` into a temporary venv)."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from db.resources import resources_dir
from db.vocabulary import violation_types

REPO = Path(__file__).resolve().parents[2]
# What a wheel is built from; nothing else of the checkout may be needed.
SOURCES = ("pyproject.toml", "README.md", "db", "sync", "desktop", "fieldvault", "resources")


@pytest.fixture
def fresh_vocabulary():
    violation_types.cache_clear()
    yield
    violation_types.cache_clear()


def test_from_the_checkout_resources_is_beside_the_packages(fresh_vocabulary):
    assert resources_dir() == REPO / "resources"
    assert violation_types()  # read from resources/vocabularies


def test_frozen_the_bundle_copy_is_used_not_the_checkout(tmp_path, monkeypatch, fresh_vocabulary):
    bundle = tmp_path / "_internal"
    shutil.copytree(REPO / "resources", bundle / "resources")
    vocabulary = bundle / "resources" / "vocabularies" / "violation_types.json"
    vocabulary.write_text(
        json.dumps({"types": [{"code": "only-in-bundle", "en": "Bundled", "uk": "У збірці"}]}),
        encoding="utf-8",
    )
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)

    assert resources_dir() == bundle / "resources"
    assert [t.code for t in violation_types()] == ["only-in-bundle"]

    from desktop.i18n import translations_dir
    from desktop.icons import icons_dir

    assert icons_dir() == bundle / "resources" / "icons"
    assert translations_dir() == bundle / "resources" / "translations"


def _copy_sources(destination: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    destination.mkdir()
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)


def test_a_non_editable_install_carries_the_resources_and_finds_them(tmp_path):
    assert (REPO / "resources/translations/fieldvault_uk.qm").is_file(), "run `make translations` first"
    source = tmp_path / "src"
    _copy_sources(source)
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    site_packages = next(target.glob("lib/python3*/site-packages"), None) or target / "Lib" / "site-packages"
    # The wheel is built by this environment's pip but installed by uv into the
    # new venv only: `pip install --prefix` would uninstall this environment's
    # own (editable) fieldvault first.
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("fieldvault-*.whl")
    python = target / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--no-deps",
            "--python",
            str(python),
            str(wheel),
        ],
        check=True,
        cwd=tmp_path,
    )
    # The dependencies come from the test's own environment, appended after the
    # new venv's site-packages (a .pth line), so they are not reinstalled
    # (fast, offline) and the fresh install of fieldvault is found first.
    (site_packages / "zz_test_dependencies.pth").write_text(
        "\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n", encoding="utf-8"
    )
    shutil.rmtree(source)  # nothing may still point into the copy it was built from
    probe = (
        "import db, db.resources, db.vocabulary, desktop.i18n, desktop.icons, json\n"
        "print(json.dumps({'db': db.__file__, 'resources': str(db.resources.resources_dir()),\n"
        "  'translations': str(desktop.i18n.translations_dir()), 'icons': str(desktop.icons.icons_dir()),\n"
        "  'types': len(db.vocabulary.violation_types())}))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
    found = json.loads(
        subprocess.run(
            [str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path, env=env
        ).stdout
    )

    assert Path(found["db"]).is_relative_to(site_packages)  # the installed copy, not the checkout
    resources = Path(found["resources"])
    assert resources == (target / "share" / "fieldvault").resolve()
    assert found["types"] == len(violation_types())
    assert (Path(found["translations"]) / "fieldvault_uk.qm").is_file()
    shipped_icons = {p.name for p in (REPO / "resources/icons").glob("*.svg")}
    assert {p.name for p in Path(found["icons"]).glob("*.svg")} == shipped_icons
    # And this environment's own install is untouched (an installer run
    # against it would have removed it).
    assert importlib.metadata.version("fieldvault")
