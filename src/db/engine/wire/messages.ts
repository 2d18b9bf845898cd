import { BSON } from 'bson';
import crc32c from 'crc-32/crc32c.js';
import type { Doc } from '../storage/document.js';

/**
 * MongoDB wire protocol codecs: the standard message header, OP_MSG (body and
 * document-sequence sections, optional CRC-32C checksum) and, for the legacy
 * handshake only, OP_QUERY with its OP_REPLY.
 */

export const OpCode = { reply: 1, query: 2004, msg: 2013, compressed: 2012 } as const;

export const HEADER_BYTES = 16;
export const MAX_MESSAGE_BYTES = 48_000_000;

const FLAG_CHECKSUM_PRESENT = 1 << 0;
const FLAG_MORE_TO_COME = 1 << 1;
/** Bits 0-15 are "required": a flag we do not know there must fail the message. */
const KNOWN_REQUIRED_FLAGS = FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME;

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface Command {
  /** The body document with any document sequences merged in as arrays. */
  body: Doc;
  /** The client does not want a reply (unacknowledged write). */
  isMoreToCome: boolean;
  isLegacyQuery: boolean;
}

export class ProtocolError extends Error {}

const deserializeOptions = { promoteLongs: true, promoteValues: true } as const;

export function readHeader(buffer: Buffer): MessageHeader {
  return {
    length: buffer.readInt32LE(0),
    requestId: buffer.readInt32LE(4),
    responseTo: buffer.readInt32LE(8),
    opCode: buffer.readInt32LE(12),
  };
}

function readDocument(message: Buffer, offset: number, end: number): { doc: Doc; next: number } {
  if (offset + 4 > end) throw new ProtocolError('truncated BSON document');
  const size = message.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('invalid BSON document size');
  const doc = BSON.deserialize(message.subarray(offset, offset + size), deserializeOptions) as Doc;
  return { doc, next: offset + size };
}

function readCString(message: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = message.indexOf(0, offset);
  if (zero === -1 || zero >= end) throw new ProtocolError('unterminated string');
  return { value: message.toString('utf8', offset, zero), next: zero + 1 };
}

export function decodeOpMsg(message: Buffer): Command {
  const flags = message.readUInt32LE(HEADER_BYTES);
  if ((flags & 0xffff & ~KNOWN_REQUIRED_FLAGS) !== 0) throw new ProtocolError(`unknown required OP_MSG flags ${flags}`);
  let end = message.length;
  if (flags & FLAG_CHECKSUM_PRESENT) {
    end -= 4;
    const expected = message.readInt32LE(end);
    if (crc32c.buf(message.subarray(0, end)) !== expected) throw new ProtocolError('OP_MSG checksum mismatch');
  }
  let offset = HEADER_BYTES + 4;
  let body: Doc | undefined;
  const sequences: Array<[string, Doc[]]> = [];
  while (offset < end) {
    const kind = message.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG with two body sections');
      const read = readDocument(message, offset, end);
      body = read.doc;
      offset = read.next;
    } else if (kind === 1) {
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError('invalid document sequence size');
      const identifier = readCString(message, offset + 4, sectionEnd);
      const docs: Doc[] = [];
      let position = identifier.next;
      while (position < sectionEnd) {
        const read = readDocument(message, position, sectionEnd);
        docs.push(read.doc);
        position = read.next;
      }
      sequences.push([identifier.value, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const [identifier, docs] of sequences) {
    const existing = body[identifier];
    body[identifier] = Array.isArray(existing) ? [...existing, ...docs] : docs;
  }
  return { body, isMoreToCome: (flags & FLAG_MORE_TO_COME) !== 0, isLegacyQuery: false };
}

export interface LegacyQuery {
  collection: string;
  query: Doc;
}

export function decodeOpQuery(message: Buffer): LegacyQuery {
  let offset = HEADER_BYTES + 4;
  const name = readCString(message, offset, message.length);
  offset = name.next + 8; // numberToSkip, numberToReturn
  let { doc: query } = readDocument(message, offset, message.length);
  // Drivers may wrap the command as {$query: {...}, $readPreference: ...}.
  if (query.$query && typeof query.$query === 'object') query = query.$query as Doc;
  return { collection: name.value, query };
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

function serialize(doc: Doc): Buffer {
  const bytes = BSON.serialize(doc);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

export function encodeOpMsg(reply: Doc, requestId: number, responseTo: number): Buffer[] {
  const body = serialize(reply);
  const length = HEADER_BYTES + 4 + 1 + body.length;
  const prefix = Buffer.allocUnsafe(5);
  prefix.writeUInt32LE(0, 0);
  prefix.writeUInt8(0, 4);
  return [header(length, requestId, responseTo, OpCode.msg), prefix, body];
}

export function encodeOpReply(reply: Doc, requestId: number, responseTo: number): Buffer[] {
  const body = serialize(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  return [header(HEADER_BYTES + fields.length + body.length, requestId, responseTo, OpCode.reply), fields, body];
}
