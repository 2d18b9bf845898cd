/**
 * `npm run bench:http`: the app over HTTP under load (issue 9), with autocannon on
 * loopback, beside a bare Express + EJS page of the same size.
 *
 * Three processes besides this one, so the load generator shares no event loop with the
 * app: the engine (`npm run db`, in a temp dir), the app (`node --import tsx
 * src/server.ts`, one process: WEB_CONCURRENCY=1; NODE_ENV=production as deployed:
 * views cached; LOG_LEVEL=warn) and,
 * for its one scenario, the bare page (bench/bare-server.ts). The engine gets demo data
 * (src/demo, `--learners` people with a year of history, certificates among it) written
 * from this process before the app starts. Then, through the app's own API and forms,
 * the bench registers `--connections` learners of its own (demo people cannot sign in),
 * takes a bearer token for each, enrolls them in gestion-social-integral and signs each
 * in through the login form (its CSRF token) for a cookie session; and a manager is
 * created as `npm run user:create` does.
 *
 * Scenarios, each `--duration` seconds with `--connections` connections after a short
 * unreported warm-up:
 *   - the bare page (the yardstick: Express + one EJS template, the lesson page's size);
 *   - the catalog page, anonymous (GET /courses);
 *   - a lesson page signed in (each connection its own learner's session cookie);
 *   - a quiz: each connection is one learner, with its own token, who starts an attempt
 *     (POST /api/v1/quizzes/:id/attempts) and submits it with the right answers (POST
 *     /api/v1/attempts/:attemptId/submit), again and again; start and submit are timed
 *     apart. The shipped quizzes allow 3 attempts: the app reads a copy of courses/ in a
 *     temp dir (COURSES_DIR) where gestion-social-integral's quizzes have no limit;
 *   - the same quiz, 50 learners at a human-like pace (`quiz-paced`): the same
 *     learners, each sending `--pace` requests per second on average (2 by default: every
 *     learner acts every half second, still far faster than a person reads and answers
 *     a question), out of step with each other (measurePaced says why not autocannon's
 *     `connectionRate`);
 *   - certificate verification (GET /api/v1/verify/:code of demo certificates). It is
 *     limited to 20 per minute per client address: the app runs with TRUST_PROXY=true
 *     (behind a proxy, as deployed) and every request carries its own X-Forwarded-For,
 *     so the limiter still counts each one (a new counter document each time) but
 *     never refuses. With TRUST_PROXY the session cookie is Secure: every request says
 *     X-Forwarded-Proto: https, as the TLS-terminating proxy would;
 *   - participation statistics as a manager (GET /api/v1/stats/participation?by=sex).
 * Latencies are autocannon's per-response times (from writing the request to the end
 * of the response); errors are socket errors (timeouts included) and non-2xx answers.
 * Each connection sends its next request as soon as the last is answered, so at 50
 * connections the app is saturated and latency is mostly waiting in line: about
 * connections ÷ throughput (`--connections 1` gives the unloaded latency). That
 * closed-loop figure measures saturation, not what learners see; the paced quiz's
 * p50/p99 is the latency a cohort of that size sees while the app keeps up. CPU per
 * request of the server (the app, or the bare page) and of the engine (Linux:
 * /proc/<pid>/stat) is printed too: what a request costs, even when other processes
 * share the cores. Figures are printed, with each scenario's req/s and p99 as a ratio
 * to the bare page's and the issue's targets; nothing is asserted.
 * The paced run lasts `--paced-duration` seconds (30 by default), not `--duration`: in
 * 10 s its 50 learners send about 450 submits, and the p99 of 450 answers is the fifth
 * slowest, which moved by up to 30 ms between runs of the same build.
 * Options: --duration 10 --paced-duration 30 --connections 50 --learners 2000 --warmup 2 --pace 2
 *          --only catalog,lesson,quiz,quiz-paced,verify,stats (the bare page always runs)
 *          --profile DIR (app and engine run with --cpu-prof, profiles written to
 *          DIR/app and DIR/engine when they stop; each measured run's window on the
 *          profiles' clock is logged).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { connectDatabase } from '../src/db/connection.js';
import { generateDemoData } from '../src/demo/demo-data.js';
import { buildServices } from '../src/services.js';
import { createLogger } from '../src/shared/logger.js';
import { percentile, startStandaloneEngine } from './helpers.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    learners: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'string' },
    only: { type: 'string', default: 'catalog,lesson,quiz,quiz-paced,verify,stats' },
    pace: { type: 'string', default: '2' },
    'paced-duration': { type: 'string', default: '30' },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const DEMO_LEARNERS = Number(values.learners);
const WARM_UP = Number(values.warmup);
const PROFILE_DIR = values.profile ? resolve(values.profile) : undefined;
const ONLY = new Set(values.only.split(','));
/** Requests per second per connection in the paced scenario. */
const PACE = Number(values.pace);
const PACED_DURATION = Number(values['paced-duration']);

const COURSE = 'gestion-social-integral';
const PASSWORD = 'clave-del-banco-http-2026';
const MANAGER = { email: 'gestora.bench@example.org', password: PASSWORD };
/** What the proxy in front of the app adds to every request (TRUST_PROXY=true). */
const PROXY_HEADERS = { 'x-forwarded-proto': 'https' };

// autocannon has no types of its own: the little of it used here.
interface LoadRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?(request: LoadRequest, context: Record<string, unknown>): LoadRequest | null;
  onResponse?(status: number, body: string, context: Record<string, unknown>): void;
}
interface LoadClient {
  setRequests(requests: LoadRequest[]): void;
}
interface LoadResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
}
type Autocannon = (
  options: { url: string; connections: number; duration: number; requests: LoadRequest[]; setupClient?: (client: LoadClient) => void },
  done: (error: Error | null, result: LoadResult) => void,
) => EventEmitter;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const log = (message: string): void => void process.stderr.write(`${message}\n`);

// ---------------------------------------------------------------------------------------
// Processes

interface Child {
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Stops a child with SIGTERM, SIGKILL after 15 s; resolves at once if it is gone already. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/** A process whose output says `listening on http://…` (the bare page). */
async function startListening(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Child> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-20_000);
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`)));
  });
  return { url, pid: child.pid!, output: () => output, stop: () => stopChild(child) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}

/** The app on a port chosen here (at LOG_LEVEL=warn it prints no listening line), ready once /healthz answers. */
async function startApp(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const nodeOptions = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', join(PROFILE_DIR, 'app')] : [];
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'src/server.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) {
      await stopChild(child);
      throw new Error(`the app did not answer /healthz within 60 s:\n${output}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  return { url, pid: child.pid!, output: () => output, stop: () => stopChild(child) };
}

/** CPU seconds a process has used so far, all its threads (Linux: /proc/<pid>/stat, in ticks of 1/100 s); NaN elsewhere. */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1)!.trim().split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------------------------------
// Data: demo people and the bench's own

interface Prepared {
  certificateCodes: string[];
}

/** Demo data and the manager, written from this process straight to the engine. */
async function prepareDatabase(env: Record<string, string>): Promise<Prepared> {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const logger = createLogger('silent');
  const database = await connectDatabase(config, logger);
  try {
    const services = buildServices({ config, logger, database });
    // The indexes first, as the app has them before anyone writes.
    await Promise.all(Object.values(database.connection.models).map((model) => model.init()));
    await services.courses.importCourses();
    const started = performance.now();
    const summary = await generateDemoData(
      { connection: database.connection, courses: services.courses, institution: () => services.settings.institution(), clock: services.clock },
      { learners: DEMO_LEARNERS, seed: 1 },
    );
    log(
      `demo data: ${fmt(summary.learners)} learners, ${fmt(summary.enrollments)} enrollments, ${fmt(summary.certificates)} certificates, ` +
        `${fmt(summary.quizAttempts)} quiz attempts in ${fmt((performance.now() - started) / 1000, 1)} s`,
    );
    // As `npm run user:create -- --role manager` does.
    await services.accounts.auth.createSystemAccount({ email: MANAGER.email, roles: ['manager'], password: MANAGER.password });
    const certificates = await database.connection
      .db!.collection('certificates')
      .find({ status: 'valid' }, { projection: { code: 1 } })
      .limit(5_000)
      .toArray();
    return { certificateCodes: certificates.map((certificate) => String(certificate.code)) };
  } finally {
    await database.close();
  }
}

interface Learner {
  email: string;
  token: string;
  cookie: string;
}

async function api<T>(base: string, method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...PROXY_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function expectStatus<T>(what: string, expected: number, call: Promise<{ status: number; body: T }>): Promise<T> {
  const { status, body } = await call;
  if (status !== expected) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

async function bearerToken(base: string, email: string, password: string): Promise<string> {
  return (await expectStatus<{ token: string }>(`token for ${email}`, 201, api(base, 'POST', '/auth/tokens', { body: { email, password } }))).token;
}

function sessionCookieOf(response: Response): string | undefined {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .find((pair) => pair.startsWith('capacita.sid='));
}

/** Signs in through the login form as a browser does: the page (a session and its CSRF token), then the form. */
async function signInThroughForm(base: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${base}/login?next=/my-courses`, { headers: PROXY_HEADERS });
  const pageCookie = sessionCookieOf(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!pageCookie || !csrf) throw new Error('the login page gave no session cookie or no CSRF token');
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, cookie: pageCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/my-courses' }).toString(),
  });
  await response.text();
  const cookie = sessionCookieOf(response);
  if (response.status !== 303 || !cookie) throw new Error(`sign-in through the form for ${email}: ${response.status}`);
  return cookie;
}

async function inBatches<T>(count: number, batch: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let from = 0; from < count; from += batch) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - from) }, (_, offset) => make(from + offset)))));
  }
  return results;
}

/** One learner per connection: registered through the API, a token, enrolled, and a web session. */
async function bringLearners(base: string, count: number): Promise<Learner[]> {
  return inBatches(count, 10, async (index) => {
    const email = `aprendiz.${index + 1}@bench.example.org`;
    await expectStatus(`registration of ${email}`, 201, api(base, 'POST', '/accounts', {
      body: {
        email,
        password: PASSWORD,
        givenName: 'Aprendiz',
        familyName: 'Prueba de Carga',
        documentType: 'CC',
        documentNumber: `88${String(index + 1).padStart(8, '0')}`,
        sex: index % 2 === 0 ? 'female' : 'male',
        birthDate: '1990-06-15',
        departmentCode: '05',
        municipalityCode: '05001',
        actorType: 'public_servant',
        dataConsent: true,
      },
    }));
    const token = await bearerToken(base, email, PASSWORD);
    await expectStatus(`enrollment of ${email}`, 201, api(base, 'POST', `/courses/${COURSE}/enrollments`, { token, body: {} }));
    const cookie = await signInThroughForm(base, email, PASSWORD);
    return { email, token, cookie };
  });
}

type Answer = string | string[] | boolean | number | Record<string, string>;

/** The right answer to every question of the quiz, from the manager's view of it, in the submit's terms. */
async function rightAnswers(base: string, managerToken: string, quizId: string): Promise<Map<string, Answer>> {
  const quiz = await expectStatus<{ questions: Array<{ id: string; type: string; answer: unknown }> }>('the quiz as its manager sees it', 200, api(base, 'GET', `/quizzes/${quizId}`, { token: managerToken }));
  return new Map(
    quiz.questions.map(({ id, type, answer }): [string, Answer] => {
      if (type === 'short_answer') return [id, (answer as string[])[0]!];
      if (type === 'numeric') return [id, (answer as { value: number }).value];
      return [id, answer as Answer];
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Measuring

interface Measured {
  seconds: number;
  /** CPU seconds the server and the engine used during the run. */
  serverCpu: number;
  engineCpu: number;
  errors: number;
  timeouts: number;
  /** Per kind of request (the quiz has two): response times (ms) and answers other than 2xx. */
  kinds: Map<string, { times: number[]; non2xx: number }>;
}

/** The kind of the request whose response is being recorded: set by `onResponse`, read by the 'response' listener right after it. */
let answeredKind = '';

interface Target {
  url: string;
  serverPid: number;
  enginePid?: number;
}

async function measure({ url, serverPid, enginePid }: Target, seconds: number, requests: LoadRequest[], setupClient?: (client: LoadClient) => void): Promise<Measured> {
  const kinds = new Map<string, { times: number[]; non2xx: number }>();
  answeredKind = '';
  const serverCpuBefore = cpuSecondsOf(serverPid);
  const engineCpuBefore = cpuSecondsOf(enginePid);
  const result = await new Promise<LoadResult>((resolveRun, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, requests, ...(setupClient ? { setupClient } : {}) }, (error, done) =>
      error ? reject(error) : resolveRun(done),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      let kind = kinds.get(answeredKind);
      if (!kind) {
        kind = { times: [], non2xx: 0 };
        kinds.set(answeredKind, kind);
      }
      kind.times.push(responseTime);
      if (status < 200 || status >= 300) kind.non2xx += 1;
    });
  });
  const serverCpu = cpuSecondsOf(serverPid) - serverCpuBefore;
  const engineCpu = cpuSecondsOf(enginePid) - engineCpuBefore;
  for (const kind of kinds.values()) kind.times.sort((a, b) => a - b);
  return { seconds: result.duration, serverCpu, engineCpu, errors: result.errors, timeouts: result.timeouts, kinds };
}

/**
 * Learners at a human-like pace: each of `--connections` learners sends its requests in
 * turn (the same LoadRequest sequence autocannon runs) and, after each answer, waits
 * before the next one: 1/`rate` s on average, drawn uniformly between half and one and a
 * half of it, the first wait drawn within one interval so that the learners are out of
 * step. Not autocannon's `connectionRate`: it sends each connection's quota for the second
 * back to back on a one-second tick that every connection shares, so the 50 learners
 * arrive as one burst a second and the latency measured is that burst's queue. Times are
 * from the request to the end of its answer; each learner has a keep-alive connection.
 */
async function measurePaced({ url, serverPid, enginePid }: Target, seconds: number, sequences: LoadRequest[][], rate: number): Promise<Measured> {
  const kinds = new Map<string, { times: number[]; non2xx: number }>();
  let errors = 0;
  let timeouts = 0;
  const interval = 1000 / rate;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const pause = (ms: number): Promise<void> => new Promise((resolvePause) => setTimeout(resolvePause, ms));
  const serverCpuBefore = cpuSecondsOf(serverPid);
  const engineCpuBefore = cpuSecondsOf(enginePid);
  const learner = async (sequence: LoadRequest[]): Promise<void> => {
    const context: Record<string, unknown> = {};
    let step = 0;
    await pause(Math.random() * interval);
    while (performance.now() < deadline) {
      const planned = sequence[step]!;
      const request = planned.setupRequest ? planned.setupRequest({ ...planned }, context) : planned;
      if (!request) {
        step = 0; // nothing to send at this step (see the quiz's submit): back to the start
        continue;
      }
      const sent = performance.now();
      try {
        const response = await fetch(`${url}${request.path ?? '/'}`, {
          method: request.method ?? 'GET',
          headers: request.headers ?? {},
          ...(request.body === undefined ? {} : { body: request.body }),
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        const body = await response.text();
        const time = performance.now() - sent;
        answeredKind = '';
        planned.onResponse?.(response.status, body, context);
        let kind = kinds.get(answeredKind);
        if (!kind) {
          kind = { times: [], non2xx: 0 };
          kinds.set(answeredKind, kind);
        }
        kind.times.push(time);
        if (response.status < 200 || response.status >= 300) kind.non2xx += 1;
      } catch (error) {
        if (error instanceof Error && error.name === 'TimeoutError') timeouts += 1;
        errors += 1;
      }
      step = (step + 1) % sequence.length;
      await pause(interval * (0.5 + Math.random()));
    }
  };
  await Promise.all(sequences.map(learner));
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = cpuSecondsOf(serverPid) - serverCpuBefore;
  const engineCpu = cpuSecondsOf(enginePid) - engineCpuBefore;
  for (const kind of kinds.values()) kind.times.sort((a, b) => a - b);
  return { seconds: elapsed, serverCpu, engineCpu, errors, timeouts, kinds };
}

interface Row {
  /** The scenario it belongs to: socket errors are counted per scenario, not per kind of request. */
  group: string;
  scenario: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  responses: number;
  /** CPU milliseconds per response of the scenario (all its kinds together). */
  serverCpuPerResponse: number;
  engineCpuPerResponse: number;
}

function rowsOf(label: string, measured: Measured, kindLabels: Record<string, string> = { '': label }): Row[] {
  const responses = [...measured.kinds.values()].reduce((sum, kind) => sum + kind.times.length, 0);
  return Object.entries(kindLabels).map(([kind, scenario]) => {
    const { times, non2xx } = measured.kinds.get(kind) ?? { times: [], non2xx: 0 };
    return {
      group: label,
      scenario,
      requestsPerSecond: times.length / measured.seconds,
      p50: times.length ? percentile(times, 50) : NaN,
      p99: times.length ? percentile(times, 99) : NaN,
      errors: measured.errors,
      timeouts: measured.timeouts,
      non2xx,
      responses: times.length,
      serverCpuPerResponse: (measured.serverCpu * 1000) / responses,
      engineCpuPerResponse: (measured.engineCpu * 1000) / responses,
    };
  });
}

async function scenario(label: string, target: Target, requests: LoadRequest[], setupClient?: (client: LoadClient) => void, kindLabels?: Record<string, string>): Promise<Row[]> {
  log(`${label}: warm-up ${WARM_UP} s, then ${DURATION} s × ${CONNECTIONS} connections`);
  return measuredRows(label, kindLabels, (seconds) => measure(target, seconds, requests, setupClient));
}

/** The paced scenario: `--connections` learners (measurePaced), each `rate` requests per second on average. */
async function pacedScenario(label: string, target: Target, sequences: LoadRequest[][], rate: number, kindLabels: Record<string, string>): Promise<Row[]> {
  log(`${label}: warm-up ${WARM_UP} s, then ${PACED_DURATION} s × ${sequences.length} learners at ${rate} requests/s each`);
  return measuredRows(label, kindLabels, (seconds) => measurePaced(target, seconds, sequences, rate), PACED_DURATION);
}

async function measuredRows(label: string, kindLabels: Record<string, string> | undefined, run: (seconds: number) => Promise<Measured>, seconds = DURATION): Promise<Row[]> {
  if (WARM_UP > 0) await run(WARM_UP);
  // The measured run's window on the monotonic clock the CPU profiles use (µs), to read only its samples.
  const windowStart = process.hrtime.bigint() / 1000n;
  const rows = rowsOf(label, await run(seconds), kindLabels);
  if (PROFILE_DIR) log(`  profile window: ${windowStart}-${process.hrtime.bigint() / 1000n} µs`);
  for (const row of rows) log(`  ${row.scenario}: ${fmt(row.requestsPerSecond)} req/s, p99 ${fmt(row.p99, 1)} ms, errors ${row.errors}, non-2xx ${row.non2xx}`);
  return rows;
}

/** Gives each new connection the next learner, round the list. */
function perLearner(learners: Learner[], requestsFor: (learner: Learner) => LoadRequest[]): (client: LoadClient) => void {
  let next = 0;
  return (client) => {
    client.setRequests(requestsFor(learners[next % learners.length]!));
    next += 1;
  };
}

// ---------------------------------------------------------------------------------------

function printTable(rows: Row[], bare: Row): void {
  const header = ['scenario', 'req/s', 'p50 (ms)', 'p99 (ms)', 'socket errors', 'timeouts', 'non-2xx', 'req/s ÷ bare', 'p99 ÷ bare', 'server CPU ms/req', 'engine CPU ms/req'];
  const cells = rows.map((row) => [
    row.scenario,
    fmt(row.requestsPerSecond),
    fmt(row.p50, 1),
    fmt(row.p99, 1),
    fmt(row.errors),
    fmt(row.timeouts),
    fmt(row.non2xx),
    `${fmt(row.requestsPerSecond / bare.requestsPerSecond, 2)}×`,
    `${fmt(row.p99 / bare.p99, 1)}×`,
    fmt(row.serverCpuPerResponse, 2),
    Number.isNaN(row.engineCpuPerResponse) ? '–' : fmt(row.engineCpuPerResponse, 2),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: string[]): string => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n| ${widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}

async function main(): Promise<void> {
  const wallStarted = performance.now();
  const root = mkdtempSync(join(os.tmpdir(), 'capacita-bench-http-'));
  const stops: Array<() => Promise<void>> = [];
  let app: Child | undefined;
  const cleanUp = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      // The engine helper waits for an exit that never comes if the engine died: 20 s at most.
      const timeout = new Promise<void>((resolveTimeout) => setTimeout(resolveTimeout, 20_000).unref());
      await Promise.race([stop(), timeout]).catch((error: unknown) => log(`while stopping: ${String(error)}`));
    }
    stops.length = 0;
    rmSync(root, { recursive: true, force: true });
  };
  let isInterrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    isInterrupted = true;
    log(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // The shipped courses, but the bench course's quizzes without an attempt limit: 50 learners submit again and again.
    const coursesDir = join(root, 'courses');
    cpSync(resolve('courses'), coursesDir, { recursive: true });
    const courseFile = join(coursesDir, COURSE, 'course.yaml');
    const courseYaml = readFileSync(courseFile, 'utf8');
    const unlimited = courseYaml.replace(/^\s*attemptsAllowed:.*\n/gm, '');
    if (unlimited === courseYaml) throw new Error(`${COURSE}/course.yaml has no attemptsAllowed to lift: check the bench`);
    writeFileSync(courseFile, unlimited);

    const dbpath = join(root, 'db');
    mkdirSync(dbpath);
    const engine = await startStandaloneEngine(dbpath, PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', join(PROFILE_DIR, 'engine')] : []);
    stops.push(engine.stop);
    const env = {
      NODE_ENV: 'production',
      MONGODB_URI: engine.uri.replace('/?', '/capacita_bench_http?'),
      DATA_DIR: join(root, 'data'),
      COURSES_DIR: coursesDir,
      LOG_LEVEL: 'warn',
      // One app process (its CPU is read from its pid), whatever the caller's environment says.
      WEB_CONCURRENCY: '1',
      TRUST_PROXY: 'true',
      ADMIN_EMAIL: 'admin.bench@example.org',
      ADMIN_PASSWORD: PASSWORD,
    };
    const { certificateCodes } = await prepareDatabase(env);
    if (certificateCodes.length === 0) throw new Error('the demo data has no valid certificates to verify: use more --learners');

    app = await startApp(env);
    stops.push(app.stop);
    const base = app.url;
    const target: Target = { url: base, serverPid: app.pid, enginePid: engine.pid };
    const preparing = performance.now();
    const learners = await bringLearners(base, CONNECTIONS);
    const managerToken = await bearerToken(base, MANAGER.email, MANAGER.password);
    const course = await expectStatus<{ modules: Array<{ slug: string; lessons: Array<{ slug: string }>; quiz: { id: string } | null }> }>(
      'the course',
      200,
      api(base, 'GET', `/courses/${COURSE}`),
    );
    const firstModule = course.modules[0]!;
    const quizId = firstModule.quiz!.id;
    const lessonPath = `/courses/${COURSE}/lessons/${firstModule.lessons[0]!.slug}`;
    const answers = await rightAnswers(base, managerToken, quizId);
    log(`${learners.length} learners registered, enrolled and signed in (API and form) in ${fmt((performance.now() - preparing) / 1000, 1)} s`);

    const lessonPage = await fetch(`${base}${lessonPath}`, { headers: { ...PROXY_HEADERS, cookie: learners[0]!.cookie }, redirect: 'manual' });
    const lessonBytes = Buffer.byteLength(await lessonPage.text());
    if (lessonPage.status !== 200) throw new Error(`the lesson page answered ${lessonPage.status}`);
    const catalogBytes = Buffer.byteLength(await (await fetch(`${base}/courses`, { headers: PROXY_HEADERS })).text());

    const rows: Row[] = [];
    const bareServer = await startListening(['--import', 'tsx', 'bench/bare-server.ts', '--bytes', String(lessonBytes)], { ...process.env, NODE_ENV: 'production' });
    stops.push(bareServer.stop);
    const bareBytes = Buffer.byteLength(await (await fetch(bareServer.url)).text());
    const [bare] = await scenario('bare Express + EJS page', { url: bareServer.url, serverPid: bareServer.pid }, [{ method: 'GET', path: '/' }]);
    rows.push(bare!);
    await bareServer.stop();

    if (ONLY.has('catalog')) rows.push(...(await scenario('catalog page, anonymous', target, [{ method: 'GET', path: '/courses', headers: PROXY_HEADERS }])));

    if (ONLY.has('lesson')) {
      const lessonRequests = (learner: Learner): LoadRequest[] => [{ method: 'GET', path: lessonPath, headers: { ...PROXY_HEADERS, cookie: learner.cookie } }];
      rows.push(...(await scenario('lesson page, signed in', target, lessonRequests(learners[0]!), perLearner(learners, lessonRequests))));
    }

    const quizRequests = (learner: Learner): LoadRequest[] => {
      const authorization = `Bearer ${learner.token}`;
      return [
        {
          method: 'POST',
          path: `/api/v1/quizzes/${quizId}/attempts`,
          headers: { ...PROXY_HEADERS, authorization },
          onResponse(status, body, context) {
            answeredKind = 'start';
            if (status !== 200 && status !== 201) return;
            const started = JSON.parse(body) as { attemptId: string; questions: Array<{ id: string }> };
            context.attemptId = started.attemptId;
            context.body = JSON.stringify({ answers: Object.fromEntries(started.questions.map(({ id }) => [id, answers.get(id)])) });
          },
        },
        {
          method: 'POST',
          headers: { ...PROXY_HEADERS, authorization, 'content-type': 'application/json' },
          // No attempt to submit (its start failed): back to the start.
          setupRequest: (request, context) =>
            typeof context.attemptId === 'string' ? { ...request, path: `/api/v1/attempts/${context.attemptId}/submit`, body: String(context.body) } : null,
          onResponse() {
            answeredKind = 'submit';
          },
        },
      ];
    };
    if (ONLY.has('quiz')) {
      const kinds = { start: 'quiz start (POST …/attempts)', submit: 'quiz submit (POST …/submit)' };
      rows.push(...(await scenario('quiz', target, quizRequests(learners[0]!), perLearner(learners, quizRequests), kinds)));
    }
    if (ONLY.has('quiz-paced')) {
      const pace = `${CONNECTIONS} learners at ${fmt(PACE, 1)} req/s each`;
      const kinds = { start: `quiz start, paced: ${pace}`, submit: `quiz submit, paced: ${pace}` };
      const sequences = Array.from({ length: CONNECTIONS }, (_, index) => quizRequests(learners[index % learners.length]!));
      rows.push(...(await pacedScenario('quiz, paced', target, sequences, PACE, kinds)));
    }

    let verification = 0;
    const verifyRequest: LoadRequest = {
      method: 'GET',
      headers: PROXY_HEADERS,
      setupRequest: (request) => {
        verification += 1;
        // A client address of its own for each request: 10.a.b.c.
        const address = `10.${(verification >> 16) & 255}.${(verification >> 8) & 255}.${verification & 255}`;
        return { ...request, path: `/api/v1/verify/${certificateCodes[verification % certificateCodes.length]}`, headers: { ...PROXY_HEADERS, 'x-forwarded-for': address } };
      },
    };
    if (ONLY.has('verify')) rows.push(...(await scenario('certificate verification', target, [verifyRequest])));

    if (ONLY.has('stats')) {
      const statsRequest: LoadRequest = { method: 'GET', path: '/api/v1/stats/participation?by=sex', headers: { ...PROXY_HEADERS, authorization: `Bearer ${managerToken}` } };
      rows.push(...(await scenario('participation statistics (manager)', target, [statsRequest])));
    }

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(`\nHTTP benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpu}), ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
    process.stdout.write(
      `autocannon on loopback, ${CONNECTIONS} connections, ${DURATION} s per scenario (paced: ${PACED_DURATION} s) after ${WARM_UP} s of warm-up; app (NODE_ENV=production) and engine as their own processes; ` +
        `demo data of ${fmt(DEMO_LEARNERS)} learners\n`,
    );
    process.stdout.write(
      `pages: lesson ${fmt(lessonBytes)} B, bare ${fmt(bareBytes)} B, catalog ${fmt(catalogBytes)} B; quiz: ${answers.size} questions, right answers; verification: ${fmt(certificateCodes.length)} codes, one client address per request\n\n`,
    );
    printTable(rows, bare!);

    const lesson = rows.find((row) => row.scenario.startsWith('lesson'));
    const submit = rows.find((row) => row.scenario.startsWith('quiz submit (POST'));
    const pacedSubmit = rows.find((row) => row.scenario.startsWith('quiz submit, paced'));
    const socketErrors = [...new Map(rows.map((row) => [row.group, row.errors])).values()].reduce((sum, errors) => sum + errors, 0);
    const errorCount = socketErrors + rows.reduce((sum, row) => sum + row.non2xx, 0);
    const verdict = (isMet: boolean): string => (isMet ? 'met' : 'MISSED');
    process.stdout.write('\nTargets (issue 9):\n');
    if (lesson) process.stdout.write(`  lesson page ≥ 0.5 × the bare page's req/s: ${fmt(lesson.requestsPerSecond / bare!.requestsPerSecond, 2)}× — ${verdict(lesson.requestsPerSecond >= 0.5 * bare!.requestsPerSecond)}\n`);
    if (submit) process.stdout.write(`  quiz submit p99 < 50 ms at ${CONNECTIONS} concurrent learners, closed loop (saturation): ${fmt(submit.p99, 1)} ms — ${verdict(submit.p99 < 50)}\n`);
    if (pacedSubmit) {
      const verdictText = `${fmt(pacedSubmit.p99, 1)} ms (p50 ${fmt(pacedSubmit.p50, 1)} ms, ${fmt(pacedSubmit.responses)} submits) — ${verdict(pacedSubmit.p99 < 50)}`;
      process.stdout.write(`  quiz submit p99 < 50 ms at ${CONNECTIONS} concurrent learners, paced (${fmt(PACE, 1)} req/s each): ${verdictText}\n`);
    }
    process.stdout.write(`  zero errors (socket errors, timeouts, non-2xx): ${fmt(errorCount)} — ${verdict(errorCount === 0)}\n`);
    process.stdout.write(`\nwhole run ${fmt((performance.now() - wallStarted) / 1000, 0)} s\n`);
  } catch (error) {
    if (app && !isInterrupted) log(`app output (last lines):\n${app.output().split('\n').slice(-30).join('\n')}`);
    throw error;
  } finally {
    await cleanUp();
    if (PROFILE_DIR) log(`CPU profiles of the app and the engine in ${join(PROFILE_DIR, 'app')} and ${join(PROFILE_DIR, 'engine')}`);
  }
}

await main();
