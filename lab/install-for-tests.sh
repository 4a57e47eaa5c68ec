#!/bin/bash
# Put the lab data where the tests look for it (test/helpers/lab.ts: KTRIAGE_LAB, then lab/out in
# the repo, then ../labdata beside the project).
#   install-for-tests.sh                link  <repo>/lab/out -> $LAB_OUT (default /work/labdata)
#   install-for-tests.sh --copy [DEST]  copy $LAB_OUT/corpus (every format, references) and
#                                       $LAB_OUT/README.md to DEST (default <repo>/lab/out), e.g. for
#                                       a machine without /work/labdata; add --no-elf to leave the
#                                       ~110 MB ELF files out, --big to add $LAB_OUT/big (GBs)
# lab/out is git-ignored. With the team's layout (/work/wt-<you> beside /work/labdata) nothing needs
# installing: ../labdata is found directly.
set -euo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$LAB/.." && pwd)
SRC=${LAB_OUT:-/work/labdata}
mode=link noelf=0 big=0 dest=$REPO/lab/out
for a in "$@"; do
  case "$a" in
  --copy) mode=copy ;;
  --no-elf) noelf=1 ;;
  --big) big=1 ;;
  -*) echo "unknown option $a"; exit 2 ;;
  *) dest=$a ;;
  esac
done
[ -d "$SRC/corpus" ] || { echo "no lab data in $SRC (run lab/build.sh first)"; exit 1; }
if [ $mode = link ]; then
  [ -L "$dest" ] && rm "$dest"
  [ -e "$dest" ] && { echo "$dest exists and is not a link; remove it first"; exit 1; }
  ln -s "$SRC" "$dest"
  echo "$dest -> $SRC"
  exit 0
fi
mkdir -p "$dest"
excl=(--exclude '*.elf-full'); [ $noelf = 1 ] && excl+=(--exclude 'vmcore.elf')
if command -v rsync > /dev/null; then
  rsync -a --copy-links "${excl[@]}" "$SRC/corpus" "$SRC/README.md" "$dest/"
  [ $big = 1 ] && rsync -a --copy-links "$SRC/big" "$dest/"
else
  cp -rL "$SRC/corpus" "$SRC/README.md" "$dest/"
  [ $noelf = 1 ] && find "$dest/corpus" -name vmcore.elf -delete
  [ $big = 1 ] && cp -rL "$SRC/big" "$dest/"
fi
du -sh "$dest"
