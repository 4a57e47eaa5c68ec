#!/bin/bash
# Build the two busybox initramfs images:
#   $LAB_OUT/initrd-capture.gz : kdump capture kernel userspace (makedumpfile, virtio_blk, ext4)
#   $LAB_OUT/initramfs.cpio.gz : first kernel (scenario modules and programs, kexec, vmlinuz +
#                                the capture initrd)
# Needs the modules built by build.sh in $LAB_OUT/build/modules.
# LAB_MAKEDUMPFILE: makedumpfile binary for the capture kernel (default: Debian's, as kdump-tools).
set -euo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
OUT=${LAB_OUT:-/work/labdata}
KVER=${KVER:-$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1)}
MODDIR=/lib/modules/$KVER/kernel
MDF=${LAB_MAKEDUMPFILE:-$(command -v makedumpfile)}
copy_bin() { # copy a dynamic binary and its libraries into $1/lib/lab
	local root=$1 bin=$2
	cp "$bin" "$root/lib/lab/"
	for l in $(ldd "$bin" | awk '/=>/ {print $3}'); do cp -n "$l" "$root/lib/lab/libs/"; done
	mkdir -p "$root/lib64"; cp -n /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
}
mkroot() {
	local R=$1
	rm -rf "$R"; mkdir -p "$R"/{bin,proc,sys,dev,tmp,boot,lib/lab/libs}
	cp /bin/busybox "$R/bin/busybox"
	cp "$LAB/init.sh" "$R/init"; chmod +x "$R/init"
	for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
		drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
		lib/crc16 fs/mbcache fs/jbd2/jbd2 crypto/crc32c_generic fs/ext4/ext4; do
		cp "$MODDIR/$m.ko" "$R/lib/lab/"
	done
	copy_bin "$R" "$MDF"
	[ "$(basename "$MDF")" = makedumpfile ] || mv "$R/lib/lab/$(basename "$MDF")" "$R/lib/lab/makedumpfile"
}
C=$OUT/build/initramfs-capture
mkroot "$C"
(cd "$C" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT/build/initrd-capture.gz"
R=$OUT/build/initramfs-root
mkroot "$R"
copy_bin "$R" "$(command -v kexec)"
cp "$MODDIR/drivers/firmware/qemu_fw_cfg.ko" "$R/lib/lab/"
cp "$OUT"/build/modules/*.ko "$R/lib/lab/"
gcc -O1 -static -o "$R/lib/lab/lab_memhog" "$LAB/userspace/lab_memhog.c"
gcc -O1 -static -o "$R/lib/lab/lab_syscall" "$LAB/userspace/lab_syscall.c"
cp /boot/vmlinuz-$KVER "$R/boot/vmlinuz"
cp "$OUT/build/initrd-capture.gz" "$R/boot/initrd-capture.gz"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT/build/initramfs.cpio.gz"
ls -la "$OUT/build/initrd-capture.gz" "$OUT/build/initramfs.cpio.gz"
