/**
 * `struct T [-x|-d] ADDR…`, `struct T.member[,member] ADDR`, `union …`, `task PID` and `p expr`
 * (`$3 = 0x…`, `lab_lock_a = $1 = {…}`, `$5 = (struct page *) 0x…`) → StructDump: nested braces
 * become dotted paths (`_count.counter`), anonymous structs/unions add no path element.
 */

import type { StructDump } from '../../../model/index.js';
import { type Block, evidenceFor, words as splitWords } from '../block.js';
import type { TranscriptBuilder } from '../builder.js';
import { hasCjk, type Line } from '../lines.js';
import type { CommandParser } from '../parser.js';
import { BT_HEADER, FIELD, P_RESULT, STRUCT_OPEN } from '../shapes.js';

const BRACE_LINE = /^\s*(\}\s*,?\s*)?(\{)?\s*$/;
const OPENERS = new Set(['struct', 'union', '*', 'task']);
const PRINTERS = /^(p|print|px|pd)(\/\w+)?$/;

export const structParser: CommandParser = {
  name: 'struct',
  forCommand: (words) => {
    const w = (words[0] ?? '').toLowerCase();
    return OPENERS.has(w) || PRINTERS.test(w) || /^\*\w/.test(w);
  },
  startsOutput: (lines, i) => STRUCT_OPEN.test(lines[i]!.text) || P_RESULT.test(lines[i]!.text),
  continues: (line, block) => {
    const t = line.text;
    if (STRUCT_OPEN.test(t) || FIELD.test(t) || P_RESULT.test(t) || (BRACE_LINE.test(t) && t.trim() !== ''))
      return true;
    if (block.command.startsWith('task') && BT_HEADER.test(t)) return true;
    return block.via === 'prompt' && /^\s/.test(t) && !hasCjk(t);
  },
  parse: (block, out) => new StructReader(block, out).read(),
};

interface StructCommand {
  kind: 'struct' | 'p';
  type?: string;
  addresses: bigint[];
  /** Symbol arguments (`struct mutex lab_mutex_a`, `p lab_lock_a`), resolved later from `sym`. */
  symbols: string[];
  expression?: string;
}

const ADDRESS = /^(?:0x)?([0-9a-fA-F]{8,16})$/;

export function parseStructCommand(command: string): StructCommand {
  const w = splitWords(command.split('|')[0]!.split(/\s>>?\s?/)[0]!);
  const first = w[0] ?? '';
  if (PRINTERS.test(first)) {
    const expression = command.replace(/^\s*\S+\s*/, '').trim();
    const rest = w.slice(1).filter((x) => !x.startsWith('/'));
    const symbols = rest.length === 1 && /^[A-Za-z_]\w*$/.test(rest[0]!) ? [rest[0]!] : [];
    return {
      kind: 'p',
      addresses: [],
      symbols,
      expression: first.includes('/') ? `${first.slice(first.indexOf('/'))} ${expression}` : expression,
    };
  }
  const args = first.startsWith('*') && first.length > 1 ? [first.slice(1), ...w.slice(1)] : w.slice(1);
  const positional = args.filter((a) => !a.startsWith('-'));
  const typeWord = first === 'task' ? 'task_struct' : (positional.shift() ?? '');
  const type = typeWord.split('.')[0]!.replace(/^struct\s+/, '');
  const addresses: bigint[] = [];
  const symbols: string[] = [];
  for (const arg of positional) {
    const a = ADDRESS.exec(arg);
    if (a) addresses.push(BigInt(`0x${a[1]}`));
    else if (/^[A-Za-z_]\w*$/.test(arg) && first !== 'task') symbols.push(arg);
  }
  return { kind: 'struct', ...(type ? { type } : {}), addresses, symbols };
}

interface OpenDump {
  dump: StructDump;
  path: string[];
  depth: number;
  first: Line;
  last: Line;
}

class StructReader {
  private readonly cmd: StructCommand;
  private current?: OpenDump;
  private nextAddress = 0;
  private taskAddress?: bigint;

  constructor(
    private readonly block: Block,
    private readonly out: TranscriptBuilder,
  ) {
    this.cmd = parseStructCommand(block.command);
  }

  read(): void {
    for (const line of this.block.lines) this.line(line);
    if (this.current) this.close();
  }

  private line(line: Line): void {
    const t = line.text;
    const cur = this.current;
    if (cur && cur.depth > 0) {
      cur.last = line;
      this.inside(cur, line);
      return;
    }
    const header = BT_HEADER.exec(t);
    if (header) {
      this.taskAddress = BigInt(`0x${header[2]}`);
      return;
    }
    const opened = STRUCT_OPEN.exec(t);
    if (opened) {
      if (cur) this.close();
      const address = this.taskAddress ?? this.cmd.addresses[this.nextAddress++];
      this.taskAddress = undefined;
      this.out.wholeStructs.add(this.open(opened[2]!, address, line, 1).dump);
      return;
    }
    const result = P_RESULT.exec(t);
    if (result) {
      if (cur) this.close();
      this.printed(line, result[1], result[3]!.trim());
      return;
    }
    const field = FIELD.exec(t);
    if (field) {
      // `struct page.first_page ADDR`: member lines at the top level.
      let open = cur;
      const name = field[1]!;
      if (!open || name in open.dump.fields) {
        if (open) this.close();
        open = this.open(this.cmd.type ?? '', this.cmd.addresses[this.nextAddress++], line, 0);
      }
      open.last = line;
      this.field(open, name, field[2]!);
    }
  }

  /** `name = $1 = value` / `$1 = (type) value`. */
  private printed(line: Line, name: string | undefined, text: string): void {
    let value = text;
    let type = '';
    const cast = /^\(([^()]{1,120})\)\s*(.*)$/.exec(value);
    if (cast) {
      type = cast[1]!.trim();
      value = cast[2]!;
    }
    const open = this.open(type, undefined, line, 0);
    open.dump.expression = name && !this.cmd.expression ? name : (this.cmd.expression ?? name ?? '');
    if (value === '{') open.depth = 1;
    else {
      this.set(open, '', value);
      this.close();
    }
  }

  private inside(cur: OpenDump, line: Line): void {
    const t = line.text;
    const field = FIELD.exec(t);
    if (field) {
      this.field(cur, field[1]!, field[2]!);
      return;
    }
    const brace = BRACE_LINE.exec(t);
    if (brace && t.trim() !== '') {
      if (brace[1]) {
        cur.path.pop();
        cur.depth--;
      }
      if (brace[2]) {
        cur.path.push('');
        cur.depth++;
      }
      if (cur.depth <= 0) this.close();
    }
  }

  private field(cur: OpenDump, name: string, rawValue: string): void {
    const value = rawValue.replace(/,$/, '').trim();
    if (value === '{') {
      cur.path.push(name);
      cur.depth++;
      return;
    }
    this.set(cur, [...cur.path.filter((p) => p !== ''), name].join('.'), value);
  }

  private set(cur: OpenDump, path: string, value: string): void {
    if (!(path in cur.dump.fields)) cur.dump.fields[path] = value;
    const sym = /^0x([0-9a-fA-F]{1,16})\s+<([A-Za-z_.$][\w.$]*)(?:\+(\d+))?>/.exec(value);
    if (sym) this.out.symbols.learnOffset(sym[2]!, Number(sym[3] ?? 0), BigInt(`0x${sym[1]}`));
  }

  private open(type: string, address: bigint | undefined, line: Line, depth: number): OpenDump {
    const dump: StructDump = { type, fields: {} };
    if (address !== undefined) dump.address = address;
    this.current = { dump, path: [], depth, first: line, last: line };
    return this.current;
  }

  private close(): void {
    const cur = this.current;
    this.current = undefined;
    if (!cur) return;
    const dump = cur.dump;
    dump.evidence = evidenceFor(this.block, cur.first, cur.last, {
      ...(dump.address !== undefined ? { address: dump.address } : {}),
    });
    if (dump.address === undefined && this.cmd.symbols.length > 0 && dump.expression === undefined)
      dump.expression = this.cmd.symbols[0]!;
    this.out.struct(dump);
  }
}
