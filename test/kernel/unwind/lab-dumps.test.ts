/**
 * `ktriage bt -a` on the lab's real vmcores against crash 8.0.2's `bt -a` of the same dumps (the
 * fixtures): frame lines — number, stack slot, function, address, module — must be crash's, except
 * where crash is known to go wrong, which is checked against the kernel's own log instead.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interruptedStacksFromLog } from '../../../eval/frames-compare.js';
import { renderBt } from '../../../src/cli/commands/bt.js';
import { formatBt } from '../../../src/cli/commands/bt-format.js';
import { loadDumpDetailed } from '../../../src/load/dump.js';
import { fixture, sharedPath } from '../../helpers/shared.js';

const FRAME = /^\s*#\d+ \[/;

function frameLines(text: string): string[][] {
  return text.split(/\n(?=PID: )/).map((block) => block.split('\n').filter((l) => FRAME.test(l)));
}

/** Where crash's bt -a leaves the real stack, per scenario and CPU: index of its first wrong frame. */
const CRASH_GOES_WRONG: Record<string, Record<number, { from: number; why: string }>> = {
  'sysrq-c': {
    0: {
      from: 8,
      why: 'crash re-reads sysvec_apic_timer_interrupt from a stale slot ("possibly bogus exception frame")',
    },
    1: {
      from: 10,
      why: 'crash takes stale return addresses between do_syscall_64 and entry_SYSCALL_64 (drgn agrees with ktriage)',
    },
  },
  'abba-spinlock-irqoff': {
    3: { from: 12, why: 'crash mis-places the IRQ entry pt_regs ("possibly bogus exception frame")' },
  },
};

describe.each(['mutex-hung', 'abba-spinlock-irqoff', 'sysrq-c'])('bt -a of the lab dump %s', (scenario) => {
  const vmcore = sharedPath('lab', 'corpus', scenario, 'vmcore');
  it.skipIf(!vmcore)('prints crash’s frames, and goes on where crash goes wrong', () => {
    const loaded = loadDumpDetailed(vmcore!, { kernel: true });
    try {
      const { crash } = loaded;
      const ours = [...crash.cpus].sort((a, b) => a.id - b.id).map((c) => crash.stacks[c.stack!]!);
      const reference = frameLines(readFileSync(fixture('lab', scenario, 'crash', 'bt-a.txt'), 'utf8'));
      expect(ours.length).toBe(reference.length);
      const fromLog = interruptedStacksFromLog(
        readFileSync(fixture('lab', scenario, 'vmcore-dmesg.txt'), 'utf8'),
      );
      ours.forEach((stack, cpu) => {
        const mine = frameLines(formatBt(stack))[0]!;
        const wrong = CRASH_GOES_WRONG[scenario]?.[cpu];
        const theirs = reference[cpu]!;
        expect(mine.slice(0, wrong?.from ?? theirs.length), `CPU ${cpu}`).toEqual(
          theirs.slice(0, wrong?.from ?? theirs.length),
        );
        expect(stack.frames.every((f) => f.reliable)).toBe(true);
        if (!wrong) expect(mine.length).toBe(theirs.length);
        // Past crash's error: the task part must be what the kernel printed for this CPU, if it did.
        const logged = fromLog.get(cpu);
        if (wrong && logged) {
          const task = stack.frames.filter((f) => f.context === 'task').map((f) => f.fn);
          expect(task).toEqual(logged);
        }
      });
    } finally {
      loaded.kernelDump.close();
    }
  });
});

describe('bt -f of the panic task', () => {
  const vmcore = sharedPath('lab', 'corpus', 'mutex-hung', 'vmcore');
  it.skipIf(!vmcore)('is crash’s bt -f, word for word (mutex-hung: khungtaskd)', () => {
    const ours = renderBt(vmcore!, undefined, { full: true });
    expect(ours).toBe(readFileSync(fixture('lab', 'mutex-hung', 'crash', 'bt-f-panic-task.txt'), 'utf8'));
  });

  it.skipIf(!vmcore)('selects tasks by PID and by task address, and refuses unknown ones', () => {
    const byPid = renderBt(vmcore!, '124', {});
    expect(byPid).toMatch(/^PID: 124 .*COMMAND: "lab_mutex_ab"/);
    expect(byPid).toMatch(/#3 \[[0-9a-f]{16}\] __mutex_lock\.constprop\.0 at /);
    const task = /TASK: ([0-9a-f]{16})/.exec(byPid)![1]!;
    expect(renderBt(vmcore!, task, {})).toBe(byPid);
    expect(() => renderBt(vmcore!, '99999', {})).toThrow(/no task 99999/);
  });
});
