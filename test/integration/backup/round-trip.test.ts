import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import request from 'supertest';
import { startJobScheduler } from '../../../src/jobs/index.js';
import type { Actor } from '../../../src/shared/authorization.js';
import { createLogger } from '../../../src/shared/logger.js';
import type { ParticipationQuery } from '../../../src/reports/index.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { uriForDatabase } from '../../helpers/database.js';
import { COHORT_A2, COURSE_A, COURSE_B, insertParticipationFixture, staff } from '../reports/statistics-fixture.js';
import { contentsOf, runBackupCli, useBackupSuite, type CliRun, type DatabaseContents } from './backup-helpers.js';

/** Statistics whose every number depends on the restored enrollments, courses and cohorts. */
const QUERIES: ParticipationQuery[] = [
  {},
  { by: ['departmentCode', 'sex'] },
  { by: ['ageBand'], course: COURSE_A },
  { by: ['actorType', 'sex'], cohort: COHORT_A2.toHexString() },
  { by: ['ethnicGroup', 'disability'], from: new Date('2026-02-01T05:00:00Z'), to: new Date('2026-03-31T05:00:00Z') },
  { by: ['sex', 'ageBand'], department: '05', k: 5 },
  { by: ['migrationStatus', 'municipalityCode'], course: COURSE_B },
];

async function statisticsOf(ctx: TestApp, actor: Actor) {
  return {
    participation: await Promise.all(QUERIES.map((query) => ctx.services.statistics.participation(actor, query))),
    overTime: await ctx.services.statistics.enrollmentsOverTime(actor, {}),
  };
}

/** Polls until the application's indexes are all built (mongoose and connect-mongo create them in the background). */
async function indexesSettled(ctx: TestApp): Promise<void> {
  const connection = ctx.database.connection;
  await Promise.all(Object.values(connection.models).map((model) => model.init()));
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const sessionIndexes = await connection.collection('sessions').listIndexes().toArray().catch(() => []);
    if (sessionIndexes.some((index) => index.expireAfterSeconds !== undefined)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the sessions TTL index never appeared');
}

describe('npm run db:dump, then db:restore into another database', function () {
  this.timeout(120_000);
  const suite = useBackupSuite('backup_round');
  let source: TestApp;
  let target: TestApp | undefined;
  let manager: { id: string; auth: { Authorization: string } };
  let actor: Actor;
  let dump: CliRun;
  let restore: CliRun;
  let targetName: string;
  let sourceContents: DatabaseContents;
  let targetContents: DatabaseContents;

  before(async () => {
    source = await createTestApp();
    await source.services.courses.importCourses();
    await insertParticipationFixture(source);
    manager = await staff(source, 'manager');
    actor = { id: manager.id, email: 'manager@example.org', roles: ['manager'] };
    // A web session (the sign-in form stores its CSRF token) and the job scheduler's documents.
    await request(source.app).get('/login').expect(200);
    const scheduler = await startJobScheduler({
      connection: source.database.connection,
      logger: createLogger('silent'),
      jobs: [{ name: 'backup-test:hourly', intervalMs: 3_600_000, run: async () => undefined }],
    });
    await scheduler.stop();
    await indexesSettled(source);

    const directory = suite.directory();
    const file = join(directory, 'capacita.ndjson.gz');
    dump = await runBackupCli('db:dump', ['--out', file], source.database.connection.name, directory);
    targetName = suite.databaseName();
    restore = await runBackupCli('db:restore', [file], targetName, directory);
    sourceContents = await contentsOf(source.database.connection.db!);
    targetContents = await contentsOf(suite.client().db(targetName));
  });
  after(async () => {
    await source?.close();
    await target?.close();
  });

  it('both commands succeed and say what they did', () => {
    expect(dump.code, dump.output).to.equal(0);
    expect(dump.output).to.match(/^dumped database \S+: \d+ collections, [\d,]+ documents, [\d.]+ (B|KiB|MiB) to \S+capacita\.ndjson\.gz in [\d.]+ s$/m);
    expect(restore.code, restore.output).to.equal(0);
    expect(restore.output).to.match(new RegExp(`^restored \\S+ \\([\\d.]+ (B|KiB|MiB)\\) into database ${targetName}: \\d+ collections, [\\d,]+ documents in [\\d.]+ s$`, 'm'));
  });

  it('restores every collection document for document, with every index definition', () => {
    const names = Object.keys(sourceContents.documents);
    expect(names).to.include.members(['enrollments', 'courses', 'users', 'sessions', 'scheduled_jobs']);
    expect(sourceContents.documents.enrollments).to.have.length(40);
    expect(sourceContents.documents.sessions).to.have.length.above(0);
    expect(sourceContents.documents.scheduled_jobs).to.have.length.above(0);
    expect(Object.keys(targetContents.documents)).to.deep.equal(names);
    for (const name of names) {
      expect(targetContents.documents[name], `documents of ${name}`).to.deep.equal(sourceContents.documents[name]);
      expect(targetContents.indexes[name], `indexes of ${name}`).to.deep.equal(sourceContents.indexes[name]);
    }
    const allIndexes = Object.values(targetContents.indexes).flat();
    expect(allIndexes.some((index) => index.unique === true && (index.key as unknown[]).length > 1), 'a compound unique index').to.equal(true);
    expect(allIndexes.some((index) => index.expireAfterSeconds !== undefined), 'a TTL index').to.equal(true);
  });

  it('gives the same statistics on the restored database, through the service and to the same API token', async () => {
    const expected = await statisticsOf(source, actor);
    expect(expected.participation[0]!.totals.enrolled).to.equal(40);
    target = await createTestApp({ MONGODB_URI: uriForDatabase(targetName) });
    expect(await statisticsOf(target, actor)).to.deep.equal(expected);
    const api = await request(target.app).get('/api/v1/stats/participation?by=departmentCode,sex').set(manager.auth).expect(200);
    expect(api.body).to.deep.equal(JSON.parse(JSON.stringify(expected.participation[1])));
  });
});

describe('npm run db:dump of an empty database', function () {
  this.timeout(60_000);
  const suite = useBackupSuite('backup_empty');

  it('writes a dump of no collections, which restores to an empty database', async () => {
    const directory = suite.directory();
    const file = join(directory, 'empty.gz');
    const dump = await runBackupCli('db:dump', ['--out', file], suite.databaseName(), directory);
    expect(dump.code, dump.output).to.equal(0);
    expect(dump.output).to.match(/: 0 collections, 0 documents, /);
    const [header, trailer, end] = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
    expect(JSON.parse(header!)).to.include({ format: 'capacita-dump', version: 1 }).and.to.have.property('collections').that.deep.equals([]);
    expect(JSON.parse(trailer!)).to.deep.equal({ end: true, collections: [], documents: 0 });
    expect(end).to.equal('');
    expect(existsSync(`${file}.partial`)).to.equal(false);

    const target = suite.databaseName();
    const restore = await runBackupCli('db:restore', [file], target, directory);
    expect(restore.code, restore.output).to.equal(0);
    expect(restore.output).to.match(/: 0 collections, 0 documents in /);
    expect(await suite.client().db(target).listCollections().toArray()).to.deep.equal([]);
  });
});
