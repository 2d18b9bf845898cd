import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BSON } from 'bson';
import crc32c from 'crc-32/crc32c.js';
import type { Doc } from './document.js';

/**
 * The on-disk record shared by the journal and snapshots:
 *
 *   u32 payload length | u32 CRC-32C of payload | payload
 *
 * where the payload is a BSON metadata document optionally followed by one BSON
 * document (the stored document of a put), so a document is never re-wrapped.
 */

export type JournalOp =
  | { o: 'cc'; db: string; c: string; opts: Doc }
  | { o: 'dc'; db: string; c: string }
  | { o: 'dd'; db: string }
  | { o: 'ci'; db: string; c: string; spec: Doc }
  | { o: 'di'; db: string; c: string; name: string }
  | { o: 'rn'; db: string; c: string; toDb: string; toC: string }
  | { o: 'p'; db: string; c: string }
  | { o: 'd'; db: string; c: string; id: unknown }
  | { o: 'snap'; v: number; gen: number }
  | { o: 'end'; docs: number };

export interface DecodedRecord {
  op: JournalOp;
  doc?: Doc;
}

export const HEADER_BYTES = 8;

const deserializeOptions = { promoteLongs: true, promoteValues: true } as const;

export function encodeRecord(op: JournalOp, doc?: Doc): Buffer {
  const meta = BSON.serialize(op);
  const body = doc ? BSON.serialize(doc) : undefined;
  const payloadLength = meta.length + (body ? body.length : 0);
  const record = Buffer.allocUnsafe(HEADER_BYTES + payloadLength);
  Buffer.from(meta.buffer, meta.byteOffset, meta.length).copy(record, HEADER_BYTES);
  if (body) Buffer.from(body.buffer, body.byteOffset, body.length).copy(record, HEADER_BYTES + meta.length);
  record.writeUInt32LE(payloadLength, 0);
  record.writeInt32LE(crc32c.buf(record.subarray(HEADER_BYTES)), 4);
  return record;
}

function decodePayload(payload: Buffer): DecodedRecord {
  const metaLength = payload.readInt32LE(0);
  const op = BSON.deserialize(payload.subarray(0, metaLength), deserializeOptions) as JournalOp;
  if (metaLength === payload.length) return { op };
  const doc = BSON.deserialize(payload.subarray(metaLength), deserializeOptions) as Doc;
  return { op, doc };
}

export interface ReadResult {
  /** Bytes of whole, valid records from the start of the file. */
  validBytes: number;
  /** Why reading stopped before the end of the file, if it did. */
  tornTail?: string;
}

/**
 * Reads every whole, checksummed record of a file in order. Reading stops at the first
 * record that is cut short or fails its checksum: the tail a crash tore mid-write.
 */
export function readRecords(path: string, visit: (record: DecodedRecord) => void, chunkBytes = 8 << 20): ReadResult {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    let buffer = Buffer.alloc(0);
    let fileOffset = 0;
    let validBytes = 0;
    let eof = false;
    const fill = (needed: number): boolean => {
      while (buffer.length < needed && !eof) {
        const chunk = Buffer.allocUnsafe(Math.max(chunkBytes, needed - buffer.length));
        const read = readSync(fd, chunk, 0, chunk.length, fileOffset);
        if (read === 0) eof = true;
        fileOffset += read;
        buffer = buffer.length === 0 ? chunk.subarray(0, read) : Buffer.concat([buffer, chunk.subarray(0, read)]);
      }
      return buffer.length >= needed;
    };
    for (;;) {
      if (!fill(HEADER_BYTES)) {
        return buffer.length === 0 ? { validBytes } : { validBytes, tornTail: 'incomplete record header' };
      }
      const length = buffer.readUInt32LE(0);
      const checksum = buffer.readInt32LE(4);
      if (length < 5) return { validBytes, tornTail: 'invalid record length' };
      // A torn length field can claim gigabytes: never try to read past the file.
      if (validBytes + HEADER_BYTES + length > fileBytes || !fill(HEADER_BYTES + length)) {
        return { validBytes, tornTail: 'incomplete record' };
      }
      const payload = buffer.subarray(HEADER_BYTES, HEADER_BYTES + length);
      if (crc32c.buf(payload) !== checksum) return { validBytes, tornTail: 'checksum mismatch' };
      let record: DecodedRecord;
      try {
        record = decodePayload(payload);
      } catch {
        return { validBytes, tornTail: 'undecodable record' };
      }
      visit(record);
      validBytes += HEADER_BYTES + length;
      buffer = buffer.subarray(HEADER_BYTES + length);
    }
  } finally {
    closeSync(fd);
  }
}
