import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import {
  BASE_URL,
  COURSE,
  COURSE_TITLE,
  INSTITUTION,
  UNCERTIFIED_COURSE,
  certificateMailsTo,
  completeLessons,
  createCertificatesWorld,
  enroll,
  learner,
  myCertificates,
  outboxCertificateMails,
  pdfText,
  type CertificatesWorld,
} from './certificates-world.js';

const CODE = /^CAP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/**
 * Issuance: on completion, exactly once however the completion is announced (50 at
 * once, again after a crash), mailed with the PDF through the outbox to a real SMTP
 * server, and the mail a crash left finished by the job.
 */
describe('certificate issuance', function () {
  this.timeout(60_000);
  let world: CertificatesWorld;

  before(async () => {
    world = await createCertificatesWorld();
  });
  after(async () => {
    await world.close();
  });

  const storedCertificates = (userId: string) =>
    world.ctx.database.connection.collection('certificates').find({ userId: new Types.ObjectId(userId) }).toArray();

  it('completing the last lesson issues the certificate and mails it as a PDF with the name, document, course, hours and code', async () => {
    const { ctx } = world;
    const person = await learner(ctx);
    await enroll(ctx, person);
    await request(ctx.app).post(`/api/v1/courses/${COURSE}/lessons/inicio/complete`).set(person.auth).expect(200);
    expect(await myCertificates(ctx, person)).to.deep.equal([]);
    await request(ctx.app).post(`/api/v1/courses/${COURSE}/lessons/cierre/complete`).set(person.auth).expect(200);

    const [listed, ...others] = await myCertificates(ctx, person);
    expect(others).to.have.length(0);
    expect(listed).to.have.all.keys('code', 'courseSlug', 'issuedAt', 'status');
    expect(listed!.code).to.match(CODE);
    expect(listed).to.include({ courseSlug: COURSE, status: 'valid' });
    const code = listed!.code;
    const [enrollment] = (await request(ctx.app).get('/api/v1/me/enrollments').set(person.auth).expect(200)).body.items;
    expect(enrollment).to.include({ courseSlug: COURSE, status: 'completed', certificateCode: code });

    const [mail, ...moreMails] = await certificateMailsTo(world, person);
    expect(moreMails).to.have.length(0);
    expect(mail!.subject).to.equal(`Tu certificado: ${COURSE_TITLE}`);
    expect(mail!.text).to.include("Hola, María José Gómez O'Neill:");
    expect(mail!.text).to.include(code);
    expect(mail!.text).to.include(`${BASE_URL}/verify/${code}`);
    expect(mail!.html).to.include(`<a href="${BASE_URL}/verify/${code}">`);
    const [attachment] = mail!.attachments;
    expect(attachment).to.include({ filename: `certificado-${code}.pdf`, contentType: 'application/pdf' });
    // Case aside: the layout may set a line in capitals.
    const text = (await pdfText(attachment!.content)).toLowerCase();
    for (const printed of ["María José Gómez O'Neill", 'Cédula de ciudadanía', person.documentNumber, COURSE_TITLE, '12 horas', code, 'Bogotá D.C.', INSTITUTION, 'Ana Pérez Quiñones', 'Luis Ángel Núñez']) {
      expect(text).to.include(printed.toLowerCase());
    }

    // The same certificate in the person's data export.
    const exported = (await request(ctx.app).get('/api/v1/me/export').set(person.auth).expect(200)).body.certificates;
    expect(exported).to.have.length(1);
    expect(exported[0]).to.include({ code, courseSlug: COURSE, holderName: "María José Gómez O'Neill", documentNumber: person.documentNumber, issueReason: 'completion' });
  });

  it('50 simultaneous announcements of one completion issue one certificate and queue one mail', async () => {
    const { ctx } = world;
    const person = await learner(ctx);
    const enrollmentId = await enroll(ctx, person);
    const completion = { enrollmentId, userId: person.id, courseSlug: COURSE, completedAt: ctx.services.clock.now() };
    const results = await Promise.all(Array.from({ length: 50 }, () => ctx.services.events.publish('enrollment.completed', completion)));
    expect(results.map((result) => result.failures)).to.deep.equal(Array.from({ length: 50 }, () => 0));
    const stored = await storedCertificates(person.id);
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ status: 'valid', issueReason: 'completion', mailPending: false });
    expect(String(stored[0]!.enrollmentId)).to.equal(enrollmentId);
    expect(await outboxCertificateMails(ctx, person)).to.equal(1);
    // And once more, later, as a retry would: still one.
    await ctx.services.certificates.issueOnCompletion(completion);
    expect(await storedCertificates(person.id)).to.have.length(1);
    expect(await certificateMailsTo(world, person)).to.have.length(1);
  });

  it('a completion stored but never announced (a crash) is issued by the start-up republication, once, in the person\'s language', async () => {
    const { ctx } = world;
    const person = await learner(ctx, {}, 'en');
    const enrollmentId = await enroll(ctx, person);
    // What a process that died right after recording the completion leaves behind.
    await ctx.database.connection
      .collection('enrollments')
      .updateOne(
        { _id: new Types.ObjectId(enrollmentId) },
        { $set: { status: 'completed', completedAt: ctx.services.clock.now(), completedLessons: ['inicio', 'cierre'], completionPublishedAt: null } },
      );
    expect(await storedCertificates(person.id)).to.have.length(0);

    await ctx.services.enrollments.republishPendingCompletions();
    const [certificate] = await myCertificates(ctx, person);
    expect(certificate).to.include({ courseSlug: COURSE, status: 'valid' });
    expect(await ctx.services.enrollments.republishPendingCompletions()).to.equal(0);
    expect(await storedCertificates(person.id)).to.have.length(1);
    const [mail, ...more] = await certificateMailsTo(world, person);
    expect(more).to.have.length(0);
    expect(mail!.subject).to.equal(`Your certificate: ${COURSE_TITLE}`);
    expect(mail!.text).to.include(certificate!.code);
  });

  it('a course without certificates completes without issuing one', async () => {
    const { ctx } = world;
    const person = await learner(ctx);
    await enroll(ctx, person, UNCERTIFIED_COURSE);
    await completeLessons(ctx, person, UNCERTIFIED_COURSE);
    const [enrollment] = (await request(ctx.app).get('/api/v1/me/enrollments').set(person.auth).expect(200)).body.items;
    expect(enrollment).to.include({ courseSlug: UNCERTIFIED_COURSE, status: 'completed', certificateCode: null });
    expect(await myCertificates(ctx, person)).to.deep.equal([]);
    expect(await outboxCertificateMails(ctx, person)).to.equal(0);
  });

  it('the pending-mail job finishes a mail a crash left unqueued, but only once the issuing request has had its 15 seconds', async () => {
    const { ctx } = world;
    const person = await learner(ctx);
    await enroll(ctx, person);
    await completeLessons(ctx, person);
    const [certificate] = await myCertificates(ctx, person);
    // The crash: the certificate stored, its mail never queued.
    await ctx.database.connection.collection('outbox_mails').deleteMany({ to: person.email });
    await ctx.database.connection.collection('certificates').updateOne({ code: certificate!.code }, { $set: { mailPending: true } });
    const job = ctx.services.jobs.find((candidate) => candidate.name === 'certificates:pending-mail');
    expect(job, 'the job is scheduled').to.not.equal(undefined);
    expect(job!.intervalMs).to.equal(15_000);

    await job!.run();
    expect(await outboxCertificateMails(ctx, person)).to.equal(0);
    world.clock.advance(5_000);
    await job!.run();
    expect(await outboxCertificateMails(ctx, person), 'still within the grace').to.equal(0);

    world.clock.advance(11_000);
    await job!.run();
    expect(await outboxCertificateMails(ctx, person)).to.equal(1);
    expect((await ctx.database.connection.collection('certificates').findOne({ code: certificate!.code }))!.mailPending).to.equal(false);
    const [mail] = await certificateMailsTo(world, person);
    expect(mail!.attachments[0]!.filename).to.equal(`certificado-${certificate!.code}.pdf`);
    expect(await pdfText(mail!.attachments[0]!.content)).to.include(certificate!.code);
    // Run again: nothing left to do.
    await job!.run();
    expect(await outboxCertificateMails(ctx, person)).to.equal(1);
  });
});
