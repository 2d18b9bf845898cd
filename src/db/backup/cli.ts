import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../shared/logger.js';
import { connectDatabase, type Database } from '../connection.js';
import { dumpDatabase } from './dump.js';
import { restoreDatabase } from './restore.js';

/**
 * `npm run db:dump -- --out FILE` and `npm run db:restore -- FILE [--drop]` (README.md
 * beside this file): the database named by MONGODB_URI, or the embedded one in DATA_DIR
 * (joined through its socket when a Capacita server holds it), through the driver.
 * Exit codes: 0 done, 1 failed (one line on stderr), 2 usage.
 */

const USAGE = `usage: npm run db:dump -- --out FILE
       npm run db:restore -- FILE [--drop]

Copies the database (MONGODB_URI, or the embedded database in DATA_DIR) to a gzip'd
file of canonical Extended JSON, and restores such a file into an empty database.

  --out FILE   dump: the file to write (FILE.partial until it is complete)
  --drop       restore: drop the database's collections first; without it a
               database that holds any document is refused
  -h, --help   show this text
`;

type Command = { action: 'dump'; file: string } | { action: 'restore'; file: string; drop: boolean } | { action: 'help' };

function parseCommand(argv: string[]): Command | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { out: { type: 'string' }, drop: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    return (error as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help) return { action: 'help' };
  const [action, ...rest] = positionals;
  if (action === 'dump') {
    if (!values.out) return 'dump needs --out FILE';
    if (rest.length > 0 || values.drop) return 'dump takes only --out FILE';
    return { action, file: resolve(values.out) };
  }
  if (action === 'restore') {
    if (rest.length !== 1 || values.out !== undefined) return 'restore takes one FILE (and --drop)';
    return { action, file: resolve(rest[0] as string), drop: values.drop };
  }
  return action === undefined ? 'dump or restore?' : `unknown command ${action}`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const count = (n: number, noun: string): string => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

/** One line, never a stack: the driver's messages and ours alike. */
const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

const command = parseCommand(process.argv.slice(2));
if (typeof command === 'string') {
  process.stderr.write(`${command}\n${USAGE}`);
  process.exit(2);
}
if (command.action === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}

let database: Database | undefined;
try {
  const config = loadConfig();
  // Quiet unless asked: the command prints its own summary.
  database = await connectDatabase(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
  const db = database.connection.db;
  if (!db) throw new Error('the database connection is not open');
  if (command.action === 'dump') {
    const summary = await dumpDatabase(db, command.file);
    process.stdout.write(
      `dumped database ${summary.database}: ${count(summary.collections, 'collection')}, ${count(summary.documents, 'document')}, ` +
        `${formatBytes(summary.bytes)} to ${command.file} in ${summary.seconds.toFixed(1)} s\n`,
    );
  } else {
    const summary = await restoreDatabase(db, command.file, { drop: command.drop });
    const dropped = command.drop ? ` (after dropping ${count(summary.dropped, 'collection')})` : '';
    process.stdout.write(
      `restored ${command.file} (${formatBytes(summary.bytes)}) into database ${summary.database}${dropped}: ` +
        `${count(summary.collections, 'collection')}, ${count(summary.documents, 'document')} in ${summary.seconds.toFixed(1)} s\n`,
    );
  }
} catch (error) {
  process.stderr.write(`${command.action} failed: ${oneLine(error)}\n`);
  process.exitCode = 1;
} finally {
  await database?.close().catch(() => undefined);
}
