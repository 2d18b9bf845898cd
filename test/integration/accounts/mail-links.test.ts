import { expect } from 'chai';
import request from 'supertest';
import type { TestApp } from '../../helpers/app.js';
import { useMailingApp } from '../../helpers/mailing-app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import type { SmtpSink } from '../../helpers/smtp-sink.js';

/** The token in a mailed link (`…?token=…`). */
function tokenIn(text: string, path: string): string {
  const match = new RegExp(`${path}\\?token=([A-Za-z0-9_%-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return decodeURIComponent(match[1]!);
}

describe('mailed links: password reset and email verification, through a real SMTP server', function () {
  this.timeout(30_000);
  const mail = useMailingApp();
  let sink: SmtpSink;
  let ctx: TestApp;
  before(() => {
    ({ ctx, sink } = mail());
  });

  it('a forgotten-password mail arrives with a link that works exactly once', async () => {
    const person = await registerAndSignIn(ctx.app);
    await sink.nextMail(); // the verification mail sent at registration
    await request(ctx.app).post('/api/v1/auth/password-reset').send({ email: person.email.toUpperCase() }).expect(202);
    const mail = await sink.nextMail();
    expect(mail.to).to.include(person.email);
    expect(mail.subject).to.equal('Restablece tu contraseña de Capacita');
    expect(mail.text).to.include('https://capacita.example.gov.co/reset-password?token=');
    const token = tokenIn(mail.text, 'reset-password');

    await request(ctx.app).post('/api/v1/auth/password-reset/confirm').send({ token, password: 'nueva-clave-segura-2026' }).expect(204);
    await request(ctx.app).post('/api/v1/auth/tokens').send({ email: person.email, password: 'nueva-clave-segura-2026' }).expect(201);
    await request(ctx.app).post('/api/v1/auth/tokens').send({ email: person.email, password: person.password }).expect(401);
    // The old token died with the old password; the link is single-use.
    await request(ctx.app).get('/api/v1/me').set(person.auth).expect(401);
    const again = await request(ctx.app).post('/api/v1/auth/password-reset/confirm').send({ token, password: 'otra-clave-segura-2026' }).expect(410);
    expect(again.body.error.code).to.equal('gone');
  });

  it('answers a reset request for an unknown email exactly as for a known one, and sends nothing', async () => {
    const before = sink.received.length;
    const response = await request(ctx.app).post('/api/v1/auth/password-reset').send({ email: 'nadie.aqui@example.org' }).expect(202);
    expect(response.body).to.deep.equal({ status: 'accepted' });
    expect(await ctx.services.notifications.deliverDue()).to.equal(0);
    expect(sink.received.length).to.equal(before);
  });

  it('a reset link expires after an hour', async () => {
    const person = await registerAndSignIn(ctx.app);
    await sink.nextMail();
    await request(ctx.app).post('/api/v1/auth/password-reset').send({ email: person.email }).expect(202);
    const token = tokenIn((await sink.nextMail()).text, 'reset-password');
    await ctx.database.connection.collection('account_tokens').updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await request(ctx.app).post('/api/v1/auth/password-reset/confirm').send({ token, password: 'nueva-clave-segura-2026' }).expect(410);
  });

  it('the verification mail sent at registration confirms the address once', async () => {
    const person = await registerAndSignIn(ctx.app);
    const mail = await sink.nextMail();
    expect(mail.subject).to.equal('Confirma tu correo en Capacita');
    const token = tokenIn(mail.text, 'verify-email');
    await request(ctx.app).post('/api/v1/auth/email-verification').send({ token }).expect(204);
    expect((await request(ctx.app).get('/api/v1/me').set(person.auth).expect(200)).body.emailVerified).to.equal(true);
    await request(ctx.app).post('/api/v1/auth/email-verification').send({ token }).expect(410);
  });
});
