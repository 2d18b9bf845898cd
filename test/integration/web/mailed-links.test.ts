import { expect } from 'chai';
import request from 'supertest';
import type { TestApp } from '../../helpers/app.js';
import { useMailingApp } from '../../helpers/mailing-app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import type { SmtpSink } from '../../helpers/smtp-sink.js';
import { signInThroughForm, webSession } from '../../helpers/web-session.js';

/** The path and query of a mailed link (`https://…/reset-password?token=…`). */
function linkIn(text: string, path: string): string {
  const match = new RegExp(`https?://[^\\s/]+(/${path}\\?token=[A-Za-z0-9_%-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[1]!;
}

describe('password reset and email confirmation on the web, mailed through a real SMTP server', function () {
  this.timeout(30_000);
  const mail = useMailingApp();
  let sink: SmtpSink;
  let ctx: TestApp;
  before(() => {
    ({ ctx, sink } = mail());
  });

  it('"forgot password" mails a link that sets a new password once; the second use says it expired or was used', async () => {
    const person = await registerAndSignIn(ctx.app);
    await sink.nextMail(); // the confirmation mail of the registration
    const session = webSession(ctx.app);
    const asked = await session.post('/forgot-password', { email: person.email.toUpperCase() });
    expect(asked.status).to.equal(303);
    expect(asked.headers.location).to.equal('/login');
    expect((await session.agent.get('/login')).text).to.include('Si hay una cuenta con ese correo, te enviamos un enlace');

    const mail = await sink.nextMail();
    expect(mail.to).to.include(person.email);
    const link = linkIn(mail.text, 'reset-password');
    const form = await session.agent.get(link).expect(200);
    expect(form.text).to.include('Elige una contraseña nueva');
    // Opening the link twice (a mail scanner, a second click) does not use it up.
    await session.agent.get(link).expect(200);

    const token = decodeURIComponent(link.split('token=')[1]!);
    const tooShort = await session.post('/reset-password', { token, password: 'corta' });
    expect(tooShort.status).to.equal(400);
    expect(tooShort.text).to.include('La contraseña debe tener al menos 10 caracteres.');

    const reset = await session.post('/reset-password', { token, password: 'nueva-clave-web-2026' });
    expect(reset.status).to.equal(303);
    expect(reset.headers.location).to.equal('/login');
    expect((await session.agent.get('/login')).text).to.include('Tu contraseña quedó guardada.');
    await signInThroughForm(ctx.app, { email: person.email, password: 'nueva-clave-web-2026' });
    await request(ctx.app).post('/api/v1/auth/tokens').send({ email: person.email, password: person.password }).expect(401);

    const again = await session.post('/reset-password', { token, password: 'otra-clave-web-2026' });
    expect(again.status).to.equal(410);
    expect(again.text).to.include('El enlace venció o ya se usó.');
    await signInThroughForm(ctx.app, { email: person.email, password: 'nueva-clave-web-2026' });
  });

  it('a password reset ends the person\'s other web sessions', async () => {
    const person = await registerAndSignIn(ctx.app);
    await sink.nextMail(); // the confirmation mail of the registration
    const elsewhere = await signInThroughForm(ctx.app, { email: person.email, password: person.password });
    await elsewhere.agent.get('/account').expect(200);
    const session = webSession(ctx.app);
    await session.post('/forgot-password', { email: person.email });
    const token = decodeURIComponent(linkIn((await sink.nextMail()).text, 'reset-password').split('token=')[1]!);
    expect((await session.post('/reset-password', { token, password: 'clave-tras-reinicio-2026' })).status).to.equal(303);
    const after = await elsewhere.agent.get('/account');
    expect(after.status).to.be.oneOf([302, 303]);
    expect(after.headers.location).to.match(/^\/login/);
  });

  it('answers "forgot password" for an unknown address exactly as for a known one, and mails nothing to it', async () => {
    const person = await registerAndSignIn(ctx.app);
    await sink.nextMail();
    const ask = async (email: string) => {
      const session = webSession(ctx.app);
      const response = await session.post('/forgot-password', { email });
      const next = await session.agent.get(String(response.headers.location));
      return { status: response.status, location: response.headers.location, page: next.text.replace(/value="[0-9a-f]{64}"/g, 'TOKEN') };
    };
    const unknown = await ask('nadie.por.aqui@example.org');
    const known = await ask(person.email);
    expect(unknown).to.deep.equal(known);
    const mail = await sink.nextMail();
    expect(mail.to).to.include(person.email);
    expect(sink.received.map((received) => received.to).join(' ')).not.to.include('nadie.por.aqui');
  });

  it('a link with a mangled token goes to the same "no longer works" page', async () => {
    const response = await webSession(ctx.app).post('/reset-password', { token: 'x', password: 'nueva-clave-web-2026' });
    expect(response.status).to.equal(410);
    await request(ctx.app).get('/reset-password').expect(410);
  });

  it('the confirmation link of a registration confirms the address on a button press, once', async () => {
    const person = await registerAndSignIn(ctx.app);
    const link = linkIn((await sink.nextMail()).text, 'verify-email');
    const session = await signInThroughForm(ctx.app, person);
    expect((await session.agent.get('/account')).text).to.include('Aún no has confirmado tu correo');

    const page = await session.agent.get(link).expect(200);
    expect(page.text).to.include('Confirmar mi correo');
    const token = decodeURIComponent(link.split('token=')[1]!);
    const confirmed = await session.post('/verify-email', { token });
    expect(confirmed.status).to.equal(303);
    expect(confirmed.headers.location).to.equal('/account');
    const account = await session.agent.get('/account');
    expect(account.text).to.include('Tu correo quedó confirmado.');
    expect(account.text).not.to.include('Aún no has confirmado tu correo');

    expect((await session.post('/verify-email', { token })).status).to.equal(410);
  });

  it('"send the confirmation link again" mails a new one from My account', async () => {
    const person = await registerAndSignIn(ctx.app);
    await sink.nextMail();
    const session = await signInThroughForm(ctx.app, person);
    const response = await session.post('/account/verification');
    expect(response.status).to.equal(303);
    const mail = await sink.nextMail();
    expect(mail.to).to.include(person.email);
    expect(linkIn(mail.text, 'verify-email')).to.match(/^\/verify-email\?token=/);
  });
});
