import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { newCertificateCode } from '../../../src/certificates/certificate-code.js';
import type { SignedIn } from '../../helpers/factories.js';
import {
  COURSE,
  COURSE_TITLE,
  UNCERTIFIED_COURSE,
  certificateMailsTo,
  completeLessons,
  createCertificatesWorld,
  enroll,
  learner,
  myCertificates,
  pdfText,
  staffAccount,
  verify,
  type CertificatesWorld,
} from './certificates-world.js';

/**
 * After issuance: the PDF for its holder and managers only, public verification (typed
 * forgivingly, limited per address), revocation, re-issue and manual issuance with their
 * audit fields — always at most one valid certificate per person and course — and the
 * managers' search.
 */
describe('certificates after issuance', function () {
  this.timeout(60_000);
  let world: CertificatesWorld;
  let addressCount = 0;
  /** An address of its own for each use, so that verification limits never mix between tests. */
  const freshAddress = (): string => {
    addressCount += 1;
    return `198.51.${Math.floor(addressCount / 250)}.${addressCount % 250}`;
  };

  before(async () => {
    world = await createCertificatesWorld();
  });
  after(async () => {
    await world.close();
  });

  /** A learner who completed the course, and the code of their certificate. */
  const certifiedLearner = async (overrides: Record<string, unknown> = {}): Promise<{ person: SignedIn & { documentNumber: string }; code: string }> => {
    const person = await learner(world.ctx, overrides);
    await enroll(world.ctx, person);
    await completeLessons(world.ctx, person);
    const [certificate] = await myCertificates(world.ctx, person);
    return { person, code: certificate!.code };
  };
  const validCount = (userId: string) =>
    world.ctx.database.connection.collection('certificates').countDocuments({ userId: new Types.ObjectId(userId), courseSlug: COURSE, status: 'valid' });
  const post = (path: string, auth: { Authorization: string }, body: object) => request(world.ctx.app).post(path).set(auth).send(body);

  describe('the PDF', () => {
    it('its holder and a manager download it; another learner is told it does not exist, and so is an unknown code', async () => {
      const { ctx, manager } = world;
      const { person, code } = await certifiedLearner();
      const mine = await request(ctx.app)
        .get(`/api/v1/certificates/${code}/pdf`)
        .set(person.auth)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(mine.headers['content-type']).to.equal('application/pdf');
      expect(mine.headers['content-disposition']).to.include(`certificado-${code}.pdf`);
      expect(await pdfText(mine.body as Buffer)).to.include(code);
      await request(ctx.app).get(`/api/v1/certificates/${code.toLowerCase()}/pdf`).set(manager.auth).expect(200);
      const admin = await staffAccount(ctx, 'admin');
      await request(ctx.app).get(`/api/v1/certificates/${code}/pdf`).set(admin.auth).expect(200);

      const other = await learner(ctx);
      const refused = await request(ctx.app).get(`/api/v1/certificates/${code}/pdf`).set(other.auth).expect(404);
      const unknown = await request(ctx.app).get(`/api/v1/certificates/${newCertificateCode()}/pdf`).set(other.auth).expect(404);
      expect(refused.body.error.code).to.equal('not_found');
      expect(refused.body.error.message).to.equal(unknown.body.error.message);
      await request(ctx.app).get(`/api/v1/certificates/${code}/pdf`).expect(401);
    });
  });

  describe('verification', () => {
    it('answers the holder, the masked document, the course, hours and date, without a sign-in', async () => {
      const { person, code } = await certifiedLearner();
      const response = await verify(world.ctx, code, freshAddress()).expect(200);
      expect(response.body).to.have.all.keys('code', 'status', 'holderName', 'documentNumberMasked', 'courseTitle', 'hours', 'issuedAt');
      expect(response.body).to.include({ code, status: 'valid', holderName: "María José Gómez O'Neill", courseTitle: COURSE_TITLE, hours: 12 });
      const digits = person.documentNumber;
      expect(response.body.documentNumberMasked).to.equal(`${'*'.repeat(digits.length - 3)}${digits.slice(-3)}`);
      expect(response.body.issuedAt).to.match(/^\d{4}-\d\d-\d\dT/);
    });

    it('forgives how a person types the code: case, spaces, missing dashes or prefix, O for 0 and I or L for 1', async () => {
      const { code } = await certifiedLearner();
      const compact = code.replace(/-/g, '');
      const variants = [code.toLowerCase(), compact, ` ${code.slice(0, 8)} ${code.slice(9)} `, code.slice(4), code.replace(/0/g, 'O').replace(/1/g, 'l').toLowerCase()];
      for (const typed of variants) {
        const response = await verify(world.ctx, typed, freshAddress());
        expect(response.status, `typed as "${typed}"`).to.equal(200);
        expect(response.body.code).to.equal(code);
      }
    });

    it('200 random well-formed codes are not found, and neither is anything malformed', async () => {
      for (let index = 0; index < 200; index += 1) {
        const response = await verify(world.ctx, newCertificateCode(), freshAddress());
        expect(response.status).to.equal(404);
        expect(response.body.error.code).to.equal('not_found');
      }
      for (const malformed of ['CAP-1234', 'CAP-UUUU-UUUU', 'x'.repeat(300), '%00']) {
        expect((await verify(world.ctx, malformed, freshAddress())).status, malformed).to.equal(404);
      }
    });

    it('answers 429 with Retry-After to a flood from one address, counting every request, found or not; other addresses go on', async () => {
      const { code } = await certifiedLearner();
      const flooder = freshAddress();
      const statuses: number[] = [];
      for (let index = 0; index < 25; index += 1) statuses.push((await verify(world.ctx, index % 2 === 0 ? code : newCertificateCode(), flooder)).status);
      expect(statuses.slice(0, 20).every((status) => status === 200 || status === 404)).to.equal(true);
      expect(statuses.slice(20)).to.deep.equal([429, 429, 429, 429, 429]);
      const limited = await verify(world.ctx, code, flooder).expect(429);
      expect(limited.body.error.code).to.equal('rate_limited');
      expect(Number(limited.headers['retry-after'])).to.be.within(1, 60);
      await verify(world.ctx, code, freshAddress()).expect(200);
    });
  });

  describe('revocation', () => {
    it('a manager revokes with a reason; the code then verifies as revoked with it, and the learner keeps it listed as revoked', async () => {
      const { ctx, manager } = world;
      const { person, code } = await certifiedLearner();
      await post(`/api/v1/certificates/${code}/revoke`, person.auth, { reason: 'No' }).expect(403);
      await post(`/api/v1/certificates/${code}/revoke`, manager.auth, {}).expect(400);
      const revoked = await post(`/api/v1/certificates/${code}/revoke`, manager.auth, { reason: 'Expedido por error: la persona no asistió.' }).expect(200);
      expect(revoked.body).to.include({ code, status: 'revoked', revokedBy: manager.id, revokedReason: 'Expedido por error: la persona no asistió.' });

      const verified = await verify(ctx, code, freshAddress()).expect(200);
      expect(verified.body).to.include({ code, status: 'revoked', revokedReason: 'Expedido por error: la persona no asistió.' });
      expect(await myCertificates(ctx, person)).to.deep.equal([{ code, courseSlug: COURSE, issuedAt: revoked.body.issuedAt, status: 'revoked' }]);
      const [enrollment] = (await request(ctx.app).get('/api/v1/me/enrollments').set(person.auth).expect(200)).body.items;
      expect(enrollment.certificateCode).to.equal(null);

      // Again: 200, unchanged. And the completion announced again does not bring it back.
      const again = await post(`/api/v1/certificates/${code}/revoke`, manager.auth, { reason: 'Otra razón' }).expect(200);
      expect(again.body).to.deep.equal(revoked.body);
      await ctx.services.enrollments.republishPendingCompletions();
      const enrollmentId = (await ctx.services.enrollments.enrollmentOf(person.id, COURSE))!.id;
      await ctx.services.certificates.issueOnCompletion({ enrollmentId, userId: person.id, courseSlug: COURSE, completedAt: ctx.services.clock.now() });
      expect(await validCount(person.id)).to.equal(0);
      await post(`/api/v1/certificates/${newCertificateCode()}/revoke`, manager.auth, { reason: 'x' }).expect(404);
    });
  });

  describe('re-issue', () => {
    it('issues the current facts under a new code, revokes the old one pointing to it, mails the new one, and keeps one valid', async () => {
      const { ctx, manager } = world;
      const { person, code: oldCode } = await certifiedLearner();
      await request(ctx.app).patch('/api/v1/me').set(person.auth).send({ familyName: 'Gómez Ospina' }).expect(200);

      const response = await post(`/api/v1/certificates/${oldCode}/reissue`, manager.auth, { note: 'Corrección del apellido a pedido de la persona.' }).expect(201);
      const reissued = response.body;
      expect(reissued.code).to.not.equal(oldCode);
      expect(reissued).to.include({
        status: 'valid',
        holderName: 'María José Gómez Ospina',
        issueReason: 'reissue',
        issuedBy: manager.id,
        issueNote: 'Corrección del apellido a pedido de la persona.',
        replaces: oldCode,
      });
      const old = (await verify(ctx, oldCode, freshAddress()).expect(200)).body;
      expect(old).to.include({ status: 'revoked', holderName: "María José Gómez O'Neill", revokedReason: `Reemitido como ${reissued.code}` });
      expect((await verify(ctx, reissued.code, freshAddress()).expect(200)).body).to.include({ status: 'valid', holderName: 'María José Gómez Ospina' });
      expect(await validCount(person.id)).to.equal(1);
      const [enrollment] = (await request(ctx.app).get('/api/v1/me/enrollments').set(person.auth).expect(200)).body.items;
      expect(enrollment.certificateCode).to.equal(reissued.code);

      const mails = await certificateMailsTo(world, person);
      const reissueMail = mails.find((mail) => mail.attachments[0]!.filename === `certificado-${reissued.code}.pdf`);
      expect(reissueMail!.subject).to.equal(`Tu certificado, reemitido: ${COURSE_TITLE}`);
      expect(reissueMail!.text).to.include(oldCode);
      expect(await pdfText(reissueMail!.attachments[0]!.content)).to.include('María José Gómez Ospina');

      // The old one cannot be re-issued again; the new one can.
      const refused = await post(`/api/v1/certificates/${oldCode}/reissue`, manager.auth, { note: 'Otra vez' }).expect(409);
      expect(refused.body.error.details).to.include({ reason: 'revoked', replacedBy: reissued.code });
      await post(`/api/v1/certificates/${reissued.code}/reissue`, person.auth, { note: 'Yo mismo' }).expect(403);
    });

    it('repeating a re-issue a crash cut short (old revoked, new never written) completes it under the code the old one names', async () => {
      const { ctx, manager } = world;
      const { person, code: oldCode } = await certifiedLearner();
      const promised = newCertificateCode();
      await ctx.database.connection.collection('certificates').updateOne(
        { code: oldCode },
        {
          $set: { status: 'revoked', revokedAt: ctx.services.clock.now(), revokedBy: new Types.ObjectId(manager.id), revokedReason: `Reemitido como ${promised}`, replacedBy: promised },
          $unset: { currentKey: '' },
        },
      );
      expect(await validCount(person.id)).to.equal(0);
      const resumed = await post(`/api/v1/certificates/${oldCode}/reissue`, manager.auth, { note: 'Se repite la reemisión interrumpida.' }).expect(201);
      expect(resumed.body).to.include({ code: promised, replaces: oldCode, status: 'valid' });
      expect(await validCount(person.id)).to.equal(1);
    });
  });

  describe('manual issuance', () => {
    it('issues for someone who completed offline, with who did it and why; refuses a second valid one; completion later issues nothing more', async () => {
      const { ctx, manager } = world;
      const person = await learner(ctx);
      const body = { userId: person.id, courseSlug: COURSE, completedAt: '2026-03-14', note: 'Asistió al curso presencial en Pasto (acta 12).' };
      await post('/api/v1/certificates', person.auth, body).expect(403);
      const issued = (await post('/api/v1/certificates', manager.auth, body).expect(201)).body;
      expect(issued).to.include({ status: 'valid', userId: person.id, courseSlug: COURSE, issueReason: 'manual', issuedBy: manager.id, issueNote: body.note, cohortId: null });
      expect(issued.completedAt).to.equal('2026-03-14T17:00:00.000Z');
      expect(await pdfText((await ctx.services.certificates.certificatePdf({ id: person.id, email: person.email, roles: ['learner'] }, issued.code)).pdf)).to.include('14 de marzo de 2026');
      expect((await certificateMailsTo(world, person)).map((mail) => mail.attachments[0]!.filename)).to.deep.equal([`certificado-${issued.code}.pdf`]);

      const again = await post('/api/v1/certificates', manager.auth, body).expect(409);
      expect(again.body.error.details).to.include({ reason: 'already_certified', code: issued.code });
      await enroll(ctx, person);
      await completeLessons(ctx, person);
      expect(await validCount(person.id)).to.equal(1);
      expect((await myCertificates(ctx, person)).map((certificate) => certificate.code)).to.deep.equal([issued.code]);
    });

    it('refuses a course without certificates, an unknown person, a date to come and a missing note', async () => {
      const { ctx, manager } = world;
      const person = await learner(ctx);
      const body = { userId: person.id, courseSlug: COURSE, completedAt: '2026-03-14', note: 'Acta 13.' };
      expect((await post('/api/v1/certificates', manager.auth, { ...body, courseSlug: UNCERTIFIED_COURSE }).expect(409)).body.error.details.reason).to.equal('certificates_disabled');
      await post('/api/v1/certificates', manager.auth, { ...body, courseSlug: 'no-existe' }).expect(404);
      expect((await post('/api/v1/certificates', manager.auth, { ...body, userId: 'ffffffffffffffffffffffff' }).expect(400)).body.error.details.fields).to.have.property('userId');
      const future = new Date(ctx.services.clock.now().getTime() + 3 * 86_400_000).toISOString();
      expect((await post('/api/v1/certificates', manager.auth, { ...body, completedAt: future }).expect(400)).body.error.details.fields).to.have.property('completedAt');
      expect((await post('/api/v1/certificates', manager.auth, { ...body, note: ' ' }).expect(400)).body.error.details.fields).to.have.property('note');
      expect(await validCount(person.id)).to.equal(0);
    });
  });

  describe('the managers\' list', () => {
    it('finds by name without minding accents or case, by document and by code; filters by course and status; pages newest first', async () => {
      const { ctx, manager } = world;
      const { person, code } = await certifiedLearner({ givenName: 'Ñusta Valentina', familyName: 'Quiñónez Ibáñez' });
      const list = (query: Record<string, string | number>) => request(ctx.app).get('/api/v1/certificates').query(query).set(manager.auth).expect(200);

      // The code's first four characters: two (CAP-7K) can match another certificate of this suite (1 in 1,024 for each), which failed a full run once.
      for (const q of ['quinonez ibanez', 'ÑUSTA', person.documentNumber, code.toLowerCase().replace(/-/g, ''), code.slice(0, 8)]) {
        const found = (await list({ q })).body.items.map((item: { code: string }) => item.code);
        expect(found, `searching "${q}"`).to.deep.equal([code]);
      }
      const listed = (await list({ q: 'quiñónez' })).body.items[0];
      expect(listed).to.include({ code, holderName: 'Ñusta Valentina Quiñónez Ibáñez', documentType: 'CC', documentNumber: person.documentNumber, courseSlug: COURSE, issueReason: 'completion' });
      expect((await list({ q: 'quinonez', status: 'revoked' })).body.items).to.deep.equal([]);
      expect((await list({ q: 'quinonez', courseSlug: UNCERTIFIED_COURSE })).body.items).to.deep.equal([]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ code: string; issuedAt: string }>; nextCursor: string | null } = (await list({ limit: 2, ...(cursor ? { cursor } : {}) })).body;
        expect(page.items.length).to.be.at.most(2);
        seen.push(...page.items.map((item) => item.code));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).to.equal(seen.length);
      const everything = (await list({ limit: 200 })).body;
      expect(everything.nextCursor).to.equal(null);
      expect(seen).to.deep.equal(everything.items.map((item: { code: string }) => item.code));
      const issuedTimes = everything.items.map((item: { issuedAt: string }) => item.issuedAt);
      expect(issuedTimes).to.deep.equal([...issuedTimes].sort().reverse());

      await request(ctx.app).get('/api/v1/certificates').query({ cursor: 'nonsense' }).set(manager.auth).expect(400);
      await request(ctx.app).get('/api/v1/certificates').set(person.auth).expect(403);
    });
  });

  describe('a deleted account', () => {
    it('leaves its certificates verifiable as issued', async () => {
      const { ctx } = world;
      const { person, code } = await certifiedLearner();
      await request(ctx.app).delete('/api/v1/me').set(person.auth).send({ password: person.password }).expect(204);
      expect((await verify(ctx, code, freshAddress()).expect(200)).body).to.include({ status: 'valid', holderName: "María José Gómez O'Neill" });
    });
  });
});

