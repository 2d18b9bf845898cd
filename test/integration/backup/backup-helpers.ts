import { readFileSync } from 'node:fs';
import { EJSON } from 'bson';
import { MongoClient, type Db, type Document } from 'mongodb';
import { testServerUri, uniqueDatabaseName, uriForDatabase } from '../../helpers/database.js';
import { killAllChildren, spawnChild } from '../../helpers/processes.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';

/** How `npm run db:dump` / `db:restore` run the CLI, read from package.json so the scripts are what is tested. */
function scriptArgs(script: 'db:dump' | 'db:restore'): string[] {
  const line = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts[script];
  const [command, ...args] = (line ?? '').split(' ');
  if (command !== 'node') throw new Error(`unexpected ${script} script: ${line}`);
  return args;
}

export interface CliRun {
  code: number | string;
  output: string;
}

/**
 * The backup CLI against one database of the test server, as an operator runs it with
 * MONGODB_URI set; bounded in time (the suite's timeout), killed after the suite.
 */
export async function runBackupCli(script: 'db:dump' | 'db:restore', args: string[], database: string, dataDir: string): Promise<CliRun> {
  const run = spawnChild(process.execPath, [...scriptArgs(script), ...args], {
    env: { LOG_LEVEL: 'warn', DATA_DIR: dataDir, MONGODB_URI: uriForDatabase(database) },
  });
  const code = await run.exited;
  return { code, output: run.output.join('\n') };
}

/** Reading options that keep every BSON type as stored (as the dump does). */
export const EXACT_TYPES = { promoteValues: false, promoteBuffers: false, promoteLongs: false, bsonRegExp: true } as const;

export interface DatabaseContents {
  /** Collection name → its documents in `_id` order, each as canonical Extended JSON. */
  documents: Record<string, string[]>;
  /** Collection name → its indexes by name, each key as [field, direction] pairs (the order of a compound key matters). */
  indexes: Record<string, Document[]>;
}

/** Everything a backup must carry over, in a form deep-equal compares exactly. */
export async function contentsOf(db: Db): Promise<DatabaseContents> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name).filter((name) => !name.startsWith('system.')).sort();
  const contents: DatabaseContents = { documents: {}, indexes: {} };
  for (const name of names) {
    const collection = db.collection(name);
    contents.documents[name] = (await collection.find({}, EXACT_TYPES).sort({ _id: 1 }).toArray()).map((document) => EJSON.stringify(document, { relaxed: false }));
    contents.indexes[name] = (await collection.listIndexes().toArray())
      .map((index) => ({ ...index, key: Object.entries(index.key as Document) }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  }
  return contents;
}

/**
 * The suite's driver client, throwaway directories, and a fresh database name per call,
 * every database dropped after the suite: tests never share a target.
 */
export function useBackupSuite(label: string): { client: () => MongoClient; databaseName: () => string; directory: () => string } {
  const makeDirectory = useTempDirectories(label);
  const databases: string[] = [];
  let client: MongoClient | undefined;
  before(async () => {
    client = await new MongoClient(testServerUri()).connect();
  });
  after(async () => {
    killAllChildren();
    for (const name of databases.splice(0)) await client?.db(name).dropDatabase();
    await client?.close();
  });
  return {
    client: () => {
      if (!client) throw new Error('useBackupSuite: the suite has not started');
      return client;
    },
    databaseName: () => {
      const name = uniqueDatabaseName(label);
      databases.push(name);
      return name;
    },
    directory: makeDirectory,
  };
}
