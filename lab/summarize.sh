#!/bin/bash
# Write $LAB_OUT/corpus/INDEX.md: one row per scenario (panic line, sizes of every format, timings).
LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/work/labdata}
size() { [ -e "$1" ] && stat -L -c %s "$1" || echo "-"; }
{
echo "| scenario | trigger line in the log (first of 'Kernel panic'/'Oops') | crash PANIC: | zlib | lzo | zstd | snappy | raw | flat | elf | boot->scenario s | ->panic s | ->dump done s | capture-kernel makedumpfile | source |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for d in "$OUT"/corpus/*/; do
  s=$(basename "$d"); [ "$s" = kernel ] && continue
  trig=$(grep -m1 -aE "Kernel panic - not syncing|Oops: " "$d/console.log" | sed 's/^\[[^]]*\] //')
  pan=$(grep -m1 "PANIC:" "$d/crash/sys.txt" 2>/dev/null | sed 's/^ *PANIC: //')
  t=$(grep -m1 "started after" "$d/run.info" | sed -E "s/.*started after ([0-9.]+) s; panicked=[01] at ([0-9.]+) s; dump finished at ([0-9.]+) s.*/\1 \2 \3/" | awk "{printf \"%.1f | %.1f | %.1f\", \$1, \$2, \$3}")
  mk=$(grep -m1 "makedumpfile took" "$d/run.info" | sed 's/LAB-KDUMP: makedumpfile took //')
  src=new; [ -f "$d/IMPORTED" ] && src="../shared/lab"
  printf '| %s | `%s` | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$s" "$trig" "$pan" \
    "$(size "$d/vmcore")" "$(size "$d/vmcore.kdump-lzo")" "$(size "$d/vmcore.kdump-zstd")" "$(size "$d/vmcore.kdump-snappy")" "$(size "$d/vmcore.kdump-raw")" \
    "$(size "$d/vmcore.flat")" "$(size "$d/vmcore.elf")" "$t" "$mk" "$src"
done
} > "$OUT/corpus/INDEX.md"
cat "$OUT/corpus/INDEX.md"
