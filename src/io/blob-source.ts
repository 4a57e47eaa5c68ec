/**
 * A byte source over a browser `Blob`/`File`, read synchronously with `FileReaderSync`, which
 * browsers provide in Web Workers only: run the dump layer in a worker (docs/dump-api.md).
 */

import { KtriageError } from '../errors.js';
import { type ByteSource, checkRange } from './byte-source.js';

interface SyncReader {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}
type SyncReaderConstructor = new () => SyncReader;

export class BlobSource implements ByteSource {
  readonly size: number;
  private readonly reader: SyncReader;

  constructor(
    private readonly blob: Blob,
    readonly name = 'blob',
    readerClass: SyncReaderConstructor | undefined = (
      globalThis as { FileReaderSync?: SyncReaderConstructor }
    ).FileReaderSync,
  ) {
    if (!readerClass) {
      throw new KtriageError(
        'unsupported',
        `${name}: FileReaderSync is unavailable (read dumps from a Web Worker)`,
      );
    }
    this.reader = new readerClass();
    this.size = blob.size;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return new Uint8Array(this.reader.readAsArrayBuffer(this.blob.slice(offset, offset + length)));
  }
}
