import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
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
    const push = async (record: Buffer): Promise<void> => {
      chunk.push(record);
      chunkBytes += record.length;
      if (chunkBytes >= CHUNK_BYTES) await flush();
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
