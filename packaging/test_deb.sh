#!/usr/bin/env bash
# `make package-test`: install dist/fieldvault_*.deb with apt (its Depends
# resolved from the archive, as on a partner's laptop), run the installed
# `fieldvault --selftest` with a clean environment (no venv, no display, an
# empty HOME), then remove the package again unless it was installed before.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
debs=(dist/fieldvault_*.deb)
[ ${#debs[@]} -eq 1 ] || { echo "expected one dist/fieldvault_*.deb, found ${#debs[@]}: run make package" >&2; exit 1; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
was_installed=no
dpkg-query -W -f='${Status}' fieldvault 2>/dev/null | grep -q "install ok installed" && was_installed=yes
export DEBIAN_FRONTEND=noninteractive
# Only when a dependency is missing and apt knows no package lists yet.
if ! $sudo apt-get install -y -q --no-install-recommends "./${debs[0]}"; then
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "./${debs[0]}"
fi
home=$(mktemp -d)
status=0
(cd "$home" && env -i PATH=/usr/bin:/bin HOME="$home" /usr/bin/fieldvault --selftest) || status=$?
rm -rf "$home"
if [ "$was_installed" = no ]; then
  $sudo apt-get remove -y -q fieldvault >/dev/null
fi
exit $status
