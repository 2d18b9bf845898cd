import { randomInt } from 'node:crypto';
import { BSON, Long } from 'bson';
import { CommandError } from '../errors.js';
import type { Doc } from '../storage/document.js';
import { collectionNameOf, type CommandHandler } from './context.js';

/** A reply's documents stay under MongoDB's 16 MiB document limit with room to spare. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
const DEFAULT_FIRST_BATCH = 101;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  namespace: string;
  docs: Doc[];
  position: number;
  lastUsed: number;
}

export interface CursorReply {
  cursor: { id: Long; ns: string; firstBatch?: Doc[]; nextBatch?: Doc[] };
  ok: 1;
}

/**
 * Open cursors. Results are materialised when the query runs (the documents are
 * immutable, so this is a consistent view); getMore hands them out in batches.
 */
export class CursorRegistry {
  private readonly cursors = new Map<string, OpenCursor>();

  get size(): number {
    return this.cursors.size;
  }

  /** The first batch of a result, keeping the rest behind a cursor if there is more. */
  firstBatch(namespace: string, docs: Doc[], options: { batchSize?: unknown; singleBatch?: unknown } = {}): CursorReply {
    const requested = typeof options.batchSize === 'number' && options.batchSize >= 0 ? options.batchSize : DEFAULT_FIRST_BATCH;
    const end = batchEnd(docs, 0, requested);
    const batch = docs.slice(0, end);
    if (end >= docs.length || options.singleBatch === true) {
      return { cursor: { firstBatch: batch, id: Long.ZERO, ns: namespace }, ok: 1 };
    }
    const id = Long.fromNumber(randomInt(1, 2 ** 47));
    this.cursors.set(id.toString(), { namespace, docs, position: end, lastUsed: Date.now() });
    return { cursor: { firstBatch: batch, id, ns: namespace }, ok: 1 };
  }

  getMore(id: Long | number, namespace: string, batchSize: unknown): CursorReply {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${key} not found`);
    if (cursor.namespace !== namespace) {
      throw new CommandError('BadValue', `Requested getMore on namespace '${namespace}', but cursor belongs to '${cursor.namespace}'`);
    }
    const requested = typeof batchSize === 'number' && batchSize > 0 ? batchSize : Number.POSITIVE_INFINITY;
    const end = batchEnd(cursor.docs, cursor.position, requested);
    const batch = cursor.docs.slice(cursor.position, end);
    cursor.position = end;
    cursor.lastUsed = Date.now();
    const isExhausted = end >= cursor.docs.length;
    if (isExhausted) this.cursors.delete(key);
    return { cursor: { nextBatch: batch, id: isExhausted ? Long.ZERO : Long.fromString(key), ns: namespace }, ok: 1 };
  }

  kill(ids: unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const long = typeof id === 'number' ? Long.fromNumber(id) : (id as Long);
      (this.cursors.delete(long.toString()) ? killed : notFound).push(long);
    }
    return { killed, notFound };
  }

  /** Closes cursors nobody has asked for in ten minutes, as mongod does. */
  sweep(now = Date.now()): void {
    for (const [key, cursor] of this.cursors) if (now - cursor.lastUsed > IDLE_TIMEOUT_MS) this.cursors.delete(key);
  }
}

/** A result document can only be sent if it fits in one BSON document (a $group can build bigger ones). */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

function batchEnd(docs: Doc[], start: number, count: number): number {
  const limit = Math.min(docs.length, start + count);
  let bytes = 0;
  for (let i = start; i < limit; i += 1) {
    const size = BSON.calculateObjectSize(docs[i] as Doc);
    if (size > MAX_DOCUMENT_BYTES) {
      throw new CommandError('BSONObjectTooLarge', `BSONObj size: ${size} is invalid. Size must be between 0 and ${MAX_DOCUMENT_BYTES}(16MB)`);
    }
    bytes += size;
    if (bytes > MAX_BATCH_BYTES && i > start) return i;
  }
  return limit;
}

export const getMore: CommandHandler = (command, db, { cursors }) => {
  const collection = typeof command.collection === 'string' ? command.collection : '';
  const id = command.getMore;
  if (!(id instanceof Long) && typeof id !== 'number') throw new CommandError('TypeMismatch', 'getMore cursor id must be a long');
  return cursors.getMore(id, `${db}.${collection}`, command.batchSize) as unknown as Doc;
};

export const killCursors: CommandHandler = (command, _db, { cursors }) => {
  collectionNameOf(command, 'killCursors');
  const ids = Array.isArray(command.cursors) ? command.cursors : [];
  const { killed, notFound } = cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};
