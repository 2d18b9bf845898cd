import type { i18n } from 'i18next';
import type { Contact } from '../accounts/index.js';
import type { Mailer } from '../notifications/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { LiveSessionModels } from './live-session.model.js';
import { view, type ReminderKind, type StoredSession } from './live-session.view.js';
import { calendarOf } from './live-sessions.ics.js';
import { composeNotice, type NoticeKind } from './live-sessions.mail.js';

export interface SessionNoticesDependencies {
  models: Pick<LiveSessionModels, 'LiveSession' | 'LiveSessionRsvp'>;
  mailer: Mailer;
  i18n: i18n;
  baseUrl: string;
  /** Signs the mails (the institution settings, which an administrator may change). */
  institutionName(): Promise<string>;
  courseTitleOf(courseSlug: string): Promise<string>;
  /** The learners a session is for: enrolled in the course, in its cohort if it has one. */
  inviteesOf(courseSlug: string, cohortId: string | null): Promise<string[]>;
  contactsOf(ids: string[]): Promise<Map<string, Contact>>;
  clock: Clock;
  logger: Logger;
}

const HOUR_MS = 3_600_000;
const REMINDER_LEAD_MS: Record<ReminderKind, number> = { reminder24h: 24 * HOUR_MS, reminder1h: HOUR_MS };
/** Notices of a change are queued by the request that made it; the job only takes those older than this (left by a crash). */
const PENDING_GRACE_MS = 60_000;
/** Sessions handled per job run; the next run (a minute later) takes the rest. */
const BATCH = 50;

/** The reminders worth sending for a session starting at `startsAt`: those whose moment is still ahead. */
export function remindersDueFor(startsAt: Date, now: Date): ReminderKind[] {
  return (Object.keys(REMINDER_LEAD_MS) as ReminderKind[]).filter((kind) => startsAt.getTime() - REMINDER_LEAD_MS[kind] > now.getTime());
}

/**
 * Every mail about a session: invitation, update and cancellation after each change, and
 * the reminders 24 h and 1 h before. All go through the outbox with an idempotency key
 * per person and occasion (`live-session:<id>:v<sequence>:<user>`, or the reminder kind
 * and start time), so queuing twice — a retry, a second process running the same job, a
 * crash half-way through a cohort — still sends each person one mail.
 *
 * The session's flags say what is left to do: `noticesPending` stays set until every
 * invitee's notice of the current version is queued, and `remindersDue` lists the
 * reminders not yet queued for the current start time. Both are cleared conditionally
 * on the version they were done for, so a change made meanwhile is not lost.
 */
export function createSessionNotices(deps: SessionNoticesDependencies) {
  const { LiveSession, LiveSessionRsvp } = deps.models;
  const logger = deps.logger.child({ module: 'live-sessions' });

  /**
   * One mail per recipient about `sessions` (one session, or every occurrence of a new
   * series), with one calendar file per session: an iTIP message may only carry one UID.
   */
  async function queueFor(kind: NoticeKind, sessions: StoredSession[], recipientIds: string[], keyOf: (userId: string) => string): Promise<number> {
    if (recipientIds.length === 0) return 0;
    const shown = sessions.map(view);
    const session = sessions[0]!;
    const facilitatorId = shown[0]!.facilitatorId;
    const [courseTitle, contacts] = await Promise.all([deps.courseTitleOf(session.courseSlug), deps.contactsOf([...recipientIds, facilitatorId])]);
    const organizer = contacts.get(facilitatorId);
    const institutionName = await deps.institutionName();
    const stamp = deps.clock.now();
    const method = session.status === 'cancelled' ? 'CANCEL' : 'REQUEST';
    const attachments = shown.map((one, index) => ({
      filename: shown.length > 1 ? `sesion-${index + 1}.ics` : 'sesion.ics',
      content: Buffer.from(calendarOf(one, stamp, organizer?.email ? { name: organizer.name || organizer.email, email: organizer.email } : undefined)),
      contentType: `text/calendar; charset=utf-8; method=${method}`,
    }));
    let queued = 0;
    for (const userId of recipientIds) {
      const contact = contacts.get(userId);
      if (!contact?.email) continue; // an anonymised account has no address
      const content = await composeNotice({
        kind,
        session: shown[0]!,
        occurrences: shown.length > 1 ? shown : undefined,
        courseTitle,
        recipientName: contact.name,
        language: contact.locale,
        t: deps.i18n.getFixedT(contact.locale, 'live-sessions'),
        sessionUrl: `${deps.baseUrl}/live-sessions/${shown[0]!.id}`,
        institutionName,
      });
      const { isDuplicate } = await deps.mailer.queue({
        to: contact.email,
        ...content,
        attachments,
        idempotencyKey: keyOf(userId),
      });
      if (!isDuplicate) queued += 1;
    }
    return queued;
  }

  /** Invitation (first version), update, or cancellation to every invitee, for the session's current version. */
  async function announce(session: StoredSession): Promise<void> {
    const kind: NoticeKind = session.status === 'cancelled' ? 'cancellation' : session.sequence === 0 ? 'invitation' : 'update';
    const id = session._id.toHexString();
    const invitees = await deps.inviteesOf(session.courseSlug, session.cohortId?.toHexString() ?? null);
    const queued = await queueFor(kind, [session], invitees, (userId) => `live-session:${id}:v${session.sequence}:${userId}`);
    await LiveSession.updateOne({ _id: session._id, sequence: session.sequence }, { $set: { noticesPending: false } });
    logger.info({ sessionId: id, kind, sequence: session.sequence, queued }, 'live session notices queued');
  }

  async function remind(kind: ReminderKind, session: StoredSession, now: Date): Promise<void> {
    const id = session._id.toHexString();
    // Too late to be useful (the scheduler was down): drop it. The 1 h reminder replaces a 24 h one that is that late.
    const isStale = session.startsAt <= now || (kind === 'reminder24h' && session.startsAt.getTime() <= now.getTime() + REMINDER_LEAD_MS.reminder1h);
    if (!isStale) {
      const declined = await LiveSessionRsvp.find({ sessionId: session._id, response: 'no' }, { userId: 1 }).lean();
      const declinedIds = new Set(declined.map((answer) => answer.userId.toHexString()));
      const invitees = await deps.inviteesOf(session.courseSlug, session.cohortId?.toHexString() ?? null);
      const startsAt = session.startsAt.getTime();
      const queued = await queueFor(
        kind,
        [session],
        invitees.filter((userId) => !declinedIds.has(userId)),
        (userId) => `live-session:${id}:${kind}:${startsAt}:${userId}`,
      );
      logger.info({ sessionId: id, kind, queued }, 'live session reminders queued');
    }
    await LiveSession.updateOne({ _id: session._id, startsAt: session.startsAt }, { $pull: { remindersDue: kind } });
  }

  /** A new series: one invitation listing every date, rather than one mail per occurrence. */
  async function announceSeries(sessions: StoredSession[]): Promise<void> {
    const first = sessions[0]!;
    const seriesId = first.seriesId!.toHexString();
    const invitees = await deps.inviteesOf(first.courseSlug, first.cohortId?.toHexString() ?? null);
    const queued = await queueFor('seriesInvitation', sessions, invitees, (userId) => `live-session-series:${seriesId}:${userId}`);
    for (const session of sessions) await LiveSession.updateOne({ _id: session._id, sequence: 0 }, { $set: { noticesPending: false } });
    logger.info({ seriesId, sessions: sessions.length, queued }, 'live session series invitations queued');
  }

  return {
    /** After a change: the notices of the session's current version. Safe to repeat. */
    announce,
    announceSeries,

    /** The job's half of `announce`: notices a crash left unqueued. Resolves with how many sessions it took. */
    async announcePending(): Promise<number> {
      const cutoff = new Date(deps.clock.now().getTime() - PENDING_GRACE_MS);
      const pending = await LiveSession.find({ noticesPending: true, updatedAt: { $lte: cutoff } })
        .sort({ updatedAt: 1 })
        .limit(BATCH)
        .lean<StoredSession[]>();
      const announcedSeries = new Set<string>();
      for (const session of pending) {
        const seriesKey = session.seriesId?.toHexString();
        if (seriesKey && announcedSeries.has(seriesKey)) continue;
        // A series never announced at all is announced as a series, as its request would have.
        const series = session.seriesId && session.sequence === 0
          ? await LiveSession.find({ seriesId: session.seriesId, sequence: 0, noticesPending: true }).sort({ startsAt: 1 }).lean<StoredSession[]>()
          : [];
        if (series.length > 1) {
          announcedSeries.add(seriesKey!);
          await announceSeries(series);
        } else {
          await announce(session);
        }
      }
      return pending.length;
    },

    /** Queues the reminders that have come due; the 1 h ones first. Resolves with how many sessions it took. */
    async sendDueReminders(): Promise<number> {
      let handled = 0;
      for (const kind of ['reminder1h', 'reminder24h'] as const) {
        const now = deps.clock.now();
        const due = await LiveSession.find({ status: 'scheduled', remindersDue: kind, startsAt: { $lte: new Date(now.getTime() + REMINDER_LEAD_MS[kind]) } })
          .sort({ startsAt: 1 })
          .limit(BATCH)
          .lean<StoredSession[]>();
        for (const session of due) await remind(kind, session, now);
        handled += due.length;
      }
      return handled;
    },
  };
}

export type SessionNotices = ReturnType<typeof createSessionNotices>;
