import { Schema, type Connection } from 'mongoose';

/**
 * A live session of a course. Times are stored in UTC. `sequence` is the iCalendar
 * SEQUENCE: raised on every change, cancellation included, so that calendars replace
 * their copy. `yesCount`/`noCount` are the RSVP counters; `yesCount` doubles as the
 * seat counter that capacity is enforced on (one conditional update, like cohort seats).
 */
const agendaItemSchema = new Schema(
  {
    startsAt: { type: Date, required: true },
    topic: { type: String, required: true },
    responsible: { type: String, required: true },
  },
  { _id: false },
);

const liveSessionSchema = new Schema(
  {
    courseSlug: { type: String, required: true },
    cohortId: { type: Schema.Types.ObjectId, default: null },
    facilitatorId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    modality: { type: String, enum: ['virtual', 'in_person', 'hybrid'], required: true },
    meetingUrl: { type: String, default: null },
    venue: { type: String, default: null },
    municipalityCode: { type: String, default: null },
    capacity: { type: Number, default: null },
    agenda: { type: [agendaItemSchema], default: [] },
    status: { type: String, enum: ['scheduled', 'cancelled'], default: 'scheduled', required: true },
    sequence: { type: Number, default: 0 },
    yesCount: { type: Number, default: 0 },
    noCount: { type: Number, default: 0 },
    /** The series the session was scheduled in (one RRULE), if any; each occurrence is a session of its own. */
    seriesId: { type: Schema.Types.ObjectId, default: null },
    /** Who was there, as last saved by the facilitator (a re-save replaces it). */
    attendees: { type: [Schema.Types.ObjectId], default: [] },
    attendanceSavedAt: { type: Date, default: null },
    /** Raised with every change; cleared once the invitees' notices for that change are queued. */
    noticesPending: { type: Boolean, default: false },
    /** Reminders not yet sent for the current start time; a reschedule sets them again. */
    remindersDue: { type: [String], enum: ['reminder24h', 'reminder1h'], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'live_sessions', versionKey: false },
);
liveSessionSchema.index({ courseSlug: 1, startsAt: 1 });
liveSessionSchema.index({ seriesId: 1, startsAt: 1 }, { sparse: true });
liveSessionSchema.index({ facilitatorId: 1, status: 1, startsAt: 1 });
// What the background jobs look for: notices left unsent by a crash, and reminders coming due.
liveSessionSchema.index({ noticesPending: 1, updatedAt: 1 });
liveSessionSchema.index({ remindersDue: 1, startsAt: 1 });

/** One answer per person and session (unique: never check-then-insert). */
const rsvpSchema = new Schema(
  {
    sessionId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    response: { type: String, enum: ['yes', 'no'], required: true },
    respondedAt: { type: Date, required: true },
  },
  { collection: 'live_session_rsvps', versionKey: false },
);
rsvpSchema.index({ sessionId: 1, userId: 1 }, { unique: true });

/**
 * A facilitator's scheduling lock: `_id` is the facilitator's id, so at most one exists
 * per facilitator (see withFacilitatorLock in the service). `expiresAt` is a lease: a
 * lock left by a process that died is taken over once it has expired.
 */
const schedulingLockSchema = new Schema(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'live_session_locks', versionKey: false },
);

const compileSession = (connection: Connection) => connection.model('LiveSession', liveSessionSchema);
const compileRsvp = (connection: Connection) => connection.model('LiveSessionRsvp', rsvpSchema);
const compileLock = (connection: Connection) => connection.model('LiveSessionLock', schedulingLockSchema);

export interface LiveSessionModels {
  LiveSession: ReturnType<typeof compileSession>;
  LiveSessionRsvp: ReturnType<typeof compileRsvp>;
  LiveSessionLock: ReturnType<typeof compileLock>;
}

export function liveSessionModels(connection: Connection): LiveSessionModels {
  return {
    LiveSession: (connection.models.LiveSession as LiveSessionModels['LiveSession'] | undefined) ?? compileSession(connection),
    LiveSessionRsvp: (connection.models.LiveSessionRsvp as LiveSessionModels['LiveSessionRsvp'] | undefined) ?? compileRsvp(connection),
    LiveSessionLock: (connection.models.LiveSessionLock as LiveSessionModels['LiveSessionLock'] | undefined) ?? compileLock(connection),
  };
}
