import { expect } from 'chai';
import request from 'supertest';
import { startJobScheduler, type JobScheduler, type PeriodicJob } from '../../../src/jobs/index.js';
import type { Services } from '../../../src/services.js';
import { createLogger } from '../../../src/shared/logger.js';
import { TestClock, createTestApp, secondInstance, type SecondInstance, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { staffToken } from '../live-sessions/live-sessions-helpers.js';

const COURSE = 'curso-de-prueba';
const HOUR = 3_600_000;

/**
 * Two app instances on one database, each running the job scheduler for real (agenda,
 * polling every 50 ms, the reminder job due every 200 ms): each reminder is queued once.
 */
describe('the job scheduler in two app instances', function () {
  this.timeout(60_000);
  const clock = new TestClock();
  let fixture: CourseFixture;
  let ctx: TestApp;
  let second: SecondInstance;

  before(async () => {
    fixture = courseFixture(sampleCourseFiles());
    ctx = await createTestApp({ COURSES_DIR: fixture.root }, clock);
    await ctx.services.courses.importCourses();
    second = await secondInstance(ctx, clock);
  });
  after(async () => {
    await second.close();
    await ctx.close();
    fixture.cleanUp();
  });

  /** Starts both schedulers with quick intervals; resolves once the reminders job has run `runs` times in all. */
  async function runSchedulers(runs: number): Promise<void> {
    let count = 0;
    let reached!: () => void;
    const enough = new Promise<void>((resolve) => (reached = resolve));
    const quick = (services: Services): PeriodicJob[] =>
      services.jobs.map((job) => ({
        ...job,
        intervalMs: 200,
        run: async () => {
          await job.run();
          if (job.name === 'live-sessions:reminders' && ++count === runs) reached();
        },
      }));
    const schedulers: JobScheduler[] = await Promise.all(
      [ctx, second].map((instance) => startJobScheduler({ connection: instance.database.connection, logger: createLogger('silent'), jobs: quick(instance.services), pollIntervalMs: 50 })),
    );
    await enough;
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
  }

  it('queues each reminder once, and keeps one job document per job', async () => {
    const manager = await staffToken(ctx, 'manager');
    const learners = await Promise.all([registerAndSignIn(ctx.app), registerAndSignIn(ctx.app), registerAndSignIn(ctx.app)]);
    for (const learner of learners) await request(ctx.app).post(`/api/v1/courses/${COURSE}/enrollments`).set(learner.auth).send({}).expect(201);
    const startsAt = new Date(Math.ceil((clock.now().getTime() + 3 * 24 * HOUR) / HOUR) * HOUR);
    const created = await request(ctx.app)
      .post(`/api/v1/courses/${COURSE}/live-sessions`)
      .set(manager.auth)
      .send({ title: 'Preguntas y respuestas', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR).toISOString(), modality: 'virtual', meetingUrl: 'https://meet.example.org/qa' })
      .expect(201);

    clock.advance(startsAt.getTime() - clock.now().getTime() - 23 * HOUR);
    await runSchedulers(6);
    clock.advance(22 * HOUR + 30 * 60_000);
    await runSchedulers(6);

    const outbox = ctx.database.connection.collection('outbox_mails');
    const keys = (await outbox.find({ idempotencyKey: { $regex: `^live-session:${created.body.id}:reminder` } }, { projection: { idempotencyKey: 1, to: 1 } }).toArray()).map(
      (mail) => `${String(mail.idempotencyKey).split(':')[2]} ${String(mail.to)}`,
    );
    expect(keys.sort()).to.deep.equal(learners.flatMap((learner) => [`reminder1h ${learner.email}`, `reminder24h ${learner.email}`]).sort());
    const jobs = await ctx.database.connection.collection('scheduled_jobs').find({}, { projection: { name: 1 } }).toArray();
    expect(jobs.map((job) => job.name).sort()).to.deep.equal(ctx.services.jobs.map((job) => job.name).sort());
  });
});
