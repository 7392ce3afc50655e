#!/usr/bin/env bash
# Make dist/fieldvault_<version>_<arch>.deb from the one-folder build in
# dist/fieldvault (packaging/fieldvault.spec; `make package` runs both).
#   /opt/fieldvault/            the app, as PyInstaller made it
#   /usr/bin/fieldvault         a link to it (the GUI, the command line, --selftest)
#   /usr/share/applications/    the desktop entry; icons in /usr/share/icons/hicolor
# Depends: computed from the libraries the bundle needs and does not carry
# (packaging/deb_depends.py). Every file's time is SOURCE_DATE_EPOCH (default:
# the last commit's time), owners root:root, modes normalised: the same tree
# gives the same .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
APP=${APP:-dist/fieldvault}        # where the one-folder build is
OUTDIR=${OUTDIR:-dist}             # where the .deb goes
STAGE=${STAGE:-build/deb/root}     # the package's tree, made anew
test -x "$APP/fieldvault" || { echo "no $APP/fieldvault: run pyinstaller first (make package)" >&2; exit 1; }
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
VERSION=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/icons/hicolor/scalable/apps" \
  "$STAGE/usr/share/doc/fieldvault"
cp -a "$APP" "$STAGE/opt/fieldvault"
# Help → User guide reads the guide from the bundle (packaging/fieldvault.spec
# puts it, with the screenshots it shows, in resources/docs).
test -f "$STAGE/opt/fieldvault/_internal/resources/docs/user-guide.md" ||
  { echo "$APP has no resources/docs/user-guide.md: rebuild it with packaging/fieldvault.spec" >&2; exit 1; }
ln -s /opt/fieldvault/fieldvault "$STAGE/usr/bin/fieldvault"
cp packaging/linux/fieldvault.desktop "$STAGE/usr/share/applications/fieldvault.desktop"
"$PY" packaging/make_icons.py
cp build/icons/fieldvault.png "$STAGE/usr/share/icons/hicolor/256x256/apps/fieldvault.png"
cp resources/icons/app.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/fieldvault.svg"
cp docs/install.md "$STAGE/usr/share/doc/fieldvault/install.md"

DEPENDS=$("$PY" packaging/deb_depends.py "$STAGE/opt/fieldvault")
INSTALLED_KB=$(du -sk --apparent-size "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: fieldvault
Version: $VERSION
Architecture: $ARCH
Maintainer: ${DEB_MAINTAINER:-Fieldvault maintainers <fieldvault@localhost>}
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Recommends: fonts-dejavu-core
Section: utils
Priority: optional
Description: offline-first encrypted vault for documenting human-rights violations
 Fieldvault records testimonies and evidence (photos, video, audio, documents)
 in an encrypted vault on this computer, keeps each file's original bytes and
 SHA-256 with a tamper-evident custody history, and exchanges signed,
 encrypted bundles with an organisation's coordinators. No telemetry and no
 update check: it connects only to the server an organisation configures.
CONTROL

# Normalise what varies between builds of the same tree: modes, times.
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE" -type f -exec chmod 0644 {} +
find "$STAGE/opt/fieldvault" -type f -exec sh -c 'for f; do head -c4 "$f" | grep -q "ELF" && chmod 0755 "$f"; done' sh {} +
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

OUT=$OUTDIR/fieldvault_${VERSION}_${ARCH}.deb
rm -f "$OUT"
# gzip: several times faster than xz here for a few MB more; dpkg-deb takes
# SOURCE_DATE_EPOCH for its own timestamps.
dpkg-deb --root-owner-group -Zgzip -z6 --build "$STAGE" "$OUT"
echo "$OUT: $(du -h "$OUT" | cut -f1), installed $(( INSTALLED_KB / 1024 )) MB; Depends: $DEPENDS"
