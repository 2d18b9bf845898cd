import { expect } from 'chai';
import request from 'supertest';
import type { Actor } from '../../../src/shared/authorization.js';
import { formatDate, formatLongDate } from '../../../src/web/dates.js';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { courseFixture, shortCourseFiles } from '../../helpers/course-fixture.js';
import { registerAndSignIn, type SignedIn } from '../../helpers/factories.js';
import { accountWithRoles, signInThroughForm, type WebSession } from '../../helpers/web-session.js';

const COURSE = 'curso-con-certificado';
const COURSE_TITLE = 'Participación ciudadana y control social';

/** A certified course of two short lessons: completing both issues the certificate. */
const courseFiles = shortCourseFiles(COURSE, { title: COURSE_TITLE, hours: 12, lessons: 2, signatories: [{ name: 'Ana Pérez', role: 'Coordinación académica' }] });

interface Holder {
  person: SignedIn;
  session: WebSession;
  code: string;
  issuedAt: string;
  documentNumber: string;
}

/** All but the last three characters of the document hidden (the service's rule, seen from outside). */
const masked = (documentNumber: string): string => `${'*'.repeat(documentNumber.length - 3)}${documentNumber.slice(-3)}`;

describe('certificate pages: public verification, and the holder\'s list and downloads', function () {
  this.timeout(60_000);
  const fixture = courseFixture(courseFiles);
  const clock = new TestClock();
  const ctx = useTestApp({ COURSES_DIR: fixture.root, BASE_URL: 'https://capacita.example.gov.co' }, clock);
  let holder: Holder;
  let revokedHolder: Holder;
  let manager: { actor: Actor; session: WebSession };

  /** Registers someone, completes the course through the API, and signs them in on the web. */
  async function certifiedPerson(givenName: string): Promise<Holder> {
    const documentNumber = `52${Date.now().toString().slice(-7)}${Math.floor(Math.random() * 90 + 10)}`;
    const person = await registerAndSignIn(ctx().app, { givenName, familyName: "Gómez O'Neill", documentNumber });
    await request(ctx().app).post(`/api/v1/courses/${COURSE}/enrollments`).set(person.auth).send({}).expect(201);
    for (const lesson of ['inicio', 'cierre']) {
      await request(ctx().app).post(`/api/v1/courses/${COURSE}/lessons/${lesson}/complete`).set(person.auth).expect(200);
    }
    const [certificate] = await ctx().services.certificates.myCertificates({ id: person.id });
    if (!certificate) throw new Error('no certificate was issued on completion');
    return { person, session: await signInThroughForm(ctx().app, person), code: certificate.code, issuedAt: certificate.issuedAt, documentNumber };
  }

  before(async () => {
    await ctx().services.courses.importCourses();
    holder = await certifiedPerson('Íngrid Ñusta');
    revokedHolder = await certifiedPerson('Rosa Elvira');
    const credentials = await accountWithRoles(ctx().services, ['manager']);
    const [found] = (await ctx().services.accounts.service.listUsers({ search: credentials.email, limit: 1 })).items;
    manager = { actor: { id: found!.id, email: credentials.email, roles: ['manager'] }, session: await signInThroughForm(ctx().app, credentials) };
    await ctx().services.certificates.revoke(manager.actor, revokedHolder.code, 'Error en el número de documento');
  });
  after(() => fixture.cleanUp());
  // Verifications are limited per address and minute: each test starts in a window of its own.
  beforeEach(() => clock.advance(61_000));

  describe('verifying, for anyone', () => {
    it('offers a form to type the code, linked from every page\'s footer', async () => {
      const home = await request(ctx().app).get('/').expect(200);
      expect(home.text).to.include('<a href="/verify">Verificar un certificado</a>');
      const page = await request(ctx().app).get('/verify').expect(200);
      expect(page.text).to.include('<form method="get" action="/verify"');
      expect(page.text).to.include('El código impreso bajo el código QR, p. ej. CAP-7K3F-9QXD.');
      expect(page.headers['set-cookie'], 'no session for a reader').to.equal(undefined);
    });

    it('shows a valid certificate: holder, masked document, course, hours and date of issue in Bogotá', async () => {
      const page = await request(ctx().app).get(`/verify/${holder.code}`).expect(200);
      expect(page.text).to.include('verify-status-valid');
      expect(page.text).to.include('Certificado válido');
      expect(page.text).to.include('Íngrid Ñusta Gómez O&#39;Neill');
      expect(page.text).to.include(`<dd>${masked(holder.documentNumber)}</dd>`);
      expect(page.text).not.to.include(holder.documentNumber);
      expect(page.text).to.include(COURSE_TITLE);
      expect(page.text).to.include('<dd>12 horas</dd>');
      expect(page.text).to.include(`<dd>${formatLongDate(holder.issuedAt, 'es')}</dd>`);
      expect(page.headers['cache-control']).to.equal('no-store');
      expect(page.headers['set-cookie']).to.equal(undefined);
    });

    it('shows a revoked certificate as revoked, with the reason', async () => {
      const page = await request(ctx().app).get(`/verify/${revokedHolder.code}`).expect(200);
      expect(page.text).to.include('verify-status-revoked');
      expect(page.text).to.include('Certificado revocado');
      expect(page.text).to.include('Motivo: Error en el número de documento');
      expect(page.text).not.to.include('Certificado válido');
    });

    it('says clearly when no certificate has the code, and offers the form again', async () => {
      const unknown = holder.code.endsWith('0000') ? 'CAP-0000-0001' : 'CAP-0000-0000';
      const page = await request(ctx().app).get(`/verify/${unknown}`).expect(404);
      expect(page.text).to.include('No encontramos un certificado con ese código.');
      expect(page.text).to.include(`name="code" value="${unknown}"`);
      const malformed = await request(ctx().app).get('/verify/no-es-un-codigo').expect(404);
      expect(malformed.text).to.include('No encontramos un certificado con ese código.');
    });

    it('takes the code as people type it, and sends them to its page', async () => {
      const typed = holder.code.toLowerCase().replaceAll('-', ' ');
      const fromForm = await request(ctx().app).get('/verify').query({ code: typed }).expect(303);
      expect(fromForm.headers.location).to.equal(`/verify/${holder.code}`);
      const loose = await request(ctx().app).get(`/verify/${holder.code.toLowerCase().replaceAll('-', '')}`).expect(301);
      expect(loose.headers.location).to.equal(`/verify/${holder.code}`);

      const malformed = await request(ctx().app).get('/verify').query({ code: 'ABC-123' }).expect(400);
      expect(malformed.text).to.include('Ese no es un código de certificado');
      expect(malformed.text).to.include('name="code" value="ABC-123"');
      const empty = await request(ctx().app).get('/verify').query({ code: ' ' }).expect(400);
      expect(empty.text).to.include('Escribe el código del certificado.');
    });

    it('answers a flood from one address with a friendly 429 and Retry-After', async () => {
      let response: request.Response | undefined;
      for (let attempt = 0; attempt < 30; attempt += 1) {
        response = await request(ctx().app).get(`/verify/${holder.code}`);
        if (response.status === 429) break;
        expect(response.status).to.equal(200);
      }
      expect(response!.status).to.equal(429);
      const seconds = Number(response!.headers['retry-after']);
      expect(seconds).to.be.within(1, 60);
      expect(response!.text).to.include('Recibimos muchas consultas seguidas desde tu conexión.');
      expect(response!.text).to.include(`href="/verify/${holder.code}"`);
    });

    it('speaks English when asked', async () => {
      const page = await request(ctx().app).get(`/verify/${holder.code}?lang=en`).expect(200);
      expect(page.text).to.include('Valid certificate');
      expect(page.text).to.include('<dd>12 hours</dd>');
    });
  });

  describe('the holder\'s certificates', () => {
    it('lists them on "Mis cursos" with date, status and a PDF link, or the verification when revoked', async () => {
      const page = await holder.session.agent.get('/my-courses').expect(200);
      expect(page.text).to.include('<h2 id="certificates-heading">Mis certificados</h2>');
      const section = page.text.slice(page.text.indexOf('<h2 id="certificates-heading">'));
      expect(section).to.include(`<h3 class="card-title">${COURSE_TITLE}</h3>`);
      expect(section).to.include('Válido');
      expect(section).to.include(`Expedido el ${formatDate(holder.issuedAt, 'es')}`);
      expect(section).to.include(`href="/certificates/${holder.code}.pdf" download>Descargar PDF`);

      const revoked = await revokedHolder.session.agent.get('/my-courses').expect(200);
      expect(revoked.text).to.include('Revocado');
      expect(revoked.text).to.include(`href="/verify/${revokedHolder.code}"`);
      expect(revoked.text).not.to.include(`/certificates/${revokedHolder.code}.pdf`);
    });

    it('offers the download on the page of the completed course', async () => {
      const page = await holder.session.agent.get(`/courses/${COURSE}`).expect(200);
      expect(page.text).to.include(`href="/certificates/${holder.code}.pdf" download>Descargar tu certificado (PDF)</a>`);
    });

    it('lets the holder and managers download the PDF, and nobody else', async () => {
      const own = await holder.session.agent.get(`/certificates/${holder.code}.pdf`).buffer(true).expect(200);
      expect(own.headers['content-type']).to.equal('application/pdf');
      expect(own.headers['content-disposition']).to.include(`certificado-${holder.code}.pdf`);
      expect((own.body as Buffer).subarray(0, 5).toString('latin1')).to.equal('%PDF-');
      await manager.session.agent.get(`/certificates/${holder.code}.pdf`).expect(200);

      // Another person's certificate does not exist for them.
      await revokedHolder.session.agent.get(`/certificates/${holder.code}.pdf`).expect(404);
      const anonymous = await request(ctx().app).get(`/certificates/${holder.code}.pdf`).expect(303);
      expect(anonymous.headers.location).to.match(/^\/login\?next=/);
    });
  });
});
