#!/bin/bash
# Build makedumpfile from source with zstd and snappy (Debian 12's 1.7.2 has neither: its -z/-p
# print "this binary doesn't support ... compression"), for formats.sh's vmcore.kdump-zstd and
# vmcore.kdump-snappy. The source stays outside the project (/tmp); only the binary is kept:
# $LAB_OUT/tools/makedumpfile-$REF.
#   MAKEDUMPFILE_GIT  clone URL or local mirror (default https://github.com/makedumpfile/makedumpfile)
#   MAKEDUMPFILE_REF  tag to build (default 1.7.9)
set -euo pipefail
OUT=${LAB_OUT:-/work/labdata}
GIT=${MAKEDUMPFILE_GIT:-https://github.com/makedumpfile/makedumpfile}
REF=${MAKEDUMPFILE_REF:-1.7.9}
SRC=${MAKEDUMPFILE_SRC:-/tmp/makedumpfile-src}
DEPS="libzstd-dev libsnappy-dev liblzo2-dev libelf-dev libdw-dev libbz2-dev zlib1g-dev gcc make"
missing=$(for p in $DEPS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
if [ -n "$missing" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
[ -d "$SRC/.git" ] || git clone -q "$GIT" "$SRC"
git -C "$SRC" checkout -q "$REF"
make -C "$SRC" clean > /dev/null 2>&1 || true
make -C "$SRC" LINKTYPE=dynamic USELZO=on USESNAPPY=on USEZSTD=on > "$SRC/build.log" 2>&1 \
  || { tail -20 "$SRC/build.log"; exit 1; }
mkdir -p "$OUT/tools"
cp "$SRC/makedumpfile" "$OUT/tools/makedumpfile-$REF"
"$OUT/tools/makedumpfile-$REF" -v
