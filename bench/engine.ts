/**
 * `npm run bench:engine`: the embedded engine through the official driver, beside the
 * same work done in-process on plain mingo arrays.
 *
 * The engine runs as its own process (`npm run db`), as when several app processes
 * share it, so client and server do not share an event loop. Figures are printed;
 * nothing is asserted. Options: --docs 100000 --clients 16 --lookups 20000.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aggregate, find, updateOne } from 'mingo';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { writeSnapshot } from '../src/db/engine/storage/snapshot.js';
import { percentile, startStandaloneEngine } from './helpers.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '16' },
    lookups: { type: 'string', default: '20000' },
    incs: { type: 'string', default: '50000' },
  },
});
const DOCS = Number(values.docs);
const CLIENTS = Number(values.clients);
const LOOKUPS = Number(values.lookups);
const INCS = Number(values.incs);

const DEPARTMENTS = ['05', '08', '11', '13', '15', '17', '18', '19', '20', '23', '25', '27', '41', '44', '47', '50', '52', '54', '63', '66', '68', '70', '73', '76', '81', '85', '86', '88', '91', '94', '95', '97', '99'];

function makeDocument(i: number): Document {
  return {
    _id: new ObjectId(),
    email: `persona${i}@example.org`,
    givenName: `Nombre ${i}`,
    sex: i % 100 < 80 ? 'female' : i % 100 < 97 ? 'male' : 'undisclosed',
    departmentCode: DEPARTMENTS[i % DEPARTMENTS.length],
    score: (i * 7919) % 101,
    counter: 0,
    enrolledAt: new Date(Date.UTC(2026, 0, 1) + (i % 300) * 86_400_000),
  };
}

async function engineCpuMicroseconds(client: MongoClient): Promise<number> {
  const status = await client.db('admin').command({ serverStatus: 1 });
  return Number(status.extra_info.user_time_us) + Number(status.extra_info.system_time_us);
}

/** Runs `total` operations spread over `workers` concurrent loops; returns ops/s. */
async function concurrently(total: number, workers: number, operation: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) await operation(i);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

function timeIt(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

const rows: Array<[string, string, string, string]> = [];
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** Engine time per operation ÷ in-process time per operation: above 1, the engine is slower. */
const ratio = (engineSeconds: number, plainSeconds: number): string => `${Number((engineSeconds / plainSeconds).toPrecision(3))}×`;

async function main(): Promise<void> {
  const dbpath = mkdtempSync(join(os.tmpdir(), 'capacita-bench-engine-'));
  const engine = await startStandaloneEngine(dbpath);
  const client = new MongoClient(engine.uri, { maxPoolSize: CLIENTS });
  await client.connect();
  const collection: Collection = client.db('bench').collection('people');
  await collection.createIndex({ email: 1 }, { unique: true });
  const docs = Array.from({ length: DOCS }, (_, i) => makeDocument(i));

  // Inserts: one insertOne per document, 16 in flight, each acknowledged after fdatasync.
  // On two cores the driver's side is the limit; the engine's own CPU time per insert
  // (from serverStatus) says what the engine alone could take on one core.
  const engineCpuBefore = await engineCpuMicroseconds(client);
  const insertRate = await concurrently(DOCS, CLIENTS, (i) => collection.insertOne({ ...docs[i]! }));
  const engineCpuPerInsert = ((await engineCpuMicroseconds(client)) - engineCpuBefore) / DOCS;
  const plainDocs: Document[] = [];
  const plainEmails = new Map<string, Document>();
  const plainInsertMs = timeIt(() => {
    for (const doc of docs) {
      if (plainEmails.has(doc.email as string)) throw new Error('duplicate');
      plainEmails.set(doc.email as string, doc);
      plainDocs.push({ ...doc });
    }
  });
  const plainInsertRate = DOCS / (plainInsertMs / 1000);
  rows.push([`insertOne, ${CLIENTS} clients, journaled (docs/s)`, fmt(insertRate), fmt(plainInsertRate), ratio(1 / insertRate, 1 / plainInsertRate)]);
  rows.push(['  engine CPU per insert (µs) → inserts/s one engine core can take', `${fmt(engineCpuPerInsert, 1)} → ${fmt(1e6 / engineCpuPerInsert)}`, '', '']);

  // Indexed findOne latency, one request at a time.
  const latencies: number[] = [];
  for (let i = 0; i < LOOKUPS; i += 1) {
    const email = `persona${(i * 104_729) % DOCS}@example.org`;
    const started = performance.now();
    const found = await collection.findOne({ email });
    latencies.push(performance.now() - started);
    if (!found) throw new Error(`missing ${email}`);
  }
  latencies.sort((a, b) => a - b);
  const plainLookups = Math.min(200, LOOKUPS);
  const plainLookupMs = timeIt(() => {
    for (let i = 0; i < plainLookups; i += 1) find(plainDocs, { email: `persona${(i * 104_729) % DOCS}@example.org` }).next();
  }) / plainLookups;
  rows.push(['findOne by indexed email p50 (ms)', fmt(percentile(latencies, 50), 3), fmt(plainLookupMs, 3), ratio(percentile(latencies, 50), plainLookupMs)]);
  rows.push(['findOne by indexed email p99 (ms)', fmt(percentile(latencies, 99), 3), '', '']);

  // $inc on random documents by _id, 16 in flight.
  const ids = docs.map((doc) => doc._id as ObjectId);
  const incRate = await concurrently(INCS, CLIENTS, (i) => collection.updateOne({ _id: ids[(i * 7919) % DOCS] }, { $inc: { counter: 1 } }));
  const plainIncs = Math.min(200, INCS);
  const plainIncMs = timeIt(() => {
    for (let i = 0; i < plainIncs; i += 1) updateOne(plainDocs, { _id: ids[(i * 7919) % DOCS] }, { $inc: { counter: 1 } });
  });
  const plainIncRate = plainIncs / (plainIncMs / 1000);
  rows.push([`updateOne $inc by _id, ${CLIENTS} clients (ops/s)`, fmt(incRate), fmt(plainIncRate), ratio(1 / incRate, 1 / plainIncRate)]);

  // $group over the whole collection.
  const pipeline = [{ $group: { _id: { department: '$departmentCode', sex: '$sex' }, people: { $sum: 1 }, meanScore: { $avg: '$score' } } }];
  const groupTimes: number[] = [];
  const plainTimes: number[] = [];
  for (let round = 0; round < 7; round += 1) {
    let started = performance.now();
    const result = await collection.aggregate(pipeline).toArray();
    groupTimes.push(performance.now() - started);
    started = performance.now();
    const plain = aggregate(plainDocs, pipeline);
    plainTimes.push(performance.now() - started);
    if (result.length !== plain.length) throw new Error('group results differ');
  }
  groupTimes.sort((a, b) => a - b);
  plainTimes.sort((a, b) => a - b);
  const groupMs = percentile(groupTimes, 50);
  const plainGroupMs = percentile(plainTimes, 50);
  rows.push([`$group by department and sex over ${fmt(DOCS)} docs (ms, median of 7)`, fmt(groupMs, 1), fmt(plainGroupMs, 1), ratio(groupMs, plainGroupMs)]);

  await client.close();
  await engine.stop();

  // A snapshot, as the engine writes one when its journal passes 64 MiB, here in this
  // process: how long it takes and the longest any command would have waited for it.
  const snapshotDir = join(dbpath, 'snapshot-bench');
  mkdirSync(snapshotDir);
  let longestWait = 0;
  let lastTick = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestWait = Math.max(longestWait, now - lastTick - 1);
    lastTick = now;
  }, 1);
  const snapshotStarted = performance.now();
  await writeSnapshot(join(snapshotDir, 'snapshot.00000001.bson'), 1, [{ db: 'bench', name: 'people', options: {}, indexes: [], docs: plainDocs }]);
  const snapshotMs = performance.now() - snapshotStarted;
  clearInterval(ticker);
  rows.push([`snapshot of ${fmt(DOCS)} docs, in process (ms)`, fmt(snapshotMs, 0), '', '']);
  rows.push(['  longest wait of the event loop meanwhile (ms)', fmt(longestWait, 1), '', '']);
  rmSync(dbpath, { recursive: true, force: true });

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`\nEmbedded engine benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpu}), Node ${process.version}\n`);
  process.stdout.write(`${fmt(DOCS)} documents, engine as a separate process, driver over loopback TCP\n\n`);
  const header: [string, string, string, string] = ['measure', 'engine (driver)', 'plain mingo in-process', 'engine ÷ mingo, time per op'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (row: string[]): string => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  process.stdout.write('\nplain mingo has no index: its findOne and $inc scan the array, so there the engine is the faster one.\n');
}

await main();
