import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { i18n } from 'i18next';
import { Types, type Connection } from 'mongoose';
import type { Contact } from '../accounts/index.js';
import type { CoursesService } from '../courses/index.js';
import type { EnrollmentsService } from '../enrollments/index.js';
import type { Actor } from '../shared/authorization.js';
import type { PeriodicJob } from '../jobs/index.js';
import type { Mailer } from '../notifications/index.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { municipalityName } from '../territories/index.js';
import { holidaysDuring } from './holidays.js';
import { liveSessionModels } from './live-session.model.js';
import { view, type SessionShape, type StoredSession, type LiveSessionView } from './live-session.view.js';
import type { CreateSessionInput, UpdateSessionInput } from './live-sessions.schemas.js';
import { calendarOf } from './live-sessions.ics.js';
import { createSessionNotices, remindersDueFor } from './live-sessions.notices.js';
import { ownSessionsCondition } from './live-sessions.scope.js';
import { occurrencesOf, RecurrenceError } from './recurrence.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

export interface LiveSessionsDependencies {
  connection: Connection;
  courses: Pick<CoursesService, 'getCourse' | 'isFacilitatorOf' | 'facilitatedCourseSlugs'>;
  enrollments: Pick<EnrollmentsService, 'enrollmentOf' | 'enrolledUserIds' | 'enrolledCoursesOf' | 'listCohorts' | 'setAttendedSessions'>;
  /** Names, emails and languages by user id (invitees, and the calendar's ORGANIZER). */
  contactsOf(ids: string[]): Promise<Map<string, Contact>>;
  mailer: Mailer;
  i18n: i18n;
  /** For the links in mails. */
  baseUrl: string;
  institutionName(): Promise<string>;
  clock: Clock;
  logger: Logger;
}

export type { Modality, AgendaItemView, LiveSessionView } from './live-session.view.js';

/** What scheduling answers: the (first) session, holiday warnings, and the series when a recurrence was asked for. */
export type ScheduledSessions = LiveSessionView & {
  warnings: string[];
  series?: { id: string; sessions: Array<{ id: string; startsAt: string; endsAt: string }> };
};

const HOUR_MS = 3_600_000;
/** How long a scheduling lock is held at most: longer than any check-and-insert. */
const LOCK_LEASE_MS = 15_000;
/** How long a request waits for a facilitator's lock before answering 409 busy. */
const LOCK_WAIT_MS = 10_000;


/**
 * The rules between fields (API.md, "Live sessions"), as field → i18n key. `checkFuture`
 * is off for a PATCH that does not move the session (a title fixed during the session).
 */
function ruleViolations(session: SessionShape, now: Date, checkFuture: boolean): Record<string, string> {
  const fields: Record<string, string> = {};
  if (session.endsAt <= session.startsAt) fields.endsAt = 'validation.endsBeforeStarts';
  if (checkFuture && session.startsAt <= now) fields.startsAt = 'validation.inThePast';
  if (session.modality !== 'in_person' && !session.meetingUrl) fields.meetingUrl = 'validation.required';
  if (session.modality !== 'virtual') {
    if (!session.venue) fields.venue = 'validation.required';
    if (!session.municipalityCode) fields.municipalityCode = 'validation.required';
    else if (municipalityName(session.municipalityCode) === undefined) fields.municipalityCode = 'validation.municipalityUnknown';
  }
  session.agenda.forEach((item, index) => {
    if (item.startsAt < session.startsAt || item.startsAt >= session.endsAt) fields[`agenda.${index}.startsAt`] = 'validation.agendaOutsideSession';
  });
  return fields;
}

export function createLiveSessionsService(deps: LiveSessionsDependencies) {
  const { LiveSession, LiveSessionRsvp, LiveSessionLock } = liveSessionModels(deps.connection);
  const logger = deps.logger.child({ module: 'live-sessions' });
  const notices = createSessionNotices({
    models: { LiveSession, LiveSessionRsvp },
    mailer: deps.mailer,
    i18n: deps.i18n,
    baseUrl: deps.baseUrl,
    institutionName: deps.institutionName,
    courseTitleOf: async (courseSlug) => (await deps.courses.getCourse(courseSlug)).title,
    inviteesOf: (courseSlug, cohortId) => deps.enrollments.enrolledUserIds(courseSlug, cohortId),
    contactsOf: deps.contactsOf,
    clock: deps.clock,
    logger: deps.logger,
  });

  /**
   * The change is saved whatever happens to its mail: if queuing fails (the database
   * went away mid-way), `noticesPending` stays set and the pending-notices job finishes.
   */
  async function announce(sessions: StoredSession | StoredSession[]): Promise<void> {
    const all = Array.isArray(sessions) ? sessions : [sessions];
    try {
      await (all.length > 1 ? notices.announceSeries(all) : notices.announce(all[0]!));
    } catch (error) {
      logger.error({ err: error, sessionIds: all.map((session) => session._id.toHexString()) }, 'live session notices not queued yet; the job will retry');
    }
  }

  /**
   * The occurrences of a recurring session: each a session of its own (its own calendar
   * UID, RSVPs and attendance), shifted with its agenda from the first one.
   */
  function seriesOf(first: SessionShape, rule: string): SessionShape[] {
    let starts: Date[];
    try {
      starts = occurrencesOf(rule, first.startsAt);
    } catch (error) {
      if (!(error instanceof RecurrenceError)) throw error;
      throw new AppError('validation_failed', 'The recurrence rule cannot be used.', { fields: { recurrence: `validation.${error.key}` } });
    }
    const duration = first.endsAt.getTime() - first.startsAt.getTime();
    const shapes = starts.map((startsAt) => {
      const shift = startsAt.getTime() - first.startsAt.getTime();
      return {
        ...first,
        startsAt,
        endsAt: new Date(startsAt.getTime() + duration),
        agenda: first.agenda.map((item) => ({ ...item, startsAt: new Date(item.startsAt.getTime() + shift) })),
      };
    });
    if (shapes.some((shape, index) => index > 0 && shape.startsAt < shapes[index - 1]!.endsAt)) {
      throw new AppError('validation_failed', 'The occurrences of the series overlap each other.', { fields: { recurrence: 'validation.recurrenceOverlaps' } });
    }
    return shapes;
  }

  /**
   * No double booking, also under concurrency. Two requests for one facilitator could
   * both check "no overlap" and both insert; the alternative, insert then re-check and
   * roll back, lets two racing requests both fail, or both see nothing if the engine's
   * reads lag. So the check and the write run under a per-facilitator lock document:
   * its `_id` is the facilitator's id, so only one insert (or takeover of an expired
   * lease) can succeed at a time, on any number of app processes. Others wait a little
   * and try again; after LOCK_WAIT_MS they get 409 busy. The lease frees the lock of a
   * process that died holding it.
   */
  async function withFacilitatorLock<T>(facilitatorId: string, work: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt += 1) {
      const now = deps.clock.now();
      try {
        await LiveSessionLock.updateOne(
          { _id: facilitatorId, expiresAt: { $lt: now } },
          { $set: { holder, expiresAt: new Date(now.getTime() + LOCK_LEASE_MS) } },
          { upsert: true },
        );
        break; // inserted, or took over an expired lease
      } catch (error) {
        if (!isDuplicateKey(error)) throw error; // held by someone else
      }
      if (Date.now() > deadline) throw new AppError('conflict', 'The facilitator’s calendar is busy; try again.', { reason: 'busy' });
      await sleep(Math.min(10 + attempt * 5, 100) + Math.floor(Math.random() * 10));
    }
    try {
      return await work();
    } finally {
      await LiveSessionLock.deleteOne({ _id: facilitatorId, holder });
    }
  }

  async function ensureNoOverlap(facilitatorId: Types.ObjectId, startsAt: Date, endsAt: Date, except?: Types.ObjectId): Promise<void> {
    const overlapping = await LiveSession.findOne(
      { facilitatorId, status: 'scheduled', startsAt: { $lt: endsAt }, endsAt: { $gt: startsAt }, ...(except ? { _id: { $ne: except } } : {}) },
      { _id: 1 },
    ).lean();
    if (overlapping) {
      throw new AppError('conflict', 'The facilitator has another session at that time.', { reason: 'overlap', sessionId: overlapping._id.toHexString() });
    }
  }

  async function findSession(id: string): Promise<StoredSession> {
    const session = Types.ObjectId.isValid(id) ? await LiveSession.findById(id).lean<StoredSession>() : null;
    if (!session) throw new AppError('not_found', 'No such live session.');
    return session;
  }

  async function ensureFacilitates(actor: Actor, courseSlug: string): Promise<void> {
    if (!(await deps.courses.isFacilitatorOf(actor, courseSlug))) throw new AppError('forbidden', 'You do not facilitate this course.');
  }

  /** The course's team, or an invitee: a learner enrolled in the course (in the session's cohort, if it has one). */
  async function isInvitee(actor: Actor, session: StoredSession): Promise<boolean> {
    const enrollment = await deps.enrollments.enrollmentOf(actor.id, session.courseSlug);
    if (!enrollment) return false;
    return !session.cohortId || enrollment.cohortId === session.cohortId.toHexString();
  }

  async function ensureCanSee(actor: Actor, session: StoredSession): Promise<void> {
    if (await deps.courses.isFacilitatorOf(actor, session.courseSlug)) return;
    if (!(await isInvitee(actor, session))) throw new AppError('forbidden', 'This session is not for you.', { reason: 'not_invited' });
  }

  async function ensureCohortOf(courseSlug: string, cohortId: string | null): Promise<void> {
    if (!cohortId) return;
    const cohorts = await deps.enrollments.listCohorts(courseSlug);
    if (!cohorts.some((cohort) => cohort.id === cohortId)) {
      throw new AppError('validation_failed', 'No such cohort in this course.', { fields: { cohortId: 'validation.invalid' } });
    }
  }

  function ensureRules(session: SessionShape, checkFuture: boolean): void {
    const fields = ruleViolations(session, deps.clock.now(), checkFuture);
    if (Object.keys(fields).length > 0) throw new AppError('validation_failed', 'The session breaks a scheduling rule.', { fields });
  }

  /** Sets each learner's attended count to the non-cancelled sessions of the course they attended. */
  async function refreshAttendance(courseSlug: string, userIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return;
    const sessions = await LiveSession.find(
      { courseSlug, status: 'scheduled', attendees: { $in: ids.map((id) => new Types.ObjectId(id)) } },
      { attendees: 1 },
    ).lean<Array<{ attendees: Types.ObjectId[] }>>();
    const counts = new Map(ids.map((id) => [id, 0]));
    for (const session of sessions) {
      for (const attendee of session.attendees) {
        const id = attendee.toHexString();
        if (counts.has(id)) counts.set(id, counts.get(id)! + 1);
      }
    }
    await deps.enrollments.setAttendedSessions(courseSlug, counts);
  }

  /** Run once across processes by the job scheduler (src/jobs). */
  const jobs: PeriodicJob[] = [
    { name: 'live-sessions:reminders', intervalMs: 60_000, run: () => notices.sendDueReminders() },
    { name: 'live-sessions:pending-notices', intervalMs: 60_000, run: () => notices.announcePending() },
  ];

  return {
    jobs,
    sendDueReminders: () => notices.sendDueReminders(),
    announcePending: () => notices.announcePending(),

    /** Schedules a session; the warnings (holidays) do not stop it. */
    async scheduleSession(actor: Actor, courseSlug: string, input: CreateSessionInput): Promise<ScheduledSessions> {
      await deps.courses.getCourse(courseSlug);
      await ensureFacilitates(actor, courseSlug);
      const first: SessionShape = {
        title: input.title,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        modality: input.modality,
        meetingUrl: input.meetingUrl ?? null,
        venue: input.venue ?? null,
        municipalityCode: input.municipalityCode ?? null,
        capacity: input.capacity ?? null,
        cohortId: input.cohortId ?? null,
        agenda: [...(input.agenda ?? [])].sort((x, y) => x.startsAt.getTime() - y.startsAt.getTime()),
      };
      ensureRules(first, true);
      const shapes = input.recurrence === undefined ? [first] : seriesOf(first, input.recurrence);
      await ensureCohortOf(courseSlug, first.cohortId);
      const facilitatorId = new Types.ObjectId(actor.id);
      const seriesId = shapes.length > 1 ? new Types.ObjectId() : null;
      const created = await withFacilitatorLock(actor.id, async () => {
        for (const shape of shapes) await ensureNoOverlap(facilitatorId, shape.startsAt, shape.endsAt);
        const now = deps.clock.now();
        const documents = await LiveSession.insertMany(
          shapes.map((shape) => ({
            ...shape,
            cohortId: shape.cohortId ? new Types.ObjectId(shape.cohortId) : null,
            courseSlug,
            facilitatorId,
            seriesId,
            noticesPending: true,
            remindersDue: remindersDueFor(shape.startsAt, now),
            createdAt: now,
            updatedAt: now,
          })),
        );
        return documents.map((document) => document.toObject() as unknown as StoredSession);
      });
      await announce(created);
      const warnings = [...new Set(created.flatMap((session) => holidaysDuring(session.startsAt, session.endsAt).map((name) => `holiday:${name}`)))];
      const series = seriesId
        ? { id: seriesId.toHexString(), sessions: created.map((session) => ({ id: session._id.toHexString(), startsAt: session.startsAt.toISOString(), endsAt: session.endsAt.toISOString() })) }
        : undefined;
      return { ...view(created[0]!), warnings, ...(series ? { series } : {}) };
    },

    /** A course's sessions: all of them for its team; for a learner, those they are invited to. */
    async listSessions(actor: Actor, courseSlug: string): Promise<LiveSessionView[]> {
      await deps.courses.getCourse(courseSlug);
      const filter: Record<string, unknown> = { courseSlug };
      if (!(await deps.courses.isFacilitatorOf(actor, courseSlug))) {
        const enrollment = await deps.enrollments.enrollmentOf(actor.id, courseSlug);
        if (!enrollment) throw new AppError('forbidden', 'You are not enrolled in this course.', { reason: 'not_enrolled' });
        filter.cohortId = { $in: [null, ...(enrollment.cohortId ? [new Types.ObjectId(enrollment.cohortId)] : [])] };
      }
      const sessions = await LiveSession.find(filter).sort({ startsAt: 1, _id: 1 }).lean<StoredSession[]>();
      return sessions.map(view);
    },

    async getSession(actor: Actor, id: string): Promise<LiveSessionView> {
      const session = await findSession(id);
      await ensureCanSee(actor, session);
      return view(session);
    },

    /** Every session of a series, in order; whoever may see one of them may see them all (same course and cohort). */
    async seriesSessions(actor: Actor, seriesId: string): Promise<LiveSessionView[]> {
      const sessions = Types.ObjectId.isValid(seriesId)
        ? await LiveSession.find({ seriesId: new Types.ObjectId(seriesId) }).sort({ startsAt: 1, _id: 1 }).lean<StoredSession[]>()
        : [];
      if (sessions.length === 0) throw new AppError('not_found', 'No such series.');
      await ensureCanSee(actor, sessions[0]!);
      return sessions.map(view);
    },

    /** Edit or reschedule; every change raises `sequence`. The overlap check ignores the session itself. */
    async updateSession(actor: Actor, id: string, patch: UpdateSessionInput): Promise<LiveSessionView> {
      const current = await findSession(id);
      await ensureFacilitates(actor, current.courseSlug);
      if (current.status === 'cancelled') throw new AppError('conflict', 'This session was cancelled.', { reason: 'cancelled' });
      if (Object.keys(patch).length === 0) return view(current);
      const merged: SessionShape = {
        title: patch.title ?? current.title,
        startsAt: patch.startsAt ?? current.startsAt,
        endsAt: patch.endsAt ?? current.endsAt,
        modality: patch.modality ?? current.modality,
        meetingUrl: patch.meetingUrl === undefined ? current.meetingUrl : patch.meetingUrl,
        venue: patch.venue === undefined ? current.venue : patch.venue,
        municipalityCode: patch.municipalityCode === undefined ? current.municipalityCode : patch.municipalityCode,
        capacity: patch.capacity === undefined ? current.capacity : patch.capacity,
        cohortId: patch.cohortId === undefined ? (current.cohortId?.toHexString() ?? null) : patch.cohortId,
        agenda: patch.agenda ?? current.agenda,
      };
      const isMoved = patch.startsAt !== undefined || patch.endsAt !== undefined;
      ensureRules(merged, isMoved);
      if (patch.cohortId !== undefined) await ensureCohortOf(current.courseSlug, merged.cohortId);
      const updated = await withFacilitatorLock(current.facilitatorId.toHexString(), async () => {
        if (isMoved) await ensureNoOverlap(current.facilitatorId, merged.startsAt, merged.endsAt, current._id);
        // Conditional on the version read: a concurrent edit, cancellation, or RSVPs beyond a lowered capacity refuse this one.
        const result = await LiveSession.findOneAndUpdate(
          { _id: current._id, sequence: current.sequence, status: 'scheduled', ...(merged.capacity !== null ? { yesCount: { $lte: merged.capacity } } : {}) },
          {
            $set: {
              ...merged,
              cohortId: merged.cohortId ? new Types.ObjectId(merged.cohortId) : null,
              agenda: [...merged.agenda].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()),
              noticesPending: true,
              // A new start time brings its own reminders, even if the old ones went out.
              ...(isMoved ? { remindersDue: remindersDueFor(merged.startsAt, deps.clock.now()) } : {}),
              updatedAt: deps.clock.now(),
            },
            $inc: { sequence: 1 },
          },
          { returnDocument: 'after', lean: true },
        );
        if (result) return result as unknown as StoredSession;
        const now = await findSession(id);
        if (merged.capacity !== null && now.yesCount > merged.capacity) {
          throw new AppError('validation_failed', 'More people have confirmed than that capacity.', { fields: { capacity: 'validation.capacityBelowRsvps' } });
        }
        throw new AppError('conflict', 'The session was changed meanwhile; reload it.', { reason: now.status === 'cancelled' ? 'cancelled' : 'changed' });
      });
      await announce(updated);
      return view(updated);
    },

    /** Cancels (raising `sequence`); cancelling again changes nothing. Its attendance stops counting. */
    async cancelSession(actor: Actor, id: string): Promise<LiveSessionView> {
      const current = await findSession(id);
      await ensureFacilitates(actor, current.courseSlug);
      const cancelled = await LiveSession.findOneAndUpdate(
        { _id: current._id, status: 'scheduled' },
        { $set: { status: 'cancelled', noticesPending: true, remindersDue: [], updatedAt: deps.clock.now() }, $inc: { sequence: 1 } },
        { returnDocument: 'after', lean: true },
      );
      if (!cancelled) return view(await findSession(id));
      const session = cancelled as unknown as StoredSession;
      await announce(session);
      await refreshAttendance(session.courseSlug, session.attendees.map((attendee) => attendee.toHexString()));
      return view(session);
    },

    /** The session as an RFC 5545 calendar (REQUEST, or CANCEL once cancelled). */
    async sessionCalendar(actor: Actor, id: string): Promise<{ filename: string; body: string }> {
      const session = await findSession(id);
      await ensureCanSee(actor, session);
      const organizer = (await deps.contactsOf([session.facilitatorId.toHexString()])).get(session.facilitatorId.toHexString());
      return {
        filename: `sesion-${session._id.toHexString()}.ics`,
        body: calendarOf(view(session), deps.clock.now(), organizer?.email ? { name: organizer.name || organizer.email, email: organizer.email } : undefined),
      };
    },

    /**
     * An invitee's answer. A "yes" takes a seat first, in one conditional update on the
     * session's counter (so concurrent answers cannot exceed the capacity), then records
     * the answer conditionally on the previous one; if that loses a race with the same
     * person's other request, the seat is given back.
     */
    async respond(actor: Actor, id: string, response: 'yes' | 'no'): Promise<{ response: 'yes' | 'no'; rsvpCounts: { yes: number; no: number } }> {
      const session = await findSession(id);
      if (!(await isInvitee(actor, session))) throw new AppError('forbidden', 'This session is not for you.', { reason: 'not_invited' });
      if (session.status === 'cancelled') throw new AppError('conflict', 'This session was cancelled.', { reason: 'cancelled' });
      const userId = new Types.ObjectId(actor.id);
      const previous = await LiveSessionRsvp.findOne({ sessionId: session._id, userId }).lean<{ response: 'yes' | 'no' }>();
      const before = previous?.response ?? null;
      if (before !== response) {
        const counters = { yesCount: (response === 'yes' ? 1 : 0) - (before === 'yes' ? 1 : 0), noCount: (response === 'no' ? 1 : 0) - (before === 'no' ? 1 : 0) };
        const seatCondition = response === 'yes' && session.capacity !== null ? { capacity: session.capacity, yesCount: { $lt: session.capacity } } : {};
        const taken = await LiveSession.updateOne({ _id: session._id, status: 'scheduled', ...seatCondition }, { $inc: counters });
        if (taken.modifiedCount !== 1) {
          const now = await findSession(id);
          if (now.status === 'cancelled') throw new AppError('conflict', 'This session was cancelled.', { reason: 'cancelled' });
          throw new AppError('conflict', 'This session is full.', { reason: 'full' });
        }
        const giveBack = { yesCount: -counters.yesCount, noCount: -counters.noCount };
        try {
          const recorded = before
            ? (await LiveSessionRsvp.updateOne({ sessionId: session._id, userId, response: before }, { $set: { response, respondedAt: deps.clock.now() } })).modifiedCount === 1
            : (await LiveSessionRsvp.create({ sessionId: session._id, userId, response, respondedAt: deps.clock.now() }), true);
          if (!recorded) throw new AppError('conflict', 'Your answer changed meanwhile; try again.', { reason: 'changed' });
        } catch (error) {
          await LiveSession.updateOne({ _id: session._id }, { $inc: giveBack });
          if (isDuplicateKey(error)) throw new AppError('conflict', 'Your answer changed meanwhile; try again.', { reason: 'changed' });
          throw error;
        }
      }
      const latest = await findSession(id);
      return { response, rsvpCounts: { yes: latest.yesCount, no: latest.noCount } };
    },

    /**
     * The facilitator's roster, from one hour before the start; a re-save replaces the
     * list. `absent` counts invitees not marked present. Each affected learner's count of
     * attended sessions is then set from the sessions themselves (idempotent).
     */
    async recordAttendance(actor: Actor, id: string, present: string[]): Promise<{ present: number; absent: number }> {
      const session = await findSession(id);
      await ensureFacilitates(actor, session.courseSlug);
      if (session.status === 'cancelled') throw new AppError('conflict', 'This session was cancelled.', { reason: 'cancelled' });
      if (deps.clock.now().getTime() < session.startsAt.getTime() - HOUR_MS) {
        throw new AppError('conflict', 'Attendance opens one hour before the start.', { reason: 'too_early' });
      }
      const invitees = new Set(await deps.enrollments.enrolledUserIds(session.courseSlug, session.cohortId?.toHexString() ?? null));
      const marked = [...new Set(present)];
      const notInvited = marked.filter((userId) => !invitees.has(userId));
      if (notInvited.length > 0) {
        throw new AppError('validation_failed', 'Some people are not invited to this session.', { fields: { present: 'validation.notInvited' }, notInvited });
      }
      await LiveSession.updateOne(
        { _id: session._id },
        { $set: { attendees: marked.map((userId) => new Types.ObjectId(userId)), attendanceSavedAt: deps.clock.now() } },
      );
      await refreshAttendance(session.courseSlug, [...session.attendees.map((attendee) => attendee.toHexString()), ...marked]);
      return { present: marked.length, absent: invitees.size - marked.length };
    },

    /**
     * A session with the viewer's place in it (its page): whether they are of the
     * course's team, whether they are invited, and their answer.
     */
    async sessionForViewer(
      actor: Actor,
      id: string,
    ): Promise<{ session: LiveSessionView; isTeam: boolean; isInvited: boolean; response: 'yes' | 'no' | null }> {
      const session = await findSession(id);
      const [isTeam, isInvited] = await Promise.all([deps.courses.isFacilitatorOf(actor, session.courseSlug), isInvitee(actor, session)]);
      if (!isTeam && !isInvited) throw new AppError('forbidden', 'This session is not for you.', { reason: 'not_invited' });
      const answer = isInvited
        ? await LiveSessionRsvp.findOne({ sessionId: session._id, userId: new Types.ObjectId(actor.id) }, { response: 1 }).lean<{ response: 'yes' | 'no' }>()
        : null;
      return { session: view(session), isTeam, isInvited, response: answer?.response ?? null };
    },

    /**
     * The facilitator's roster: every invitee with their answer and whether they were
     * marked present, and whether attendance may be recorded now (from one hour before
     * the start, while the session is not cancelled: recordAttendance's rules).
     */
    async roster(
      actor: Actor,
      id: string,
    ): Promise<{
      session: LiveSessionView;
      isOpen: boolean;
      opensAt: string;
      people: Array<{ userId: string; name: string; email: string | null; response: 'yes' | 'no' | null; isPresent: boolean }>;
    }> {
      const session = await findSession(id);
      await ensureFacilitates(actor, session.courseSlug);
      const invitees = await deps.enrollments.enrolledUserIds(session.courseSlug, session.cohortId?.toHexString() ?? null);
      const [contacts, answers] = await Promise.all([
        deps.contactsOf(invitees),
        LiveSessionRsvp.find({ sessionId: session._id }, { userId: 1, response: 1 }).lean<Array<{ userId: Types.ObjectId; response: 'yes' | 'no' }>>(),
      ]);
      const responses = new Map(answers.map((answer) => [answer.userId.toHexString(), answer.response]));
      const present = new Set((session.attendees ?? []).map((attendee) => attendee.toHexString()));
      const people = invitees
        .map((userId) => {
          const contact = contacts.get(userId);
          return { userId, name: contact?.name ?? '', email: contact?.email ?? null, response: responses.get(userId) ?? null, isPresent: present.has(userId) };
        })
        // By name, as a facilitator looks for people on a printed list; anonymised accounts (no name) last.
        .sort((a, b) => Number(a.name === '') - Number(b.name === '') || a.name.localeCompare(b.name, 'es', { sensitivity: 'base' }) || (a.email ?? '').localeCompare(b.email ?? ''));
      const opensAt = new Date(session.startsAt.getTime() - HOUR_MS);
      return { session: view(session), isOpen: session.status === 'scheduled' && deps.clock.now() >= opensAt, opensAt: opensAt.toISOString(), people };
    },

    /**
     * The sessions still to come or under way, not cancelled, that a person may see,
     * soonest first, with their answer. With `courseSlug`: that course's, for its team or
     * its invitees. Without: those they are invited to in any course, those they lead,
     * and those of the courses they are assigned to facilitate — not of every course a
     * manager may act on, which would be the whole programme.
     */
    async upcomingFor(actor: Actor, { courseSlug, limit }: { courseSlug?: string; limit: number }): Promise<Array<LiveSessionView & { response: 'yes' | 'no' | null }>> {
      const upcoming = { status: 'scheduled', endsAt: { $gt: deps.clock.now() } };
      // On a course's page its whole team sees all its sessions; across courses, a person's own (see live-sessions.scope.ts).
      const isTeam = courseSlug !== undefined && (await deps.courses.isFacilitatorOf(actor, courseSlug));
      const filter: Record<string, unknown> = isTeam ? { ...upcoming, courseSlug } : { ...upcoming, ...(courseSlug ? { courseSlug } : {}), ...(await ownSessionsCondition(actor, deps)) };
      const visible = await LiveSession.find(filter).sort({ startsAt: 1, _id: 1 }).limit(limit).lean<StoredSession[]>();
      const answers = await LiveSessionRsvp.find(
        { userId: new Types.ObjectId(actor.id), sessionId: { $in: visible.map((session) => session._id) } },
        { sessionId: 1, response: 1 },
      ).lean<Array<{ sessionId: Types.ObjectId; response: 'yes' | 'no' }>>();
      const responses = new Map(answers.map((answer) => [answer.sessionId.toHexString(), answer.response]));
      return visible.map((session) => ({ ...view(session), response: responses.get(session._id.toHexString()) ?? null }));
    },
  };
}

export type LiveSessionsService = ReturnType<typeof createLiveSessionsService>;
