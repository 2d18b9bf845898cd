import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { runCommand } from './commands/index.js';
import type { CommandContext, EngineInfo } from './commands/context.js';
import { CursorRegistry } from './commands/cursors.js';
import { CommandError } from './errors.js';
import type { Doc } from './storage/document.js';
import { Store } from './storage/store.js';
import { startTtlMonitor } from './storage/ttl.js';
import {
  decodeOpMsg,
  decodeOpQuery,
  encodeOpMsg,
  encodeOpReply,
  HEADER_BYTES,
  MAX_MESSAGE_BYTES,
  OpCode,
  ProtocolError,
  readHeader,
} from './wire/messages.js';

export interface EngineOptions {
  /** Where the journal and snapshots live. */
  dbpath: string;
  /** TCP port on loopback; 0 picks a free one. Without it and with `socketPath`, no TCP. */
  port?: number;
  /** Loopback address to bind (127.0.0.1 by default). Other addresses are refused: there is no authentication. */
  host?: string;
  /** A Unix socket to listen on (too), created so that only its owner can open it. */
  socketPath?: string;
  snapshotThresholdBytes?: number;
  ttlMonitorIntervalMs?: number;
  argv?: string[];
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface RunningEngine {
  /** A connection string for the official driver (no database name in it): TCP if listening on TCP. */
  uri: string;
  /** The connection string for the Unix socket, if there is one. */
  socketUri: string | undefined;
  port: number | undefined;
  socketPath: string | undefined;
  store: Store;
  /** Stops accepting, lets in-flight commands finish, flushes the journal, unlocks. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Legacy OP_QUERY is only for the handshake, as on MongoDB 6+. */
const LEGACY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

let lastReplyId = 0;
const nextReplyId = (): number => {
  lastReplyId = (lastReplyId + 1) & 0x7fffffff;
  return lastReplyId;
};

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const host = options.host ?? '127.0.0.1';
  const isTcp = options.port !== undefined || !options.socketPath;
  if (isTcp && !LOOPBACK.has(host)) {
    throw new Error(`the embedded engine listens on loopback only (asked for ${host}); it has no authentication`);
  }
  const log = options.log ?? (() => undefined);
  const store = Store.open({
    dbpath: options.dbpath,
    snapshotThresholdBytes: options.snapshotThresholdBytes,
    log: (message) => log('info', message),
  });
  const cursors = new CursorRegistry();
  const engine: EngineInfo = {
    startedAt: new Date(),
    dbpath: options.dbpath,
    argv: options.argv ?? [],
    address: options.socketPath ?? host,
  };
  const stopTtl = startTtlMonitor(store, options.ttlMonitorIntervalMs ?? 60_000, (message) => log('warn', message));
  const cursorSweep = setInterval(() => cursors.sweep(), 60_000);
  cursorSweep.unref();

  let nextConnectionId = 1;
  const connections = new Set<Connection>();
  const accept = (socket: net.Socket): void => {
    const reportInternalError = (error: unknown, command: string): void =>
      log('error', `command ${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    const context = { store, cursors, engine, connectionId: nextConnectionId++, reportInternalError };
    const connection = new Connection(socket, context, log);
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  };
  const servers: net.Server[] = [];
  let port: number | undefined;
  try {
    if (isTcp) {
      const server = net.createServer(accept);
      servers.push(server);
      port = await listenTcp(server, options.port ?? 0, host);
    }
    if (options.socketPath) {
      const server = net.createServer(accept);
      servers.push(server);
      await listenSocket(server, options.socketPath);
    }
  } catch (error) {
    stopTtl();
    clearInterval(cursorSweep);
    for (const server of servers) server.close();
    await store.close();
    throw error;
  }
  const socketUri = options.socketPath ? `mongodb://${encodeURIComponent(options.socketPath)}/?directConnection=true` : undefined;
  const tcpUri = isTcp ? `mongodb://${host.includes(':') ? `[${host}]` : host}:${String(port)}/?directConnection=true` : undefined;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopTtl();
      clearInterval(cursorSweep);
      const serversClosed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      await Promise.all([...connections].map((connection) => connection.drainAndClose()));
      await Promise.all(serversClosed);
      await store.close();
      if (options.socketPath && existsSync(options.socketPath)) unlinkSync(options.socketPath);
    })();
    return closing;
  };

  return { uri: (tcpUri ?? socketUri)!, socketUri, port, socketPath: options.socketPath, store, close };
}

function listenTcp(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function listenSocket(server: net.Server, socketPath: string): Promise<void> {
  // A socket file left by a crashed engine would block listen; holding the data
  // directory lock has already proved that no live engine owns it.
  if (existsSync(socketPath)) unlinkSync(socketPath);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // The umask makes the socket owner-only from the moment it exists.
    const previousMask = process.umask(0o177);
    server.listen(socketPath, () => {
      process.umask(previousMask);
      chmodSync(socketPath, 0o600);
      resolve();
    });
  });
}

/**
 * Encodes a reply; one that cannot be serialised (a result document past the BSON size
 * limit) becomes an error reply to the same request, instead of an exception that would
 * hang up on the client as if the stream were corrupt.
 */
function encodeReply(reply: Doc, encode: (doc: Doc) => Buffer[]): Buffer[] {
  try {
    return encode(reply);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return encode(new CommandError('BSONObjectTooLarge', `the reply could not be encoded (${reason})`).toReply());
  }
}

/**
 * One client connection: reassembles messages across TCP reads, runs them one at a
 * time in arrival order, and answers each with the request id it responds to.
 */
class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: net.Socket,
    private readonly context: CommandContext,
    private readonly log: NonNullable<EngineOptions['log']>,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.coalesce();
      const length = head.readInt32LE(0);
      if (length < HEADER_BYTES + 1 || length > MAX_MESSAGE_BYTES) {
        this.log('warn', `closing connection ${this.context.connectionId}: invalid message length ${length}`);
        this.socket.destroy();
        return;
      }
      if (this.buffered < length) return;
      const all = this.coalesce();
      const message = all.subarray(0, length);
      const rest = all.subarray(length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.queue = this.queue.then(() => this.handle(message));
    }
  }

  private coalesce(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private async handle(message: Buffer): Promise<void> {
    if (this.socket.destroyed) return;
    const header = readHeader(message);
    try {
      if (header.opCode === OpCode.msg) {
        const command = decodeOpMsg(message);
        const reply = await runCommand(command.body, this.context, this.context.reportInternalError);
        if (!command.isMoreToCome) this.send(encodeReply(reply, (doc) => encodeOpMsg(doc, nextReplyId(), header.requestId)));
      } else if (header.opCode === OpCode.query) {
        const { collection, query } = decodeOpQuery(message);
        const name = Object.keys(query)[0] ?? '';
        const reply = collection.endsWith('.$cmd') && LEGACY_COMMANDS.has(name)
          ? await runCommand({ ...query, $db: collection.slice(0, -'.$cmd'.length) }, this.context, this.context.reportInternalError)
          : new CommandError('UnsupportedOpQueryCommand', `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`).toReply();
        this.send(encodeReply(reply, (doc) => encodeOpReply(doc, nextReplyId(), header.requestId)));
      } else {
        throw new ProtocolError(`unsupported opcode ${header.opCode}`);
      }
    } catch (error) {
      // A message we cannot parse leaves the stream in an unknown state: hang up.
      this.log('warn', `closing connection ${this.context.connectionId}: ${error instanceof Error ? error.message : String(error)}`);
      this.socket.destroy();
    }
  }

  private send(buffers: Buffer[]): void {
    if (this.socket.destroyed) return;
    this.socket.cork();
    for (const buffer of buffers) this.socket.write(buffer);
    this.socket.uncork();
  }

  /** Stops reading, finishes the commands already received, then closes. */
  async drainAndClose(): Promise<void> {
    this.socket.pause();
    let drained: Promise<void>;
    do {
      drained = this.queue;
      await drained;
    } while (drained !== this.queue);
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.socket.end(() => {
        this.socket.destroy();
        resolve();
      });
    });
  }
}
