import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSource } from '../../../src/io/file-source.js';
import { btfFromFile } from '../../../src/kernel/btf/locate.js';
import { STRUCT_ADDRESS, type StructValue } from '../../../src/kernel/btf/object.js';
import { KernelContext } from '../../../src/kernel/kernel-context.js';
import { ElfFile } from '../../../src/kernel/symbols/elf.js';
import { openKernelDump } from '../../../src/load/dump-open.js';
import { drgnTasks, labDumps } from '../helpers/lab.js';

const dumps = labDumps().slice(0, 3);
const LAB_VMLINUX = '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64';
const FW_CFG_KO = '/lib/modules/6.1.0-56-amd64/kernel/drivers/firmware/qemu_fw_cfg.ko';

describe.skipIf(dumps.length === 0)('BTF read from the dump itself', () => {
  const opened: { close(): void }[] = [];
  afterAll(() => {
    for (const d of opened) d.close();
  });

  for (const lab of dumps) {
    describe(lab.scenario, () => {
      const kd = openKernelDump(lab.vmcore);
      opened.push(kd);
      const ctx = new KernelContext(kd.kernel);

      it.skipIf(!existsSync(LAB_VMLINUX))("is byte-for-byte the vmlinux's .BTF section", () => {
        const elf = new ElfFile(new FileSource(LAB_VMLINUX));
        const section = elf.bytes(elf.section('.BTF')!);
        const start = ctx.symbols.address('__start_BTF')!;
        const inMemory = ctx.mem.read(start, Number(ctx.symbols.address('__stop_BTF')! - start))!;
        expect(Buffer.compare(Buffer.from(inMemory), Buffer.from(section))).toBe(0);
        expect(ctx.btf.typeCount).toBe(btfFromFile(new FileSource(LAB_VMLINUX)).typeCount);
      });

      it("reads every drgn task's pid, comm and tasks list through readStruct", () => {
        for (const d of drgnTasks(lab.dir)) {
          const t = ctx.typed.readStruct(d.task, 'task_struct')!;
          expect(t[STRUCT_ADDRESS]).toBe(d.task);
          expect(t.pid).toBe(d.pid);
          expect(t.comm).toBe(d.comm);
          // Nested structs decode lazily too: thread.sp lies inside the task's stack.
          const sp = (t.thread as StructValue).sp as bigint;
          const stack = t.stack as bigint;
          expect(sp > stack && sp < stack + 0x4000n, `${d.pid} sp`).toBe(true);
        }
        const init = ctx.typed.readStruct(ctx.symbols.address('init_task')!, 'task_struct')!;
        expect([init.pid, init.comm, (init.tasks as StructValue).next !== 0n]).toEqual([
          0,
          'swapper/0',
          true,
        ]);
      });

      it.skipIf(!existsSync(FW_CFG_KO))(
        "finds qemu_fw_cfg's BTF in memory, the same as its .ko file's",
        () => {
          const mod = ctx.symbols.loadedModules.find((m) => m.name === 'qemu_fw_cfg')!;
          const inMemory = ctx.moduleBtfs.get(mod.address)!;
          expect(inMemory).toBeDefined();
          const file = btfFromFile(new FileSource(FW_CFG_KO), ctx.btf);
          expect(inMemory.typeCount).toBe(file.typeCount);
          for (let id = inMemory.firstId; id < inMemory.typeCount; id++)
            expect(inMemory.type(id)).toEqual(file.type(id));
          expect(ctx.moduleTypes('qemu_fw_cfg')?.sizeof('fw_cfg_sysfs_entry')).toBeGreaterThan(0);
        },
      );
    });
  }
});
