/**
 * Writes test/fixtures/unwind/orc-6.1-excerpt.{ip,orc}.bin and .json: the real ORC entries of a few
 * functions of Debian's 6.1.0-56-amd64 vmlinux (the lab kernel), cut from its `.orc_unwind_ip` and
 * `.orc_unwind` sections. Entries are copied verbatim; the IP words are re-based to their new slots
 * (each s32 is relative to its own address), so the excerpt is a valid, smaller ORC table.
 *
 *   npx tsx test/kernel/unwind/make-orc-fixture.ts [/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64]
 */

import { closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fixture } from '../../helpers/shared.js';

const vmlinux = process.argv[2] ?? '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64';

/** Functions on the lab dumps' stacks (crash `bt -a`, `bt -f`), plus a contiguous run of text. */
const FUNCTIONS = [
  'machine_kexec',
  '__crash_kexec',
  'crash_kexec',
  'panic',
  'watchdog_timer_fn',
  'watchdog_timer_fn.cold',
  '__hrtimer_run_queues',
  'hrtimer_interrupt',
  '__sysvec_apic_timer_interrupt',
  'sysvec_apic_timer_interrupt',
  'asm_sysvec_apic_timer_interrupt',
  'crash_nmi_callback',
  'default_do_nmi',
  'exc_nmi',
  'asm_exc_nmi',
  'first_nmi',
  'repeat_nmi',
  'end_repeat_nmi',
  'nmi_restore',
  'native_safe_halt',
  'amd_e400_idle',
  'default_idle_call',
  'do_idle',
  'cpu_startup_entry',
  'start_secondary',
  'secondary_startup_64_no_verify',
  'native_queued_spin_lock_slowpath',
  '_raw_spin_lock',
  'kthread',
  'ret_from_fork',
  '__schedule',
  'schedule',
  'schedule_timeout',
  'entry_SYSCALL_64',
  'entry_SYSCALL_64_after_hwframe',
  'do_syscall_64',
  'rest_init',
  'arch_call_rest_init',
  'start_kernel',
];
const CONTIGUOUS = { from: 'native_queued_spin_lock_slowpath', bytes: 0x4000 };

interface Section {
  name: string;
  addr: bigint;
  off: number;
  size: number;
}

function sections(fd: number): Section[] {
  const eh = Buffer.alloc(64);
  readSync(fd, eh, 0, 64, 0);
  const shoff = Number(eh.readBigUInt64LE(0x28));
  const shentsize = eh.readUInt16LE(0x3a);
  const shnum = eh.readUInt16LE(0x3c);
  const shstrndx = eh.readUInt16LE(0x3e);
  const sh = Buffer.alloc(shentsize * shnum);
  readSync(fd, sh, 0, sh.length, shoff);
  const strOff = Number(sh.readBigUInt64LE(shstrndx * shentsize + 0x18));
  const strSize = Number(sh.readBigUInt64LE(shstrndx * shentsize + 0x20));
  const strs = Buffer.alloc(strSize);
  readSync(fd, strs, 0, strSize, strOff);
  const out: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const b = i * shentsize;
    const nameOff = sh.readUInt32LE(b);
    out.push({
      name: strs.toString('latin1', nameOff, strs.indexOf(0, nameOff)),
      addr: sh.readBigUInt64LE(b + 0x10),
      off: Number(sh.readBigUInt64LE(b + 0x18)),
      size: Number(sh.readBigUInt64LE(b + 0x20)),
    });
  }
  return out;
}

function section(fd: number, name: string): Section {
  const s = sections(fd).find((x) => x.name === name);
  if (!s) throw new Error(`${vmlinux}: no section ${name}`);
  return s;
}

/** Bytes of the allocated, file-backed sections at a link-time address range. */
function readAt(fd: number, addr: bigint, size: number): Buffer {
  const s = sections(fd).find(
    (x) => x.addr !== 0n && addr >= x.addr && addr + BigInt(size) <= x.addr + BigInt(x.size),
  );
  if (!s) throw new Error(`no section holds 0x${addr.toString(16)}`);
  const out = Buffer.alloc(size);
  readSync(fd, out, 0, size, s.off + Number(addr - s.addr));
  return out;
}

const map = gunzipSync(readFileSync(fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz')))
  .toString('latin1')
  .split('\n')
  .map((l) => l.split(' '))
  .filter((p) => p.length === 3 && /^[tTwW]$/.test(p[1]!))
  .map((p) => ({ addr: BigInt(`0x${p[0]}`), name: p[2]! }))
  .sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));

function rangeOf(name: string): [bigint, bigint] {
  const i = map.findIndex((s) => s.name === name);
  if (i < 0) throw new Error(`no symbol ${name}`);
  const start = map[i]!.addr;
  let j = i + 1;
  while (j < map.length && map[j]!.addr === start) j++;
  return [start, map[j]?.addr ?? start + 0x1000n];
}

const fd = openSync(vmlinux, 'r');
const ipSec = section(fd, '.orc_unwind_ip');
const orcSec = section(fd, '.orc_unwind');
const count = ipSec.size / 4;
const ipRaw = Buffer.alloc(ipSec.size);
readSync(fd, ipRaw, 0, ipRaw.length, ipSec.off);
const orcRaw = Buffer.alloc(count * 6);
readSync(fd, orcRaw, 0, orcRaw.length, orcSec.off);
// Code of the listed functions: the scan fallback checks the call instruction before a return address.
const code = FUNCTIONS.map((f) => {
  const [s, e] = rangeOf(f);
  return { f, s, bytes: readAt(fd, s, Number(e - s)) };
});
closeSync(fd);

const ranges = FUNCTIONS.map(rangeOf);
const [c0] = rangeOf(CONTIGUOUS.from);
ranges.push([c0, c0 + BigInt(CONTIGUOUS.bytes)]);

const picked: { ip: bigint; i: number }[] = [];
for (let i = 0; i < count; i++) {
  const ip = ipSec.addr + BigInt(i * 4) + BigInt(ipRaw.readInt32LE(i * 4));
  // The entry covering each range's start, every entry inside it, and the one at its end.
  if (ranges.some(([s, e]) => ip >= s && ip <= e)) picked.push({ ip, i });
}
// Entries that cover a range start from before it (the previous function's last entry).
for (const [s] of ranges) {
  let best: { ip: bigint; i: number } | undefined;
  for (let i = 0; i < count; i++) {
    const ip = ipSec.addr + BigInt(i * 4) + BigInt(ipRaw.readInt32LE(i * 4));
    if (ip <= s && (!best || ip >= best.ip)) best = { ip, i };
  }
  if (best && !picked.some((p) => p.i === best.i)) picked.push(best);
}
picked.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.i - b.i));

const base = ipSec.addr;
const ipOut = Buffer.alloc(picked.length * 4);
const orcOut = Buffer.alloc(picked.length * 6);
picked.forEach((p, k) => {
  ipOut.writeInt32LE(Number(p.ip - (base + BigInt(k * 4))), k * 4);
  orcRaw.copy(orcOut, k * 6, p.i * 6, p.i * 6 + 6);
});

const dir = fixture('unwind');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'orc-6.1-excerpt.ip.bin'), ipOut);
writeFileSync(join(dir, 'orc-6.1-excerpt.orc.bin'), orcOut);
writeFileSync(join(dir, 'text-6.1-excerpt.bin'), Buffer.concat(code.map((c) => c.bytes)));
let textOffset = 0;
const textIndex = code.map((c) => {
  const row = { name: c.f, address: `0x${c.s.toString(16)}`, offset: textOffset, size: c.bytes.length };
  textOffset += c.bytes.length;
  return row;
});
writeFileSync(
  join(dir, 'orc-6.1-excerpt.json'),
  `${JSON.stringify(
    {
      source: 'vmlinux-6.1.0-56-amd64 (Debian 6.1.192-2, linux-image-6.1.0-56-amd64-dbg)',
      ipBase: `0x${base.toString(16)}`,
      count: picked.length,
      fullTableEntries: count,
      functions: FUNCTIONS,
      contiguous: { from: CONTIGUOUS.from, bytes: CONTIGUOUS.bytes },
      symbols: Object.fromEntries(FUNCTIONS.map((f) => [f, `0x${rangeOf(f)[0].toString(16)}`])),
      text: textIndex,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${picked.length} of ${count} entries to ${dir}`);
