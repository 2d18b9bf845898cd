import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { accountWithRoles, csrfTokenIn, signInThroughForm, webSession } from '../../helpers/web-session.js';

/**
 * Open redirects (issue 9, item 6.3). Every redirect whose target comes from the request
 * — `next` after signing in and after accepting the privacy policy, the consent gate that
 * remembers the page asked for, the sign-in redirect of a protected page, the outbox's
 * "retried" page, the typed certificate codes — and every link built from the request's
 * own URL (the language switch) stays on the site, whatever is sent. sign-in-redirects
 * tests the plain `next=` cases; this suite the tricks around them.
 */

const SITE = 'https://capacita.example.gov.co';

/** Targets a browser could be talked into reading as another site. */
const HOSTILE = [
  '//evil.example',
  '///evil.example',
  'https://evil.example/phish',
  'http:evil.example',
  'https:/evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  ' //evil.example',
  '%2F%2Fevil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.example',
  // Dot segments: the URL parser resolves them, and `/.//evil` comes out as `//evil`.
  '/.//evil.example',
  '/..//evil.example',
  '/a/..//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/./\\evil.example',
];

/** Where a browser would go from this page if it followed `target`. */
function isOnSite(target: string | undefined): boolean {
  if (typeof target !== 'string' || target.length === 0) return false;
  const resolved = new URL(target.replaceAll('&amp;', '&'), `${SITE}/some/page`);
  return resolved.origin === SITE && /^\/(?![/\\])/.test(target);
}

/** The hidden `next` field of a form. */
function nextFieldOf(html: string): string | undefined {
  return /name="next" value="([^"]*)"/.exec(html)?.[1];
}

/** Every link and form target of a page. */
function targetsOf(html: string): string[] {
  return [...html.matchAll(/\s(?:href|action|src|formaction)="([^"]*)"/g)].map((match) => match[1]!);
}

describe('security: redirects and links built from the request stay on the site', function () {
  this.timeout(60_000);
  const ctx = useTestApp({ BASE_URL: SITE });

  it('recognises what leaves the site (the check itself)', () => {
    for (const target of ['//evil.example', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)', 'evil.example', '']) expect(isOnSite(target), target).to.equal(false);
    for (const target of ['/', '/account/edit?tab=1', '/%2F%2Fevil.example']) expect(isOnSite(target), target).to.equal(true);
  });

  describe('`next` after signing in', () => {
    for (const next of HOSTILE) {
      it(`next=${JSON.stringify(next)}: the form keeps a path of the site, and signing in goes there`, async () => {
        const person = await registerAndSignIn(ctx().app);
        const session = webSession(ctx().app);
        const form = await session.agent.get(`/login?next=${encodeURIComponent(next)}`).expect(200);
        const kept = nextFieldOf(form.text);
        expect(isOnSite(kept), `form next=${kept}`).to.equal(true);
        expect(kept).not.to.match(/^\/\//);
        const signedIn = await session.agent.post('/login').type('form').send({ _csrf: csrfTokenIn(form.text), email: person.email, password: person.password, next });
        expect(signedIn.status).to.equal(303);
        expect(isOnSite(signedIn.headers.location), `Location ${signedIn.headers.location}`).to.equal(true);
        // Already signed in, the sign-in page sends the person on at once: on the site too.
        const again = await session.agent.get(`/login?next=${encodeURIComponent(next)}`).expect(303);
        expect(isOnSite(again.headers.location), `Location ${again.headers.location}`).to.equal(true);
      });
    }

    it('a path of the site is kept, query and all (the protection is not simply "always home")', async () => {
      const person = await registerAndSignIn(ctx().app);
      const session = webSession(ctx().app);
      const response = await session.post('/login', { email: person.email, password: person.password, next: '/courses?lang=en' });
      expect(response.headers.location).to.equal('/courses?lang=en');
    });
  });

  describe('`next` after accepting the privacy policy, and the consent gate', () => {
    it('every hostile `next` on the consent form leads to a page of the site', async () => {
      for (const next of HOSTILE) {
        const person = await accountWithRoles(ctx().services, ['learner']);
        const session = await signInThroughForm(ctx().app, person, { acceptConsent: false });
        const form = await session.agent.get(`/consent?next=${encodeURIComponent(next)}`).expect(200);
        expect(isOnSite(nextFieldOf(form.text)), `consent form next for ${JSON.stringify(next)}`).to.equal(true);
        const accepted = await session.agent.post('/consent').type('form').send({ _csrf: csrfTokenIn(form.text), accept: 'yes', next });
        expect(accepted.status).to.equal(303);
        expect(isOnSite(accepted.headers.location), `Location ${accepted.headers.location} for ${JSON.stringify(next)}`).to.equal(true);
      }
    });

    it('the gate remembers a hostile-looking address as `next`, and accepting still stays on the site', async () => {
      const person = await accountWithRoles(ctx().services, ['learner']);
      const session = await signInThroughForm(ctx().app, person, { acceptConsent: false });
      for (const path of ['/.//evil.example', '//evil.example', '/..//evil.example/x?y=1']) {
        const gated = await session.agent.get(path).expect(303);
        expect(gated.headers.location).to.match(/^\/consent\?next=/);
        const form = await session.agent.get(gated.headers.location!).expect(200);
        expect(isOnSite(nextFieldOf(form.text)), `${path} → ${nextFieldOf(form.text)}`).to.equal(true);
      }
    });
  });

  it('a protected page asked for at a strange address sends to sign in with `next` in the query, never elsewhere', async () => {
    for (const path of ['/account/.././/evil.example', '/admin/users/..//evil.example', '/stats?x=//evil.example']) {
      const response = await request(ctx().app).get(path);
      if (response.status === 303) expect(response.headers.location, path).to.match(/^\/login(\?|$)/);
      else expect(response.status, path).to.equal(404);
    }
  });

  it('the language links of any page, at any address, point to the same site', async () => {
    const session = await signInThroughForm(ctx().app, await registerAndSignIn(ctx().app));
    for (const path of ['/.//evil.example', '/..//evil.example', '/%2e//evil.example?lang=en', '//evil.example', '///evil.example/x', '/login?next=//evil.example', '/.//evil.example/..//x']) {
      for (const agent of [request(ctx().app), session.agent]) {
        const page = await agent.get(path);
        if (page.status === 303) {
          expect(isOnSite(page.headers.location), `${path} → ${page.headers.location}`).to.equal(true);
          continue;
        }
        const links = [...page.text.matchAll(/href="([^"]*lang=[^"]*)"/g)].map((match) => match[1]!);
        expect(links, `${path}: language links`).to.have.length(2);
        for (const link of links) expect(isOnSite(link), `${path}: ${link}`).to.equal(true);
        for (const target of targetsOf(page.text)) {
          if (target.startsWith('#')) continue;
          expect(isOnSite(target), `${path}: ${target}`).to.equal(true);
        }
      }
    }
  });

  it('no redirect follows the Referer header', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const token = await session.csrf();
    const referer = 'https://evil.example/back';
    const verified = await session.agent.post('/account/verification').set('Referer', referer).type('form').send({ _csrf: token }).expect(303);
    expect(verified.headers.location).to.equal('/account');
    const reset = await session.agent.post('/account/calendar-feed/reset').set('Referer', referer).type('form').send({ _csrf: token }).expect(303);
    expect(reset.headers.location).to.equal('/account');
    const signedOut = await session.agent.post('/logout').set('Referer', referer).type('form').send({ _csrf: token }).expect(303);
    expect(signedOut.headers.location).to.equal('/');
    // And none of the source reads it, nor Express's "back".
    const sources = (directory: string): string[] =>
      readdirSync(directory).flatMap((name) => {
        const path = join(directory, name);
        if (statSync(path).isDirectory()) return path.endsWith(join('db', 'engine')) ? [] : sources(path);
        return path.endsWith('.ts') ? [path] : [];
      });
    for (const file of sources(join(process.cwd(), 'src'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.to.match(/\breferr?er\b/i);
      expect(text, file).not.to.match(/redirect\([^)]*['"]back['"]/);
    }
  });

  it("the outbox's retry and the typed certificate codes redirect only within their own pages", async () => {
    const admin = await signInThroughForm(ctx().app, await accountWithRoles(ctx().services, ['admin']));
    const token = await admin.csrf();
    for (const id of ['%2F%2Fevil.example', '..%2F..%2F..%2Fevil.example', 'https:%2F%2Fevil.example']) {
      const retried = await admin.agent.post(`/admin/outbox/${id}/retry`).type('form').send({ _csrf: token });
      expect(retried.status, id).to.equal(404);
    }
    for (const code of ['//evil.example', 'https://evil.example', '/.//evil.example']) {
      const typed = await request(ctx().app).get(`/verify?code=${encodeURIComponent(code)}`);
      expect(typed.status, code).to.equal(400);
      const admins = await admin.agent.get(`/admin/certificates/${encodeURIComponent(code)}`);
      expect(admins.status, code).to.equal(404);
    }
    // A typed variant of a code (lower case, no dashes) goes to its canonical address on the site.
    const variant = await request(ctx().app).get('/verify?code=cap%20abcd%20efgh');
    if (variant.status === 303) expect(variant.headers.location).to.equal('/verify/CAP-ABCD-EFGH');
    else expect(variant.status).to.equal(400);
  });
});
