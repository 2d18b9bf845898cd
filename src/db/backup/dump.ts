import { createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { MongoServerError, type Db, type Document } from 'mongodb';
import { dataCollections } from './collections.js';
import { BackupError, documentLine, headerLine, trailerLine, type CollectionDefinition, type DumpTrailer } from './format.js';

export interface DumpSummary {
  database: string;
  collections: number;
  documents: number;
  /** The size of the (compressed) file. */
  bytes: number;
  seconds: number;
}

/** Documents per getMore: large enough to keep round trips few, small enough to bound memory. */
const CURSOR_BATCH = 1_000;
/** Lines are handed to gzip in chunks of about this many characters rather than one by one. */
const CHUNK_CHARS = 256 * 1024;
const NAMESPACE_NOT_FOUND = 26;

/**
 * Reading options that keep each value's BSON type: without them the driver turns
 * Int32, Double and Long alike into JS numbers, and a restore could not tell them apart.
 */
const EXACT_TYPES = { promoteValues: false, promoteBuffers: false, promoteLongs: false, bsonRegExp: true } as const;

async function definitionsOf(db: Db): Promise<CollectionDefinition[]> {
  const definitions: CollectionDefinition[] = [];
  for (const { name, options } of await dataCollections(db)) {
    try {
      definitions.push({ name, options, indexes: await db.collection(name).listIndexes(EXACT_TYPES).toArray() });
    } catch (error) {
      // Dropped between listing and now: it is not part of this dump.
      if (error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND) continue;
      throw error;
    }
  }
  return definitions;
}

/** Flushes the directory entry of a renamed file, where the platform allows it. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the file itself is already synced.
  }
}

/**
 * Writes the database to `file`: header, documents collection by collection, trailer.
 * Everything goes to `file.partial` first, synced, and takes its name only when
 * complete, so a failed or interrupted dump never leaves a file that looks whole (and
 * an older dump of the same name is replaced only by a complete one).
 *
 * The documents stream from a cursor through gzip to the disk under backpressure
 * (`Readable.from` asks the generator for more only when gzip wants it), so memory
 * holds one cursor batch whatever the size of the database.
 */
export async function dumpDatabase(db: Db, file: string): Promise<DumpSummary> {
  const started = performance.now();
  const partial = `${file}.partial`;
  const createdAt = new Date();
  const definitions = await definitionsOf(db);
  const trailer: DumpTrailer = { collections: [], documents: 0 };

  async function* lines(): AsyncGenerator<string> {
    yield `${headerLine({ database: db.databaseName, createdAt, collections: definitions })}\n`;
    for (const { name } of definitions) {
      let documents = 0;
      let chunk = '';
      const cursor = db.collection(name).find<Document>({}, { ...EXACT_TYPES, batchSize: CURSOR_BATCH });
      for await (const document of cursor) {
        chunk += `${documentLine(name, document)}\n`;
        documents += 1;
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk.length > 0) yield chunk;
      trailer.collections.push({ name, documents });
      trailer.documents += documents;
    }
    yield `${trailerLine(trailer)}\n`;
  }

  try {
    // Owner-only: a dump holds personal data and password hashes.
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(partial, { mode: 0o600, flush: true }));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) throw new BackupError(`cannot write ${file}: ${code}`);
    throw error;
  }
  await syncDirectory(dirname(file));
  return {
    database: db.databaseName,
    collections: definitions.length,
    documents: trailer.documents,
    bytes: (await stat(file)).size,
    seconds: (performance.now() - started) / 1000,
  };
}
