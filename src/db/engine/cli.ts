import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { startEngine } from './server.js';

/**
 * `npm run db -- --port 27017 --dbpath ./data/db`: the engine as a standalone server,
 * with mongod's option names, so several app processes (or any MongoDB client) can
 * share one database.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    dbpath: { type: 'string', default: './data/db' },
    bind_ip: { type: 'string', default: '127.0.0.1' },
    unixSocketPrefix: { type: 'string' },
    nounixsocket: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(`Usage: npm run db -- [--port 27017] [--dbpath ./data/db] [--bind_ip 127.0.0.1]
                     [--unixSocketPrefix DIR | --nounixsocket] [--quiet]
Listens on loopback TCP (and on DIR/capacita-db-PORT.sock, owner-only, with --unixSocketPrefix).
`);
  process.exit(0);
}

const port = Number.parseInt(values.port, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port ${values.port}\n`);
  process.exit(2);
}

const log = (level: string, message: string): void => {
  if (values.quiet && level === 'info') return;
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), level, msg: message })}\n`);
};

const socketPath = values.unixSocketPrefix && !values.nounixsocket
  ? join(values.unixSocketPrefix, `capacita-db-${port}.sock`)
  : undefined;
const engine = await startEngine({ dbpath: values.dbpath, port, host: values.bind_ip, socketPath, argv: process.argv.slice(2), log });

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  log('info', `${signal}: shutting down`);
  await engine.close();
  log('info', 'journal flushed; bye');
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// Announced only once the handlers are in place: a supervisor (or test) that signals the
// server as soon as it reports listening must get a clean shutdown, not the default kill.
log('info', `listening on ${engine.uri}${engine.socketUri ? ` and ${engine.socketUri}` : ''} (data in ${values.dbpath})`);
