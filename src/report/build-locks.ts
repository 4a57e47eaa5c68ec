/** Report sections about waiting: the contended lock and its holder, deadlock cycles, spinners, stack groups. */

import type { Diagnosis, LockParty } from '../analyze/results.js';
import type { Crash } from '../model/index.js';
import { type Block, type Line, plain, type Section, span } from './document.js';
import { hex } from './format.js';

export function party(p: LockParty): string {
  const parts = [
    p.pid !== undefined ? `pid ${p.pid}` : undefined,
    p.comm ? `"${p.comm}"` : undefined,
    p.cpu !== undefined ? `CPU ${p.cpu}` : undefined,
    p.state ? `(${p.state})` : undefined,
  ].filter(Boolean);
  return parts.join(' ') || 'unknown';
}

export function lockSections(_crash: Crash, d: Diagnosis): Section[] {
  return [lockSection(d), spinnerSection(d), cpuSection(d), groupSection(d)];
}

/** Every CPU in one line each, when the input shows more than one. */
function cpuSection(d: Diagnosis): Section {
  const cpus = d.cpuActivity ?? [];
  const rows: Line[][] = cpus.map((c) => [
    plain(String(c.cpu)),
    plain(c.pid !== undefined ? String(c.pid) : '-'),
    plain(c.comm ?? '-'),
    [span(c.doing, c.doing === 'spinning' ? 'warn' : 'plain')],
    [span(c.at ?? '-', 'code')],
    c.interruptsOff === undefined
      ? plain('?')
      : [span(c.interruptsOff ? 'off' : 'on', c.interruptsOff ? 'warn' : 'plain')],
    plain(c.note ?? ''),
  ]);
  return {
    id: 'cpus',
    title: `CPUs (${cpus.length})`,
    // Rows that say nothing (a dump whose tasks could not be read) are not worth a table.
    blocks:
      cpus.length > 1 && cpus.some((c) => c.at !== undefined)
        ? [{ type: 'table', head: ['CPU', 'PID', 'COMM', 'DOING', 'AT', 'IRQS', 'ROLE'], rows }]
        : [],
  };
}

function lockSection(d: Diagnosis): Section {
  const blocks: Block[] = [];
  for (const lock of d.locks) {
    const rows: [string, Line][] = [];
    const addr = lock.address !== undefined ? ` at ${hex(lock.address)}` : '';
    rows.push([
      'Lock',
      [
        span(`${lock.description}${addr}`, 'bold'),
        span(`  (${lock.kind}, ${lock.confidence} confidence)`, 'dim'),
      ],
    ]);
    if (lock.waiters.length) {
      const cpus = lock.waiters.filter((w) => w.cpu !== undefined).map((w) => w.cpu);
      const shown = lock.waiters.slice(0, 8).map(party).join(', ');
      const more = lock.waiters.length > 8 ? `, … (${lock.waiters.length} in all)` : '';
      const unnamed = lock.unnamedWaiters
        ? `; and ${lock.unnamedWaiters} more stack${lock.unnamedWaiters > 1 ? 's' : ''} in the same loop whose task the input does not name`
        : '';
      const on = cpus.length ? ` on CPU${cpus.length > 1 ? 's' : ''} ${cpus.join(',')}` : '';
      rows.push(['Waiters', plain(`${lock.waiters.length}${on}: ${shown}${more}${unnamed}`)]);
    }
    if (lock.holder) {
      rows.push([
        'Likely holder',
        [span(party(lock.holder), 'crit'), span(`  (${lock.holder.confidence} confidence)`, 'dim')],
      ]);
      for (const why of lock.holder.reasoning) rows.push(['', plain(`· ${why}`)]);
    } else {
      rows.push(['Holder', [span('not identified', 'warn')]]);
    }
    for (const c of lock.candidates ?? [])
      rows.push(['Candidate', plain(`${party(c)} — ${c.reasons.join('; ')}`)]);
    for (const why of lock.reasoning) rows.push(['Why', plain(why)]);
    blocks.push({ type: 'fields', rows });
  }
  for (const cycle of d.cycles) {
    const items: Line[] = cycle.edges.map((e) => [
      span(party(e.party), 'bold'),
      span(` holds ${e.holds}, waits for ${e.waitsFor}`),
    ]);
    blocks.push({
      type: 'para',
      line: [span(cycle.kind === 'ab-ba' ? 'AB-BA deadlock:' : 'Deadlock cycle:', 'crit')],
    });
    blocks.push({ type: 'list', items });
  }
  return { id: 'locks', title: 'Lock and holder', blocks };
}

function spinnerSection(d: Diagnosis): Section {
  // Stacks known only from grep output have no owner: identical anonymous rows collapse into one.
  const rows: Line[][] = [];
  const counts: number[] = [];
  const seen = new Map<string, number>();
  for (const s of d.spinners) {
    const row: Line[] = [
      plain(s.cpu !== undefined ? String(s.cpu) : '-'),
      plain(s.pid !== undefined ? String(s.pid) : '-'),
      plain(s.comm ?? '-'),
      [span(s.at, 'code')],
      plain(s.how),
      plain(s.lockAddress !== undefined ? hex(s.lockAddress) : (s.lockName ?? '-')),
      s.interruptsDisabled === undefined
        ? plain('?')
        : [span(s.interruptsDisabled ? 'off' : 'on', s.interruptsDisabled ? 'warn' : 'plain')],
    ];
    const anonymous = s.cpu === undefined && s.pid === undefined;
    const key = row.map((cell) => cell.map((x) => x.text).join('')).join('\t');
    const index = anonymous ? seen.get(key) : undefined;
    if (index !== undefined) {
      counts[index]!++;
      continue;
    }
    if (anonymous) seen.set(key, rows.length);
    rows.push(row);
    counts.push(1);
  }
  const grouped = counts.some((c) => c > 1);
  const table = grouped ? rows.map((r, i) => [plain(`${counts[i]}×`), ...r]) : rows;
  const head = ['CPU', 'PID', 'COMM', 'AT', 'WAIT', 'LOCK', 'IRQS'];
  return {
    id: 'spinners',
    title: `Spinning (${d.spinners.length})`,
    blocks: rows.length ? [{ type: 'table', head: grouped ? ['N', ...head] : head, rows: table }] : [],
  };
}

/** Background groups (sleeping tasks, idle CPUs) are listed one by one only when few. */
const MAX_BACKGROUND_LISTED = 3;

function groupSection(d: Diagnosis): Section {
  const blocks: Block[] = [];
  const background = d.stackGroups.filter((g) => g.background);
  const collapse = background.length > MAX_BACKGROUND_LISTED;
  const listed = collapse ? d.stackGroups.filter((g) => !g.background) : d.stackGroups;
  for (const g of listed.slice(0, 12)) {
    const comms = g.comms
      .slice(0, 4)
      .map((c) => `${c.comm} ×${c.count}`)
      .join(', ');
    const source = g.countSource === 'shell-count' ? ' (count from the transcript’s grep | wc -l)' : '';
    blocks.push({
      type: 'para',
      line: [
        span(`${g.count} × `, 'bold'),
        span(g.top, 'code'),
        span(`${comms ? `  — ${comms}` : ''}${source}`, 'dim'),
      ],
    });
    blocks.push({
      type: 'code',
      lines: [plain(`  ${g.functions.slice(0, 12).join(' ← ')}${g.functions.length > 12 ? ' ← …' : ''}`)],
    });
  }
  if (collapse) {
    for (const kind of ['sleeping', 'idle'] as const) {
      const list = background.filter((g) => g.background === kind);
      if (!list.length) continue;
      const tasks = list.reduce((n, g) => n + g.count, 0);
      const byPlace = new Map<string, number>();
      for (const g of list) {
        const place = g.waitsIn ?? g.functions[0] ?? '?';
        byPlace.set(place, (byPlace.get(place) ?? 0) + g.count);
      }
      const places = [...byPlace].sort((a, b) => b[1] - a[1]);
      const where = places
        .slice(0, 8)
        .map(([place, n]) => `${place} ×${n}`)
        .join(', ');
      const what = kind === 'sleeping' ? 'tasks asleep in the scheduler' : 'idle CPUs';
      blocks.push({
        type: 'para',
        line: [
          span(`${tasks} × `, 'bold'),
          span(
            `${what} in ${list.length} group${list.length > 1 ? 's' : ''}: ${where}${places.length > 8 ? ', …' : ''}`,
            'dim',
          ),
        ],
      });
    }
  }
  return { id: 'groups', title: 'Stack groups', blocks };
}
