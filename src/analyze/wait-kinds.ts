/**
 * What a blocked task sleeps on, from the first function of its wait that names it: I/O, a mutex,
 * an rw_semaphore, an RCU grace period, a completion, a workqueue flush, a network filesystem. Data:
 * one row per kind, the pattern over function names and what to look at next.
 */

export interface WaitKind {
  kind: string;
  /** What the task waits for, as a sentence fragment. */
  what: string;
  /** Where to look next. */
  next: string;
}

const KINDS: [RegExp, WaitKind][] = [
  [
    /^(io_schedule|blk_mq_get_tag|wait_on_page_bit|folio_wait_bit|__lock_page|__folio_lock|wait_on_buffer|__wait_on_buffer|bit_wait_io|blk_execute_rq|submit_bio_wait|wait_for_completion_io|jbd2_log_wait_commit|jbd2_journal_commit_transaction|wait_transaction_locked|__filemap_fdatawait_range|filemap_fdatawait|folio_wait_writeback|wait_on_page_writeback|rq_qos_wait|wbt_wait|blk_mq_freeze_queue_wait|blk_queue_enter|bio_queue_enter)/,
    {
      kind: 'io',
      what: 'I/O that did not complete (block layer, page or buffer lock, journal)',
      next: 'the storage: SCSI/NVMe timeouts, resets or multipath messages earlier in the log, a device that stopped answering',
    },
  ],
  [
    /^(rpc_wait_bit_killable|nfs_\w+|nfs4_\w+|rpc_\w+|__rpc_execute|fuse_\w+|request_wait_answer|cifs_\w+|smb2_\w+|ceph_\w+)/,
    {
      kind: 'network-fs',
      what: 'a network or user-space filesystem (NFS, CIFS, Ceph, FUSE) to answer',
      next: 'the server or the FUSE daemon: "server not responding" messages, the network',
    },
  ],
  [
    /^(__mutex_lock|mutex_lock\w*|__mutex_lock_slowpath|rt_mutex\w*)/,
    {
      kind: 'mutex',
      what: 'a mutex',
      next: 'its owner (the mutex’s owner field: crash `struct mutex <address>`, or ktriage on the vmcore) and what that task waits for',
    },
  ],
  [
    /^(rwsem_down_(read|write)_\w+|down_read\w*|down_write\w*|__down_read\w*|__down_write\w*|percpu_down_\w+|percpu_rwsem_wait)/,
    {
      kind: 'rwsem',
      what: 'an rw_semaphore (mmap_lock, i_rwsem, a superblock lock…)',
      next: 'the task holding it for writing, or a reader that sleeps with it (`foreach UN bt`)',
    },
  ],
  [
    /^(synchronize_rcu\w*|synchronize_srcu\w*|wait_rcu_gp|__wait_rcu_gp|rcu_barrier\w*|synchronize_sched\w*)/,
    {
      kind: 'rcu',
      what: 'an RCU grace period to end',
      next: 'an RCU stall report, or a CPU that does not pass a quiescent state',
    },
  ],
  [
    /^(flush_work|__flush_work|flush_workqueue|__flush_workqueue|drain_workqueue|cancel_work_sync|__cancel_work_timer|flush_delayed_work)/,
    {
      kind: 'workqueue',
      what: 'a work item to finish',
      next: 'the kworker running that work item (workqueue lockup messages, `foreach bt` of kworkers)',
    },
  ],
  [
    /^(wait_for_completion\w*|__wait_for_common|wait_for_common\w*)/,
    {
      kind: 'completion',
      what: 'a completion that nobody signalled',
      next: 'the code path expected to call complete(): often an interrupt or a kthread that is stuck itself',
    },
  ],
];

/** The kind of the first function (innermost first, scheduler frames left out) that names a wait. */
export function waitKindOf(functions: string[]): (WaitKind & { fn: string }) | undefined {
  for (const fn of functions.slice(0, 8)) {
    for (const [pattern, kind] of KINDS) if (pattern.test(fn)) return { ...kind, fn };
  }
  return undefined;
}
