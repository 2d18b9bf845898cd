import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Document } from 'bson';
import { BackupError, parseBodyLine, parseHeader, type DumpHeader, type DumpTrailer } from './format.js';

/**
 * Reads a dump line by line, checking everything a file can get wrong, so that the
 * validating pass and the writing pass of a restore share one definition of "a good
 * dump". Memory stays bounded by the longest line, itself bounded below.
 */

/** Far above any document (16 MiB of BSON is at most a few times that as Extended JSON). */
const MAX_LINE_CHARS = 256 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

export interface DumpDocument {
  collection: string;
  document: Document;
  /** The line's length: enough to keep insert batches to a sensible size in bytes. */
  size: number;
}

async function isGzip(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new BackupError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** A zlib failure in words: a gzip stream cut short is a truncated dump, anything else damage. */
function compressedDataError(error: NodeJS.ErrnoException): BackupError {
  if (error.code === 'Z_BUF_ERROR') return new BackupError('truncated dump: the compressed data ends before its end (the file was cut short)');
  return new BackupError(`corrupt dump: the compressed data is damaged (${error.message})`);
}

/** The file's lines, numbered from 1, gunzipped when the file is gzip (a plain, gunzipped dump reads too). */
async function* numberedLines(file: string): AsyncGenerator<{ text: string; number: number }> {
  const compressed = await isGzip(file);
  const source = createReadStream(file);
  let input: NodeJS.ReadableStream & { destroy(error?: Error): void } = source;
  if (compressed) {
    const gunzip = createGunzip();
    source.on('error', (error) => gunzip.destroy(error));
    input = source.pipe(gunzip);
  }
  const decoder = new StringDecoder('utf8');
  // The start of a line still waiting for its newline, in pieces: joined once, when it
  // ends, so a long line arriving in many chunks is neither rescanned nor recopied.
  let pieces: string[] = [];
  let piecesLength = 0;
  let number = 0;
  try {
    for await (const chunk of input) {
      const text = decoder.write(chunk as Buffer);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        number += 1;
        const tail = text.slice(start, end);
        const line = pieces.length === 0 ? tail : pieces.join('') + tail;
        pieces = [];
        piecesLength = 0;
        start = end + 1;
        yield { text: line, number };
      }
      if (start < text.length) {
        pieces.push(text.slice(start));
        piecesLength += text.length - start;
      }
      if (piecesLength > MAX_LINE_CHARS) throw new BackupError(`corrupt dump: line ${number + 1} is longer than any document can be`);
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) throw compressedDataError(error as NodeJS.ErrnoException);
    throw new BackupError(`cannot read ${file}: ${(error as Error).message}`);
  } finally {
    source.destroy();
  }
  const rest = pieces.join('') + decoder.end();
  if (rest.length > 0) yield { text: rest, number: number + 1 };
}

/**
 * The header, then every document, of a dump proven whole: the trailer must come last
 * and agree with what was read, or this throws (after the documents before the fault
 * have been yielded — a caller that writes must be able to undo them).
 */
export async function* readDump(file: string): AsyncGenerator<{ header: DumpHeader } | DumpDocument, DumpTrailer> {
  let header: DumpHeader | undefined;
  let trailer: DumpTrailer | undefined;
  const counts = new Map<string, number>();
  let lastLine = 0;
  for await (const line of numberedLines(file)) {
    lastLine = line.number;
    if (line.text.trim() === '') continue;
    if (!header) {
      header = parseHeader(line.text);
      for (const collection of header.collections) counts.set(collection.name, 0);
      yield { header };
      continue;
    }
    if (trailer) throw new BackupError(`corrupt dump: line ${line.number} comes after the end marker`);
    const body = parseBodyLine(line.text, line.number);
    if (body.kind === 'trailer') {
      trailer = body.trailer;
      continue;
    }
    const count = counts.get(body.collection);
    if (count === undefined) throw new BackupError(`corrupt dump: line ${line.number} belongs to collection ${body.collection}, which the header does not list`);
    counts.set(body.collection, count + 1);
    yield { collection: body.collection, document: body.document, size: line.text.length };
  }
  if (!header) throw new BackupError('not a Capacita dump: the file is empty');
  if (!trailer) {
    throw new BackupError(`truncated dump: the file ends at line ${lastLine} without its end marker (it was cut short, or the dump did not finish)`);
  }
  const expected = new Map(trailer.collections.map((collection) => [collection.name, collection.documents]));
  const read = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const mismatch = [...new Set([...counts.keys(), ...expected.keys()])].find((name) => counts.get(name) !== expected.get(name));
  if (mismatch !== undefined || read !== trailer.documents) {
    const which = mismatch === undefined ? 'in all' : `in ${mismatch}`;
    const had = mismatch === undefined ? read : (counts.get(mismatch) ?? 0);
    const says = mismatch === undefined ? trailer.documents : (expected.get(mismatch) ?? 0);
    throw new BackupError(`corrupt dump: the end marker counts ${says} documents ${which} but the file holds ${had}`);
  }
  return trailer;
}

export interface DumpContents {
  header: DumpHeader;
  trailer: DumpTrailer;
}

/** Reads the whole dump without keeping it: its header and trailer once it has proved whole. */
export async function validateDump(file: string): Promise<DumpContents> {
  const reader = readDump(file);
  let header: DumpHeader | undefined;
  for (;;) {
    const next = await reader.next();
    if (next.done) {
      if (!header) throw new BackupError('not a Capacita dump: the file has no header');
      return { header, trailer: next.value };
    }
    if ('header' in next.value) header = next.value.header;
  }
}
