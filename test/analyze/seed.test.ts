/**
 * The founding case end to end: diagnose() on the seed transcript must reach the expert's
 * conclusion (CASE.md "What ktriage should say, unprompted"). Every expected value is read off the
 * transcript itself (its kmem rows, registers, shell counts, thread_info dump) or CASE.md.
 */

import { describe, expect, it } from 'vitest';
import { seedText, transcript } from './helpers.js';

const text = seedText();
const { crash, d } = transcript(text);

describe('seed: verdict and story', () => {
  it('is a hard lockup on CPU 10', () => {
    expect(d.classification.kind).toBe('hard-lockup');
    expect(crash.system.panic).toContain('hard LOCKUP on cpu 10');
    expect(d.story).toMatch(/^Hard lockup on CPU 10/);
  });

  it('tells the whole chain in one paragraph', () => {
    const story = d.story!;
    for (const needle of [
      'put_compound_page+336',
      'bit_spin_lock',
      'PG_compound_lock (bit 24)',
      'THP head page ffffea0123300000',
      'get_futex_key → put_page → put_compound_page',
      'interrupts disabled',
      '69 put_compound_page',
      '34 of them fas_readwriter',
      'pid 24194',
      'ddc58f27f9ee',
    ])
      expect(story).toContain(needle);
  });
});

describe('seed: the lock', () => {
  const lock = d.locks[0]!;
  const r12 = /R12: ([0-9a-f]{16})/.exec(text)![1]!;

  it('is PG_compound_lock of the head page, read from R12 of the spin loop `mov (%r12),%rax`', () => {
    expect(lock.address).toBe(BigInt(`0x${r12}`));
    expect(lock.kind).toBe('page-bit-lock');
    expect(lock.bit).toBe(24);
    expect(lock.description).toBe(`PG_compound_lock (bit 24) of THP head page ${r12}`);
    expect(lock.confidence).toBe('high');
    expect(lock.reasoning[0]).toContain('`mov (%r12),%rax`');
    expect(lock.evidence.some((e) => /test\s+\$0x1000000,%eax/.test(e.text ?? ''))).toBe(true);
  });

  it('names pid 24194 as the likely holder, scheduled out next to `lock btsl $0x18,(%r12)` with TIF_NEED_RESCHED', () => {
    expect(lock.holder).toMatchObject({ pid: 24194, comm: 'fas_readwriter', cpu: 3, confidence: 'medium' });
    const why = lock.holder!.reasoning.join('\n');
    expect(why).toContain('put_compound_page+229');
    expect(why).toContain('__schedule');
    expect(why).toContain('lock btsl $0x18,(%r12)');
    expect(why).toContain('TIF_NEED_RESCHED');
  });

  it('finds no deadlock cycle (one lock, one holder)', () => {
    expect(d.cycles).toEqual([]);
  });
});

describe('seed: spinners, interrupts, groups', () => {
  it('CPU 10 spins in the bit_spin_lock loop with interrupts off, as do the grep’d stacks', () => {
    const cpu10 = d.spinners.find((s) => s.cpu === 10)!;
    expect(cpu10).toMatchObject({
      pid: 24023,
      how: 'bit-spin-lock',
      at: 'put_compound_page+336',
      interruptsDisabled: true,
    });
    expect(cpu10.lockAddress).toBe(0xffffea0123300000n);
    const grepped = d.spinners.filter((s) => s.pid === undefined);
    expect(grepped.length).toBe(6); // the six "#4 … put_compound_page" lines of the grep output
    expect(new Set(grepped.map((s) => s.at))).toEqual(
      new Set(['put_compound_page+332', 'put_compound_page+336']),
    );
  });

  it('blames get_futex_key for the disabled interrupts', () => {
    const f = d.findings.find((x) => x.id === 'irq/disabled')!;
    expect(f.message).toContain('RFLAGS 00000006');
    expect(f.message).toContain('disabled by get_futex_key');
  });

  it('groups the spinning stacks and takes the counts from the user’s pipelines', () => {
    const shell = [...text.matchAll(/\|wc -l\n(\d+)/g)].map((m) => Number(m[1]));
    expect(shell).toEqual([34, 69]);
    const g = d.stackGroups[0]!;
    expect(g.functions.slice(0, 3)).toEqual(['put_compound_page', 'put_page', 'get_futex_key']);
    expect(g.top).toBe('put_compound_page+332/+336');
    expect(g.count).toBe(69);
    expect(g.countSource).toBe('shell-count');
    expect(g.comms[0]).toEqual({ comm: 'fas_readwriter', count: 34 });
    const note = d.findings.find((x) => x.id === 'stacks/shell-count')!;
    expect(note.message).toContain('48 CPUs');
  });
});

describe('seed: decoded values', () => {
  it('decodes both pages exactly as crash kmem printed them', () => {
    for (const m of text.matchAll(/^(ffffea[0-9a-f]{10})\s.*\s([0-9a-f]{12,16}) ([a-z_,]+)$/gm)) {
      const decoded = d.decoded.find((v) => v.subject.startsWith(`page ${m[1]}`))!;
      expect(decoded.raw).toBe(m[2]);
      expect(decoded.names.join(',')).toBe(m[3]);
    }
    expect(d.decoded.find((v) => v.subject.startsWith('page ffffea0123302a40'))!.names).toEqual(['tail']);
  });

  it('says THP, not hugetlbfs, from the destructor free_compound_page', () => {
    const dtor = d.decoded.find((v) => v.table === 'compound-dtor')!;
    expect(dtor.raw).toBe('free_compound_page');
    expect(dtor.names[0]).toContain('not hugetlbfs');
  });

  it('decodes thread_info.flags 0x88 of pid 24194 and RFLAGS 00000006', () => {
    expect(d.decoded.find((v) => v.subject.includes('pid 24194'))!.names).toEqual([
      'TIF_NEED_RESCHED',
      'TIF_SYSCALL_AUDIT',
    ]);
    expect(d.decoded.find((v) => v.table === 'rflags x86')!.names).toContain('IF clear: interrupts disabled');
  });
});

describe('seed: known bug and next steps', () => {
  it('matches ddc58f27f9ee with the THP workaround, high confidence', () => {
    const k = d.knownIssues[0]!;
    expect(k.id).toBe('thp-tail-refcount-compound-lock');
    expect(k.confidence).toBe('high');
    expect(k.fix?.commit.startsWith('ddc58f27f9ee')).toBe(true);
    expect(text).toContain(`commit ${k.fix?.commit}`);
    expect(k.workaround).toContain('transparent_hugepage');
  });

  it('lists the confirming crash commands with this crash’s addresses', () => {
    const commands = d.nextSteps.map((s) => s.command);
    expect(commands).toEqual(
      expect.arrayContaining([
        'kmem ffffea0123300000',
        'struct page ffffea0123300040',
        'bt -f 24194',
        'dis -l ffffffff81178af5 4',
        'struct thread_info ffff882ef3924000',
      ]),
    );
  });
});

describe('seed: partial transcript (only sys and bt)', () => {
  const lines = text.split('\n');
  const partial = lines.slice(11, 57).join('\n');
  const { d: p } = transcript(partial, 'partial');

  it('still says hard lockup on CPU 10 in put_compound_page with interrupts disabled by get_futex_key', () => {
    expect(partial).toContain('crash> bt');
    expect(partial).not.toContain('bt -f');
    expect(p.classification.kind).toBe('hard-lockup');
    expect(p.story).toContain('Hard lockup on CPU 10');
    expect(p.story).toContain('put_compound_page+336');
    expect(p.story).toContain('disabled by get_futex_key');
  });

  it('does not invent a lock or a holder, and asks for the loop’s instructions', () => {
    expect(p.locks).toEqual([]);
    expect(p.decoded.some((v) => v.subject.startsWith('page '))).toBe(false);
    expect(p.nextSteps.map((s) => s.command)).toEqual(expect.arrayContaining(['dis -rl ffffffff81178b60']));
  });

  it('still suggests the THP bug, from the stuck CPU’s stack and the RHEL7 kernel', () => {
    expect(p.knownIssues[0]?.id).toBe('thp-tail-refcount-compound-lock');
  });
});
