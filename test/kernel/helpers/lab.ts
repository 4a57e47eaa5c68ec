/**
 * The lab's real vmcores with their crash/drgn reference outputs: the three stored in
 * ../shared/lab/corpus and, when present, all scenarios rebuilt in ../labdata/corpus
 * (KTRIAGE_LABDATA overrides). Tests skip when none is there.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sharedPath } from '../../helpers/shared.js';

export interface LabDump {
  scenario: string;
  /** Folder with crash/*.txt and drgn-tasks.txt made from this very vmcore. */
  dir: string;
  vmcore: string;
}

function labdataDir(): string | undefined {
  const dir = process.env.KTRIAGE_LABDATA ?? join(repoRoot, '..', 'labdata');
  const corpus = join(dir, 'corpus');
  return existsSync(corpus) ? corpus : undefined;
}

export function labDumps(): LabDump[] {
  const found = new Map<string, LabDump>();
  for (const root of [sharedPath('lab', 'corpus'), labdataDir()]) {
    if (!root) continue;
    for (const scenario of readdirSync(root)) {
      const dir = join(root, scenario);
      const vmcore = join(dir, 'vmcore');
      if (existsSync(vmcore) && existsSync(join(dir, 'drgn-tasks.txt')))
        found.set(scenario, { scenario, dir, vmcore });
    }
  }
  return [...found.values()].sort((a, b) => a.scenario.localeCompare(b.scenario));
}

export interface DrgnTask {
  pid: number;
  comm: string;
  state: string;
  cpu: number;
  task: bigint;
}

/** The `PID n  COMM c  STATE s  CPU n  TASK 0x…` lines of drgn-tasks.txt. */
export function drgnTasks(dir: string): DrgnTask[] {
  const out: DrgnTask[] = [];
  for (const line of readFileSync(join(dir, 'drgn-tasks.txt'), 'utf8').split('\n')) {
    const m = /^PID (\d+) {2}COMM (.*) {2}STATE (\S+) {2}CPU (\d+) {2}TASK 0x([0-9a-f]+)$/.exec(line);
    if (m)
      out.push({
        pid: Number(m[1]),
        comm: m[2]!,
        state: m[3]!,
        cpu: Number(m[4]),
        task: BigInt(`0x${m[5]}`),
      });
  }
  return out;
}
