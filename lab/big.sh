#!/bin/bash
# The flat-in-size entries ($LAB_OUT/big/<scenario>/): a sysrq-c crash of a guest with several GB
# of RAM, partly filled (anonymous hog + page cache, see init.sh), dumped by the capture kernel
# unfiltered (vmcore.elf-full: /proc/vmcore as is, an ELF of all RAM) and filtered (vmcore: -c -d 31,
# vmcore.elf: -E -d 31), plus the re-packed formats, the crash/drgn references, and timings of the
# reference tools reading the kernel log from each (timings.txt).
#   usage: big.sh <big-scenario>       (after run-scenario.sh <big-scenario>)
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/work/labdata}
KVER=${KVER:-$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1)}
VMLINUX=/usr/lib/debug/boot/vmlinux-$KVER
S=$1
export LAB_CORPUS_DIR=$OUT/big
"$LAB/analyze.sh" "$S" || exit 1
"$LAB/formats.sh" "$S"
C=$LAB_CORPUS_DIR/$S
cd "$C" || exit 1
# how the reference tools scale with the dump: wall seconds and peak RSS to print the kernel log
{
  echo "# tool file bytes wall_s peak_rss_kb  (reading the kernel log only; one run each)"
  for f in vmcore vmcore.elf vmcore.elf-full; do
    [ -f "$f" ] || continue
    sz=$(stat -c %s "$f")
    rm -f /tmp/lab-dmesg.$$   # makedumpfile will not overwrite its output file
    /usr/bin/time -f "%e %M" -o /tmp/lab-time.$$ makedumpfile --dump-dmesg "$f" /tmp/lab-dmesg.$$ > /dev/null 2>&1
    echo "makedumpfile-dump-dmesg $f $sz $(tail -1 /tmp/lab-time.$$)"
    echo "log" > /tmp/lab-cmd.$$; echo quit >> /tmp/lab-cmd.$$
    /usr/bin/time -f "%e %M" -o /tmp/lab-time.$$ crash -s "$VMLINUX" "$f" < /tmp/lab-cmd.$$ > /dev/null 2>&1
    echo "crash-log $f $sz $(tail -1 /tmp/lab-time.$$)"
    /usr/bin/time -f "%e %M" -o /tmp/lab-time.$$ /usr/bin/drgn -q -c "$f" -s "$VMLINUX" "$LAB/drgn_dmesg.py" > /dev/null 2>&1
    echo "drgn-get_dmesg $f $sz $(tail -1 /tmp/lab-time.$$)"
  done
} > timings.txt
rm -f /tmp/lab-time.$$ /tmp/lab-dmesg.$$ /tmp/lab-cmd.$$
column -t timings.txt
