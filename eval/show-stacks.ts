import { readFileSync } from 'node:fs';
import { diagnose } from '../src/analyze/diagnose.js';
import { parseConsoleLog } from '../src/text/console/index.js';
import { parseCorpusFile } from './corpus.js';

const p = process.argv[2]!;
let text = readFileSync(p, 'latin1');
if (/syzkaller-linux-report/.test(p)) text = parseCorpusFile('x', text).log;
const crash = parseConsoleLog(text, { path: p, format: 'console-log' });
crash.stacks.forEach((s, i) => {
  console.log(
    `#${i} origin=${s.origin} cpu=${s.cpu} pid=${s.pid} comm=${s.comm} partial=${s.partial} line=${s.evidence?.line} regs=${s.regs ? Object.keys(s.regs.values).length : 0} rip=${s.regs?.values.rip?.toString(16)} rflags=${s.regs?.values.rflags?.toString(16)} exc=${s.exceptions.length}`,
  );
  for (const f of s.frames.slice(0, 8))
    console.log(`    ${f.reliable ? ' ' : '?'} ${f.fn}+${f.offset} ctx=${f.context}`);
});
crash.reports.forEach((r, i) =>
  console.log(
    `R${i} ${r.kind} ${r.header} lines ${r.startLine}-${r.endLine} cpu=${r.cpu} stack=${r.stack ? crash.stacks.indexOf(r.stack) : '-'} other=${(r.otherStacks ?? []).map((o) => o.label + ':' + crash.stacks.indexOf(o.stack)).join(',')} code=${r.code ? r.code.bytes.length : '-'}`,
  ),
);
const d = diagnose(crash);
for (const f of d.findings) console.log(`F ${f.id}: ${f.message.slice(0, 200)}`);
if (d.story) console.log('STORY', d.story);
import { spin } from '../src/analyze/spin.js';
import { AnalysisRun } from '../src/analyze/engine.js';
const r = new AnalysisRun(crash).get(spin);
for (const [i, l] of r.loops) {
  console.log(`LOOP stack ${i} closed=${l.closed} endless=${l.endless} bit=${l.bit} load=${l.load?.mnemonic} ${l.load?.operands}`);
  for (const ins of l.instructions) console.log(`   ${ins.fn}+${ins.offset} ${ins.mnemonic} ${ins.operands}`);
}
for (const s of r.spinners) console.log(`SP cpu=${s.cpu} pid=${s.pid} ${s.how} ${s.at} lock=${s.lockAddress?.toString(16)} name=${s.lockName}`);
