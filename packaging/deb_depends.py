"""The Debian packages a one-folder build needs from the system: every ELF
file's NEEDED libraries that the bundle does not carry itself, mapped to the
installed package that owns them (``ldconfig -p``, ``dpkg -S``), plus what
is loaded by name at run time and so named by no ELF header (``EXTRA``).
Prints one ``Depends:`` value, sorted; unknown libraries go to stderr and
fail the run, so a .deb never silently lacks a dependency.

The system libraries packaging/fieldvault.spec leaves out of the bundle
(SYSTEM_LIBRARIES: CUPS, D-Bus, GLib, X11/xcb, fontconfig, PulseAudio...)
are declared by that same rule: a kept file links them and the bundle no
longer carries them, so their packages (libcups2, libdbus-1-3, libx11-6...)
are named; what only those libraries link comes with their packages' own
Depends (tests/packaging/test_system_libraries.py).

    python packaging/deb_depends.py dist/fieldvault
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# Loaded with dlopen or ctypes, or needed by Qt plugins for a real desktop
# session that the build machine may lack (scripts/system-deps.sh, "run").
EXTRA = {
    "libmagic1",  # python-magic, through ctypes
    "libpulse0",  # Qt Multimedia loads it even with no sound device
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-randr0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
    "libwayland-cursor0",
    "libwayland-egl1",
}
# Libraries of those EXTRA packages, which need no lookup when missing here.
EXTRA_SONAME = re.compile(r"^lib(xcb-|xkbcommon-x11|X11-xcb|wayland-(cursor|egl)|pulse|magic)")


def needed(path: Path) -> list[str]:
    done = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=False)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", done.stdout)


def is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def system_libraries() -> dict[str, str]:
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for soname, path in re.findall(r"^\s*(\S+) \([^)]*\) => (\S+)$", listing, re.M):
        found.setdefault(soname, path)  # the first: this machine's own architecture comes first
    return found


def owner(path: str) -> str | None:
    candidates = {path, str(Path(path).resolve())}
    candidates |= {c.removeprefix("/usr") for c in list(candidates) if c.startswith("/usr/lib")}
    for candidate in sorted(candidates):
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].strip()
    return None


def main(bundle: Path) -> int:
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
    carried = {p.name for p in bundle.rglob("*")}
    missing = sorted({lib for f in files for lib in needed(f)} - carried)
    system = system_libraries()
    packages = set(EXTRA)
    unknown = []
    for soname in missing:
        package = owner(system[soname]) if soname in system else None
        if package:
            packages.add(package)
        elif not EXTRA_SONAME.match(soname):
            unknown.append(soname)
    if unknown:
        print(f"no installed package provides: {', '.join(unknown)}", file=sys.stderr)
        return 1
    print(", ".join(sorted(packages)))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
