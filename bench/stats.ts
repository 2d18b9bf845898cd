/**
 * `npm run bench:stats`: participation statistics (issue 8) over 100,000 and then
 * 1,000,000 enrollments, through the statistics service as a manager asks for them,
 * beside a hand-written single pass over the same documents held in this process.
 *
 * The engine runs as its own process (`npm run db`); the service talks to it through
 * mongoose over loopback TCP, as the app does. Enrollments are written straight to
 * their collection (the only one the queries read), with the demo data's population
 * (src/demo). Figures are printed; nothing is asserted.
 * Options: --sizes 100000,1000000 --runs 30.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ObjectId, type Document } from 'mongodb';
import { loadConfig } from '../src/config.js';
import { connectDatabase } from '../src/db/connection.js';
import { profileSnapshotOf } from '../src/demo/demo-data.js';
import { personFactory } from '../src/demo/people.js';
import { seededRandom } from '../src/demo/random.js';
import { buildServices } from '../src/services.js';
import type { Actor } from '../src/shared/authorization.js';
import { createLogger } from '../src/shared/logger.js';
import type { Dimension, ParticipationResult } from '../src/reports/index.js';
import { percentile, startStandaloneEngine } from './helpers.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    runs: { type: 'string', default: '30' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const RUNS = Number(values.runs);
const WARM_UP = 3;
const INSERT_BATCH = 10_000;
const DAY = 86_400_000;

const COURSES = ['gestion-social-integral', 'enfoques-diferenciales-genero-inclusion', 'estrategias-desarrollo-gestion-social', 'induccion-conyuges-gobernantes-alcaldes'];
const LESSONS = Array.from({ length: 12 }, (_, index) => `leccion-${index + 1}`);
const MODULES = ['modulo-1', 'modulo-2', 'modulo-3', 'modulo-4'];

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** An enrollment as the app stores it, about 55 % completed, a year of history. */
function makeEnrollments(from: number, to: number, now: Date, random: ReturnType<typeof seededRandom>, people: ReturnType<typeof personFactory>): Document[] {
  const documents: Document[] = [];
  for (let index = from; index < to; index += 1) {
    const person = people.person(index + 1, random, now);
    const enrolledAt = new Date(now.getTime() - random.next() * 365 * DAY);
    const isCompleted = random.chance(0.55);
    const done = isCompleted ? LESSONS.length : random.int(LESSONS.length);
    const attended = random.chance(0.4) ? random.between(1, 4) : 0;
    documents.push({
      _id: random.objectId(enrolledAt),
      userId: random.objectId(enrolledAt),
      courseSlug: random.pick(COURSES),
      cohortId: null,
      status: isCompleted ? 'completed' : 'active',
      enrolledAt,
      enrolledBy: 'self',
      completedLessons: LESSONS.slice(0, done),
      passedQuizzes: MODULES.slice(0, isCompleted ? MODULES.length : Math.floor(done / 3)),
      attendedSessions: attended,
      ...(done > 0 || random.chance(0.5) ? { lastActivityAt: new Date(enrolledAt.getTime() + DAY) } : {}),
      ...(isCompleted ? { completedAt: new Date(enrolledAt.getTime() + 30 * DAY), completionPublishedAt: new Date(enrolledAt.getTime() + 30 * DAY) } : {}),
      certified: isCompleted && random.chance(0.95),
      profile: profileSnapshotOf(person, enrolledAt),
    });
  }
  return documents;
}

interface Counts {
  enrolled: number;
  active: number;
  completed: number;
  certified: number;
  attendedLiveSessions: number;
}

/**
 * The same counts in one pass over plain objects: what the aggregation is measured
 * against (its definitions: participation-counts.ts in src/enrollments).
 */
function countInLoop(documents: Document[], dimensions: readonly Dimension[]): Map<string, Counts> {
  const groups = new Map<string, Counts>();
  for (const document of documents) {
    const profile = document.profile as Record<string, string | undefined>;
    const key = dimensions.length === 1 ? (profile[dimensions[0]!] ?? '') : dimensions.map((dimension) => profile[dimension] ?? '').join('|');
    let group = groups.get(key);
    if (!group) {
      group = { enrolled: 0, active: 0, completed: 0, certified: 0, attendedLiveSessions: 0 };
      groups.set(key, group);
    }
    const isCompleted = document.status === 'completed';
    const hasAttended = (document.attendedSessions as number) >= 1;
    group.enrolled += 1;
    if (document.lastActivityAt != null || isCompleted || hasAttended) group.active += 1;
    if (isCompleted) group.completed += 1;
    if (document.certified === true) group.certified += 1;
    if (hasAttended) group.attendedLiveSessions += 1;
  }
  return groups;
}

/** The service's non-empty groups, keyed as the loop keys them: both must say the same. */
function sameCounts(result: ParticipationResult, loop: Map<string, Counts>, dimensions: readonly Dimension[]): boolean {
  const groups = result.groups.filter((group) => (group.enrolled ?? 0) > 0);
  if (groups.length !== loop.size) return false;
  return groups.every((group) => {
    const counts = loop.get(dimensions.map((dimension) => group.key[dimension] ?? '').join('|'));
    return counts !== undefined && (['enrolled', 'active', 'completed', 'certified', 'attendedLiveSessions'] as const).every((measure) => counts[measure] === group[measure]);
  });
}

async function timed(runs: number, work: () => Promise<unknown> | unknown): Promise<number[]> {
  for (let run = 0; run < WARM_UP; run += 1) await work();
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const dbpath = mkdtempSync(join(os.tmpdir(), 'capacita-bench-stats-'));
  const dataDir = mkdtempSync(join(os.tmpdir(), 'capacita-bench-stats-app-'));
  // A million enrollments take a few GB in the engine: more heap than Node's default.
  const engine = await startStandaloneEngine(dbpath, ['--max-old-space-size=12000']);
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATA_DIR: dataDir, MONGODB_URI: engine.uri.replace('/?', '/bench_stats?') });
  const logger = createLogger('silent');
  const database = await connectDatabase(config, logger);
  const services = buildServices({ config, logger, database });
  // The enrollments' indexes (the statistics' among them) exist before the load, as in the app.
  await Promise.all(Object.values(database.connection.models).map((model) => model.init()));
  const enrollments = database.connection.db!.collection('enrollments');
  const manager: Actor = { id: new ObjectId().toHexString(), email: 'bench@example.org', roles: ['manager'] };
  const random = seededRandom(2026);
  const people = personFactory();
  const now = new Date();

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`\nParticipation statistics benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpu}), ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
  process.stdout.write(`statistics.participation as a manager (mongoose → engine process over loopback TCP), ${RUNS} runs after ${WARM_UP} warm-up ones\n\n`);
  // Rows are printed as they are measured (load figures on stderr): if the largest size fails, the others remain.
  const header = ['enrollments', 'query', 'groups', 'service p50 (ms)', 'service p95 (ms)', 'loop p50 (ms)', 'loop p95 (ms)', 'service ÷ loop (p50)'];
  const queries: Array<[string, Dimension[]]> = [['by sex', ['sex']], ['by department × sex', ['departmentCode', 'sex']]];
  // Widths fixed up-front, as rows are printed one at a time: the labels, and sizes up to 10,000,000.
  const widths = header.map((title, column) => Math.max(title.length, column === 1 ? Math.max(...queries.map(([label]) => label.length)) : 10));
  const line = (row: string[]): string => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |\n`);
  let loaded = 0;
  for (const size of SIZES) {
    const loadStarted = performance.now();
    for (; loaded < size; loaded = Math.min(size, loaded + INSERT_BATCH)) {
      await enrollments.insertMany(makeEnrollments(loaded, Math.min(size, loaded + INSERT_BATCH), now, random, people), { ordered: false });
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const readStarted = performance.now();
    const inMemory = await enrollments.find({}).toArray();
    const readSeconds = (performance.now() - readStarted) / 1000;
    process.stderr.write(`${fmt(size)} enrollments: loaded up to it in ${fmt(loadSeconds, 1)} s, read back into this process in ${fmt(readSeconds, 1)} s; engine RSS ${fmt(await engineRssMegabytes(database))} MB\n`);

    for (const [label, by] of queries) {
      let result: ParticipationResult | undefined;
      const serviceTimes = await timed(RUNS, async () => {
        result = await services.statistics.participation(manager, { by });
      });
      let loop = new Map<string, Counts>();
      const loopTimes = await timed(RUNS, () => {
        loop = countInLoop(inMemory, by);
      });
      if (!result || !sameCounts(result, loop, by)) throw new Error(`${label}: the service and the loop disagree`);
      process.stdout.write(`${line([
        `${fmt(size)}`,
        label,
        `${result.groups.length}`,
        fmt(percentile(serviceTimes, 50), 1),
        fmt(percentile(serviceTimes, 95), 1),
        fmt(percentile(loopTimes, 50), 1),
        fmt(percentile(loopTimes, 95), 1),
        `${Number((percentile(serviceTimes, 50) / percentile(loopTimes, 50)).toPrecision(3))}×`,
      ])}\n`);
    }
  }

  await database.close();
  await engine.stop();
  rmSync(dbpath, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}

async function engineRssMegabytes(database: Awaited<ReturnType<typeof connectDatabase>>): Promise<number> {
  const status = await database.connection.db!.admin().command({ serverStatus: 1 });
  return Number(status.mem?.resident ?? 0);
}

await main();
