#!/bin/bash
# One-command rebuild of the crash lab (as root):  LAB_OUT=/work/labdata ./build.sh [scenario ...]
#  1. installs the Debian packages it needs if missing (idempotent)
#  2. builds the scenario kernel modules against the installed linux-headers ($LAB_OUT/build/modules)
#  3. builds the two initramfs images (first kernel + kdump capture kernel)
#  4. boots every scenario under QEMU, captures the kdump vmcore, runs crash + drgn, writes the
#     other formats (run-all.sh -> run-scenario.sh, analyze.sh, formats.sh)
set -euo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
export LAB_OUT=${LAB_OUT:-/work/labdata}
mkdir -p "$LAB_OUT/build"
PKGS="qemu-system-x86 linux-image-amd64 linux-headers-amd64 linux-image-amd64-dbg crash makedumpfile
      busybox-static python3-drgn kexec-tools gcc make libc6-dev cpio bc kmod e2fsprogs"
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
if [ -n "$missing" ] && [ -z "${LAB_NO_APT:-}" ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
KVER=$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1); export KVER
[ -f /usr/lib/debug/boot/vmlinux-$KVER ] || { echo "missing debug vmlinux for $KVER"; exit 1; }
# build out of tree so the modules crash/drgn load later sit beside the dumps, not in git
rm -rf "$LAB_OUT/build/modules"; cp -r "$LAB/modules" "$LAB_OUT/build/modules"
make -C "$LAB_OUT/build/modules" KVER="$KVER"
"$LAB/build-initramfs.sh"
"$LAB/run-all.sh" "$@"
mkdir -p "$LAB_OUT/corpus/kernel"
gzip -9c /usr/lib/debug/boot/System.map-$KVER > "$LAB_OUT/corpus/kernel/System.map-$KVER.gz"
