# The scenario table (sourced by run-scenario.sh and analyze.sh): one case per scenario.
# lab_scenario NAME sets
#   EXTRA        kernel command-line options of the first kernel (detector settings)
#   SMP MEM      vCPUs and guest MiB (defaults 4 and 640; LAB_SMP / LAB_MEM override)
#   CRASHKERNEL  crashkernel= reservation for the capture kernel
#   FORMATS      dump formats the capture kernel writes from /proc/vmcore (see init.sh):
#                c = kdump zlib -d 31 (vmcore), E = ELF -d 31 (vmcore.elf),
#                raw = /proc/vmcore copied as is (vmcore.elf-full: unfiltered ELF)
#   MOD          lab module whose symbols crash/drgn load
#   LOCK_CMDS    crash commands for crash/lock.txt (the scenario's lock or counter)
#   TIMEOUT      seconds to wait for the panic; DUMP_TIMEOUT for the capture kernel to finish
# shellcheck shell=bash
LAB_SCENARIOS="bitlock-sched bitlock-sched-irqoff abba-spinlock abba-spinlock-irqoff softlockup mutex-hung null-deref rcu-stall sysrq-c oom pagelock-syscall-smp8"
LAB_BIG_SCENARIOS="big-4g big-8g"

lab_scenario() {
	EXTRA="" SMP=4 MEM=640 CRASHKERNEL=256M FORMATS=c,E MOD="" LOCK_CMDS="" TIMEOUT=120 DUMP_TIMEOUT=300
	local soft="nmi_watchdog=panic watchdog_thresh=5 softlockup_panic=1"
	local stall="nmi_watchdog=panic rcupdate.rcu_cpu_stall_timeout=10"
	case "$1" in
	bitlock-sched) EXTRA=$soft MOD=lab_bitlock ;;
	bitlock-sched-irqoff) EXTRA=$stall MOD=lab_bitlock ;;
	abba-spinlock) EXTRA=$soft MOD=lab_abba ;;
	abba-spinlock-irqoff) EXTRA=$stall MOD=lab_abba ;;
	softlockup) EXTRA=$soft MOD=lab_softlockup ;;
	mutex-hung) EXTRA="hung_task_panic=1" MOD=lab_mutex ;;
	null-deref) MOD=lab_nullderef ;;
	rcu-stall) EXTRA="rcupdate.rcu_cpu_stall_timeout=5" MOD=lab_rcustall ;;
	sysrq-c) ;;
	oom) ;;
	pagelock-syscall-smp8) EXTRA=$stall SMP=8 MOD=lab_pagelock TIMEOUT=240 ;;
	big-4g) MEM=4096 EXTRA="lab.fill_anon=2048 lab.fill_cache=512" FORMATS=c,E,raw TIMEOUT=300 DUMP_TIMEOUT=1200 ;;
	big-8g) MEM=8192 EXTRA="lab.fill_anon=4096 lab.fill_cache=1024" FORMATS=c,E,raw TIMEOUT=400 DUMP_TIMEOUT=2400 ;;
	*) echo "unknown scenario '$1' (known: $LAB_SCENARIOS $LAB_BIG_SCENARIOS)" >&2; return 1 ;;
	esac
	case "$1" in
	bitlock-sched*) LOCK_CMDS="p/x lab_bitlock_word
sym lab_bitlock_word
rd lab_bitlock_word" ;;
	abba-spinlock*) LOCK_CMDS="p lab_lock_a
p lab_lock_b
sym lab_lock_a lab_lock_b" ;;
	mutex-hung) LOCK_CMDS="p lab_mutex_a
p lab_mutex_b
sym lab_mutex_a lab_mutex_b" ;;
	softlockup) LOCK_CMDS="p lab_softlockup_iterations" ;;
	rcu-stall) LOCK_CMDS="p lab_rcustall_iterations" ;;
	null-deref) LOCK_CMDS="p lab_widget_ptr
dis -l lab_nullderef_touch" ;;
	pagelock-syscall*) LOCK_CMDS="p lab_pagelock_head
p lab_pagelock_order
p/x lab_pagelock_head->flags
p/x *lab_pagelock_head
dis -l lab_put_compound_page" ;;
	esac
	SMP=${LAB_SMP:-$SMP} MEM=${LAB_MEM:-$MEM} TIMEOUT=${LAB_TIMEOUT:-$TIMEOUT}
}
