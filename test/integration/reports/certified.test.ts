import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { COURSE, completeLessons, createCertificatesWorld, enroll, learner, myCertificates, type CertificatesWorld } from '../certificates/certificates-world.js';

/**
 * "Certified" is a mark on the enrollment that the certificates module keeps in step
 * with the certificates, so that the statistics count it in their one aggregation.
 */
describe('the enrollment\'s certified mark follows its certificates', function () {
  this.timeout(30_000);
  let world: CertificatesWorld;
  before(async () => {
    world = await createCertificatesWorld();
  });
  after(async () => {
    await world.close();
  });

  const markOf = async (userId: string): Promise<unknown> =>
    (await world.ctx.database.connection.collection('enrollments').findOne({ userId: new Types.ObjectId(userId), courseSlug: COURSE }))?.certified;
  const certifiedCount = async (): Promise<number> =>
    (await request(world.ctx.app).get(`/api/v1/stats/participation?course=${COURSE}`).set(world.manager.auth).expect(200)).body.totals.certified;

  it('is set on issuance at completion, cleared on revocation, set again by manual issuance and kept through a re-issue', async () => {
    const person = await learner(world.ctx);
    await enroll(world.ctx, person);
    expect(await markOf(person.id)).to.equal(false);

    await completeLessons(world.ctx, person);
    const [issued] = await myCertificates(world.ctx, person);
    expect(await markOf(person.id)).to.equal(true);
    expect(await certifiedCount()).to.equal(1);

    await request(world.ctx.app).post(`/api/v1/certificates/${issued!.code}/revoke`).set(world.manager.auth).send({ reason: 'Emitido por error' }).expect(200);
    expect(await markOf(person.id)).to.equal(false);
    expect(await certifiedCount()).to.equal(0);
    // Revoking again changes nothing, the mark included.
    await request(world.ctx.app).post(`/api/v1/certificates/${issued!.code}/revoke`).set(world.manager.auth).send({ reason: 'Otra vez' }).expect(200);
    expect(await markOf(person.id)).to.equal(false);

    const manual = await request(world.ctx.app)
      .post('/api/v1/certificates')
      .set(world.manager.auth)
      .send({ userId: person.id, courseSlug: COURSE, completedAt: '2026-01-15', note: 'Terminó en la sesión presencial' })
      .expect(201);
    expect(await markOf(person.id)).to.equal(true);

    await request(world.ctx.app).post(`/api/v1/certificates/${manual.body.code}/reissue`).set(world.manager.auth).send({ note: 'Nombre corregido' }).expect(201);
    expect(await markOf(person.id)).to.equal(true);
    expect(await certifiedCount()).to.equal(1);
  });

  it('is set right again at start-up when a crash fell between a certificate and its mark', async () => {
    const person = await learner(world.ctx);
    await enroll(world.ctx, person);
    await completeLessons(world.ctx, person);
    const enrollments = world.ctx.database.connection.collection('enrollments');
    await enrollments.updateOne({ userId: new Types.ObjectId(person.id), courseSlug: COURSE }, { $set: { certified: false } });
    const stranger = await learner(world.ctx);
    await enroll(world.ctx, stranger);
    await enrollments.updateOne({ userId: new Types.ObjectId(stranger.id), courseSlug: COURSE }, { $set: { certified: true } });

    const repaired = await world.ctx.services.certificates.reconcileCertifiedEnrollments();
    expect(repaired).to.deep.equal({ marked: 1, cleared: 1 });
    expect(await markOf(person.id)).to.equal(true);
    expect(await markOf(stranger.id)).to.equal(false);
    expect(await world.ctx.services.certificates.reconcileCertifiedEnrollments()).to.deep.equal({ marked: 0, cleared: 0 });
  });
});
