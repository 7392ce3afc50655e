#!/usr/bin/env bash
# Install the Debian packages Fieldvault needs, only those missing.
#   scripts/system-deps.sh test   what `make test` needs (offscreen Qt, a C compiler for the fault-injection shim)
#   scripts/system-deps.sh run    that plus what a real X11/Wayland window needs
#   scripts/system-deps.sh package  what `make test` and a real window need, plus what `make package` needs
set -euo pipefail

test_packages=(
  gcc libc6-dev                                  # builds tests/faults/libfault.so
  libmagic1                                      # MIME types of evidence (python-magic)
  libsndfile1                                    # recordings: Opus in Ogg (db/opus_writer.py, through ctypes)
  libegl1 libgl1 libx11-6 libglib2.0-0 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3
  fonts-dejavu-core                              # Latin and Cyrillic glyphs for the GUI and screenshots
  libpulse0                                      # Qt Multimedia loads it even with no sound device
  age                                            # tests: bundle payloads decrypt with the standard age tool
  postgresql                                     # tests: the server's PostgreSQL backend against a real one (tests/pg_helpers.py)
  openssl                                        # tests: a local RFC 3161 time-stamping authority (openssl ts) and its verify
  minisign                                       # tests: release signatures (SHA256SUMS.minisig, docs/install.md)
  binutils                                       # make package: readelf finds the libraries the .deb depends on
  poppler-utils                                  # tests: the PDF case report's text (pdftotext) and pages (pdftoppm)
)
package_packages=(
  icu-devtools                                   # make package: icupkg trims Qt's ICU data (packaging/trim_icu.py, with gcc)
  libcups2                                       # make package: Qt's CUPS print plugin links it; deb_depends.py names its package
)
run_packages=(
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1
  libwayland-cursor0 libwayland-egl1
)

wanted=("${test_packages[@]}")
# Debian's own Python needs python3-venv for `python3 -m venv`.
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  wanted+=(python3-venv)
fi
if [ "${1:-test}" = "run" ]; then
  wanted+=("${run_packages[@]}")
fi
if [ "${1:-test}" = "package" ]; then
  # The build carries Qt's xcb plugin, which links the run packages'
  # libraries; deb_depends.py must find each one's Debian package.
  wanted+=("${run_packages[@]}" "${package_packages[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Missing system packages (${missing[*]}) and no apt-get: install them with your package manager." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
