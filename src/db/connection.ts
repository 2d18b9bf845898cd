import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../config.js';
import type { Logger } from '../shared/logger.js';
import { databaseAvailability, type DatabaseAvailability } from './availability.js';
import { startEngine, type RunningEngine } from './engine/index.js';

/**
 * The application's MongoDB connection: to MONGODB_URI when it is set, otherwise to
 * the embedded engine started here on a Unix socket inside the data directory (only
 * this user can open it). Nothing else in the application knows which one it is.
 */
export interface Database {
  connection: Connection;
  isEmbedded: boolean;
  /** Where this connection goes: the embedded engine's own address when it is embedded (cluster workers join it there). */
  uri: string;
  /** Whether requests should be tried at all: false from a failure until a ping answers again. */
  availability: DatabaseAvailability;
  /** Resolves when the server answers a ping within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  /** Closes the connection, then flushes and stops the embedded engine if there is one. */
  close(): Promise<void>;
}

const DEFAULT_DATABASE = 'capacita';
/** Unix socket paths are limited to about 107 bytes; longer data paths use loopback TCP. */
const MAX_SOCKET_PATH = 100;

function hasDatabaseName(uri: string): boolean {
  return /^mongodb(?:\+srv)?:\/\/[^/]+\/[^?]+/.test(uri);
}

export async function connectDatabase(
  config: Pick<Config, 'mongodbUri' | 'dataDir'>,
  logger: Logger,
): Promise<Database> {
  let engine: RunningEngine | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    const dbpath = join(config.dataDir, 'db');
    const socketPath = join(dbpath, 'engine.sock');
    const canUseSocket = socketPath.length <= MAX_SOCKET_PATH;
    try {
      engine = await startEngine({
        dbpath,
        ...(canUseSocket ? { socketPath } : { port: 0 }),
        log: (level, message) => logger[level]({ component: 'db-engine' }, message),
      });
      uri = engine.uri.replace('/?', `/${DEFAULT_DATABASE}?`);
      logger.info({ dbpath }, 'embedded database engine started');
    } catch (error) {
      // A running Capacita already holds this data directory (the CLI next to a running
      // server, say): join its engine through its socket instead of opening a second one.
      if (!canUseSocket || !existsSync(socketPath) || !/in use by process/.test(String(error))) throw error;
      uri = `mongodb://${encodeURIComponent(socketPath)}/${DEFAULT_DATABASE}?directConnection=true`;
      logger.info({ socketPath }, 'using the embedded engine of the running server');
    }
  }
  let connection: Connection;
  try {
    connection = await mongoose
      .createConnection(uri, {
        serverSelectionTimeoutMS: 5_000,
        ...(hasDatabaseName(uri) ? {} : { dbName: DEFAULT_DATABASE }),
      })
      .asPromise();
  } catch (error) {
    await engine?.close();
    throw error;
  }

  const ping = async (timeoutMs = 2_000): Promise<void> => {
    const db = connection.db;
    if (!db) throw new Error('not connected');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database ping timed out')), timeoutMs);
    });
    try {
      await Promise.race([db.admin().ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  const availability = databaseAvailability({ connection, ping }, logger);
  return {
    connection,
    isEmbedded: engine !== undefined,
    uri,
    availability,
    ping,
    async close() {
      availability.close();
      await connection.close();
      await engine?.close();
    },
  };
}
