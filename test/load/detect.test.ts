import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sniff } from '../../src/load/detect.js';
import { fixture } from '../helpers/shared.js';

const head = (path: string) => new Uint8Array(readFileSync(path).subarray(0, 65536));

describe('sniff', () => {
  it('reads real logs and transcripts as text', () => {
    expect(sniff(head(fixture('lab', 'mutex-hung', 'vmcore-dmesg.txt'))).kind).toBe('text');
    expect(sniff(head(fixture('lab', 'mutex-hung', 'console.log'))).kind).toBe('text');
    expect(sniff(head(fixture('seed', 'hardlockup-put_compound_page.zh.txt'))).kind).toBe('text');
  });

  it('recognises a gzip wrapper (the lab System.map.gz)', () => {
    expect(sniff(head(fixture('lab', 'kernel', 'System.map-6.1.0-56-amd64.gz')))).toEqual({
      kind: 'compressed',
      method: 'gzip',
    });
  });

  it('recognises dump signatures from their first bytes', () => {
    const enc = (s: string) => new TextEncoder().encode(s.padEnd(64, '\0'));
    expect(sniff(enc('KDUMP   '))).toEqual({ kind: 'kdump', signature: 'KDUMP   ' });
    expect(sniff(enc('DISKDUMP'))).toEqual({ kind: 'kdump', signature: 'DISKDUMP' });
    expect(sniff(enc('makedumpfile'))).toEqual({ kind: 'flattened' });
    expect(sniff(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1))).toEqual({ kind: 'elf', elfClass: 64 });
    expect(sniff(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1, 1, 1))).toEqual({ kind: 'elf', elfClass: 32 });
  });

  it('calls an empty input empty and random bytes binary', () => {
    expect(sniff(new Uint8Array())).toEqual({ kind: 'empty' });
    const garbage = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    expect(sniff(garbage).kind).toBe('binary');
  });

  it('never throws on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expect(typeof sniff(bytes).kind).toBe('string');
      }),
    );
  });
});
