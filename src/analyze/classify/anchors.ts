/**
 * Frame rules for reports whose top frame is a random point in a loop.
 *
 * Stalls and lockups: the CPU was caught somewhere inside looping code, so the top frame varies
 * between occurrences of one bug. The title names the frame just above a dispatch *anchor* (the
 * syscall entry, the workqueue, the timer softirq…), which is stable: `BUG: soft lockup in
 * sys_rmdir`. For busy, multiplexed entry points (ioctl, read/write, sendmsg) the anchor is the
 * generic dispatcher, so the frame above it names the device or protocol.
 *
 * Hung tasks: the task sleeps in a random lock or wait; hangs on RTNL or on RCU grace periods are
 * one bucket each, otherwise the first frame that is not scheduling/locking/waiting.
 */

export const STALL_ANCHORS: RegExp[] = [
  // Generic dispatchers.
  /process_one_work/,
  /do_syscall_/,
  /do_fast_syscall_/,
  /sysenter_dispatch/,
  // 2.6/3.x syscall entries (RHEL 6/7): what do_syscall_64 is to newer kernels.
  /^system_call_fastpath$/,
  /^system_call$/,
  /^tracesys$/,
  /^int_ret_from_sys_call$/,
  /^(sysenter|cstar|ia32)_do_call$/,
  /tracesys_phase2/,
  /el0_svc_handler/,
  /invoke_syscall/,
  /ret_fast_syscall/,
  /netif_receive_skb/,
  /do_softirq/,
  /call_timer_fn/,
  /_run_timers/,
  /run_timer_softirq/,
  /hrtimer_run/,
  /run_ksoftirqd/,
  /smpboot_thread_fn/,
  /^kthread$/,
  /start_secondary/,
  /cpu_startup_entry/,
  /ret_from_fork/,
  // Multiplexed file operations: the frame above names the driver.
  /vfs_write/,
  /vfs_read/,
  /vfs_iter_read/,
  /vfs_iter_write/,
  /do_iter_read/,
  /do_iter_write/,
  /call_read_iter/,
  /call_write_iter/,
  /new_sync_read/,
  /new_sync_write/,
  /vfs_ioctl/,
  /ksys_ioctl/,
  /compat_ioctl/,
  /compat_sys_ioctl/,
  /blkdev_driver_ioctl/,
  /blkdev_ioctl/,
  /do_iter_readv_writev/,
  /^call_mmap/,
  /mmap_region/,
  /do_mmap/,
  /do_dentry_open/,
  /vfs_open/,
  // Sockets: the frame above names the protocol.
  /^sock_sendmsg/,
  /^sock_recvmsg/,
  /^sock_release/,
  /^__sock_release/,
  /^setsockopt$/,
  /kernel_setsockopt/,
  /sock_common_setsockopt/,
  /^listen$/,
  /kernel_listen/,
  /sk_common_release/,
  /^sock_mmap/,
  /^accept$/,
  /kernel_accept/,
  /^sock_do_ioctl/,
  /^sock_ioctl/,
  /^compat_sock_ioctl/,
  /^nfnetlink_rcv_msg/,
  /^rtnetlink_rcv_msg/,
  /^netlink_dump/,
  /^(sys_)?(socketpair|connect|ioctl)/,
  // Page faults.
  /__do_fault/,
  /do_page_fault/,
  /^page_fault$/,
  // Return-to-user work.
  /__fput/,
  /task_work_run/,
  /exit_to_usermode/,
  /smp_call_function/,
  /tasklet_action/,
  /tasklet_hi_action/,
];

/** Index of the stall frame (the one above the first anchor), or -1 when no anchor is found. */
export function stallFrame(frames: string[]): { name: string; index: number } | undefined {
  let prev = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    if (STALL_ANCHORS.some((re) => re.test(frame))) {
      // Cross-CPU calls: the anchor itself is the useful name (its callers vary).
      if (frame.includes('smp_call_function')) return { name: 'smp_call_function', index: i };
      return { name: frames[prev]!, index: prev };
    }
    prev = i;
  }
  return undefined;
}

/** Hang buckets: a frame containing the key is reported as the value ('' = itself). */
export const HANG_BUCKETS: [string, string][] = [
  ['rtnl_lock', ''],
  ['synchronize_rcu', 'synchronize_rcu'],
  ['synchronize_srcu', 'synchronize_rcu'],
  ['synchronize_net', 'synchronize_rcu'],
  ['synchronize_sched', 'synchronize_rcu'],
];

/** Frames of a hung task that only say "it was waiting". */
export const HANG_WAIT_FRAMES = [
  'sched',
  '_lock',
  '_slowlock',
  'down',
  'rwsem',
  'completion',
  'kthread',
  'wait',
  'synchronize',
  'context_switch',
  '__switch_to',
  'cancel_delayed_work',
  'rcu_barrier',
];

export function hangFrame(frames: string[]): { name: string; index: number } | undefined {
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    for (const [key, bucket] of HANG_BUCKETS) {
      if (frame.includes(key)) return { name: bucket || frame, index: i };
    }
  }
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    if (!HANG_WAIT_FRAMES.some((w) => frame.includes(w))) return { name: frame, index: i };
  }
  return undefined;
}
