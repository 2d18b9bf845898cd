import { EJSON, type Document } from 'bson';
import { z } from 'zod';

/**
 * The dump file, one JSON value a line (README.md beside this file):
 *
 *   line 1      the header: format, version, database, time, and each collection's
 *               name, options and indexes (options and indexes as canonical Extended JSON)
 *   lines 2…    one document each: {"c": collection, "d": canonical Extended JSON}
 *   last line   the trailer: how many documents each collection has in the file
 *
 * gzip'd as a whole. Canonical (not relaxed) Extended JSON because it keeps every BSON
 * type apart: an Int32 from a Double, a Long from either, Decimal128, Binary subtypes.
 */

export const DUMP_FORMAT = 'capacita-dump';
export const DUMP_VERSION = 1;

/** Anything wrong with a dump or a run, said in one line (the CLI prints it and exits 1). */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

export interface CollectionDefinition {
  name: string;
  /** As listCollections reports them (creation options: validator, collation…). */
  options: Document;
  /** As listIndexes reports them, `_id_` included. */
  indexes: Document[];
}

export interface DumpHeader {
  format: typeof DUMP_FORMAT;
  version: number;
  database: string;
  createdAt: Date;
  collections: CollectionDefinition[];
}

export interface DumpTrailer {
  collections: Array<{ name: string; documents: number }>;
  documents: number;
}

const canonical = (value: unknown): unknown => EJSON.serialize(value, { relaxed: false });
const fromCanonical = (value: unknown): Document => EJSON.deserialize(value as Document, { relaxed: false }) as Document;

export function headerLine(header: Omit<DumpHeader, 'format' | 'version'>): string {
  // Plain JSON around canonical parts: `zcat dump.gz | head -1 | jq` reads it as it is.
  return JSON.stringify({
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    database: header.database,
    createdAt: header.createdAt.toISOString(),
    collections: header.collections.map((collection) => ({
      name: collection.name,
      options: canonical(collection.options),
      indexes: canonical(collection.indexes),
    })),
  });
}

export function documentLine(collection: string, document: Document): string {
  return `{"c":${JSON.stringify(collection)},"d":${EJSON.stringify(document, { relaxed: false })}}`;
}

export function trailerLine(trailer: DumpTrailer): string {
  return JSON.stringify({ end: true, collections: trailer.collections, documents: trailer.documents });
}

const jsonObject = z.record(z.string(), z.unknown());

/** A header whose format we know: checked only after `format` and `version` are. */
const headerSchema = z.object({
  database: z.string(),
  createdAt: z.iso.datetime(),
  collections: z.array(
    z.object({
      name: z.string().min(1),
      options: jsonObject,
      indexes: z.array(z.object({ key: jsonObject, name: z.string().min(1) }).loose()),
    }),
  ),
});

const trailerSchema = z.object({
  end: z.literal(true),
  collections: z.array(z.object({ name: z.string(), documents: z.number().int().min(0) })),
  documents: z.number().int().min(0),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Line 1, or why it is not the header of a dump this version can read. */
export function parseHeader(text: string): DumpHeader {
  const value = parseJson(text);
  if (!isPlainObject(value) || value.format !== DUMP_FORMAT) {
    throw new BackupError('not a Capacita dump: its first line is not a dump header');
  }
  if (value.version !== DUMP_VERSION) {
    throw new BackupError(`unsupported dump version ${JSON.stringify(value.version)}: this Capacita reads version ${DUMP_VERSION}`);
  }
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) throw new BackupError(`corrupt dump header (line 1): ${parsed.error.issues[0]?.path.join('.') ?? ''} is invalid`);
  const names = parsed.data.collections.map((collection) => collection.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new BackupError(`corrupt dump header (line 1): collection ${repeated} is listed twice`);
  try {
    return {
      format: DUMP_FORMAT,
      version: DUMP_VERSION,
      database: parsed.data.database,
      createdAt: new Date(parsed.data.createdAt),
      collections: parsed.data.collections.map((collection) => ({
        name: collection.name,
        options: fromCanonical(collection.options),
        indexes: collection.indexes.map(fromCanonical),
      })),
    };
  } catch (error) {
    throw new BackupError(`corrupt dump header (line 1): ${error instanceof Error ? error.message : String(error)}`);
  }
}

export type BodyLine = { kind: 'document'; collection: string; document: Document } | { kind: 'trailer'; trailer: DumpTrailer };

/** A line after the header: a document or the trailer; anything else is corruption at that line. */
export function parseBodyLine(text: string, lineNumber: number): BodyLine {
  const corrupt = (why: string): BackupError => new BackupError(`corrupt dump: line ${lineNumber} ${why}`);
  if (text.startsWith('{"end":')) {
    const parsed = trailerSchema.safeParse(parseJson(text));
    if (!parsed.success) throw corrupt('is a damaged end marker');
    return { kind: 'trailer', trailer: { collections: parsed.data.collections, documents: parsed.data.documents } };
  }
  let value: unknown;
  try {
    value = EJSON.parse(text, { relaxed: false });
  } catch {
    throw corrupt('is not valid Extended JSON');
  }
  if (!isPlainObject(value) || typeof value.c !== 'string' || !isPlainObject(value.d) || Object.getPrototypeOf(value.d) !== Object.prototype) {
    throw corrupt('is not a document line');
  }
  return { kind: 'document', collection: value.c, document: value.d as Document };
}
