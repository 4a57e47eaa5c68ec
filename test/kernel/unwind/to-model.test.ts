import { describe, expect, it } from 'vitest';
import { toModelStack } from '../../../src/kernel/unwind/to-model.js';
import type { Backtrace, BtFrame } from '../../../src/kernel/unwind/walk.js';
import { systemMapSymbols } from './helpers.js';

const symbols = systemMapSymbols();
const at = (name: string, off: number) => symbols.byName(name)!.address + BigInt(off);

function frame(name: string, off: number, stack: BtFrame['stack'], slot: bigint): BtFrame {
  return { pc: at(name, off), slot, exact: false, stack, reliable: true, how: 'orc' };
}

describe('Backtrace → model Stack', () => {
  it('names frames as %pB does, marks softirq handlers, and says what a register frame entered', () => {
    const bt: Backtrace = {
      frames: [
        frame('net_rx_action', 0x40, 'irq', 0xffffc90000003e00n),
        frame('__do_softirq', 0x5, 'irq', 0xffffc90000003e80n),
        frame('irq_exit_rcu', 0x10, 'irq', 0xffffc90000003f00n),
        frame('sysvec_apic_timer_interrupt', 0x69, 'irq', 0xffffc90000003ff0n),
        frame('asm_sysvec_apic_timer_interrupt', 0x16, 'task', 0xffffc90000103e20n),
        { ...frame('native_safe_halt', 0xb, 'task', 0xffffc90000103ed8n), exact: true },
      ],
      exceptions: [
        {
          beforeFrame: 5,
          address: 0xffffc90000103e30n,
          regs: { rip: at('native_safe_halt', 0xb), rsp: 0xffffc90000103ed8n, cs: 0x10n },
          partial: false,
          user: false,
          stack: 'task',
        },
      ],
      stop: 'end of stack',
      truncated: false,
    };
    const s = toModelStack(bt, symbols, { cpu: 3, pid: 0, comm: 'swapper/3' });
    expect(s.frames.map((f) => f.context)).toEqual(['softirq', 'softirq', 'irq', 'irq', 'task', 'task']);
    // A return address is looked up at pc-1 but printed with the offset of pc (the kernel's %pB).
    expect(s.frames[3]).toMatchObject({
      fn: 'sysvec_apic_timer_interrupt',
      offset: 0x69,
      stack: 'IRQ stack',
    });
    expect(s.frames[5]).toMatchObject({ fn: 'native_safe_halt', offset: 0xb });
    expect(s.exceptions[0]).toMatchObject({
      beforeFrame: 5,
      ripFunction: 'native_safe_halt',
      ripOffset: 0xb,
      entry: 'irq',
    });
    expect(s.origin).toBe('unwind');
    expect(s.partial).toBeUndefined();
  });
});
