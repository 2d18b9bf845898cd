import { expect } from 'chai';
import request from 'supertest';
import type { Document } from 'mongodb';
import { generateDemoData, hasDemoData, removeDemoData, DEMO_COLLECTIONS, type DemoSummary } from '../../../src/demo/demo-data.js';
import { ageBandOf } from '../../../src/shared/age-band.js';
import { isDepartment, isMunicipalityOf } from '../../../src/territories/index.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { registerAndSignIn, type SignedIn } from '../../helpers/factories.js';

const SNAPSHOT_FIELDS = ['sex', 'departmentCode', 'municipalityCode', 'actorType', 'ethnicGroup', 'disability', 'migrationStatus'] as const;

describe('demo data (npm run demo:data)', function () {
  this.timeout(120_000);
  let ctx: TestApp;
  let realLearner: SignedIn;
  let summary: DemoSummary;
  /** What was there before the demo: the real learner's account and enrollment, the courses. */
  let realCounts: Record<string, number>;
  const countAll = async () =>
    Object.fromEntries(await Promise.all([...DEMO_COLLECTIONS, 'courses'].map(async (name) => [name, await collection(name).countDocuments({})] as const)));
  const collection = (name: string) => ctx.database.connection.db!.collection(name);
  const generate = (seed: number) =>
    generateDemoData(
      { connection: ctx.database.connection, courses: ctx.services.courses, institution: () => ctx.services.settings.institution(), clock: ctx.services.clock },
      { learners: 300, seed },
    );

  before(async () => {
    ctx = await createTestApp();
    await ctx.services.courses.importCourses();
    // Someone real, enrolled, whom nothing about the demo may touch.
    realLearner = await registerAndSignIn(ctx.app);
    await request(ctx.app).post('/api/v1/courses/gestion-social-integral/enrollments').set(realLearner.auth).send({}).expect(201);
    realCounts = await countAll();
    summary = await generate(7);
  });
  after(() => ctx.close());

  it('writes the learners it reports, 70–85 % women, each in one to three of the shipped courses', async () => {
    const learners = await collection('users').find({ demo: true, roles: 'learner' }).toArray();
    expect(learners).to.have.length(300);
    expect(summary.learners).to.equal(300);
    const women = learners.filter((user) => user.sex === 'female').length / learners.length;
    expect(women).to.be.within(0.7, 0.85);
    expect(summary.women).to.equal(learners.filter((user) => user.sex === 'female').length);

    const enrollments = await collection('enrollments').find({ demo: true }).toArray();
    expect(enrollments).to.have.length(summary.enrollments);
    const perLearner = new Map<string, number>();
    for (const enrollment of enrollments) perLearner.set(String(enrollment.userId), (perLearner.get(String(enrollment.userId)) ?? 0) + 1);
    expect(perLearner.size).to.equal(300);
    expect(Math.min(...perLearner.values())).to.be.at.least(1);
    expect(Math.max(...perLearner.values())).to.be.at.most(3);
    const slugs = new Set((await ctx.services.courses.listCourses()).map((course) => course.slug));
    expect(enrollments.every((enrollment) => slugs.has(enrollment.courseSlug as string))).to.equal(true);
    const completed = enrollments.filter((enrollment) => enrollment.status === 'completed').length / enrollments.length;
    expect(completed).to.be.within(0.4, 0.65);
  });

  it('gives every learner a DIVIPOLA department and a municipality of it, and unique emails and documents', async () => {
    const learners = await collection('users').find({ demo: true, roles: 'learner' }).toArray();
    for (const user of learners) {
      expect(isDepartment(user.departmentCode as string), user.departmentCode as string).to.equal(true);
      expect(isMunicipalityOf(user.departmentCode as string, user.municipalityCode as string)).to.equal(true);
      expect(user.email).to.match(/^[a-z]+\.[a-z]+\.\d+@demo\.capacita\.invalid$/);
    }
    expect(new Set(learners.map((user) => user.email)).size).to.equal(learners.length);
    expect(new Set(learners.map((user) => `${user.documentType} ${user.documentNumber}`)).size).to.equal(learners.length);
    expect(learners.some((user) => /[áéíóúñÁÉÍÓÚÑ]/.test(`${user.givenName} ${user.familyName}`))).to.equal(true);
  });

  it('snapshots each enrollment from its learner, with the age band at enrollment', async () => {
    const users = new Map((await collection('users').find({ demo: true }).toArray()).map((user) => [String(user._id), user]));
    const enrollments = await collection('enrollments').find({ demo: true }).toArray();
    const bands = new Set<string>();
    for (const enrollment of enrollments) {
      const user = users.get(String(enrollment.userId))!;
      const profile = enrollment.profile as Document;
      for (const field of SNAPSHOT_FIELDS) expect(profile[field], field).to.equal(user[field]);
      expect(profile.ageBand).to.equal(ageBandOf(user.birthDate as Date, enrollment.enrolledAt as Date));
      bands.add(profile.ageBand as string);
    }
    expect([...bands].sort()).to.deep.equal(['18-28', '29-40', '41-59', '60+', '<18']);
  });

  it('certifies the completions of courses with certificates, and only those', async () => {
    const enrollments = await collection('enrollments').find({ demo: true }).toArray();
    const certificates = await collection('certificates').find({ demo: true }).toArray();
    const certified = enrollments.filter((enrollment) => enrollment.certified === true);
    expect(certified.every((enrollment) => enrollment.status === 'completed')).to.equal(true);
    expect(certificates).to.have.length(certified.length);
    expect(new Set(certificates.map((certificate) => String(certificate.enrollmentId)))).to.deep.equal(new Set(certified.map((enrollment) => String(enrollment._id))));
    expect(certificates.every((certificate) => /^CAP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/.test(certificate.code as string))).to.equal(true);
    const verified = await request(ctx.app).get(`/api/v1/verify/${certificates[0]!.code as string}`);
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
  });

  it('gives the same people for the same seed', async () => {
    const firstRun = await collection('users').find({ demo: true }, { projection: { _id: 1, email: 1, givenName: 1, birthDate: 1 } }).sort({ email: 1 }).toArray();
    await removeDemoData(ctx.database.connection);
    await generate(7);
    const secondRun = await collection('users').find({ demo: true }, { projection: { _id: 1, email: 1, givenName: 1, birthDate: 1 } }).sort({ email: 1 }).toArray();
    expect(secondRun.map((user) => `${String(user._id)} ${user.email} ${user.givenName}`)).to.deep.equal(firstRun.map((user) => `${String(user._id)} ${user.email} ${user.givenName}`));
  });

  it('--reset-demo removes the demo documents and nothing else', async () => {
    expect(await hasDemoData(ctx.database.connection)).to.equal(true);
    const removed = await removeDemoData(ctx.database.connection);
    expect(removed.users).to.equal(301); // the learners and the demo facilitator
    expect(await hasDemoData(ctx.database.connection)).to.equal(false);
    for (const name of DEMO_COLLECTIONS) expect(await collection(name).countDocuments({ demo: true }), name).to.equal(0);
    const me = await request(ctx.app).get('/api/v1/me/enrollments').set(realLearner.auth).expect(200);
    expect(me.body.items.map((item: { courseSlug: string }) => item.courseSlug)).to.deep.equal(['gestion-social-integral']);
    expect(await countAll()).to.deep.equal(realCounts);
  });
});
