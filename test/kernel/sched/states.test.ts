import { describe, expect, it } from 'vitest';
import { STATE_NAMES_3_15, STATE_NAMES_4_14, TaskStates } from '../../../src/kernel/sched/states.js';

// Values from include/linux/sched.h of v6.1 (the lab kernel, whose task_state_array[] is
// STATE_NAMES_4_14 — read from its dumps) and of v4.4 for the older layout.
describe('task states of a v4.14+ kernel', () => {
  const s = new TaskStates(STATE_NAMES_4_14);
  const cases: [string, number, number, string, string][] = [
    ['TASK_RUNNING', 0x0, 0, 'R', 'RU'],
    ['TASK_INTERRUPTIBLE', 0x1, 0, 'S', 'IN'],
    ['TASK_INTERRUPTIBLE | TASK_FREEZABLE (v6.1)', 0x2001, 0, 'S', 'IN'],
    ['TASK_UNINTERRUPTIBLE', 0x2, 0, 'D', 'UN'],
    ['TASK_KILLABLE', 0x102, 0, 'D', 'UN'],
    ['TASK_IDLE', 0x402, 0, 'I', 'ID'],
    ['TASK_STOPPED', 0x104, 0, 'T', 'ST'],
    ['TASK_TRACED', 0x8, 0, 't', 'TR'],
    ['TASK_PARKED', 0x40, 0, 'P', 'PA'],
    ['EXIT_ZOMBIE', 0x0, 0x20, 'Z', 'ZO'],
    ['TASK_DEAD + EXIT_DEAD', 0x80, 0x10, 'X', 'DE'],
    ['TASK_WAKING', 0x200, 0, 'R', 'WA'],
    ['TASK_NEW', 0x800, 0, 'R', 'NE'],
  ];
  for (const [name, state, exit, letter, crash] of cases) {
    it(`${name} → ${letter} / ${crash}`, () => {
      expect(s.letter(state, exit)).toBe(letter);
      expect(s.crash(state, exit)).toBe(crash);
    });
  }
  it('derives the states after the reported ones', () => {
    expect([s.parked, s.waking, s.noload, s.new, s.report]).toEqual([0x40, 0x200, 0x400, 0x800, 0x7f]);
  });
});

describe('task states of a v3.15 – v4.13 kernel', () => {
  const s = new TaskStates(STATE_NAMES_3_15);
  it('reads EXIT_DEAD 16, EXIT_ZOMBIE 32, TASK_PARKED 512, TASK_NOLOAD 1024', () => {
    expect([s.exitDead, s.exitZombie, s.parked, s.noload]).toEqual([16, 32, 512, 1024]);
    expect(s.letter(0, 32)).toBe('Z');
    expect(s.letter(0x402, 0)).toBe('D');
    expect(s.crash(0x402, 0)).toBe('ID');
    expect(s.crash(512, 0)).toBe('PA');
  });
  it('picks the table by release when the dump has no task_state_array', () => {
    expect(TaskStates.forRelease('4.4.0-21-generic').names).toBe(STATE_NAMES_3_15);
    expect(TaskStates.forRelease('6.1.0-56-amd64').names).toBe(STATE_NAMES_4_14);
  });
});
