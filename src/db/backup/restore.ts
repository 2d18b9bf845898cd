import { stat } from 'node:fs/promises';
import { EJSON } from 'bson';
import type { Db, Document } from 'mongodb';
import { dataCollections, firstNonEmptyCollection } from './collections.js';
import { BackupError, type CollectionDefinition, type DumpHeader } from './format.js';
import { readDump, validateDump } from './read-dump.js';

export interface RestoreOptions {
  /** Drop the database's collections first; without it a database holding documents is refused. */
  drop: boolean;
}

export interface RestoreSummary {
  database: string;
  collections: number;
  documents: number;
  /** The size of the dump file. */
  bytes: number;
  /** Collections --drop removed before restoring. */
  dropped: number;
  seconds: number;
}

/** The server's own collections: never written by a restore, even if a dump listed one. */
const isSystemCollection = (name: string): boolean => name.startsWith('system.');

/** Documents per insert, and a ceiling in characters of Extended JSON, whichever comes first. */
const BATCH_DOCUMENTS = 1_000;
const BATCH_CHARS = 8 * 1024 * 1024;

async function ensureRestorable(db: Db, drop: boolean): Promise<void> {
  if (drop) return;
  const holding = await firstNonEmptyCollection(db);
  if (holding !== undefined) {
    throw new BackupError(
      `the database ${db.databaseName} already holds documents (in ${holding}): restore into an empty database, or add --drop to replace its contents`,
    );
  }
}

/** What listIndexes reports, as createIndexes takes it: the index version and namespace are the server's business. */
function indexToCreate(index: Document): Document {
  const { v: _version, ns: _namespace, background: _background, ...spec } = index;
  return spec;
}

/**
 * Collections and indexes before any document. Indexes first, because whatever the
 * target cannot build (an index type or collection option the embedded engine refuses,
 * coming from a real MongoDB) then fails before a single document is written, and the
 * unique indexes check every document as it goes in. The price is speed on a large real
 * MongoDB, where building an index once over loaded data is quicker than maintaining it
 * during the load; the embedded engine maintains its indexes per insert either way.
 */
async function createCollections(db: Db, collections: CollectionDefinition[], existing: Set<string>, created: string[]): Promise<void> {
  for (const collection of collections) {
    if (isSystemCollection(collection.name)) continue;
    if (!existing.has(collection.name)) {
      await db.command({ create: collection.name, ...collection.options });
      created.push(collection.name);
    }
    const indexes = collection.indexes.filter((index) => index.name !== '_id_').map(indexToCreate);
    if (indexes.length > 0) await db.command({ createIndexes: collection.name, indexes });
  }
}

/** Inserts the dump's documents in ordered batches; returns how many went in and how many were skipped. */
async function insertDocuments(db: Db, file: string, validated: DumpHeader, touched: Set<string>): Promise<{ inserted: number; skipped: number }> {
  let inserted = 0;
  let skipped = 0;
  let batch: Document[] = [];
  let batchChars = 0;
  let batchCollection = '';
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    touched.add(batchCollection);
    inserted += (await db.collection(batchCollection).insertMany(batch, { ordered: true })).insertedCount;
    batch = [];
    batchChars = 0;
  };
  for await (const item of readDump(file)) {
    if ('header' in item) {
      // The file was proved whole a moment ago; it must still be that file.
      if (EJSON.stringify(item.header, { relaxed: false }) !== EJSON.stringify(validated, { relaxed: false })) {
        throw new BackupError('the file changed while it was being restored');
      }
      continue;
    }
    if (isSystemCollection(item.collection)) {
      skipped += 1;
      continue;
    }
    if (item.collection !== batchCollection || batch.length >= BATCH_DOCUMENTS || batchChars >= BATCH_CHARS) await flush();
    batchCollection = item.collection;
    batch.push(item.document);
    batchChars += item.size;
  }
  await flush();
  return { inserted, skipped };
}

/** Puts the database back as it was before the writing began: empty, or as --drop left it. */
async function undoWrites(db: Db, created: string[], touched: Set<string>): Promise<void> {
  for (const name of created) await db.collection(name).drop();
  // Collections that were there, empty, before the restore: empty them again.
  for (const name of touched) if (!created.includes(name)) await db.collection(name).deleteMany({});
}

/**
 * Restores a dump into `db` (the database the connection names, whatever database the
 * dump came from).
 *
 * A bad file must change nothing, so the file is read twice: once to prove it whole
 * (header, every line, the trailer's counts, gzip's own checksum at the end) before
 * anything is written, then again to write. The alternative — loading into staging
 * collections and renaming them over the targets once the file proved complete — needs
 * twice the space while it runs, and renames that real MongoDB restricts (not across
 * databases, not on sharded collections); reading a local file twice costs only time.
 *
 * What can still fail while writing comes from the server (a refused option, a full
 * disk, a lost connection): then what this restore wrote is removed again, so the
 * target is left empty (its collections --drop removed do not come back).
 */
export async function restoreDatabase(db: Db, file: string, { drop }: RestoreOptions): Promise<RestoreSummary> {
  const started = performance.now();
  await ensureRestorable(db, drop); // before reading a large file for nothing
  const { header, trailer } = await validateDump(file);
  await ensureRestorable(db, drop); // again: someone may have written meanwhile

  const existingBefore = await dataCollections(db);
  if (drop) for (const { name } of existingBefore) await db.collection(name).drop();
  const existing = new Set(drop ? [] : existingBefore.map(({ name }) => name));

  const created: string[] = [];
  const touched = new Set<string>();
  let documents: { inserted: number; skipped: number };
  try {
    await createCollections(db, header.collections, existing, created);
    documents = await insertDocuments(db, file, header, touched);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const afterDrop = drop && existingBefore.length > 0 ? '; the collections --drop removed are gone' : '';
    try {
      await undoWrites(db, created, touched);
    } catch (undoError) {
      throw new BackupError(`${reason} (and removing what had been written failed too: ${(undoError as Error).message}; run it again with --drop)`);
    }
    throw new BackupError(`${reason} (what had been written was removed again${afterDrop})`);
  }
  if (documents.inserted + documents.skipped !== trailer.documents) {
    throw new BackupError(`the dump holds ${trailer.documents} documents but ${documents.inserted} went in`);
  }
  return {
    database: db.databaseName,
    collections: header.collections.filter((collection) => !isSystemCollection(collection.name)).length,
    documents: documents.inserted,
    bytes: (await stat(file)).size,
    dropped: drop ? existingBefore.length : 0,
    seconds: (performance.now() - started) / 1000,
  };
}
