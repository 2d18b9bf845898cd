import { startEngine, type EngineOptions } from '../../src/db/engine/index.js';

/**
 * A child-process engine for tests that need options the CLI does not offer (a tiny
 * snapshot threshold, so snapshots happen while a crash test writes). Takes the
 * options as one JSON argument and prints the CLI's "listening on" line.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as EngineOptions;
const engine = await startEngine({ ...options, port: 0 });
process.on('SIGTERM', () => {
  void engine.close().then(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ level: 'info', msg: `listening on ${engine.uri}` })}\n`);
