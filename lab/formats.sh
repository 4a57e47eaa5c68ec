#!/bin/bash
# Write every other dump format of a corpus entry, re-packing its kdump zlib vmcore (-d 31) with
# makedumpfile (page content is unchanged: the same pages, re-compressed):
#   vmcore.kdump-zlib   -> vmcore (symlink; written by the capture kernel, makedumpfile -c -d 31)
#   vmcore.kdump-lzo       Debian makedumpfile -l -d 31
#   vmcore.kdump-zstd      makedumpfile >= 1.7.x built with USEZSTD (build-makedumpfile.sh) -z -d 31
#   vmcore.kdump-snappy    the same, built with USESNAPPY, -p -d 31
#   vmcore.flat            Debian makedumpfile -F -c -d 31 (flattened, zlib inside)
#   vmcore.kdump-raw       Debian makedumpfile -d 31, no compression option: kdump format, pages stored raw
#   vmcore.elf             written by the capture kernel (-E -d 31); makedumpfile cannot write ELF
#                          from a kdump-compressed input, so entries without one get
#                          kdump2elf.py's conversion (see docs/lab.md)
# and formats.txt: one line per file (name, bytes, what, seconds to write).
#   usage: formats.sh <scenario>   (LAB_CORPUS_DIR as in analyze.sh)
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/work/labdata}
S=$1
C=${LAB_CORPUS_DIR:-$OUT/corpus}/$S
MDF=$(command -v makedumpfile)
MDF_NEW=${LAB_MAKEDUMPFILE_NEW:-$OUT/tools/makedumpfile-1.7.9}
[ -f "$C/vmcore" ] || { echo "[$S] no $C/vmcore"; exit 1; }
cd "$C" || exit 1
[ -f formats.txt ] && mv formats.txt formats.txt.old
ln -sfn vmcore vmcore.kdump-zlib
sec() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }
pack() { # pack OUTFILE WHAT CMD... ; CMD writes OUTFILE (an existing one is kept unless LAB_FORCE=1)
  local f=$1 what=$2; shift 2
  if [ -z "${LAB_FORCE:-}" ] && [ -s "$f" ] && grep -q "^$f " formats.txt.old 2>/dev/null; then
    grep "^$f " formats.txt.old >> formats.txt.tmp; return
  fi
  local t0; t0=$(date +%s.%N)
  rm -f "$f"; echo "== $f: $*" >> formats.log
  if "$@" >> formats.log 2>&1 && [ -s "$f" ]; then
    echo "$f $(stat -c %s "$f") $what $(sec "$t0" "$(date +%s.%N)")" >> formats.txt.tmp
  else
    echo "[$S] $f FAILED (see formats.log)"; rm -f "$f"
  fi
}
: > formats.txt.tmp
echo "vmcore $(stat -c %s vmcore) kdump-zlib(-c_-d_31,capture_kernel) -" >> formats.txt.tmp
pack vmcore.kdump-lzo "kdump-lzo(-l_-d_31)" "$MDF" -l -d 31 vmcore vmcore.kdump-lzo
if [ -x "$MDF_NEW" ]; then
  pack vmcore.kdump-zstd "kdump-zstd(-z_-d_31)" "$MDF_NEW" -z -d 31 vmcore vmcore.kdump-zstd
  pack vmcore.kdump-snappy "kdump-snappy(-p_-d_31)" "$MDF_NEW" -p -d 31 vmcore vmcore.kdump-snappy
else
  echo "[$S] no $MDF_NEW (run build-makedumpfile.sh): no zstd/snappy dumps"
fi
flat() { "$MDF" -F -c -d 31 vmcore > vmcore.flat; }
pack vmcore.kdump-raw "kdump-uncompressed(-d_31)" "$MDF" -d 31 vmcore vmcore.kdump-raw
pack vmcore.flat "flattened-kdump-zlib(-F_-c_-d_31)" flat
if [ -f vmcore.elf ] && [ ! -f IMPORTED ]; then   # imported entries have no capture-kernel ELF
  echo "vmcore.elf $(stat -c %s vmcore.elf) elf(-E_-d_31,capture_kernel) -" >> formats.txt.tmp
else
  pack vmcore.elf "elf(kdump2elf.py_from_vmcore)" /usr/bin/python3 "$LAB/kdump2elf.py" vmcore vmcore.elf
fi
[ -f vmcore.elf-full ] && echo "vmcore.elf-full $(stat -c %s vmcore.elf-full) elf-unfiltered(/proc/vmcore_copy,capture_kernel) -" >> formats.txt.tmp
chmod 644 vmcore.* 2>/dev/null
mv formats.txt.tmp formats.txt   # last: its presence says the entry is complete
rm -f formats.txt.old
column -t formats.txt
