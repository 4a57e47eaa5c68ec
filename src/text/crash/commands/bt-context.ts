/**
 * What crash's stack markers and exception frames say about context. Frames printed above
 * `--- <NMI exception stack> ---` ran on the NMI stack, those above `--- <IRQ stack> ---` on the IRQ
 * stack; an exception frame's entry is read from the marker that follows it, the saved CS (user
 * mode), and the entry function crash printed just before it.
 */

import type { ExceptionFrame, Frame, FrameContext } from '../../../model/index.js';

export function markerContext(marker: string): FrameContext {
  const m = marker.toUpperCase();
  if (m.includes('NMI')) return 'nmi';
  if (m.includes('SOFT')) return 'softirq';
  if (m.includes('IRQ')) return 'irq';
  return 'exception';
}

/** `336` or `0x150` → 336. */
export function parseSymbolOffset(text: string): number | undefined {
  const n = text.startsWith('0x') ? Number.parseInt(text.slice(2), 16) : Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const EXCEPTION_ENTRY =
  /page_fault|^el1h?_(?:64_)?(?:sync|da|ia|abort|undef|inv|dbg|error|pc|sp)\b|^exc_|^asm_exc_|general_protection|invalid_op|error_entry|do_trap|divide_error|^int3|^debug|double_fault|machine_check|alignment_check|stack_segment|segment_not_present|coprocessor|simd_/;
const IRQ_ENTRY = /interrupt|^irq_|_irq$|^common_interrupt|^ret_from_intr|^sysvec_|^asm_sysvec_|apic_timer/;
const NMI_ENTRY = /nmi/;

export function classifyEntry(
  framesBefore: Frame[],
  regs: Record<string, bigint>,
  ripText: string | undefined,
  marker: string | undefined,
): ExceptionFrame['entry'] {
  if (marker !== undefined) {
    const context = markerContext(marker);
    if (context === 'nmi') return 'nmi';
    if (context === 'irq' || context === 'softirq') return 'irq';
    return 'exception';
  }
  // arm64: PSTATE mode bits 0 are EL0t, user mode; a syscall leaves its number in SYSCALLNO.
  if (regs.pstate !== undefined && (regs.pstate & 0xfn) === 0n)
    return regs.syscallno !== undefined && regs.syscallno < 0x1000n ? 'syscall' : 'exception';
  if (ripText === 'user space' || (regs.cs !== undefined && (regs.cs & 3n) === 3n)) {
    const orig = regs.orig_rax;
    // A syscall leaves its number in orig_rax; interrupts and exceptions leave -1 or a vector.
    if (orig !== undefined && orig < 0x1000n) return 'syscall';
    return 'exception';
  }
  const previous = framesBefore[framesBefore.length - 1]?.fn;
  if (previous) {
    if (NMI_ENTRY.test(previous)) return 'nmi';
    if (EXCEPTION_ENTRY.test(previous)) return 'exception';
    if (IRQ_ENTRY.test(previous)) return 'irq';
  }
  return 'unknown';
}
