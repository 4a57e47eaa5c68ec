/**
 * What a bare `Kernel panic - not syncing: …` message means when no report before it explains the
 * panic: the messages of panic() call sites in kernel/ and init/ that end machines in fleets.
 */

const MESSAGES: [RegExp, (m: RegExpExecArray, sysrqWriter: string | undefined) => string][] = [
  [
    /^sysrq triggered crash/,
    (_, task) =>
      `Deliberate crash: someone (a person, a test of kdump, or a watchdog/HA agent) wrote "c" to /proc/sysrq-trigger or pressed SysRq-C. Nothing failed in the kernel.${task ? ` It ran in the context of the task that wrote it: ${task}.` : ' Look for who triggered it.'}`,
  ],
  [
    /^Attempted to kill init! exitcode=(0x[0-9a-f]+)/,
    (m) =>
      `PID 1 (init) exited or was killed (exit code ${m[1]}): the kernel cannot run without it. Look at init's last messages and at what killed it (a segfault, the OOM killer, a missing library after an upgrade).`,
  ],
  [
    /^VFS: Unable to mount root fs/,
    () =>
      'The root filesystem could not be mounted at boot: wrong root= parameter, a missing storage or filesystem driver in the initramfs, or a damaged disk.',
  ],
  [
    /^No working init found/,
    () => 'No init program could be executed: the root filesystem lacks /sbin/init, or init= points nowhere.',
  ],
  [
    /^Fatal exception( in interrupt)?/,
    (m) =>
      `An oops ${m[1] ? 'in interrupt context ' : ''}was fatal (panic_on_oops, or it happened where the kernel cannot kill just the task): the report before this panic is the cause.`,
  ],
  [
    /^Fatal (?:local )?machine check|^Machine check/i,
    () =>
      'A machine check: the hardware (CPU, memory, bus) reported an uncorrectable error. Check the MCE records and the hardware logs (BMC/IPMI SEL).',
  ],
  [
    /^NMI: Not continuing|^NMI IOCK error|^NMI: PCI system error/,
    () =>
      'An NMI reported a hardware error (IOCK/SERR: a PCI device or the platform) with panic_on_io_nmi or unknown_nmi_panic set.',
  ],
  [
    /^corrupted stack end detected inside scheduler/,
    () =>
      'A task overflowed its kernel stack (the canary at the end was overwritten): look for deep recursion or large on-stack buffers in its stack.',
  ],
  [
    /^stack-protector: Kernel stack is corrupted in: (.*)$/,
    (m) =>
      `A stack buffer overflow in ${m[1]!.trim()}: a local array was written past its end (stack protector canary).`,
  ],
];

/** `sysrqWriter`: `pid 1 "init"`, the task whose write to /proc/sysrq-trigger crashed the machine. */
export function explainPanicMessage(message: string | undefined, sysrqWriter?: string): string | undefined {
  if (!message) return undefined;
  for (const [pattern, explain] of MESSAGES) {
    const m = pattern.exec(message.replace(/^\s*Kernel panic - not syncing:\s*/, '').trim());
    if (m) return explain(m, sysrqWriter);
  }
  return undefined;
}
