/**
 * `bt` in all its forms: `bt`, `bt PID`, `bt -a` (one block per CPU), `foreach [UN] bt`, `bt -f`
 * frame words, `bt -l` source lines, `bt -t`/`-T` text symbols, `bt -s` offsets, exception frames
 * (`[exception RIP: …]` + the register block, or a bare register block at a syscall entry), stack
 * markers (`--- <NMI exception stack> ---`, `--- <IRQ stack> ---`) and crash's "possibly bogus
 * exception frame" warning. Also grep output of saved `bt -a` text: frames without headers, where
 * a frame number that does not grow starts another (partial) stack.
 */

import type { Evidence, ExceptionFrame, Frame, FrameContext, FrameWords } from '../../../model/index.js';
import { type Block, evidenceFor } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import type { Line } from '../lines.js';
import type { CommandParser } from '../parser.js';
import {
  BT_FRAME,
  BT_HEADER,
  BT_START,
  BT_TEXT_FRAME,
  EXCEPTION_RIP,
  FRAME_WORDS,
  registerPairs,
  SOURCE_LINE,
  STACK_MARKER,
  WARNING,
} from '../shapes.js';
import { ARM_FRAME, ARM_FRAME_MODULE, arm64Registers } from './bt-arm.js';
import { classifyEntry, markerContext, parseSymbolOffset } from './bt-context.js';

interface PendingException {
  ripText?: string;
  regs: Record<string, bigint>;
  first: Line;
  last: Line;
  bogus?: boolean;
}

interface Draft {
  header?: { pid: number; task: bigint; cpu?: number; comm: string; line: Line };
  frames: Frame[];
  frameNumbers: number[];
  exceptions: ExceptionFrame[];
  words: Map<number, { address: bigint; value: bigint }[]>;
  contextStart: number;
  first: Line;
  last: Line;
}

export const btParser: CommandParser = {
  name: 'bt',
  forCommand: (words) => {
    const w = (words[0] ?? '').toLowerCase();
    return w === 'bt' || (w === 'foreach' && words.some((x) => x === 'bt'));
  },
  startsOutput: (lines, i) => {
    const t = lines[i]!.text;
    return (
      BT_HEADER.test(t) ||
      BT_FRAME.test(t) ||
      ARM_FRAME.test(t) ||
      EXCEPTION_RIP.test(t) ||
      STACK_MARKER.test(t)
    );
  },
  continues: (line) => {
    const t = line.text;
    return (
      BT_HEADER.test(t) ||
      BT_FRAME.test(t) ||
      ARM_FRAME.test(t) ||
      BT_TEXT_FRAME.test(t) ||
      BT_START.test(t) ||
      EXCEPTION_RIP.test(t) ||
      STACK_MARKER.test(t) ||
      WARNING.test(t) ||
      FRAME_WORDS.test(t) ||
      SOURCE_LINE.test(t) ||
      registerPairs(t) !== undefined ||
      arm64Registers(t) !== undefined ||
      /^\s*bt: /.test(t)
    );
  },
  parse: (block, out) => new StackReader(block, out).read(),
};

class StackReader {
  private draft?: Draft;
  private pending?: PendingException;
  private readonly fromAllCpus: boolean;

  constructor(
    private readonly block: Block,
    private readonly out: TranscriptBuilder,
  ) {
    const words = block.command.split(/\s+/);
    this.fromAllCpus = block.via !== 'shape' && words[0] === 'bt' && words.some((w) => /^-\w*a/.test(w));
  }

  read(): void {
    for (const line of this.block.lines) this.line(line);
    this.finishDraft();
  }

  private line(line: Line): void {
    const t = line.text;
    const header = BT_HEADER.exec(t);
    if (header) {
      this.finishDraft();
      const cpu = header[3] === undefined || header[3] === '-' ? undefined : Number(header[3]);
      this.draft = this.newDraft(line, {
        pid: Number(header[1]),
        task: BigInt(`0x${header[2]}`),
        comm: header[4]!,
        line,
        ...(cpu !== undefined ? { cpu } : {}),
      });
      return;
    }
    const frame = BT_FRAME.exec(t);
    if (frame) {
      this.frame(line, Number(frame[1]), frame[2]!, frame[3]!, frame[4], frame[5]!, frame[6] ?? '', true);
      return;
    }
    const arm = ARM_FRAME.exec(t);
    if (arm) {
      const module = ARM_FRAME_MODULE.exec(t)?.[1];
      this.frame(
        line,
        Number(arm[1]),
        undefined,
        arm[3]!,
        arm[4],
        arm[2]!,
        `${module ? ` ${module}` : ''}${arm[6] ?? ''}`,
        true,
      );
      return;
    }
    const text = BT_TEXT_FRAME.exec(t);
    if (text) {
      this.frame(line, undefined, text[1]!, text[2]!, text[3], text[4]!, text[5] ?? '', false);
      return;
    }
    const start = BT_START.exec(t);
    if (start) {
      this.frame(line, undefined, undefined, start[1]!, start[2], start[3]!, '', true);
      return;
    }
    const rip = EXCEPTION_RIP.exec(t);
    if (rip) {
      this.commitPending();
      this.pending = { ripText: rip[1]!.trim(), regs: {}, first: line, last: line };
      this.ensureDraft(line);
      return;
    }
    const regs = registerPairs(t);
    if (regs) {
      this.registers(line, regs);
      return;
    }
    const arm64 = arm64Registers(t);
    if (arm64) {
      this.registers(line, arm64.pairs);
      if (arm64.pcSymbol !== undefined && this.pending) this.pending.ripText ??= arm64.pcSymbol;
      return;
    }
    const marker = STACK_MARKER.exec(t);
    if (marker) {
      this.marker(line, marker[1]!);
      return;
    }
    const warning = WARNING.exec(t);
    if (warning) {
      if (/bogus exception frame/i.test(warning[1]!)) this.markBogus();
      return;
    }
    const words = FRAME_WORDS.exec(t);
    if (words) {
      this.words(line, BigInt(`0x${words[1]}`), words[2]!);
      return;
    }
    const source = SOURCE_LINE.exec(t);
    // bt -l prints the exception RIP's source line after the register block: not a frame's.
    if (source && !this.pending) {
      const last = this.draft?.frames[this.draft.frames.length - 1];
      if (last && last.source === undefined) last.source = `${source[1]}: ${source[2]}`;
    }
  }

  private registers(line: Line, regs: [string, bigint][]): void {
    this.ensureDraft(line);
    let pending = this.pending;
    // A second RIP (x86) or PC (arm64) starts the next exception frame.
    const held = pending?.regs ?? {};
    const restarts = regs.some(([n]) => (n === 'rip' || n === 'pc') && n in held);
    if (!pending || restarts) {
      this.commitPending();
      pending = { regs: {}, first: line, last: line };
      this.pending = pending;
    }
    for (const [name, value] of regs) pending.regs[name] = value;
    pending.last = line;
  }

  private marker(line: Line, marker: string): void {
    const draft = this.ensureDraft(line);
    this.commitPending(marker);
    const context = markerContext(marker);
    for (let i = draft.contextStart; i < draft.frames.length; i++) draft.frames[i]!.context = context;
    draft.contextStart = draft.frames.length;
    draft.last = line;
  }

  private markBogus(): void {
    if (this.pending) {
      this.pending.bogus = true;
      return;
    }
    const last = this.draft?.exceptions[this.draft.exceptions.length - 1];
    if (last) last.bogus = true;
  }

  private frame(
    line: Line,
    number: number | undefined,
    sp: string | undefined,
    fn: string,
    offsetText: string | undefined,
    address: string,
    rest: string,
    reliable: boolean,
  ): void {
    let draft = this.draft;
    const lastNumber = draft?.frameNumbers[draft.frameNumbers.length - 1];
    if (
      !draft ||
      (number !== undefined && lastNumber !== undefined && lastNumber >= 0 && number <= lastNumber)
    ) {
      // A frame number that does not grow: grep output of another CPU's stack. The exception line
      // grep kept just before this frame belongs to the new stack, as it does in bt's own output.
      const carried = this.pending;
      this.pending = undefined;
      this.finishDraft();
      draft = this.draft = this.newDraft(line);
      this.pending = carried;
    }
    this.commitPending();
    const frame: Frame = {
      fn,
      address: BigInt(`0x${address}`),
      reliable,
      context: 'unknown',
      evidence: evidenceFor(this.block, line, undefined, { frame: draft.frames.length }),
    };
    if (sp !== undefined) frame.stackAddress = BigInt(`0x${sp}`);
    const offset = offsetText === undefined ? undefined : parseSymbolOffset(offsetText);
    if (offset !== undefined) {
      frame.offset = offset;
      this.out.symbols.learnOffset(fn, offset, frame.address!);
    } else this.out.symbols.learnInside(fn, frame.address!);
    const mod = /\[([\w-]{1,64})\]/.exec(rest);
    if (mod) frame.module = mod[1]!;
    draft.frames.push(frame);
    draft.frameNumbers.push(number ?? -1);
    draft.last = line;
  }

  private words(line: Line, start: bigint, text: string): void {
    const draft = this.draft;
    if (!draft || draft.frames.length === 0) return;
    const index = draft.frames.length - 1;
    const list = draft.words.get(index) ?? [];
    const tokens = text.trim().split(/\s+/);
    // bt -F prints symbols in place of some words; the hex ones give the word width.
    const width = tokens.find((t) => /^[0-9a-fA-F]+$/.test(t) && [8, 16].includes(t.length))?.length ?? 16;
    const size = width / 2;
    let address = start;
    for (const token of tokens.slice(0, 8)) {
      if (/^[0-9a-fA-F]+$/.test(token) && token.length === width) {
        const value = BigInt(`0x${token}`);
        list.push({ address, value });
        this.out.memory.addWord(address, value, size, evidenceFor(this.block, line));
      } else if (!/^[[\w.+-]/.test(token)) break; // not a bt -F symbol either: the line ended
      address += BigInt(size);
    }
    draft.words.set(index, list);
    draft.last = line;
  }

  private newDraft(line: Line, header?: Draft['header']): Draft {
    return {
      ...(header ? { header } : {}),
      frames: [],
      frameNumbers: [],
      exceptions: [],
      words: new Map(),
      contextStart: 0,
      first: line,
      last: line,
    };
  }

  private ensureDraft(line: Line): Draft {
    if (!this.draft) this.draft = this.newDraft(line);
    return this.draft;
  }

  private commitPending(marker?: string): void {
    const p = this.pending;
    const draft = this.draft;
    this.pending = undefined;
    if (!p || !draft) return;
    const hasRegs = Object.keys(p.regs).length > 0;
    if (!hasRegs && p.ripText === undefined) return;
    const arch = p.regs.pc !== undefined || p.regs.pstate !== undefined ? 'arm64' : 'x86_64';
    const exception: ExceptionFrame = {
      beforeFrame: draft.frames.length,
      regs: { arch, values: p.regs, evidence: evidenceFor(this.block, p.first, p.last) },
      evidence: evidenceFor(this.block, p.first, p.last),
    };
    const rip =
      p.ripText === undefined ? undefined : /^([A-Za-z_.$][\w.$]*)(?:\+(0x[0-9a-f]+|\d+))?$/.exec(p.ripText);
    if (rip) {
      exception.ripFunction = rip[1]!;
      exception.ripOffset = rip[2] === undefined ? 0 : (parseSymbolOffset(rip[2]) ?? 0);
      const pc = p.regs.rip ?? p.regs.pc;
      if (pc !== undefined) this.out.symbols.learnOffset(rip[1]!, exception.ripOffset, pc);
    }
    exception.entry = classifyEntry(draft.frames.slice(0, draft.frames.length), p.regs, p.ripText, marker);
    if (p.bogus) exception.bogus = true;
    draft.exceptions.push(exception);
    draft.last = p.last.n > draft.last.n ? p.last : draft.last;
  }

  private finishDraft(): void {
    const draft = this.draft;
    if (!draft) return;
    this.commitPending();
    this.draft = undefined;
    const headerless = draft.header === undefined;
    // grep kept an `[exception RIP: …]` line whose frame it did not keep: it belongs to a stack that
    // is not in the paste, not to this one.
    if (headerless)
      draft.exceptions = draft.exceptions.filter(
        (e) => e.beforeFrame < draft.frames.length || Object.keys(e.regs.values).length > 0,
      );
    const tail: FrameContext = headerless ? 'unknown' : 'task';
    for (let i = draft.contextStart; i < draft.frames.length; i++) draft.frames[i]!.context = tail;
    // A lone `[exception RIP: …]` line with no frame and no registers says too little to be a stack.
    if (draft.frames.length === 0 && !draft.exceptions.some((e) => Object.keys(e.regs.values).length > 0))
      return;
    const frameWords: FrameWords[] = [...draft.words.entries()].map(([frame, words]) => ({ frame, words }));
    const evidence: Evidence = evidenceFor(this.block, draft.first, draft.last);
    const h = draft.header;
    if (h) evidence.pid = h.pid;
    if (h?.cpu !== undefined) evidence.cpu = h.cpu;
    this.out.stack({
      stack: {
        ...(h?.cpu !== undefined ? { cpu: h.cpu } : {}),
        ...(h ? { pid: h.pid, comm: h.comm, task: h.task } : {}),
        origin: 'crash-bt',
        frames: draft.frames,
        exceptions: draft.exceptions,
        ...(frameWords.length ? { frameWords } : {}),
        ...(headerless || this.block.filtered ? { partial: true } : {}),
        evidence,
      },
      headerless,
      fromAllCpus: this.fromAllCpus,
      frameNumbers: draft.frameNumbers,
    });
    if (h) {
      const ev = evidenceFor(this.block, h.line);
      this.out.task(
        { pid: h.pid, task: h.task, comm: h.comm, ...(h.cpu !== undefined ? { cpu: h.cpu } : {}) },
        ev,
      );
      if (this.fromAllCpus && h.cpu !== undefined)
        this.out.activeTask({ cpu: h.cpu, pid: h.pid, task: h.task, comm: h.comm, evidence: ev });
    }
  }
}
