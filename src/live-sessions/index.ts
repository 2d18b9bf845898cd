/**
 * Live sessions: scheduling (no double booking, holiday warnings), agendas, RSVPs with
 * capacity, calendar files (RFC 5545) and attendance, which feeds course completion
 * through enrollments. See README.md.
 */
export { createLiveSessionsService, type LiveSessionsService, type LiveSessionView, type LiveSessionsDependencies } from './live-sessions.service.js';
export { liveSessionsApiRouter } from './live-sessions.api.js';
export { liveSessionPagesRouter, upcomingSessionLinks, type LiveSessionPagesDependencies } from './live-sessions.web.js';
export { createCalendarFeedService, type CalendarFeedService, type CalendarFeedDependencies } from './live-sessions.feed.js';
export { calendarOf, calendarUidOf } from './live-sessions.ics.js';
export { holidaysDuring } from './holidays.js';
