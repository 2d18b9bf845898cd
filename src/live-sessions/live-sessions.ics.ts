import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
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

/**
 * One session as an RFC 5545 calendar: METHOD:REQUEST while scheduled, METHOD:CANCEL
 * with STATUS:CANCELLED once cancelled; SEQUENCE is the session's. Times are written in
 * UTC, which every client converts; the description carries the agenda in Bogotá time.
 */
export function calendarOf(session: LiveSessionView, stamp: Date, organizer?: { name: string; email: string }): string {
  const isCancelled = session.status === 'cancelled';
  const calendar = ical({
    prodId: { company: 'Capacita', product: 'Capacita', language: 'ES' },
    method: isCancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const agenda = session.agenda.map((item) => `${bogotaTime(item.startsAt)} — ${item.topic} (${item.responsible})`);
  const location = [session.venue, session.municipalityCode ? `DIVIPOLA ${session.municipalityCode}` : null, session.meetingUrl].filter(Boolean).join(' · ');
  calendar.createEvent({
    id: calendarUidOf(session.id),
    sequence: session.sequence,
    stamp,
    start: new Date(session.startsAt),
    end: new Date(session.endsAt),
    summary: session.title,
    status: isCancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    ...(location ? { location } : {}),
    ...(session.meetingUrl ? { url: session.meetingUrl } : {}),
    ...(agenda.length > 0 ? { description: `Agenda (hora de Bogotá):\n${agenda.join('\n')}` } : {}),
    ...(organizer ? { organizer } : {}),
  });
  return calendar.toString();
}
