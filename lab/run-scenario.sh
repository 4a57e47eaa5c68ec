#!/bin/bash
# Boot the Debian kernel under QEMU with one scenario. The guest loads a kdump capture kernel
# (kexec -p); on panic the capture kernel writes the dump formats of the scenario (scenarios.sh,
# FORMATS) from /proc/vmcore onto an ext4 disk image, which is unpacked with debugfs into
# $LAB_OUT/run/<scenario>/ (vmcore, vmcore.elf, vmcore-dmesg.txt, capture.log, serial.log, run.info).
# LAB_DUMP=qemu instead dumps guest memory via QMP dump-guest-memory (ELF) after the panic.
#   usage: run-scenario.sh <scenario>
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/work/labdata}
KVER=${KVER:-$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1)}
S=$1
# shellcheck source=scenarios.sh
. "$LAB/scenarios.sh"
lab_scenario "$S" || exit 2
DUMP=${LAB_DUMP:-kdump}
D=$OUT/run/$S; rm -rf "$D"; mkdir -p "$D"
BASE="console=ttyS0,115200 panic=0 nopvspin crashkernel=$CRASHKERNEL lab.scenario=$S lab.formats=$FORMATS"
[ "$DUMP" = qemu ] && EXTRA="$EXTRA lab.nokdump=1"
EXTRA="$EXTRA ${LAB_EXTRA_CMDLINE:-}"
# KVM on the lab host is "kvm-pvm" (nested PVM) which cannot boot a stock Debian kernel,
# so TCG is the default; LAB_KVM=1 tries KVM.  la57=off keeps 4-level paging like most servers.
if [ -n "${LAB_KVM:-}" ] && [ -w /dev/kvm ]; then ACCEL="-enable-kvm -cpu host,-arch-capabilities"; else ACCEL="-accel tcg -cpu max,la57=off"; fi
echo "[$S] cmdline: $BASE $EXTRA ($ACCEL, -smp $SMP -m $MEM, dump=$DUMP)" | tee "$D/run.info"
# the ext4 disk (vda) holds every format the capture kernel writes; -E -d 0 needs all of RAM.
# "raw" (/proc/vmcore as is) goes onto a second, raw disk (vdb) that becomes the file itself.
DISK_MB=1024; case ",$FORMATS," in *,E0,*) DISK_MB=$((MEM + 2048)) ;; esac
truncate -s ${DISK_MB}M "$D/disk.img"
mkfs.ext4 -q -F -O ^has_journal -L labdump "$D/disk.img"
RAWDISK=()
case ",$FORMATS," in *,raw,*)
  truncate -s $((MEM + 512))M "$D/vmcore.elf-full"
  RAWDISK=(-drive file="$D/vmcore.elf-full",format=raw,if=virtio,cache=unsafe) ;;
esac
now() { date +%s.%N; }
since() { echo "$1 - $T0" | bc | awk '{printf "%.1f", $1}'; }
T0=$(now)
qemu-system-x86_64 $ACCEL -smp "$SMP" -m "$MEM" -no-reboot -display none \
  -kernel /boot/vmlinuz-$KVER -initrd "$OUT/build/initramfs.cpio.gz" -append "$BASE $EXTRA" \
  -device vmcoreinfo -drive file="$D/disk.img",format=raw,if=virtio,cache=unsafe "${RAWDISK[@]}" \
  -serial file:"$D/serial.log" -qmp unix:"$D/qmp.sock",server=on,wait=off \
  > "$D/qemu.stdout" 2>&1 &
QPID=$!
echo "[$S] qemu pid $QPID"
panicked=0 tb="" TP="" TC=""
deadline=$(( $(date +%s) + TIMEOUT ))
while kill -0 $QPID 2>/dev/null; do
  sleep 0.5
  [ -z "$tb" ] && grep -q "LAB: scenario .* started" "$D/serial.log" 2>/dev/null && tb=$(now)
  # with kdump loaded an oops (panic_on_oops) kexecs straight from oops_end(): no "Kernel panic" line
  if [ $panicked = 0 ] && grep -qE "Kernel panic - not syncing|Oops: " "$D/serial.log" 2>/dev/null; then
    panicked=1; TP=$(now); deadline=$(( $(date +%s) + DUMP_TIMEOUT ))
  fi
  [ -z "$TC" ] && grep -q "LAB-KDUMP: capture kernel up" "$D/serial.log" 2>/dev/null && TC=$(now)
  if [ $panicked = 1 ]; then
    [ "$DUMP" = qemu ] && grep -q "end Kernel panic" "$D/serial.log" && break
    grep -q "LAB-KDUMP-DONE" "$D/serial.log" && break
  fi
  [ "$(date +%s)" -ge $deadline ] && { echo "[$S] timeout (panicked=$panicked)"; break; }
done
T1=$(now)
{
echo "[$S] scenario started after $(since "${tb:-$T0}") s; panicked=$panicked at $(since "${TP:-$T1}") s; dump finished at $(since "$T1") s"
echo "[$S] capture kernel up at $(since "${TC:-$T1}") s (host clock, from QEMU start)"
grep -m1 -E "Kernel panic - not syncing|Oops: " "$D/serial.log"
grep -E "LAB-KDUMP: (format|makedumpfile took)" "$D/serial.log"
} | tee -a "$D/run.info"
if [ "$DUMP" = qemu ] && kill -0 $QPID 2>/dev/null; then
  sleep 3
  /usr/bin/python3 "$LAB/qmp.py" "$D/qmp.sock" dump "$D/vmcore.qemu.elf" | tee -a "$D/run.info"
  /usr/bin/python3 "$LAB/elf-phdr-fixup.py" "$D/vmcore.qemu.elf"
fi
/usr/bin/python3 "$LAB/qmp.py" "$D/qmp.sock" quit >/dev/null 2>&1
for ((i = 0; i < 20; i++)); do kill -0 $QPID 2>/dev/null || break; sleep 0.5; done
kill -0 $QPID 2>/dev/null && kill $QPID
wait $QPID 2>/dev/null
if [ "$DUMP" = kdump ] && [ $panicked = 1 ]; then
  te=$(now)
  debugfs -R "rdump /lab $D" "$D/disk.img" 2>/dev/null
  mv "$D"/lab/* "$D"/ 2>/dev/null; rmdir "$D/lab" 2>/dev/null
  # makedumpfile's progress meter (carriage returns) is noise in the log
  [ -f "$D/capture.log" ] && tr '\r' '\n' < "$D/capture.log" | grep -v '^\s*$' | grep -vE '\[ *[0-9.]+ ?%\]' > "$D/capture.tmp" && mv "$D/capture.tmp" "$D/capture.log"
  if [ -f "$D/vmcore.elf-full.size" ]; then
    truncate -s "$(cat "$D/vmcore.elf-full.size")" "$D/vmcore.elf-full"; rm -f "$D/vmcore.elf-full.size"
  fi
  echo "[$S] disk unpacked in $(echo "$(now) - $te" | bc | awk '{printf "%.1f", $1}') s" | tee -a "$D/run.info"
fi
rm -f "$D/disk.img" "$D/qmp.sock"
[ -f "$D/vmcore.elf-full" ] && [ $panicked = 0 ] && rm -f "$D/vmcore.elf-full"
ls -la "$D" | tee -a "$D/run.info"
ok=0
if [ $panicked = 1 ] && { [ "$DUMP" = qemu ] || [ -f "$D/vmcore" ]; }; then ok=1; fi
[ $ok = 1 ]
