import { expect } from 'chai';
import request from 'supertest';
import { listRoutes } from '../../helpers/routes.js';
import { BANK_QUESTION_X, BANK_QUESTION_Y, LESSON, MODULE, QUIZ_X, QUIZ_Y, snapshot, useSecurityWorld, X, Y, type SecurityWorld, type Who } from './security-world.js';

/**
 * Other people's ids (issue 9, item 6.1). The role table (authorization/route-table)
 * proves who may call a route; this suite proves that a caller who may call it still
 * cannot reach someone else's things through it. Every route of the router that takes
 * a parameter is classified here — a new one fails the completeness test until it is:
 *
 * - owned: the thing belongs to a person (an attempt, a certificate, an invitation to
 *   a live session, an account, a mail). Another learner — and staff whose role does not
 *   reach it — calls the route with the owner's id;
 * - course: the thing belongs to a course's team (its people, bank, reports, sessions,
 *   lessons and quiz). The facilitator of another course, or a learner not enrolled,
 *   calls it;
 * - public: nobody owns it, with the reason.
 *
 * What the code answers (and this suite pins down):
 * - another person's attempt or certificate: 404, as a missing one (API.md);
 * - someone else's course, or a live session one is not invited to: 403 (the course and
 *   its sessions are not secret: the catalogue is public and invitations are mailed);
 * - an admin-only or manager-only route: 403 from the role gate, whose id is never read;
 * - learner pages (lesson, quiz) of a course one is not enrolled in: a redirect to the
 *   course page, whose message says to enroll first; nothing of the lesson or quiz shows.
 *
 * Every probe is followed by a comparison of every collection of application data:
 * refused requests change nothing. Each refusal is also checked for leaks (A's name and
 * email never appear in it), and the owners' own requests with the same ids succeed, so
 * the ids are real and a refusal is not a 404 by accident.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Probe {
  who: Who;
  method: Method;
  path: string;
  /** JSON for the API and for page scripts (`json: true`), form fields for pages. */
  body?: unknown;
  contentType?: string;
  /** A page's JSON request (CSRF token in X-CSRF-Token). */
  json?: boolean;
  status: number;
  /** Where a 303 refusal leads. */
  location?: string;
}

type Rule =
  | { kind: 'owned' | 'course'; refused: (w: SecurityWorld) => Probe[]; allowed?: (w: SecurityWorld) => Probe[] }
  | { kind: 'public'; reason: string };

const get = (who: Who, path: string, status: number, extra: Partial<Probe> = {}): Probe => ({ who, method: 'GET', path, status, ...extra });
const send = (who: Who, method: Method, path: string, body: unknown, status: number, extra: Partial<Probe> = {}): Probe => ({ who, method, path, body, status, ...extra });
const post = (who: Who, path: string, body: unknown, status: number, extra: Partial<Probe> = {}): Probe => send(who, 'POST', path, body, status, extra);

const toCourse = (slug: string) => ({ location: `/courses/${slug}` });
const attemptPage = (id: string): string => `/courses/${X}/quizzes/${MODULE}/attempts/${id}`;

export const RULES: Record<string, Rule> = {
  // ── Accounts: the person's own account; the routes that take an id are the administrators'.
  'GET /api/v1/users/:id': {
    kind: 'owned',
    refused: ({ people }) => [get('B', `/api/v1/users/${people.A.id}`, 403), get('FX', `/api/v1/users/${people.A.id}`, 403), get('manager', `/api/v1/users/${people.A.id}`, 403)],
    allowed: ({ people }) => [get('admin', `/api/v1/users/${people.A.id}`, 200)],
  },
  'PUT /api/v1/users/:id/roles': {
    kind: 'owned',
    // B cannot touch A's roles, nor make herself an administrator.
    refused: ({ people }) => [
      send('B', 'PUT', `/api/v1/users/${people.A.id}/roles`, { roles: ['learner', 'admin'] }, 403),
      send('B', 'PUT', `/api/v1/users/${people.B.id}/roles`, { roles: ['admin'] }, 403),
      send('manager', 'PUT', `/api/v1/users/${people.manager.id}/roles`, { roles: ['admin'] }, 403),
    ],
  },
  'POST /api/v1/users/:id/deactivate': { kind: 'owned', refused: ({ people }) => [post('B', `/api/v1/users/${people.A.id}/deactivate`, {}, 403), post('manager', `/api/v1/users/${people.A.id}/deactivate`, {}, 403)] },
  'POST /api/v1/users/:id/activate': { kind: 'owned', refused: ({ people }) => [post('B', `/api/v1/users/${people.A.id}/activate`, {}, 403)] },
  'GET /api/v1/territories/departments/:code/municipalities': { kind: 'public', reason: 'DIVIPOLA reference data, the same for everyone' },

  // ── Courses and cohorts.
  'GET /api/v1/courses/:slug': { kind: 'public', reason: 'the catalogue is public (API.md)' },
  'PUT /api/v1/courses/:slug/facilitators': {
    kind: 'course',
    refused: ({ people }) => [send('FY', 'PUT', `/api/v1/courses/${X}/facilitators`, { userIds: [people.FY.id] }, 403), send('B', 'PUT', `/api/v1/courses/${X}/facilitators`, { userIds: [people.B.id] }, 403)],
  },
  'POST /api/v1/courses/:slug/cohorts': {
    kind: 'course',
    refused: () => [post('FY', `/api/v1/courses/${X}/cohorts`, { name: 'Intrusa', enrollmentOpensAt: '2026-01-01T00:00:00Z', enrollmentClosesAt: '2026-02-01T00:00:00Z', startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-03-01T00:00:00Z' }, 403)],
  },
  'GET /api/v1/courses/:slug/cohorts': { kind: 'public', reason: 'cohorts are listed publicly so that people can choose one (API.md)' },
  'POST /api/v1/courses/:slug/enrollments': {
    kind: 'course',
    // One enrolls oneself only; a cohort of another course is not a cohort of this one.
    refused: ({ ids }) => [post('B', `/api/v1/courses/${Y}/enrollments`, { cohortId: ids.cohortX1 }, 400)],
  },
  'POST /api/v1/courses/:slug/enrollments/bulk': {
    kind: 'course',
    refused: ({ people, ids }) => [
      post('FY', `/api/v1/courses/${X}/enrollments/bulk`, { userIds: [people.B.id] }, 403),
      post('FX', `/api/v1/courses/${X}/enrollments/bulk`, { userIds: [people.B.id] }, 403),
      // The manager may, but not into a cohort of another course.
      post('manager', `/api/v1/courses/${Y}/enrollments/bulk`, { userIds: [people.B.id], cohortId: ids.cohortX1 }, 400),
    ],
  },
  'GET /api/v1/courses/:slug/lessons/:lessonSlug': {
    kind: 'course',
    refused: () => [get('B', `/api/v1/courses/${Y}/lessons/${LESSON}`, 403), get('FY', `/api/v1/courses/${X}/lessons/${LESSON}`, 403)],
    allowed: () => [get('A', `/api/v1/courses/${X}/lessons/${LESSON}`, 200), get('FX', `/api/v1/courses/${X}/lessons/${LESSON}`, 200)],
  },
  'POST /api/v1/courses/:slug/lessons/:lessonSlug/complete': {
    kind: 'course',
    refused: () => [post('B', `/api/v1/courses/${Y}/lessons/${LESSON}/complete`, {}, 403), post('FY', `/api/v1/courses/${X}/lessons/${LESSON}/complete`, {}, 403)],
  },
  'GET /api/v1/courses/:slug/enrollments': {
    kind: 'course',
    refused: () => [get('FY', `/api/v1/courses/${X}/enrollments`, 403)],
    allowed: () => [get('FX', `/api/v1/courses/${X}/enrollments`, 200)],
  },
  'GET /api/v1/courses/:slug/enrollments.csv': { kind: 'course', refused: () => [get('FY', `/api/v1/courses/${X}/enrollments.csv`, 403)], allowed: () => [get('FX', `/api/v1/courses/${X}/enrollments.csv`, 200)] },

  // ── Quizzes and attempts.
  'GET /api/v1/quizzes/:id': {
    kind: 'course',
    // Not even the settings: and never the answer key, which the course's team sees.
    refused: () => [get('B', `/api/v1/quizzes/${QUIZ_Y}`, 403), get('FY', `/api/v1/quizzes/${QUIZ_X}`, 403)],
    allowed: () => [get('B', `/api/v1/quizzes/${QUIZ_X}`, 200), get('FX', `/api/v1/quizzes/${QUIZ_X}`, 200)],
  },
  'POST /api/v1/quizzes/:id/attempts': { kind: 'course', refused: () => [post('B', `/api/v1/quizzes/${QUIZ_Y}/attempts`, {}, 403), post('FY', `/api/v1/quizzes/${QUIZ_X}/attempts`, {}, 403)] },
  'PUT /api/v1/attempts/:attemptId/answers': {
    kind: 'owned',
    refused: ({ ids }) => [send('B', 'PUT', `/api/v1/attempts/${ids.attemptOpen}/answers`, { answers: {} }, 404), send('FX', 'PUT', `/api/v1/attempts/${ids.attemptOpen}/answers`, { answers: {} }, 404)],
  },
  'POST /api/v1/attempts/:attemptId/submit': {
    kind: 'owned',
    refused: ({ ids }) => [
      post('B', `/api/v1/attempts/${ids.attemptOpen}/submit`, { answers: {} }, 404),
      // Resubmitting A's closed attempt would give its result in `details` to whoever asks.
      post('B', `/api/v1/attempts/${ids.attemptDone}/submit`, { answers: {} }, 404),
      post('manager', `/api/v1/attempts/${ids.attemptOpen}/submit`, { answers: {} }, 404),
    ],
  },
  'GET /api/v1/courses/:slug/question-bank': { kind: 'course', refused: () => [get('FY', `/api/v1/courses/${X}/question-bank`, 403)], allowed: () => [get('FX', `/api/v1/courses/${X}/question-bank`, 200)] },
  'POST /api/v1/courses/:slug/question-bank': {
    kind: 'course',
    refused: () => [post('FY', `/api/v1/courses/${X}/question-bank`, `::${BANK_QUESTION_X}:: Reemplazada por otra persona {F}`, 403, { contentType: 'text/plain' })],
  },
  'GET /api/v1/courses/:slug/question-bank.gift': { kind: 'course', refused: () => [get('FY', `/api/v1/courses/${X}/question-bank.gift`, 403)] },
  'GET /api/v1/quizzes/:id/report': { kind: 'course', refused: () => [get('FY', `/api/v1/quizzes/${QUIZ_X}/report`, 403)], allowed: () => [get('FX', `/api/v1/quizzes/${QUIZ_X}/report`, 200)] },
  'GET /api/v1/quizzes/:id/report.csv': { kind: 'course', refused: () => [get('FY', `/api/v1/quizzes/${QUIZ_X}/report.csv`, 403)] },

  // ── Live sessions: an invitation is personal (course and cohort); scheduling is the course team's.
  'POST /api/v1/courses/:slug/live-sessions': {
    kind: 'course',
    refused: () => [post('FY', `/api/v1/courses/${X}/live-sessions`, { title: 'Intrusa', startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T12:00:00Z', modality: 'virtual', meetingUrl: 'https://meet.example.org/x' }, 403)],
  },
  'GET /api/v1/courses/:slug/live-sessions': { kind: 'course', refused: () => [get('B', `/api/v1/courses/${Y}/live-sessions`, 403), get('FY', `/api/v1/courses/${X}/live-sessions`, 403)] },
  'GET /api/v1/live-sessions/:id': {
    kind: 'owned',
    refused: ({ ids }) => [get('B', `/api/v1/live-sessions/${ids.sessionX1}`, 403), get('B', `/api/v1/live-sessions/${ids.sessionY}`, 403), get('FY', `/api/v1/live-sessions/${ids.sessionX1}`, 403)],
    allowed: ({ ids }) => [get('A', `/api/v1/live-sessions/${ids.sessionX1}`, 200), get('FX', `/api/v1/live-sessions/${ids.sessionX1}`, 200)],
  },
  'PATCH /api/v1/live-sessions/:id': {
    kind: 'course',
    refused: ({ ids }) => [send('FY', 'PATCH', `/api/v1/live-sessions/${ids.sessionX1}`, { title: 'Cambiada' }, 403), send('B', 'PATCH', `/api/v1/live-sessions/${ids.sessionX1}`, { title: 'Cambiada' }, 403)],
  },
  'DELETE /api/v1/live-sessions/:id': { kind: 'course', refused: ({ ids }) => [send('FY', 'DELETE', `/api/v1/live-sessions/${ids.sessionX1}`, undefined, 403)] },
  'GET /api/v1/live-sessions/:id/ics': {
    kind: 'owned',
    refused: ({ ids }) => [get('B', `/api/v1/live-sessions/${ids.sessionX1}/ics`, 403), get('FY', `/api/v1/live-sessions/${ids.sessionX1}/ics`, 403)],
    allowed: ({ ids }) => [get('A', `/api/v1/live-sessions/${ids.sessionX1}/ics`, 200)],
  },
  'POST /api/v1/live-sessions/:id/rsvp': {
    kind: 'owned',
    refused: ({ ids }) => [post('B', `/api/v1/live-sessions/${ids.sessionX1}/rsvp`, { response: 'no' }, 403), post('B', `/api/v1/live-sessions/${ids.sessionY}/rsvp`, { response: 'yes' }, 403)],
  },
  'PUT /api/v1/live-sessions/:id/attendance': {
    kind: 'course',
    refused: ({ ids, people }) => [
      send('FY', 'PUT', `/api/v1/live-sessions/${ids.sessionX1}/attendance`, { present: [people.A.id] }, 403),
      send('B', 'PUT', `/api/v1/live-sessions/${ids.sessionX1}/attendance`, { present: [people.B.id] }, 403),
      // The course's own facilitator, but B is not invited to X1 (another cohort): nobody's attendance changes.
      send('FX', 'PUT', `/api/v1/live-sessions/${ids.sessionX1}/attendance`, { present: [people.A.id, people.B.id] }, 400),
    ],
  },
  'GET /api/v1/calendar-feeds/:token.ics': { kind: 'public', reason: 'the secret token in the path is the credential (checked below: a made-up or revoked one is 404)' },

  // ── Certificates.
  'GET /api/v1/certificates/:code/pdf': {
    kind: 'owned',
    refused: ({ ids }) => [get('B', `/api/v1/certificates/${ids.certificate}/pdf`, 404), get('FX', `/api/v1/certificates/${ids.certificate}/pdf`, 404)],
    allowed: ({ ids }) => [get('A', `/api/v1/certificates/${ids.certificate}/pdf`, 200), get('manager', `/api/v1/certificates/${ids.certificate}/pdf`, 200)],
  },
  'GET /api/v1/verify/:code': { kind: 'public', reason: 'public verification of a certificate is its purpose (QR code); the holder\'s document number is masked' },
  'POST /api/v1/certificates/:code/revoke': {
    kind: 'owned',
    refused: ({ ids }) => [post('B', `/api/v1/certificates/${ids.certificate}/revoke`, { reason: 'Lo digo yo' }, 403), post('FX', `/api/v1/certificates/${ids.certificate}/revoke`, { reason: 'Lo digo yo' }, 403)],
  },
  'POST /api/v1/certificates/:code/reissue': { kind: 'owned', refused: ({ ids }) => [post('B', `/api/v1/certificates/${ids.certificate}/reissue`, { note: 'Otra vez' }, 403)] },

  // ── Pages.
  'GET /course-files/:slug/images/:file': { kind: 'public', reason: 'course images, public like the catalogue' },
  'GET /courses/:slug': { kind: 'public', reason: 'the catalogue is public' },
  'POST /courses/:slug/enroll': { kind: 'course', refused: ({ ids }) => [post('B', `/courses/${Y}/enroll`, { cohortId: ids.cohortX1 }, 303, toCourse(Y))] },
  'GET /courses/:slug/lessons/:lessonSlug': {
    kind: 'course',
    refused: () => [get('B', `/courses/${Y}/lessons/${LESSON}`, 303, toCourse(Y)), get('FY', `/courses/${X}/lessons/${LESSON}`, 303, toCourse(X))],
    allowed: () => [get('A', `/courses/${X}/lessons/${LESSON}`, 200), get('FX', `/courses/${X}/lessons/${LESSON}`, 200)],
  },
  'POST /courses/:slug/lessons/:lessonSlug/complete': { kind: 'course', refused: () => [post('B', `/courses/${Y}/lessons/${LESSON}/complete`, {}, 303, toCourse(Y))] },
  'GET /courses/:slug/people': { kind: 'course', refused: () => [get('FY', `/courses/${X}/people`, 403), get('B', `/courses/${X}/people`, 403)], allowed: () => [get('FX', `/courses/${X}/people`, 200)] },
  'GET /courses/:slug/people.csv': { kind: 'course', refused: () => [get('FY', `/courses/${X}/people.csv`, 403)] },
  'GET /courses/:slug/quizzes/:moduleSlug': {
    kind: 'course',
    refused: () => [get('B', `/courses/${Y}/quizzes/${MODULE}`, 303, toCourse(Y)), get('FY', `/courses/${X}/quizzes/${MODULE}`, 303, toCourse(X))],
    allowed: () => [get('A', `/courses/${X}/quizzes/${MODULE}`, 200)],
  },
  'POST /courses/:slug/quizzes/:moduleSlug/attempts': { kind: 'course', refused: () => [post('B', `/courses/${Y}/quizzes/${MODULE}/attempts`, {}, 303, toCourse(Y))] },
  'GET /courses/:slug/quizzes/:moduleSlug/attempts/:attemptId': {
    kind: 'owned',
    refused: ({ ids }) => [get('B', attemptPage(ids.attemptOpen), 404), get('B', attemptPage(ids.attemptDone), 404), get('FX', attemptPage(ids.attemptDone), 404)],
    allowed: ({ ids }) => [get('A', attemptPage(ids.attemptOpen), 200), get('A', attemptPage(ids.attemptDone), 200)],
  },
  'POST /courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/answers': { kind: 'owned', refused: ({ ids }) => [post('B', `${attemptPage(ids.attemptOpen)}/answers`, {}, 404)] },
  'POST /courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/submit': { kind: 'owned', refused: ({ ids }) => [post('B', `${attemptPage(ids.attemptOpen)}/submit`, {}, 404)] },
  'POST /courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/autosave': {
    kind: 'owned',
    refused: ({ ids }) => [post('B', `${attemptPage(ids.attemptOpen)}/autosave`, { answers: {} }, 404, { json: true }), post('B', `${attemptPage(ids.attemptOpen)}/autosave`, {}, 404)],
  },
  'GET /courses/:slug/quizzes/:moduleSlug/report': { kind: 'course', refused: () => [get('FY', `/courses/${X}/quizzes/${MODULE}/report`, 403)], allowed: () => [get('FX', `/courses/${X}/quizzes/${MODULE}/report`, 200)] },
  'GET /courses/:slug/quizzes/:moduleSlug/report.csv': { kind: 'course', refused: () => [get('FY', `/courses/${X}/quizzes/${MODULE}/report.csv`, 403)] },
  'GET /courses/:slug/question-bank': { kind: 'course', refused: () => [get('FY', `/courses/${X}/question-bank`, 403)] },
  'POST /courses/:slug/question-bank': { kind: 'course', refused: () => [post('FY', `/courses/${X}/question-bank`, { gift: `::${BANK_QUESTION_X}:: Reemplazada {F}` }, 403)] },
  'GET /courses/:slug/question-bank.gift': { kind: 'course', refused: () => [get('FY', `/courses/${X}/question-bank.gift`, 403)] },
  'GET /courses/:slug/question-bank/:questionId/edit': {
    kind: 'course',
    // FY on X's question; FX through her own course to Y's question (which X's bank does not hold).
    refused: () => [get('FY', `/courses/${X}/question-bank/${BANK_QUESTION_X}/edit`, 403), get('FX', `/courses/${X}/question-bank/${BANK_QUESTION_Y}/edit`, 404)],
    allowed: () => [get('FX', `/courses/${X}/question-bank/${BANK_QUESTION_X}/edit`, 200)],
  },
  'POST /courses/:slug/question-bank/:questionId/edit': {
    kind: 'course',
    refused: () => [
      post('FY', `/courses/${X}/question-bank/${BANK_QUESTION_X}/edit`, { gift: `::${BANK_QUESTION_X}:: Cambiada {F}` }, 403),
      post('FX', `/courses/${X}/question-bank/${BANK_QUESTION_Y}/edit`, { gift: `::${BANK_QUESTION_Y}:: Cambiada {F}` }, 404),
    ],
  },
  'GET /courses/:slug/live-sessions/new': { kind: 'course', refused: () => [get('FY', `/courses/${X}/live-sessions/new`, 403)] },
  'POST /courses/:slug/live-sessions': { kind: 'course', refused: () => [post('FY', `/courses/${X}/live-sessions`, { title: 'Intrusa' }, 403)] },
  'GET /live-sessions/:id': {
    kind: 'owned',
    refused: ({ ids }) => [get('B', `/live-sessions/${ids.sessionX1}`, 403), get('B', `/live-sessions/${ids.sessionY}`, 403), get('FY', `/live-sessions/${ids.sessionX1}`, 403)],
    allowed: ({ ids }) => [get('A', `/live-sessions/${ids.sessionX1}`, 200)],
  },
  'POST /live-sessions/:id/rsvp': { kind: 'owned', refused: ({ ids }) => [post('B', `/live-sessions/${ids.sessionX1}/rsvp`, { response: 'no' }, 403)] },
  'GET /live-sessions/:id/calendar.ics': { kind: 'owned', refused: ({ ids }) => [get('B', `/live-sessions/${ids.sessionX1}/calendar.ics`, 403)] },
  'GET /live-sessions/:id/agenda': { kind: 'owned', refused: ({ ids }) => [get('B', `/live-sessions/${ids.sessionX1}/agenda`, 403)], allowed: ({ ids }) => [get('A', `/live-sessions/${ids.sessionX1}/agenda`, 200)] },
  'GET /live-sessions/:id/edit': { kind: 'course', refused: ({ ids }) => [get('FY', `/live-sessions/${ids.sessionX1}/edit`, 403)], allowed: ({ ids }) => [get('FX', `/live-sessions/${ids.sessionX1}/edit`, 200)] },
  'POST /live-sessions/:id/edit': { kind: 'course', refused: ({ ids }) => [post('FY', `/live-sessions/${ids.sessionX1}/edit`, { title: 'Cambiada' }, 403)] },
  'GET /live-sessions/:id/cancel': { kind: 'course', refused: ({ ids }) => [get('FY', `/live-sessions/${ids.sessionX1}/cancel`, 403)] },
  'POST /live-sessions/:id/cancel': { kind: 'course', refused: ({ ids }) => [post('FY', `/live-sessions/${ids.sessionX1}/cancel`, {}, 403)] },
  'GET /live-sessions/:id/attendance': { kind: 'course', refused: ({ ids }) => [get('FY', `/live-sessions/${ids.sessionX1}/attendance`, 403)], allowed: ({ ids }) => [get('FX', `/live-sessions/${ids.sessionX1}/attendance`, 200)] },
  'POST /live-sessions/:id/attendance': {
    kind: 'course',
    refused: ({ ids, people }) => [
      post('FY', `/live-sessions/${ids.sessionX1}/attendance`, { present: people.A.id }, 403),
      post('FY', `/live-sessions/${ids.sessionX1}/attendance`, { present: [people.A.id] }, 403, { json: true }),
      // X's facilitator, marking someone who is not invited to X1.
      post('FX', `/live-sessions/${ids.sessionX1}/attendance`, { present: [people.B.id] }, 400, { json: true }),
    ],
  },
  'GET /admin/users/:id': { kind: 'owned', refused: ({ people }) => [get('B', `/admin/users/${people.A.id}`, 403), get('manager', `/admin/users/${people.A.id}`, 403)], allowed: ({ people }) => [get('admin', `/admin/users/${people.A.id}`, 200)] },
  'POST /admin/users/:id/roles': {
    kind: 'owned',
    refused: ({ people }) => [post('B', `/admin/users/${people.B.id}/roles`, { roles: 'admin' }, 403), post('manager', `/admin/users/${people.A.id}/roles`, { roles: 'manager' }, 403)],
  },
  'POST /admin/users/:id/deactivate': { kind: 'owned', refused: ({ people }) => [post('B', `/admin/users/${people.A.id}/deactivate`, {}, 403)] },
  'POST /admin/users/:id/activate': { kind: 'owned', refused: ({ people }) => [post('B', `/admin/users/${people.A.id}/activate`, {}, 403)] },
  'GET /verify/:code': { kind: 'public', reason: 'public verification of a certificate is its purpose (QR code)' },
  'GET /certificates/:code.pdf': {
    kind: 'owned',
    refused: ({ ids }) => [get('B', `/certificates/${ids.certificate}.pdf`, 404), get('FX', `/certificates/${ids.certificate}.pdf`, 404)],
    allowed: ({ ids }) => [get('A', `/certificates/${ids.certificate}.pdf`, 200)],
  },
  'GET /admin/certificates/:code': {
    kind: 'owned',
    refused: ({ ids }) => [get('B', `/admin/certificates/${ids.certificate}`, 403), get('FX', `/admin/certificates/${ids.certificate}`, 403)],
    allowed: ({ ids }) => [get('manager', `/admin/certificates/${ids.certificate}`, 200)],
  },
  'POST /admin/certificates/:code/revoke': { kind: 'owned', refused: ({ ids }) => [post('B', `/admin/certificates/${ids.certificate}/revoke`, { reason: 'Lo digo yo', confirm: 'yes' }, 403)] },
  'POST /admin/certificates/:code/reissue': { kind: 'owned', refused: ({ ids }) => [post('FX', `/admin/certificates/${ids.certificate}/reissue`, { note: 'Otra vez' }, 403)] },
  'GET /admin/outbox/:id': {
    kind: 'owned',
    refused: ({ ids }) => [get('A', `/admin/outbox/${ids.outboxMail}`, 403), get('B', `/admin/outbox/${ids.outboxMail}`, 403), get('manager', `/admin/outbox/${ids.outboxMail}`, 403)],
    allowed: ({ ids }) => [get('admin', `/admin/outbox/${ids.outboxMail}`, 200)],
  },
  'POST /admin/outbox/:id/retry': { kind: 'owned', refused: ({ ids }) => [post('B', `/admin/outbox/${ids.outboxMail}/retry`, {}, 403), post('manager', `/admin/outbox/${ids.outboxMail}/retry`, {}, 403)] },
};

/** Runs one probe as its caller: the API with the caller's token, pages with their session and a valid CSRF token. */
async function run(w: SecurityWorld, probe: Probe): Promise<request.Response> {
  const person = w.people[probe.who];
  const method = probe.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  if (probe.path.startsWith('/api/')) {
    let call = request(w.ctx.app)[method](probe.path).set(person.auth);
    if (probe.contentType) call = call.set('Content-Type', probe.contentType);
    return probe.body === undefined ? call : call.send(probe.body as object);
  }
  if (probe.method === 'GET') return person.web.agent.get(probe.path);
  const token = await csrfTokenOf(w, probe.who);
  if (probe.json) return person.web.agent.post(probe.path).set('X-CSRF-Token', token).send(probe.body as object);
  return person.web.agent.post(probe.path).type('form').send({ ...(probe.body as Record<string, string>), _csrf: token });
}

/** One CSRF token per session (it stays the same for the session's life): read once. */
const csrfTokens = new WeakMap<SecurityWorld, Map<Who, string>>();
async function csrfTokenOf(w: SecurityWorld, who: Who): Promise<string> {
  const tokens = csrfTokens.get(w) ?? new Map<Who, string>();
  csrfTokens.set(w, tokens);
  if (!tokens.has(who)) tokens.set(who, await w.people[who].web.csrf());
  return tokens.get(who)!;
}

function describeProbe(probe: Probe): string {
  return `${probe.who}: ${probe.method} ${probe.path}${probe.json ? ' (JSON)' : ''}`;
}

/** A refusal says nothing of A: not her name, not her email. */
function expectNoLeak(w: SecurityWorld, probe: Probe, response: request.Response): void {
  const text = response.text ?? '';
  expect(text, `${describeProbe(probe)} leaks A's email`).not.to.include(w.people.A.email);
  expect(text, `${describeProbe(probe)} leaks A's name`).not.to.include('Aurora');
}

describe("security: nobody reaches other people's things by id", function () {
  this.timeout(60_000);
  const world = useSecurityWorld();

  it('classifies every route that takes a parameter (owned, course, or public with a reason), and only routes that exist', () => {
    const parameterised = listRoutes(world().ctx.app)
      .filter((route) => route.path.includes(':'))
      .map((route) => `${route.method} ${route.path}`);
    expect(parameterised.filter((route) => !(route in RULES)), 'routes with a parameter missing from RULES').to.deep.equal([]);
    expect(Object.keys(RULES).filter((route) => !parameterised.includes(route)), 'RULES entries for routes that no longer exist').to.deep.equal([]);
    for (const [route, rule] of Object.entries(RULES)) {
      if (rule.kind === 'public') expect(rule.reason, route).to.be.a('string').that.is.not.empty;
      else expect(rule.refused(world()), route).to.be.an('array').that.is.not.empty;
    }
  });

  for (const [route, rule] of Object.entries(RULES)) {
    if (rule.kind === 'public') continue;
    it(`${route} (${rule.kind === 'owned' ? "another person's" : "another course's"}): refused, nothing changed`, async () => {
      const w = world();
      const before = await snapshot(w.ctx);
      for (const probe of rule.refused(w)) {
        const response = await run(w, probe);
        expect(response.status, `${describeProbe(probe)} → ${response.status} ${response.text?.slice(0, 200)}`).to.equal(probe.status);
        if (probe.location) expect(response.headers.location, describeProbe(probe)).to.equal(probe.location);
        if (probe.path.startsWith('/api/') && probe.status >= 400) expect(response.body.error?.code, describeProbe(probe)).to.be.a('string');
        expectNoLeak(w, probe, response);
      }
      expect(await snapshot(w.ctx), `${route}: a refused request changed the database`).to.deep.equal(before);
      for (const probe of rule.allowed?.(w) ?? []) {
        const response = await run(w, probe);
        expect(response.status, `control, ${describeProbe(probe)} → ${response.status}`).to.equal(probe.status);
      }
    });
  }

  describe('ids in query strings and form bodies', () => {
    const api = () => request(world().ctx.app);

    it("a course's people filtered by another course's cohort list nobody of that cohort", async () => {
      const { people, ids } = world();
      const listed = await api().get(`/api/v1/courses/${X}/enrollments?cohort=${ids.cohortY}`).set(people.FX.auth).expect(200);
      expect(listed.body.items).to.deep.equal([]);
      const page = await people.FX.web.agent.get(`/courses/${X}/people?cohort=${ids.cohortY}`).expect(200);
      expect(page.text).not.to.include(people.A.email);
      expect(page.text).not.to.include(people.B.email);
    });

    it("statistics: a facilitator asking for another course is refused; another course's cohort counts nobody", async () => {
      const { people, ids } = world();
      await api().get(`/api/v1/stats/participation?course=${Y}`).set(people.FX.auth).expect(403);
      await people.FX.web.agent.get(`/stats?course=${Y}`).expect(403);
      await people.FX.web.agent.get(`/stats/participation.csv?course=${Y}`).expect(403);
      const counted = await api().get(`/api/v1/stats/participation?cohort=${ids.cohortY}`).set(people.FX.auth).expect(200);
      expect(counted.body.totals.enrolled).to.equal(0);
      // Her own course is counted: the filter above is what made it empty.
      expect((await api().get(`/api/v1/stats/participation?course=${X}`).set(people.FX.auth).expect(200)).body.totals.enrolled).to.equal(2);
    });

    it("live sessions: a cohort of another course is refused when scheduling or moving a session, and nothing changes", async () => {
      const { people, ids, ctx } = world();
      const before = await snapshot(ctx);
      await api()
        .post(`/api/v1/courses/${X}/live-sessions`)
        .set(people.FX.auth)
        .send({ title: 'Con cohorte ajena', startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T12:00:00Z', modality: 'virtual', meetingUrl: 'https://meet.example.org/x', cohortId: ids.cohortY })
        .expect(400);
      await api().patch(`/api/v1/live-sessions/${ids.sessionX1}`).set(people.FX.auth).send({ cohortId: ids.cohortY }).expect(400);
      expect(await snapshot(ctx)).to.deep.equal(before);
    });

    it('bulk enrollment and facilitator lists: unknown people are refused, and nobody is enrolled or assigned', async () => {
      const { people, ctx } = world();
      const before = await snapshot(ctx);
      const unknown = '0123456789abcdef01234567';
      await api().post(`/api/v1/courses/${Y}/enrollments/bulk`).set(people.manager.auth).send({ userIds: [people.B.id, unknown] }).expect(400);
      await api().put(`/api/v1/courses/${Y}/facilitators`).set(people.manager.auth).send({ userIds: [people.FY.id, unknown] }).expect((response) => expect(response.status).to.be.within(400, 404));
      expect(await snapshot(ctx)).to.deep.equal(before);
    });

    it("one's own lists never hold another person's items, whatever the filter", async () => {
      const { people, ids } = world();
      for (const query of ['', `?quizId=${QUIZ_X}`, '?quizId[$ne]=x', '?quizId=x&quizId=y']) {
        const response = await api().get(`/api/v1/me/attempts${query}`).set(people.B.auth);
        expect(response.status, query).to.be.oneOf([200, 400]);
        const found = (response.body.items ?? []) as Array<{ attemptId: string }>;
        expect(found.map((item) => item.attemptId), query).not.to.include.members([ids.attemptDone, ids.attemptOpen]);
      }
      const certificates = await api().get('/api/v1/me/certificates').set(people.B.auth).expect(200);
      expect(certificates.body.items).to.deep.equal([]);
      const exported = await api().get('/api/v1/me/export').set(people.B.auth).expect(200);
      expect(JSON.stringify(exported.body)).not.to.include(people.A.email);
      expect(JSON.stringify(exported.body)).not.to.include(ids.attemptDone);
      expect(JSON.stringify(exported.body)).not.to.include(ids.certificate);
      const account = await people.B.web.agent.get('/account/export').expect(200);
      expect(account.text).not.to.include(people.A.email);
    });

    it("calendar feeds: each person's address is their own; a revoked or made-up token is 404, and B's reset leaves A's working", async () => {
      const { people, ids } = world();
      const pathOf = (url: string): string => new URL(url).pathname;
      const bFeed = String((await api().get('/api/v1/me/calendar-feed').set(people.B.auth).expect(200)).body.url);
      expect(bFeed).not.to.equal(ids.feedUrl);
      const aCalendar = await api().get(pathOf(ids.feedUrl)).expect(200);
      expect(aCalendar.text).to.include(`live-session-${ids.sessionX1}`);
      const bCalendar = await api().get(pathOf(bFeed)).expect(200);
      expect(bCalendar.text).not.to.include(`live-session-${ids.sessionX1}`);
      await api().post('/api/v1/me/calendar-feed/reset').set(people.B.auth).expect(200);
      await api().get(pathOf(bFeed)).expect(404);
      await api().get(pathOf(ids.feedUrl)).expect(200);
      await api().get(`/api/v1/calendar-feeds/${'A'.repeat(43)}.ics`).expect(404);
    });

    it("API tokens: signing out ends only one's own token", async () => {
      const { people, ctx } = world();
      const email = people.B.email;
      const fresh = (await api().post('/api/v1/auth/tokens').send({ email, password: people.B.password }).expect(201)).body.token as string;
      await api().delete('/api/v1/auth/tokens/current').set('Authorization', `Bearer ${fresh}`).expect(204);
      await api().get('/api/v1/me').set('Authorization', `Bearer ${fresh}`).expect(401);
      await api().get('/api/v1/me').set(people.A.auth).expect(200);
      await api().get('/api/v1/me').set(people.B.auth).expect(200);
      expect(await ctx.database.connection.collection('api_tokens').countDocuments({ revokedAt: { $ne: null } })).to.equal(1);
    });
  });

  describe('malformed ids and operator objects: 400 or 404, never 500', () => {
    const MALFORMED = ['not-an-id', '{"$ne":null}', '0'.repeat(25), '..%2F..%2Fetc%2Fpasswd'];

    // Each parameter replaced by a malformed value, asked by the caller most likely to get past the role gate.
    const privileged: Record<string, Who> = { '/api/': 'admin', '/admin/certificates': 'manager' };
    const callerFor = (path: string): Who => Object.entries(privileged).find(([prefix]) => path.startsWith(prefix))?.[1] ?? 'admin';

    it('every route with a parameter, every parameter malformed', async () => {
      const w = world();
      const before = await snapshot(w.ctx);
      const failures: string[] = [];
      for (const route of listRoutes(w.ctx.app).filter((entry) => entry.path.includes(':'))) {
        for (const value of MALFORMED) {
          const path = route.path.replace(/:[A-Za-z]+/g, value);
          const method = route.method as Method;
          const response = await run(w, { who: callerFor(path), method, path, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }), status: 0 });
          if (![400, 404].includes(response.status)) failures.push(`${route.method} ${path} → ${response.status}`);
        }
      }
      expect(failures).to.deep.equal([]);
      // Admin and manager probes of malformed ids change nothing either.
      const after = await snapshot(w.ctx);
      expect(after).to.deep.equal(before);
    });

    it('operator objects where ids go in JSON bodies are refused with 400 and store nothing', async () => {
      const { people, ids, ctx } = world();
      const before = await snapshot(ctx);
      const operator = { $ne: null };
      const calls: Array<[Who, Method, string, unknown]> = [
        ['B', 'POST', `/api/v1/courses/${Y}/enrollments`, { cohortId: operator }],
        ['manager', 'POST', `/api/v1/courses/${Y}/enrollments/bulk`, { userIds: operator }],
        ['manager', 'POST', `/api/v1/courses/${Y}/enrollments/bulk`, { userIds: [operator] }],
        ['manager', 'POST', `/api/v1/courses/${Y}/enrollments/bulk`, { userIds: [people.B.id], cohortId: { $gt: '' } }],
        ['manager', 'PUT', `/api/v1/courses/${Y}/facilitators`, { userIds: [operator] }],
        ['FX', 'PUT', `/api/v1/live-sessions/${ids.sessionX1}/attendance`, { present: operator }],
        ['FX', 'PUT', `/api/v1/live-sessions/${ids.sessionX1}/attendance`, { present: [operator] }],
        ['FX', 'PATCH', `/api/v1/live-sessions/${ids.sessionX1}`, { cohortId: operator }],
        ['manager', 'POST', '/api/v1/certificates', { userId: operator, courseSlug: X, completedAt: '2026-01-01', note: 'x' }],
        ['admin', 'PUT', `/api/v1/users/${people.B.id}/roles`, { roles: operator }],
        ['A', 'PUT', `/api/v1/attempts/${ids.attemptOpen}/answers`, { answers: operator }],
        ['B', 'POST', `/api/v1/live-sessions/${ids.sessionX1}/rsvp`, { response: operator }],
        ['B', 'PATCH', '/api/v1/me', { _id: people.A.id }],
        ['B', 'PATCH', '/api/v1/me', { roles: ['admin'] }],
      ];
      for (const [who, method, path, body] of calls) {
        const response = await run(world(), { who, method, path, body, status: 0 });
        expect(response.status, `${who} ${method} ${path} ${JSON.stringify(body)}`).to.equal(400);
        expect(response.body.error.code).to.equal('validation_failed');
      }
      expect(await snapshot(ctx)).to.deep.equal(before);
    });

    it('operator-looking and repeated query parameters are ignored or refused, never 500', async () => {
      const w = world();
      const queries: Array<[Who, string]> = [
        ['FX', `/api/v1/courses/${X}/enrollments?cohort[$ne]=`],
        ['FX', `/api/v1/courses/${X}/enrollments?cohort=a&cohort=b`],
        ['FX', '/api/v1/stats/participation?course[$ne]=x'],
        ['FX', `/api/v1/stats/participation?course=${X}&course=${Y}`],
        ['FX', `/api/v1/stats/participation?cohort[$gt]=`],
        ['admin', '/api/v1/users?role[$ne]=learner'],
        ['admin', '/api/v1/users?q[$regex]=.*'],
        ['manager', '/api/v1/certificates?cohortId[$ne]='],
        ['manager', `/api/v1/certificates?courseSlug=${X}&courseSlug=${Y}`],
        ['B', '/api/v1/me/attempts?quizId[$ne]='],
        ['FX', `/courses/${X}/people?cohort[$ne]=`],
        ['FX', `/courses/${X}/people?cohort=a&cohort=b`],
        ['FX', '/stats?course[$ne]=x'],
        ['FX', `/stats?course=${X}&course=${Y}`],
        ['manager', '/admin/certificates?courseSlug[$ne]=x'],
        ['manager', '/admin/certificates?cohortId=a&cohortId=b'],
        ['admin', '/admin/users?role[$ne]=x'],
        ['admin', '/admin/users?q=a&q=b'],
        ['admin', '/admin/outbox?status[$ne]=x'],
        ['admin', '/admin/outbox?status=sent&status=failed'],
        ['B', '/verify?code[$ne]=x'],
        ['B', '/verify?code=a&code=b'],
        ['B', '/login?next[$ne]=x'],
      ];
      for (const [who, path] of queries) {
        const response = await run(w, { who, method: 'GET', path, status: 0 });
        expect(response.status, `${who} GET ${path}`).to.be.oneOf([200, 400, 303]);
        // Filters that are ignored do not widen what a facilitator sees: Y's people stay out of X's lists.
        if (who === 'FX') expect(response.text, `${who} GET ${path}`).not.to.include(w.people.FY.email);
      }
    });
  });
});
