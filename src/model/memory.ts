/**
 * What the model knows about memory, code and symbols. A dump backs these with real bytes; a crash
 * transcript backs them with the words, pages and instructions its commands printed. Analyzers ask
 * the same questions of both and must cope with `undefined` (not known).
 */

import type { Evidence } from './evidence.js';

/** Read-only view of kernel virtual memory. `undefined` = not available (not dumped, not printed). */
export interface MemoryView {
  readU64(address: bigint): bigint | undefined;
  readU32(address: bigint): number | undefined;
  /** Bytes, or undefined if any byte is unavailable. */
  read(address: bigint, length: number): Uint8Array | undefined;
  /** Where the word came from, for evidence. */
  describe?(address: bigint): Evidence | undefined;
}

export interface SymbolInfo {
  name: string;
  address: bigint;
  size?: number;
  /** kallsyms type letter: T t D d B b R r W … */
  type?: string;
  module?: string;
}

export interface SymbolView {
  /** Innermost symbol containing the address, with the offset into it. */
  lookup(address: bigint): { symbol: SymbolInfo; offset: number } | undefined;
  byName(name: string): SymbolInfo | undefined;
}

/** A memory operand `disp(base,index,scale)` or `disp(%rip)`. */
export interface MemoryOperand {
  base?: string;
  index?: string;
  scale?: number;
  displacement: bigint;
  ripRelative?: boolean;
  segment?: string;
  /**
   * The address the operand refers to when it needs no register: printed by the disassembler
   * (`# 0xffffffff82a0b3c0 <jiffies>`), RIP-relative with a known instruction length, or absolute.
   */
  absolute?: bigint;
}

export interface Instruction {
  address: bigint;
  /** Function and offset when known (`put_compound_page`, 336). */
  fn?: string;
  offset?: number;
  length?: number;
  /** Mnemonic in AT&T syntax as crash/objdump print it (`mov`, `test`, `lock btsl`, `pause`). */
  mnemonic: string;
  /** Operands text in AT&T order (`(%r12),%rax`). */
  operands: string;
  /** Memory operand parsed from `operands`, if any. */
  memory?: MemoryOperand;
  /** Immediate operand, if any (`$0x1000000`). */
  immediate?: bigint;
  /** Branch target for jumps/calls. */
  target?: bigint;
  /** `file.c: 123` from `dis -l`. */
  source?: string;
  evidence?: Evidence;
}

export interface CodeView {
  /** Instructions covering [address - before, address + after) bytes, in address order. */
  around(address: bigint, before: number, after: number): Instruction[];
}

/** A `struct page` as far as known (kmem PAGE, struct page, or read from a dump). */
export interface PageInfo {
  address: bigint;
  physical?: bigint;
  flags?: bigint;
  /** Names as crash's kmem prints them (`referenced,uptodate,lru,head,…`), or decoded by ktriage. */
  flagNames?: string[];
  mapping?: bigint;
  index?: bigint;
  refcount?: number;
  mapcount?: number;
  /** Head page for tail pages (compound_head / first_page). */
  head?: bigint;
  /** Compound destructor symbol (THP `free_compound_page` vs hugetlbfs `free_huge_page`). */
  compoundDtor?: string;
  evidence?: Evidence[];
}

/** `struct T [-x] ADDR` / `p` output kept as field paths → printed values. */
export interface StructDump {
  /** C type as printed (`page`, `task_struct`, `struct page *` for a cast `p`); '' when the output does not say. */
  type: string;
  /** The `p` expression or symbol (`lab_lock_a`, `/x 0xffff882f10c47e00-0x38`), when the dump came from `p`. */
  expression?: string;
  address?: bigint;
  /**
   * Dotted field path → value text, e.g. `_count.counter` → `74`, `flags` → `0x88`. Anonymous
   * structs/unions add no path element (as in C); a scalar `p` result is under the empty path ''.
   */
  fields: Record<string, string>;
  evidence?: Evidence;
}

/** A shell pipeline's count over saved crash output (`grep X bt.txt | grep Y | wc -l` → 34). */
export interface ShellCount {
  command: string;
  /** Patterns of the grep stages in order, `-v` stages marked. */
  patterns: { pattern: string; invert: boolean }[];
  count: number;
  evidence?: Evidence;
}

/** An address list as crash's `list` prints it (`list task_struct.tasks -h init_task`). */
export interface AddressList {
  command: string;
  addresses: bigint[];
  evidence?: Evidence;
}
