"""resources/ is found however Fieldvault runs: from the checkout, frozen by
PyInstaller (faked here: the bootloader's ``sys._MEIPASS``), and installed
from a non-editable wheel (a real ``pip install .`` into a temporary venv)."""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path
from types import SimpleNamespace

import pytest

from db.resources import resources_dir
from db.vocabulary import violation_types

REPO = Path(__file__).resolve().parents[2]
# What a wheel is built from; nothing else of the checkout may be needed.
SOURCES = ("pyproject.toml", "README.md", "db", "sync", "desktop", "fieldvault", "resources", "docs")
GUIDE = REPO / "docs" / "user-guide.md"


def guide_images(guide: Path) -> set[str]:
    """The images a guide shows, relative to it (``screenshots/x.png``)."""
    return set(re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", guide.read_text(encoding="utf-8")))


def spec_datas() -> list[tuple[str, str]]:
    """The (source, folder in the bundle) pairs packaging/fieldvault.spec gives
    PyInstaller: the spec run as PyInstaller runs it, with its build steps
    (Analysis, EXE...) recording their arguments instead of building."""
    recorded: dict[str, list[tuple[str, str]]] = {}

    def analysis(scripts, **options):
        recorded["datas"] = list(options["datas"])
        return SimpleNamespace(binaries=[], datas=[], pure=[], scripts=[])

    def nothing(*args, **options):
        return None

    spec = REPO / "packaging" / "fieldvault.spec"
    namespace = {
        "SPECPATH": str(spec.parent),
        "Analysis": analysis,
        "PYZ": nothing,
        "EXE": nothing,
        "COLLECT": nothing,
        "BUNDLE": nothing,
        "__file__": str(spec),
    }
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), namespace)
    return recorded["datas"]


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


def test_frozen_the_user_guide_and_its_images_are_in_the_bundle_and_found(tmp_path, monkeypatch):
    # The bundle laid out from the spec's own datas, as PyInstaller copies a
    # file: into its folder under _MEIPASS, by its name.
    bundle = tmp_path / "_internal"
    for source, folder in spec_datas():
        if Path(source).is_file():
            (bundle / folder).mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, bundle / folder / Path(source).name)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)

    from desktop.help_menu import user_guide_path

    guide = user_guide_path()
    assert guide is not None, "Help → User guide would say: not installed"
    assert guide.is_relative_to(bundle)
    assert guide.read_bytes() == GUIDE.read_bytes()
    assert guide_images(GUIDE), "the guide shows screenshots"
    for image in guide_images(GUIDE):
        assert (guide.parent / image).is_file(), image
    # Only the guide's own images, not every screenshot under docs/.
    shipped = {p.relative_to(guide.parent).as_posix() for p in guide.parent.rglob("*.png")}
    assert shipped == guide_images(GUIDE)


def test_the_wheel_lists_exactly_the_guide_and_its_images():
    data_files = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "data-files"
    ]
    assert data_files["share/fieldvault/docs"] == ["docs/user-guide.md"]
    listed = {Path(p).relative_to("docs").as_posix() for p in data_files["share/fieldvault/docs/screenshots"]}
    assert listed == guide_images(GUIDE)


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
        "import db, db.resources, db.vocabulary, desktop.i18n, desktop.icons, desktop.help_menu, json\n"
        "print(json.dumps({'db': db.__file__, 'resources': str(db.resources.resources_dir()),\n"
        "  'translations': str(desktop.i18n.translations_dir()), 'icons': str(desktop.icons.icons_dir()),\n"
        "  'types': len(db.vocabulary.violation_types()),\n"
        "  'guide': str(desktop.help_menu.user_guide_path())}))\n"
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
    guide = Path(found["guide"])
    assert guide == resources / "docs" / "user-guide.md"
    assert guide.read_bytes() == GUIDE.read_bytes()
    assert all((guide.parent / image).is_file() for image in guide_images(GUIDE))
    shipped_icons = {p.name for p in (REPO / "resources/icons").glob("*.svg")}
    assert {p.name for p in Path(found["icons"]).glob("*.svg")} == shipped_icons
    # And this environment's own install is untouched (an installer run
    # against it would have removed it).
    assert importlib.metadata.version("fieldvault")
