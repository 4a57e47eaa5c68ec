#!/bin/bash
# Cross-check the formats of corpus entries with the reference tools: crash 8.0.2 runs
# sys / log / bt -a / ps on every format file and must print what it printed for `vmcore`
# (crash/*.txt, the DUMPFILE line and crash's warnings aside); drgn must print the same kernel log
# from every format it can open. Writes <entry>/check-formats.txt and prints a summary line each.
#   usage: check-formats.sh [scenario ...]   (default: every entry of $LAB_OUT/corpus)
#   LAB_CORPUS_DIR as in analyze.sh; LAB_CHECK_FILES: which format files (default: all)
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/work/labdata}
KVER=${KVER:-$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1)}
VMLINUX=/usr/lib/debug/boot/vmlinux-$KVER
CD=${LAB_CORPUS_DIR:-$OUT/corpus}
SCEN=${*:-$(cd "$CD" && ls -d */ | tr -d / | grep -v '^kernel$')}
T=$(mktemp -d)
norm() { grep -h -v -e 'DUMPFILE:' -e '^WARNING:' -e '^$' "$@" 2>/dev/null; }
for s in $SCEN; do
  C=$CD/$s
  [ -f "$C/vmcore" ] || continue
  printf 'sys\nlog\nbt -a\nps\nquit\n' > "$T/cmd"
  norm "$C/crash/sys.txt" "$C/crash/log.txt" "$C/crash/bt-a.txt" "$C/crash/ps.txt" > "$T/ref"
  /usr/bin/drgn -q -c "$C/vmcore" -s "$VMLINUX" "$LAB/drgn_dmesg.py" > "$T/dref" 2>&1
  {
    echo "# format crash(sys+log+bt-a+ps)==crash/*.txt drgn-log==drgn-log(vmcore)"
    for f in ${LAB_CHECK_FILES:-vmcore.kdump-lzo vmcore.kdump-zstd vmcore.kdump-snappy vmcore.kdump-raw vmcore.flat vmcore.elf vmcore.elf-full}; do
      [ -f "$C/$f" ] || continue
      crash -s "$VMLINUX" "$C/$f" < "$T/cmd" > "$T/out" 2>&1
      norm "$T/out" > "$T/outn"
      if cmp -s "$T/ref" "$T/outn"; then cr=same; else cr="DIFF($(diff "$T/ref" "$T/outn" | grep -c '^[<>]')_lines)"; fi
      /usr/bin/drgn -q -c "$C/$f" -s "$VMLINUX" "$LAB/drgn_dmesg.py" > "$T/dout" 2>&1
      if cmp -s "$T/dref" "$T/dout"; then dr=same; else dr="DIFF:$(head -c 60 "$T/dout" | tr '\n ' '__')"; fi
      echo "$f $cr $dr"
    done
  } > "$C/check-formats.new"
  # with LAB_CHECK_FILES, keep the lines of the other files from an earlier check
  if [ -n "${LAB_CHECK_FILES:-}" ] && [ -f "$C/check-formats.txt" ]; then
    grep -v "^#" "$C/check-formats.txt" | grep -v -w -F -f <(grep -v "^#" "$C/check-formats.new" | cut -d" " -f1) >> "$C/check-formats.new"
  fi
  mv "$C/check-formats.new" "$C/check-formats.txt"
  echo "[$s] $(grep -v '^#' "$C/check-formats.txt" | tr '\n' ';')"
done
rm -rf "$T"
