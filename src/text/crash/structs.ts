/**
 * What struct dumps say about tasks and pages: `struct task_struct` (pid, comm, stack, flags,
 * state), `struct thread_info` (task, flags → TIF bits), `struct page` (flags, _count/_refcount,
 * _mapcount, mapping, index, first_page/compound_head, and on 3.10-era kernels the compound
 * destructor in page[1].lru.next), and the addresses of `p SYMBOL` dumps once `sym` gave them.
 */

import type { StructDump } from '../../model/index.js';
import { appendTo, type TranscriptBuilder } from './builder.js';

/** `0x88` / `74` / `-1` / `0xffffffff81173140 <free_compound_page>` → bigint. */
export function fieldNumber(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const m = /^(-)?(0x[0-9a-fA-F]{1,16}|\d{1,20})\b/.exec(text.trim());
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return m[1] ? -v : v;
}

function fieldString(text: string | undefined): string | undefined {
  const m = text === undefined ? undefined : /^"((?:[^"\\]|\\.)*)"/.exec(text.trim());
  return m ? m[1]!.replace(/(\\000)+$/, '') : undefined;
}

function small(v: bigint | undefined): number | undefined {
  return v !== undefined && v >= -(2n ** 31n) && v < 2n ** 53n ? Number(v) : undefined;
}

/** Compound-page destructors named by symbol (3.10: page[1].lru.next holds the function pointer). */
const DESTRUCTOR = /<(free_compound_page|free_huge_page|free_transhuge_page|free_gigantic_page)>/;

export function applyStructs(out: TranscriptBuilder): void {
  for (const dump of out.crash.structs) {
    const symbol = dump.expression?.replace(/^\/\w+\s+/, '');
    if (dump.address === undefined && symbol && /^[A-Za-z_]\w*$/.test(symbol)) {
      const sym = out.symbols.byName(symbol);
      if (sym) dump.address = sym.address;
    }
    if (dump.address === undefined) continue;
    if (dump.type === 'task_struct') applyTask(out, dump, dump.address);
    else if (dump.type === 'thread_info') applyThreadInfo(out, dump, dump.address);
    else if (dump.type === 'page') applyPage(out, dump, dump.address);
  }
  applyDestructors(out);
  firstMembersToMemory(out);
}

/**
 * The first member printed by a whole-struct dump lives at the struct's address. Its size is only
 * certain when the value needs 8 bytes (beyond 32 bits), so only those become memory words.
 */
function firstMembersToMemory(out: TranscriptBuilder): void {
  for (const dump of out.crash.structs) {
    if (dump.address === undefined || !out.wholeStructs.has(dump) || dump.address < 1n << 32n) continue;
    const first = Object.values(dump.fields)[0];
    const value = fieldNumber(first);
    if (value === undefined || value >= 1n << 64n || value < -(1n << 63n)) continue;
    if (value > 0xffffffffn || value < -(1n << 31n)) {
      const word = value < 0n ? (1n << 64n) + value : value;
      out.memory.addWord(dump.address, word, 8, {
        ...(dump.evidence ?? { source: 'transcript' }),
        note: 'first member of the struct dump, at its address',
      });
    }
  }
}

function applyTask(out: TranscriptBuilder, dump: StructDump, address: bigint): void {
  const f = dump.fields;
  const pid = small(fieldNumber(f.pid));
  const state = fieldNumber(f.__state ?? f.state);
  out.task(
    {
      task: address,
      ...(pid !== undefined ? { pid } : {}),
      comm: fieldString(f.comm),
      stackBase: fieldNumber(f.stack),
      flags: fieldNumber(f.flags),
      stateBits: small(state),
      // Since v4.9 (CONFIG_THREAD_INFO_IN_TASK, commit c65eacbe290b) thread_info is task_struct's first member.
      threadFlags: fieldNumber(f['thread_info.flags']),
      ...(f['thread_info.flags'] !== undefined ? { threadInfo: address } : {}),
      ...(f.on_cpu !== undefined ? { onCpu: fieldNumber(f.on_cpu) === 1n } : {}),
    },
    dump.evidence,
  );
}

function applyThreadInfo(out: TranscriptBuilder, dump: StructDump, address: bigint): void {
  const taskAddress = fieldNumber(dump.fields.task);
  const flags = fieldNumber(dump.fields.flags);
  const known =
    (taskAddress !== undefined ? out.crash.tasks.find((t) => t.task === taskAddress) : undefined) ??
    out.crash.tasks.find((t) => t.threadInfo === address || t.stackBase === address) ??
    // thread_info inside task_struct (CONFIG_THREAD_INFO_IN_TASK): same address as the task
    out.crash.tasks.find((t) => t.task === address);
  if (!known) return;
  out.task({ task: known.task, pid: known.pid, threadInfo: address, threadFlags: flags }, dump.evidence);
}

function applyPage(out: TranscriptBuilder, dump: StructDump, address: bigint): void {
  const f = dump.fields;
  const head = fieldNumber(f.first_page) ?? fieldNumber(f.compound_head);
  const known = ['flags', '_count.counter', '_refcount.counter', '_mapcount.counter', 'mapping', 'index'];
  if (head === undefined && !known.some((k) => f[k] !== undefined)) return;
  out.page({
    address,
    flags: fieldNumber(f.flags),
    refcount: small(fieldNumber(f['_count.counter'] ?? f['_refcount.counter'])),
    mapcount: small(fieldNumber(f['_mapcount.counter'])),
    mapping: fieldNumber(f.mapping),
    index: fieldNumber(f.index),
    // Since v4.6 (commit 1d798ca3f164 "mm: make compound_head() robust") bit 0 marks the tail.
    head: head === undefined ? undefined : f.compound_head !== undefined ? head & ~1n : head,
    ...(dump.evidence ? { evidence: [dump.evidence] } : {}),
  });
}

/**
 * A head page's destructor is in its second struct page. That page is found from a `p ((struct
 * page *)HEAD + 1)` the user ran (which gives the stride), else from x86_64's 64-byte struct page.
 */
function applyDestructors(out: TranscriptBuilder): void {
  const crash = out.crash;
  for (const dump of crash.structs) {
    if (dump.type !== 'page' || dump.address === undefined) continue;
    const value = dump.fields['lru.next'] ?? dump.fields.compound_dtor;
    const dtor = value === undefined ? undefined : DESTRUCTOR.exec(value)?.[1];
    if (!dtor) continue;
    const second = dump.address;
    const viaPrint = crash.structs.find((p) => {
      const m = /\(\s*\(\s*struct page\s*\*\s*\)\s*(?:0x)?([0-9a-fA-F]{8,16})\s*\+\s*1\s*\)/.exec(
        p.expression ?? '',
      );
      return m && fieldNumber(p.fields['']) === second;
    });
    const fromPrint = viaPrint
      ? /(?:0x)?([0-9a-fA-F]{8,16})\s*\+\s*1/.exec(viaPrint.expression!)?.[1]
      : undefined;
    const headAddress =
      fromPrint !== undefined
        ? BigInt(`0x${fromPrint}`)
        : /x86_64/.test(crash.system.machine ?? 'x86_64')
          ? second - 64n
          : undefined;
    if (headAddress === undefined) continue;
    const head = crash.pages.find((p) => p.address === headAddress);
    if (!head || head.compoundDtor !== undefined) continue;
    head.compoundDtor = dtor;
    head.evidence = appendTo(head.evidence, {
      ...(dump.evidence ?? { source: 'transcript' }),
      address: second,
      note: `the destructor of compound page ${headAddress.toString(16)} is read from its second struct page (${second.toString(16)})`,
    });
  }
}
