/**
 * Known lockup/deadlock/panic bugs. Each entry names its upstream fix (commit id checked against
 * public copies of the commit or of messages quoting it) and the public sources it was taken from.
 */

import type { KnownBug } from './types.js';

const commit = (id: string) =>
  `https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=${id}`;

export const KNOWN_BUGS: KnownBug[] = [
  {
    id: 'thp-tail-refcount-compound-lock',
    title:
      'THP tail-page refcounting: CPUs spin forever on PG_compound_lock in put_compound_page() (futex on a THP, interrupts off)',
    signature: {
      versions: { to: '4.5' },
      rhel: [{ major: 7 }],
      kinds: ['hard-lockup', 'soft-lockup', 'rcu-stall', 'panic', 'unknown'],
      allFunctions: ['put_compound_page'],
      anyFunctions: ['get_futex_key', 'put_page', '__get_user_pages_fast', 'get_user_pages_fast'],
      conditions: ['spinning-in-functions'],
    },
    fix: {
      commit: 'ddc58f27f9eee9117219936f77e90ad5b2e00e96',
      subject: 'mm: drop tail page refcounting',
      version: 'v4.5',
    },
    errata: ['none for RHEL7: its 3.10 kernel keeps tail-page refcounting (the rework was never backported)'],
    workaround:
      'disable transparent huge pages (echo never > /sys/kernel/mm/transparent_hugepage/enabled, or transparent_hugepage=never on the kernel command line) on the affected hosts',
    references: [
      'https://www.yunweiku.com/thread-407984-1-1.html',
      commit('ddc58f27f9eee9117219936f77e90ad5b2e00e96'),
    ],
  },
  {
    id: 'printk-console-unlock-lockup',
    title: 'printk storm: one CPU prints everyone’s messages in console_unlock() until the watchdog fires',
    signature: {
      versions: { to: '4.16' },
      kinds: ['soft-lockup', 'hard-lockup', 'rcu-stall'],
      anyFunctions: ['console_unlock'],
      allFunctions: ['console_unlock'],
    },
    fix: {
      commit: 'dbdda842fe96',
      subject: 'printk: Add console owner and waiter logic to load balance console writes',
      version: 'v4.16',
    },
    workaround:
      'lower the console loglevel (dmesg -n / kernel.printk) and the console baud-rate bound output; avoid slow serial consoles under message storms',
    references: [
      commit('dbdda842fe96'),
      'https://lore.kernel.org/all/CAJmjG28Q8pEpr67LC+Un8m+Qii58FTd1esp6Zc47TnMsw50QEw@mail.gmail.com/',
    ],
  },
  {
    id: 'update-blocked-averages-infinite-loop',
    title: 'Infinite loop in update_blocked_averages() over the leaf cfs_rq list (CVE-2018-20784)',
    signature: {
      versions: { from: '4.13', to: '4.20.2' },
      kinds: ['soft-lockup', 'hard-lockup', 'rcu-stall'],
      allFunctions: ['update_blocked_averages'],
    },
    fix: {
      commit: 'c40f7d74c741a907cfaeb73a7697081881c497d0',
      subject: 'sched/fair: Fix infinite loop in update_blocked_averages() by reverting a9e7f6544b9c',
      version: 'v5.0 (4.20.2 stable)',
    },
    errata: ['RHSA-2019:1959', 'RHSA-2019:1971', 'USN-4115-1', 'USN-4118-1'],
    references: [
      'https://osv.dev/vulnerability/CVE-2018-20784',
      commit('c40f7d74c741a907cfaeb73a7697081881c497d0'),
    ],
  },
  {
    id: 'futex-pi-ownerless-rtmutex',
    title:
      'BUG_ON(!newowner) in fixup_pi_state_owner(): PI futex sees a transient "ownerless" rtmutex (CVE-2021-3347 series)',
    signature: {
      versions: { to: '5.10' },
      kinds: ['bug', 'oops', 'panic'],
      allFunctions: ['fixup_pi_state_owner'],
    },
    fix: {
      commit: '9f5d1c336a10c0d24e83e40b4c1b9539f7dba627',
      subject: 'futex: Handle transient "ownerless" rtmutex state correctly',
      version: 'v5.10',
    },
    references: [
      'https://git.kernel.org/tip/9f5d1c336a10c0d24e83e40b4c1b9539f7dba627',
      commit('9f5d1c336a10c0d24e83e40b4c1b9539f7dba627'),
    ],
  },
  {
    id: 'tcp-sack-panic',
    title: 'TCP SACK Panic: a crafted SACK sequence overflows tcp_gso_segs and hits a BUG (CVE-2019-11477)',
    signature: {
      versions: { from: '2.6.29', to: '5.2' },
      kinds: ['bug', 'oops', 'panic'],
      anyFunctions: ['tcp_shifted_skb', 'tcp_sacktag_walk', 'tcp_shift_skb_data', 'tcp_sacktag_write_queue'],
    },
    fix: {
      commit: '3b4929f65b0d8249f19a50245cd88ed1a2f78cff',
      subject: 'tcp: limit payload size of sacked skbs',
      version: 'v5.2 (4.4.182, 4.9.182, 4.14.127, 4.19.52, 5.1.11 stable)',
    },
    workaround:
      'disable SACK (net.ipv4.tcp_sack=0) or drop tiny-MSS SYNs (iptables … --tcp-flags SYN SYN -m tcpmss --mss 1:500 -j DROP) until patched',
    references: [
      'https://osv.dev/vulnerability/CVE-2019-11477',
      commit('3b4929f65b0d8249f19a50245cd88ed1a2f78cff'),
    ],
  },
  {
    id: 'tcp-segmentsmack-ofo-prune',
    title:
      'SegmentSmack: out-of-order TCP segments make tcp_collapse_ofo_queue()/tcp_prune_ofo_queue() burn the CPU (CVE-2018-5390)',
    signature: {
      versions: { from: '4.9', to: '4.18' },
      kinds: ['soft-lockup', 'rcu-stall', 'hard-lockup'],
      anyFunctions: ['tcp_collapse_ofo_queue', 'tcp_prune_ofo_queue', 'tcp_collapse'],
    },
    fix: {
      commit: '72cd43ba64fc172a443410ce01645895850844c8',
      subject: 'tcp: free batches of packets in tcp_prune_ofo_queue()',
      version: 'v4.18',
    },
    references: [
      'https://nvd.nist.gov/vuln/detail/CVE-2018-5390',
      commit('72cd43ba64fc172a443410ce01645895850844c8'),
    ],
  },
  {
    id: 'rcu-exp-missed-wakeup',
    title: 'Tasks hang in synchronize_rcu_expedited(): missed wakeup of exp_wq waiters',
    signature: {
      versions: { to: '5.6' },
      kinds: ['hung-task'],
      anyFunctions: [
        'synchronize_rcu_expedited',
        'exp_funnel_lock',
        'synchronize_sched_expedited',
        '_synchronize_rcu_expedited',
      ],
    },
    fix: {
      commit: 'fd6bc19d7676a060a171d1cf3dcbf6fd797eb05f',
      subject: 'rcu: Fix missed wakeup of exp_wq waiters',
      version: 'v5.6',
    },
    references: [
      'https://git.kernel.org/tip/fd6bc19d7676a060a171d1cf3dcbf6fd797eb05f',
      'https://lore.kernel.org/stable/CO1PR02MB8489A10983A22C72447EEB5C94FD9@CO1PR02MB8489.namprd02.prod.outlook.com/',
    ],
  },
  {
    id: 'kvm-wait-irq-restore',
    title:
      'KVM guest: kvm_wait() (PV spinlock halt) re-enables interrupts inside a spinlock slow path entered with them disabled ("raw_local_irq_restore() called with IRQs enabled")',
    signature: {
      versions: { to: '5.12' },
      kinds: ['warning', 'hard-lockup', 'soft-lockup', 'rcu-stall'],
      allFunctions: ['kvm_wait'],
    },
    fix: {
      commit: 'f4e61f0c9add3b00bd5f2df3c814d688849b8707',
      subject: 'x86/kvm: Fix broken irq restoration in kvm_wait',
      version: 'v5.12',
    },
    workaround: 'boot the guest with nopvspin (native spinlocks) until patched',
    references: [
      'https://lkml.kernel.org/r/1614057902-23774-1-git-send-email-wanpengli@tencent.com',
      commit('f4e61f0c9add3b00bd5f2df3c814d688849b8707'),
    ],
  },
  {
    id: 'hardlockup-turbo-false-positive',
    title:
      'False "Watchdog detected hard LOCKUP" with turbo: the perf NMI period is computed from the base frequency',
    signature: {
      versions: { to: '4.13' },
      kinds: ['hard-lockup'],
      conditions: ['no-lock-contention'],
    },
    fix: {
      commit: '7edaeb6841df',
      subject: 'kernel/watchdog: Prevent false positives with turbo modes',
      version: 'v4.13',
    },
    workaround:
      'if nothing on the machine was really stuck, raise kernel.watchdog_thresh or disable the NMI watchdog (nmi_watchdog=0) until patched',
    references: [commit('7edaeb6841df')],
  },
  {
    id: 'sched-clock-208-days',
    title:
      'Kernel time overflow after 208.5 days of uptime (cyc2ns_offset / sched_clock): bogus lockup reports, panics',
    signature: {
      versions: { to: '3.4' },
      rhel: [{ major: 6, fixedIn: '2.6.32-358.22.1.el6' }],
      conditions: ['uptime-over-208-days'],
    },
    fix: {
      commit: '9993bc635d01a6ee7f6b833b4ee65ce7c06350b1',
      subject: 'sched/x86: Fix overflow in cyc2ns_offset',
    },
    errata: ['RHEL 6.4: kernel-2.6.32-358.22.1.el6 ("[x86] sched: Fix overflow in cyc2ns_offset")'],
    workaround: 'reboot (not kexec) before 208 days of uptime until patched',
    references: [commit('9993bc635d01a6ee7f6b833b4ee65ce7c06350b1')],
  },
  {
    id: 'purge-vmap-area-lazy-lockup',
    title:
      'Soft lockups in __purge_vmap_area_lazy(): freeing a huge backlog of lazily unmapped vmalloc areas without a preemption point',
    signature: {
      versions: { to: '4.10' },
      kinds: ['soft-lockup', 'rcu-stall'],
      anyFunctions: ['__purge_vmap_area_lazy', 'purge_vmap_area_lazy', 'try_purge_vmap_area_lazy'],
    },
    fix: {
      commit: '763b218ddfaf56761c19923beb7e16656f66ec62',
      subject: 'mm: add preempt points into __purge_vmap_area_lazy()',
      version: 'v4.10',
    },
    references: [commit('763b218ddfaf56761c19923beb7e16656f66ec62')],
  },
  {
    id: 'rhel7-rwsem-missed-wakeup',
    title:
      'RHEL7: tasks hung forever in rwsem_down_read_failed()/rwsem_down_write_failed(): lost rwsem wakeup (wake_q ordering)',
    signature: {
      rhel: [{ major: 7, fixedIn: '3.10.0-957.12.1.el7' }],
      kinds: ['hung-task'],
      anyFunctions: [
        'rwsem_down_read_failed',
        'rwsem_down_write_failed',
        'call_rwsem_down_read_failed',
        'call_rwsem_down_write_failed',
      ],
    },
    errata: [
      'kernel-3.10.0-957.12.1.el7: "locking/rwsem: Fix (possible) missed wakeup", "futex: Fix (possible) missed wakeup", "sched/wake_q: Fix wakeup ordering for wake_q" (BZ 1690323, 1547078)',
    ],
    workaround: 'update to kernel-3.10.0-957.12.1.el7 or later',
    references: [
      'https://bugs.centos.org/view.php?id=15252',
      'https://lore.kernel.org/patchwork/patch/1018850/',
    ],
  },
];
