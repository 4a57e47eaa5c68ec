/**
 * Regenerates the BTF excerpts in test/fixtures/kernel/btf (run by hand, see test/fixtures/README.md):
 *   npx tsx test/kernel/btf/make-fixtures.ts /usr/lib/debug/boot/vmlinux-6.1.0-56-amd64.btf /sys/kernel/btf/vmlinux
 * The first argument is the raw .BTF section of the lab kernel's vmlinux (objcopy -O binary
 * --only-section=.BTF), the second the host kernel's /sys/kernel/btf/vmlinux.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Btf } from '../../../src/kernel/btf/btf.js';
import { fixture } from '../../helpers/shared.js';
import { encodeBtf, subsetBtf } from './encode.js';

const [labBtf, hostBtf] = process.argv.slice(2);
if (!labBtf || !hostBtf) throw new Error('usage: make-fixtures.ts LAB.btf HOST-BTF');

function cut(path: string, names: (string | number)[], out: string) {
  const btf = new Btf(readFileSync(path));
  const roots = names.map((n) => {
    if (typeof n === 'number') return n;
    const id = btf.idsNamed(n).find((i) => btf.type(i).kind !== 'fwd');
    if (id === undefined) throw new Error(`${n} not in ${path}`);
    return id;
  });
  const blob = encodeBtf(subsetBtf(btf, roots));
  writeFileSync(fixture('kernel', 'btf', out), gzipSync(blob, { level: 9 }));
  console.log(out, blob.length, 'bytes');
}

cut(
  labBtf,
  [
    'task_struct',
    'thread_info',
    'signal_struct',
    'mm_struct',
    'rq',
    'module',
    'mod_kallsyms',
    'list_head',
    'pid',
    'upid',
    'pid_type',
    'inactive_task_frame',
    'pt_regs',
    'mutex',
    'page',
    'kernel_symbol',
    'orc_entry',
    'printk_info',
    'prb_desc',
  ],
  'lab-6.1.0-56-excerpt.btf.gz',
);
// Host kernel 6.18: ids picked for kind coverage (this build's numbering): 63680 a decl_tag
// (`bpf_kfunc` on bpf_cpumask_create), 63501 a func_proto taking an `address_space(1)` type_tag
// pointer, 126585 the `.data..percpu` datasec with its vars, 3/17468/8201 a volatile, a restrict, a float.
cut(
  hostBtf,
  [
    'task_struct',
    'signal_struct',
    'mm_struct',
    'rq',
    'perf_callchain_context',
    'module',
    63680,
    63501,
    126585,
    3,
    17468,
    8201,
  ],
  'host-6.18-excerpt.btf.gz',
);
