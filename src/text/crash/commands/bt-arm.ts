/**
 * The ARM shapes of crash's `bt`. 32-bit ARM prints a frame as `#0 [<c0a1f8c0>] (__schedule) from
 * [<c0a1d054>]` (the PC in the function, then the return address into its caller). arm64 prints
 * x86-shaped frames, but its exception frames are register blocks of its own:
 *
 *     PC: ffff800010ac1e84  [lkdtm_WRITE_KERN+28]
 *     LR: ffff800010ac1e70  [lkdtm_do_action+24]
 *     SP: ffff80001a4bbd30  PSTATE: 60400005
 *    X29: ffff80001a4bbd30  X28: ffff0000c7a43b80  X27: 0000000000000000
 *
 * (user-mode frames print `PC:`/`LR:`/`SP:` on one line, without symbols, and `ORIG_X0`/`SYSCALLNO`).
 */

/** `#3 [<c013c570>] (wait_rcu_gp+0x40) from [<c014407c>]` */
export const ARM_FRAME =
  /^\s*#(\d{1,4})\s+\[<([0-9a-fA-F]{1,16})>\]\s+\(([^()\s+]{1,200})(?:\+(0x[0-9a-fA-F]+|\d+))?(?:\s+\[[\w-]{1,64}\])?\)\s+from\s+\[<([0-9a-fA-F]{1,16})>\](.*)$/;
/** The module of a 32-bit ARM frame: `(demo_init [demo]) from`. */
export const ARM_FRAME_MODULE = /\([^()\s+]{1,200}(?:\+(?:0x[0-9a-fA-F]+|\d+))?\s+(\[[\w-]{1,64}\])\)\s+from/;

const ARM64_NAME = /^(?:PC|LR|SP|PSTATE|ORIG_X0|SYSCALLNO|X(?:[12]?\d|30))$/;

/** `NAME: value` with an optional `[symbol+offset]` after it; one token after another (linear). */
/** The bracket after a PC/LR: a symbol, or crash's `[unknown or invalid address]` (a NULL function pointer). */
const ARM64_LINE = /^\s*(?:[A-Z][A-Z0-9_]{0,9}:\s+[0-9a-fA-F]{1,16}(?:\s+\[[^\]]{1,200}\])?(?:\s+|$))+$/;
const ARM64_PAIR = /\b([A-Z][A-Z0-9_]{0,9}):\s+([0-9a-fA-F]{1,16})(?:\s+\[([^\]]{1,200})\])?/g;

export interface Arm64Registers {
  pairs: [string, bigint][];
  /** The symbol crash printed after the PC (`lkdtm_WRITE_KERN+28`), the interrupted instruction. */
  pcSymbol?: string;
}

/** An arm64 register line of a `bt` exception frame, or undefined when the line is anything else. */
export function arm64Registers(text: string): Arm64Registers | undefined {
  if (!ARM64_LINE.test(text)) return undefined;
  const out: Arm64Registers = { pairs: [] };
  for (const m of text.matchAll(ARM64_PAIR)) {
    if (!ARM64_NAME.test(m[1]!)) return undefined;
    const name = m[1]!.toLowerCase();
    out.pairs.push([name, BigInt(`0x${m[2]}`)]);
    if (name === 'pc' && m[3] !== undefined && !m[3].includes(' ')) out.pcSymbol = m[3];
  }
  return out.pairs.length > 0 ? out : undefined;
}
