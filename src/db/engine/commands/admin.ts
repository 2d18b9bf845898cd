import os from 'node:os';
import { CommandError } from '../errors.js';
import type { Doc } from '../storage/document.js';
import type { CommandHandler } from './context.js';

/** Handshake, liveness and server-information commands. */

export const SERVER_VERSION = '7.0.0';
/** Wire version 21 is MongoDB 7.0: what the replies and behaviour here correspond to. */
const MAX_WIRE_VERSION = 21;

export const hello: CommandHandler = (command, _db, { connectionId }) => {
  const isLegacy = 'isMaster' in command || 'ismaster' in command;
  return {
    ...(isLegacy ? { ismaster: true } : { isWritablePrimary: true }),
    ...(command.helloOk === true ? { helloOk: true } : {}),
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
};

export const ping: CommandHandler = () => ({ ok: 1 });

export const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'capacita-embedded-engine',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['capacita-journal'],
  javascriptEngine: 'none',
  modules: [],
  ok: 1,
});

export const endSessions: CommandHandler = () => ({ ok: 1 });

export const serverStatus: CommandHandler = (_command, _db, { engine, cursors, store }) => ({
  host: os.hostname(),
  version: SERVER_VERSION,
  process: 'capacita-db',
  pid: process.pid,
  uptime: Math.floor((Date.now() - engine.startedAt.getTime()) / 1000),
  localTime: new Date(),
  metrics: { cursor: { open: { total: cursors.size } } },
  storageEngine: { name: 'capacita-journal', persistent: true, journalHealthy: !store.journalFailure },
  // As mongod on Linux reports it: CPU time the server process has used.
  extra_info: { user_time_us: process.cpuUsage().user, system_time_us: process.cpuUsage().system },
  mem: { resident: Math.round(process.memoryUsage().rss / 1024 / 1024) },
  ok: 1,
});

export const hostInfo: CommandHandler = () => ({
  system: { hostname: os.hostname(), numCores: os.cpus().length, memSizeMB: Math.round(os.totalmem() / 1024 / 1024) },
  os: { type: os.type(), name: os.platform(), version: os.release() },
  ok: 1,
});

export const getCmdLineOpts: CommandHandler = (_command, _db, { engine }) => ({
  argv: engine.argv,
  parsed: { storage: { dbPath: engine.dbpath }, net: { bindIp: engine.address } },
  ok: 1,
});

export const getParameter: CommandHandler = (command) => {
  const reply: Doc = { ok: 1 };
  if (command.featureCompatibilityVersion !== undefined || command.getParameter === '*') {
    reply.featureCompatibilityVersion = { version: '7.0' };
  }
  return reply;
};

export const getLog: CommandHandler = (command) => {
  if (command.getLog === '*') return { names: ['startupWarnings'], ok: 1 };
  return { totalLinesWritten: 0, log: [], ok: 1 };
};

export const connectionStatus: CommandHandler = () => ({
  authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
  ok: 1,
});

export const whatsmyuri: CommandHandler = (_command, _db, { connectionId }) => ({ you: `connection ${connectionId}`, ok: 1 });

/** Sessions are accepted (drivers always send them) but carry no state here. */
export const noOpSessions: CommandHandler = () => ({ ok: 1 });

export const transactionsUnsupported: CommandHandler = () => {
  throw new CommandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
};
