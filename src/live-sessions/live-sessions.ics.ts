import ical, { ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator';
import { TZDate } from '@date-fns/tz';
import { SESSION_TIME_ZONE } from './holidays.js';
import type { LiveSessionView } from './live-sessions.service.js';

/** The calendar UID of a session: the same for every version of it, so that calendars update their copy. */
export function calendarUidOf(sessionId: string): string {
  return `live-session-${sessionId}@capacita`;
}

function bogotaTime(iso: string): string {
  const local = new TZDate(new Date(iso).getTime(), SESSION_TIME_ZONE);
  return `${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}`;
}

const PRODUCT_ID = { company: 'Capacita', product: 'Capacita', language: 'ES' };

/** One session as a VEVENT: the same UID for every version, its SEQUENCE, STATUS:CANCELLED once cancelled. */
function addSessionEvent(calendar: ICalCalendar, session: LiveSessionView, stamp: Date, organizer?: { name: string; email: string }): void {
  const agenda = session.agenda.map((item) => `${bogotaTime(item.startsAt)} — ${item.topic} (${item.responsible})`);
  const location = [session.venue, session.municipalityCode ? `DIVIPOLA ${session.municipalityCode}` : null, session.meetingUrl].filter(Boolean).join(' · ');
  calendar.createEvent({
    id: calendarUidOf(session.id),
    sequence: session.sequence,
    stamp,
    start: new Date(session.startsAt),
    end: new Date(session.endsAt),
    summary: session.title,
    status: session.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    ...(location ? { location } : {}),
    ...(session.meetingUrl ? { url: session.meetingUrl } : {}),
    ...(agenda.length > 0 ? { description: `Agenda (hora de Bogotá):\n${agenda.join('\n')}` } : {}),
    ...(organizer ? { organizer } : {}),
  });
}

/**
 * One session as an RFC 5545 calendar: METHOD:REQUEST while scheduled, METHOD:CANCEL
 * with STATUS:CANCELLED once cancelled; SEQUENCE is the session's. Times are written in
 * UTC, which every client converts; the description carries the agenda in Bogotá time.
 */
export function calendarOf(session: LiveSessionView, stamp: Date, organizer?: { name: string; email: string }): string {
  const calendar = ical({
    prodId: PRODUCT_ID,
    method: session.status === 'cancelled' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  addSessionEvent(calendar, session, stamp, organizer);
  return calendar.toString();
}

/**
 * A subscribed calendar (a person's feed): METHOD:PUBLISH, the method of a published
 * calendar that is not a scheduling message — what Google Calendar and Outlook write in
 * their own shared .ics feeds, and what keeps clients from treating each event as an
 * invitation to answer (REQUEST would). Cancelled sessions stay, with STATUS:CANCELLED,
 * so that a subscriber sees the cancellation instead of a silent disappearance. The
 * refresh hint is written both ways (REFRESH-INTERVAL, RFC 7986; X-PUBLISHED-TTL,
 * read by Outlook). No ORGANIZER: the feed's address is a bearer secret that may be
 * shared or leak, so it carries nobody's email.
 */
export function feedCalendarOf(sessions: readonly LiveSessionView[], stamp: Date, { name, refreshSeconds }: { name: string; refreshSeconds: number }): string {
  const calendar = ical({ prodId: PRODUCT_ID, method: ICalCalendarMethod.PUBLISH, name, ttl: refreshSeconds });
  for (const session of sessions) addSessionEvent(calendar, session, stamp);
  return calendar.toString();
}
