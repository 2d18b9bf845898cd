import { expect } from 'chai';
import type { RequestHandler } from 'express';
import { ObjectId } from 'mongodb';
import request from 'supertest';
import type { Notifications } from '../../../src/notifications/index.js';
import { AppError } from '../../../src/shared/errors.js';
import {
  CERTIFICATE_BYTES,
  buildNotifications,
  createTestClock,
  outboxApp,
  spanishMail,
  useDataDirectories,
  useTestDatabases,
  type TestClock,
  type TestDatabase,
} from './notifications-fixtures.js';

/** Table rows of the outbox list (one `<tr>` per mail in the body). */
const rowsOf = (html: string): string[] => html.split('<tbody>')[1]?.split('</tbody>')[0]?.match(/<tr>/g) ?? [];

describe('the admin outbox pages', () => {
  const openDatabase = useTestDatabases();
  const makeDataDir = useDataDirectories();
  let database: TestDatabase;
  let clock: TestClock;
  let notifications: Notifications;

  beforeEach(async () => {
    database = await openDatabase();
    clock = createTestClock();
    // No SMTP server: mails go to files, as on a fresh install.
    notifications = buildNotifications(await database.connect(), { dataDir: makeDataDir(), clock });
  });

  const markFailed = (id: string) =>
    database.outbox().updateOne({ _id: new ObjectId(id) }, { $set: { status: 'failed', attempts: 8, lastError: '451 Try again later' } });

  it('lists the newest mails first with recipient, subject, status, attempts and Bogotá times, in Spanish', async () => {
    await notifications.mailer.queue(spanishMail({ subject: 'Bienvenida a Capacita' }));
    clock.advance(60_000);
    await notifications.mailer.queue(spanishMail({ subject: 'Tu certificado está listo' }));

    const response = await request(outboxApp(notifications)).get('/admin/outbox').expect(200);

    expect(response.headers['cache-control']).to.equal('no-store');
    expect(response.text).to.include('<title>Correos salientes · Capacita</title>');
    expect(response.text).to.match(/<caption>Correos, del más reciente al más antiguo \(hora de Bogotá\)<\/caption>/);
    expect(response.text).to.include('<th scope="col">Destinatario</th>');
    expect(response.text).to.include('<label for="outbox-status">Estado</label>');
    expect(response.text.indexOf('Tu certificado está listo')).to.be.lessThan(response.text.indexOf('Bienvenida a Capacita'));
    expect(response.text).to.include('lucia.munoz@gobernacion-narino.test');
    expect(response.text).to.include('En cola');
    // 14:00 UTC is 09:00 in Bogotá.
    expect(response.text).to.include('<time datetime="2099-03-05T14:00:00.000Z">2099-03-05 09:00</time>');
    expect(response.text).to.include('se guarda como archivo .eml');
    expect(response.text).not.to.match(/<script|style=/);
  });

  it('speaks English when asked', async () => {
    await notifications.mailer.queue(spanishMail());
    const response = await request(outboxApp(notifications)).get('/admin/outbox?lang=en').expect(200);
    expect(response.text).to.include('<h1>Outgoing mail</h1>');
    expect(response.text).to.include('Queued');
  });

  it('filters by status and pages through older mails 50 at a time without repeating one', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 55; index += 1) {
      ids.push((await notifications.mailer.queue(spanishMail({ subject: `Aviso número ${index}` }))).id);
      // Every other pair shares a creation time, so the id must break the tie.
      if (index % 2) clock.advance(1000);
    }
    await markFailed(ids[3]!);
    const app = outboxApp(notifications);

    const failedOnly = await request(app).get('/admin/outbox?status=failed').expect(200);
    expect(rowsOf(failedOnly.text)).to.have.length(1);
    expect(failedOnly.text).to.include('Aviso número 3<');
    expect(failedOnly.text).to.match(/<option value="failed" selected>Falló<\/option>/);

    const first = await request(app).get('/admin/outbox').expect(200);
    expect(rowsOf(first.text)).to.have.length(50);
    const next = /<a href="([^"]+)" rel="next">/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(next).to.match(/^\/admin\/outbox\?cursor=/);
    const second = await request(app).get(next!).expect(200);
    expect(rowsOf(second.text)).to.have.length(5);
    expect(second.text).not.to.include('rel="next"');

    const shown = [...`${first.text}${second.text}`.matchAll(/Aviso número (\d+)</g)].map((match) => Number(match[1]));
    expect(shown).to.deep.equal([...ids.keys()].reverse());
  });

  it('answers 400 to an unknown status or a forged cursor', async () => {
    const app = outboxApp(notifications);
    await request(app).get('/admin/outbox?status=deleted').expect(400);
    await request(app).get('/admin/outbox?cursor=abc').expect(400);
  });

  it('shows one mail with its text and its attachments’ names and sizes, without a retry button unless it failed', async () => {
    const { id } = await notifications.mailer.queue(
      spanishMail({ attachments: [{ filename: 'certificado-lucía.pdf', contentType: 'application/pdf', content: Buffer.alloc(2048, 1) }] }),
    );
    const app = outboxApp(notifications, { csrfToken: 'token-de-prueba' });

    const queued = await request(app).get(`/admin/outbox/${id}`).expect(200);
    expect(queued.text).to.include('Tu inscripción al curso «Gestión social integral» quedó confirmada.');
    expect(queued.text).to.include('certificado-lucía.pdf (application/pdf, 2 kB)');
    expect(queued.text).not.to.include('Reintentar el envío');

    await markFailed(id);
    const failed = await request(app).get(`/admin/outbox/${id}`).expect(200);
    expect(failed.text).to.include('451 Try again later');
    expect(failed.text).to.include(`<form method="post" action="/admin/outbox/${id}/retry"`);
    expect(failed.text).to.include('<input type="hidden" name="_csrf" value="token-de-prueba">');
  });

  it('leaves the CSRF field out when the app supplies no token', async () => {
    const { id } = await notifications.mailer.queue(spanishMail());
    await markFailed(id);
    const response = await request(outboxApp(notifications)).get(`/admin/outbox/${id}`).expect(200);
    expect(response.text).to.include('Reintentar el envío');
    expect(response.text).not.to.include('name="_csrf"');
  });

  it('puts a failed mail back in the queue and says so', async () => {
    const { id } = await notifications.mailer.queue(spanishMail({ attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: CERTIFICATE_BYTES }] }));
    await markFailed(id);
    const app = outboxApp(notifications);

    const retried = await request(app).post(`/admin/outbox/${id}/retry`).expect(303);
    const page = await request(app).get(retried.headers.location!).expect(200);

    expect(page.text).to.include('role="status"');
    expect(page.text).to.include('En cola');
    expect(await database.outbox().findOne({ _id: new ObjectId(id) })).to.include({ status: 'queued', attempts: 0 });
    expect(await notifications.deliverDue()).to.equal(1);
  });

  it('answers 409 to retrying a mail that has not failed', async () => {
    const { id } = await notifications.mailer.queue(spanishMail());
    await request(outboxApp(notifications)).post(`/admin/outbox/${id}/retry`).expect(409);
  });

  it('answers the not-found page to a malformed or unknown id', async () => {
    const app = outboxApp(notifications);
    const malformed = await request(app).get('/admin/outbox/no-es-un-id').expect(404);
    expect(malformed.text).to.include('Página no encontrada');
    await request(app).get(`/admin/outbox/${new ObjectId().toString()}`).expect(404);
    await request(app).post('/admin/outbox/no-es-un-id/retry').expect(404);
  });

  it('runs every page behind the guard it is given', async () => {
    const forbid: RequestHandler = (_request, _response, next) => next(new AppError('forbidden', 'Admins only.'));
    const { id } = await notifications.mailer.queue(spanishMail());
    await markFailed(id);
    const app = outboxApp(notifications, { guard: forbid });

    await request(app).get('/admin/outbox').expect(403);
    await request(app).get(`/admin/outbox/${id}`).expect(403);
    await request(app).post(`/admin/outbox/${id}/retry`).expect(403);
    expect(await database.outbox().findOne({ _id: new ObjectId(id) })).to.include({ status: 'failed' });
  });
});
