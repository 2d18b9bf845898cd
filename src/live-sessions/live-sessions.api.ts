import { Router, type Request } from 'express';
import { authorize, signedInUser } from '../web/guards.js';
import { parseInput } from '../web/validate.js';
import type { CalendarFeedService } from './live-sessions.feed.js';
import { attendanceSchema, createSessionSchema, rsvpSchema, updateSessionSchema } from './live-sessions.schemas.js';
import type { LiveSessionsService } from './live-sessions.service.js';

/** API.md, "Live sessions". Who may act on which course is checked by the service. */

const idOf = (request: Request): string => String(request.params.id);

export function liveSessionsApiRouter(sessions: LiveSessionsService, feed: CalendarFeedService): Router {
  const router = Router();

  router.post('/courses/:slug/live-sessions', authorize('live-sessions:schedule'), async (request, response) => {
    const input = parseInput(createSessionSchema, request.body, request.t);
    response.status(201).json(await sessions.scheduleSession(signedInUser(request), String(request.params.slug), input));
  });

  router.get('/courses/:slug/live-sessions', authorize('live-sessions:read'), async (request, response) => {
    response.json({ items: await sessions.listSessions(signedInUser(request), String(request.params.slug)), nextCursor: null });
  });

  router.get('/live-sessions/:id', authorize('live-sessions:read'), async (request, response) => {
    response.json(await sessions.getSession(signedInUser(request), idOf(request)));
  });

  router.patch('/live-sessions/:id', authorize('live-sessions:schedule'), async (request, response) => {
    const patch = parseInput(updateSessionSchema, request.body, request.t);
    response.json(await sessions.updateSession(signedInUser(request), idOf(request), patch));
  });

  router.delete('/live-sessions/:id', authorize('live-sessions:schedule'), async (request, response) => {
    const cancelled = await sessions.cancelSession(signedInUser(request), idOf(request));
    response.json({ id: cancelled.id, status: cancelled.status, sequence: cancelled.sequence });
  });

  router.get('/live-sessions/:id/ics', authorize('live-sessions:read'), async (request, response) => {
    const { filename, body } = await sessions.sessionCalendar(signedInUser(request), idOf(request));
    response.type('text/calendar; charset=utf-8').attachment(filename).send(body);
  });

  router.post('/live-sessions/:id/rsvp', authorize('live-sessions:rsvp'), async (request, response) => {
    const { response: answer } = parseInput(rsvpSchema, request.body, request.t);
    response.json(await sessions.respond(signedInUser(request), idOf(request), answer));
  });

  router.put('/live-sessions/:id/attendance', authorize('live-sessions:attendance'), async (request, response) => {
    const { present } = parseInput(attendanceSchema, request.body, request.t);
    response.json(await sessions.recordAttendance(signedInUser(request), idOf(request), present));
  });

  router.get('/me/calendar-feed', authorize('live-sessions:feed'), async (request, response) => {
    response.json({ url: await feed.feedUrl(signedInUser(request).id) });
  });

  // README.md: an addition to API.md, the way to revoke a feed address that has leaked.
  router.post('/me/calendar-feed/reset', authorize('live-sessions:feed'), async (request, response) => {
    response.json({ url: await feed.resetFeedUrl(signedInUser(request).id) });
  });

  // Public: the token in the path is the credential (calendar programs send no header). Limited per address.
  router.get('/calendar-feeds/:token.ics', async (request, response) => {
    const body = await feed.feedCalendar(String(request.params.token), { address: request.ip ?? 'unknown', calendarName: request.t('live-sessions:feed.calendarName') });
    response.set('Cache-Control', 'private, max-age=300').type('text/calendar; charset=utf-8').send(body);
  });

  return router;
}
