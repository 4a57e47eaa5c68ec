/**
 * Next steps: the crash commands an expert would run next to confirm the diagnosis, with the real
 * addresses and pids from this crash (the contended page or lock, the holder candidate's stack and
 * thread_info, the spin loop's instructions, a mutex owner).
 */

import type { Crash } from '../model/index.js';
import { isScheduler } from './activity.js';
import { baseName, hex, locate, stacksOf } from './frames.js';
import { irqState } from './irq.js';
import { taskOf, threadFlags } from './lock-holder.js';
import { locks } from './locks.js';
import { oom } from './oom.js';
import { compoundOf, STRUCT_PAGE_SIZE, tailsOf } from './pages.js';
import type { LockFinding, NextStep, OomVerdict } from './results.js';
import { spin } from './spin.js';
import { stackGroups } from './stacks.js';
import { defineAnalyzer } from './types.js';

const short = (v: bigint) => v.toString(16);

export const nextSteps = defineAnalyzer<NextStep[]>({
  meta: { id: 'next-steps', description: 'crash commands to run next, with this crash’s addresses' },
  analyze(crash, context) {
    const steps: NextStep[] = [];
    const add = (command: string, why: string) => {
      if (!steps.some((s) => s.command === command)) steps.push({ command, why });
    };
    const { locks: found, cycles } = context.get(locks);
    const { spinners, loops } = context.get(spin);
    for (const lock of found.slice(0, 3)) lockSteps(crash, lock, add);
    // The spin loop itself, when the input does not show its instructions.
    const first = spinners.find((s) => !loops.has(s.stack));
    if (first) {
      const rip = locate(stacksOf(crash)[first.stack]!).address;
      if (rip !== undefined)
        add(
          `dis -rl ${short(rip)}`,
          `the instructions of the loop at ${first.at}: which word it reads and which bit it tests (the lock's address)`,
        );
    }
    // The instructions where the lockup CPU was stopped, when the input does not show them.
    const cpu = crash.system.panicCpu;
    const stuck = stacksOf(crash).find((s) => s.cpu !== undefined && s.cpu === cpu && !s.partial);
    const stuckRip = stuck ? locate(stuck).address : undefined;
    if (
      stuckRip !== undefined &&
      stuckRip >= 0xffff800000000000n &&
      (crash.code?.around(stuckRip, 16, 8).length ?? 0) === 0
    ) {
      add(
        `dis -rl ${short(stuckRip)}`,
        `the code CPU ${cpu} was stopped in, up to ${locate(stuck!).fn ?? 'the RIP'}: a loop? which word does it read?`,
      );
    }
    if (cycles.length)
      add('bt -a', 'every CPU with its exception frame: the registers that hold the locks of the cycle');
    const groups = context.get(stackGroups).groups;
    if (groups.some((g) => g.countSource === 'shell-count') || stacksOf(crash).some((s) => s.partial)) {
      add('bt -a', 'every CPU’s full stack with its exception frame: the input has only grep output of it');
    }
    if (context.get(irqState).some((s) => s.disabled) && spinners.length)
      add('runq', 'what each CPU had queued while it spun with interrupts off');
    if (crash.reports.some((r) => r.kind === 'hung-task') || crash.tasks.some((t) => t.state === 'UN')) {
      add('foreach UN bt', 'every task in uninterruptible sleep, with the lock it waits for');
      add('ps -m | grep UN', 'how long each blocked task has not run');
    }
    for (const v of context.get(oom)) oomSteps(v, add);
    return { result: steps.slice(0, 14), findings: [] };
  },
});

function lockSteps(crash: Crash, lock: LockFinding, add: (command: string, why: string) => void): void {
  const a = lock.address;
  if (lock.kind === 'page-bit-lock' && a !== undefined) {
    add(
      `kmem ${short(a)}`,
      `the page holding the lock bit: its flags (is PG_${lock.description.match(/PG_(\w+)/)?.[1] ?? 'lock'} still set?), count and mapping`,
    );
    add(
      `struct page ${short(a + STRUCT_PAGE_SIZE)}`,
      'page[1] of the compound page: lru.next is the compound destructor (free_compound_page = THP, free_huge_page = hugetlbfs)',
    );
    for (const tail of tailsOf(crash, a).slice(0, 2))
      add(
        `struct page -x ${short(tail.address)}`,
        `the tail page released under the lock: first_page/compound_head → ${short(a)}`,
      );
    if (compoundOf(crash, a).kind === 'unknown')
      add(`kmem -p ${short(a)}`, 'whether the page is still a compound head');
  } else if (a !== undefined && lock.kind !== 'mutex') {
    add(`sym ${short(a)}`, 'what the lock address is (global, module variable or inside a slab object)');
    add(`rd -x ${short(a)} 2`, 'the lock word now: locked byte, pending bit, queue tail');
    if (crash.symbols?.lookup(a) === undefined)
      add(`kmem -s ${short(a)}`, 'the slab object that contains the lock, if any');
  }
  if (lock.kind === 'mutex' && a !== undefined) {
    add(`struct mutex ${short(a)}`, 'owner (task pointer with flag bits) and wait_list now');
    if (lock.holder?.task !== undefined) {
      if (lock.holder.pid === undefined)
        add(`struct task_struct.pid,comm,__state ${short(lock.holder.task)}`, 'which task owns the mutex');
      add(
        `bt ${short(lock.holder.task)}`,
        'what the owner is doing while it holds the mutex (waiting for the other lock?)',
      );
    }
    const waiter = lock.reasoning
      .find((r) => /mutex_waiter at/.test(r))
      ?.match(/mutex_waiter at ([0-9a-f]+)/)?.[1];
    if (waiter)
      add(`struct mutex_waiter ${waiter}`, 'the first waiter: its task field names the blocked task');
  }
  const h = lock.holder;
  if (h?.stack !== undefined) {
    const stack = stacksOf(crash)[h.stack]!;
    const who =
      h.pid !== undefined ? String(h.pid) : stack.task !== undefined ? short(stack.task) : undefined;
    if (who) {
      add(
        `bt -f ${who}`,
        `the holder candidate's saved words: does its frame keep ${a !== undefined ? hex(a) : 'the lock'} (a lock it took) and where was it stopped`,
      );
      add(
        `ps -m ${who}`,
        'how long ago it last ran: a holder that has not run since the lockup began explains it',
      );
    }
    // Where it will resume on its own path: the first frame past the scheduler's.
    const pathFrame = stack.frames.find(
      (f, i) => i > 0 && f.address !== undefined && f.offset !== undefined && !isScheduler(baseName(f.fn)),
    );
    if (pathFrame?.address !== undefined)
      add(
        `dis -l ${short(pathFrame.address)} 4`,
        `the instruction it will resume at in ${pathFrame.fn}: before or after the lock's acquire?`,
      );
    const flags = threadFlags(crash, stack, taskOf(crash, stack));
    const task = taskOf(crash, stack);
    const ti = flags?.address ?? task?.threadInfo ?? task?.stackBase;
    if (ti !== undefined)
      add(
        `struct thread_info ${short(ti)}`,
        'its flags (TIF_NEED_RESCHED: preempted and not run since) and preempt_count',
      );
    else if (stack.task !== undefined) add(`task ${short(stack.task)}`, 'its state, flags and on_cpu');
  }
}

function oomSteps(v: OomVerdict, add: (command: string, why: string) => void): void {
  add('kmem -i', 'the memory summary at the crash: free, cached, slab, swap, committed');
  if (v.cause === 'kernel-slab') add('kmem -s', 'every slab cache by size: the one that grew is the leak');
  const top = v.facts.topTasks[0];
  if (top && (v.cause === 'task' || v.cause === 'tasks'))
    add(`vm ${top.pid}`, `the mappings of ${top.comm}, the biggest task: anonymous heap or file mappings?`);
  if (v.cause === 'shmem') add('mount | grep tmpfs', 'the tmpfs mounts whose files hold the shared memory');
  add(
    'ps -G | sort -n -k 8 | tail',
    'the tasks with the largest RSS at the crash (column 8), not only at the OOM',
  );
}
