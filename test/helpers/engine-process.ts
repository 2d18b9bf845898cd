import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Engines run as child processes, so a test can SIGKILL one mid-write or SIGTERM it and
 * watch it exit. Every child a suite starts is killed after each test, pass or fail.
 */

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The standalone server, exactly as `npm run db` runs it. */
const CLI = 'src/db/engine/cli.ts';
/** A child that takes engine options the CLI does not expose (a tiny snapshot threshold). */
const CUSTOM_ENTRY = 'test/helpers/engine-child.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EngineProcess {
  child: ChildProcess;
  port: number;
  /** A connection string for the driver. */
  uri: string;
  exited: Promise<Exit>;
  /** Everything the child printed so far, for failure messages. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<Exit>;
}

export interface StartOptions {
  dbpath: string;
  /** A fixed port, to bring an engine back where its clients expect it; 0 (any free port) otherwise. */
  port?: number;
  /** Run the test entry point with these engine options instead of the CLI. */
  snapshotThresholdBytes?: number;
}

const LISTENING = /listening on mongodb:\/\/127\.0\.0\.1:(\d+)\//;

/** Children still alive when the test process itself exits (mocha bailing out) are killed too. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

function startEngineProcess(options: StartOptions): Promise<EngineProcess> {
  const args = options.snapshotThresholdBytes === undefined
    ? ['--import', 'tsx', CLI, '--port', String(options.port ?? 0), '--dbpath', options.dbpath]
    : ['--import', 'tsx', CUSTOM_ENTRY, JSON.stringify({ dbpath: options.dbpath, snapshotThresholdBytes: options.snapshotThresholdBytes })];
  const child = spawn(process.execPath, args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let output = '';
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const port = LISTENING.exec(output)?.[1];
      if (port === undefined) return;
      child.stdout?.off('data', onData);
      child.stdout?.on('data', (more: Buffer) => (output += more.toString('utf8')));
      resolve({
        child,
        port: Number(port),
        uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
        exited,
        output: () => output,
        kill: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    void exited.then((exit) => reject(new Error(`the engine exited before listening (${JSON.stringify(exit)}):\n${output}`)));
  });
}

export function useEngineProcesses(): (options: StartOptions) => Promise<EngineProcess> {
  const running = new Set<EngineProcess>();
  afterEach(async () => {
    await Promise.all([...running].map((engine) => engine.kill('SIGKILL')));
    running.clear();
  });
  return async (options) => {
    const engine = await startEngineProcess(options);
    running.add(engine);
    return engine;
  };
}
