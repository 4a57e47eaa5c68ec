#!/bin/bash
# Real damaged dumps for the readers' error paths ($LAB_OUT/damaged/), made the way they happen in
# production: the dump target fills up while makedumpfile writes (ENOSPC). makedumpfile then
# marks the dump incomplete (kdump: status |= 0x8 DUMP_DH_COMPRESSED_INCOMPLETE, pages not written
# have no data; ELF: e_flags = 1) and says "This is an incomplete dumpfile, but might analyzable."
# Needs root (mounts a small tmpfs). Source: corpus/<scenario> (default softlockup), whose
# crash/*.txt are the references for what is still readable.
#   usage: damaged.sh [scenario]
set -uo pipefail
OUT=${LAB_OUT:-/work/labdata}
KVER=${KVER:-$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1)}
VMLINUX=/usr/lib/debug/boot/vmlinux-$KVER
S=${1:-softlockup}
C=$OUT/corpus/$S
D=$OUT/damaged
mkdir -p "$D"
M=$(mktemp -d)
enospc() { # enospc SIZE OUTNAME makedumpfile-args... : write into a SIZE tmpfs, keep what fit
  local size=$1 name=$2; shift 2
  mount -t tmpfs -o size="$size" tmpfs "$M" || return 1
  makedumpfile "$@" "$M/$name" > "$D/$name.makedumpfile.txt" 2>&1
  tr '\r' '\n' < "$D/$name.makedumpfile.txt" | grep -v '%\]' | grep -v '^\s*$' > "$D/$name.tmp"
  mv "$D/$name.tmp" "$D/$name.makedumpfile.txt"
  cp "$M/$name" "$D/$name"; chmod 644 "$D/$name"
  umount "$M"
  printf 'sys\nlog\nbt -a\nquit\n' | crash -s "$VMLINUX" "$D/$name" > "$D/$name.crash.txt" 2>&1
}
enospc 10m "$S.kdump-zlib-incomplete" -c -d 31 "$C/vmcore"
enospc 40m "$S.elf-incomplete" -E -d 31 "$C/vmcore.elf"
rmdir "$M"
[ -f "$OUT/corpus/sysrq-c/vmcore.elf-truncated.gz" ] && ln -sfn ../corpus/sysrq-c/vmcore.elf-truncated.gz "$D/sysrq-c.elf-truncated.gz"
{
  echo "# damaged dumps (lab/damaged.sh); references for the intact dump: ../corpus/$S/crash/"
  echo "$S.kdump-zlib-incomplete  kdump zlib -d 31 written to a 10 MiB tmpfs: status 0x9 (ZLIB|INCOMPLETE), header/bitmaps/descriptors + the pages that fit"
  echo "$S.elf-incomplete         ELF -E -d 31 written to a 40 MiB tmpfs: e_flags 1 (incomplete), file ends inside a PT_LOAD"
  echo "sysrq-c.elf-truncated.gz  ../shared/lab's sysrq-c ELF: the capture kernel's tmpfs filled up; 6 NULL phdrs, ends inside the last PT_LOAD"
  echo "*.makedumpfile.txt        what makedumpfile said;  *.crash.txt  crash 8.0.2 sys/log/bt -a on the damaged file"
} > "$D/README.txt"
ls -la "$D"
