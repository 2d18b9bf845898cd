import net from 'node:net';
import { BSON, type Document } from 'bson';
import crc32c from 'crc-32/crc32c.js';

/**
 * A MongoDB wire-protocol client at the byte level, for testing the engine's framing
 * without the driver: builds OP_QUERY and OP_MSG messages and reads whole replies.
 */

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;
export const FLAG_CHECKSUM_PRESENT = 1 << 0;
export const FLAG_MORE_TO_COME = 1 << 1;

let lastRequestId = 1000;
export const nextRequestId = (): number => (lastRequestId += 1);

export interface ReplyHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

function bson(doc: Document): Buffer {
  const bytes = BSON.serialize(doc);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function withHeader(body: Buffer, requestId: number, opCode: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + body.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, body]);
}

/** A legacy OP_QUERY, as old drivers send their first isMaster. */
export function encodeOpQuery(collection: string, query: Document, requestId = nextRequestId()): Buffer {
  const flags = Buffer.alloc(4);
  const name = Buffer.from(`${collection}\0`, 'utf8');
  const skipAndReturn = Buffer.alloc(8);
  skipAndReturn.writeInt32LE(0, 0);
  skipAndReturn.writeInt32LE(-1, 4);
  return withHeader(Buffer.concat([flags, name, skipAndReturn, bson(query)]), requestId, OP_QUERY);
}

export interface OpMsgOptions {
  requestId?: number;
  /** Kind-1 sections: identifier → documents. */
  sequences?: Record<string, Document[]>;
  withChecksum?: boolean;
  /** Corrupts the checksum (when withChecksum). */
  hasWrongChecksum?: boolean;
  isMoreToCome?: boolean;
}

export function encodeOpMsg(body: Document, options: OpMsgOptions = {}): Buffer {
  const flags = (options.withChecksum ? FLAG_CHECKSUM_PRESENT : 0) | (options.isMoreToCome ? FLAG_MORE_TO_COME : 0);
  const flagBytes = Buffer.alloc(4);
  flagBytes.writeUInt32LE(flags, 0);
  const sections: Buffer[] = [Buffer.from([0]), bson(body)];
  for (const [identifier, docs] of Object.entries(options.sequences ?? {})) {
    const payload = Buffer.concat([Buffer.from(`${identifier}\0`, 'utf8'), ...docs.map(bson)]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + payload.length, 0);
    sections.push(Buffer.from([1]), size, payload);
  }
  const requestId = options.requestId ?? nextRequestId();
  if (!options.withChecksum) return withHeader(Buffer.concat([flagBytes, ...sections]), requestId, OP_MSG);
  const unsummed = withHeader(Buffer.concat([flagBytes, ...sections, Buffer.alloc(4)]), requestId, OP_MSG);
  const checksum = crc32c.buf(unsummed.subarray(0, unsummed.length - 4)) + (options.hasWrongChecksum ? 1 : 0);
  unsummed.writeInt32LE(checksum | 0, unsummed.length - 4);
  return unsummed;
}

export function readReplyHeader(message: Buffer): ReplyHeader {
  return {
    length: message.readInt32LE(0),
    requestId: message.readInt32LE(4),
    responseTo: message.readInt32LE(8),
    opCode: message.readInt32LE(12),
  };
}

/** The single document of an OP_REPLY. */
export function decodeOpReply(message: Buffer): { numberReturned: number; doc: Document } {
  const numberReturned = message.readInt32LE(32);
  const size = message.readInt32LE(36);
  return { numberReturned, doc: BSON.deserialize(message.subarray(36, 36 + size)) };
}

/** The body document of an OP_MSG reply. */
export function decodeOpMsgBody(message: Buffer): Document {
  const kind = message.readUInt8(20);
  if (kind !== 0) throw new Error(`expected a body section first, got kind ${kind}`);
  const size = message.readInt32LE(21);
  return BSON.deserialize(message.subarray(21, 21 + size));
}

/** A raw connection: write bytes, await whole reply messages, see when the server hangs up. */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private readonly replies: Buffer[] = [];
  private waiting: ((message: Buffer) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.failWaiting?.(new Error('the server closed the connection')));
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const length = this.buffered.readInt32LE(0);
      if (this.buffered.length < length) return;
      const message = this.buffered.subarray(0, length);
      this.buffered = this.buffered.subarray(length);
      if (this.waiting) {
        const deliver = this.waiting;
        this.waiting = undefined;
        this.failWaiting = undefined;
        deliver(message);
      } else {
        this.replies.push(message);
      }
    }
  }

  /** Resolves once the bytes are handed to the kernel. */
  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  /** The next whole message from the server; rejects if the server hangs up first. */
  nextReply(): Promise<Buffer> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.socket.destroyed) return Promise.reject(new Error('the server closed the connection'));
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
