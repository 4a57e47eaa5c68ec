import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analyze/diagnose.js';
import { loadInput } from '../../src/load/load.js';
import { fixture } from '../helpers/shared.js';

describe('loadInput streams large logs', () => {
  it('gives the same headline streamed as read whole (lab abba-spinlock-irqoff log)', async () => {
    const path = fixture('lab', 'abba-spinlock-irqoff', 'vmcore-dmesg.txt');
    const whole = await loadInput(path);
    const streamed = await loadInput(path, { streamThreshold: 1024 });
    expect(streamed.input.format).toBe('console-log');
    const a = diagnose(whole).classification;
    const b = diagnose(streamed).classification;
    expect(b.kind).toBe('rcu-stall');
    expect(b.title).toBe(a.title);
    expect(streamed.system.release).toBe('6.1.0-56-amd64');
    expect(streamed.reports.map((r) => r.startLine)).toEqual(whole.reports.map((r) => r.startLine));
  });
});
