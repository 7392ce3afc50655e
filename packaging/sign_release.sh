#!/usr/bin/env bash
# Sign a release: DIR/SHA256SUMS lists the SHA-256 of every file in DIR, and
# DIR/SHA256SUMS.minisig is its minisign signature (docs/install.md tells
# users how to check both; docs/development.md, "Releases", how the key is kept).
#   packaging/sign_release.sh DIR SECRET_KEY_FILE PUBLIC_KEY_FILE [TRUSTED_COMMENT]
# The secret key's password is read from standard input (the release workflow
# pipes a secret; at a terminal, type it). The signature is checked against
# PUBLIC_KEY_FILE (the one published, packaging/release-key.pub) before this
# succeeds, so a release is never signed with another key by mistake.
set -euo pipefail
dir=$1
key=$(realpath "$2")
public=$(realpath "$3")
comment=${4:-"fieldvault release $(date -u +%Y-%m-%d)"}
cd "$dir"
rm -f SHA256SUMS SHA256SUMS.minisig
# Names sorted, no folders: the same files give the same SHA256SUMS.
find . -maxdepth 1 -type f ! -name 'SHA256SUMS*' -printf '%f\n' | LC_ALL=C sort | xargs -d '\n' sha256sum -- > SHA256SUMS
minisign -S -s "$key" -m SHA256SUMS -t "$comment"
minisign -V -p "$public" -m SHA256SUMS
