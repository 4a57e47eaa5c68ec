/** Line cleaning, input sniffing and the AT&T operand parser, on lines taken from real inputs. */

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAttOperand, parseAttOperands } from '../../src/kernel/x86_64/att-operand.js';
import { looksLikeCrashTranscript } from '../../src/text/crash/index.js';
import { cleanLine } from '../../src/text/crash/lines.js';
import { fixture } from '../helpers/shared.js';
import { LAB_SCENARIOS, labFile, readText, SEED } from './helpers.js';

describe('cleanLine', () => {
  it('cuts annotations people append, in any language (seed lines 29, 43, 134, 286)', () => {
    const seed = readText(SEED).split('\n');
    expect(cleanLine(seed[28]!)).toBe('       STATE: TASK_RUNNING (PANIC)');
    expect(cleanLine(seed[42]!)).toBe('    [exception RIP: put_compound_page+336]');
    expect(cleanLine(seed[133]!)).toBe('    ffff882f10c47df8: 0000000000000001 ffff882f10c47e68');
    expect(cleanLine(seed[285]!)).toBe('#0 [ffff882ef3927c00] __schedule at ffffffff8163df9b');
    expect(cleanLine(seed[301]!)).toBe('  crash> dis -l ffffffff81178af5 4');
    expect(cleanLine('    [exception RIP: foo+12] ------- this is the RIP')).toBe(
      '    [exception RIP: foo+12]',
    );
    expect(cleanLine(' #4 [ffff] foo at ffffffff81000000   <-- spinning here')).toBe(
      ' #4 [ffff] foo at ffffffff81000000',
    );
  });

  it('keeps data that has dashes: markers, kmem columns, kmem -i', () => {
    expect(cleanLine('--- <NMI exception stack> ---')).toBe('--- <NMI exception stack> ---');
    const kmemI = readText(labFile('oom', 'kmem-i.txt')).split('\n')[1]!;
    expect(cleanLine(kmemI)).toBe(kmemI.trimEnd());
    const style3 = 'ffffea0000000040    1000  -------  -----   1 fffffc0000800 reserved';
    expect(cleanLine(style3)).toBe(style3);
  });

  it('decodes HTML leftovers and odd spaces', () => {
    expect(cleanLine('crash&gt; bt -a<br>')).toBe('crash> bt -a');
    expect(cleanLine('\u00a0\u00a0RIP: ffffffff81178b60\u3000RSP: ffff882f10c47d80')).toBe(
      '  RIP: ffffffff81178b60 RSP: ffff882f10c47d80',
    );
    expect(cleanLine('  lru.next = 0xffffffff81173140 &lt;free_compound_page&gt;,')).toBe(
      '  lru.next = 0xffffffff81173140 <free_compound_page>,',
    );
  });
});

describe('looksLikeCrashTranscript', () => {
  it('says yes to the seed and to each lab crash output, no to console logs', () => {
    expect(looksLikeCrashTranscript(readText(SEED))).toBe(true);
    for (const scenario of LAB_SCENARIOS) {
      for (const file of [
        'sys.txt',
        'bt-a.txt',
        'foreach-bt.txt',
        'ps.txt',
        'runq.txt',
        'kmem-i.txt',
        'bt-f-panic-task.txt',
      ])
        expect(looksLikeCrashTranscript(readText(labFile(scenario, file))), `${scenario}/${file}`).toBe(true);
      expect(looksLikeCrashTranscript(readText(labFile(scenario, 'log.txt')))).toBe(false);
      expect(looksLikeCrashTranscript(readText(fixture('lab', scenario, 'vmcore-dmesg.txt')))).toBe(false);
      const consoleLog = fixture('lab', scenario, 'console.log');
      if (existsSync(consoleLog))
        expect(looksLikeCrashTranscript(readFileSync(consoleLog, 'latin1'))).toBe(false);
    }
    expect(looksLikeCrashTranscript('')).toBe(false);
  });
});

describe('AT&T operands (lines of the seed and the lab dis -l)', () => {
  it('reads memory operands, immediates and targets', () => {
    expect(parseAttOperands('mov', '(%r12),%rax')).toMatchObject({
      memory: { base: 'r12', displacement: 0n },
    });
    expect(parseAttOperands('lock btsl', '$0x18,(%r12)')).toMatchObject({
      immediate: 0x18n,
      memory: { base: 'r12', displacement: 0n },
    });
    expect(parseAttOperands('lea', '-0x38(%rbp),%rcx').memory).toEqual({ base: 'rbp', displacement: -0x38n });
    expect(parseAttOperands('nopl', '0x0(%rax,%rax,1) [FTRACE NOP]').memory).toEqual({
      base: 'rax',
      index: 'rax',
      scale: 1,
      displacement: 0n,
    });
    expect(parseAttOperands('movq', '$0xdead,0x8(%rdi)')).toMatchObject({
      immediate: 0xdeadn,
      memory: { base: 'rdi', displacement: 8n },
    });
    expect(parseAttOperands('callq', '0xffffffff810653c0 <get_user_pages_fast>').target).toBe(
      0xffffffff810653c0n,
    );
    expect(parseAttOperands('je', '0xffffffff810e3c10 <get_futex_key+416>').target).toBe(0xffffffff810e3c10n);
    const rip = parseAttOperands('mov', '0x1b8e3a(%rip),%rax        # 0xffffffff82a0b3c0 <jiffies>');
    expect(rip.memory).toEqual({ ripRelative: true, displacement: 0x1b8e3an });
    expect(rip.commentAddress).toBe(0xffffffff82a0b3c0n);
    expect(parseAttOperand('%gs:0x1ac00')).toEqual({
      kind: 'memory',
      memory: { segment: 'gs', displacement: 0x1ac00n },
    });
    expect(parseAttOperand('*%rax', true)).toEqual({ kind: 'register', name: 'rax', indirect: true });
    expect(parseAttOperand('0xffffffff81a0b3c0')).toEqual({
      kind: 'memory',
      memory: { displacement: 0xffffffff81a0b3c0n },
    });
    expect(parseAttOperand('what is this')).toEqual({ kind: 'other', text: 'what is this' });
    expect(parseAttOperands('pause', '').operands).toEqual([]);
  });
});
