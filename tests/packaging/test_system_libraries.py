"""The system libraries the Linux build leaves to the system
(packaging/fieldvault.spec, SYSTEM_LIBRARIES) reach a partner's laptop
through the .deb's Depends (packaging/deb_depends.py): each one is a library
this Debian machine has from a package, a bundle that no longer carries the
library its Qt plugin links gets that library's package declared, and a
built folder carries none of them.

The installed app with the system's copies is checked by `make
package-test` (the installed `fieldvault --selftest`, whose window step
loads Qt's CUPS plugin with libcups)."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import PySide6
import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "packaging" / "fieldvault.spec"
CUPS_PLUGIN = Path(PySide6.__path__[0]) / "Qt" / "plugins" / "printsupport" / "libcupsprintersupport.so"

pytestmark = [
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="the .deb and its Depends are Linux only"
    ),
    pytest.mark.skipif(
        not (shutil.which("dpkg") and shutil.which("readelf") and shutil.which("ldconfig")),
        reason="needs dpkg, readelf and ldconfig (a Debian build machine)",
    ),
]


def _has_libcups() -> bool:
    if not (sys.platform.startswith("linux") and shutil.which("ldconfig")):
        return False
    return (
        "libcups.so.2"
        in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    )


def _spec_value(name: str) -> ast.expr:
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node.value
    raise AssertionError(f"{name} is not assigned in {SPEC}")


def _left_to_the_system() -> tuple[set[str], re.Pattern[str]]:
    groups = ast.literal_eval(_spec_value("SYSTEM_LIBRARIES"))
    call = _spec_value("SYSTEM_LIBRARY")
    assert isinstance(call, ast.Call) and isinstance(call.args[0], ast.Constant)
    pattern = call.args[0].value
    assert isinstance(pattern, str)
    return {name for group in groups.values() for name in group}, re.compile(pattern)


def _deb_depends() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deb_depends", REPO / "packaging" / "deb_depends.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _owners(sonames: set[str]) -> dict[str, str]:
    """The installed package of each library this machine has (deb_depends's
    lookup, with one dpkg -S for all: usr-merged paths in both spellings)."""
    system = _deb_depends().system_libraries()
    candidates = {
        soname: {path, str(Path(path).resolve())}
        | {path.removeprefix("/usr"), str(Path(path).resolve()).removeprefix("/usr")}
        for soname in sonames
        if (path := system.get(soname))
    }
    every = sorted({c for paths in candidates.values() for c in paths})
    listing = subprocess.run(["dpkg", "-S", *every], capture_output=True, text=True, check=False).stdout
    package_of = {
        path: line.split(":", 1)[0] for line in listing.splitlines() for path in [line.rsplit(": ", 1)[-1]]
    }
    return {
        soname: package_of[p]
        for soname, paths in candidates.items()
        for p in sorted(paths)
        if p in package_of
    }


def test_each_library_left_to_the_system_comes_from_a_debian_package():
    names, _ = _left_to_the_system()
    assert "libcups.so.2" in names and "libX11.so.6" in names
    assert [name for name in names if not re.fullmatch(r"lib[\w.+-]+\.so\.\d+", name)] == []
    installed = set(_deb_depends().system_libraries())
    owners = _owners(names)
    unowned = sorted(name for name in names & installed if name not in owners)
    assert unowned == [], f"installed here but from no package, so no Depends could bring them: {unowned}"
    if (
        names - installed
    ):  # a machine set up for `make test` only (scripts/system-deps.sh package has them all)
        pytest.skip(f"not installed here, not checked: {sorted(names - installed)}")


@pytest.mark.skipif(not CUPS_PLUGIN.is_file(), reason="PySide6's wheel has no CUPS print plugin")
@pytest.mark.skipif(not _has_libcups(), reason="libcups2 is not installed here")
def test_a_bundle_without_libcups_declares_libcups2(tmp_path):
    # A bundle of Qt's real CUPS plugin and (by name only) the Qt libraries it
    # links, which the bundle carries.
    bundle = tmp_path / "fieldvault"
    plugins = bundle / "_internal" / "PySide6" / "Qt" / "plugins" / "printsupport"
    plugins.mkdir(parents=True)
    shutil.copy2(CUPS_PLUGIN, plugins / CUPS_PLUGIN.name)
    for qt in ("libQt6PrintSupport.so.6", "libQt6Widgets.so.6", "libQt6Gui.so.6", "libQt6Core.so.6"):
        (bundle / "_internal" / qt).write_bytes(b"")

    def depends() -> set[str]:
        done = subprocess.run(
            [sys.executable, str(REPO / "packaging" / "deb_depends.py"), str(bundle)],
            capture_output=True,
            text=True,
            check=True,
        )
        return set(done.stdout.strip().split(", "))

    assert "libcups2" in depends()  # left to the system: declared
    (bundle / "_internal" / "libcups.so.2").write_bytes(b"")
    assert "libcups2" not in depends()  # carried, as before: not


BUILT = REPO / "dist" / "fieldvault" / "_internal"


@pytest.mark.skipif(
    not BUILT.is_dir() or BUILT.stat().st_mtime < SPEC.stat().st_mtime,
    reason="no dist/fieldvault built from the current spec (make package)",
)
def test_the_built_folder_carries_none_of_them_and_the_deb_declares_their_packages():
    names, pattern = _left_to_the_system()
    carried = {path.name for path in BUILT.iterdir()}
    assert sorted(n for n in carried if n in names or pattern.match(n)) == []
    dynload = {path.name.split(".")[0] for path in (BUILT / "python3.11" / "lib-dynload").glob("*.so")}
    assert not dynload & {"_sqlite3", "readline"}  # and their libraries with them
    assert not carried & {"libsqlite3.so.0", "libreadline.so.8", "libtinfo.so.6"}

    debs = sorted((REPO / "dist").glob("fieldvault_*.deb"))
    if not debs:
        return
    control = subprocess.run(
        ["dpkg-deb", "-f", str(debs[0]), "Depends"], capture_output=True, text=True, check=True
    )
    declared = set(control.stdout.strip().split(", "))
    deb_depends = _deb_depends()
    linked = {
        soname
        for path in BUILT.rglob("*")
        if path.is_file() and not path.is_symlink() and deb_depends.is_elf(path)
        for soname in deb_depends.needed(path)
        if soname in names or pattern.match(soname)
    }
    assert "libcups.so.2" in linked  # Qt's CUPS plugin still travels
    owners = _owners(linked)
    missing = sorted(soname for soname in linked if owners.get(soname) not in declared)
    assert missing == [], f"the .deb does not declare the packages of {missing}"
