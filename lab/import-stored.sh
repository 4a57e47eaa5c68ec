#!/bin/bash
# Copy the scenarios whose vmcore is stored in ../shared/lab (abba-spinlock-irqoff, mutex-hung,
# sysrq-c) and its corpus/kernel/ into $LAB_OUT/corpus, so that $LAB_OUT/corpus is complete, and
# write their other formats (formats.sh; their ELF comes from kdump2elf.py). Their crash/drgn
# outputs are the stored ones (same dump). A scenario rebuilt here (no IMPORTED marker) is kept.
#   usage: import-stored.sh [SHARED_LAB]   (default: the ../shared/lab beside the project)
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/work/labdata}
SHARED=${1:-$(cd "$LAB/../../shared/lab" 2>/dev/null && pwd || echo /work/shared/lab)}
[ -d "$SHARED/corpus" ] || { echo "no $SHARED/corpus"; exit 1; }
mkdir -p "$OUT/corpus"
for d in "$SHARED"/corpus/*/; do
  s=$(basename "$d")
  [ "$s" = kernel ] && continue
  [ -f "$d/vmcore" ] || continue
  if [ -d "$OUT/corpus/$s" ] && [ ! -f "$OUT/corpus/$s/IMPORTED" ]; then
    echo "[$s] $OUT/corpus/$s was rebuilt here: not importing"; continue
  fi
  rm -rf "$OUT/corpus/$s"
  cp -r "$d" "$OUT/corpus/$s"
  chmod -R u+w "$OUT/corpus/$s"
  echo "copied from $d (stored vmcore and its crash/drgn reference outputs)" > "$OUT/corpus/$s/IMPORTED"
  if [ -f "$OUT/corpus/$s/vmcore.elf.gz" ]; then
    # the stored ELF was cut short in the capture kernel (its tmpfs filled up: "makedumpfile
    # Failed." in console.log): keep it under a name that says so, as a real truncated dump
    mv "$OUT/corpus/$s/vmcore.elf.gz" "$OUT/corpus/$s/vmcore.elf-truncated.gz"
    echo "vmcore.elf-truncated.gz = ../shared/lab's vmcore.elf.gz: makedumpfile -E failed midway (tmpfs full), 6 of 20 phdrs NULL, file ends inside its last PT_LOAD (78188544 bytes)" >> "$OUT/corpus/$s/IMPORTED"
  fi
  "$LAB/formats.sh" "$s"
done
rm -rf "$OUT/corpus/kernel"; cp -r "$SHARED/corpus/kernel" "$OUT/corpus/kernel"; chmod -R u+w "$OUT/corpus/kernel"
