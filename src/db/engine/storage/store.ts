import { existsSync, mkdirSync, readdirSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BSON } from 'bson';
import { CommandError } from '../errors.js';
import { Collection } from './collection.js';
import type { Doc } from './document.js';
import type { IndexSpec } from './index-tree.js';
import { Journal } from './journal.js';
import { acquireLock, releaseLock } from './lock.js';
import { encodeRecord, readRecords, type DecodedRecord } from './records.js';
import { writeSnapshot } from './snapshot.js';

export interface StoreOptions {
  dbpath: string;
  /** Journal size that triggers a snapshot and compaction (default 64 MiB). */
  snapshotThresholdBytes?: number;
  log?: (message: string) => void;
}

/** MongoDB's document size limit (maxBsonObjectSize in hello). */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

const JOURNAL_PATTERN = /^journal\.(\d{8})\.log$/;
const SNAPSHOT_PATTERN = /^snapshot\.(\d{8})\.bson$/;

const journalName = (generation: number): string => `journal.${String(generation).padStart(8, '0')}.log`;
export const snapshotName = (generation: number): string => `snapshot.${String(generation).padStart(8, '0')}.bson`;

/**
 * All databases in memory, made durable by the journal.
 *
 * Generation g means: snapshot g holds the state at the moment journal g was started.
 * Recovery loads the newest complete snapshot and replays the journals from its
 * generation on. Every public write changes memory synchronously (or throws having
 * changed nothing) and appends its journal records; callers then `await sync()` before
 * acknowledging.
 */
export class Store {
  private readonly databases = new Map<string, Map<string, Collection>>();
  private journal!: Journal;
  private generation = 0;
  private snapshotting: Promise<void> | undefined;
  private readonly snapshotThresholdBytes: number;
  private readonly log: (message: string) => void;

  private constructor(readonly options: StoreOptions) {
    this.snapshotThresholdBytes = options.snapshotThresholdBytes ?? 64 * 1024 * 1024;
    this.log = options.log ?? (() => undefined);
  }

  static open(options: StoreOptions): Store {
    mkdirSync(options.dbpath, { recursive: true, mode: 0o700 });
    acquireLock(options.dbpath);
    const store = new Store(options);
    try {
      store.recover();
    } catch (error) {
      releaseLock(options.dbpath);
      throw error;
    }
    return store;
  }

  // ---- reading ------------------------------------------------------------------

  getCollection(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  collectionsOf(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  get journalFailure(): Error | undefined {
    return this.journal.failed;
  }

  // ---- writing ------------------------------------------------------------------

  /** The collection, created (and journaled) on first use as MongoDB does on insert. */
  ensureCollection(db: string, name: string): Collection {
    return this.getCollection(db, name) ?? this.createCollection(db, name, {});
  }

  createCollection(db: string, name: string, options: Doc): Collection {
    validateNamespace(db, name);
    if (this.getCollection(db, name)) {
      throw new CommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    }
    const collection = this.applyCreateCollection(db, name, options);
    this.journal.append({ o: 'cc', db, c: name, opts: options });
    return collection;
  }

  dropCollection(db: string, name: string): boolean {
    if (!this.getCollection(db, name)) return false;
    this.databases.get(db)?.delete(name);
    this.journal.append({ o: 'dc', db, c: name });
    return true;
  }

  dropDatabase(db: string): void {
    if (!this.databases.delete(db)) return;
    this.journal.append({ o: 'dd', db });
  }

  renameCollection(from: Collection, toDb: string, toName: string): void {
    validateNamespace(toDb, toName);
    // applyRename gives `from` its new name: the record must take the old one first,
    // or replay meets "rename toDb.toName to itself" and the data cannot be opened.
    const record = { o: 'rn', db: from.db, c: from.name, toDb, toC: toName } as const;
    this.applyRename(from.db, from.name, toDb, toName);
    this.journal.append(record);
  }

  insert(collection: Collection, doc: Doc): void {
    const record = this.putRecord(collection, doc);
    collection.insert(doc);
    this.journal.appendEncoded(record);
  }

  replace(collection: Collection, oldDoc: Doc, newDoc: Doc): void {
    const record = this.putRecord(collection, newDoc);
    collection.replace(oldDoc, newDoc);
    this.journal.appendEncoded(record);
  }

  /**
   * The journal record storing `doc`, made before memory changes: a document over
   * MongoDB's 16 MiB limit (an update can grow one past it) is refused here, where
   * refusing changes nothing, rather than failing to serialise after the change.
   */
  private putRecord(collection: Collection, doc: Doc): Buffer {
    const size = BSON.calculateObjectSize(doc);
    if (size > MAX_DOCUMENT_BYTES) {
      throw new CommandError('BSONObjectTooLarge', `document of ${size} bytes exceeds the maximum of ${MAX_DOCUMENT_BYTES} bytes`);
    }
    if (this.journal.failed) throw this.journal.failed;
    return encodeRecord({ o: 'p', db: collection.db, c: collection.name }, doc);
  }

  remove(collection: Collection, doc: Doc): void {
    if (collection.remove(doc)) this.journal.append({ o: 'd', db: collection.db, c: collection.name, id: doc._id });
  }

  createIndex(collection: Collection, spec: IndexSpec): 'created' | 'exists' {
    const result = collection.createIndex(spec);
    if (result === 'created') this.journal.append({ o: 'ci', db: collection.db, c: collection.name, spec });
    return result;
  }

  dropIndex(collection: Collection, name: string): void {
    collection.dropIndex(name);
    this.journal.append({ o: 'di', db: collection.db, c: collection.name, name });
  }

  /** Resolves when every change made so far is durable; may start a snapshot. */
  async sync(): Promise<void> {
    await this.journal.sync();
    if (this.journal.bytes >= this.snapshotThresholdBytes && !this.snapshotting) {
      this.snapshotting = this.snapshot()
        .catch((error: unknown) => this.log(`snapshot failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.snapshotting = undefined;
        });
    }
  }

  /**
   * Starts a new generation: the journal moves to a new file and the state at that
   * instant is written as a snapshot in the background. Stored documents are never
   * changed in place, so holding references to them is a consistent picture.
   */
  async snapshot(): Promise<void> {
    const generation = this.generation + 1;
    this.journal.rotate(join(this.options.dbpath, journalName(generation)));
    this.generation = generation;
    const collections = [...this.databases.values()].flatMap((collections) =>
      [...collections.values()].map((collection) => ({
        db: collection.db,
        name: collection.name,
        options: collection.options,
        indexes: collection.secondaryIndexSpecs() as Doc[],
        docs: [...collection.docs.values()],
      })),
    );
    await this.journal.sync();
    await writeSnapshot(join(this.options.dbpath, snapshotName(generation)), generation, collections);
    this.removeFilesBefore(generation);
    this.log(`snapshot ${generation} written`);
  }

  async close(): Promise<void> {
    await this.snapshotting;
    await this.journal.close();
    releaseLock(this.options.dbpath);
  }

  // ---- recovery -----------------------------------------------------------------

  private recover(): void {
    const dbpath = this.options.dbpath;
    const files = readdirSync(dbpath);
    for (const file of files) if (file.endsWith('.tmp')) unlinkSync(join(dbpath, file));
    const generationsOf = (pattern: RegExp): number[] =>
      files.flatMap((file) => {
        const match = pattern.exec(file);
        return match ? [Number(match[1])] : [];
      }).sort((a, b) => a - b);

    const snapshots = generationsOf(SNAPSHOT_PATTERN);
    const base = snapshots.at(-1) ?? 0;
    if (snapshots.length > 0) this.loadSnapshot(join(dbpath, snapshotName(base)));
    const journals = generationsOf(JOURNAL_PATTERN).filter((generation) => generation >= base);
    for (const generation of journals) {
      const path = join(dbpath, journalName(generation));
      const result = readRecords(path, (record) => this.applyRecord(record));
      if (result.tornTail) {
        const isLast = generation === journals.at(-1);
        this.log(`journal ${journalName(generation)}: ignoring a torn tail after ${result.validBytes} bytes (${result.tornTail})`);
        if (!isLast) throw new Error(`journal ${journalName(generation)} is damaged before its end; refusing to start`);
        truncateSync(path, result.validBytes);
      }
    }
    this.generation = Math.max(base, journals.at(-1) ?? base);
    this.removeFilesBefore(base);
    const current = join(dbpath, journalName(this.generation));
    this.journal = new Journal(current, existsSync(current) ? statSync(current).size : 0);
  }

  private loadSnapshot(path: string): void {
    let complete = false;
    const result = readRecords(path, (record) => {
      if (record.op.o === 'end') complete = true;
      else if (record.op.o !== 'snap') this.applyRecord(record);
    });
    if (!complete || result.tornTail) {
      throw new Error(`snapshot ${path} is incomplete or damaged; refusing to start`);
    }
  }

  /** Deletes the snapshots and journals that generation `generation` has made obsolete. */
  private removeFilesBefore(generation: number): void {
    for (const file of readdirSync(this.options.dbpath)) {
      const match = JOURNAL_PATTERN.exec(file) ?? SNAPSHOT_PATTERN.exec(file);
      if (match && Number(match[1]) < generation) {
        unlinkSync(join(this.options.dbpath, file));
      }
    }
  }

  private applyRecord({ op, doc }: DecodedRecord): void {
    switch (op.o) {
      case 'cc':
        if (!this.getCollection(op.db, op.c)) this.applyCreateCollection(op.db, op.c, op.opts);
        break;
      case 'dc':
        this.databases.get(op.db)?.delete(op.c);
        break;
      case 'dd':
        this.databases.delete(op.db);
        break;
      case 'rn':
        this.applyRename(op.db, op.c, op.toDb, op.toC);
        break;
      case 'ci':
        this.requireCollection(op.db, op.c).createIndex(op.spec as IndexSpec);
        break;
      case 'di':
        this.requireCollection(op.db, op.c).dropIndex(op.name);
        break;
      case 'p':
        if (!doc) throw new Error('journal put record without a document');
        this.requireCollection(op.db, op.c).put(doc);
        break;
      case 'd':
        this.requireCollection(op.db, op.c).removeById(op.id);
        break;
      default:
        throw new Error(`unknown journal record ${JSON.stringify(op)}`);
    }
  }

  private requireCollection(db: string, name: string): Collection {
    return this.getCollection(db, name) ?? this.applyCreateCollection(db, name, {});
  }

  private applyCreateCollection(db: string, name: string, options: Doc): Collection {
    let collections = this.databases.get(db);
    if (!collections) {
      collections = new Map();
      this.databases.set(db, collections);
    }
    const collection = new Collection(db, name, options);
    collections.set(name, collection);
    return collection;
  }

  private applyRename(db: string, name: string, toDb: string, toName: string): void {
    const collection = this.getCollection(db, name);
    if (!collection) throw new CommandError('NamespaceNotFound', `source namespace ${db}.${name} does not exist`);
    this.databases.get(db)?.delete(name);
    this.databases.get(toDb)?.delete(toName);
    let target = this.databases.get(toDb);
    if (!target) {
      target = new Map();
      this.databases.set(toDb, target);
    }
    collection.db = toDb;
    collection.name = toName;
    target.set(toName, collection);
  }
}

export function validateNamespace(db: string, name: string): void {
  if (db.length === 0 || /[/\\. "$\0]/.test(db) || db.length > 64) {
    throw new CommandError('InvalidNamespace', `Invalid database name: '${db}'`);
  }
  if (name.length === 0 || name.includes('\0') || name.startsWith('.') || (name.includes('$') && !name.startsWith('system.'))) {
    throw new CommandError('InvalidNamespace', `Invalid collection name: '${name}'`);
  }
}
