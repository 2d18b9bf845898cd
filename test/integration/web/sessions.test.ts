import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { cookiesOf, csrfTokenIn, sessionCookieOf, sessionIdOf, signInThroughForm, webSession } from '../../helpers/web-session.js';

describe('web sessions: sign-in through the login form', () => {
  const ctx = useTestApp();
  const storedSession = (id: string) => ctx().database.connection.collection('sessions').findOne({ _id: id as never });

  it('the login form starts a session in an httpOnly, SameSite=Lax cookie, not Secure over plain HTTP', async () => {
    const response = await request(ctx().app).get('/login').expect(200);
    const cookie = cookiesOf(response).find((line) => line.startsWith('capacita.sid='));
    expect(cookie).to.be.a('string');
    expect(cookie).to.match(/; HttpOnly/);
    expect(cookie).to.match(/; SameSite=Lax/);
    expect(cookie).not.to.match(/; Secure/);
    expect(cookie).to.match(/; Expires=/);
  });

  it('pages without forms, the JSON API, /healthz and static files set no cookie at all', async () => {
    const responses = await Promise.all([
      request(ctx().app).get('/privacy').expect(200),
      request(ctx().app).get('/api/v1/territories/departments').expect(200),
      request(ctx().app).get('/api/v1/territories/departments?lang=en').expect(200),
      request(ctx().app).post('/api/v1/auth/tokens').send({ email: 'nadie@example.org', password: 'incorrecta' }).expect(401),
      request(ctx().app).get('/healthz').expect(200),
      request(ctx().app).get('/css/app.css').expect(200),
    ]);
    for (const response of responses) expect(cookiesOf(response), response.request.url).to.deep.equal([]);
  });

  it('signing in gives the session a new id and removes the old one (no session fixation)', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = webSession(ctx().app);
    const page = await session.agent.get('/login').expect(200);
    const before = sessionCookieOf(page)!;
    const signedIn = await session.agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfTokenIn(page.text), email: person.email, password: person.password, next: '/account' })
      .expect(303);
    const after = sessionCookieOf(signedIn)!;
    expect(after).to.be.a('string').and.not.equal(before);
    expect(await storedSession(sessionIdOf(before))).to.equal(null);
    expect(await storedSession(sessionIdOf(after))).not.to.equal(null);
    // The cookie from before the sign-in does not carry it.
    await request(ctx().app).get('/account').set('Cookie', `capacita.sid=${before}`).expect(303).expect('Location', '/login?next=%2Faccount');
  });

  it('signing out destroys the session in the store; its cookie no longer signs anyone in', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const account = await session.agent.get('/account').expect(200);
    const token = csrfTokenIn(account.text);
    const cookie = session.sessionCookie()!;
    const signedInId = sessionIdOf(cookie);
    expect(await storedSession(signedInId)).not.to.equal(null);

    const signedOut = await session.agent.post('/logout').type('form').send({ _csrf: token }).expect(303).expect('Location', '/');
    expect(await storedSession(signedInId)).to.equal(null);
    expect(sessionCookieOf(signedOut)).to.be.a('string').and.not.include(signedInId);
    await session.agent.get('/account').expect(303).expect('Location', '/login?next=%2Faccount');
    await request(ctx().app).get('/account').set('Cookie', `capacita.sid=${cookie}`).expect(303);
    const home = await session.agent.get('/').expect(200);
    expect(home.text).to.include('Cerraste la sesión.');
  });

  it("a deactivated person's session stops working at their next request", async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    await session.agent.get('/account').expect(200);
    await ctx().services.accounts.service.setActive({ id: 'an-administrator', email: '', roles: ['admin'] }, person.id, false);
    await session.agent.get('/account').expect(303).expect('Location', '/login?next=%2Faccount');
  });

  it('answers a wrong password and an unknown email with the very same page', async () => {
    const person = await registerAndSignIn(ctx().app);
    const attempt = async (email: string, password: string) => {
      const session = webSession(ctx().app);
      const response = await session.post('/login', { email, password });
      // What may differ: the echoed email, the session's CSRF token, the request id.
      return { status: response.status, page: response.text.replaceAll(email, 'EMAIL').replace(/value="[0-9a-f]{64}"/g, 'TOKEN') };
    };
    const wrongPassword = await attempt(person.email, 'no-es-la-contraseña');
    const unknownEmail = await attempt(`nadie.${Date.now()}@example.org`, 'no-es-la-contraseña');
    expect(wrongPassword.status).to.equal(401);
    expect(unknownEmail).to.deep.equal(wrongPassword);
    expect(wrongPassword.page).to.include('El correo o la contraseña no son correctos.');
    expect(wrongPassword.page).not.to.include('no-es-la-contraseña');
  });

  it('after 10 failures the account must wait (429 with Retry-After), even with the right password', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = webSession(ctx().app);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await session.post('/login', { email: person.email, password: 'equivocada-otra-vez' }).then((response) => expect(response.status).to.equal(401));
    }
    const limited = await session.post('/login', { email: person.email, password: person.password });
    expect(limited.status).to.equal(429);
    expect(Number(limited.headers['retry-after'])).to.be.greaterThan(0);
    expect(limited.text).to.include('demasiados intentos fallidos');
  });

  describe('behind a TLS-terminating proxy (TRUST_PROXY=true)', () => {
    const proxied = useTestApp({ TRUST_PROXY: 'true' });

    it('marks the session cookie Secure', async () => {
      const response = await request(proxied().app).get('/login').set('X-Forwarded-Proto', 'https').expect(200);
      const cookie = cookiesOf(response).find((line) => line.startsWith('capacita.sid='));
      expect(cookie).to.match(/; Secure/);
      expect(cookie).to.match(/; HttpOnly/);
    });
  });
});
