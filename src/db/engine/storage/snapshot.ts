import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Doc } from './document.js';
import { syncDirectory } from './journal.js';
import { encodeRecord } from './records.js';

export interface CollectionImage {
  db: string;
  name: string;
  options: Doc;
  indexes: Doc[];
  docs: Doc[];
}

const CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Longest stretch of encoding before the snapshot lets commands run. It used to yield
 * only at each 4 MiB write, and encoding that much held every command for up to 160 ms:
 * quiz submits waited 150–260 ms whenever a snapshot fell in a benchmark's window.
 */
const SLICE_MS = 4;

/**
 * Writes the state of every collection as one file of journal records, ending with an
 * `end` record; it only takes its final name (atomically) once complete and synced,
 * so a crash mid-way leaves the previous snapshot and journals in charge.
 */
export async function writeSnapshot(path: string, generation: number, collections: CollectionImage[]): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    let sliceStarted = performance.now();
    const push = async (record: Buffer): Promise<void> => {
      chunk.push(record);
      chunkBytes += record.length;
      if (chunkBytes >= CHUNK_BYTES) await flush();
      if (performance.now() - sliceStarted >= SLICE_MS) {
        await nextTurn();
        sliceStarted = performance.now();
      }
    };
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      await file.write(Buffer.concat(chunk));
      chunk = [];
      chunkBytes = 0;
    };
    let docs = 0;
    await push(encodeRecord({ o: 'snap', v: 1, gen: generation }));
    for (const collection of collections) {
      await push(encodeRecord({ o: 'cc', db: collection.db, c: collection.name, opts: collection.options }));
      for (const spec of collection.indexes) {
        await push(encodeRecord({ o: 'ci', db: collection.db, c: collection.name, spec }));
      }
      for (const doc of collection.docs) {
        await push(encodeRecord({ o: 'p', db: collection.db, c: collection.name }, doc));
        docs += 1;
      }
    }
    await push(encodeRecord({ o: 'end', docs }));
    await flush();
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}
