import { expect } from 'chai';
import request from 'supertest';
import { listRoutes } from '../../helpers/routes.js';
import { BANK_QUESTION_X, LESSON, MODULE, snapshot, useSecurityWorld, X, type SecurityWorld, type Who } from './security-world.js';

/**
 * Content Security Policy without inline script (issue 9, item 6.4). Every page the
 * router serves — taken from the router, with real ids, as someone who may see it, and
 * with hostile text planted in everything people type (profile, cohort, session,
 * question bank, institution name) — and every error page answers with a policy whose
 * scripts come from the site only (no 'unsafe-inline', 'unsafe-eval', nonce or hash),
 * with object-src 'none', frame-ancestors 'none' and base-uri; and its HTML has no
 * inline script, no event-handler attribute, no `javascript:` URL and no inline style
 * (which the policy would block). Files (CSV, PDF, calendars, ZIP, spreadsheets) and the
 * JSON API carry `X-Content-Type-Options: nosniff` and are never HTML.
 */

type Probe = { who: Who | 'anonymous'; path: string; status?: number };
type Entry = { kind: 'page'; probes: (w: SecurityWorld) => Probe[] } | { kind: 'file'; probes: (w: SecurityWorld) => Probe[] } | { kind: 'json'; probes: (w: SecurityWorld) => Probe[] };

const page = (probes: (w: SecurityWorld) => Probe[]): Entry => ({ kind: 'page', probes });
const file = (probes: (w: SecurityWorld) => Probe[]): Entry => ({ kind: 'file', probes });
const anonymous = (path: string, status = 200): Probe => ({ who: 'anonymous', path, status });
const as = (who: Who, path: string, status = 200): Probe => ({ who, path, status });

/** Every GET route outside the JSON API (the API is checked as a whole below). */
const GET_ROUTES: Record<string, Entry> = {
  '/healthz': { kind: 'json', probes: () => [anonymous('/healthz')] },
  '/course-files/:slug/images/:file': file(() => [anonymous(`/course-files/${X}/images/pasos.svg`)]),
  '/settings/logo': file(() => [anonymous('/settings/logo', 404)]),
  '/': page(() => [anonymous('/'), as('A', '/')]),
  '/login': page(() => [anonymous('/login'), anonymous('/login?next=%2Faccount')]),
  '/forgot-password': page(() => [anonymous('/forgot-password')]),
  '/reset-password': page(() => [anonymous('/reset-password?token=abcdefghijklmnopqrstuvwx'), anonymous('/reset-password', 410)]),
  '/verify-email': page(() => [anonymous('/verify-email?token=abcdefghijklmnopqrstuvwx'), anonymous('/verify-email', 410)]),
  '/register': page(() => [anonymous('/register')]),
  '/account': page(() => [as('A', '/account')]),
  '/account/edit': page(() => [as('A', '/account/edit')]),
  '/account/export': file(() => [as('A', '/account/export')]),
  '/account/delete': page(() => [as('A', '/account/delete')]),
  '/privacy': page(() => [anonymous('/privacy')]),
  '/consent': page(() => [as('A', '/consent?next=%2Faccount')]),
  '/courses': page(() => [anonymous('/courses'), as('A', '/courses')]),
  '/courses/:slug': page(() => [anonymous(`/courses/${X}`), as('A', `/courses/${X}`), as('FX', `/courses/${X}`)]),
  // The lesson's Markdown holds a <script> (the sample course): it must not come through.
  '/courses/:slug/lessons/:lessonSlug': page(() => [as('A', `/courses/${X}/lessons/${LESSON}`), as('FX', `/courses/${X}/lessons/${LESSON}`)]),
  '/my-courses': page(() => [as('A', '/my-courses'), as('B', '/my-courses')]),
  '/courses/:slug/people': page(({ ids }) => [as('FX', `/courses/${X}/people`), as('FX', `/courses/${X}/people?cohort=${ids.cohortX1}`)]),
  '/courses/:slug/people.csv': file(() => [as('FX', `/courses/${X}/people.csv`)]),
  '/courses/:slug/quizzes/:moduleSlug': page(() => [as('A', `/courses/${X}/quizzes/${MODULE}`)]),
  '/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId': page(({ ids }) => [as('A', `/courses/${X}/quizzes/${MODULE}/attempts/${ids.attemptOpen}`), as('A', `/courses/${X}/quizzes/${MODULE}/attempts/${ids.attemptDone}`)]),
  '/courses/:slug/quizzes/:moduleSlug/report': page(() => [as('FX', `/courses/${X}/quizzes/${MODULE}/report`)]),
  '/courses/:slug/quizzes/:moduleSlug/report.csv': file(() => [as('FX', `/courses/${X}/quizzes/${MODULE}/report.csv`)]),
  '/courses/:slug/question-bank': page(() => [as('FX', `/courses/${X}/question-bank`)]),
  '/courses/:slug/question-bank.gift': file(() => [as('FX', `/courses/${X}/question-bank.gift`)]),
  '/courses/:slug/question-bank/:questionId/edit': page(() => [as('FX', `/courses/${X}/question-bank/${BANK_QUESTION_X}/edit`), as('FX', `/courses/${X}/question-bank/${HOSTILE_QUESTION}/edit`)]),
  '/courses/:slug/live-sessions/new': page(() => [as('FX', `/courses/${X}/live-sessions/new`)]),
  '/live-sessions/:id': page(({ ids }) => [as('A', `/live-sessions/${ids.sessionX1}`), as('FX', `/live-sessions/${ids.sessionX1}`)]),
  '/live-sessions/:id/calendar.ics': file(({ ids }) => [as('A', `/live-sessions/${ids.sessionX1}/calendar.ics`)]),
  '/live-sessions/:id/agenda': page(({ ids }) => [as('A', `/live-sessions/${ids.sessionX1}/agenda`)]),
  '/live-sessions/:id/edit': page(({ ids }) => [as('FX', `/live-sessions/${ids.sessionX1}/edit`)]),
  '/live-sessions/:id/cancel': page(({ ids }) => [as('FX', `/live-sessions/${ids.sessionX1}/cancel`)]),
  '/live-sessions/:id/attendance': page(({ ids }) => [as('FX', `/live-sessions/${ids.sessionX1}/attendance`)]),
  '/admin/users': page(() => [as('admin', '/admin/users'), as('admin', '/admin/users?q=Aurora')]),
  '/admin/users/new': page(() => [as('admin', '/admin/users/new')]),
  '/admin/users/import': page(() => [as('admin', '/admin/users/import'), as('manager', '/admin/users/import')]),
  '/admin/users/import/template.csv': file(() => [as('manager', '/admin/users/import/template.csv')]),
  '/admin/users/:id': page(({ people }) => [as('admin', `/admin/users/${people.A.id}`)]),
  '/admin/settings': page(() => [as('admin', '/admin/settings')]),
  '/verify': page(() => [anonymous('/verify'), anonymous('/verify?code=no-es-un-codigo', 400)]),
  '/verify/:code': page(({ ids }) => [anonymous(`/verify/${ids.certificate}`), anonymous('/verify/CAP-0000-0000', 404)]),
  '/certificates/:code.pdf': file(({ ids }) => [as('A', `/certificates/${ids.certificate}.pdf`)]),
  '/stats': page(() => [as('FX', '/stats'), as('manager', '/stats'), as('manager', `/stats?course=${X}&by=departmentCode&by2=sex`)]),
  '/stats/participation.csv': file(() => [as('manager', '/stats/participation.csv')]),
  '/stats/participation.xlsx': file(() => [as('manager', '/stats/participation.xlsx')]),
  '/stats/participation.pdf': file(() => [as('manager', '/stats/participation.pdf')]),
  '/admin/certificates': page(() => [as('manager', '/admin/certificates'), as('manager', `/admin/certificates?courseSlug=${X}`)]),
  '/admin/certificates/export.zip': file(() => [as('manager', `/admin/certificates/export.zip?courseSlug=${X}`)]),
  '/admin/certificates/new': page(() => [as('manager', '/admin/certificates/new')]),
  '/admin/certificates/:code': page(({ ids }) => [as('manager', `/admin/certificates/${ids.certificate}`)]),
  '/admin/outbox': page(() => [as('admin', '/admin/outbox')]),
  '/admin/outbox/:id': page(({ ids }) => [as('admin', `/admin/outbox/${ids.outboxMail}`)]),
};

/** A question whose prompt is an attack; its id is a plain word. */
const HOSTILE_QUESTION = 'pregunta-hostil';
const HOSTILE_TEXT = `"><script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3)`;

/** The policy's directives, by name. */
function directivesOf(header: string | undefined): Map<string, string[]> {
  expect(header, 'Content-Security-Policy header').to.be.a('string');
  return new Map(
    header!
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

function expectStrictPolicy(where: string, header: string | undefined): void {
  const policy = directivesOf(header);
  const scripts = policy.get('script-src') ?? policy.get('default-src');
  expect(scripts, `${where}: script-src`).to.deep.equal(["'self'"]);
  for (const name of ['default-src', 'script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'style-src-elem', 'style-src-attr']) {
    for (const value of policy.get(name) ?? []) {
      expect(value, `${where}: ${name}`).not.to.match(/^'(unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|strict-dynamic|nonce-|sha256-|sha384-|sha512-)/);
      expect(value, `${where}: ${name} allows any host`).not.to.match(/^(\*|https?:|data:|blob:)$/);
    }
  }
  expect(policy.get('script-src-attr') ?? ["'none'"], `${where}: script-src-attr`).to.deep.equal(["'none'"]);
  expect(policy.get('object-src'), `${where}: object-src`).to.deep.equal(["'none'"]);
  expect(policy.get('frame-ancestors'), `${where}: frame-ancestors`).to.deep.equal(["'none'"]);
  expect((policy.get('base-uri') ?? []).join(' '), `${where}: base-uri`).to.be.oneOf(["'self'", "'none'"]);
  expect(policy.get('form-action'), `${where}: form-action`).to.deep.equal(["'self'"]);
}

/** For files that are documents when opened (SVG): no script but the site's, or none at all. */
function expectScriptsBlocked(where: string, header: string | undefined): void {
  const policy = directivesOf(header);
  expect((policy.get('script-src') ?? policy.get('default-src') ?? []).join(' '), `${where}: scripts`).to.be.oneOf(["'self'", "'none'"]);
}

interface Tag {
  name: string;
  attributes: Array<{ name: string; value: string }>;
}

/** The start tags of an HTML text and their attributes (EJS escapes `<`, `>` and quotes in values). */
function tagsOf(html: string): Tag[] {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  return [...withoutComments.matchAll(/<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'=<>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g)].map((match) => ({
    name: match[1]!.toLowerCase(),
    attributes: [...match[2]!.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)].map((attribute) => ({
      name: attribute[1]!.toLowerCase(),
      value: attribute[2] ?? attribute[3] ?? attribute[4] ?? '',
    })),
  }));
}

const decodeEntities = (value: string): string =>
  value
    .replace(/&#(\d+);?/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);?/gi, (_, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
    .replace(/&colon;/gi, ':')
    .replace(/&amp;/g, '&');

function expectNoInlineCode(where: string, html: string): void {
  // Every <script> has a src on this site: none carries code of its own.
  expect(html, `${where}: <script> without src`).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(html, `${where}: <style> element`).not.to.match(/<style[\s>]/i);
  for (const tag of tagsOf(html)) {
    for (const { name, value } of tag.attributes) {
      expect(name, `${where}: <${tag.name} ${name}=…> is an event handler`).not.to.match(/^on/);
      expect(name, `${where}: <${tag.name} style=…>`).not.to.equal('style');
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster'].includes(name)) {
        const url = decodeEntities(value).replace(/[\u0000-\u0020]/g, '');
        expect(url, `${where}: <${tag.name} ${name}="${value}">`).not.to.match(/^(javascript|vbscript|data):/i);
        if (tag.name === 'script') expect(url, `${where}: script from elsewhere`).to.match(/^\/(?!\/)/);
      }
    }
  }
}

function expectNoSniff(where: string, response: request.Response): void {
  expect(response.headers['x-content-type-options'], `${where}: X-Content-Type-Options`).to.equal('nosniff');
}

describe('security: Content-Security-Policy, and no inline script anywhere', function () {
  this.timeout(60_000);
  const world = useSecurityWorld();
  const api = () => request(world().ctx.app);

  before(async () => {
    // What people type, at its most hostile, where pages print it.
    const { people, ids, ctx } = world();
    await api().patch('/api/v1/me').set(people.A.auth).send({ organization: HOSTILE_TEXT.slice(0, 120), position: `' onfocus='alert(4)' x='` }).expect(200);
    await api().post(`/api/v1/courses/${X}/question-bank`).set(people.FX.auth).set('Content-Type', 'text/plain; charset=utf-8').send(`::${HOSTILE_QUESTION}:: <script>alert(5)</script> ¿<b onclick\\="alert(6)">sí</b>? {T}`).expect(200);
    await api().patch(`/api/v1/live-sessions/${ids.sessionX1}`).set(people.FX.auth).send({ title: '<script>alert(7)</script>" onmouseover="alert(8)' }).expect(200);
    await ctx.services.settings.updateInstitution({ id: people.admin.id, email: people.admin.email, roles: ['admin'] }, { name: '<script>alert(9)</script>', city: `" onload="alert(10)` });
  });

  it('knows every GET route outside the API (a new page must be added here)', () => {
    const routes = listRoutes(world().ctx.app)
      .filter((route) => route.method === 'GET' && !route.path.startsWith('/api/'))
      .map((route) => route.path);
    expect(routes.filter((path) => !(path in GET_ROUTES)), 'GET routes missing from the table').to.deep.equal([]);
    expect(Object.keys(GET_ROUTES).filter((path) => !routes.includes(path)), 'table rows for routes that no longer exist').to.deep.equal([]);
  });

  for (const [route, entry] of Object.entries(GET_ROUTES)) {
    it(`${route}: ${entry.kind === 'page' ? 'a strict policy and no inline code' : 'nosniff, never HTML'}`, async () => {
      const w = world();
      for (const probe of entry.probes(w)) {
        const where = `${probe.who} GET ${probe.path}`;
        const response = probe.who === 'anonymous' ? await api().get(probe.path) : await w.people[probe.who].web.agent.get(probe.path);
        expect(response.status, `${where} → ${response.status}`).to.equal(probe.status ?? 200);
        expectNoSniff(where, response);
        if (entry.kind === 'page') {
          expect(response.headers['content-type'], where).to.match(/^text\/html/);
          expectStrictPolicy(where, response.headers['content-security-policy']);
          expectNoInlineCode(where, response.text);
        } else if (response.status === 200) {
          expect(response.headers['content-type'], where).not.to.match(/html/);
          // An SVG opened on its own is a document: a policy keeps any script in it from running.
          if (/svg/.test(String(response.headers['content-type']))) expectScriptsBlocked(where, response.headers['content-security-policy']);
          if (entry.kind === 'file' && !/^image\//.test(String(response.headers['content-type']))) {
            expect(response.headers['content-disposition'], `${where}: a download`).to.match(/^attachment/);
          }
        }
      }
    });
  }

  it('the hostile text planted above is on the pages, escaped (so the checks had something to find)', async () => {
    const { people, ids } = world();
    const account = await people.A.web.agent.get('/account').expect(200);
    expect(account.text).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    const bank = await people.FX.web.agent.get(`/courses/${X}/question-bank`).expect(200);
    expect(bank.text).to.include('&lt;script&gt;alert(5)&lt;/script&gt;');
    const session = await people.A.web.agent.get(`/live-sessions/${ids.sessionX1}`).expect(200);
    expect(session.text).to.include('&lt;script&gt;alert(7)&lt;/script&gt;');
    const agenda = await people.A.web.agent.get(`/live-sessions/${ids.sessionX1}/agenda`).expect(200);
    expect(agenda.text).to.include('&lt;script&gt;alert(9)&lt;/script&gt;');
    // The checker itself: it finds each kind of inline code when there is some.
    for (const html of ['<script>alert(1)</script>', '<p onclick="x()">', '<a href=" javascript:x()">', '<a href="&#106;avascript:x()">', '<div style="color:red">', '<style>p{}</style>', '<script src="https://cdn.example/x.js"></script>']) {
      expect(() => expectNoInlineCode('checker', html), html).to.throw();
    }
    expect(() => expectNoInlineCode('checker', '<input value="&#34; onmouseover=&#34;x()"><script src="/js/quiz.js"></script>')).not.to.throw();
  });

  describe('error pages', () => {
    it('404, 403, the CSRF refusal, 400, 410 and 413 pages: the same policy, no inline code', async () => {
      const { people } = world();
      const oversized = 'x'.repeat(101 * 1024);
      const token = await people.B.web.csrf();
      const responses: Array<[string, number, request.Response]> = [
        ['unknown page', 404, await api().get('/no-such-page')],
        ['unknown page, signed in', 404, await people.B.web.agent.get('/no-such-page')],
        ['unknown course', 404, await api().get('/courses/no-existe')],
        ['not allowed', 403, await people.B.web.agent.get('/admin/users')],
        ['form without its token', 403, await people.B.web.agent.post('/account/edit').type('form').send({ givenName: 'X' })],
        ['not a certificate code', 400, await api().get('/verify?code=zzz')],
        ['expired link', 410, await api().get('/reset-password')],
        ['form too large', 413, await people.B.web.agent.post('/account/edit').type('form').send({ _csrf: token, givenName: oversized })],
        ['form too large, anonymous', 413, await api().post('/login').type('form').send({ email: oversized })],
      ];
      for (const [label, status, response] of responses) {
        expect(response.status, label).to.equal(status);
        expect(response.headers['content-type'], label).to.match(/^text\/html/);
        expectStrictPolicy(label, response.headers['content-security-policy']);
        expectNoSniff(label, response);
        expectNoInlineCode(label, response.text);
      }
    });

    it('the 500 page: the same policy, no inline code, no stack trace', async () => {
      const { people, ctx } = world();
      const settings = ctx.services.settings;
      const original = settings.current;
      settings.current = () => Promise.reject(new Error('fallo interno de prueba at Object.<anonymous> (settings.ts:1:1)'));
      try {
        const response = await people.admin.web.agent.get('/admin/settings');
        expect(response.status).to.equal(500);
        expectStrictPolicy('500 page', response.headers['content-security-policy']);
        expectNoSniff('500 page', response);
        expectNoInlineCode('500 page', response.text);
        expect(response.text).not.to.include('fallo interno de prueba');
        expect(response.text).not.to.match(/at Object\.<anonymous>|\.ts:\d+/);
      } finally {
        settings.current = original;
      }
    });
  });

  describe('the JSON API and static files', () => {
    it('every API GET route answers JSON or a file with nosniff, found or not, signed in or not', async () => {
      const { people, ids } = world();
      const values: Record<string, string> = { id: ids.sessionX1, code: ids.certificate, slug: X, lessonSlug: LESSON, attemptId: ids.attemptDone, token: 'no-es-un-token' };
      const paths = listRoutes(world().ctx.app)
        .filter((route) => route.method === 'GET' && route.path.startsWith('/api/'))
        .map((route) => route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name] ?? 'x'));
      for (const path of paths) {
        for (const auth of [people.manager.auth, people.B.auth, undefined]) {
          const response = auth ? await api().get(path).set(auth) : await api().get(path);
          const where = `GET ${path} (${auth ? 'signed in' : 'anonymous'}) → ${response.status}`;
          expect(response.status, where).to.be.below(500);
          expectNoSniff(where, response);
          expect(response.headers['content-type'] ?? '', where).not.to.match(/html/);
        }
      }
    });

    it('errors of the API (bad JSON, unknown route, too large) are JSON with nosniff', async () => {
      const responses = [
        await api().post('/api/v1/accounts').set('Content-Type', 'application/json').send('{"broken'),
        await api().get('/api/v1/no-such-route'),
        await api().post('/api/v1/accounts').set('Content-Type', 'application/json').send(`{"x":"${'a'.repeat(1024 * 1024)}"}`),
      ];
      expect(responses.map((response) => response.status)).to.deep.equal([400, 404, 413]);
      for (const response of responses) {
        expectNoSniff(response.request.url, response);
        expect(response.headers['content-type']).to.match(/^application\/json/);
      }
    });

    it('static files carry nosniff too, and the policy', async () => {
      for (const path of ['/css/app.css', '/js/quiz.js', '/images/logo.svg']) {
        const response = await api().get(path).expect(200);
        expectNoSniff(path, response);
        if (path.endsWith('.svg')) expectScriptsBlocked(path, response.headers['content-security-policy']);
      }
    });

    it('reading every page changed no data', async () => {
      // A guard on the table above: GET requests are safe, or this suite's probes would have had side effects.
      const before = await snapshot(world().ctx);
      await world().people.A.web.agent.get('/my-courses').expect(200);
      expect(await snapshot(world().ctx)).to.deep.equal(before);
    });
  });
});
