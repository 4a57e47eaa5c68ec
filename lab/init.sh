#!/bin/busybox sh
# /init of the crash-lab initramfs (both kernels run this file).
#  - first kernel: loads the kdump capture kernel with kexec -p, then starts the scenario
#    given by lab.scenario= on the kernel command line.
#  - capture kernel (lab.kdump=1 on its command line): writes the dump formats listed in
#    lab.formats= (default c,E) from /proc/vmcore onto the ext4 disk /dev/vda (directory /lab),
#    then powers off. Writing to disk, not to the initramfs, matters: the capture kernel only has
#    the crashkernel= reservation as RAM (the shared lab's tmpfs ran out and truncated an ELF dump).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
export LD_LIBRARY_PATH=/lib/lab/libs
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
now() { cut -d' ' -f1 /proc/uptime; }

if grep -q 'lab.kdump=1' /proc/cmdline; then
	echo "LAB-KDUMP: capture kernel up at $(now) s, $(grep -c ^processor /proc/cpuinfo) cpu(s), vmcore $(ls -la /proc/vmcore | awk '{print $5}') bytes"
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk \
		crc16 mbcache jbd2 crc32c_generic ext4; do
		insmod /lib/lab/$m.ko 2>/dev/null
	done
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -b /dev/vda ] && break; sleep 0.5; done
	mkdir -p /out
	mount -t ext4 /dev/vda /out || echo "LAB-KDUMP: mount of /dev/vda FAILED"
	mkdir -p /out/lab
	O=/out/lab
	MDF=/lib/lab/makedumpfile
	t0=$(now)
	$MDF --dump-dmesg /proc/vmcore $O/vmcore-dmesg.txt 2>&1 | tail -1
	fmts=$(arg lab.formats); [ -n "$fmts" ] || fmts=c,E
	for f in $(echo "$fmts" | tr , ' '); do
		ts=$(now)
		case "$f" in
		c)   out=vmcore;           $MDF -c -d 31 /proc/vmcore $O/$out > /tmp/mdf.log 2>&1 ;;
		E)   out=vmcore.elf;       $MDF -E -d 31 /proc/vmcore $O/$out > /tmp/mdf.log 2>&1 ;;
		l)   out=vmcore.kdump-lzo; $MDF -l -d 31 /proc/vmcore $O/$out > /tmp/mdf.log 2>&1 ;;
		F)   out=vmcore.flat;      $MDF -F -c -d 31 /proc/vmcore > $O/$out 2> /tmp/mdf.log ;;
		E0)  out=vmcore.elf-d0;    $MDF -E -d 0 /proc/vmcore $O/$out > /tmp/mdf.log 2>&1 ;;
		raw) # straight onto the second disk (vdb), which the host then cuts to this size
		     out=vmcore.elf-full.size
		     ls -la /proc/vmcore | awk '{print $5}' > $O/$out
		     dd if=/proc/vmcore of=/dev/vdb bs=1M > /tmp/mdf.log 2>&1 ;;
		*)   echo "LAB-KDUMP: unknown format $f"; continue ;;
		esac
		rc=$?
		sync
		{ echo "== $f -> $out (rc=$rc)"; cat /tmp/mdf.log; } >> $O/capture.log
		tail -2 /tmp/mdf.log
		bytes=$(ls -la $O/$out 2>/dev/null | awk '{print $5}'); [ "$f" = raw ] && bytes=$(cat $O/$out)
		echo "LAB-KDUMP: format $f -> $out rc=$rc $bytes bytes in $(echo "$(now) $ts" | awk '{printf "%.1f", $1 - $2}') s"
	done
	ls -la $O
	echo "LAB-KDUMP: makedumpfile took $(echo "$(now) $t0" | awk '{printf "%.0f", $1 - $2}') s"
	umount /out
	sync
	echo "LAB-KDUMP-DONE"
	poweroff -f
fi

insmod /lib/lab/qemu_fw_cfg.ko
sc=$(arg lab.scenario)
echo "LAB: scenario=$sc kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo) mem=$(awk '/MemTotal/ {print $2}' /proc/meminfo) kB"
echo "LAB: nmi_watchdog=$(cat /proc/sys/kernel/nmi_watchdog) watchdog_thresh=$(cat /proc/sys/kernel/watchdog_thresh) hardlockup_panic=$(cat /proc/sys/kernel/hardlockup_panic 2>/dev/null) softlockup_panic=$(cat /proc/sys/kernel/softlockup_panic)"
dmesg | grep -iE 'NMI watchdog|Performance Events|PMU|crashkernel' | sed 's/^/LAB: dmesg: /'
if [ -e /boot/vmlinuz ] && ! grep -q 'lab.nokdump=1' /proc/cmdline; then
	capargs="console=ttyS0,115200 nr_cpus=1 irqpoll reset_devices panic=0 nokaslr lab.kdump=1"
	v=$(arg lab.formats); [ -n "$v" ] && capargs="$capargs lab.formats=$v"
	/lib/lab/kexec -p /boot/vmlinuz --initrd=/boot/initrd-capture.gz --append="$capargs" \
		&& echo "LAB: kdump capture kernel loaded ($(cat /sys/kernel/kexec_crash_loaded))" \
		|| echo "LAB: kexec -p FAILED"
fi
echo 1 > /proc/sys/kernel/sysrq
case "$sc" in
bitlock-sched)
	echo 1 > /proc/sys/kernel/softlockup_panic
	insmod /lib/lab/lab_bitlock.ko irqoff=0 ;;
bitlock-sched-irqoff)
	echo 1 > /proc/sys/kernel/panic_on_rcu_stall
	insmod /lib/lab/lab_bitlock.ko irqoff=1 ;;
pagelock-syscall*)
	# many user threads enter write(2) on /proc/lab_pagelock and spin with irqs off on a bit
	# lock in a compound page's flags, while one of them sleeps holding it
	echo 1 > /proc/sys/kernel/panic_on_rcu_stall
	insmod /lib/lab/lab_pagelock.ko
	/lib/lab/lab_syscall & ;;
abba-spinlock)
	echo 1 > /proc/sys/kernel/softlockup_panic
	insmod /lib/lab/lab_abba.ko irqoff=0 ;;
abba-spinlock-irqoff)
	echo 1 > /proc/sys/kernel/panic_on_rcu_stall
	insmod /lib/lab/lab_abba.ko irqoff=1 ;;
softlockup)
	echo 1 > /proc/sys/kernel/softlockup_panic
	insmod /lib/lab/lab_softlockup.ko ;;
mutex-hung)
	echo 1 > /proc/sys/kernel/hung_task_panic
	echo 5 > /proc/sys/kernel/hung_task_timeout_secs
	insmod /lib/lab/lab_mutex.ko ;;
null-deref)
	echo 1 > /proc/sys/kernel/panic_on_oops
	insmod /lib/lab/lab_nullderef.ko ;;
rcu-stall)
	echo 1 > /proc/sys/kernel/panic_on_rcu_stall
	insmod /lib/lab/lab_rcustall.ko ;;
sysrq-c)
	sleep 1
	echo c > /proc/sysrq-trigger ;;
big-*)
	# fill memory so the unfiltered dump holds real pages: lab.fill_anon MiB of anonymous memory
	# (a patterned, never-zero hog) and lab.fill_cache MiB of page cache (a file on the tmpfs root)
	anon=$(arg lab.fill_anon); cache=$(arg lab.fill_cache)
	[ -n "$cache" ] && dd if=/dev/zero of=/fill-cache bs=1M count="$cache" 2>&1 | tail -1
	if [ -n "$anon" ]; then
		/lib/lab/lab_memhog "$anon" > /tmp/memhog.log 2>&1 &
		while ! grep -q holding /tmp/memhog.log; do sleep 1; done
		cat /tmp/memhog.log
	fi
	grep -E 'MemTotal|MemFree|^Cached|AnonPages|Shmem:' /proc/meminfo | sed 's/^/LAB: meminfo: /'
	echo "LAB: scenario $sc started"
	sleep 1
	echo c > /proc/sysrq-trigger ;;
oom)
	echo 1 > /proc/sys/vm/panic_on_oom
	/lib/lab/lab_memhog & ;;
*)
	echo "LAB: unknown scenario '$sc'" ;;
esac
echo "LAB: scenario $sc started"
while :; do sleep 3600; done
