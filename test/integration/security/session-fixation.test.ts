import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { accountWithRoles, csrfTokenIn, sessionCookieOf, sessionIdOf, signInThroughForm, webSession } from '../../helpers/web-session.js';
import { SESSION_COOKIE } from '../../../src/web/session.js';

/**
 * Session fixation and stale sessions (issue 9, item 6.5). web/sessions.test covers the
 * new id at sign-in and the end of the session at sign-out; this suite covers what an
 * attacker could try around them: a session id of their own making planted in a browser,
 * a cookie kept from before a change of roles, and a cookie (and its form token) replayed
 * after signing out — the back button, or a copy of the cookie.
 *
 * What the code does about roles (src/web/passport.ts, src/accounts/auth.service.ts): the
 * session and the API token hold only the person's id, and every request looks the
 * account up again, so a change of roles (or a deactivation) applies to sessions and
 * tokens already open, at their next request — in both directions, by design.
 */

/** A cookie value signed the way express-session signs (cookie-signature), with a secret of our choosing. */
function signedCookie(id: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${id}.${signature}`);
}

describe('security: planted, stale and replayed sessions', function () {
  this.timeout(30_000);
  const ctx = useTestApp();
  const sessions = () => ctx().database.connection.collection('sessions');
  const storedIds = async (): Promise<string[]> => (await sessions().find({}, { projection: { _id: 1 } }).toArray()).map((document) => String(document._id));

  describe('a session id the server never issued is not adopted', () => {
    const planted = 'id-elegido-por-el-atacante-0123456789';
    const cookies = (): Array<[string, string]> => [
      ['unsigned', planted],
      ['signed with another secret', signedCookie(planted, 'no-es-el-secreto')],
      // Even signed with the real secret, an id the store does not hold gets a new one.
      ['signed with the real secret, unknown to the store', signedCookie(planted, ctx().config.sessionSecret)],
    ];

    it('a page that starts a session gives a new id, not the planted one, and stores nothing under it', async () => {
      for (const [label, value] of cookies()) {
        const response = await request(ctx().app).get('/login').set('Cookie', `${SESSION_COOKIE}=${value}`).expect(200);
        const issued = sessionCookieOf(response);
        expect(issued, label).to.be.a('string');
        expect(sessionIdOf(issued!), label).not.to.equal(planted);
        expect(await storedIds(), label).not.to.include(planted);
      }
    });

    it('signing in while carrying a planted id: the person gets a fresh id, and the planted one signs nobody in', async () => {
      for (const [label, value] of cookies()) {
        const person = await registerAndSignIn(ctx().app);
        const form = await request(ctx().app).get('/login').set('Cookie', `${SESSION_COOKIE}=${value}`).expect(200);
        const anonymous = sessionCookieOf(form)!;
        // The browser now holds what the server issued; the attacker holds the planted value.
        const signedIn = await request(ctx().app)
          .post('/login')
          .set('Cookie', `${SESSION_COOKIE}=${anonymous}`)
          .type('form')
          .send({ _csrf: csrfTokenIn(form.text), email: person.email, password: person.password, next: '/account' })
          .expect(303);
        const personal = sessionCookieOf(signedIn)!;
        expect(sessionIdOf(personal), label).not.to.be.oneOf([planted, sessionIdOf(anonymous)]);
        await request(ctx().app).get('/account').set('Cookie', `${SESSION_COOKIE}=${personal}`).expect(200);
        await request(ctx().app).get('/account').set('Cookie', `${SESSION_COOKIE}=${value}`).expect(303).expect('Location', '/login?next=%2Faccount');
        await request(ctx().app).get('/account').set('Cookie', `${SESSION_COOKIE}=${anonymous}`).expect(303);
        expect(await storedIds(), label).not.to.include(planted);
      }
    });

    it("an attacker's own (issued) anonymous session, planted before the victim signs in, is worth nothing afterwards", async () => {
      const attacker = webSession(ctx().app);
      const attackerToken = await attacker.csrf();
      const fixed = attacker.sessionCookie()!;
      const victim = await registerAndSignIn(ctx().app);
      // The victim's browser carries the attacker's cookie and signs in with it.
      const signedIn = await request(ctx().app)
        .post('/login')
        .set('Cookie', `${SESSION_COOKIE}=${fixed}`)
        .type('form')
        .send({ _csrf: attackerToken, email: victim.email, password: victim.password, next: '/account' })
        .expect(303);
      expect(sessionIdOf(sessionCookieOf(signedIn)!)).not.to.equal(sessionIdOf(fixed));
      // The attacker, with the cookie and the form token of that session, is nobody.
      await attacker.agent.get('/account').expect(303).expect('Location', '/login?next=%2Faccount');
      const edit = await attacker.agent.post('/account/edit').type('form').send({ _csrf: attackerToken, givenName: 'Secuestrada' });
      expect(edit.status).to.be.oneOf([303, 403]);
      const profile = await request(ctx().app).get('/api/v1/me').set(victim.auth).expect(200);
      expect(profile.body.givenName).not.to.equal('Secuestrada');
    });
  });

  describe('a change of roles reaches the sessions and tokens already open', () => {
    it('an administrator takes the facilitator role away: the open web session and API token lose it at their next request', async () => {
      const credentials = await accountWithRoles(ctx().services, ['facilitator']);
      const session = await signInThroughForm(ctx().app, credentials);
      const token = (await request(ctx().app).post('/api/v1/auth/tokens').send(credentials).expect(201)).body;
      const bearer = { Authorization: `Bearer ${String(token.token)}` };
      await session.agent.get('/stats').expect(200);
      await request(ctx().app).get('/api/v1/stats/participation').set(bearer).expect(200);

      const admin = await accountWithRoles(ctx().services, ['admin']);
      const adminToken = (await request(ctx().app).post('/api/v1/auth/tokens').send(admin).expect(201)).body.token as string;
      await request(ctx().app).put(`/api/v1/users/${String(token.user.id)}/roles`).set('Authorization', `Bearer ${adminToken}`).send({ roles: ['learner'] }).expect(200);

      await session.agent.get('/stats').expect(403);
      await request(ctx().app).get('/api/v1/stats/participation').set(bearer).expect(403);
      // The menu follows too: the page no longer offers what the role gave.
      const home = await session.agent.get('/').expect(200);
      expect(home.text).not.to.include('href="/stats"');
      // Still signed in as the same person: only the roles changed.
      await session.agent.get('/account').expect(200);
    });

    it('the session document holds the person, not their roles (so there is nothing to go stale)', async () => {
      const credentials = await accountWithRoles(ctx().services, ['manager']);
      const session = await signInThroughForm(ctx().app, credentials);
      const stored = await sessions().findOne({ _id: sessionIdOf(session.sessionCookie()!) as never });
      expect(stored).not.to.equal(null);
      const text = JSON.stringify(stored);
      expect(text).not.to.include('manager');
      expect(text).not.to.include(credentials.email);
      expect(stored!.session.passport.user).to.match(/^[0-9a-f]{24}$/);
    });

    it('a role given is also effective at once (a promotion needs no new sign-in), which is intended', async () => {
      const person = await registerAndSignIn(ctx().app);
      const session = await signInThroughForm(ctx().app, person);
      await session.agent.get('/admin/certificates').expect(403);
      await ctx().services.accounts.service.setRoles({ id: 'un-administrador', email: '', roles: ['admin'] }, person.id, ['learner', 'manager']);
      await session.agent.get('/admin/certificates').expect(200);
      await request(ctx().app).get('/api/v1/certificates').set(person.auth).expect(200);
    });

    it('a deleted account: its web session and API token stop at once', async () => {
      const person = await registerAndSignIn(ctx().app);
      const session = await signInThroughForm(ctx().app, person);
      const other = (await request(ctx().app).post('/api/v1/auth/tokens').send({ email: person.email, password: person.password }).expect(201)).body.token as string;
      await request(ctx().app).delete('/api/v1/me').set(person.auth).send({ password: person.password }).expect(204);
      await session.agent.get('/account').expect(303).expect('Location', '/login?next=%2Faccount');
      await request(ctx().app).get('/api/v1/me').set('Authorization', `Bearer ${other}`).expect(401);
    });
  });

  describe('signing out, then the back button or a copy of the cookie', () => {
    it("pages of a signed-in person are not kept by the browser's cache", async () => {
      const person = await registerAndSignIn(ctx().app);
      const session = await signInThroughForm(ctx().app, person);
      for (const path of ['/account', '/account/edit', '/my-courses', '/courses', '/']) {
        const response = await session.agent.get(path).expect(200);
        expect(response.headers['cache-control'], path).to.match(/no-store/);
      }
    });

    it('after signing out, the old cookie and its form token open nothing and change nothing', async () => {
      const person = await registerAndSignIn(ctx().app, { givenName: 'Antes' });
      const session = await signInThroughForm(ctx().app, person);
      const page = await session.agent.get('/account/edit').expect(200);
      const oldToken = csrfTokenIn(page.text);
      const oldCookie = session.sessionCookie()!;
      await session.agent.post('/logout').type('form').send({ _csrf: oldToken }).expect(303);

      const replay = (call: request.Test): request.Test => call.set('Cookie', `${SESSION_COOKIE}=${oldCookie}`);
      await replay(request(ctx().app).get('/account/edit')).expect(303).expect('Location', '/login?next=%2Faccount%2Fedit');
      for (const [path, fields] of [
        ['/account/edit', { givenName: 'Después' }],
        ['/account/calendar-feed/reset', {}],
        ['/account/delete', { password: person.password }],
        ['/logout', {}],
      ] as const) {
        const response = await replay(request(ctx().app).post(path)).type('form').send({ ...fields, _csrf: oldToken });
        // The token belonged to a session that no longer exists: refused as a forged form (403), or sent to sign in.
        expect(response.status, path).to.be.oneOf([403, 303]);
        if (response.status === 303) expect(response.headers.location, path).to.match(/^\/(login|$)/);
      }
      // The same with the browser's current (new, anonymous) cookie and the old token.
      const current = await session.agent.post('/account/edit').type('form').send({ _csrf: oldToken, givenName: 'Después' });
      expect(current.status).to.be.oneOf([403, 303]);
      const profile = await request(ctx().app).get('/api/v1/me').set(person.auth).expect(200);
      expect(profile.body.givenName).to.equal('Antes');
      await request(ctx().app).get('/api/v1/me').set(person.auth).expect(200);
      expect(await storedIds()).not.to.include(sessionIdOf(oldCookie));
    });
  });
});
