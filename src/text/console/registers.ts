/**
 * Register dumps of an oops: x86 (`RIP: 0010:f+0x1a/0x40`, `RSP: 0018:… EFLAGS: 00010246`,
 * `RAX: … RBX: …`, `FS:  …(0000) GS:…`, `CS:  0010 DS: …`, `CR2: …`) and arm64 (`pc : f+…`,
 * `lr : f+…`, `sp : …`, `x29: … x28: …`, `pstate: 60400005 (…)`).
 */

import type { RegisterSet } from '../../model/index.js';

export interface RipLine {
  fn?: string;
  offset?: number;
  size?: number;
  module?: string;
  /** Numeric RIP when printed as one (user space `RIP: 0033:0x7f…`, old `[<ffffffff…>]`). */
  address?: bigint;
  /** Code segment selector: 0010 kernel, 0033 user. */
  cs?: number;
}

const X86_RIP =
  /^\s*R?IP: (?:([0-9a-f]{4}):)?(?:\[<([0-9a-f]+)>\]\s*)?(?:\[<[0-9a-f]+>\]\s*)?(?:0x([0-9a-f]+)|([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?:\s+\[([\w-]+)[^\]]*\])?)?/;
const ARM_PC =
  /^\s*(pc|lr) : (?:\[<([0-9a-f]+)>\]\s*)?(?:([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?:\s+\[([\w-]+)[^\]]*\])?|0x([0-9a-f]+)|([0-9a-f]{8,16}))/;

/** Old arm/arm64: `PC is at _snd_timer_stop.constprop.9+0x184/0x2b0 [mod]`. */
const OLD_ARM_PC = /^\s*PC is at ([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?:\s+\[([\w-]+)\])?/;

export function parseRipLine(text: string): RipLine | undefined {
  const m = X86_RIP.exec(text);
  if (m) {
    const out: RipLine = {};
    if (m[1]) out.cs = Number.parseInt(m[1], 16);
    if (m[2]) out.address = BigInt(`0x${m[2]}`);
    if (m[3]) out.address = BigInt(`0x${m[3]}`);
    if (m[4]) {
      out.fn = m[4];
      out.offset = Number.parseInt(m[5]!, 16);
      out.size = Number.parseInt(m[6]!, 16);
      if (m[7]) out.module = m[7];
    }
    return out.fn || out.address !== undefined ? out : undefined;
  }
  const old = OLD_ARM_PC.exec(text);
  if (old) {
    const out: RipLine = {
      fn: old[1]!,
      offset: Number.parseInt(old[2]!, 16),
      size: Number.parseInt(old[3]!, 16),
    };
    if (old[4]) out.module = old[4];
    return out;
  }
  const a = ARM_PC.exec(text);
  if (a && a[1] === 'pc') {
    const out: RipLine = {};
    if (a[2]) out.address = BigInt(`0x${a[2]}`);
    if (a[3]) {
      out.fn = a[3];
      out.offset = Number.parseInt(a[4]!, 16);
      out.size = Number.parseInt(a[5]!, 16);
      if (a[6]) out.module = a[6];
    }
    const num = a[7] ?? a[8];
    if (num) out.address = BigInt(`0x${num}`);
    return out;
  }
  return undefined;
}

/** Register names as printed → model names (lower case, `eflags` → `rflags`). */
const RENAME: Record<string, string> = {
  eflags: 'rflags',
  fs: 'fs_base',
  gs: 'gs_base',
  knlgs: 'knl_gs_base',
  // The kernel pads R8/R9 to two digits; pt_regs and crash call them r8/r9.
  r08: 'r8',
  r09: 'r9',
};

/** Names that start a register-dump line (x86, x86-32, powerpc, arm64). */
const REGISTER_LINE_HEADS = new Set([
  'RIP',
  'IP',
  'RSP',
  'RAX',
  'RDX',
  'RBP',
  'R10',
  'R13',
  'FS',
  'CS',
  'CR2',
  'DR0',
  'DR3',
  'DR6',
  'PKRU',
  'EIP',
  'EAX',
  'ESI',
  'DS',
  'CR0',
  'NIP',
  'MSR',
  'LR',
  'CTR',
  'XER',
  'IRQMASK',
  'ORIG_RAX',
  'EFLAGS',
  'Code',
  'pc',
  'lr',
  'sp',
  'pstate',
]);

/** Is this line part of a register dump? */
export function isRegisterLine(text: string): boolean {
  let p = 0;
  while (text.charCodeAt(p) === 32) p++;
  let q = p;
  let c = text.charCodeAt(q);
  while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)
    c = text.charCodeAt(++q);
  if (q === p || q - p > 8) return false;
  const name = text.slice(p, q);
  if (c === 58 /* : */) {
    if (REGISTER_LINE_HEADS.has(name)) return true;
    // arm64 `x29: ffff…`, powerpc `GPR00: …`.
    return (/^x\d{1,2}$/.test(name) && text.charCodeAt(q + 1) === 32) || /^GPR\d\d$/.test(name);
  }
  // arm64 `pc : `, `lr : `, `sp : `, `x9 : `.
  return c === 32 && text.charCodeAt(q + 1) === 58 && (REGISTER_LINE_HEADS.has(name) || /^x\d$/.test(name));
}

const isHexCode = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
const isHex = (v: string): boolean => {
  if (v.length < 4 || v.length > 16) return false;
  for (let i = 0; i < v.length; i++) if (!isHexCode(v.charCodeAt(i))) return false;
  return true;
};
const isNameCode = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;

/** Space-separated tokens of a line, without a regex split. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    const start = i;
    while (i < n && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) i++;
    if (i > start) out.push(text.slice(start, i));
  }
  return out;
}

function setRegister(regs: RegisterSet, name: string, value: string): void {
  if (name.length === 0 || name.length > 12) return;
  for (let i = 0; i < name.length; i++) if (!isNameCode(name.charCodeAt(i))) return;
  let v = value;
  // Old arm64 prints `pc : [<ffffffc000d394c4>]`.
  if (v.startsWith('[<') && v.endsWith('>]')) v = v.slice(2, -2);
  const paren = v.indexOf('(');
  if (paren > 0) v = v.slice(0, paren);
  const lower = name.toLowerCase();
  // `RSP: 0018:ffffc900…`: the selector before the colon is SS.
  const inner = v.indexOf(':');
  if (inner > 0) {
    const sel = v.slice(0, inner);
    const rest = v.slice(inner + 1);
    if (lower === 'rsp' && isHex(sel) && isHex(rest)) {
      regs.values.ss = BigInt(`0x${sel}`);
      regs.values.rsp = BigInt(`0x${rest}`);
    }
    return;
  }
  if (isHex(v)) regs.values[RENAME[lower] ?? lower] = BigInt(`0x${v}`);
}

/**
 * Adds the registers printed on `text` to `regs`: `NAME: value` pairs, however they are spaced. A
 * `Code:` line is kept with them (the bytes around their RIP, for the analyzers' disassembly);
 * `line` is its 1-based input line, for evidence.
 */
export function addRegisters(regs: RegisterSet, text: string, line?: number): void {
  const words = tokens(text);
  const head = words[0] ?? '';
  if (head === 'Code:') {
    const code = regs.code ? undefined : parseCodeLine(text);
    if (code) {
      const excerpt = text.trim();
      regs.code = {
        ...code,
        evidence: { source: 'log', ...(line !== undefined ? { line } : {}), text: excerpt.slice(0, 160) },
      };
    }
    return;
  }
  if (head === 'PC' && words[1] === 'is') return;
  if (head === 'RIP:' || head === 'IP:') {
    const rip = parseRipLine(text);
    if (rip?.cs !== undefined) regs.values.cs = BigInt(rip.cs);
    if (rip?.address !== undefined) regs.values.rip = rip.address;
    regs.arch ??= 'x86_64';
    return;
  }
  const c0 = head.charCodeAt(0);
  const arm = c0 >= 97 && c0 <= 122; // x29:, pc, lr, sp, pstate: arm64 prints lower case
  regs.arch ??= arm ? 'arm64' : 'x86_64';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const colon = word.indexOf(':');
    if (colon < 0) {
      // arm64 `sp : ffff…`
      if (words[i + 1] === ':' && words[i + 2] !== undefined) setRegister(regs, word, words[i + 2]!);
      if (words[i + 1] === ':') i += 2;
    } else if (colon === word.length - 1) {
      const value = words[i + 1];
      if (value === undefined) break;
      setRegister(regs, word.slice(0, -1), value);
      i++;
    } else {
      setRegister(regs, word.slice(0, colon), word.slice(colon + 1));
    }
  }
}

/** `Code: 48 89 e5 <0f> 0b …` (bytes, the faulting one marked) or arm's words `(d4210000)`. */
export function parseCodeLine(text: string): { bytes: number[]; faultIndex?: number } | undefined {
  const at = text.indexOf('Code: ');
  if (at < 0) return undefined;
  const bytes: number[] = [];
  let faultIndex: number | undefined;
  for (const token of text
    .slice(at + 6)
    .trim()
    .split(/\s+/)) {
    const marked = /^[<(]([0-9a-fA-F]+)[>)]$/.exec(token);
    const hexText = marked ? marked[1]! : token;
    if (!/^[0-9a-fA-F]+$/.test(hexText) || hexText.length % 2 !== 0 || hexText.length > 8) return undefined;
    if (marked) faultIndex = bytes.length;
    const width = hexText.length / 2;
    const value = Number.parseInt(hexText, 16);
    // Words are printed as numbers: little-endian bytes in memory order.
    for (let b = 0; b < width; b++) bytes.push(width === 1 ? value : (value >>> (8 * b)) & 0xff);
  }
  if (bytes.length === 0) return undefined;
  return faultIndex === undefined ? { bytes } : { bytes, faultIndex };
}
