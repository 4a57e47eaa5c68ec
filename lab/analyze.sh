#!/bin/bash
# Produce the corpus entry for one scenario from $LAB_OUT/run/<scenario>/: the dumps (hard links),
# kernel log, console log, crash(8) reference outputs and the drgn reference.
#   usage: analyze.sh <scenario>
# LAB_CORPUS_DIR: where entries go (default $LAB_OUT/corpus; big.sh uses $LAB_OUT/big).
# Re-runnable on an existing corpus entry (e.g. one imported from ../shared/lab): then only the
# crash and drgn outputs are rewritten.
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/work/labdata}
KVER=${KVER:-$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1)}
VMLINUX=/usr/lib/debug/boot/vmlinux-$KVER
S=$1
. "$LAB/scenarios.sh"
lab_scenario "$S" || exit 2
D=$OUT/run/$S
C=${LAB_CORPUS_DIR:-$OUT/corpus}/$S
MODKO=$OUT/build/modules/$MOD.ko
if [ -f "$D/vmcore" ]; then
  rm -rf "$C"; mkdir -p "$C/crash"
  for f in vmcore vmcore.elf vmcore.elf-full; do [ -f "$D/$f" ] && ln -f "$D/$f" "$C/$f" && chmod 644 "$C/$f"; done
  cp "$D/vmcore-dmesg.txt" "$C/vmcore-dmesg.txt" 2>/dev/null
  cp "$D/capture.log" "$C/capture.log" 2>/dev/null
  cp "$D/serial.log" "$C/console.log"
  cp "$D/run.info" "$C/run.info"
fi
[ -f "$C/vmcore" ] || { echo "[$S] no vmcore in $D or $C"; exit 1; }
mkdir -p "$C/crash"
CR=$C/crash
{
  [ -n "$MOD" ] && echo "mod -s $MOD $MODKO > $CR/mod-s.txt"
  echo "sys > $CR/sys.txt"
  echo "bt -a > $CR/bt-a.txt"
  echo "foreach bt > $CR/foreach-bt.txt"
  echo "ps > $CR/ps.txt"
  echo "log > $CR/log.txt"
  echo "kmem -i > $CR/kmem-i.txt"
  echo "bt -f > $CR/bt-f-panic-task.txt"
  echo "runq > $CR/runq.txt"
  echo "mod > $CR/mod.txt"
  echo "foreach UN bt > $CR/foreach-UN-bt.txt"
  # crash 8.0.2 misses most tasks of this kernel in its PID table (see docs/lab.md); walk the list too
  echo "list task_struct.tasks -h init_task > $CR/tasklist.txt"
  if [ -n "$LOCK_CMDS" ]; then
    first=1
    while IFS= read -r cmd; do
      if [ $first = 1 ]; then echo "$cmd > $CR/lock.txt"; first=0; else echo "$cmd >> $CR/lock.txt"; fi
    done <<< "$LOCK_CMDS"
  fi
  echo "quit"
} > "$CR/commands.txt"
t0=$(date +%s.%N)
crash -s "$VMLINUX" "$C/vmcore" < "$CR/commands.txt" > "$CR/crash-session.txt" 2>&1
t1=$(date +%s.%N)
echo "[$S] crash took $(echo "$t1 - $t0" | bc | awk '{printf "%.1f", $1}') s"
DRGN_SYMS=(-s "$VMLINUX"); [ -n "$MOD" ] && DRGN_SYMS+=(-s "$MODKO")
/usr/bin/drgn -q -c "$C/vmcore" "${DRGN_SYMS[@]}" "$LAB/drgn_tasks.py" > "$C/drgn-tasks.txt" 2>&1
t2=$(date +%s.%N)
echo "[$S] drgn took $(echo "$t2 - $t1" | bc | awk '{printf "%.1f", $1}') s"
cp "$LAB/drgn_tasks.py" "$C/drgn_tasks.py"
{
  echo "crash -s $VMLINUX vmcore < crash/commands.txt"
  echo "drgn -q -c vmcore ${DRGN_SYMS[*]} drgn_tasks.py > drgn-tasks.txt"
} > "$C/COMMANDS"
grep -m1 "PANIC:" "$CR/sys.txt"
