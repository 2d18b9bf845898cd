import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';

/**
 * Two servers per run: `app`, where the application's suites run (MONGODB_URI when set,
 * else the embedded engine), and `engine`, always the embedded engine, for the engine's
 * own suite (which checks the engine, so it must not run against real MongoDB).
 */
export type TestServer = 'app' | 'engine';

// Mocha loads the root hooks through require() and test files through import(), which
// can give this module two instances; the URIs therefore live on globalThis.
const SERVER_URIS = Symbol.for('capacita.test.databaseServerUris');
const registry = globalThis as unknown as Record<symbol, Partial<Record<TestServer, string>> | undefined>;

export function setTestDatabaseServers(uris: Record<TestServer, string>): void {
  registry[SERVER_URIS] = uris;
}

/** The URI of one of the run's database servers, without a database name. */
export function testServerUri(server: TestServer = 'app'): string {
  const uri = registry[SERVER_URIS]?.[server];
  if (!uri) throw new Error('the root hooks have not started the test database servers');
  return uri;
}

/** A database name no other suite uses. */
export function uniqueDatabaseName(label = 'test'): string {
  return `${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
}

/** A URI naming a database of its own (for a mongoose connection). */
export function uriForDatabase(name: string, server: TestServer = 'app'): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(testServerUri(server));
  if (!match) throw new Error('unrecognised MongoDB URI');
  return `${match[1]}/${name}${match[2] ?? ''}`;
}

/**
 * Gives the calling suite a fresh database through the official driver, dropped after
 * the suite: `const db = useDriverDatabase('crud', 'engine');` then `db()` inside tests.
 */
export function useDriverDatabase(label?: string, server: TestServer = 'app'): () => Db {
  let client: MongoClient | undefined;
  let database: Db | undefined;
  before(async () => {
    client = new MongoClient(testServerUri(server));
    await client.connect();
    database = client.db(uniqueDatabaseName(label));
  });
  after(async () => {
    await database?.dropDatabase();
    await client?.close();
  });
  return () => {
    if (!database) throw new Error('useDriverDatabase: the suite has not started');
    return database;
  };
}
