#!/usr/bin/env bash
# Reproducibility check: build the one-folder app and the .deb twice from one
# commit (default HEAD; `git archive`, so uncommitted edits in the working tree
# cannot differ between the two), each from scratch in its own folder
# (PyInstaller --clean), with the same SOURCE_DATE_EPOCH (the commit's) and
# PYTHONHASHSEED, and list the files that differ. Findings:
# docs/development.md, "Packaging and releases".
#   packaging/compare_builds.sh [COMMIT] [OUT]      (default HEAD build/compare; ~8 min here)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
commit=$(git rev-parse "${1:-HEAD}")
out=$(realpath -m "${2:-build/compare}")
export SOURCE_DATE_EPOCH=$(git log -1 --format=%ct "$commit")
export PYTHONHASHSEED=0
for n in 1 2; do
  rm -rf "${out:?}/$n"
  mkdir -p "$out/$n/src"
  git archive "$commit" | tar -x -C "$out/$n/src"
  for ts in "$out/$n"/src/resources/translations/*.ts; do
    "$repo/.venv/bin/pyside6-lrelease" -silent "$ts" -qm "${ts%.ts}.qm"
  done
  (
    cd "$out/$n/src"
    "$repo/.venv/bin/pyinstaller" --noconfirm --clean --log-level ERROR \
      --distpath "$out/$n/dist" --workpath "$out/$n/work" packaging/fieldvault.spec
    # build_deb.sh takes SOURCE_DATE_EPOCH from the environment (no .git here).
    PY="$repo/.venv/bin/python" APP="$out/$n/dist/fieldvault" OUTDIR="$out/$n" STAGE="$out/$n/deb-root" \
      bash packaging/build_deb.sh >/dev/null
  )
  (cd "$out/$n/dist/fieldvault" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) > "$out/$n/files.sha256"
done
total=$(wc -l < "$out/1/files.sha256")
differing=$(diff <(cat "$out/1/files.sha256") <(cat "$out/2/files.sha256") | sed -n 's/^< [0-9a-f]*  //p' || true)
count=$(printf '%s' "$differing" | grep -c . || true)
echo "commit ${commit:0:12}, one-folder build: $count of $total files differ"
printf '%s\n' "$differing" | sed '/^$/d; s/^/  /'
if cmp -s "$out"/1/fieldvault_*.deb "$out"/2/fieldvault_*.deb; then
  echo ".deb: identical ($(sha256sum "$out"/1/fieldvault_*.deb | cut -c1-16)…)"
else
  echo ".deb: differs"
fi
