import type { Types } from 'mongoose';

/** The shapes of a live session: as checked (SessionShape), as stored, and as shown (LiveSessionView). */

export type ReminderKind = 'reminder24h' | 'reminder1h';

export type Modality = 'virtual' | 'in_person' | 'hybrid';

export interface AgendaItemView {
  startsAt: string;
  topic: string;
  responsible: string;
}

export interface LiveSessionView {
  id: string;
  courseSlug: string;
  cohortId: string | null;
  facilitatorId: string;
  /** Set when the session is one occurrence of a recurring series. */
  seriesId: string | null;
  title: string;
  startsAt: string;
  endsAt: string;
  modality: Modality;
  meetingUrl: string | null;
  venue: string | null;
  municipalityCode: string | null;
  capacity: number | null;
  agenda: AgendaItemView[];
  status: 'scheduled' | 'cancelled';
  sequence: number;
  rsvpCounts: { yes: number; no: number };
  createdAt: string;
  updatedAt: string;
}

export interface AgendaItem {
  startsAt: Date;
  topic: string;
  responsible: string;
}

/** The fields the rules between fields are checked on (create, and PATCH after merging). */
export interface SessionShape {
  title: string;
  startsAt: Date;
  endsAt: Date;
  modality: Modality;
  meetingUrl: string | null;
  venue: string | null;
  municipalityCode: string | null;
  capacity: number | null;
  cohortId: string | null;
  agenda: AgendaItem[];
}

export interface StoredSession extends Omit<SessionShape, 'cohortId'> {
  _id: Types.ObjectId;
  courseSlug: string;
  cohortId: Types.ObjectId | null;
  facilitatorId: Types.ObjectId;
  seriesId: Types.ObjectId | null;
  status: 'scheduled' | 'cancelled';
  sequence: number;
  yesCount: number;
  noCount: number;
  attendees: Types.ObjectId[];
  /** Set on every change until the invitees' notices for it are queued (see live-sessions.notices.ts). */
  noticesPending: boolean;
  /** The reminders still to send for the current start time (`reminder24h`, `reminder1h`). */
  remindersDue: ReminderKind[];
  createdAt: Date;
  updatedAt: Date;
}


export function view(session: StoredSession): LiveSessionView {
  return {
    id: session._id.toHexString(),
    courseSlug: session.courseSlug,
    cohortId: session.cohortId ? session.cohortId.toHexString() : null,
    facilitatorId: session.facilitatorId.toHexString(),
    seriesId: session.seriesId ? session.seriesId.toHexString() : null,
    title: session.title,
    startsAt: session.startsAt.toISOString(),
    endsAt: session.endsAt.toISOString(),
    modality: session.modality,
    meetingUrl: session.meetingUrl ?? null,
    venue: session.venue ?? null,
    municipalityCode: session.municipalityCode ?? null,
    capacity: session.capacity ?? null,
    agenda: (session.agenda ?? []).map((item) => ({ startsAt: item.startsAt.toISOString(), topic: item.topic, responsible: item.responsible })),
    status: session.status,
    sequence: session.sequence,
    rsvpCounts: { yes: session.yesCount, no: session.noCount },
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}
