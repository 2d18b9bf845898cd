import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';

// Mocha loads the root hooks through require() and test files through import(), which
// can give this module two instances; the URI therefore lives on globalThis.
const SERVER_URI = Symbol.for('capacita.test.databaseServerUri');
const registry = globalThis as unknown as Record<symbol, string | undefined>;

export function setTestDatabaseServer(uri: string): void {
  registry[SERVER_URI] = uri;
}

/** The URI of the run's database server (embedded engine or MONGODB_URI), without a database name. */
export function testServerUri(): string {
  const uri = registry[SERVER_URI];
  if (!uri) throw new Error('the root hooks have not started the test database server');
  return uri;
}

/** A database name no other suite uses. */
export function uniqueDatabaseName(label = 'test'): string {
  return `${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
}

/** A URI naming a database of its own (for the app's mongoose connection). */
export function uriForDatabase(name: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(testServerUri());
  if (!match) throw new Error('unrecognised MongoDB URI');
  return `${match[1]}/${name}${match[2] ?? ''}`;
}

/**
 * Gives the calling suite a fresh database through the official driver, dropped after
 * the suite: `const db = useDriverDatabase('crud');` then `db()` inside tests.
 */
export function useDriverDatabase(label?: string): () => Db {
  let client: MongoClient | undefined;
  let database: Db | undefined;
  before(async () => {
    client = new MongoClient(testServerUri());
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
