/**
 * x86_64 machine code → the model's Instructions, printed the way crash's `dis` (gdb) prints them:
 * AT&T syntax, lower-case hex, `disp(%rip)` with the resolved address in a trailing comment
 * (`# 0xffffffff82a0b3c0 <jiffies>`), branch targets followed by `<fn+off>`. The operand text is
 * then parsed by the shared AT&T operand parser, so instructions decoded from memory and those read
 * from a transcript's `dis` carry the same fields. Public names: decodeInstructions, DecodeOptions.
 */

import type { Instruction as IcedInstruction } from 'iced-x86';
import type { Instruction, SymbolView } from '../../model/memory.js';
import { parseAttOperands } from '../x86_64/att-operand.js';
import { loadIced } from './iced.js';

export interface DecodeOptions {
  /** Names targets and RIP-relative addresses, and each instruction's fn+offset. */
  symbols?: SymbolView;
  /** Stop after this many instructions (input-independent bound). */
  maxInstructions?: number;
  /** Stop decoding once an instruction starts at or after this address. */
  until?: bigint;
}

type Formatter = InstanceType<ReturnType<typeof loadIced>['Formatter']>;
let formatter: Formatter | undefined;

function gasFormatter(): Formatter {
  if (formatter) return formatter;
  const iced = loadIced();
  const f = new iced.Formatter(iced.FormatterSyntax.Gas);
  f.uppercaseHex = false;
  f.ripRelativeAddresses = true;
  f.showZeroDisplacements = true;
  f.branchLeadingZeros = false;
  f.smallHexNumbersInDecimal = false;
  formatter = f;
  return f;
}

function symbolText(symbols: SymbolView | undefined, address: bigint): string {
  const hit = symbols?.lookup(address);
  if (!hit) return '';
  return hit.offset ? ` <${hit.symbol.name}+${hit.offset}>` : ` <${hit.symbol.name}>`;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** One decoded instruction in gdb's words, with the operand text parsed. */
function toModel(ins: IcedInstruction, f: Formatter, symbols: SymbolView | undefined): Instruction {
  const iced = loadIced();
  const address = ins.ip;
  const length = ins.length;
  const mnemonic = f.formatMnemonic(ins);
  // gdb always prints the scale of an indexed operand (`0x0(%rax,%rax,1)`); iced's own option for
  // it also prints a dangling comma for base-only operands.
  let operands = f.formatAllOperands(ins).replace(/\((%\w+),(%\w+)\)/g, '($1,$2,1)');
  const flow = ins.flowControl;
  const direct =
    flow === iced.FlowControl.Call ||
    flow === iced.FlowControl.UnconditionalBranch ||
    flow === iced.FlowControl.ConditionalBranch;
  let ripTarget: bigint | undefined;
  if (direct && ins.op0Kind !== iced.OpKind.Register && ins.op0Kind !== iced.OpKind.Memory) {
    operands = `${hex(ins.nearBranchTarget)}${symbolText(symbols, ins.nearBranchTarget)}`;
  } else if (ins.isIpRelMemoryOperand) {
    ripTarget = ins.ipRelMemoryAddress;
    operands = `${operands}        # ${hex(ripTarget)}${symbolText(symbols, ripTarget)}`;
  }
  const parsed = parseAttOperands(mnemonic, operands);
  const out: Instruction = { address, length, mnemonic, operands };
  const hit = symbols?.lookup(address);
  if (hit) {
    out.fn = hit.symbol.name;
    out.offset = hit.offset;
  }
  if (parsed.memory) {
    out.memory = { ...parsed.memory };
    if (ripTarget !== undefined) out.memory.absolute = ripTarget;
    else if (!out.memory.base && !out.memory.index && !out.memory.ripRelative && !out.memory.segment)
      out.memory.absolute = out.memory.displacement;
  }
  if (parsed.immediate !== undefined) out.immediate = parsed.immediate;
  if (parsed.target !== undefined) out.target = parsed.target;
  const where = out.fn !== undefined ? `<${out.fn}+${out.offset}>` : '';
  out.evidence = {
    source: 'dump',
    address,
    text: `${hex(address)} ${where}:\t${mnemonic.padEnd(6)} ${operands}`.trimEnd(),
    note: 'decoded from kernel text in the dump',
  };
  return out;
}

/**
 * Where each instruction of `bytes` (64-bit code at `ip`) starts, without formatting any: the cheap
 * pass a CodeView makes over a whole function so that it formats only the window it is asked for.
 */
export function instructionStarts(bytes: Uint8Array, ip: bigint, max = 65536): bigint[] {
  const iced = loadIced();
  const decoder = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
  decoder.ip = ip;
  const ins = new iced.Instruction();
  const out: bigint[] = [];
  try {
    while (decoder.canDecode && out.length < max) {
      out.push(decoder.ip);
      decoder.decodeOut(ins);
    }
  } finally {
    ins.free();
    decoder.free();
  }
  return out;
}

/** Decodes `bytes` as 64-bit code loaded at `ip`. Undecodable bytes become `(bad)` one byte long. */
export function decodeInstructions(
  bytes: Uint8Array,
  ip: bigint,
  options: DecodeOptions = {},
): Instruction[] {
  const iced = loadIced();
  const f = gasFormatter();
  const max = options.maxInstructions ?? 4096;
  const decoder = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
  decoder.ip = ip;
  const out: Instruction[] = [];
  try {
    while (decoder.canDecode && out.length < max) {
      const ins = decoder.decode();
      try {
        if (options.until !== undefined && ins.ip >= options.until) break;
        if (ins.isInvalid) {
          out.push({ address: ins.ip, length: ins.length, mnemonic: '(bad)', operands: '' });
        } else out.push(toModel(ins, f, options.symbols));
      } finally {
        ins.free();
      }
    }
  } finally {
    decoder.free();
  }
  return out;
}
