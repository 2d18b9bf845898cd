/**
 * `npm run bench:load -- --learners 500 --concurrency 50`: the load scenario of issue 9
 * (bench/load-scenario.ts) against the real server as its own process, on a standalone
 * engine, in a temporary directory: learners register, sign in, enroll, read every
 * lesson, pass the quizzes (a fifth fail the first one once) and are told their
 * certificate code. Then it waits for the work that follows the last response to settle,
 * reads the database with the driver, checks every count against what the clients were
 * told, prints the figures and the check, and exits 1 when the check fails.
 *
 * Other options: --timeout <s> (quiescence deadline, default 300), --keep (leave the
 * temporary directory, for a look at the database and the .eml files). The environment
 * reaches the server (WEB_CONCURRENCY=2, say). Everything started is stopped, also on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { startStandaloneEngine } from './helpers.js';
import { checkConsistency, formatReport, formatRequests, runLearners, scenarioCourse, waitForQuiescence, writeScenarioCourse } from './load-scenario.js';

const { values } = parseArgs({
  options: {
    learners: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '50' },
    timeout: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
  },
});
const LEARNERS = Number(values.learners);
const CONCURRENCY = Number(values.concurrency);
const QUIESCENCE_TIMEOUT_MS = Number(values.timeout) * 1000;
if (!Number.isInteger(LEARNERS) || LEARNERS < 1 || !Number.isInteger(CONCURRENCY) || CONCURRENCY < 1 || !(QUIESCENCE_TIMEOUT_MS > 0)) {
  process.stderr.write('usage: npm run bench:load -- [--learners 500] [--concurrency 50] [--timeout 300] [--keep]\n');
  process.exit(2);
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function withDatabase(uri: string, name: string): string {
  const match = /^(mongodb:\/\/[^/?]+)\/?([^?]*)(\?.*)?$/.exec(uri);
  if (!match) throw new Error(`unrecognised engine URI ${uri}`);
  return `${match[1]}/${name}${match[3] ?? ''}`;
}

interface AppProcess {
  child: ChildProcess;
  /** The server's log lines (warn and above with LOG_LEVEL=warn), kept for the summary. */
  output: string[];
  /** Set when the server exited before it was asked to stop. */
  unexpectedExit: string | undefined;
  stop(): Promise<void>;
}

function startApp(environment: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { ...process.env, ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) output.push(line);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = once(child, 'exit');
  let isStopping = false;
  const app: AppProcess = {
    child,
    output,
    unexpectedExit: undefined,
    async stop() {
      isStopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
  // Exit code 0 is a graceful stop: something sent the server SIGTERM or SIGINT.
  child.once('exit', (code, signal) => {
    if (isStopping) return;
    app.unexpectedExit = `the server exited during the run (${signal ? `killed by ${signal}` : `exit code ${code}${code === 0 ? ': a graceful stop, after SIGTERM or SIGINT from outside' : ''}`}) at ${new Date().toISOString()}`;
    process.stdout.write(`  !! ${app.unexpectedExit}\n`);
  });
  return app;
}

/** Polls until the server answers /healthz and serves the scenario's course. */
async function waitUntilServing(app: AppProcess, baseUrl: string, courseSlug: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.child.exitCode !== null) throw new Error(`the server exited (${app.child.exitCode}) while starting:\n${app.output.join('\n')}`);
    try {
      const [health, course] = await Promise.all([fetch(`${baseUrl}/healthz`), fetch(`${baseUrl}/api/v1/courses/${courseSlug}`)]);
      if (health.ok && course.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not serve ${courseSlug} within ${timeoutMs} ms:\n${app.output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** pino lines at warn (40) and above, by message, for the summary. */
function serverComplaints(output: string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const line of output) {
    let message = line;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if (typeof entry.level === 'number' && entry.level < 40) continue;
      message = `${entry.level === 40 ? 'warn' : entry.level === 50 ? 'error' : 'fatal'}: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message.split('\n')[0]})` : ''}`;
    } catch {
      // not JSON: shown as it is
    }
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'capacita-load-'));
  const dbpath = join(root, 'db');
  const dataDir = join(root, 'data');
  const coursesDir = join(root, 'courses');
  for (const directory of [dbpath, dataDir, coursesDir]) mkdirSync(directory, { recursive: true });
  const course = scenarioCourse();
  writeScenarioCourse(coursesDir, course);

  let engine: Awaited<ReturnType<typeof startStandaloneEngine>> | undefined;
  let app: AppProcess | undefined;
  let client: MongoClient | undefined;
  let stopped: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopped ??= (async () => {
      await client?.close().catch(() => undefined);
      await app?.stop().catch(() => undefined);
      await engine?.stop().catch(() => undefined);
      if (values.keep) say(`\n(kept ${root})`);
      else rmSync(root, { recursive: true, force: true });
    })());
  const interrupted = (): void => {
    say('\ninterrupted: stopping');
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    engine = await startStandaloneEngine(dbpath);
    const uri = withDatabase(engine.uri, 'capacita');
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    app = startApp({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      BASE_URL: baseUrl,
      MONGODB_URI: uri,
      COURSES_DIR: coursesDir,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: 'admin@carga.example.org',
      ADMIN_PASSWORD: 'clave-del-administrador',
      SMTP_URL: '',
    });
    await waitUntilServing(app, baseUrl, course.slug);

    say(`\nLoad scenario — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
    say(`${LEARNERS} learners, ${CONCURRENCY} in flight; course ${course.slug}: ${course.lessons.length} lessons, ${Object.keys(course.quizzes).length} quizzes; every 5th learner fails the first quiz once\n`);
    const progressEvery = Math.max(1, Math.round(LEARNERS / 10));
    const ledger = await runLearners({
      baseUrl: () => baseUrl,
      learners: LEARNERS,
      concurrency: CONCURRENCY,
      course,
      onLearnerFinished: (_learner, finished) => {
        if (finished % progressEvery === 0 || finished === LEARNERS) process.stdout.write(`  ${finished}/${LEARNERS} learners finished\n`);
      },
    });

    client = new MongoClient(uri);
    await client.connect();
    const db = client.db();
    const quiet = await waitForQuiescence(db, ledger, { timeoutMs: QUIESCENCE_TIMEOUT_MS });
    const report = await checkConsistency(db, ledger);
    const done = ledger.learners.filter((learner) => learner.done).length;
    const requests = Object.values(ledger.requests).reduce((sum, stats) => sum + stats.latencies.length, 0);

    say('');
    say(`| measure | figure |\n|---|---:|`);
    say(`| learners (finished / started) | ${done} / ${LEARNERS} |`);
    say(`| concurrency | ${CONCURRENCY} |`);
    say(`| duration, first request to last learner (s) | ${(ledger.durationMs / 1000).toFixed(1)} |`);
    say(`| learners completed per second | ${(done / (ledger.durationMs / 1000)).toFixed(1)} |`);
    say(`| requests answered | ${requests} |`);
    say(`| 5xx answers | ${Object.values(ledger.serverErrors).reduce((sum, count) => sum + count, 0)} |`);
    say(`| quiescence after the last response (s) | ${(quiet.waitedMs / 1000).toFixed(1)}${quiet.firstPending.length ? ` (pending then: ${quiet.firstPending.join('; ')})` : ''}${quiet.settled ? '' : ` — NOT settled: ${quiet.pending.join('; ')}`} |`);
    const { undelivered, total } = quiet.outboxBacklog;
    say(`| mails delivered during the run / queued | ${total - undelivered} / ${total} |`);
    if (undelivered > 0 && quiet.settled) say(`| outbox drained after the run (mails/s) | ${(undelivered / (quiet.waitedMs / 1000)).toFixed(1)} |`);
    say('');
    say(formatRequests(ledger));
    say('');
    say(formatReport(report));
    const complaints = serverComplaints(app.output);
    if (complaints.length > 0) {
      say('\nThe server logged (warn and above):');
      for (const [message, count] of complaints.slice(0, 15)) say(`  ${count} × ${message}`);
    }
    if (app.unexpectedExit) say(`\n!! ${app.unexpectedExit}: the figures above are not those of a normal run`);
    const passed = report.ok && quiet.settled && !app.unexpectedExit;
    say(`\nconsistency: ${passed ? 'OK' : 'FAILED'}`);
    return passed ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
