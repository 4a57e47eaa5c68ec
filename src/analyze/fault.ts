/**
 * Oopses (NULL dereference, paging fault, general protection fault, BUG, invalid opcode): the
 * faulting instruction decoded at RIP (a dump's text or the log's `Code:` bytes), the register that
 * held the bad pointer and the field offset, what the address value means (NULL, list/slab poison,
 * non-canonical, user), the access (read, write, instruction fetch), and for a BUG its file:line.
 */

import { effectiveAddress, register64 } from '../kernel/disasm/effective-address.js';
import type { Crash, CrashKind, Instruction, Report } from '../model/index.js';
import { classify } from './classify/index.js';
import { type AddressMeaning, addressMeaning } from './fault-address.js';
import type { Location } from './frames.js';
import { loopCode, relativeName } from './loop-code.js';
import { judgeReports } from './report-verdicts.js';
import type { FaultVerdict } from './results.js';
import { defineAnalyzer } from './types.js';

const FAULT_KINDS = new Set<CrashKind>([
  'null-deref',
  'paging-fault',
  'gpf',
  'bug',
  'invalid-opcode',
  'oops',
]);
const hex = (v: bigint): string => `0x${v.toString(16)}`;
/** x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h): RSVD and PK. */
const PF_RESERVED = 0x8;
const PF_PROTECTION_KEY = 0x20;

export const fault = defineAnalyzer<FaultVerdict[]>({
  meta: {
    id: 'fault',
    description:
      'Oopses: the faulting instruction, the bad pointer’s register and offset, what the address means',
    docs: 'https://docs.kernel.org/admin-guide/bug-hunting.html',
  },
  analyze(crash, context) {
    return judgeReports(
      crash.reports,
      context.get(classify).reports,
      { analyzer: 'fault', kinds: FAULT_KINDS, severity: 'critical' },
      (report, index) => {
        const verdict = judge(crash, report, index);
        return verdict ? { verdict, id: verdict.addressKind ?? report.kind } : undefined;
      },
    );
  },
});

/** Undefined when the report names neither a place nor an address: nothing to add to its title. */
function judge(crash: Crash, report: Report, index: number): FaultVerdict | undefined {
  const where = report.ripFunction
    ? `${report.ripFunction}+${hex(BigInt(report.ripOffset ?? 0))}${report.ripModule ? ` [${report.ripModule}]` : ''}`
    : undefined;
  if (!where && report.faultAddress === undefined && !report.bugAt) return undefined;
  const verdict: FaultVerdict = { report: index, summary: '' };
  if (where) verdict.where = where;
  const address = report.faultAddress;
  const fromPageFault = report.kind !== 'gpf' && report.pageFault !== undefined;
  const meaning =
    address !== undefined ? addressMeaning(address, report.pageFault?.access, fromPageFault) : undefined;
  if (address !== undefined) verdict.address = address;
  if (meaning) verdict.addressKind = meaning.kind;
  const pf = report.pageFault;
  if (pf?.access) verdict.access = pf.access;
  const ins = faultingInstruction(crash, report);
  const parts: string[] = [];
  if (ins) {
    verdict.instruction = `${ins.instruction.mnemonic} ${ins.instruction.operands}`.trim();
    const pointer = badPointer(ins.instruction, report, address);
    if (pointer) verdict.pointer = pointer;
  }
  parts.push(opening(report, where, verdict, meaning));
  if (verdict.instruction) parts.push(instructionSentence(verdict, ins?.name));
  if (pf?.access === 'fetch' && address !== undefined)
    parts.push(
      'The CPU tried to execute at the bad address: a call through a corrupted or stale function pointer.',
    );
  const bits = pf?.errorCode ?? 0;
  if (bits & PF_RESERVED)
    parts.push(
      'A reserved bit is set in a page-table entry: the page tables themselves are corrupted (or the hardware failed).',
    );
  else if (bits & PF_PROTECTION_KEY)
    parts.push('A protection-key fault: the page’s key forbids this access.');
  else if (
    pf?.userMode === false &&
    pf.notPresent === false &&
    pf.access === 'write' &&
    meaning?.kind === 'kernel'
  )
    parts.push(
      'The page is present but read-only: a write to kernel text or rodata, or to memory set read-only.',
    );
  const caller = report.stack?.frames.find((f) => f.reliable && f.fn && f.fn !== report.ripFunction)?.fn;
  if (caller) parts.push(`Called from ${caller}.`);
  verdict.summary = parts.filter(Boolean).join(' ');
  return verdict;
}

function opening(
  report: Report,
  where: string | undefined,
  v: FaultVerdict,
  meaning: AddressMeaning | undefined,
): string {
  const at = where ? ` in ${where}` : '';
  const who = report.pid !== undefined ? ` (pid ${report.pid}${report.comm ? ` "${report.comm}"` : ''})` : '';
  if (report.kind === 'bug' || report.kind === 'invalid-opcode') {
    return report.bugAt
      ? `kernel BUG at ${report.bugAt}${at}${who}: a BUG()/BUG_ON() assertion at that source line failed — the code found a state it treats as impossible.`
      : `invalid opcode${at}${who}: a BUG()/BUG_ON() (ud2) or executing data.`;
  }
  const access =
    v.access === 'fetch'
      ? 'executed'
      : v.access === 'write'
        ? 'wrote to'
        : v.access === 'read'
          ? 'read'
          : 'accessed';
  if (v.address === undefined)
    return `${report.kind === 'gpf' ? 'General protection fault' : 'Oops'}${at}${who}.`;
  return `The kernel ${access} address ${v.address.toString(16).padStart(16, '0')}${at}${who} — ${meaning!.meaning}.`;
}

function instructionSentence(v: FaultVerdict, name: string | undefined): string {
  const p = v.pointer;
  const of = p
    ? ` goes through %${p.register} = ${p.value.toString(16)}${p.offset ? ` + ${hex(p.offset)} (the field at offset ${hex(p.offset)})` : ''}`
    : '';
  return `Faulting instruction${name ? ` at ${name}` : ''}: \`${v.instruction}\`${of}.`;
}

/** The instruction at the report's RIP, from the dump's text or the log's `Code:` bytes. */
function faultingInstruction(
  crash: Crash,
  report: Report,
): { instruction: Instruction; name?: string } | undefined {
  if (!report.ripFunction && report.regs?.values.rip === undefined) return undefined;
  const start = report.ripFunction ? crash.symbols?.byName(report.ripFunction)?.address : undefined;
  const loc: Location = { frameIndex: 0 };
  if (report.ripFunction) loc.fn = report.ripFunction;
  if (report.ripOffset !== undefined) loc.offset = report.ripOffset;
  const rip =
    report.regs?.values.rip ?? (start !== undefined ? start + BigInt(report.ripOffset ?? 0) : undefined);
  if (rip !== undefined) loc.address = rip;
  // The `Code:` line may come after the trace (3.x): the report holds it when the registers do not.
  if (report.regs)
    loc.regs = report.regs.code || !report.code ? report.regs : { ...report.regs, code: report.code };
  const code = loopCode(crash, loc);
  if (!code) return undefined;
  const ins = code.code.around(code.rip, 0, 1).find((i) => i.address === code.rip);
  if (!ins) return undefined;
  const name = code.relativeTo ? relativeName(code.rip, code.relativeTo) : undefined;
  return name ? { instruction: ins, name } : { instruction: ins };
}

/**
 * The register the memory operand goes through, when its value plus the displacement gives the
 * faulting address (or the address is unknown, as in a GPF on a non-canonical one).
 */
function badPointer(ins: Instruction, report: Report, address: bigint | undefined): FaultVerdict['pointer'] {
  const op = ins.memory;
  const regs = report.regs?.values;
  if (!op?.base || op.ripRelative || op.segment || !regs) return undefined;
  const register = register64(op.base);
  const value = regs[register];
  if (value === undefined) return undefined;
  const ea = effectiveAddress(op, regs, ins);
  // A KASAN shadow check or an indexed access does not name one pointer: only base + displacement
  // landing exactly on the faulting address does.
  if (op.index !== undefined || (address !== undefined && ea !== address)) return undefined;
  return { register, value, offset: op.displacement };
}
