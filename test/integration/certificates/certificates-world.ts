import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { PNG } from 'pngjs';
import request from 'supertest';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, type CourseFixture } from '../../helpers/course-fixture.js';
import { registrationBody, type SignedIn } from '../../helpers/factories.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../helpers/smtp-sink.js';

/**
 * The certificate suites' world: a course that gives a certificate (two short lessons,
 * two signatories, one with a real PNG signature and one whose "image" is not one), a
 * course that gives none, mail delivered to a real SMTP sink, a clock ahead of real time,
 * and addresses taken from X-Forwarded-For so that each test can verify from its own.
 */

export const COURSE = 'curso-certificado';
export const COURSE_TITLE = 'Gestión social con enfoque territorial';
export const UNCERTIFIED_COURSE = 'curso-sin-certificado';
export const BASE_URL = 'https://capacita.example.gov.co';
export const INSTITUTION = 'Gobernación de Nariño';

export interface Staff {
  id: string;
  auth: { Authorization: string };
}

export interface CertificatesWorld {
  ctx: TestApp;
  sink: SmtpSink;
  clock: TestClock;
  manager: Staff;
  close(): Promise<void>;
}

const courseYaml = (title: string, certificate: string): string => `title: ${title}
summary: Un curso corto para probar los certificados.
hours: 12
language: es
modules:
  - slug: unico
    title: Único módulo
completion:
  passingScore: 70
  minLiveSessionsAttended: 0
enrollment: open
${certificate}
`;

const lessons = (slug: string): Record<string, string> => ({
  [`${slug}/unico/01-inicio.md`]: '---\ntitle: Inicio\nminutes: 5\n---\n\nBienvenida.\n',
  [`${slug}/unico/02-cierre.md`]: '---\ntitle: Cierre\nminutes: 5\n---\n\nGracias.\n',
});

function signaturePng(): Buffer {
  const png = new PNG({ width: 60, height: 20 });
  png.data.fill(255);
  for (let x = 5; x < 55; x += 1) png.data.writeUInt32BE(0x1f4e79ff, (10 * 60 + x) * 4);
  return PNG.sync.write(png);
}

/** The two courses, for suites that build their own app (web pages: this world's proxy setting makes cookies Secure). */
export function writeCourses(fixture: CourseFixture): void {
  fixture.write(
    `${COURSE}/course.yaml`,
    courseYaml(
      COURSE_TITLE,
      `certificate:
  enabled: true
  signatories:
    - name: Ana Pérez Quiñones
      role: Coordinación académica
      signature: images/firma-ana.png
    - name: Luis Ángel Núñez
      role: Secretaría de Desarrollo Social
      signature: images/firma-luis.png`,
    ),
  );
  for (const [path, content] of Object.entries(lessons(COURSE))) fixture.write(path, content);
  // Named .png, but not a PNG: the certificate prints the line without an image.
  fixture.write(`${COURSE}/images/firma-luis.png`, 'esto no es una imagen');
  writeFileSync(join(fixture.root, COURSE, 'images', 'firma-ana.png'), signaturePng());
  fixture.write(`${UNCERTIFIED_COURSE}/course.yaml`, courseYaml('Curso sin certificado', 'certificate:\n  enabled: false'));
  for (const [path, content] of Object.entries(lessons(UNCERTIFIED_COURSE))) fixture.write(path, content);
}

export async function createCertificatesWorld(): Promise<CertificatesWorld> {
  const fixture = courseFixture();
  writeCourses(fixture);
  const sink = await startSmtpSink();
  const clock = new TestClock();
  const ctx = await createTestApp(
    { COURSES_DIR: fixture.root, SMTP_URL: sink.url, BASE_URL, INSTITUTION_NAME: INSTITUTION, TRUST_PROXY: 'true' },
    clock,
  );
  await ctx.services.courses.importCourses();
  const manager = await staffAccount(ctx, 'manager');
  return {
    ctx,
    sink,
    clock,
    manager,
    async close() {
      await ctx.close();
      await sink.close();
      fixture.cleanUp();
    },
  };
}

let sequence = 0;

export async function staffAccount(ctx: TestApp, role: 'manager' | 'admin'): Promise<Staff> {
  sequence += 1;
  const email = `certificados.${role}.${Date.now().toString(36)}.${sequence}@example.org`;
  await ctx.services.accounts.auth.createSystemAccount({ email, roles: [role], password: 'clave-de-equipo-2026' });
  const response = await request(ctx.app).post('/api/v1/auth/tokens').send({ email, password: 'clave-de-equipo-2026' }).expect(201);
  return { id: response.body.user.id, auth: { Authorization: `Bearer ${response.body.token}` } };
}

/** A registered, signed-in learner; `language` is the one their browser asked for when they registered. */
export async function learner(ctx: TestApp, overrides: Record<string, unknown> = {}, language = 'es'): Promise<SignedIn & { documentNumber: string }> {
  const body = registrationBody(overrides);
  const registered = await request(ctx.app).post('/api/v1/accounts').set('Accept-Language', language).send(body).expect(201);
  const token = (await request(ctx.app).post('/api/v1/auth/tokens').send({ email: body.email, password: body.password }).expect(201)).body.token as string;
  return {
    id: registered.body.id,
    email: String(body.email),
    password: String(body.password),
    token,
    auth: { Authorization: `Bearer ${token}` },
    documentNumber: String(body.documentNumber),
  };
}

/** Enrolls; resolves with the enrollment id. */
export async function enroll(ctx: TestApp, person: SignedIn, course = COURSE): Promise<string> {
  return (await request(ctx.app).post(`/api/v1/courses/${course}/enrollments`).set(person.auth).send({}).expect(201)).body.id as string;
}

/** Marks both lessons done through the API: the second completes the course. */
export async function completeLessons(ctx: TestApp, person: SignedIn, course = COURSE): Promise<void> {
  for (const lesson of ['inicio', 'cierre']) {
    await request(ctx.app).post(`/api/v1/courses/${course}/lessons/${lesson}/complete`).set(person.auth).expect(200);
  }
}

export async function myCertificates(ctx: TestApp, person: SignedIn): Promise<Array<{ code: string; courseSlug: string; issuedAt: string; status: string }>> {
  return (await request(ctx.app).get('/api/v1/me/certificates').set(person.auth).expect(200)).body.items;
}

/** The public verification, from an address of the caller's choosing (each test uses its own, so limits never mix). */
export function verify(ctx: TestApp, code: string, address: string) {
  return request(ctx.app).get(`/api/v1/verify/${encodeURIComponent(code)}`).set('X-Forwarded-For', address);
}

/** Delivers what is due, then the certificate mails the person has received. */
export async function certificateMailsTo(world: CertificatesWorld, person: SignedIn): Promise<ReceivedMail[]> {
  await world.ctx.services.notifications.deliverDue();
  return world.sink.received.filter((mail) => mail.envelope.to.includes(person.email) && mail.attachments.some((file) => file.contentType === 'application/pdf'));
}

/** The outbox rows of a certificate mail, whatever their state. */
export async function outboxCertificateMails(ctx: TestApp, person: SignedIn): Promise<number> {
  return ctx.database.connection.collection('outbox_mails').countDocuments({ to: person.email, idempotencyKey: /^certificate:/ });
}

/** The text of a PDF, whitespace collapsed (the layout may wrap lines anywhere). */
export async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: pdf });
  try {
    return (await parser.getText()).text.replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
}
