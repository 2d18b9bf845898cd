import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { listRoutes } from '../../helpers/routes.js';
import { signInThroughForm, webSession, type WebSession } from '../../helpers/web-session.js';

/**
 * Who may and who may not, for every route the application has. Each row probes a
 * route as each kind of caller with a request that cannot change anything (a body
 * that fails validation, an id that does not exist): "may" means the answer is
 * neither 401 nor 403 (nor a redirect to sign in); "may not" means exactly that.
 * A route missing from the table fails the completeness test.
 *
 * HTML pages are probed the way a browser uses them: a cookie session signed in through
 * the login form, and a valid CSRF token on every form (so that the answer is about
 * permission, not about the token). There "may not" means 403 for a signed-in person
 * and a redirect to the sign-in page for an anonymous one.
 */

type Caller = 'anonymous' | 'learner' | 'facilitator' | 'manager' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'learner', 'facilitator', 'manager', 'admin'];
const EVERYONE = CALLERS;
const SIGNED_IN: Caller[] = ['learner', 'facilitator', 'manager', 'admin'];

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  may: Caller[];
  body?: unknown;
  contentType?: string;
  /** The probe ends the caller's token or session (sign-out): use one of its own. */
  usesOwnToken?: boolean;
  /** An HTML page (session and CSRF token) rather than an API route (bearer token). */
  isPage?: boolean;
}

const MISSING_ID = '0123456789abcdef01234567';

export const API_ROUTES: Row[] = [
  { method: 'POST', path: '/api/v1/accounts', may: EVERYONE, body: {} },
  { method: 'POST', path: '/api/v1/auth/tokens', may: EVERYONE, body: {} },
  { method: 'DELETE', path: '/api/v1/auth/tokens/current', may: SIGNED_IN, usesOwnToken: true },
  { method: 'POST', path: '/api/v1/auth/password-reset', may: EVERYONE, body: {} },
  { method: 'POST', path: '/api/v1/auth/password-reset/confirm', may: EVERYONE, body: {} },
  { method: 'POST', path: '/api/v1/auth/email-verification', may: EVERYONE, body: {} },
  { method: 'GET', path: '/api/v1/me', may: SIGNED_IN },
  { method: 'PATCH', path: '/api/v1/me', may: SIGNED_IN, body: { unknownField: 1 } },
  { method: 'POST', path: '/api/v1/me/email-verification', may: SIGNED_IN },
  { method: 'GET', path: '/api/v1/me/export', may: SIGNED_IN },
  { method: 'DELETE', path: '/api/v1/me', may: SIGNED_IN, body: { unknownField: 1 } },
  { method: 'GET', path: '/api/v1/users', may: ['admin'] },
  { method: 'POST', path: '/api/v1/users', may: ['admin'], body: {} },
  { method: 'GET', path: '/api/v1/users/:id', may: ['admin'] },
  { method: 'PUT', path: '/api/v1/users/:id/roles', may: ['admin'], body: {} },
  { method: 'POST', path: '/api/v1/users/:id/deactivate', may: ['admin'] },
  { method: 'POST', path: '/api/v1/users/:id/activate', may: ['admin'] },
  { method: 'POST', path: '/api/v1/users/import', may: ['admin', 'manager'], body: 'email\n', contentType: 'text/csv' },
  { method: 'GET', path: '/api/v1/territories/departments', may: EVERYONE },
  { method: 'GET', path: '/api/v1/territories/departments/:code/municipalities', may: EVERYONE },
  { method: 'GET', path: '/api/v1/courses', may: EVERYONE },
  { method: 'GET', path: '/api/v1/courses/:slug', may: EVERYONE },
  { method: 'PUT', path: '/api/v1/courses/:slug/facilitators', may: ['manager', 'admin'], body: {} },
  { method: 'POST', path: '/api/v1/courses/:slug/cohorts', may: ['manager', 'admin'], body: {} },
  { method: 'GET', path: '/api/v1/courses/:slug/cohorts', may: EVERYONE },
  { method: 'POST', path: '/api/v1/courses/:slug/enrollments', may: SIGNED_IN, body: { unknownField: 1 } },
  { method: 'POST', path: '/api/v1/courses/:slug/enrollments/bulk', may: ['manager', 'admin'], body: {} },
  { method: 'GET', path: '/api/v1/me/enrollments', may: SIGNED_IN },
  // Enrolled learners and the course's facilitators: the probe's course does not exist (404), so only the role gate shows.
  { method: 'GET', path: '/api/v1/courses/:slug/lessons/:lessonSlug', may: SIGNED_IN },
  { method: 'POST', path: '/api/v1/courses/:slug/lessons/:lessonSlug/complete', may: SIGNED_IN },
  { method: 'GET', path: '/api/v1/courses/:slug/enrollments', may: ['facilitator', 'manager', 'admin'] },
  { method: 'GET', path: '/api/v1/courses/:slug/enrollments.csv', may: ['facilitator', 'manager', 'admin'] },
  // Enrolled learners (facilitators of the course and managers also see the answers): the probe's quiz does not exist (404).
  { method: 'GET', path: '/api/v1/quizzes/:id', may: SIGNED_IN },
  { method: 'GET', path: '/api/v1/quizzes/:id/report', may: ['facilitator', 'manager', 'admin'] },
  { method: 'GET', path: '/api/v1/quizzes/:id/report.csv', may: ['facilitator', 'manager', 'admin'] },
  { method: 'POST', path: '/api/v1/quizzes/:id/attempts', may: SIGNED_IN, body: {} },
  // One's own attempts: another person's is 404 like a missing one.
  { method: 'PUT', path: '/api/v1/attempts/:attemptId/answers', may: SIGNED_IN, body: { answers: {} } },
  { method: 'POST', path: '/api/v1/attempts/:attemptId/submit', may: SIGNED_IN, body: { answers: {} } },
  { method: 'GET', path: '/api/v1/me/attempts', may: SIGNED_IN },
  // Facilitators of the course and managers: the probe's course does not exist (404), so only the role gate shows.
  { method: 'GET', path: '/api/v1/courses/:slug/question-bank', may: ['facilitator', 'manager', 'admin'] },
  { method: 'POST', path: '/api/v1/courses/:slug/question-bank', may: ['facilitator', 'manager', 'admin'], body: '::a:: x {T}', contentType: 'text/plain' },
  { method: 'GET', path: '/api/v1/courses/:slug/question-bank.gift', may: ['facilitator', 'manager', 'admin'] },  // Live sessions: the course's team schedules and takes attendance; invited learners read and answer (checked by the
  // service). The probe's course and session do not exist (404), so only the role gate shows.
  { method: 'POST', path: '/api/v1/courses/:slug/live-sessions', may: ['facilitator', 'manager', 'admin'], body: {} },
  { method: 'GET', path: '/api/v1/courses/:slug/live-sessions', may: SIGNED_IN },
  { method: 'GET', path: '/api/v1/live-sessions/:id', may: SIGNED_IN },
  { method: 'PATCH', path: '/api/v1/live-sessions/:id', may: ['facilitator', 'manager', 'admin'], body: {} },
  { method: 'DELETE', path: '/api/v1/live-sessions/:id', may: ['facilitator', 'manager', 'admin'] },
  { method: 'GET', path: '/api/v1/live-sessions/:id/ics', may: SIGNED_IN },
  { method: 'POST', path: '/api/v1/live-sessions/:id/rsvp', may: SIGNED_IN, body: { response: 'yes' } },
  { method: 'PUT', path: '/api/v1/live-sessions/:id/attendance', may: ['facilitator', 'manager', 'admin'], body: { present: [] } },
  // One's own calendar feed (the reset only changes the caller's own address).
  { method: 'GET', path: '/api/v1/me/calendar-feed', may: SIGNED_IN },
  { method: 'POST', path: '/api/v1/me/calendar-feed/reset', may: SIGNED_IN },
  // Public: the secret token in the path is the credential (a made-up one is 404).
  { method: 'GET', path: '/api/v1/calendar-feeds/:token.ics', may: EVERYONE },
  // Certificates: one's own list and PDFs (another person's PDF is 404, like a missing one); verification is public;
  // managers list, revoke, re-issue and issue by hand. The probe's code does not exist (404), so only the role gate shows.
  { method: 'GET', path: '/api/v1/me/certificates', may: SIGNED_IN },
  { method: 'GET', path: '/api/v1/certificates/:code/pdf', may: SIGNED_IN },
  { method: 'GET', path: '/api/v1/verify/:code', may: EVERYONE },
  { method: 'POST', path: '/api/v1/certificates/:code/revoke', may: ['manager', 'admin'], body: {} },
  { method: 'POST', path: '/api/v1/certificates/:code/reissue', may: ['manager', 'admin'], body: {} },
  { method: 'POST', path: '/api/v1/certificates', may: ['manager', 'admin'], body: {} },
  { method: 'GET', path: '/api/v1/certificates', may: ['manager', 'admin'] },
  // Without a course: refused as incomplete (400), nothing rendered.
  { method: 'GET', path: '/api/v1/certificates/export.zip', may: ['manager', 'admin'] },
  // Participation statistics: facilitators see their own courses only (none here: an empty table).
  { method: 'GET', path: '/api/v1/stats/participation', may: ['facilitator', 'manager', 'admin'] },
  { method: 'GET', path: '/api/v1/stats/participation.csv', may: ['facilitator', 'manager', 'admin'] },
  { method: 'GET', path: '/api/v1/stats/participation.xlsx', may: ['facilitator', 'manager', 'admin'] },
  { method: 'GET', path: '/api/v1/stats/participation.pdf', may: ['facilitator', 'manager', 'admin'] },
];

const OTHER_ROUTES: Row[] = [
  { method: 'GET', path: '/course-files/:slug/images/:file', may: EVERYONE },
  { method: 'GET', path: '/healthz', may: EVERYONE },
  // The institution's logo prints on certificates and may show on any page (none yet: 404).
  { method: 'GET', path: '/settings/logo', may: EVERYONE },
];

const page = (method: Row['method'], path: string, may: Caller[], body?: Record<string, string>, usesOwnToken = false): Row => ({
  method,
  path,
  may,
  isPage: true,
  ...(body ? { body } : {}),
  ...(usesOwnToken ? { usesOwnToken } : {}),
});

export const PAGE_ROUTES: Row[] = [
  page('GET', '/', EVERYONE),
  page('GET', '/login', EVERYONE),
  page('POST', '/login', EVERYONE, { email: 'nadie@example.org', password: 'incorrecta' }),
  page('POST', '/logout', EVERYONE, {}, true),
  page('GET', '/forgot-password', EVERYONE),
  page('POST', '/forgot-password', EVERYONE, {}),
  page('GET', '/reset-password', EVERYONE),
  page('POST', '/reset-password', EVERYONE, {}),
  page('GET', '/verify-email', EVERYONE),
  page('POST', '/verify-email', EVERYONE, {}),
  page('GET', '/register', EVERYONE),
  page('POST', '/register', EVERYONE, {}),
  page('GET', '/privacy', EVERYONE),
  page('GET', '/consent', SIGNED_IN),
  page('POST', '/consent', SIGNED_IN, {}),
  page('GET', '/account', SIGNED_IN),
  page('POST', '/account/verification', SIGNED_IN),
  page('GET', '/account/edit', SIGNED_IN),
  page('POST', '/account/edit', SIGNED_IN, { givenName: '' }),
  page('GET', '/account/export', SIGNED_IN),
  page('GET', '/account/delete', SIGNED_IN),
  page('POST', '/account/delete', SIGNED_IN, { password: 'no-es-la-clave' }),
  page('POST', '/account/calendar-feed/reset', SIGNED_IN),
  page('GET', '/courses', EVERYONE),
  page('GET', '/courses/:slug', EVERYONE),
  page('POST', '/courses/:slug/enroll', SIGNED_IN, {}),
  // Enrolled learners and the course's team: the probe's course does not exist (404), so only the role gate shows.
  page('GET', '/courses/:slug/lessons/:lessonSlug', SIGNED_IN),
  page('POST', '/courses/:slug/lessons/:lessonSlug/complete', SIGNED_IN),
  // Quiz pages: enrolled learners (the probe's course does not exist, so only the role gate shows).
  page('GET', '/courses/:slug/quizzes/:moduleSlug', SIGNED_IN),
  page('POST', '/courses/:slug/quizzes/:moduleSlug/attempts', SIGNED_IN),
  page('GET', '/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId', SIGNED_IN),
  page('POST', '/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/answers', SIGNED_IN),
  page('POST', '/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/submit', SIGNED_IN),
  page('POST', '/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/autosave', SIGNED_IN),
  page('GET', '/my-courses', SIGNED_IN),
  // Public verification (the probe's code cannot be one: 404); a certificate's PDF for its holder or a manager
  // (another person's is 404, like a missing one, checked by the service).
  page('GET', '/verify', EVERYONE),
  page('GET', '/verify/:code', EVERYONE),
  page('GET', '/certificates/:code.pdf', SIGNED_IN),
  page('GET', '/courses/:slug/people', ['facilitator', 'manager', 'admin']),
  page('GET', '/courses/:slug/people.csv', ['facilitator', 'manager', 'admin']),
  page('GET', '/courses/:slug/quizzes/:moduleSlug/report', ['facilitator', 'manager', 'admin']),
  page('GET', '/courses/:slug/quizzes/:moduleSlug/report.csv', ['facilitator', 'manager', 'admin']),
  page('GET', '/courses/:slug/question-bank', ['facilitator', 'manager', 'admin']),
  page('POST', '/courses/:slug/question-bank', ['facilitator', 'manager', 'admin'], { gift: '::a:: x {T}' }),
  page('GET', '/courses/:slug/question-bank.gift', ['facilitator', 'manager', 'admin']),
  page('GET', '/courses/:slug/question-bank/:questionId/edit', ['facilitator', 'manager', 'admin']),
  page('POST', '/courses/:slug/question-bank/:questionId/edit', ['facilitator', 'manager', 'admin'], { gift: '::a:: x {T}' }),
  // Live-session pages: the course's team schedules, edits, cancels and takes attendance; invited learners read and
  // answer (checked by the service). The probe's course and session do not exist (404), so only the role gate shows.
  page('GET', '/courses/:slug/live-sessions/new', ['facilitator', 'manager', 'admin']),
  page('POST', '/courses/:slug/live-sessions', ['facilitator', 'manager', 'admin'], {}),
  page('GET', '/live-sessions/:id', SIGNED_IN),
  page('POST', '/live-sessions/:id/rsvp', SIGNED_IN, { response: 'yes' }),
  page('GET', '/live-sessions/:id/calendar.ics', SIGNED_IN),
  page('GET', '/live-sessions/:id/agenda', SIGNED_IN),
  page('GET', '/live-sessions/:id/edit', ['facilitator', 'manager', 'admin']),
  page('POST', '/live-sessions/:id/edit', ['facilitator', 'manager', 'admin'], {}),
  page('GET', '/live-sessions/:id/cancel', ['facilitator', 'manager', 'admin']),
  page('POST', '/live-sessions/:id/cancel', ['facilitator', 'manager', 'admin']),
  page('GET', '/live-sessions/:id/attendance', ['facilitator', 'manager', 'admin']),
  page('POST', '/live-sessions/:id/attendance', ['facilitator', 'manager', 'admin'], {}),
  page('GET', '/admin/users', ['admin']),
  page('GET', '/admin/users/new', ['admin']),
  page('POST', '/admin/users/new', ['admin'], {}),
  page('GET', '/admin/users/import', ['admin', 'manager']),
  page('GET', '/admin/users/import/template.csv', ['admin', 'manager']),
  page('POST', '/admin/users/import', ['admin', 'manager'], {}),
  page('GET', '/admin/users/:id', ['admin']),
  page('POST', '/admin/users/:id/roles', ['admin'], {}),
  page('POST', '/admin/users/:id/deactivate', ['admin']),
  page('POST', '/admin/users/:id/activate', ['admin']),
  page('GET', '/admin/outbox', ['admin']),
  page('GET', '/admin/outbox/:id', ['admin']),
  page('POST', '/admin/outbox/:id/retry', ['admin']),
  // The managers' certificate pages. The probe's code cannot be one (404); the ZIP without a course is refused as
  // incomplete (400), and the forms' empty bodies fail validation, so nothing changes.
  page('GET', '/admin/certificates', ['manager', 'admin']),
  page('GET', '/admin/certificates/export.zip', ['manager', 'admin']),
  page('GET', '/admin/certificates/new', ['manager', 'admin']),
  page('POST', '/admin/certificates/new', ['manager', 'admin'], {}),
  page('GET', '/admin/certificates/:code', ['manager', 'admin']),
  page('POST', '/admin/certificates/:code/revoke', ['manager', 'admin'], {}),
  page('POST', '/admin/certificates/:code/reissue', ['manager', 'admin'], {}),
  // The statistics dashboard and its downloads (the API's files, under the session).
  page('GET', '/stats', ['facilitator', 'manager', 'admin']),
  page('GET', '/stats/participation.csv', ['facilitator', 'manager', 'admin']),
  page('GET', '/stats/participation.xlsx', ['facilitator', 'manager', 'admin']),
  page('GET', '/stats/participation.pdf', ['facilitator', 'manager', 'admin']),
  page('GET', '/admin/settings', ['admin']),
  page('POST', '/admin/settings', ['admin'], {}),
  // Without a file: refused as incomplete, nothing stored.
  page('POST', '/admin/settings/logo', ['admin'], {}),
  page('POST', '/admin/settings/logo/remove', ['admin']),
];

const TABLE = [...API_ROUTES, ...OTHER_ROUTES, ...PAGE_ROUTES];

describe('the authorisation table: every route, every kind of caller', function () {
  this.timeout(60_000);
  const ctx = useTestApp();
  const credentials = new Map<Caller, { email: string; password: string }>();
  const tokens = new Map<Caller, string>();
  const sessions = new Map<Caller, WebSession>();
  const signIn = async (caller: Caller): Promise<string> => {
    const response = await request(ctx().app).post('/api/v1/auth/tokens').send(credentials.get(caller)).expect(201);
    return response.body.token as string;
  };

  before(async () => {
    const learner = await registerAndSignIn(ctx().app);
    credentials.set('learner', { email: learner.email, password: learner.password });
    for (const role of ['facilitator', 'manager', 'admin'] as const) {
      const email = `tabla.${role}.${Date.now().toString(36)}@example.org`;
      await ctx().services.accounts.auth.createSystemAccount({ email, roles: [role], password: 'clave-tabla-permisos' });
      credentials.set(role, { email, password: 'clave-tabla-permisos' });
    }
    for (const caller of SIGNED_IN) tokens.set(caller, await signIn(caller));
    for (const caller of SIGNED_IN) sessions.set(caller, await signInThroughForm(ctx().app, credentials.get(caller)!));
  });

  /** A page as a browser would ask for it: 403, or a redirect to sign in, is a refusal. */
  const probePage = async (row: Row, caller: Caller, path: string): Promise<{ isRefused: boolean; status: number }> => {
    const session =
      caller === 'anonymous' ? webSession(ctx().app) : row.usesOwnToken ? await signInThroughForm(ctx().app, credentials.get(caller)!) : sessions.get(caller)!;
    const response = row.method === 'GET' ? await session.agent.get(path) : await session.post(path, (row.body as Record<string, string> | undefined) ?? {});
    const location = String(response.headers.location ?? '');
    const isSentToSignIn = response.status === 303 && location.startsWith('/login');
    return { isRefused: response.status === 403 || isSentToSignIn, status: isSentToSignIn ? 401 : response.status };
  };

  it('lists every route the application has', () => {
    const known = new Set(TABLE.map((row) => `${row.method} ${row.path}`));
    const missing = listRoutes(ctx().app)
      .map((route) => `${route.method} ${route.path}`)
      .filter((route) => !known.has(route));
    expect(missing, 'routes without a row in the authorisation table').to.deep.equal([]);
  });

  for (const row of TABLE) {
    it(`${row.method} ${row.path}: ${row.may.length === CALLERS.length ? 'everyone' : row.may.join(', ')}`, async () => {
      const path = row.path.replace(':id', MISSING_ID).replace(':code', '05').replace(':slug', 'no-such-course').replace(':file', 'x.svg').replace(':lessonSlug', 'x').replace(':attemptId', MISSING_ID).replace(':token', 'no-es-un-token');
      for (const caller of CALLERS) {
        if (row.isPage) {
          const { isRefused, status } = await probePage(row, caller, path);
          if (row.may.includes(caller)) expect(isRefused, `${caller} should be allowed, got ${status}`).to.equal(false);
          else expect(status, `${caller} should be refused`).to.equal(caller === 'anonymous' ? 401 : 403);
          continue;
        }
        let probe = request(ctx().app)[row.method.toLowerCase() as 'get'](path);
        const token = caller === 'anonymous' ? undefined : row.usesOwnToken ? await signIn(caller) : tokens.get(caller);
        if (token) probe = probe.set('Authorization', `Bearer ${token}`);
        if (row.contentType) probe = probe.set('Content-Type', row.contentType);
        const response = row.body === undefined ? await probe : await probe.send(row.body as object);
        const isRefused = response.status === 401 || response.status === 403;
        if (row.may.includes(caller)) {
          expect(isRefused, `${caller} should be allowed, got ${response.status}`).to.equal(false);
        } else {
          expect(response.status, `${caller} should be refused`).to.equal(caller === 'anonymous' ? 401 : 403);
        }
      }
    });
  }
});
