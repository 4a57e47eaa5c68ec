/**
 * System facts a log states: release and version (`Linux version …`), command line, CPU count,
 * memory, DMI hardware name, the panic string and the CPU/task that panicked, the uptime. Fed one
 * record at a time, so a streaming reader can drop records after looking at them.
 */

import type { LogRecord, SystemFacts } from '../../model/index.js';
import { parseCpuLine } from './facts.js';
import { F_OOPS, F_PANIC } from './log-index.js';

/** Records after a panic line in which its "CPU: N PID: …" line is looked for. */
const PANIC_CPU_WINDOW = 8;

export class SystemScanner {
  private readonly facts: SystemFacts = {};
  private panicWait = 0;
  private oops?: { text: string; line?: number };
  private oopsWait = 0;
  private oopsCpu?: ReturnType<typeof parseCpuLine>;
  private lastTime?: number;
  private nrCpuIds?: number;

  /** `flags` are the record's LogIndex flags (panic and oops lines are found there). */
  add(record: LogRecord, flags: number): void {
    const text = record.text;
    if (record.time !== undefined) this.lastTime = record.time;
    if (this.panicWait > 0) {
      this.panicWait--;
      const cpu = parseCpuLine(text);
      if (cpu) {
        this.panicWait = 0;
        this.facts.panicCpu = cpu.cpu;
        this.facts.panicPid = cpu.pid;
        this.facts.panicComm = cpu.comm;
        if (cpu.taint) this.facts.taint = cpu.taint;
        this.facts.release ??= cpu.release;
      }
    }
    if (this.oopsWait > 0) {
      this.oopsWait--;
      const cpu = parseCpuLine(text);
      if (cpu) {
        this.oopsWait = 0;
        this.oopsCpu = cpu;
      }
    }
    const c = text.charCodeAt(0);
    // Cheap first-character screen: most lines are none of these.
    if (c === 76 /* L */ && text.startsWith('Linux version ')) this.linuxVersion(text);
    else if ((c === 67 || c === 75) && text.includes('ommand line: ')) {
      this.facts.commandLine ??= text.slice(text.indexOf('ommand line: ') + 13).trim();
    } else if (c === 115 /* s */ && text.startsWith('smp: Brought up ')) {
      const m = /(\d+) CPUs?/.exec(text);
      if (m) this.facts.cpus = Number(m[1]);
    } else if (c === 66 /* B */ && text.startsWith('Brought up ')) {
      const m = /^Brought up (\d+) CPUs?/.exec(text);
      if (m) this.facts.cpus ??= Number(m[1]);
    } else if (c === 115 && text.startsWith('setup_percpu: ')) {
      const m = /nr_cpu_ids:(\d+)/.exec(text);
      if (m) this.nrCpuIds = Number(m[1]);
    } else if (c === 77 /* M */ && text.startsWith('Memory: ')) {
      const m = /^Memory: \d+K\/(\d+)K/.exec(text);
      if (m) this.facts.memoryBytes ??= Number(m[1]) * 1024;
    } else if (c === 68 /* D */ && text.startsWith('DMI: ')) {
      this.facts.hardware ??= text.slice(5).trim();
    }
    if (this.facts.panic === undefined && flags & F_PANIC) {
      const at = text.indexOf('Kernel panic - not syncing');
      this.facts.panic = text.slice(at).trim();
      this.panicWait = PANIC_CPU_WINDOW;
      if (record.line !== undefined)
        this.facts.evidence = [{ source: 'log', line: record.line, text: this.facts.panic }];
    } else if (this.oops === undefined && flags & F_OOPS) {
      this.oops = { text: text.slice(text.indexOf('Oops: ')).trim(), line: record.line };
      this.oopsWait = PANIC_CPU_WINDOW;
    }
  }

  result(): SystemFacts {
    const f = { ...this.facts };
    if (f.cpus === undefined && this.nrCpuIds !== undefined) f.cpus = this.nrCpuIds;
    if (this.lastTime !== undefined) f.uptimeSeconds = this.lastTime;
    // No "Kernel panic" (kdump on oops): the oops is what ended the machine, as crash's sys says.
    if (f.panic === undefined && this.oops) {
      f.panic = this.oops.text;
      if (this.oopsCpu) {
        f.panicCpu = this.oopsCpu.cpu;
        f.panicPid = this.oopsCpu.pid;
        f.panicComm = this.oopsCpu.comm;
        if (this.oopsCpu.taint) f.taint ??= this.oopsCpu.taint;
      }
    }
    if (f.release === undefined) delete f.release;
    return f;
  }

  private linuxVersion(text: string): void {
    const m = /^Linux version (\S+)/.exec(text);
    if (!m) return;
    this.facts.release ??= m[1]!;
    const hash = text.search(/ #\d/);
    if (hash > 0) this.facts.version ??= text.slice(hash + 1).trim();
  }
}
