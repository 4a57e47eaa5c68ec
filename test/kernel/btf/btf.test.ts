import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../../src/io/file-source.js';
import { Btf } from '../../../src/kernel/btf/btf.js';
import { Types } from '../../../src/kernel/btf/layout.js';
import { btfFromFile } from '../../../src/kernel/btf/locate.js';
import { fixture } from '../../helpers/shared.js';

const LAB_VMLINUX = '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64';
const LAB_MODULE = '/lib/modules/6.1.0-56-amd64/kernel/net/vmw_vsock/vsock_loopback.ko';
const HOST_BTF = '/sys/kernel/btf/vmlinux';

function labExcerpt(): Btf {
  return new Btf(gunzipSync(readFileSync(fixture('kernel', 'btf', 'lab-6.1.0-56-excerpt.btf.gz'))));
}

function hostExcerpt(): Btf {
  return new Btf(gunzipSync(readFileSync(fixture('kernel', 'btf', 'host-6.18-excerpt.btf.gz'))));
}

/** drgn 0.0.22's answers from the lab kernel's DWARF (lab-6.1.0-56-offsets.drgn.py). */
function drgnReference() {
  return readFileSync(fixture('kernel', 'btf', 'lab-6.1.0-56-offsets.drgn.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '));
}

function expectMatchesDrgn(types: Types) {
  let checked = 0;
  for (const f of drgnReference()) {
    if (f[0] === 'sizeof') {
      expect(types.sizeof(f[2]!), f.join(' ')).toBe(Number(f[3]));
    } else if (f[0] === 'offsetof' && f[4] !== 'ERR') {
      expect(types.member(f[2]!, f[3]!)?.offset, f.join(' ')).toBe(Number(f[4]));
    } else if (f[0] === 'enum') {
      expect(types.enumValue(f[1]!), f.join(' ')).toBe(BigInt(f[2]!));
    } else if (f[0] === 'bitfield') {
      const m = types.member(f[2]!, f[3]!);
      expect([m?.bitOffset, m?.bitSize], f.join(' ')).toEqual([Number(f[4]), Number(f[5])]);
    } else continue;
    checked++;
  }
  expect(checked).toBeGreaterThan(60);
}

describe('BTF of the lab kernel (6.1.0-56), excerpt in test/fixtures', () => {
  it('gives the offsets, sizes, bitfields and enum values drgn reads from DWARF', () => {
    expectMatchesDrgn(new Types(labExcerpt()));
  });

  it('answers layout feature tests (task_struct.__state since v5.14, thread_group before v6.7)', () => {
    const t = new Types(labExcerpt());
    expect(t.has('task_struct', '__state')).toBe(true);
    expect(t.has('task_struct', 'state')).toBe(false);
    expect(t.has('task_struct', 'thread_group')).toBe(true);
    expect(t.has('module', 'mem')).toBe(false);
    expect(t.member('task_struct', 'no_such_field')).toBeUndefined();
    expect(t.member('no_such_struct', 'x')).toBeUndefined();
  });

  it('resolves array elements in paths (module.name is char[56])', () => {
    const t = new Types(labExcerpt());
    const name = t.member('module', 'name')!;
    expect(t.spell(name.type)).toBe('char [56]');
    expect(t.member('module', 'name[3]')?.offset).toBe(name.offset + 3);
  });
});

describe('BTF kinds of a 6.18 kernel (host /sys/kernel/btf/vmlinux excerpt)', () => {
  const btf = hostExcerpt();
  const all = Array.from({ length: btf.typeCount - 1 }, (_, i) => btf.type(i + 1));

  it('decodes every kind the excerpt carries', () => {
    const kinds = new Set(all.map((t) => t.kind));
    for (const k of [
      'int',
      'ptr',
      'array',
      'struct',
      'union',
      'enum',
      'enum64',
      'fwd',
      'typedef',
      'volatile',
      'const',
      'restrict',
      'func',
      'func_proto',
      'var',
      'datasec',
      'float',
      'decl_tag',
      'type_tag',
    ]) {
      expect(kinds, k).toContain(k);
    }
  });

  it('reads enum64 values as the uapi header defines them (PERF_CONTEXT_MAX = (u64)-4095)', () => {
    const e = all.find((t) => t.kind === 'enum64' && t.name === 'perf_callchain_context');
    expect(e?.kind).toBe('enum64');
    if (e?.kind !== 'enum64') return;
    const value = (n: string) => e.values.find((v) => v.name === n)?.value;
    expect(value('PERF_CONTEXT_HV')).toBe(BigInt.asUintN(64, -32n));
    expect(value('PERF_CONTEXT_KERNEL')).toBe(BigInt.asUintN(64, -128n));
    expect(value('PERF_CONTEXT_MAX')).toBe(BigInt.asUintN(64, -4095n));
  });

  it('links a decl_tag to its func (bpf_kfunc on bpf_cpumask_create) and a type_tag to its pointer', () => {
    const tag = all.find((t) => t.kind === 'decl_tag');
    expect(tag?.kind === 'decl_tag' && tag.name).toBe('bpf_kfunc');
    if (tag?.kind !== 'decl_tag') return;
    expect(btf.type(tag.type)).toMatchObject({ kind: 'func', name: 'bpf_cpumask_create' });
    expect(tag.componentIdx).toBe(-1);
    const tt = all.find((t) => t.kind === 'type_tag');
    expect(tt?.name).toBe('address_space(1)');
  });

  it('lists the per-cpu datasec with sized, in-bounds vars', () => {
    const sec = all.find((t) => t.kind === 'datasec');
    if (sec?.kind !== 'datasec') throw new Error('no datasec');
    expect(sec.name).toBe('.data..percpu');
    expect(sec.vars.length).toBeGreaterThan(100);
    for (const v of sec.vars) {
      expect(btf.type(v.type).kind).toBe('var');
      expect(v.offset + v.size).toBeLessThanOrEqual(sec.size);
    }
  });

  it('finds members inside anonymous unions/structs and kind_flag bitfields', () => {
    const t = new Types(btf);
    // 6.18's task_struct: __state since 2f064a59a11f ("sched: Change task_struct::state", v5.14).
    expect(t.has('task_struct', '__state')).toBe(true);
    const bitfields = (
      btf.type(t.composite('task_struct')!) as { members: { bitSize: number }[] }
    ).members.filter((m) => m.bitSize > 0);
    expect(bitfields.length).toBeGreaterThan(5);
  });
});

describe.skipIf(!existsSync(LAB_VMLINUX))('BTF read from files', () => {
  it('reads the .BTF section of the lab vmlinux and agrees with drgn on every reference line', () => {
    const btf = btfFromFile(new FileSource(LAB_VMLINUX));
    expect(btf.typeCount).toBeGreaterThan(90_000);
    expectMatchesDrgn(new Types(btf));
  });

  it.skipIf(!existsSync(LAB_MODULE))(
    'reads a module .ko split BTF on top of vmlinux (vsock_loopback)',
    () => {
      const base = btfFromFile(new FileSource(LAB_VMLINUX));
      const mod = btfFromFile(new FileSource(LAB_MODULE), base);
      expect(mod.firstId).toBe(base.typeCount);
      expect(mod.typeCount).toBeGreaterThan(mod.firstId);
      for (let id = mod.firstId; id < mod.typeCount; id++) mod.type(id);
      const fn = mod.find('vsock_loopback_init');
      expect(fn).toBeGreaterThanOrEqual(mod.firstId);
      // Its types refer back into vmlinux's: the ids below firstId resolve through the base.
      expect(mod.find('task_struct')).toBe(base.find('task_struct'));
    },
  );
});

describe.skipIf(!existsSync(HOST_BTF))('BTF of the running kernel', () => {
  it('parses /sys/kernel/btf/vmlinux and materialises every type', () => {
    const btf = btfFromFile(new FileSource(HOST_BTF));
    for (let id = 1; id < btf.typeCount; id++) btf.type(id);
    const t = new Types(btf);
    expect(t.sizeof('list_head')).toBe(16);
    expect(t.member('list_head', 'prev')?.offset).toBe(8);
  });
});
