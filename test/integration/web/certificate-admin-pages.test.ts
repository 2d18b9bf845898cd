import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import yauzl from 'yauzl';
import { maskDocumentNumber } from '../../../src/certificates/certificates.service.js';
import type { Actor } from '../../../src/shared/authorization.js';
import { formatDate } from '../../../src/web/dates.js';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture } from '../../helpers/course-fixture.js';
import type { SignedIn } from '../../helpers/factories.js';
import { accountWithRoles, signInThroughForm, webSession, type WebSession } from '../../helpers/web-session.js';
import {
  BASE_URL,
  COURSE,
  COURSE_TITLE,
  INSTITUTION,
  UNCERTIFIED_COURSE,
  completeLessons,
  learner,
  myCertificates,
  pdfText,
  staffAccount,
  verify,
  writeCourses,
  type Staff,
} from '../certificates/certificates-world.js';

/**
 * The managers' certificate pages (/admin/certificates): the list with its search,
 * filters and pages; a certificate's facts and history; revocation and re-issue from
 * it; manual issuance; the ZIP of a course's or cohort's PDFs. Managers only, CSRF on
 * every form.
 */

const DAY_MS = 86_400_000;

type Person = SignedIn & { documentNumber: string };

/** Collects a binary body (PDF, ZIP) instead of letting supertest parse it. */
function binary(response: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}

/** The entries of a ZIP, read back with a strict reader (CRCs and the central directory are checked). */
function zipEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (openError, zipfile) => {
      if (openError || !zipfile) return reject(openError ?? new Error('not a zip'));
      const entries = new Map<string, Buffer>();
      zipfile.on('error', reject);
      zipfile.on('end', () => resolve(entries));
      zipfile.on('entry', (entry: yauzl.Entry) => {
        zipfile.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zipfile.readEntry();
          });
        });
      });
      zipfile.readEntry();
    });
  });
}

/** The table's rows, as the text of each (tags dropped, spaces collapsed). */
function rowsOf(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((match) => match[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

const codesIn = (html: string): string[] => [...html.matchAll(/<th scope="row"><a href="\/admin\/certificates\/(CAP-[0-9A-Z]{4}-[0-9A-Z]{4})">/g)].map((match) => match[1]!);
const unescaped = (html: string): string => html.replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&quot;/g, '"');

describe('the managers\' certificate pages', function () {
  this.timeout(120_000);
  const fixture = courseFixture();
  writeCourses(fixture);
  const clock = new TestClock();
  /** The certificates suites' courses, in an app of its own: without their proxy setting, so that session cookies work over plain HTTP. */
  let world: { ctx: TestApp; clock: TestClock; manager: Staff };
  /** `name` is how the list names them, `audit` how a certificate's history does (name and address). */
  let manager: { actor: Actor; name: string; audit: string; session: WebSession };
  let cohortId: string;
  /** The public verification, in a window of its own: it is limited per address and minute, and every request here comes from one. */
  const verified = (code: string) => {
    clock.advance(61_000);
    return verify(world.ctx, code, 'ignored: no proxy is trusted here');
  };

  before(async () => {
    const ctx = await createTestApp({ COURSES_DIR: fixture.root, BASE_URL, INSTITUTION_NAME: INSTITUTION }, clock);
    await ctx.services.courses.importCourses();
    world = { ctx, clock, manager: await staffAccount(ctx, 'manager') };
    const credentials = await accountWithRoles(world.ctx.services, ['manager']);
    const [found] = (await world.ctx.services.accounts.service.listUsers({ search: credentials.email, limit: 1 })).items;
    const contact = (await world.ctx.services.accounts.service.contactsOf([found!.id])).get(found!.id);
    manager = {
      actor: { id: found!.id, email: credentials.email, roles: ['manager'] },
      name: contact!.name,
      audit: `${contact!.name} (${credentials.email})`,
      session: await signInThroughForm(world.ctx.app, credentials),
    };
    const now = world.clock.now().getTime();
    const cohort = await world.ctx.services.enrollments.createCohort(COURSE, {
      name: 'Cohorte Pasto 2026',
      enrollmentOpensAt: new Date(now - 30 * DAY_MS),
      enrollmentClosesAt: new Date(now + 30 * DAY_MS),
      startsAt: new Date(now - 7 * DAY_MS),
      endsAt: new Date(now + 60 * DAY_MS),
    });
    cohortId = cohort.id;
  });
  after(async () => {
    await world.ctx.close();
    fixture.cleanUp();
  });

  const services = () => world.ctx.services;
  const agent = () => manager.session.agent;

  /** Someone given a certificate by hand, as the course's completion in a workshop would be recorded. */
  async function certifiedByHand(overrides: Record<string, unknown> = {}, note = 'Asistió al taller presencial de Pasto; acta 12.'): Promise<{ person: Person; code: string }> {
    const person = await learner(world.ctx, overrides);
    // Distinct issue times: the list is newest first.
    world.clock.advance(1_000);
    const issued = await services().certificates.issueManually(manager.actor, { userId: person.id, courseSlug: COURSE, completedAt: new Date(world.clock.now().getTime() - DAY_MS), note });
    return { person, code: issued.code };
  }

  /** Someone who enrolled in the cohort and completed the course online. */
  async function certifiedInCohort(overrides: Record<string, unknown> = {}): Promise<{ person: Person; code: string }> {
    const person = await learner(world.ctx, overrides);
    await request(world.ctx.app).post(`/api/v1/courses/${COURSE}/enrollments`).set(person.auth).send({ cohortId }).expect(201);
    world.clock.advance(1_000);
    await completeLessons(world.ctx, person);
    const [certificate] = await myCertificates(world.ctx, person);
    return { person, code: certificate!.code };
  }

  async function downloadZip(path: string, session: WebSession | undefined = manager.session, auth?: { Authorization: string }): Promise<{ response: request.Response; entries: Map<string, Buffer> }> {
    let call = session && !auth ? session.agent.get(path) : request(world.ctx.app).get(path);
    if (auth) call = call.set(auth);
    const response = await call.buffer(true).parse(binary).expect(200);
    return { response, entries: await zipEntries(response.body as Buffer) };
  }

  /** Every code of a course (and cohort, and status), as the service lists them. */
  async function codesOf(query: { cohortId?: string; status?: 'valid' | 'revoked' }): Promise<string[]> {
    const codes: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await services().certificates.listCertificates(manager.actor, { courseSlug: COURSE, ...query, limit: 200, cursor });
      codes.push(...page.items.map((item) => item.code));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return codes;
  }

  describe('the list', () => {
    it('shows the newest first, with code, holder, the document shortened, course, date, status and how it was issued', async () => {
      const { person, code } = await certifiedByHand({ givenName: 'Íngrid', familyName: 'Ñañez Córdoba' });
      const page = await agent().get('/admin/certificates').expect(200);
      expect(page.text).to.include('<h1>Certificados</h1>');
      const [first] = rowsOf(page.text);
      const issuedAt = (await services().certificates.certificateRecord(manager.actor, code)).issuedAt;
      expect(first).to.equal(
        [code, 'Íngrid Ñañez Córdoba', `CC ${maskDocumentNumber(person.documentNumber)}`, COURSE_TITLE, formatDate(issuedAt, 'es'), 'Válido', `Manual, por ${manager.name}`].join(' '),
      );
      expect(page.text).to.include(`<a href="/admin/certificates/${code}">`);
      // A screen of many people: the whole number is on the certificate's own page only.
      expect(page.text).not.to.include(person.documentNumber);
      expect(page.text).to.include('href="/admin/certificates/new"');
    });

    it('finds by code however it is typed, by name without accents, and by document number', async () => {
      const { person, code } = await certifiedByHand({ givenName: 'Edelmira', familyName: 'Quiñónez Buesaquillo' });
      for (const q of [code.toLowerCase().replace(/-/g, ''), 'edelmira quinonez', person.documentNumber]) {
        const page = await agent().get(`/admin/certificates?q=${encodeURIComponent(q)}`).expect(200);
        expect(codesIn(page.text), `searching "${q}"`).to.deep.equal([code]);
        expect(page.text).to.include(`value="${q}"`);
      }
      const none = await agent().get('/admin/certificates?q=nadie-se-llama-asi').expect(200);
      expect(none.text).to.include('Ningún certificado coincide con la búsqueda.');
      expect(none.text).to.include('<a href="/admin/certificates">Quitar los filtros</a>');
    });

    it('filters by course, by a cohort of that course and by status; the cohorts are offered once a course is chosen', async () => {
      const inCohort = await certifiedInCohort({ familyName: 'Cohorte Filtro' });
      const byHand = await certifiedByHand({ familyName: 'Cohorte Filtro' });
      await services().certificates.revoke(manager.actor, byHand.code, 'Expedido por error.');

      const all = await agent().get('/admin/certificates?q=cohorte+filtro').expect(200);
      expect(all.text).not.to.include('name="cohortId"');
      expect(codesIn(all.text)).to.have.members([inCohort.code, byHand.code]);

      const ofCourse = await agent().get(`/admin/certificates?q=cohorte+filtro&courseSlug=${COURSE}`).expect(200);
      expect(ofCourse.text).to.include(`<option value="${cohortId}">Cohorte Pasto 2026</option>`);
      expect(codesIn(ofCourse.text)).to.have.members([inCohort.code, byHand.code]);

      const ofCohort = await agent().get(`/admin/certificates?q=cohorte+filtro&courseSlug=${COURSE}&cohortId=${cohortId}`).expect(200);
      expect(codesIn(ofCohort.text)).to.deep.equal([inCohort.code]);
      expect(ofCohort.text).to.include(`<option value="${cohortId}" selected>`);

      const revoked = await agent().get('/admin/certificates?q=cohorte+filtro&status=revoked').expect(200);
      expect(codesIn(revoked.text)).to.deep.equal([byHand.code]);
      expect(rowsOf(revoked.text)[0]).to.include('Revocado');
      const online = rowsOf(ofCohort.text)[0];
      expect(online).to.include('Al completar el curso');

      const otherCourse = await agent().get(`/admin/certificates?q=cohorte+filtro&courseSlug=${UNCERTIFIED_COURSE}`).expect(200);
      expect(codesIn(otherCourse.text)).to.deep.equal([]);
    });

    it('pages through many, 25 at a time, keeping the search', async () => {
      const codes: string[] = [];
      for (let index = 0; index < 27; index += 1) codes.push((await certifiedByHand({ familyName: 'Paginada' })).code);
      const first = await agent().get('/admin/certificates?q=paginada').expect(200);
      expect(codesIn(first.text)).to.deep.equal(codes.slice(2).reverse());
      const next = /<a href="([^"]+)" rel="next">Página siguiente<\/a>/.exec(first.text)?.[1];
      expect(next).to.match(/^\/admin\/certificates\?q=paginada&amp;cursor=/);
      const second = await agent().get(unescaped(next!)).expect(200);
      expect(codesIn(second.text)).to.deep.equal(codes.slice(0, 2).reverse());
      expect(second.text).not.to.include('rel="next"');
      expect(second.text).to.include('<a href="/admin/certificates?q=paginada">Primera página</a>');
    });
  });

  describe('a certificate\'s page', () => {
    it('shows every fact, the whole document number and the audit record, with the PDF and the public verification', async () => {
      const { person, code } = await certifiedByHand({ givenName: 'Aurora', familyName: 'Benavides' }, 'Completó el curso en el taller de Ipiales (acta 7).');
      const record = await services().certificates.certificateRecord(manager.actor, code);
      const page = await agent().get(`/admin/certificates/${code}`).expect(200);
      const text = unescaped(page.text);
      expect(text).to.include(`<h1>Certificado ${code}</h1>`);
      for (const fact of [
        'Aurora Benavides',
        `Cédula de ciudadanía ${person.documentNumber}`,
        COURSE_TITLE,
        'Sin cohorte',
        '12 horas',
        formatDate(record.completedAt, 'es'),
        `Manual, por ${manager.audit}`,
        'Completó el curso en el taller de Ipiales (acta 7).',
      ]) {
        expect(text).to.include(fact);
      }
      expect(page.text).to.include(`href="/certificates/${code}.pdf"`);
      expect(page.text).to.include(`href="/verify/${code}"`);
      // Managers do not open people's accounts (an administrator's page): no link there.
      expect(page.text).not.to.include(`/admin/users/${person.id}`);
      const pdf = await agent().get(`/certificates/${code}.pdf`).buffer(true).parse(binary).expect(200);
      expect(await pdfText(pdf.body as Buffer)).to.include(code);

      await agent().get(`/admin/certificates/${code.toLowerCase()}`).expect(301).expect('Location', `/admin/certificates/${code}`);
      await agent().get('/admin/certificates/CAP-0000-0000').expect(404);
    });

    it('revokes with a reason and a ticked confirmation; the public verification then says revoked, with the reason', async () => {
      const { code } = await certifiedByHand();
      const empty = await manager.session.post(`/admin/certificates/${code}/revoke`, {});
      expect(empty.status).to.equal(400);
      expect(empty.text).to.include('class="error-summary"');
      expect(empty.text).to.include('<a href="#field-reason">Motivo: Este campo es obligatorio.</a>');
      expect(empty.text).to.include('<a href="#field-confirm">Entiendo que el certificado dejará de ser válido y que esto no se puede deshacer: Confirme que quiere revocar el certificado.</a>');
      const unconfirmed = await manager.session.post(`/admin/certificates/${code}/revoke`, { reason: 'Asistencia no verificada.' });
      expect(unconfirmed.status).to.equal(400);
      expect(unconfirmed.text).to.include('Asistencia no verificada.</textarea>');
      expect((await verified(code).expect(200)).body.status).to.equal('valid');

      const revoked = await manager.session.post(`/admin/certificates/${code}/revoke`, { reason: 'Asistencia no verificada.', confirm: 'yes' });
      expect(revoked.status).to.equal(303);
      expect(revoked.headers.location).to.equal(`/admin/certificates/${code}`);
      const page = await agent().get(`/admin/certificates/${code}`).expect(200);
      expect(page.text).to.include(`El certificado ${code} quedó revocado.`);
      expect(page.text).to.include('status-certificate-revoked');
      expect(page.text).to.include(`<dd>${manager.audit}</dd>`);
      expect(page.text).to.include('<dd>Asistencia no verificada.</dd>');
      expect(page.text).not.to.include('/revoke"');
      expect(page.text).not.to.include('/reissue"');

      const publicView = await verified(code).expect(200);
      expect(publicView.body).to.include({ status: 'revoked', revokedReason: 'Asistencia no verificada.' });
    });

    it('re-issues with a note: a new valid code, the old one revoked and pointing to it, both pages telling the history', async () => {
      const { code } = await certifiedByHand({ familyName: 'Reemitida' });
      const empty = await manager.session.post(`/admin/certificates/${code}/reissue`, {});
      expect(empty.status).to.equal(400);
      expect(empty.text).to.include('<a href="#field-note">Nota: Este campo es obligatorio.</a>');

      const reissued = await manager.session.post(`/admin/certificates/${code}/reissue`, { note: 'Corrección del apellido.' });
      expect(reissued.status).to.equal(303);
      const newCode = /^\/admin\/certificates\/(CAP-[0-9A-Z-]+)$/.exec(String(reissued.headers.location))?.[1];
      expect(newCode).to.be.a('string').and.not.equal(code);

      expect((await verified(newCode!).expect(200)).body.status).to.equal('valid');
      expect((await verified(code).expect(200)).body).to.include({ status: 'revoked', revokedReason: `Reemitido como ${newCode}` });

      const newPage = await agent().get(`/admin/certificates/${newCode}`).expect(200);
      expect(newPage.text).to.include(`Certificado reemitido como ${newCode}; el ${code} quedó revocado.`);
      expect(newPage.text).to.include(`<a href="/admin/certificates/${code}">${code}</a>`);
      expect(newPage.text).to.include(`Reemisión, por ${manager.audit}`);
      expect(newPage.text).to.include('Corrección del apellido.');
      const oldPage = await agent().get(`/admin/certificates/${code}`).expect(200);
      expect(oldPage.text).to.include(`<a href="/admin/certificates/${newCode}">${newCode}</a>`);

      // The old one is not valid any more: re-issuing it again is refused, and says so.
      const again = await manager.session.post(`/admin/certificates/${code}/reissue`, { note: 'Otra vez.' });
      expect(again.status).to.equal(303);
      expect((await agent().get(`/admin/certificates/${code}`)).text).to.include('Solo se puede reemitir un certificado válido.');
    });
  });

  describe('manual issuance', () => {
    const yesterday = (): string => formatDay(new Date(world.clock.now().getTime() - DAY_MS));
    const formatDay = (instant: Date): string => new Date(instant.getTime() - 5 * 3_600_000).toISOString().slice(0, 10);

    it('offers the courses that give certificates, and lists every problem of an empty form at once', async () => {
      const form = await agent().get('/admin/certificates/new').expect(200);
      expect(form.text).to.include(`<option value="${COURSE}">${COURSE_TITLE}</option>`);
      expect(form.text).not.to.include(`value="${UNCERTIFIED_COURSE}"`);
      expect(form.text).to.include('type="date" id="field-completedAt"');

      const empty = await manager.session.post('/admin/certificates/new', {});
      expect(empty.status).to.equal(400);
      const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(empty.text)![0];
      expect([...summary.matchAll(/href="#field-(\w+)"/g)].map((match) => match[1])).to.deep.equal(['person', 'courseSlug', 'completedAt', 'note']);
    });

    it('finds the person by email or by document number (dots allowed), and says when nobody has it', async () => {
      const person = await learner(world.ctx, { givenName: 'Rosalba', familyName: 'Insuasty' });
      const byEmail = await manager.session.post('/admin/certificates/new', { person: person.email.toUpperCase(), action: 'find-person' });
      expect(byEmail.status).to.equal(200);
      expect(byEmail.text).to.include('Se expedirá a');
      expect(byEmail.text).to.include('<strong>Rosalba Insuasty</strong>');
      expect(byEmail.text).to.include(`Cédula de ciudadanía ${person.documentNumber}`);
      const dotted = person.documentNumber.replace(/^(\d{2})(\d{3})/, '$1.$2.');
      const byDocument = await manager.session.post('/admin/certificates/new', { person: dotted, action: 'find-person' });
      expect(byDocument.text).to.include('<strong>Rosalba Insuasty</strong>');
      const nobody = await manager.session.post('/admin/certificates/new', { person: 'nadie@example.org', action: 'find-person' });
      expect(nobody.status).to.equal(400);
      expect(nobody.text).to.include('No hay ninguna cuenta con ese correo o número de documento.');
      expect(nobody.text).not.to.include('Se expedirá a');
    });

    it('issues with the audit record (who, why), and refuses clearly a second one while a valid one exists', async () => {
      const person = await learner(world.ctx, { givenName: 'Wilmer', familyName: 'Chamorro' });
      const day = yesterday();
      const issued = await manager.session.post('/admin/certificates/new', { person: person.documentNumber, courseSlug: COURSE, completedAt: day, note: 'Taller presencial en Túquerres, acta 3.' });
      expect(issued.status).to.equal(303);
      const code = /^\/admin\/certificates\/(CAP-[0-9A-Z-]+)$/.exec(String(issued.headers.location))?.[1];
      const record = await services().certificates.certificateRecord(manager.actor, code!);
      expect(record).to.include({ userId: person.id, courseSlug: COURSE, issueReason: 'manual', issuedBy: manager.actor.id, issueNote: 'Taller presencial en Túquerres, acta 3.', status: 'valid' });
      // A day is taken as noon in Colombia, so that it prints as that day.
      expect(record.completedAt).to.equal(`${day}T17:00:00.000Z`);
      const page = await agent().get(`/admin/certificates/${code}`).expect(200);
      expect(page.text).to.include(`Certificado ${code} expedido.`);
      expect(page.text).to.include(`Manual, por ${manager.audit}`);

      const twice = await manager.session.post('/admin/certificates/new', { person: person.email, courseSlug: COURSE, completedAt: day, note: 'Por si acaso.' });
      expect(twice.status).to.equal(409);
      expect(twice.text).to.include(
        `<a href="/admin/certificates/${code}">Wilmer Chamorro ya tiene un certificado válido de este curso: ${code}. No se expidió otro; ábralo para revisarlo o reemitirlo.</a>`,
      );
      const valid = await world.ctx.database.connection.collection('certificates').countDocuments({ userId: new Types.ObjectId(person.id), status: 'valid' });
      expect(valid).to.equal(1);
    });

    it('refuses a completion date after today', async () => {
      const person = await learner(world.ctx);
      const tomorrow = formatDay(new Date(world.clock.now().getTime() + 2 * DAY_MS));
      const refused = await manager.session.post('/admin/certificates/new', { person: person.email, courseSlug: COURSE, completedAt: tomorrow, note: 'Taller.' });
      expect(refused.status).to.equal(400);
      expect(refused.text).to.include('<a href="#field-completedAt">Fecha en que completó el curso: La fecha no puede ser posterior a hoy.</a>');
      expect(await myCertificates(world.ctx, person)).to.deep.equal([]);
    });
  });

  describe('the ZIP of a course or a cohort', () => {
    it('holds one PDF per certificate of the course, named by code and holder, each a PDF of that code', async () => {
      const { code } = await certifiedByHand({ givenName: 'Íngrid', familyName: "Ñañez O'Brien" });
      const { response, entries } = await downloadZip(`/admin/certificates/export.zip?courseSlug=${COURSE}`);
      expect(response.headers['content-type']).to.equal('application/zip');
      expect(response.headers['content-disposition']).to.equal(`attachment; filename=certificados-${COURSE}.zip`);
      expect(response.headers['cache-control']).to.equal('no-store');
      const expected = await codesOf({});
      expect([...entries.keys()].map((name) => name.slice(0, 13))).to.have.members(expected);
      expect(entries.has(`${code}-ingrid-nanez-obrien.pdf`)).to.equal(true);
      for (const [name, pdf] of entries) expect(pdf.subarray(0, 5).toString('latin1'), name).to.equal('%PDF-');
      expect(await pdfText(entries.get(`${code}-ingrid-nanez-obrien.pdf`)!)).to.include(code);
    });

    it('a cohort\'s holds only that cohort\'s, and the status filter leaves out the revoked', async () => {
      const first = await certifiedInCohort({ familyName: 'Zip Cohorte' });
      const second = await certifiedInCohort({ familyName: 'Zip Cohorte' });
      await services().certificates.revoke(manager.actor, second.code, 'Duplicado.');
      const cohortCodes = await codesOf({ cohortId });
      expect(cohortCodes).to.include.members([first.code, second.code]);
      expect(cohortCodes.length).to.be.below((await codesOf({})).length);

      const { response, entries } = await downloadZip(`/admin/certificates/export.zip?courseSlug=${COURSE}&cohortId=${cohortId}`);
      expect(response.headers['content-disposition']).to.equal(`attachment; filename=certificados-${COURSE}-cohorte-${cohortId}.zip`);
      expect([...entries.keys()].map((name) => name.slice(0, 13))).to.have.members(cohortCodes);
      expect(entries.has(`${first.code}-maria-jose-zip-cohorte.pdf`)).to.equal(true);

      const valid = await downloadZip(`/admin/certificates/export.zip?courseSlug=${COURSE}&cohortId=${cohortId}&status=valid`);
      expect([...valid.entries.keys()].map((name) => name.slice(0, 13))).to.have.members(await codesOf({ cohortId, status: 'valid' }));
      expect([...valid.entries.keys()].some((name) => name.startsWith(second.code))).to.equal(false);

      // The list page offers the same download for what it shows.
      const listed = await agent().get(`/admin/certificates?courseSlug=${COURSE}&cohortId=${cohortId}`).expect(200);
      expect(listed.text).to.include(`href="/admin/certificates/export.zip?courseSlug=${COURSE}&amp;cohortId=${cohortId}">Descargar los certificados de esta cohorte (ZIP)</a>`);
    });

    it('is also an API route for managers', async () => {
      const { code } = await certifiedInCohort();
      const { entries } = await downloadZip(`/api/v1/certificates/export.zip?courseSlug=${COURSE}&cohortId=${cohortId}`, undefined, world.manager.auth);
      expect([...entries.keys()].map((name) => name.slice(0, 13))).to.have.members(await codesOf({ cohortId }));
      expect([...entries.keys()].some((name) => name.startsWith(code))).to.equal(true);
      const person = await learner(world.ctx);
      await request(world.ctx.app).get(`/api/v1/certificates/export.zip?courseSlug=${COURSE}`).set(person.auth).expect(403);
      const incomplete = await request(world.ctx.app).get('/api/v1/certificates/export.zip').set(world.manager.auth).expect(400);
      expect(incomplete.body.error.details.fields).to.have.property('courseSlug');
    });

    it('says when there is nothing to download, and refuses above 5,000 with the count, before sending anything', async () => {
      const nothing = await agent().get(`/admin/certificates/export.zip?courseSlug=${UNCERTIFIED_COURSE}`).expect(303);
      expect(nothing.headers.location).to.equal(`/admin/certificates?courseSlug=${UNCERTIFIED_COURSE}`);
      expect((await agent().get(nothing.headers.location!)).text).to.include('No hay certificados con esos filtros: no hay nada que descargar.');

      // Only counted, never rendered: bare records are enough.
      const certificates = world.ctx.database.connection.collection('certificates');
      const bulk = 'curso-masivo';
      await certificates.insertMany(
        Array.from({ length: 5_001 }, (_, index) => ({ code: `BULK-${index}`, courseSlug: bulk, status: 'valid', issuedAt: new Date('2020-01-01T00:00:00Z') })),
      );
      try {
        const refused = await agent().get(`/admin/certificates/export.zip?courseSlug=${bulk}`).expect(303);
        expect(refused.headers['content-type'] ?? '').not.to.include('zip');
        // Read on another page: the list of this made-up course would show the bare records.
        expect((await agent().get('/admin/certificates/new')).text).to.include(
          'Hay 5001 certificados con esos filtros y cada descarga admite hasta 5000. Elija una cohorte o un estado para dividirla.',
        );
        const api = await request(world.ctx.app).get(`/api/v1/certificates/export.zip?courseSlug=${bulk}`).set(world.manager.auth).expect(409);
        expect(api.body.error.details).to.include({ reason: 'too_many_certificates', count: 5_001, limit: 5_000 });
      } finally {
        await certificates.deleteMany({ courseSlug: bulk });
      }
    });
  });

  describe('who may', () => {
    it('learners and facilitators get 403 on every page and form, and nothing changes', async () => {
      const { code } = await certifiedByHand();
      const person = await learner(world.ctx);
      const facilitator = await accountWithRoles(services(), ['facilitator']);
      for (const session of [await signInThroughForm(world.ctx.app, person), await signInThroughForm(world.ctx.app, facilitator)]) {
        for (const path of ['/admin/certificates', `/admin/certificates/${code}`, '/admin/certificates/new', `/admin/certificates/export.zip?courseSlug=${COURSE}`]) {
          await session.agent.get(path).expect(403);
        }
        expect((await session.post(`/admin/certificates/${code}/revoke`, { reason: 'No', confirm: 'yes' })).status).to.equal(403);
        expect((await session.post(`/admin/certificates/${code}/reissue`, { note: 'No' })).status).to.equal(403);
        expect((await session.post('/admin/certificates/new', { person: person.email, courseSlug: COURSE, completedAt: '2026-01-10', note: 'No' })).status).to.equal(403);
      }
      expect((await services().certificates.certificateRecord(manager.actor, code)).status).to.equal('valid');
      const anonymous = await webSession(world.ctx.app).agent.get('/admin/certificates').expect(303);
      expect(anonymous.headers.location).to.match(/^\/login\?next=/);
    });

    it('a form without the page\'s CSRF token is refused, and the certificate stays valid', async () => {
      const { code } = await certifiedByHand();
      const forged = await agent().post(`/admin/certificates/${code}/revoke`).type('form').send({ reason: 'Falsificado', confirm: 'yes' });
      expect(forged.status).to.equal(403);
      const wrong = await agent().post(`/admin/certificates/${code}/revoke`).type('form').send({ reason: 'Falsificado', confirm: 'yes', _csrf: 'no-es-el-token' });
      expect(wrong.status).to.equal(403);
      expect((await services().certificates.certificateRecord(manager.actor, code)).status).to.equal('valid');
    });
  });

  it('speaks English on request', async () => {
    const page = await agent().get('/admin/certificates?lang=en').expect(200);
    expect(page.text).to.include('<h1>Certificates</h1>');
    expect(page.text).to.include('Issue a certificate manually');
    await agent().get('/admin/certificates?lang=es').expect(200);
  });
});
