/** The kernel log: one record per printk line, as read from a console capture or a dump. */

export interface CallerId {
  kind: 'task' | 'cpu';
  /** Thread id for `[T123]`, CPU number for `[C1]`. */
  id: number;
}

export interface LogRecord {
  /** Sequence number in the ring buffer, when read from a dump. */
  seq?: number;
  /** Seconds since boot (`[  123.456789]`). */
  time?: number;
  /** Wall-clock time when the line carries it (`dmesg -T`, syslog). ISO-8601 or verbatim. */
  wallTime?: string;
  /** printk level 0..7 (`<4>`). */
  level?: number;
  facility?: number;
  caller?: CallerId;
  /** Message text with all prefixes removed. */
  text: string;
  /** 1-based line number in the input text (absent for dump records). */
  line?: number;
  /** Structured key=value metadata (`SUBSYSTEM=`, `DEVICE=`), dev_info. */
  dict?: Record<string, string>;
  /** A continuation (KERN_CONT) joined to the previous record. */
  continuation?: boolean;
  /** Program of a syslog/journal line that is not the kernel's (`sshd`); absent for kernel lines. */
  source?: string;
}
